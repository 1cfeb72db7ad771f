"""The import pipeline: inputs in, articles out, in batches, idempotently.

    report = run_import(["archive.zip", "wire/"], ImportOptions(status="published", source="AFP"))
    print(report.summary())   # imported 120, updated 3, unchanged 5, held 1, duplicates 2, failed 1

Stories stream through: inputs are walked lazily (`sources.inputs`), each parser yields stories one at a
time, and only one batch (`batch_size` stories) is held before it is written. With worker processes (many
inputs, or `--workers N`), parsing, tagging, sanitising and the search words run there (`finish`), except for
stories that one query at the start (`_stored_digests`) shows stored unchanged; and an input recorded by an
earlier run with the same bytes and options is not parsed at all (`records`: its stories come from the
record, and the writer parses it after all if the database no longer holds them so). Per batch, a fixed number
of queries: one to find which stories exist already, then in one transaction `bulk_create` of the new
articles, `bulk_update` of the changed ones, `bulk_create` of their region and actor links (ignoring links
that exist) and of their bylines in the input's order (an updated story's authors move to the input's places,
others an editor added follow them: one more query reads those), new sections and authors level by level
(new authors with the Arabic names the input's `authors_ar` gives; one more query gives those names to
stored authors who have none, for unchanged stories too: an author's name is not the story's content),
the publication events for `--status published` (`workflow.publish_imported`), for changed stories the
reads and writes of `updates` (their rows locked, their content and revisions; a fixed number of queries),
and, when stories of the batch carry public corrections or live updates, those their stories lack (`notes`:
at most six queries, for new, changed, unchanged and held stories alike: the notes are not the story's
content and are never held).
On PostgreSQL the new
articles and their links go in with binary COPY instead (`pgcopy`: the workers encode the rows and search
documents; one more query reserves the ids), the same rows bulk_create would write; and one query records
the inputs whose last story the batch holds.

Identity: an article is keyed on (source, source id). An input without an id gets a fingerprint of its
folded headline and text as its source id ("sha1:..."). `Article.import_digest` fingerprints everything
the import writes, so a re-run tells unchanged stories (nothing written, not even re-tagged) from changed
ones (updated in place, `version` + 1, with a revision; or, when the desk has saved the story since its last
import, held for the desk: see `updates`). A story whose key or text was already seen earlier in the same
run is counted as a duplicate and not written twice. A batch is all or nothing, so an import killed
half-way and run again ends exactly like one clean run.
"""

import gc
import hashlib
import json
import multiprocessing
import os
import re
from collections import deque
from dataclasses import dataclass, field
from functools import partial
from itertools import chain, islice
from types import SimpleNamespace

from django.conf import settings
from django.db import IntegrityError, connection, reset_queries, transaction
from django.db.models import Case, F, Value, When
from django.utils import timezone
from django.utils.text import slugify

from articles import caching, revisions, workflow
from articles.images.files import atomic_with_files
from articles.importers import formats, notes, pgcopy, pictures, records, updates
from articles.importers.fields import CONTROL_CHARACTERS, section_path, work_type
from articles.importers.records import InputRecord, Recorded
from articles.importers.sources import Input, Missing, inputs
from articles.importers.story import BadInput, EntryError
from articles.models import (
    Actor,
    ActorAlias,
    Article,
    ArticleActor,
    ArticleRegion,
    Author,
    Byline,
    Region,
    RegionAlias,
    Section,
)
from articles.models.fields import sanitise_html, search_words
from articles.normalisation import name_key
from articles.tagging import NOTHING_REJECTED, detect_language, get_matcher, lead_dateline, plain_text, rejected_ids
from articles.taxonomy import Vocabulary

MAX_HEADLINE = Article._meta.get_field("headline").max_length
MAX_SOURCE_ID = Article._meta.get_field("source_id").max_length
MAX_SECTION_NAME = Section._meta.get_field("name").max_length
# Story fields with a length limit, beside the headline's: a longer value fails its story, named, rather than
# being cut where nobody sees it.
_LIMITED = {
    name: Article._meta.get_field(name).max_length for name in ("kicker", "byline", "credit", "source", "source_url")
}
MAX_AUTHOR_NAME = Author._meta.get_field("display_name").max_length
MAX_AUTHOR_AR = Author._meta.get_field("name_ar").max_length
UPDATED_FIELDS = [
    "headline",
    "standfirst",
    "body",
    "genre",
    "kicker",
    "language",
    "section",
    "credit",
    "byline",
    "source_url",
    "dateline_place",
    "dateline_time",
    "embargo_until",
    "import_digest",
    "lead_image",
    "lead_image_caption",
    "version",
    "imported_version",
    "updated_at",
]
# What an update writes that a revision holds (the rest of a revision's content is the story's own).
REVISED_FIELDS = [name for name in UPDATED_FIELDS if name in revisions.CONTENT_FIELDS]


@dataclass
class ImportOptions:
    """What `import_articles` was asked to do (see the command's --help)."""

    format: str | None = None
    status: str = "draft"
    section: str = ""
    language: str = ""
    source: str = ""
    dry_run: bool = False
    autotag: bool = True
    batch_size: int = 500
    workers: int = 0  # 0: automatic (one per CPU when there are many inputs, else this process alone)
    header_line: str = "auto"
    note: str = "imported"
    copy: bool = True  # on PostgreSQL, write new articles with COPY (False: bulk_create, as on SQLite)


