"""The site's icon (newsroom/brand.py): favicon, phone icons, the editions' web app manifests, the publisher's
logo, and a newsroom's own icon in their place."""

import io
import json
import xml.etree.ElementTree as ET

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from PIL import Image

from articles.tests.publishing import fresh_cache  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_cache")]

ACCENT = (0x9B, 0x1C, 0x1C)


def picture(response):
    return Image.open(io.BytesIO(response.content))


def close(pixel, colour, slack=12):
    return all(abs(a - b) <= slack for a, b in zip(pixel[:3], colour, strict=True))


def test_a_browsers_favicon_request_gets_the_icon_without_touching_the_database(client, django_assert_num_queries):
    # Browsers ask for /favicon.ico on a first visit whatever the page says; it used to render the 404 page.
    with django_assert_num_queries(0):
        response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/vnd.microsoft.icon"
    assert "max-age=86400" in response["Cache-Control"]
    icon = picture(response)
    assert icon.format == "ICO"
    assert sorted(icon.info["sizes"]) == [(16, 16), (32, 32), (48, 48)]


@pytest.mark.parametrize(
    ("address", "size"), [("/apple-touch-icon.png", 180), ("/icon-192.png", 192), ("/icon-512.png", 512)]
)
def test_phone_icons_are_the_mark_at_their_size(client, address, size):
    response = client.get(address)
    assert response["Content-Type"] == "image/png"
    icon = picture(response).convert("RGBA")
    assert icon.size == (size, size)
    # The N's left stem is white, the square around it the accent red, and the rounded corner is transparent.
    at = lambda x, y: icon.getpixel((int(x * size / 64), int(y * size / 64)))  # noqa: E731
    assert close(at(20, 40), (255, 255, 255))
    assert close(at(8, 32), ACCENT)
    assert at(0.5, 0.5)[3] == 0


def test_the_svg_favicon_is_the_same_mark(client):
    response = client.get("/favicon.svg")
    assert response["Content-Type"] == "image/svg+xml"
    svg = ET.fromstring(response.content)
    assert svg.get("viewBox") == "0 0 64 64"
    assert [child.get("fill") for child in svg] == ["#9b1c1c", "#ffffff"]


def test_an_unknown_icon_name_is_not_found(client):
    assert client.get("/icon-64.png").status_code == 404


@pytest.mark.parametrize(
    ("address", "language", "direction", "start"),
    [("/site.webmanifest", "en", "ltr", "/"), ("/ar/site.webmanifest", "ar", "rtl", "/ar/")],
)
def test_each_edition_has_a_manifest_whose_icons_answer_at_their_stated_sizes(
    client, address, language, direction, start
):
    response = client.get(address)
    assert response["Content-Type"] == "application/manifest+json"
    manifest = json.loads(response.content)
    assert (manifest["name"], manifest["lang"], manifest["dir"], manifest["start_url"]) == (
        "Newsroom",
        language,
        direction,
        start,
    )
    for icon in manifest["icons"]:
        fetched = client.get(icon["src"])
        assert fetched.status_code == 200 and fetched["Content-Type"] == icon["type"]
        if icon["type"] == "image/png":
            width, height = picture(fetched).size
            assert f"{width}x{height}" == icon["sizes"]


@pytest.mark.parametrize(("address", "manifest"), [("/", "/site.webmanifest"), ("/ar/", "/ar/site.webmanifest")])
def test_pages_name_the_icons_and_their_editions_manifest(client, address, manifest):
    page = client.get(address).content.decode()
    assert '<link rel="icon" href="/favicon.ico" sizes="48x48">' in page
    assert '<link rel="icon" href="/favicon.svg" type="image/svg+xml">' in page
    assert '<link rel="apple-touch-icon" href="/apple-touch-icon.png">' in page
    assert f'<link rel="manifest" href="{manifest}">' in page


@pytest.fixture
def own_icon(settings, tmp_path):
    # A tall blue picture with a yellow band in its middle: the icon is its centred square.
    path = tmp_path / "logo.png"
    logo = Image.new("RGB", (600, 800), (20, 60, 160))
    logo.paste((250, 200, 0), (0, 350, 600, 450))
    logo.save(path)
    settings.NEWSROOM_ICON = str(path)
    return path


def test_a_newsrooms_own_icon_replaces_the_mark_everywhere(client, own_icon):
    icon = picture(client.get("/icon-192.png")).convert("RGB")
    assert icon.size == (192, 192)
    # Cropped to the centre square (rows 100 to 700), so the band sits in the middle, not squashed.
    assert close(icon.getpixel((96, 96)), (250, 200, 0)) and close(icon.getpixel((96, 10)), (20, 60, 160))
    assert picture(client.get("/favicon.ico")).convert("RGB").getpixel((24, 24))[2] < 100  # the yellow band
    assert client.get("/favicon.svg").status_code == 404
    manifest = json.loads(client.get("/site.webmanifest").content)
    assert [icon["type"] for icon in manifest["icons"]] == ["image/png"] * 3
    page = client.get("/").content.decode()
    assert "favicon.svg" not in page and '<link rel="apple-touch-icon" href="/apple-touch-icon.png">' in page


def test_manage_py_check_accepts_a_good_icon(own_icon):
    call_command("check")


@pytest.mark.parametrize(
    ("make", "reason"),
    [
        (lambda path: None, "does not exist"),
        (lambda path: Image.new("RGB", (300, 300)).save(path), "is 300×300 pixels; it needs at least 512 on each side"),
        (lambda path: path.write_text("<svg></svg>"), "is not a picture this server can read"),
    ],
)
def test_manage_py_check_refuses_a_bad_icon_and_says_why(settings, tmp_path, make, reason):
    path = tmp_path / "logo.png"
    make(path)
    settings.NEWSROOM_ICON = str(path)
    with pytest.raises(SystemCheckError, match=f"NEWSROOM_ICON {path} {reason}"):
        call_command("check")
