"""Safe uploads: what the library accepts, what it refuses, and how a picture is cleaned before it is stored.

The rules, in the order they are applied:

1. Size: more than `NEWSROOM_IMAGE_MAX_BYTES` bytes is refused before the file is read.
2. Content, never the name: Pillow must recognise the bytes as one of the accepted formats (JPEG, PNG,
   WebP, GIF, and AVIF and HEIC/HEIF when this installation can read them: AVIF through Pillow itself,
   HEIC through pillow-heif, see `register_heif_reader`); anything else (a script renamed `.jpg`, an SVG,
   a PDF) is refused. A file that starts like one of them but cannot be opened is called damaged.
3. Decompression bombs: a picture whose header declares more than `NEWSROOM_IMAGE_MAX_PIXELS` pixels is
   refused before a single pixel is decoded.
4. Integrity: `verify()` and a full decode must both succeed (no truncated or damaged files). HEIF's
   reader has no `verify()` of its own, so for HEIC the full decode is the check.
5. Polyglots: a file that is a picture *and* something else a program would act on is refused. For us
   that means: a ZIP/JAR archive hidden in it (JPEG+ZIP, GIFAR: Python's zipfile finds its central
   directory), a PDF header in its first kilobyte, or HTML/script/SVG/PHP markup anywhere in its bytes.
   Inert trailers that phones write (motion-photo video, maker data) are not refused; they are dropped.
6. Cleaning: the EXIF orientation is applied to the pixels, then the picture is re-encoded from its
   pixels with only the ICC colour profile (and palette transparency) carried over. Nothing of the
   uploaded bytes is stored, so EXIF (GPS, camera serial, owner), XMP, IPTC and comments are gone, and so
   is anything hidden in the file. Animations are stored as their first frame, a HEIC holding several
   pictures (a burst) as its primary one. In a HEIC the rotation is the container's own (`irot`/`imir`,
   applied by libheif while decoding); pillow-heif resets the EXIF tag that phones write beside it, so the
   picture is turned once, not twice.

A refusal raises `ImageRefused` with a sentence for the uploader, before anything is written: no file in
storage, no row.
"""

import hashlib
import io
import re
import warnings
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pillow_heif
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from PIL import Image as PILImage
from PIL import ImageOps, UnidentifiedImageError, features

from articles.images import files
from articles.models import Image

# Formats every installation accepts; AVIF and HEIF join when this Pillow can decode them.
BASE_FORMATS = ("JPEG", "PNG", "WEBP", "GIF")
# Pillow names a multi-picture JPEG (many phones and cameras) "MPO"; it is a JPEG for us.
JPEG_FAMILY = {"JPEG", "MPO"}
# The formats as people call them in messages and help texts: iPhone users know their photos as HEIC.
FORMAT_NAMES = {"WEBP": "WebP", "HEIF": "HEIC/HEIF"}
# What the upload page's file picker names besides `image/*`: a system whose type database does not count
# AVIF or HEIC as images would otherwise hide those files from the person choosing them.
PICKER_TYPES = {"AVIF": (".avif", "image/avif"), "HEIF": (".heic", ".heif", ".hif", "image/heic", "image/heif")}

# Markup that makes a file something a browser or a server would run. Long enough that compressed
# pixel data practically never contains it by chance.
ACTIVE_MARKUP = re.compile(
    rb"<(?:script|html|body|iframe|svg|object|embed)[\s>/]|<\?php|<!doctype\s+html|javascript:", re.IGNORECASE
)

STORED_QUALITY = {"JPEG": 92, "WEBP": 90}
EXTENSIONS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp", "GIF": "gif"}


class ImageRefused(ValueError):
    """An upload was refused; `str(error)` is a sentence to show the person who sent it."""


def register_heif_reader():
    """Teach Pillow to read HEIC/HEIF through pillow-heif; called once per process, from the app's ready()."""
    # Pillow's own plugins first, so they stand before pillow-heif's in Pillow's list: an AVIF file is
    # read by Pillow's AVIF plugin whether or not a caller names the formats it allows.
    PILImage.init()
    # The library decodes the primary picture and nothing else, so pillow-heif need not read the
    # thumbnails, depth maps and auxiliary pictures (HDR gain maps) phones put beside it; without
    # thumbnails, a draft() can never swap a thumbnail in for the picture either.
    pillow_heif.register_heif_opener(thumbnails=False, depth_images=False, aux_images=False)