@dataclass
class ImportReport:
    """Counts and problems of one import run."""

    imported: int = 0
    updated: int = 0
    unchanged: int = 0
    held: int = 0  # changed stories the desk had saved: the import became a pending or held revision (updates.py)
    duplicates: int = 0
    failures: list = field(default_factory=list)
    duplicate_of: list = field(default_factory=list)  # (where, where first seen)
    held_stories: list = field(default_factory=list)  # (where, why it was held)
    pictures: int = 0  # stories written with a lead picture, and live updates added with a picture
    picture_problems: list = field(default_factory=list)  # "where: picture path: reason"; the story is kept
    genre_problems: list = field(default_factory=list)  # "where: genre “name”: reason (imported as news)"
    dateline_problems: list = field(default_factory=list)  # "where: dateline “name”: reason (imported without it)"
    unparsed: int = 0  # stories known from the record of their unchanged input, not parsed (see records.py)
    corrections: int = 0  # public corrections added to stories (notes.py), whatever became of the stories
    live_updates: int = 0  # live updates added to stories (notes.py)

    @property
    def failed(self):
        return len(self.failures)

    def summary(self):
        """The one-line summary: `imported N, updated N, unchanged N, held N, duplicates N, failed N`.

        When the inputs named pictures, `, pictures N, picture problems N` follows; when a story's genre could
        not be used, `, genre problems N`; when the import added public notes to stories (a dry run: would
        add), `, corrections N, live updates N`.
        """
        line = (
            f"imported {self.imported}, updated {self.updated}, unchanged {self.unchanged}, held {self.held}, "
            f"duplicates {self.duplicates}, failed {self.failed}"
        )
        if self.pictures or self.picture_problems:
            line += f", pictures {self.pictures}, picture problems {len(self.picture_problems)}"
        if self.genre_problems:
            line += f", genre problems {len(self.genre_problems)}"
        if self.dateline_problems:
            line += f", dateline problems {len(self.dateline_problems)}"
        if self.corrections or self.live_updates:
            line += f", corrections {self.corrections}, live updates {self.live_updates}"
        return line


@dataclass
class Prepared:
    """A story with defaults applied, sanitised, keyed and fingerprinted, ready to be written."""

    story: object
    where: str
    key: tuple
    fingerprint: str
    digest: str
    language: str
    section: tuple
    credit: str
    text: str  # the body as plain text (for tagging); dropped once `finish` has run
    found: tuple | None = None  # (region ids, actor ids) the matcher found, once `finish` has run
    search: tuple | None = None  # SearchDocumentField.words_for(...) of the article, once `finish` has run
    finished: bool = False
    row: bytes | None = None  # for COPY (PostgreSQL): the story's binary fields (pgcopy.story_row)
    vector: bytes | None = None  # for COPY: its search document (None: computed by PostgreSQL)
    ascii: bool = True  # for COPY: no Arabic-script word in its search document
    input: str = ""  # the name of the input it came from
    genre: str = Article.Genre.NEWS.value  # its type of work, from the genres the input gives (`work_type`)
    genre_problems: tuple = ()  # the genres that could not be used, worded for the report
    lead_dateline: str = ""  # the place a dateline opening its text names, when the input gives none (`lead_dateline`)


def _sha1(text):
    return hashlib.sha1(text.encode("utf-8"), usedforsecurity=False).hexdigest()


_LANGUAGES = frozenset(Article.Language.values)  # (the enum builds that list anew on every access)


def _language_code(value):
    code = (value or "").strip().lower()[:2]
    return code if code in _LANGUAGES else ""


_TEXT_FIELDS = ("headline", "body", "standfirst", "kicker", "language", "source", "source_id", "source_url",
                "credit", "byline", "dateline")  # fmt: skip
_NAME_FIELDS = ("section", "authors", "authors_ar", "regions", "actors")


def _without_controls(story):
    """`story` with control characters taken out of its text and names (a quick scan when there are none)."""
    for name in _TEXT_FIELDS:
        value = getattr(story, name)
        if isinstance(value, str) and CONTROL_CHARACTERS.search(value):
            setattr(story, name, CONTROL_CHARACTERS.sub("", value))
    for name in _NAME_FIELDS:
        values = getattr(story, name)
        if any(isinstance(v, str) and CONTROL_CHARACTERS.search(v) for v in values):
            setattr(story, name, tuple(CONTROL_CHARACTERS.sub("", v) if isinstance(v, str) else v for v in values))
    picture = story.picture
    if picture is not None:
        for name in ("caption", "credit", "alt_text"):  # not the path: it names a file (pictures.resolve)
            value = getattr(picture, name)
            if isinstance(value, str) and CONTROL_CHARACTERS.search(value):
                setattr(picture, name, CONTROL_CHARACTERS.sub("", value))


def section_problem(path):
    """Why the section path `path` cannot be stored (a name too long for its column), or ""."""
    for name in path:
        if len(name) > MAX_SECTION_NAME:
            return f"section name longer than {MAX_SECTION_NAME} characters: {name[:40]!r}…"
    return ""


