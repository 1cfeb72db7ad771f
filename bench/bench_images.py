"""Pictures: how fast renditions are made, and what an article page with a lead picture weighs.

Rendition rows time our code path (`decode` in JPEG draft mode + `render` with reducing_gap) on a
4000×3000 photo-like JPEG against a naive maker (a full decode and a plain Lanczos resize for every
rendition) and against the limit (decoding the picture once, with no resizing or encoding at all).

Page-weight rows store the same picture through the real upload path in a throw-away test database,
render the article page plus the `{% lead_figure %}` markup, and add the bytes a browser fetches for the
picture at a typical viewport (the `srcset` candidate it would pick), against serving the upload itself.
"""

import io
import os
import statistics
import time

from PIL import Image as PILImage

SIZE = (4000, 3000)
REPEATS = 5


def _blobs(size, cell, sigma):
    """Smooth random shapes about `cell` pixels across: the mid-frequency detail that survives downscaling."""
    return PILImage.effect_noise((size[0] // cell, size[1] // cell), sigma).resize(size, PILImage.Resampling.BICUBIC)


def photo_like_jpeg(size=SIZE):
    """A deterministic-size 12-megapixel JPEG at q90 that compresses like a busy photograph (about 2 MB).

    Fractal edges, a sky gradient, shapes at several scales and a little grain; without them a synthetic
    picture shrinks to almost nothing and flatters every figure.
    """
    detail = PILImage.effect_mandelbrot(size, (-2.2, -1.2, 1.0, 1.2), 96)
    sky = PILImage.linear_gradient("L").resize(size)
    grain = PILImage.effect_noise(size, 12)
    red = PILImage.blend(PILImage.blend(detail, _blobs(size, 40, 90), 0.5), _blobs(size, 12, 70), 0.35)
    green = PILImage.blend(PILImage.blend(sky, _blobs(size, 60, 90), 0.5), _blobs(size, 10, 70), 0.35)
    blue = PILImage.blend(PILImage.blend(grain, _blobs(size, 25, 90), 0.6), _blobs(size, 8, 60), 0.3)
    buffer = io.BytesIO()
    PILImage.merge("RGB", (red, green, blue)).save(buffer, "JPEG", quality=90)
    return buffer.getvalue()


def _best_of(action):
    times = []
    for _ in range(REPEATS):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return min(times), statistics.median(times)


def _naive(data, specs, render_module):
    """One full decode and a plain Lanczos resize per rendition: what a simple rendition view does."""
    for spec in specs:
        picture = PILImage.open(io.BytesIO(data))
        picture.load()
        box = render_module.crop_box(*picture.size, spec.crop)
        size = render_module.output_size(spec, box)
        sized = picture.convert("RGB").resize(size, PILImage.Resampling.LANCZOS, box=box)
        sized.save(io.BytesIO(), spec.format, **render_module.ENCODER_OPTIONS[spec.format])


def _decode_only(data):
    picture = PILImage.open(io.BytesIO(data))
    picture.load()


def rendition_rows(data):
    """Rows for the standard set and for one small rendition made on demand."""
    from articles.images import renditions as r

    standard = [r.Spec.parse(s) for s in _standard_keys(r)]
    small = [r.Spec.parse("w640-16x9.webp")]
    rows = []
    for label, specs in ((f"standard set ({len(standard)} renditions)", standard), ("one w640 WebP", small)):

        def ours(specs=specs):
            picture = r.decode(data, SIZE, specs, (0.5, 0.5))
            r.render(picture, specs, (0.5, 0.5), full_size=SIZE)

        def limit(specs=specs):
            picture = PILImage.open(io.BytesIO(data))
            needed = max(r.output_size(s, r.crop_box(*SIZE, s.crop))[0] / SIZE[0] for s in specs)
            scale = min(1.0, needed * 2)
            picture.draft("RGB", (int(SIZE[0] * scale) + 1, int(SIZE[1] * scale) + 1))
            picture.load()

        ours_best, _ = _best_of(ours)
        naive_best, _ = _best_of(lambda specs=specs: _naive(data, specs, r))
        limit_best, _ = _best_of(limit)
        rows.append(
            {
                "benchmark": f"renditions of a 4000×3000 JPEG: {label}",
                "unit": "images/s",
                "ours": round(1 / ours_best, 2),
                "baseline": round(1 / naive_best, 2),
                "limit": round(1 / limit_best, 2),
                "target": "> baseline",
                "met": ours_best < naive_best,
                "note": (
                    f"ours {ours_best * 1000:.0f} ms (one decode, draft, shared resize), "
                    f"naive {naive_best * 1000:.0f} ms (full decode and resize per rendition), "
                    f"limit = the decode alone {limit_best * 1000:.0f} ms; "
                    f"source {len(data) / 1e6:.1f} MB"
                ),
            }
        )
    return rows


def _standard_keys(r):
    class Shape:  # standard_specs only reads the picture's size and focal point
        width, height = SIZE
        focal_x = focal_y = 0.5

    return r.standard_specs(Shape)


def _pick(candidates, slot_px):
    """The srcset candidate a browser picks: the narrowest at least as wide as the slot, else the widest."""
    fitting = [c for c in candidates if c.width >= slot_px]
    return min(fitting, key=lambda c: c.width) if fitting else max(candidates, key=lambda c: c.width)


def page_weight_rows(data, scratch):
    """Rows for the article page with a lead picture at a desktop and a phone viewport."""
    from django.conf import settings
    from django.db import connection
    from django.template import Context, Template
    from django.test import Client
    from django.test.utils import override_settings
    from django.utils import timezone

    from articles.images import srcset_specs, store_upload
    from articles.models import Article

    test_db = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        with override_settings(MEDIA_ROOT=str(scratch / "media"), ALLOWED_HOSTS=["testserver"]):
            image, _ = store_upload(
                io.BytesIO(data), filename="bench.jpg", credit="Bench / AFP", copyright_holder="AFP", alt_text="x"
            )
            article = Article.objects.create(
                headline="Families return to the old city",
                slug="families-return",
                body="<p>" + "Words of a typical story. " * 150 + "</p>",
                lead_image=image,
                status=Article.Status.PUBLISHED,
                first_published_at=timezone.now(),
            )
            page = Client().get(article.get_absolute_url())
            figure = Template("{% load images %}{% lead_figure article sizes='(min-width: 60em) 720px, 100vw' %}")
            markup = figure.render(Context({"article": article})).encode()
            css = (settings.BASE_DIR / "static" / "css" / "site.css").stat().st_size
            html = len(page.content) + len(markup)
            webp = list(image.renditions_for(srcset_specs(image, "16x9", "webp")).values())
            rows = []
            for label, slot in (("desktop 1280 px viewport, 720 px column at 1x", 720), ("phone 390 px at 3x", 1170)):
                chosen = _pick(webp, slot)
                ours = html + css + chosen.file_size
                naive = html + css + len(data)
                rows.append(
                    {
                        "benchmark": f"article page weight with a lead picture: {label}",
                        "unit": "bytes",
                        "ours": ours,
                        "baseline": naive,
                        "limit": None,
                        "target": "< 300 kB",
                        "met": ours < 300_000,
                        "note": (
                            f"HTML {html} B + CSS {css} B + picture {chosen.spec} {chosen.file_size} B; "
                            f"baseline serves the {len(data) / 1e6:.1f} MB upload"
                        ),
                    }
                )
            return rows
    finally:
        connection.creation.destroy_test_db(test_db, verbosity=0)


def run(context):
    """Rendition speed and page weight rows for bench/run.py."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")
    django.setup()
    data = photo_like_jpeg()
    rows = rendition_rows(data)
    rows += page_weight_rows(data, context["scratch"])
    return rows


if __name__ == "__main__":
    import sys
    import tempfile
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    for row in run({"scratch": Path(tempfile.mkdtemp())}):
        print(row)
