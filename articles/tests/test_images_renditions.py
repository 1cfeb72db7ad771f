"""Renditions: focal-point crops keep the point in frame, each is made once (also under concurrency), none enlarged."""

import io
import threading

import pytest
from django.db import connection
from PIL import Image as PILImage

from articles.images import (
    FEED_SPEC,
    JSONLD_SPECS,
    crop_box,
    discard_crops,
    get_rendition,
    renditions_for,
    standard_specs,
    store_upload,
)
from articles.models import Image, Rendition
from articles.tests.pictures import encode, library_image, two_tone, upload

pytestmark = pytest.mark.django_db


def pixels(rendition):
    with rendition.file.open("rb") as handle:
        return PILImage.open(io.BytesIO(handle.read())).convert("RGB")


def marked_picture(marker_at=(720, 150)):
    """An 800×300 white picture with a red 40-pixel square centred at `marker_at`."""
    picture = PILImage.new("RGB", (800, 300), "white")
    x, y = marker_at
    picture.paste((255, 0, 0), (x - 20, y - 20, x + 20, y + 20))
    return picture


def reds(picture):
    return sum(1 for r, g, b in picture.getdata() if r > 200 and g < 80 and b < 80)


@pytest.mark.parametrize("crop", ["16x9", "4x3", "1x1"])
@pytest.mark.parametrize("size", [(4000, 3000), (3000, 4000), (800, 300), (300, 800), (500, 500)])
@pytest.mark.parametrize("focal", [(0, 0), (1, 1), (0.5, 0.5), (0.95, 0.1), (0.02, 0.9), (1, 0)])
def test_crop_keeps_the_focal_point_in_frame_with_the_right_shape(crop, size, focal):
    width, height = size
    left, top, right, bottom = crop_box(width, height, crop, *focal)
    want = {"16x9": 16 / 9, "4x3": 4 / 3, "1x1": 1}[crop]

    assert left - 1e-9 <= focal[0] * width <= right + 1e-9
    assert top - 1e-9 <= focal[1] * height <= bottom + 1e-9
    assert left >= 0 and right <= width + 1e-9 and top >= 0 and bottom <= height + 1e-9
    assert (right - left) / (bottom - top) == pytest.approx(want)
    assert right - left == pytest.approx(width) or bottom - top == pytest.approx(height)  # as large as fits


def test_square_crop_follows_the_focal_point_to_the_subject():
    image, _ = store_upload(upload(encode(marked_picture(), "PNG"), "marked.png", "image/png"), alt_text="A mark")

    centred = get_rendition(image, "w300-1x1.jpg")
    Image.objects.filter(pk=image.pk).update(focal_x=0.9, focal_y=0.5)
    image.refresh_from_db()
    discard_crops(image)
    on_subject = get_rendition(image, "w300-1x1.jpg")

    assert (centred.width, centred.height) == (300, 300)
    assert reds(pixels(centred)) == 0  # the middle of the frame misses the subject
    assert reds(pixels(on_subject)) > 1000  # the whole 40×40 square is in the crop
    assert on_subject.file.name != centred.file.name  # a new address, so no cache serves the old crop


def test_moving_the_focal_point_keeps_uncropped_renditions():
    image = library_image()
    full = get_rendition(image, "w200-full.webp")
    crop = get_rendition(image, "w200-16x9.webp")

    discard_crops(image)

    assert Rendition.objects.filter(pk=full.pk).exists()
    assert not Rendition.objects.filter(pk=crop.pk).exists()


def test_rendition_is_made_once_and_then_only_read(media_root, django_assert_num_queries):
    image = library_image()
    first = get_rendition(image, "w200-16x9.webp")
    second = get_rendition(Image.objects.get(pk=image.pk), "w200-16x9.webp")
    prefetched = Image.objects.prefetch_related("renditions").get(pk=image.pk)

    with django_assert_num_queries(0):
        third = get_rendition(prefetched, "w200-16x9.webp")

    assert first.pk == second.pk == third.pk
    assert Rendition.objects.filter(image=image, spec="w200-16x9.webp").count() == 1
    assert len(list((media_root / image.rendition_folder).glob("w200-16x9*"))) == 1