def accepted_formats():
    """Pillow format names the library accepts on this installation (checked at run time)."""
    PILImage.init()
    formats = list(BASE_FORMATS)
    if features.check("avif") and "AVIF" in PILImage.OPEN:
        formats.append("AVIF")
    if "HEIF" in PILImage.OPEN:  # registered by register_heif_reader() at start-up
        formats.append("HEIF")
    return formats


def format_names():
    """The accepted formats as people name them, for messages and help texts ("JPEG, PNG, WebP, …")."""
    return ", ".join(FORMAT_NAMES.get(name, name) for name in accepted_formats())


def file_input_accept():
    """The upload input's `accept` list: any image, and the AVIF/HEIC suffixes and types by name."""
    named = [kind for name in accepted_formats() for kind in PICKER_TYPES.get(name, ())]
    return ",".join(["image/*", *named])


def max_bytes():
    """Largest upload accepted, in bytes (setting NEWSROOM_IMAGE_MAX_BYTES)."""
    return settings.NEWSROOM_IMAGE_MAX_BYTES


def max_pixels():
    """Largest picture accepted, in pixels (setting NEWSROOM_IMAGE_MAX_PIXELS)."""
    return settings.NEWSROOM_IMAGE_MAX_PIXELS


@dataclass
class CleanPicture:
    """A picture that passed every rule: its clean encoded bytes and decoded pixels."""

    data: bytes
    extension: str
    original_format: str
    pixels: PILImage.Image

    @property
    def width(self):
        return self.pixels.width

    @property
    def height(self):
        return self.pixels.height


def _too_big_message(size):
    return _("The file is %(size)s; the most the library accepts is %(limit)s.") % {
        "size": filesizeformat(size),
        "limit": filesizeformat(max_bytes()),
    }


def _bomb_message(width, height):
    return _(
        "The picture is %(width)d × %(height)d pixels; the most the library accepts is %(limit)s megapixels. "
        "Scale it down before uploading."
    ) % {"width": width, "height": height, "limit": f"{max_pixels() / 1_000_000:g}"}


def _not_a_picture_message():
    return _("This file is not a picture the library accepts (%(formats)s), whatever its name says.") % {
        "formats": format_names()
    }


def _starts_like_a_picture(data):
    """True when `data` begins with the signature of an accepted format (so a failure to open it is damage)."""
    prefix = data[:16]
    for name in accepted_formats():
        accept = PILImage.OPEN[name][1]
        verdict = accept(prefix) if accept else False
        if verdict and not isinstance(verdict, str):  # a string is Pillow's "looks like it, cannot read it"
            return True
    return False


def polyglot_reason(data):
    """Why `data` is also something other than a picture (see the module docstring), or "" when it is not."""
    if zipfile.is_zipfile(io.BytesIO(data)):
        return _("it also contains a ZIP or JAR archive")
    if b"%PDF-" in data[:1024]:
        return _("it is also a PDF document")
    if ACTIVE_MARKUP.search(data):
        return _("it contains web page markup or script")
    return ""


def _open(data, formats):
    with warnings.catch_warnings():
        # Pillow only warns between its own limit and twice it; our own limit is checked right after.
        warnings.simplefilter("ignore", PILImage.DecompressionBombWarning)
        return PILImage.open(io.BytesIO(data), formats=formats)


