"""Inputs already imported: a re-run does not parse an input whose bytes and options are unchanged.

For each input (a file, or a member of an archive) that imported cleanly, `ImportedInput` keeps a digest of
its raw bytes together with the options that shape what `prepare` makes of them (`OPTIONS`, and
`RECORD_VERSION`, a digest of the code and libraries that shape stories: a deploy that
changes them makes every record stale), and the stories it gave: each one's key (source, source id), text
fingerprint, import digest and `where` label. A worker meeting the input again hashes its bytes; when the
digest is the recorded one it yields `Recorded` stories instead of parsing, and the run treats them like
parsed ones: duplicates are counted on their keys and fingerprints, and the writer checks each batch against
the database with the query it runs anyway. A recorded story stored with its recorded import digest is
unchanged; one that is missing (an editor deleted it) or stored with another digest is parsed from its input
after all (`parse_again`) and written as in any run. So a record never decides what is written, only what
need not be parsed: a stale record costs a parse, never a wrong article.

What is recorded, and when:

- only clean inputs: one failure in it (a bad entry, no stories, unreadable), and it is not recorded, so a
  re-run reports the failure again; and no input that names a picture, because a picture file can change
  without the input's bytes changing (its size and time are in the story's digest);
- in the transaction of the batch that holds the input's last story, or of a later batch when that batch
  was written before the run learnt the input had ended. A record is therefore committed together with, or
  after, every story it lists; an import killed half-way leaves at worst an input whose stories are stored
  but not recorded, which the next run parses (finding them unchanged), so it ends like one clean run. One
  record per input rather than one per story keeps the table and the start-up query small (one row a file)
  and lets a record stand for "every story of this input", which a story-by-story record could not say;
- under the input's name (path, or path:member), replacing what was recorded for that name before: the
  `where` labels of reports come from it, so the same bytes under another name are parsed;
- never by a dry run, and never for a batch that failed to be written (its inputs are dropped for the run);
- not when the file (or archive) changed on disk while it was hashed and parsed (its size or time differ
  after parsing from before hashing): the record must pair the stories with the bytes that gave them.

Records are read where workers run (`recorded_inputs`, one query at the start, as for the stored digests,
only for names under the run's paths);
an import small enough to run in one process parses its inputs (and records them) as before.
"""

import hashlib
import json
import os
import re
from dataclasses import dataclass, replace
from importlib import metadata
from pathlib import Path

from django.db.models import Q
from django.utils import timezone

from articles.importers.sources import Input
from articles.models import ImportedInput

ARTICLES = Path(__file__).resolve().parent.parent
# The code and libraries that turn an input's bytes into stories. A change to any of them (a deploy) changes
# RECORD_VERSION, so every record is stale and the next run parses everything once.
SHAPING_CODE = ("importers/*.py", "normalisation.py", "taxonomy.py", "tagging.py", "models/fields.py")
SHAPING_LIBRARIES = ("nh3", "charset-normalizer", "feedparser", "defusedxml", "ijson", "Django")


def _code_version():
    digest = hashlib.sha1(usedforsecurity=False)
    for path in sorted(p for pattern in SHAPING_CODE for p in ARTICLES.glob(pattern)):
        digest.update(path.name.encode() + path.read_bytes())
    for library in SHAPING_LIBRARIES:
        digest.update(f"{library}={metadata.version(library)}".encode())
    return digest.hexdigest()


RECORD_VERSION = _code_version()
OPTIONS = ("format", "header_line", "section", "language", "source")  # the ImportOptions `prepare` depends on


@dataclass
class Recorded:
    """A story of a recorded, unchanged input, known without parsing: what deduplication and the writer need."""

    where: str
    key: tuple
    fingerprint: str
    digest: str
    source: Input  # without its bytes: parsed after all if the database does not hold the story as recorded

    @property
    def input(self):
        return self.source.name


@dataclass
class InputRecord:
    """Follows the stories of an input that was parsed cleanly: what to record once they are written."""

    name: str
    digest: str
    stories: str  # JSON: [[source, source id, fingerprint, import digest, where], ...]


def input_digest(source, options):
    """A digest of the input's bytes and of the options that shape its stories (OSError if unreadable)."""
    digest = hashlib.sha1(usedforsecurity=False)
    digest.update(json.dumps([RECORD_VERSION, *(getattr(options, name) for name in OPTIONS)]).encode())
    with source.open() as stream:
        while block := stream.read(1 << 16):
            digest.update(block)
    return digest.hexdigest()


def file_state(source):
    """The size and modification time of the file the input is read from (None for bytes already read)."""
    if source.data is not None or not source.path:
        return None
    try:
        found = os.stat(source.path)
    except OSError:
        return "gone"
    return (found.st_size, found.st_mtime_ns)


_MAX_PREFIXES = 50  # PATHs given one by one (a shell glob) beyond this are narrowed by their common prefix


def name_prefixes(paths):
    """What the name of every input under `paths` starts with: the path as given, up to any glob character."""
    prefixes = [re.split(r"[*?\[]", str(path), maxsplit=1)[0] for path in paths]
    return prefixes if len(prefixes) <= _MAX_PREFIXES else [os.path.commonprefix(prefixes)]


def recorded_inputs(paths):
    """{input name: (digest, stories JSON)} for the recorded inputs that can lie under `paths` (one query;
    JSON decoded on use). Only those: the records of other folders, other days' wire, stay in the database
    however many a newsroom accumulates."""
    under = Q()
    for prefix in name_prefixes(paths):
        under |= Q(name__startswith=prefix)
    rows = ImportedInput.objects.filter(under).values_list("name", "digest", "stories")
    return {name: (digest, stories) for name, digest, stories in rows.iterator(chunk_size=5000)}


def read(source, digest, state, recorded, parse):
    """The items of one input whose digest is `digest` (its `file_state` taken before hashing: `state`): its
    Recorded stories when `recorded` holds that digest for it; else what `parse(source)` yields, then its
    InputRecord when all of it was clean and its file unchanged meanwhile."""
    record = recorded.get(source.name)
    if record is not None and record[0] == digest:
        bare = replace(source, data=None)
        for src, source_id, fingerprint, story_digest, where in json.loads(record[1]):
            yield Recorded(where, (src, source_id), fingerprint, story_digest, bare)
        return
    stories = []
    for item in parse(source):
        if stories is not None:
            if isinstance(item, tuple) or item.story.picture is not None:
                stories = None  # a failure, or a picture that may change under the same bytes
            else:
                stories.append([*item.key, item.fingerprint, item.digest, item.where])
        yield item
    if stories and file_state(source) == state:
        yield InputRecord(source.name, digest, json.dumps(stories, ensure_ascii=False))


def save(records):
    """Record the inputs of `records` (InputRecord), replacing earlier records of the same names (one query)."""
    now = timezone.now()
    latest = {record.name: record for record in records}  # the same input named twice in a run: once
    ImportedInput.objects.bulk_create(
        [ImportedInput(name=r.name, digest=r.digest, stories=r.stories, recorded_at=now) for r in latest.values()],
        update_conflicts=True,
        unique_fields=["name"],
        update_fields=["digest", "stories", "recorded_at"],
    )
