"""Pictures named by imported stories, their lead pictures and their live updates': where the file is, and adding
it to the library once.

A story's picture is a local file named by its input (ninjs associations, NewsML-G2 remoteContent, the
CSV/JSON Lines `image` column). A relative path is read from the input file's folder and must stay inside
it. For a story read from an archive member it is read from that member's folder inside the same archive
and must stay inside the archive; it is read from the archive itself, never unpacked, regular files only,
its size checked before reading (see `archives`). Remote addresses are not fetched. Every picture goes
through `articles.images.import_image` (`import_image_file` for an archive's member: content sniffing,
size and bomb limits, metadata stripping), and the same bytes are stored once, whichever story, run,
folder or archive names them; the library's own file given back (an export's copy, `export_articles --pictures`)
is the picture it came from (`Image.stored_hash`), not a second one.

A picture that is missing or refused is a problem of its entry, not a failure: the story (or the live
update) is imported without it and the report lists `where: picture <path>: reason` (`<path>` is
`archive:member` for a picture in an archive).
"""

import hashlib
import os
import posixpath
from pathlib import Path

from articles.images import ImageRefused, import_image, import_image_file, read_limited
from articles.importers import archives
from articles.importers.fields import CONTROL_CHARACTERS
from articles.models import Article, Image


def resolve(picture, source):
    """Set `picture.path` to the absolute file it names, relative to the input `source`; else a problem string.

    For an input read from an archive, the picture is a member of the same archive: `picture.archive` and
    `picture.member` name it, and `picture.path` becomes `archive:member`. Returns "" when the path is usable.
    """
    path = picture.path.strip()
    if CONTROL_CHARACTERS.search(path):
        # No file is named so on purpose (and the system refuses a NUL): reported, with the controls shown as "?".
        picture.path = CONTROL_CHARACTERS.sub("?", path)
        return "the path holds a control character"
    if path.startswith("file://"):
        path = path[len("file://") :]
    if "://" in path or path.startswith("//"):
        return "remote pictures are not fetched (give a local file)"
    if source.member:
        name, problem = archives.member_name(source.member, path)
        if problem:
            return problem
        picture.archive, picture.member = str(Path(source.path).resolve()), name
        picture.path = f"{picture.archive}:{name}"
        return ""
    folder = Path(source.path).resolve().parent
    resolved = (folder / path).resolve()
    if not resolved.is_relative_to(folder):
        return "outside the input file's folder"
    picture.path = str(resolved)
    return ""


def state(picture):
    """What changes when a resolved picture's file does, for its story's digest (None when there is none).

    A file's size and modification time; for a member of an archive, its kind and what the archive records
    of its content (a zip's size and CRC, a tar's size and time), so the same package downloaded again is
    the same picture.
    """
    if picture.problem:
        return None
    if picture.archive:
        return archives.state(picture.archive, picture.member)
    try:
        found = os.stat(picture.path)
    except OSError:
        return None
    return [found.st_size, found.st_mtime_ns]


def _sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _content_hash(picture, readers):
    """The SHA-256 of the picture's bytes (what the library keys pictures on); raises when it cannot be read."""
    if not picture.archive:
        return _sha256(picture.path)
    with readers.open(picture.archive, picture.member) as stream:
        # Within the upload's limit, checked on the declared size before reading: the bytes are not kept.
        return hashlib.sha256(read_limited(stream)).hexdigest()


def _cannot_read(error):
    return f"cannot read ({getattr(error, 'strerror', None) or error or 'the archive is damaged'})"


def _hash_or_problem(picture, readers):
    """(content hash, "") for a readable picture, else ("", the reason it cannot be used)."""
    try:
        return _content_hash(picture, readers), ""
    except FileNotFoundError:
        return "", "no such file"
    except (ImageRefused, archives.Unreadable) as error:
        return "", str(error)
    except archives.READ_ERRORS as error:  # OSError among them
        return "", _cannot_read(error)


def _import(picture, readers, language):
    """Add the picture to the library through the upload's safe path (ImageRefused when it is refused)."""
    words = {
        "caption": picture.caption,
        "credit": picture.credit[:200],
        "alt_text": picture.alt_text[:400],
        "title": picture.title[:255],
        "copyright_holder": picture.copyright_holder[:200],
        "decorative": picture.decorative,
    }
    if not picture.archive:
        return import_image(picture.path, language=language, **words)
    try:
        with readers.open(picture.archive, picture.member) as stream:
            return import_image_file(stream, filename=posixpath.basename(picture.member), language=language, **words)
    except FileNotFoundError:  # the archive changed since the picture was hashed
        raise ImageRefused("no such file") from None
    except archives.Unreadable as error:
        raise ImageRefused(str(error)) from None
    except archives.READ_ERRORS as error:
        raise ImageRefused(_cannot_read(error)) from None


def _unusable_on_published(image):
    if not image.credit or not image.copyright_holder:
        return "no credit: a picture needs one before it can appear on a published story"
    if not image.alt_text and not image.decorative:
        return "no alt text: a picture needs one before it can appear on a published story"
    return ""


def attach(batch, status, problems):
    """{id(prepared): Image} for the stories of `batch` whose lead picture is usable; problems go to `problems`.
    Stories imported as published only get a credited picture with alt text, as publication requires."""
    named = [(id(p), p.story.picture, p.where, p.language) for p in batch if p.story.picture is not None]
    return _attach(named, problems, public=status == Article.Status.PUBLISHED)


def attach_to_updates(updates, problems):
    """{id(update): Image} for the live updates being added (`(update, where, language)`: the unsaved `LiveUpdate`
    with its input's `picture`, and its story's entry and language) whose picture is usable. An update is public
    the moment it is added, so its picture must be fit to appear (credit, copyright holder, alt text)."""
    named = [
        (id(update), update.picture, f"{where}: live update of {update.posted_at.isoformat()}", language)
        for update, where, language in updates
    ]
    return _attach(named, problems, public=True)


def _attach(named, problems, public):
    """{key: Image} for the pictures `named` ((key, PictureRef, where, language)) that are usable; each problem goes
    to `problems` as "where: picture <path>: reason", in the order named.

    One query finds the pictures already in the library (by content hash); only new files are stored, each
    through the safe upload path. With `public`, a picture must be credited and described (alt text). A
    picture named several times is read once to hash it.
    """
    wanted, hashes, found = [], {}, []  # found: (position, problem), reported in the order named
    with archives.Readers() as readers:
        read = {}  # resolved path ("archive:member" in an archive): (content hash, problem)
        for position, (key, picture, where, language) in enumerate(named):
            where = f"{where}: picture {picture.path}"
            if picture.problem:
                found.append((position, f"{where}: {picture.problem}"))
                continue
            if picture.path not in read:
                read[picture.path] = _hash_or_problem(picture, readers)
            digest, problem = read[picture.path]
            if problem:
                found.append((position, f"{where}: {problem}"))
                continue
            hashes[key] = digest
            wanted.append((position, key, picture, where, language))
        known = {image.content_hash: image for image in Image.objects.filter(content_hash__in=set(hashes.values()))}
        attached = {}
        for position, key, picture, where, language in wanted:
            digest = hashes[key]
            image = known.get(digest)
            if image is None:
                try:
                    image = _import(picture, readers, language)
                except ImageRefused as error:
                    found.append((position, f"{where}: {error}"))
                    continue
                known[digest] = image
            if public:
                reason = _unusable_on_published(image)
                if reason:
                    found.append((position, f"{where}: {reason}"))
                    continue
            attached[key] = image
    problems.extend(text for _position, text in sorted(found, key=lambda pair: pair[0]))
    return attached
