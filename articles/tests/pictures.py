"""Real picture files for the tests, built with Pillow: JPEGs with GPS EXIF, rotated ones, PNG, GIF, WebP, and HEIC
(encoded by pillow-heif, the same library that reads them)."""

import io
import itertools

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import ExifTags
from PIL import Image as PILImage

from articles.images import store_upload

_colours = itertools.count(1)


def two_tone(size=(60, 40), left=(220, 30, 30), right=(30, 30, 220), mode="RGB"):
    """A picture whose left half is `left` and right half `right`, so rotations and crops can be seen."""
    picture = PILImage.new(mode, size, right)
    picture.paste(left, (0, 0, size[0] // 2, size[1]))
    return picture


def encode(picture, fmt="JPEG", **options):
    """The bytes of `picture` saved as `fmt` with Pillow's `options` (exif=, icc_profile=, comment=, …)."""
    buffer = io.BytesIO()
    picture.save(buffer, fmt, **options)
    return buffer.getvalue()


def revealing_exif(orientation=None):
    """EXIF that would betray a photographer: GPS position, camera serial number, owner's name."""
    exif = PILImage.Exif()
    exif[ExifTags.Base.Make] = "Canon"
    exif[ExifTags.Base.Model] = "EOS R5"
    exif[ExifTags.Base.Artist] = "Field Photographer"
    if orientation:
        exif[ExifTags.Base.Orientation] = orientation
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (34.0, 27.0, 15.5)
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = (40.0, 55.0, 3.2)
    private = exif.get_ifd(ExifTags.IFD.Exif)
    private[ExifTags.Base.BodySerialNumber] = "SN-0451-9981"
    private[ExifTags.Base.CameraOwnerName] = "Field Photographer"
    return exif


def jpeg_bytes(size=(60, 40), **options):
    """A distinct small JPEG (a fresh colour each call, so each has its own content hash)."""
    n = next(_colours)
    colour = ((n * 53) % 256, (n * 97) % 256, (n * 29) % 256)  # far apart, so JPEG's rounding keeps them distinct
    return encode(two_tone(size, left=colour), "JPEG", quality=90, **options)


def heic_bytes(size=(60, 40), exif=None, **options):
    """A distinct small HEIC as an iPhone writes it (HEVC in a HEIF container), encoded by pillow-heif.

    `exif` (a Pillow Exif) goes in as bytes: that is how pillow-heif sees its orientation tag and writes the
    matching `irot`/`imir` rotation into the container beside it, as iPhones do.
    """
    n = next(_colours)
    colour = ((n * 53) % 256, (n * 97) % 256, (n * 29) % 256)
    if exif is not None:
        options["exif"] = exif.tobytes()
    return encode(two_tone(size, left=colour), "HEIF", quality=90, **options)


def upload(data, name="photo.jpg", content_type="image/jpeg"):
    """`data` as the browser would post it."""
    return SimpleUploadedFile(name, data, content_type=content_type)


def library_image(size=(400, 300), uploaded_by=None, **fields):
    """A picture stored through the real upload path; words default to a complete, publishable set."""
    words = {
        "title": "Displaced families near Baghouz",
        "caption": "Families wait at a checkpoint.",
        "credit": "Jane Doe / AFP",
        "copyright_holder": "AFP",
        "alt_text": "Families with bags waiting beside a road",
        **fields,
    }
    image, _ = store_upload(upload(jpeg_bytes(size)), uploaded_by=uploaded_by, **words)
    return image