def test_pictures_are_never_enlarged():
    image = library_image(size=(400, 300))

    rendition = get_rendition(image, "w1920-16x9.jpg")

    assert (rendition.width, rendition.height) == (400, 225)
    assert pixels(rendition).size == (400, 225)


def test_standard_set_has_srcset_widths_in_both_formats_and_the_jsonld_crops():
    image = library_image(size=(1300, 1000))

    specs = standard_specs(image)
    made = renditions_for(image, specs)

    assert [s for s in specs if s.endswith(".webp")] == [
        "w320-16x9.webp",
        "w640-16x9.webp",
        "w960-16x9.webp",
        "w1280-16x9.webp",
    ]
    assert set(JSONLD_SPECS) | {FEED_SPEC} <= set(specs)
    assert {spec: (r.width, r.height) for spec, r in made.items() if spec in JSONLD_SPECS} == {
        "w1200-16x9.jpg": (1200, 675),
        "w1200-4x3.jpg": (1200, 900),
        "w1200-1x1.jpg": (1000, 1000),
    }
    assert {pixels(r).size for r in made.values()} == {(r.width, r.height) for r in made.values()}


def test_jsonld_and_feed_helpers_give_addresses_and_sizes():
    image = library_image(size=(1600, 1200))

    urls = image.jsonld_urls()
    feed = image.feed_rendition()

    assert len(urls) == 3 and all(u.startswith("/media/images/renditions/") for u in urls)
    assert [u.rsplit("/", 1)[1][:9] for u in urls] == ["w1200-16x", "w1200-4x3", "w1200-1x1"]
    assert (feed.width, feed.height, feed.mime_type) == (1280, 720, "image/jpeg")
    assert feed.file_size == len(feed.file.open("rb").read())


def test_transparent_png_gets_a_white_background_in_jpeg_and_keeps_alpha_in_webp():
    picture = PILImage.new("RGBA", (200, 100), (0, 0, 0, 0))
    image, _ = store_upload(upload(encode(picture, "PNG"), "logo.png", "image/png"), decorative=True)

    jpeg = get_rendition(image, "w100-full.jpg")
    with get_rendition(image, "w100-full.webp").file.open("rb") as handle:
        webp = PILImage.open(io.BytesIO(handle.read()))

    assert pixels(jpeg).getpixel((50, 25)) == (255, 255, 255)
    assert webp.mode == "RGBA" and webp.getpixel((50, 25))[3] == 0


def test_a_made_up_spec_is_refused():
    image = library_image()

    for spec in ["w640-16x10.webp", "w640-16x9.png", "640-16x9.jpg", "w99999-full.jpg", "../../etc/passwd"]:
        with pytest.raises(ValueError, match="Not a rendition spec"):
            get_rendition(image, spec)
    assert not Rendition.objects.exclude(spec="w320-full.webp").exists()


def test_renditions_of_a_gif_come_from_its_first_frame():
    frames = [two_tone((60, 40), left=c, right=c).convert("P") for c in [(250, 0, 0), (0, 0, 250)]]
    buffer = io.BytesIO()
    frames[0].save(buffer, "GIF", save_all=True, append_images=frames[1:], duration=50)
    image, _ = store_upload(upload(buffer.getvalue(), "a.gif", "image/gif"), alt_text="Red")

    red = pixels(get_rendition(image, "w60-full.jpg")).getpixel((30, 20))

    assert red[0] > 200 and red[2] < 60


@pytest.mark.django_db(transaction=True)
def test_concurrent_requests_for_a_missing_rendition_create_it_once(on_postgres, media_root):
    image = library_image(size=(1200, 800))
    start = threading.Barrier(4)
    results, errors = [], []

    def request_page():
        try:
            fresh = Image.objects.get(pk=image.pk)
            start.wait()
            results.append(get_rendition(fresh, "w640-16x9.webp").pk)
        except Exception as error:  # reported below: a thread's exception would otherwise vanish
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=request_page) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert len(set(results)) == 1 and len(results) == 4
    assert Rendition.objects.filter(image=image, spec="w640-16x9.webp").count() == 1
    assert len(list((media_root / image.rendition_folder).glob("w640-16x9*"))) == 1