def prepare(story, where, options):
    """Apply the run's defaults to a parsed story and compute its key and fingerprints; BadInput if unusable."""
    _without_controls(story)
    headline = " ".join(story.headline.split())
    if not headline:
        raise BadInput("no headline")
    if len(headline) > MAX_HEADLINE:
        raise BadInput(f"headline longer than {MAX_HEADLINE} characters")
    story.headline = headline
    story.authors_ar = tuple(" ".join(name.split()) for name in story.authors_ar)
    if any(len(name) > MAX_AUTHOR_AR for name in story.authors_ar):
        raise BadInput(f"an Arabic author name (authors_ar) is longer than {MAX_AUTHOR_AR} characters")
    story.standfirst = " ".join(story.standfirst.split())
    story.dateline = " ".join(story.dateline.split())[:200]  # a place's name to look up, not stored as text
    if any(len(name) > MAX_AUTHOR_NAME for name in story.authors):
        raise BadInput(f"an author name is longer than {MAX_AUTHOR_NAME} characters")
    if story.language.strip() and not _language_code(story.language) and not options.language:
        raise BadInput(f"language {story.language.strip()[:20]!r} is neither English (en) nor Arabic (ar)")
    if story.source_url and not re.match(r"https?://", story.source_url, re.IGNORECASE):
        raise BadInput(f"source_url {story.source_url[:40]!r} is not a web address (http or https)")
    text = plain_text(story.body)
    if not text.strip() and not story.standfirst:
        raise BadInput("no text (headline only)")
    language = (
        _language_code(options.language)
        or _language_code(story.language)
        or detect_language(headline, story.standfirst, text[:400])
    )
    section = tuple(story.section) or section_path(options.section)
    if problem := section_problem(section):
        raise BadInput(problem)
    source = options.source or story.source
    credit = story.credit or options.source
    values = {"kicker": story.kicker, "byline": story.byline, "credit": credit, "source": source}
    values["source_url"] = story.source_url
    for name, value in values.items():
        if len(value) > _LIMITED[name]:
            raise BadInput(f"{name} longer than {_LIMITED[name]} characters")
    # Case and spacing do not make another story; the text itself does.
    fingerprint = _sha1(f"{name_key(headline)}\n{' '.join(text.casefold().split())}")
    source_id = story.source_id.strip()
    if not source_id:
        source_id = f"sha1:{fingerprint}"
    elif len(source_id) > MAX_SOURCE_ID:
        source_id = f"sha1:{_sha1(source_id)}"
    written = [
        headline,
        story.standfirst,
        story.body,
        story.kicker,
        language,
        section,
        # In byline order: a re-import that reorders them updates the story. Not their Arabic names
        # (`authors_ar`): those are the authors' own, filled in on any run without making the story changed.
        list(dict.fromkeys(story.authors)),
        credit,
        story.byline,
        story.source_url,
        story.published_at,
        story.embargo_until,
        sorted(story.regions),
        sorted(story.actors),
    ]
    genre, genre_problems = work_type(story.genres)
    if genre != Article.Genre.NEWS:  # only then, so news stories keep the digests they had before types of work
        written.append(genre)
    if story.dateline:  # only then, so stories without one keep the digests they had before datelines
        written.append(["dateline", story.dateline])
    if story.picture is not None:  # only then, so stories without pictures keep the digests they had
        picture = story.picture
        # The file's state too: a picture added or replaced under the same name is picked up by a re-run.
        state = pictures.state(picture)
        written.append([picture.path, picture.caption, picture.credit, picture.alt_text, picture.problem, state])
        if picture.title or picture.copyright_holder or picture.decorative:  # only then: older digests stay
            written.append(["picture", picture.title, picture.copyright_holder, picture.decorative])
    digest = _sha1(json.dumps(written, default=str, ensure_ascii=False))
    prepared = Prepared(story, where, (source, source_id), fingerprint, digest, language, section, credit, text)
    prepared.genre, prepared.genre_problems = genre, tuple(genre_problems)
    # No dateline given: the body may open with one ("BAGHOUZ, Syria (AFP) - "), used if the gazetteer knows it.
    prepared.lead_dateline = "" if story.dateline else lead_dateline(text)
    return prepared


_SEARCH_FIELD = Article._meta.get_field("search_document")


def article_values(prepared):
    """The article fields a prepared story gives (the writer adds section, picture, id and times)."""
    story = prepared.story
    source, source_id = prepared.key
    return {
        "headline": story.headline,
        "slug": slugify(story.headline, allow_unicode=True)[:200] or "story",
        "standfirst": story.standfirst,
        "body": story.body,
        "kicker": story.kicker,
        "genre": prepared.genre,
        "language": prepared.language,
        "credit": prepared.credit,
        "byline": story.byline,
        "dateline_time": story.published_at,
        "embargo_until": story.embargo_until,
        "source": source,
        "source_id": source_id,
        "source_url": story.source_url,
        "import_digest": prepared.digest,
        "imported_version": 1,
    }


def copies(options):
    """True when new articles are written with COPY (PostgreSQL), so `finish` encodes their rows."""
    return options.copy and not options.dry_run and connection.vendor == "postgresql"


def finish(prepared, matcher, copy=False):
    """The costly part of a story's preparation: sanitise its body, tag it (when `matcher`) and compute the
    words of its search document (with `copy`, its COPY row and tsvector instead). Run in a worker process,
    or in this one for what the workers skipped."""
    story = prepared.story
    story.body = sanitise_html(story.body)
    if matcher is not None:
        found = matcher.find(story.headline, story.standfirst, text=prepared.text)
        prepared.found = (found.regions, found.actors)
    else:
        prepared.found = (set(), set())
    # The same fields the saved article will hold (see BatchWriter._article), so the words match its text.
    values = article_values(prepared)
    texts = _SEARCH_FIELD.texts_of(SimpleNamespace(**values))
    words = tuple(search_words(text) for text in texts)
    if copy:
        prepared.row = pgcopy.story_row(values)
        prepared.vector, prepared.ascii = pgcopy.search_vector(words)
    else:
        prepared.search = (texts, words)
    prepared.text = ""  # not needed any more: do not ship it between processes
    prepared.finished = True
    return prepared


def parsed(options, paths, matcher=None):
    """Every story (Prepared, or Recorded when its input is recorded unchanged), every failure ((where,
    reason)) and, after the stories of each clean input, what to record of it (InputRecord), in order.

    With more than one worker (or automatically, when there are many inputs and more than one CPU), stories
    are also finished (`finish`) in the workers, except those `_stored_digests` says are stored unchanged.
    """
    items = inputs(paths)
    workers = options.workers
    if not workers:
        head = list(islice(items, _AUTO_PARALLEL_FROM))
        items = chain(head, items)
        workers = _cpu_count() if len(head) == _AUTO_PARALLEL_FROM else 1
    if workers > 1:
        yield from _parsed_in_parallel(options, items, workers, matcher, paths)
        return
    for item in items:
        if isinstance(item, Missing):
            yield (item.name, item.reason)
            continue
        yield from _read_input(item, options, {})