def inspect_picture(data):
    """Apply rules 1–5 to `data` and return the decoded first frame; raise ImageRefused otherwise."""
    if not data:
        raise ImageRefused(_("The file is empty."))
    if len(data) > max_bytes():
        raise ImageRefused(_too_big_message(len(data)))
    try:
        probe = _open(data, accepted_formats())
        width, height = probe.size
    except UnidentifiedImageError:
        if _starts_like_a_picture(data):  # e.g. a HEIC cut short inside its header
            raise ImageRefused(_("The picture is damaged and cannot be read.")) from None
        raise ImageRefused(_not_a_picture_message()) from None
    except PILImage.DecompressionBombError:
        raise ImageRefused(_("The picture declares more pixels than the library accepts.")) from None
    except (OSError, SyntaxError, ValueError):
        raise ImageRefused(_("The picture is damaged and cannot be read.")) from None
    if width * height > max_pixels():
        raise ImageRefused(_bomb_message(width, height))
    detected = probe.format
    try:
        probe.verify()
    except Exception:  # Pillow's verifiers raise many types for a corrupt stream
        raise ImageRefused(_("The picture is damaged and cannot be read.")) from None
    reason = polyglot_reason(data)
    if reason:
        raise ImageRefused(_("The file was refused because %(reason)s.") % {"reason": reason})
    try:
        # No seek: a file opens on its first frame, and a HEIC on its primary picture, which need not
        # be the first of the pictures it holds.
        picture = _open(data, ["JPEG" if detected in JPEG_FAMILY else detected])
        picture.load()
    except Exception:
        raise ImageRefused(_("The picture is damaged and cannot be read.")) from None
    return picture


def clean_picture(data):
    """Inspect `data`, apply its EXIF orientation and re-encode it without metadata (ICC profile kept)."""
    picture = inspect_picture(data)
    detected = picture.format
    keep = {key: picture.info[key] for key in ("icc_profile", "transparency") if picture.info.get(key)}
    upright = ImageOps.exif_transpose(picture)
    upright.info = dict(keep)
    target = "JPEG" if detected in JPEG_FAMILY else detected
    if target not in EXTENSIONS:  # AVIF/HEIF: store what every browser and tool reads
        target = "PNG" if upright.has_transparency_data else "JPEG"
    if target == "JPEG" and upright.mode not in ("RGB", "L", "CMYK"):
        upright = upright.convert("RGB")
        upright.info = {k: v for k, v in keep.items() if k == "icc_profile"}
    if target == "WEBP" and upright.mode not in ("RGB", "RGBA"):
        upright = upright.convert("RGBA" if upright.has_transparency_data else "RGB")
        upright.info = {k: v for k, v in keep.items() if k == "icc_profile"}
    options = {}
    if target in STORED_QUALITY:
        options["quality"] = STORED_QUALITY[target]
    if "icc_profile" in keep:
        options["icc_profile"] = keep["icc_profile"]
    if target == "GIF" and "transparency" in upright.info:
        options["transparency"] = upright.info["transparency"]
    buffer = io.BytesIO()
    upright.save(buffer, target, **options)
    return CleanPicture(buffer.getvalue(), EXTENSIONS[target], "JPEG" if detected == "MPO" else detected, upright)


def read_limited(source):
    """All bytes of `source` (a Django File, an upload or a binary file object), refusing oversize files early."""
    size = getattr(source, "size", None)
    if size is not None and size > max_bytes():
        raise ImageRefused(_too_big_message(size))
    if hasattr(source, "seek"):
        source.seek(0)
    data = source.read(max_bytes() + 1)
    if len(data) > max_bytes():
        raise ImageRefused(_too_big_message(len(data)))
    return data


# A picture's words, in the order the admin shows them; the library form and `update_image` share them.
DESCRIPTION_FIELDS = ("title", "caption", "credit", "copyright_holder", "alt_text", "decorative", "language")
EDITABLE_FIELDS = {*DESCRIPTION_FIELDS, "focal_x", "focal_y"}


def _title_from(filename):
    stem = Path(filename or "").stem.replace("_", " ").replace("-", " ").strip()
    return " ".join(stem.split())[:255] or _("Untitled picture")


