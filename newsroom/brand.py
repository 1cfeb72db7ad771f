"""The site's icon: browser tabs, bookmarks, phones' home screens, the web app manifest and the publisher's logo.

Browsers ask for `/favicon.ico` on every first visit whether a page names it or not; without an answer each
of those requests rendered the full 404 page. The icons are drawn here, once per process, from one
definition: the project's own mark (a white N on the accent red of `static/css/site.css`), or the
newsroom's own square picture when `NEWSROOM_ICON` names one (checked by `manage.py check`).

- `/favicon.ico` (16, 32 and 48 px), `/favicon.svg` (the mark; not offered with `NEWSROOM_ICON`),
  `/apple-touch-icon.png` (180 px, where iOS looks for it), `/icon-192.png`, `/icon-512.png`;
- `/site.webmanifest` and `/ar/site.webmanifest`: the edition's name, language, direction, start page and icons.
"""

import io
import json
from functools import cache
from pathlib import Path

from django.conf import settings
from django.core import checks
from django.http import Http404, HttpResponse
from django.utils.translation import get_language
from PIL import Image, ImageDraw, UnidentifiedImageError

from articles.addresses import public_url

# The mark on a 64-unit square: a rounded square of the accent colour and an N drawn as one polygon.
GRID = 64
CORNER = 12
BACKGROUND = "#9b1c1c"
FOREGROUND = "#ffffff"
LETTER = ((16, 50), (16, 14), (25, 14), (40, 37), (40, 14), (48, 14), (48, 50), (39, 50), (24, 27), (24, 50))
PNG_SIZES = {"apple-touch-icon.png": 180, "icon-192.png": 192, "icon-512.png": 512}
ICO_SIZES = (16, 32, 48)
# The smallest picture `NEWSROOM_ICON` may name: the largest icon is drawn from it, never enlarged.
MIN_ICON_PIXELS = 512
# Browsers and crawlers may keep icons a day; a new icon reaches everyone by the next day.
MAX_AGE = 86400


def svg():
    """The mark as SVG text."""
    points = " ".join(f"{x},{y}" for x, y in LETTER)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {GRID} {GRID}">'
        f'<rect width="{GRID}" height="{GRID}" rx="{CORNER}" fill="{BACKGROUND}"/>'
        f'<polygon points="{points}" fill="{FOREGROUND}"/></svg>\n'
    )


def _drawn(size):
    """The mark as a `size`-pixel RGBA picture, drawn eight times larger and reduced, for smooth edges."""
    scale = size * 8 / GRID
    big = Image.new("RGBA", (size * 8, size * 8), (0, 0, 0, 0))
    draw = ImageDraw.Draw(big)
    draw.rounded_rectangle((0, 0, size * 8 - 1, size * 8 - 1), radius=CORNER * scale, fill=BACKGROUND)
    draw.polygon([(x * scale, y * scale) for x, y in LETTER], fill=FOREGROUND)
    return big.resize((size, size), Image.Resampling.LANCZOS)


def _own_icon(path):
    """The newsroom's picture at `path`, centred and cropped to a square, in RGBA."""
    with Image.open(path) as picture:
        picture.load()
        side = min(picture.size)
        left, top = (picture.width - side) // 2, (picture.height - side) // 2
        return picture.convert("RGBA").crop((left, top, left + side, top + side))


@cache
def _square(size, own_icon):
    if own_icon:
        return _own_icon(own_icon).resize((size, size), Image.Resampling.LANCZOS)
    return _drawn(size)


def icon(size):
    """The site's icon as a `size`-pixel square RGBA picture."""
    return _square(size, settings.NEWSROOM_ICON or "")


@cache
def _encoded(name, own_icon):
    output = io.BytesIO()
    if name == "favicon.ico":
        _square(max(ICO_SIZES), own_icon).save(output, "ICO", sizes=[(s, s) for s in ICO_SIZES])
    else:
        _square(PNG_SIZES[name], own_icon).save(output, "PNG", optimize=True)
    return output.getvalue()


def _response(content, content_type):
    response = HttpResponse(content, content_type=content_type)
    response["Cache-Control"] = f"public, max-age={MAX_AGE}"
    return response


def icon_file(request, name):
    """`/favicon.ico`, `/apple-touch-icon.png`, `/icon-192.png` or `/icon-512.png`."""
    if name != "favicon.ico" and name not in PNG_SIZES:
        raise Http404
    content_type = "image/vnd.microsoft.icon" if name == "favicon.ico" else "image/png"
    return _response(_encoded(name, settings.NEWSROOM_ICON or ""), content_type)


def favicon_svg(request):
    """`/favicon.svg`: the project's mark, which a newsroom's own icon replaces (then 404)."""
    if settings.NEWSROOM_ICON:
        raise Http404
    return _response(svg(), "image/svg+xml")


def manifest(request):
    """The edition's web app manifest: what a phone shows when a reader adds the site to the home screen."""
    language = get_language()
    icons = [{"src": f"/{name}", "sizes": f"{size}x{size}", "type": "image/png"} for name, size in PNG_SIZES.items()]
    if not settings.NEWSROOM_ICON:
        icons.append({"src": "/favicon.svg", "sizes": "any", "type": "image/svg+xml"})
    data = {
        "name": settings.NEWSROOM_SITE_NAME,
        "short_name": settings.NEWSROOM_SITE_NAME,
        "lang": language,
        "dir": "rtl" if language == "ar" else "ltr",
        "start_url": public_url("home", language),
        "scope": public_url("home", language),
        "display": "browser",
        "background_color": "#ffffff",
        "theme_color": BACKGROUND,
        "icons": icons,
    }
    return _response(json.dumps(data, ensure_ascii=False, indent=2), "application/manifest+json")


@checks.register()
def check_own_icon(app_configs=None, **kwargs):
    """`NEWSROOM_ICON`, when set, must name a picture Pillow reads, at least 512 pixels on its shorter side."""
    path = settings.NEWSROOM_ICON
    if not path:
        return []
    problem = None
    try:
        with Image.open(Path(path)) as picture:
            picture.load()
            if min(picture.size) < MIN_ICON_PIXELS:
                problem = (
                    f"is {picture.width}×{picture.height} pixels; it needs at least {MIN_ICON_PIXELS} on each side"
                )
    except FileNotFoundError:
        problem = "does not exist"
    except (UnidentifiedImageError, OSError) as error:
        problem = f"is not a picture this server can read ({error})"
    if problem is None:
        return []
    return [checks.Error(f"NEWSROOM_ICON {path} {problem}.", id="newsroom.E001")]