_AUTO_PARALLEL_FROM = 256  # inputs from which an automatic --workers runs in parallel (below, forking costs more)
_CHUNK = 64  # inputs per task sent to a worker
_AHEAD = 4  # tasks in flight per worker: bounds memory whatever the number of inputs


def _cpu_count():
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on every platform
        return os.cpu_count() or 1


def _stored_digests():
    """A hash of (source, source id, import digest) for every imported article, as a set of ints (about 60
    bytes an article). Workers skip the costly work for stories found in it: a re-run of an import hardly
    tags or sanitises anything. Only a hint: the writer still checks each batch against the database."""
    rows = Article.objects.exclude(import_digest="").values_list("source", "source_id", "import_digest")
    return {hash(row) for row in rows.iterator(chunk_size=5000)}


_worker = {}  # in a worker process: the matcher, stored digests and recorded inputs it was forked with


def _start_worker(matcher, stored, recorded):
    # Forked: the parent's database connection must not be used (nor closed) here; workers never query.
    _worker.update(matcher=matcher, stored=stored, recorded=recorded)


def _parse_chunk(chunk, options):
    results = []
    for item in chunk:
        if isinstance(item, Missing):
            results.append((item.name, item.reason))
            continue
        for result in _read_input(item, options, _worker["recorded"]):
            if isinstance(result, Prepared) and hash((*result.key, result.digest)) not in _worker["stored"]:
                finish(result, _worker["matcher"], copies(options))
            results.append(result)
    return results


def _parsed_in_parallel(options, items, workers, matcher, paths):
    """Parse, prepare and finish in worker processes (they never touch the database), in input order.

    Workers are forked, so they share the loaded code, the matcher and the stored digests; at most
    `workers * _AHEAD` chunks are in flight, so memory stays flat however large the import. Writing stays in
    this process.
    """
    context = multiprocessing.get_context("fork")
    pending = deque()
    stored, recorded = _stored_digests(), records.recorded_inputs(paths)
    # Everything loaded so far (Django, the matcher, the digests, the records) lives as long as the workers:
    # frozen, the workers' garbage collector never walks it (each full collection did, dirtying the shared pages).
    gc.freeze()
    try:
        pool = context.Pool(workers, initializer=_start_worker, initargs=(matcher, stored, recorded))
    finally:
        gc.unfreeze()
    with pool:
        del stored, recorded  # the workers have their copies
        for chunk in _chunks(items, _CHUNK):
            pending.append(pool.apply_async(_parse_chunk, (chunk, options)))
            if len(pending) >= workers * _AHEAD:
                yield from pending.popleft().get()
        while pending:
            yield from pending.popleft().get()


def _chunks(iterable, size):
    chunk = []
    for item in iterable:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _read_input(source: Input, options, recorded):
    """The items of one input: its stories from `recorded` (records.read) when its bytes and options are
    unchanged, else parsed, followed by what to record when it was clean."""
    try:
        state = records.file_state(source)
        digest = records.input_digest(source, options)
    except OSError as error:
        yield (source.name, _cannot_read(error))
        return
    yield from records.read(source, digest, state, recorded, partial(_parse_input, options=options))


def _cannot_read(error):
    return f"cannot read: {error.strerror or error}"


def _parse_input(source: Input, options):
    try:
        name = options.format or formats.detect_by_name(source.name)
        if not name:
            with source.open() as stream:
                name = formats.detect(source.name, stream.peek(4096)[:4096])
        if name is None:
            yield (source.name, "unrecognised format (use --format)")
            return
        found = 0
        for story in formats.PARSERS[name].parse(source, options):
            found += 1
            if isinstance(story, EntryError):
                yield (f"{source.name} entry {story.entry}", story.reason)
                continue
            where = f"{source.name} entry {story.entry}" if story.entry else source.name
            for picture in (story.picture, *(update.picture for update in story.live_updates)):
                if picture is not None:  # resolved (and its path made safe to print); the parser's problem first
                    resolved = pictures.resolve(picture, source)
                    picture.problem = picture.problem or resolved
            try:
                prepared = prepare(story, where, options)
            except BadInput as error:
                yield (where, str(error))
                continue
            prepared.input = source.name
            yield prepared
        if not found:
            # A header-only CSV or an empty JSON list is not a success: an operator must hear that nothing came.
            yield (source.name, "no stories found in this input")
    except BadInput as error:
        yield (source.name, str(error))
    except OSError as error:
        yield (source.name, _cannot_read(error))


class _Authors:
    """The authors a byline can name, loaded once per run: their ids by slug, and their names folded with
    `name_key`, so that a byline finds its author in any spelling that folds alike (hamza, harakat, tatweel,
    case)."""

    def __init__(self):
        self.ids = {}  # slug: id
        self.arabic = {}  # folded Arabic name: slug
        self.names = {}  # folded display name: slug
        self.with_arabic = set()  # slugs of the authors who have an Arabic name
        rows = Author.objects.order_by("pk").values_list("pk", "slug", "display_name", "name_ar")
        for pk, slug, name, name_ar in rows:
            self.ids[slug] = pk
            self.add(slug, name, name_ar)

    def add(self, slug, name, name_ar=""):
        """Know the author `slug` by `name` (and `name_ar`); the oldest author keeps a name two share."""
        for names, given in ((self.names, name), (self.arabic, name_ar)):
            if key := name_key(given):
                names.setdefault(key, slug)
        if name_ar:
            self.with_arabic.add(slug)

    def slug_of(self, name, slug):
        """The slug of the author that the byline name `name` (whose own slug is `slug`) names, or None.

        An author's Arabic name comes first: the desk set it to say who the Arabic byline is (an Arabic wire
        story bylined "رشا خليل" is Rasha Khalil's, even if an earlier import made an author of that name);
        then the slug, as before authors had Arabic names; then the display name in another spelling."""
        key = name_key(name)
        return self.arabic.get(key) or (slug if slug in self.ids else None) or self.names.get(key)


