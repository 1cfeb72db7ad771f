"""HEIC/HEIF from reporters' iPhones: pillow-heif reads it, and AVIF stays Pillow's own."""

import io
import os
import subprocess
import sys
from pathlib import Path

import pillow_heif
import pytest
from PIL import Image as PILImage

from articles.images import accepted_formats, store_upload
from articles.tests.pictures import encode, two_tone, upload

ROOT = Path(__file__).resolve().parents[2]


def opened(field_file):
    with field_file.open("rb") as handle:
        data = handle.read()
    return data, PILImage.open(io.BytesIO(data))


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


@pytest.mark.django_db
def test_avif_upload_is_still_read_as_avif_with_the_heic_reader_installed():
    avif = bytearray(encode(two_tone((64, 48)), "AVIF", quality=80))
    avif[8:12] = b"mif1"

    image, _ = store_upload(upload(bytes(avif), "phone.avif", "image/avif"), alt_text="A road")

    assert image.original_format == "AVIF"
    assert opened(image.file)[1].format == "JPEG"