def store_upload(source, *, filename="", uploaded_by=None, **fields):
    """Check, clean and store one upload; return `(image, created)`.

    `source` is a file object (an admin upload, an open local file). `fields` are the picture's words
    (title, caption, credit, copyright_holder, alt_text, decorative, language, focal_x, focal_y). The same
    bytes uploaded again return the picture already in the library with `created=False`. A refused file
    raises ImageRefused and leaves nothing behind: no stored file, no row.
    """
    from articles.images.renditions import THUMBNAIL_SPEC, make_renditions_from

    unknown = set(fields) - EDITABLE_FIELDS
    if unknown:
        raise TypeError(f"store_upload() got unexpected fields: {sorted(unknown)}")
    data = read_limited(source)
    digest = hashlib.sha256(data).hexdigest()
    existing = known_picture(digest)
    if existing:
        return existing, False
    clean = clean_picture(data)
    fields["title"] = (fields.get("title") or "").strip() or _title_from(filename or getattr(source, "name", ""))
    image = Image(
        **fields,
        uploaded_by=uploaded_by,
        width=clean.width,
        height=clean.height,
        file_size=len(clean.data),
        original_format=clean.original_format,
        content_hash=digest,
        stored_hash=hashlib.sha256(clean.data).hexdigest(),
    )
    storage = image.file.storage
    try:
        with transaction.atomic():
            image.file.save(f"{digest}.{clean.extension}", ContentFile(clean.data), save=False)
            files.stored(storage, image.file.name)
            image.save()
            # The admin's grid needs a thumbnail at once, and the pixels are already decoded.
            make_renditions_from(image, clean.pixels, [THUMBNAIL_SPEC])
    except IntegrityError:
        # Someone stored the same bytes a moment ago: keep theirs.
        _forget_file(storage, image.file.name)
        existing = known_picture(digest)
        if existing is None:
            raise
        return existing, False
    except BaseException:
        _forget_file(storage, image.file.name)
        raise
    return image, True


def known_picture(digest):
    """The library's picture whose upload, or whose stored file, has the SHA-256 `digest`; else None. The file the
    library keeps (cleaned, so not the bytes uploaded) given back, by an export or a download, is the same picture."""
    return Image.objects.filter(Q(content_hash=digest) | Q(stored_hash=digest)).order_by("pk").first()


def _forget_file(storage, name):
    if name and storage.exists(name):
        storage.delete(name)


def import_image(
    path, *, caption, credit, alt_text, uploaded_by=None, title="", copyright_holder="", language="", decorative=False
):
    """Add the local picture at `path` to the library for an importer; return the Image.

    The file goes through the same checks and cleaning as an upload (ImageRefused when it fails them). A
    picture already in the library (same bytes) is reused, and only its empty fields are filled in from
    the arguments, so a re-run changes nothing and never overwrites what the photo desk wrote.
    """
    path = Path(path)
    if not path.is_file():
        raise ImageRefused(_("No picture file at %(path)s.") % {"path": path})
    if path.stat().st_size > max_bytes():
        raise ImageRefused(_too_big_message(path.stat().st_size))
    with path.open("rb") as handle:
        return import_image_file(
            handle,
            filename=path.name,
            caption=caption,
            credit=credit,
            alt_text=alt_text,
            uploaded_by=uploaded_by,
            title=title,
            copyright_holder=copyright_holder,
            language=language,
            decorative=decorative,
        )


def import_image_file(
    handle,
    *,
    filename,
    caption,
    credit,
    alt_text,
    uploaded_by=None,
    title="",
    copyright_holder="",
    language="",
    decorative=False,
):
    """`import_image` for a picture read from an open binary stream (a member of an archive) named `filename`.

    A `size` attribute on `handle`, when it has one, is checked before anything is read, and the read stops
    past `NEWSROOM_IMAGE_MAX_BYTES` whatever it says (`read_limited`).
    """
    words = {
        "caption": caption or "",
        "credit": credit or "",
        "alt_text": alt_text or "",
        "copyright_holder": copyright_holder or credit or "",
        "language": language or "",
        "decorative": bool(decorative) and not alt_text,  # alt text given says it is not decorative
    }
    image, created = store_upload(
        handle, filename=filename, uploaded_by=uploaded_by, title=title or _title_from(filename), **words
    )
    if not created:
        blanks = [name for name, value in words.items() if value and not getattr(image, name)]
        if image.alt_text:  # described by the desk: not to be made decorative
            blanks = [name for name in blanks if name != "decorative"]
        for name in blanks:
            setattr(image, name, words[name])
        if blanks:
            image.save(update_fields=blanks)
    return image