_EXISTING_COLUMNS = ("id", "source", "source_id", "import_digest", "version", "lead_image_id", "lead_image_caption")


class BatchWriter:
    """Writes batches of prepared stories (see the module docstring); keeps per-run lookups."""

    def __init__(self, options, report):
        self.options, self.report = options, report
        self.matcher = get_matcher() if options.autotag else None
        self.regions = Vocabulary(Region, RegionAlias)
        self.actors = Vocabulary(Actor, ActorAlias)
        self.sections = None
        self.section_slugs = None
        self.authors = None
        self.copy = copies(options)

    # -- lookups loaded on first need, then kept for the run ----------------------------------------

    def _load_sections(self):
        if self.sections is None:
            rows = list(Section.objects.values_list("pk", "parent_id", "name", "slug"))
            self.sections = {(parent, name.casefold()): pk for pk, parent, name, _slug in rows}
            self.section_slugs = {slug for *_rest, slug in rows}

    def _load_authors(self):
        if self.authors is None:
            self.authors = _Authors()

    def _section_ids(self, paths):
        """{path: section id} for every path, creating missing sections one level at a time."""
        self._load_sections()
        depth = max((len(p) for p in paths), default=0)
        for level in range(1, depth + 1):
            missing = {}
            for path in paths:
                if len(path) < level:
                    continue
                parent = self._path_id(path[: level - 1]) if level > 1 else None
                if (parent, path[level - 1].casefold()) not in self.sections:
                    missing.setdefault((parent, path[level - 1].casefold()), (parent, path[:level]))
            new = []
            for parent, path in missing.values():
                slug = base = slugify(" ".join(path), allow_unicode=True)[:90] or "section"
                number = 2
                while slug in self.section_slugs:
                    slug, number = f"{base}-{number}", number + 1
                self.section_slugs.add(slug)
                new.append(Section(name=path[-1], parent_id=parent, slug=slug))
            for section in Section.objects.bulk_create(new):
                self.sections[(section.parent_id, section.name.casefold())] = section.pk
            if new:
                caching.invalidate_on_commit()  # the menu and the search filter's sections are cached
        return {path: self._path_id(path) for path in paths}

    def _path_id(self, path):
        parent = None
        for name in path:
            parent = self.sections[(parent, name.casefold())]
        return parent

    def _author_ids(self, names, arabic):
        """{name: author id}: the author each byline name names (`_Authors.slug_of`), creating the missing ones
        in one bulk insert (names that fold alike are one new author, named as the first of them in order),
        with their Arabic names from `arabic` ({name: Arabic name})."""
        self._load_authors()
        slugs, new = {}, {}
        for name in sorted(names):
            slug = _author_slug(name)
            if not slug:
                continue
            known = self.authors.slug_of(name, slug) or (slug if slug in new else None)
            if known is None:
                name_ar = arabic.get(name, "")
                known, new[slug] = slug, Author(display_name=name, slug=slug, name_ar=name_ar)
                self.authors.add(slug, name, name_ar)
            elif known in new and not new[known].name_ar and arabic.get(name):
                new[known].name_ar = arabic[name]  # a later spelling of a new author brings the Arabic name
                self.authors.add(known, "", arabic[name])
            slugs[name] = known
        if new:
            Author.objects.bulk_create(new.values(), ignore_conflicts=True)
            self.authors.ids.update(Author.objects.filter(slug__in=new).values_list("slug", "pk"))
        return {name: self.authors.ids[slug] for name, slug in slugs.items() if slug in self.authors.ids}

    def _arabic_fills(self, arabic):
        """{author id: (slug, Arabic name)} for the stored authors that the names of `arabic` ({byline name:
        Arabic name}) name and that have no Arabic name yet. A desk-written Arabic name is never replaced."""
        self._load_authors()
        fills = {}
        for name, name_ar in arabic.items():
            slug = self.authors.slug_of(name, _author_slug(name))
            if slug in self.authors.ids and slug not in self.authors.with_arabic:
                fills.setdefault(self.authors.ids[slug], (slug, name_ar))
        return fills

    def _fill_arabic(self, fills):
        """Give the authors of `fills` their Arabic names (one query), unless one was written meanwhile."""
        Author.objects.filter(pk__in=fills, name_ar="").update(
            name_ar=Case(
                *(When(pk=pk, then=Value(name_ar)) for pk, (_slug, name_ar) in fills.items()), default=F("name_ar")
            )
        )
        caching.invalidate_on_commit()  # Arabic pages that bylined them by their display name are stale

    # -- writing ------------------------------------------------------------------------------------

    def _existing(self, batch):
        """{key: (id, import digest, version, (lead image id, caption))} of the batch's stored stories (one query)."""
        if not batch:
            return {}
        if connection.vendor == "postgresql":
            rows = pgcopy.stored_rows([p.key for p in batch], _EXISTING_COLUMNS)
        else:
            by_source = {}
            for prepared in batch:
                by_source.setdefault(prepared.key[0], []).append(prepared.key[1])
            query = None
            for source, ids in by_source.items():
                condition = Article.objects.filter(source=source, source_id__in=ids)
                query = condition if query is None else query | condition
            rows = query.values_list(*_EXISTING_COLUMNS)
        return {(row[1], row[2]): (row[0], row[3], row[4], row[5:]) for row in rows}

    def _tags(self, prepared):
        story = prepared.story
        regions = self.regions.resolve(story.regions) | prepared.found[0]
        actors = self.actors.resolve(story.actors) | prepared.found[1]
        return regions, actors

    def write(self, batch, inputs=()):
        """Write one batch (all or nothing) and record `inputs` (InputRecord) with it; counts go to the
        report. False when the batch could not be written (then nothing of it is, nor recorded)."""
        report = self.report
        found = (len(report.picture_problems), len(report.genre_problems), len(report.dateline_problems))
        for attempt in (1, 2):
            try:
                return self._write(batch, inputs)
            except IntegrityError as error:
                # Another import wrote one of these keys since we looked: look again once. The second attempt
                # finds the batch's picture, genre and dateline problems again, so the first one's are not kept.
                if attempt == 1:
                    del report.picture_problems[found[0] :], report.genre_problems[found[1] :]
                    del report.dateline_problems[found[2] :]
                else:
                    for prepared in batch:
                        report.failures.append(f"{prepared.where}: not written ({str(error).splitlines()[0]})")
        return False

    def _write(self, batch, inputs):
        existing = self._existing(batch)
        batch = self._parse_again(batch, existing)
        new, changed = [], []
        for prepared in batch:
            row = existing.get(prepared.key)
            if row is None:
                new.append(prepared)
            elif row[1] != prepared.digest:
                changed.append((prepared, row))
        unchanged = len(batch) - len(new) - len(changed)
        everything = [*new, *(p for p, _row in changed)]
        # Like a picture's, a genre's problem is its entry's, listed when the story is written (or would be).
        self.report.genre_problems += [f"{p.where}: {problem}" for p in everything for problem in p.genre_problems]
        datelines = self._datelines(everything)
        for prepared in everything:
            # Finished once, and only what is written: workers skip stories stored unchanged, and so does
            # this process when it parses alone (a re-run neither tags nor sanitises them).
            if not prepared.finished:
                finish(prepared, self.matcher, self.copy)
        tags = {id(p): self._tags(p) for p in everything}
        held = []
        arabic = _arabic_names(batch)
        # Stored authors without an Arabic name get the one the input gives, from unchanged stories too.
        fills = self._arabic_fills(arabic) if arabic and not self.options.dry_run else {}
        # Stories whose inputs give public notes (notes.py): new, changed or unchanged alike.
        carriers = [p for p in batch if isinstance(p, Prepared) and (p.story.corrections or p.story.live_updates)]
        added = (0, 0, 0)  # corrections, live updates and their pictures added (a dry run: that would be)
        if not self.options.dry_run and (everything or inputs or fills or carriers):
            # Pictures first, outside the batch's transaction: a refused picture never costs the batch.
            images = pictures.attach(everything, self.options.status, self.report.picture_problems)
            # An update's picture is added inside it (only the updates being added read theirs): its files go
            # again if the batch rolls back.
            with atomic_with_files():
                created = {}
                if everything:
                    held, created = self._save(new, changed, tags, images, arabic, datelines)
                if carriers:
                    added = self._add_notes(carriers, existing, created)
                if fills:
                    self._fill_arabic(fills)
                if inputs:
                    records.save(inputs)
            for slug, name_ar in fills.values():  # known by it once written (a failed batch retries them)
                self.authors.add(slug, "", name_ar)
            self.report.pictures += len(images) + added[2]
        elif carriers and self.options.dry_run:  # what notes it would add
            added = self._add_notes(carriers, existing, {}, write=False)
        if changed and self.options.dry_run:  # which updates would be held
            stored, now = updates.read([row[0] for _p, row in changed], lock=False), timezone.now()
            for prepared, row in changed:
                outcome, reason = updates.decide(stored[row[0]], now) if row[0] in stored else (updates.IN_PLACE, "")
                if outcome != updates.IN_PLACE:
                    held.append((prepared.where, reason))
        self.report.imported += len(new)
        self.report.updated += len(changed) - len(held)
        self.report.held += len(held)
        self.report.held_stories += held
        self.report.unchanged += unchanged
        self.report.corrections += added[0]
        self.report.live_updates += added[1]
        self.report.unparsed += sum(isinstance(item, Recorded) for item in batch)
        if settings.DEBUG and not connection.force_debug_cursor:
            # With DEBUG on Django keeps every query's SQL; whole batches of story bodies would pile up.
            reset_queries()
        return True

    def _parse_again(self, batch, existing):
        """The batch, each recorded story that the database does not hold as recorded (deleted, or stored
        with another digest) replaced by the story parsed from its input, exactly as a run without records
        would have it; `existing` is what `_existing` found for the batch."""
        again, parsed = [], {}
        for item in batch:
            row = existing.get(item.key)
            if isinstance(item, Recorded) and (row is None or row[1] != item.digest):
                if item.input not in parsed:
                    stories = _parse_input(item.source, self.options)
                    parsed[item.input] = {p.key: p for p in stories if isinstance(p, Prepared)}
                found = parsed[item.input].get(item.key)
                if found is None:  # its input no longer gives it: the input changed since this run hashed it
                    self.report.failures.append(f"{item.where}: its input changed during the import (run it again)")
                    continue
                item = found
            again.append(item)
        return again

    def _save(self, new, changed, tags, images, arabic, datelines):
        """Write the batch's new and changed stories (new authors get their Arabic names from `arabic`, the
        stories their dateline places from `datelines`); returns the changed ones held for the desk, as (where,
        why), and {id(prepared): article id} of the new."""
        everything = [*new, *(p for p, _row in changed)]
        section_ids = self._section_ids({p.section for p in everything if p.section})
        author_ids = self._author_ids({name for p in everything for name in p.story.authors}, arabic)
        now = timezone.now()
        created = {}
        if self.copy:
            created = self._copy_new(new, tags, section_ids, author_ids, images, now, datelines)
            new = []  # written
        articles = [self._article(p, section_ids, images.get(id(p)), datelines.get(id(p))) for p in new]
        Article.objects.bulk_create(articles)
        created.update((id(p), article.pk) for p, article in zip(new, articles, strict=True))
        written = list(zip(new, articles, strict=True))
        held = self._save_changed(changed, tags, section_ids, author_ids, images, now, written, datelines)
        region_links, actor_links, author_links = [], [], []
        for prepared, article, *rest in written:
            regions, actors, authors = _links(prepared, tags, author_ids, rest[1] if rest else None)
            if rest:  # an update: its byline as its revision holds it (the desk's authors after the input's)
                authors = rest[0]["authors"]
            region_links += [ArticleRegion(content_object_id=article.pk, tag_id=t) for t in regions]
            actor_links += [ArticleActor(content_object_id=article.pk, tag_id=t) for t in actors]
            author_links += [Byline(article_id=article.pk, author_id=a, position=n) for n, a in enumerate(authors)]
        ArticleRegion.objects.bulk_create(region_links, ignore_conflicts=True)
        ArticleActor.objects.bulk_create(actor_links, ignore_conflicts=True)
        # An updated story's existing links take their new places.
        Byline.objects.bulk_create(
            author_links, update_conflicts=True, unique_fields=["article", "author"], update_fields=["position"]
        )
        self._publish_new(new, articles)
        return held, created

    def _add_notes(self, carriers, existing, created, write=True):
        """Add the public notes of `carriers` (the batch's stories whose inputs give some) that their stories
        lack (see `notes`); `created` maps the batch's new stories to their ids. Returns how many corrections,
        live updates and pictures of live updates; with `write` False (a dry run), only counts the notes (no
        picture is read): a story not yet written lacks all of its notes."""
        stored = {existing[p.key][0] for p in carriers if p.key in existing}
        pairs = [(created.get(id(p)) or (existing[p.key][0] if p.key in existing else None), p.story) for p in carriers]
        corrections, live_updates = notes.lacking(pairs, stored)
        images = {}
        if write:
            # Bylines name authors as a story's do: found by name, or created (one query for any number).
            names = {update.byline for update in live_updates if update.byline}
            author_ids = self._author_ids(names, {}) if names else {}
            # Pictures as a story's lead picture, only for the updates being added: one a story already has
            # is not read again. A refused one is its entry's problem; the update is added without it.
            where = {id(p.story): (p.where, p.language) for p in carriers}
            pictured = [(u, *where[id(u.story)]) for u in live_updates if u.picture is not None]
            images = pictures.attach_to_updates(pictured, self.report.picture_problems) if pictured else {}
            for update in live_updates:
                update.author_id = author_ids.get(update.byline)
                update.image = images.get(id(update))
            notes.write(corrections, live_updates, set(created.values()), copy=self.copy)
        return len(corrections), len(live_updates), len(images)

    def _save_changed(self, changed, tags, section_ids, author_ids, images, now, written, datelines):
        """Lock and read the changed stories, write those the desk has not saved since their import in place and
        hold the others (see `updates`), recording a revision for each; the ones written in place are added
        to `written` as (prepared, article, revision content, rejected tags) for their links."""
        if not changed:
            return []
        stored = updates.read([row[0] for _p, row in changed])
        rejected = rejected_ids(list(stored))
        updated, changes, rows_held, held = [], [], [], []
        for prepared, (pk, _digest, _version, lead) in changed:
            if pk not in stored:  # deleted since the batch looked it up: a re-run imports it anew
                continue
            story = stored[pk]
            article = self._article(prepared, section_ids, images.get(id(prepared)), datelines.get(id(prepared)))
            if article.lead_image_id is None:
                # No usable picture in the input: the story keeps the one it has (and its caption).
                article.lead_image_id, article.lead_image_caption = lead
            if article.dateline_place_id is None or not prepared.story.dateline:
                # No known dateline in the input, or only one read off its first words: the story keeps its own,
                # and is not given one read off its first words that the desk declined for it.
                lead = article.dateline_place_id
                declined = pk in rejected and lead in rejected[pk].datelines
                article.dateline_place_id = story.article.dateline_place_id or (None if declined else lead)
            regions, actors, authors = _links(prepared, tags, author_ids, rejected.get(pk))
            outcome, reason = updates.decide(story, now)
            content = updates.content_after(story, article, REVISED_FIELDS, authors, regions, actors)
            changes.append((story, outcome, content, updates.note(outcome, prepared.input or prepared.where, reason)))
            version = story.article.version + 1
            if outcome == updates.IN_PLACE:
                article.pk, article.version, article.imported_version, article.updated_at = pk, version, version, now
                updated.append(article)
                written.append((prepared, article, content, rejected.get(pk)))
            else:
                imported = version if outcome == updates.PENDING else story.article.imported_version
                rows_held.append(
                    Article(pk=pk, version=version, import_digest=prepared.digest, imported_version=imported)
                )
                held.append((prepared.where, reason))
        if updated:
            Article.objects.bulk_update(updated, UPDATED_FIELDS)
            # Bulk writes send no save signals: purge the pages of the updated stories once the batch commits.
            transaction.on_commit(partial(caching.purge_stories, *(a.pk for a in updated)))
            if any(stored[a.pk].article.breaking_time_ahead for a in updated):
                caching.invalidate_on_commit()  # the breaking-news banner, on every page, may show a new headline
        updates.record(changes, rows_held)
        return held

    def _publish_new(self, new, articles):
        """With `--status published`, publish the batch's new stories (`articles`, in the order of `new`)."""
        if self.options.status != Article.Status.PUBLISHED or not articles:
            return
        for prepared, article in zip(new, articles, strict=True):
            article.first_published_at = prepared.story.published_at
        workflow.publish_imported(articles, note=self.options.note)

    def _copy_new(self, new, tags, section_ids, author_ids, images, now, datelines):
        """Write the new articles of a batch and their links with COPY (see `pgcopy`); returns {id(prepared):
        article id}."""
        if not new:
            return {}
        ids, arabic_parsed = pgcopy.reserve_ids(len(new))
        rows, computed_in_sql = [], []
        region_pairs, actor_pairs, author_pairs = [], [], []
        for pk, prepared in zip(ids, new, strict=True):
            image = images.get(id(prepared))
            vector = prepared.vector if prepared.ascii or arabic_parsed else None
            section_id, image_id = section_ids.get(prepared.section), image.pk if image is not None else None
            regions, actors, authors = _links(prepared, tags, author_ids)
            rows.append(
                (
                    pgcopy.writer_fields(
                        pk, section_id, now, image_id, self._caption(prepared, image), datelines.get(id(prepared))
                    ),
                    prepared.row,
                    pgcopy.search_field(vector),
                    pgcopy.tags_field(regions, actors),
                )
            )
            if vector is None:
                computed_in_sql.append(Article(pk=pk, **article_values(prepared)))
            region_pairs += [(pk, tag) for tag in regions]
            actor_pairs += [(pk, tag) for tag in actors]
            author_pairs += [(pk, author, position) for position, author in enumerate(authors)]
        pgcopy.copy_articles(rows)
        if computed_in_sql:
            # Text the Python tsvector cannot vouch for: PostgreSQL builds the document, as bulk_create would.
            for article in computed_in_sql:
                article.search_document = _SEARCH_FIELD.document_for(article)
            Article.objects.bulk_update(computed_in_sql, ["search_document"])
        pgcopy.copy_tag_links(region_pairs, actor_pairs, author_pairs)
        if self.options.status == Article.Status.PUBLISHED:  # the objects are built only to be published
            articles = [self._article(p, section_ids, images.get(id(p)), datelines.get(id(p))) for p in new]
            for pk, article in zip(ids, articles, strict=True):
                article.pk = pk
            self._publish_new(new, articles)
        return {id(prepared): pk for pk, prepared in zip(ids, new, strict=True)}

    @staticmethod
    def _caption(prepared, image):
        # The input's caption is this story's use of the picture; kept only where it differs.
        caption = prepared.story.picture.caption if image is not None else ""
        return caption if image is not None and caption != image.caption else ""

    def _datelines(self, batch):
        """{id(prepared): place id} of the stories of `batch` whose input names a dateline the gazetteer knows; one
        it does not know is a problem of its entry, and the story is written without it (no query)."""
        found = {}
        for prepared in batch:
            name, lead = prepared.story.dateline, prepared.lead_dateline
            pk = self.regions.find(name or lead) if name or lead else None
            if pk:
                found[id(prepared)] = pk
            elif name:  # a dateline the input named, not one read off its first words
                self.report.dateline_problems.append(
                    f"{prepared.where}: dateline “{name}”: no place of that name in the gazetteer (imported without it)"
                )
        return found

    def _article(self, prepared, section_ids, image=None, dateline=None):
        article = Article(
            lead_image=image,
            lead_image_caption=self._caption(prepared, image),
            section_id=section_ids.get(prepared.section),
            dateline_place_id=dateline,
            **article_values(prepared),
        )
        article.search_words_of = prepared.search
        return article


