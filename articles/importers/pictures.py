"""Lead pictures named by imported stories: where the file is, and adding it to the library once.

A story's picture is a local file named by its input (ninjs associations, NewsML-G2 remoteContent, the
CSV/JSON Lines `image` column). A relative path is read from the input file's folder and must stay inside
it; remote addresses and pictures inside archives are not fetched. Every file goes through
`articles.images.import_image` (content sniffing, size and bomb limits, metadata stripping), and the same
bytes are stored once, whichever story or run names them.

A picture that is missing or refused is a problem of its entry, not a failure: the story is imported
without it and the report lists `where: picture <path>: reason`.
"""

import hashlib
from pathlib import Path

from articles.images import ImageRefused, import_image
from articles.importers.fields import CONTROL_CHARACTERS
from articles.models import Article, Image


def resolve(picture, source):
    """Set `picture.path` to the absolute file it names, relative to the input `source`; else a problem string.

    Returns "" when the path is usable.
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
    if source.member or source.data is not None or not source.path:
        return "pictures named inside archives are not read (unpack the archive first)"
    folder = Path(source.path).resolve().parent
    resolved = (folder / path).resolve()
    if not resolved.is_relative_to(folder):
        return "outside the input file's folder"
    picture.path = str(resolved)
    return ""


def _sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _unusable_on_published(image):
    if not image.credit or not image.copyright_holder:
        return "no credit: a picture needs one before it can appear on a published story"
    if not image.alt_text and not image.decorative:
        return "no alt text: a picture needs one before it can appear on a published story"
    return ""


def attach(batch, status, problems):
    """{id(prepared): Image} for the stories of `batch` whose picture is usable; problems go to `problems`.

    One query finds the pictures already in the library (by content hash); only new files are stored,
    each through the safe upload path. Stories imported as published only get a credited picture with alt
    text, as publication requires.
    """
    wanted, hashes, found = [], {}, []  # found: (position in batch, problem), reported in entry order
    for position, prepared in enumerate(batch):
        picture = prepared.story.picture
        if picture is None:
            continue
        where = f"{prepared.where}: picture {picture.path}"
        if picture.problem:
            found.append((position, f"{where}: {picture.problem}"))
            continue
        try:
            hashes[id(prepared)] = _sha256(picture.path)
        except FileNotFoundError:
            found.append((position, f"{where}: no such file"))
            continue
        except OSError as error:
            found.append((position, f"{where}: cannot read ({error.strerror or error})"))
            continue
        wanted.append((position, prepared, where))
    known = {image.content_hash: image for image in Image.objects.filter(content_hash__in=set(hashes.values()))}
    attached = {}
    for position, prepared, where in wanted:
        picture, digest = prepared.story.picture, hashes[id(prepared)]
        image = known.get(digest)
        if image is None:
            try:
                image = import_image(
                    picture.path,
                    caption=picture.caption,
                    credit=picture.credit[:200],
                    alt_text=picture.alt_text[:400],
                    language=prepared.language,
                )
            except ImageRefused as error:
                found.append((position, f"{where}: {error}"))
                continue
            known[digest] = image
        if status == Article.Status.PUBLISHED:
            reason = _unusable_on_published(image)
            if reason:
                found.append((position, f"{where}: {reason}"))
                continue
        attached[id(prepared)] = image
    problems.extend(text for _position, text in sorted(found, key=lambda pair: pair[0]))
    return attached