def _author_slug(name):
    """The slug a byline name gives its author (what `_Authors.slug_of` matches first, and a new author's slug)."""
    return slugify(name, allow_unicode=True)[: Author._meta.get_field("slug").max_length]


def _arabic_names(batch):
    """{byline name: Arabic name} that the batch's parsed stories give (`authors_ar`); the first one wins."""
    arabic = {}
    for item in batch:
        if isinstance(item, Prepared):
            for name, name_ar in zip(item.story.authors, item.story.authors_ar):  # noqa: B905 -- aligned or none
                if name_ar:
                    arabic.setdefault(name, name_ar)
    return arabic


def _links(prepared, tags, author_ids, rejected=None):
    """One story's tags to link: its places and actors less those an editor rejected for it (`rejected`: a
    `tagging.Rejected`, for an update), and its authors' ids in byline order, each once."""
    regions, actors = tags[id(prepared)]
    no_regions, no_actors, _datelines = rejected or NOTHING_REJECTED
    # Two names of a byline may name one author ("Rasha Khalil", "رشا خليل"): one byline entry, in its first place.
    authors = list(dict.fromkeys(author_ids[name] for name in prepared.story.authors if name in author_ids))
    return regions - set(no_regions), actors - set(no_actors), authors


def run_import(paths, options=None, progress=None):
    """Import every story under `paths`; returns an ImportReport. `progress(n)` is called as stories pass."""
    options = options or ImportOptions()
    report = ImportReport()
    writer = BatchWriter(options, report)
    seen_keys, seen_texts = {}, {}
    batch, inputs, unwritten = [], [], set()
    for item in parsed(options, paths, writer.matcher):
        if isinstance(item, InputRecord):
            if item.name not in unwritten:
                inputs.append(item)  # recorded with the batch that holds its last story (or a later one)
            continue
        if isinstance(item, tuple):
            report.failures.append(f"{item[0]}: {item[1]}")
        else:
            first = seen_keys.get(item.key) or seen_texts.get(item.fingerprint)
            if first:
                report.duplicates += 1
                report.duplicate_of.append((item.where, first))
                report.unparsed += isinstance(item, Recorded)
            else:
                seen_keys[item.key] = seen_texts[item.fingerprint] = item.where
                batch.append(item)
                if len(batch) >= options.batch_size:
                    _write_batch(writer, batch, inputs, unwritten)
                    batch, inputs = [], []
        if progress:
            progress(1)
    if batch or inputs:
        _write_batch(writer, batch, inputs, unwritten)
    return report


def _write_batch(writer, batch, inputs, unwritten):
    """Write a batch with the inputs to record; if it fails, no input with a story in it is recorded."""
    if not writer.write(batch, inputs):
        unwritten.update(item.input for item in batch)
