"""Renditions: the sized, cropped and compressed copies of a picture that pages serve.

A spec names one rendition as its file name: `w640-16x9.webp` is 640 pixels wide, cropped to 16:9 around
the focal point, in WebP; `w1280-full.jpg` keeps the whole frame. A picture is never enlarged: a spec wider
than the crop gives the crop's own width. Each rendition is made once, on demand, and kept in storage with
a row in `Rendition`; later requests only read the row (prefetch `renditions` and a page makes none).

Making renditions is serialised per picture: the maker locks the picture's row, looks again for the rows,
and only then decodes and encodes, so concurrent requests for the same missing rendition create it once;
the unique (image, spec) constraint backs this up.
"""

import io
import math
import re
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.db import transaction
from PIL import Image as PILImage

from articles.images import files
from articles.models import Image, Rendition

SRCSET_WIDTHS = (320, 640, 960, 1280, 1920)
FALLBACK_WIDTH = 960
CROPS = {"16x9": (16, 9), "4x3": (4, 3), "1x1": (1, 1), "full": None}
FORMATS = {"webp": "WEBP", "jpg": "JPEG"}
MAX_WIDTH = 4000

THUMBNAIL_SPEC = "w320-full.webp"  # the admin's grid and list, made at upload
PREVIEW_SPEC = "w960-full.jpg"  # the admin's focal-point picker
BODY_SPEC = "w1280-full.jpg"  # pictures inserted into a story body from the editor
FEED_SPEC = "w1280-16x9.jpg"  # RSS/Atom enclosure and media:content
JSONLD_SPECS = ("w1200-16x9.jpg", "w1200-4x3.jpg", "w1200-1x1.jpg")  # schema.org image, as search engines ask
PROFILE_SPEC = JSONLD_SPECS[2]  # an author's photo in their page's JSON-LD Person and its Open Graph card

ENCODER_OPTIONS = {
    "WEBP": {"quality": 80, "method": 4},
    "JPEG": {"quality": 82, "optimize": True, "progressive": True},
}
SPEC_PATTERN = re.compile(r"^w(\d{1,4})-(16x9|4x3|1x1|full)\.(webp|jpg)$")


@dataclass(frozen=True)
class Spec:
    """One rendition's recipe: width, crop ("16x9", "4x3", "1x1" or "full") and file extension."""

    width: int
    crop: str
    extension: str

    @classmethod
    def parse(cls, text):
        """The Spec named by `text` ("w640-16x9.webp"); ValueError when it names none."""
        match = SPEC_PATTERN.match(text)
        if not match or not 16 <= int(match[1]) <= MAX_WIDTH:
            raise ValueError(f"Not a rendition spec: {text!r} (expected e.g. 'w640-16x9.webp')")
        return cls(int(match[1]), match[2], match[3])

    @property
    def key(self):
        return f"w{self.width}-{self.crop}.{self.extension}"

    @property
    def format(self):
        return FORMATS[self.extension]


def normalise_crop(crop):
    """Accept "16:9" or "16x9" (and "full"/None for the whole frame); ValueError for anything else."""
    crop = (crop or "full").replace(":", "x")
    if crop not in CROPS:
        raise ValueError(f"Unknown crop {crop!r}; use one of {', '.join(CROPS)}")
    return crop


def crop_box(width, height, crop, focal_x=0.5, focal_y=0.5):
    """The largest box of the crop's shape inside a `width`×`height` picture, centred on the focal point.

    Where centring would leave the frame the box slides back inside, so the focal point always stays in it.
    Returns (left, top, right, bottom) in pixels.
    """
    ratio = CROPS[normalise_crop(crop)]
    if ratio is None:
        return (0, 0, width, height)
    box_w, box_h = width, width * ratio[1] / ratio[0]
    if box_h > height:
        box_w, box_h = height * ratio[0] / ratio[1], height
    left = min(max(focal_x * width - box_w / 2, 0), width - box_w)
    top = min(max(focal_y * height - box_h / 2, 0), height - box_h)
    return (left, top, left + box_w, top + box_h)


def output_size(spec, box):
    """Pixel size of `spec` cut from `box`: the spec's width or the box's, whichever is smaller."""
    box_w, box_h = box[2] - box[0], box[3] - box[1]
    width = max(1, min(spec.width, math.floor(box_w + 1e-6)))
    return width, max(1, round(width * box_h / box_w))


def srcset_specs(image, crop, extension):
    """Specs for a `srcset` of `image` in one crop and format: the standard widths the picture can fill."""
    crop = normalise_crop(crop)
    box = crop_box(image.width, image.height, crop, image.focal_x, image.focal_y)
    widest = math.floor(box[2] - box[0] + 1e-6)
    widths = [w for w in SRCSET_WIDTHS if w <= widest] or [max(16, widest)]
    return [f"w{w}-{crop}.{extension}" for w in widths]


def standard_specs(image):
    """Everything the templates ask for by default: 16:9 srcsets in WebP and JPEG, the JSON-LD and feed crops."""
    specs = srcset_specs(image, "16x9", "webp") + srcset_specs(image, "16x9", "jpg")
    return list(dict.fromkeys([*specs, *JSONLD_SPECS, FEED_SPEC]))


def profile_specs(image):
    """What an author's page shows of their photo: square srcsets in WebP and JPEG, and the square JPEG that
    its structured data and sharing card point at."""
    specs = srcset_specs(image, "1x1", "webp") + srcset_specs(image, "1x1", "jpg")
    return list(dict.fromkeys([*specs, PROFILE_SPEC]))


def _storage_name(image, spec, focal):
    stem = spec.key.rsplit(".", 1)[0]
    if spec.crop != "full":
        # A new focal point gives new addresses, so no cache or CDN keeps serving the old crop.
        stem += f"-f{round(focal[0] * 1000):03d}-{round(focal[1] * 1000):03d}"
    return f"{image.rendition_folder}{stem}.{spec.extension}"


def _encode(sized, spec, icc):
    buffer = io.BytesIO()
    options = dict(ENCODER_OPTIONS[spec.format])
    if icc:
        options["icc_profile"] = icc
    sized.save(buffer, spec.format, **options)
    return buffer.getvalue()


def _working_copy(picture, scale):
    """`picture` as RGB or RGBA, first scaled down to `scale` (one good resize that every spec then shares)."""
    has_alpha = picture.has_transparency_data
    base = picture.convert("RGBA" if has_alpha else "RGB") if picture.mode not in ("RGB", "RGBA") else picture
    if has_alpha and base.mode != "RGBA":
        base = base.convert("RGBA")
    if scale < 0.75:
        size = (max(1, math.ceil(base.width * scale)), max(1, math.ceil(base.height * scale)))
        base = base.resize(size, PILImage.Resampling.LANCZOS, reducing_gap=3.0)
    return base


def _on_white(picture):
    flat = PILImage.new("RGB", picture.size, "white")
    flat.paste(picture, mask=picture.getchannel("A"))
    return flat


def render(picture, specs, focal=(0.5, 0.5), full_size=None):
    """Encode `specs` from the decoded `picture`; return [(spec, bytes, width, height)].

    `full_size` is the stored picture's size when `picture` was decoded at a reduced scale (JPEG draft
    mode): boxes are computed at full size, then scaled to the pixels at hand. The picture is first scaled
    once to the largest size any spec needs; each crop and width is then cut from that working copy, and
    the WebP and JPEG of one size share a single resize.
    """
    full_w, full_h = full_size or picture.size
    plans = []
    for spec in specs:
        box = crop_box(full_w, full_h, spec.crop, *focal)
        plans.append((spec, box, output_size(spec, box)))
    needed = max(size[0] / (box[2] - box[0]) for _, box, size in plans) * full_w / picture.width
    base = _working_copy(picture, needed)
    scale_x, scale_y = base.width / full_w, base.height / full_h
    icc = picture.info.get("icc_profile")
    flat = None
    sized_cache, results = {}, []
    for spec, box, size in plans:
        source = base
        if spec.format == "JPEG" and base.mode == "RGBA":  # JPEG has no transparency: on white, once
            flat = flat or _on_white(base)
            source = flat
        key = (id(source), box, size)
        if key not in sized_cache:
            scaled = (box[0] * scale_x, box[1] * scale_y, box[2] * scale_x, box[3] * scale_y)
            sized_cache[key] = source.resize(size, PILImage.Resampling.LANCZOS, box=scaled, reducing_gap=3.0)
        results.append((spec, _encode(sized_cache[key], spec, icc), size[0], size[1]))
    return results


def decode(data, size, specs, focal):
    """Decode stored picture bytes at the smallest scale that still serves every spec (JPEG draft mode).

    `size` is the stored picture's (width, height); animations give their first frame.
    """
    width, height = size
    picture = PILImage.open(io.BytesIO(data))
    picture.seek(0)
    if picture.format == "JPEG":
        needed = 0.0
        for spec in specs:
            box = crop_box(width, height, spec.crop, *focal)
            needed = max(needed, output_size(spec, box)[0] / (box[2] - box[0]))
        # Twice the scale leaves a clean Lanczos step after libjpeg's own fast reduction (as Pillow's thumbnail).
        scale = min(1.0, needed * 2)
        picture.draft("RGB", (math.ceil(width * scale), math.ceil(height * scale)))
    picture.load()
    return picture


def open_for(image, specs, focal):
    """The stored picture of `image`, decoded for `specs` (see `decode`)."""
    with image.file.open("rb") as handle:
        data = handle.read()
    return decode(data, (image.width, image.height), specs, focal)


def _save_renditions(image, encoded, focal):
    storage = Rendition._meta.get_field("file").storage
    saved, rows = [], []
    try:
        for spec, data, width, height in encoded:
            name = _storage_name(image, spec, focal)
            if storage.exists(name):  # left over by a rolled-back transaction: no row points at it
                storage.delete(name)
            saved.append(storage.save(name, ContentFile(data)))
            files.stored(storage, saved[-1])
            rows.append(
                Rendition(image=image, spec=spec.key, file=saved[-1], width=width, height=height, file_size=len(data))
            )
        return Rendition.objects.bulk_create(rows)
    except BaseException:
        for name in saved:
            storage.delete(name)
        raise


def make_renditions_from(image, picture, spec_keys):
    """Make `spec_keys` for a freshly stored `image` from its already decoded pixels (used at upload)."""
    specs = [Spec.parse(key) for key in spec_keys]
    focal = (image.focal_x, image.focal_y)
    return _save_renditions(image, render(picture, specs, focal), focal)


def _forget_prefetched(image):
    getattr(image, "_prefetched_objects_cache", {}).pop("renditions", None)


def _make_missing(image, specs):
    with transaction.atomic():
        # One maker per picture at a time: a concurrent request waits here, then finds the first one's rows.
        locked = Image.objects.select_for_update().filter(pk=image.pk).values_list("focal_x", "focal_y")
        focal = tuple(locked.get())
        found = {r.spec: r for r in Rendition.objects.filter(image=image, spec__in=[s.key for s in specs])}
        todo = [spec for spec in specs if spec.key not in found]
        if todo:
            picture = open_for(image, todo, focal)
            encoded = render(picture, todo, focal, full_size=(image.width, image.height))
            found.update((r.spec, r) for r in _save_renditions(image, encoded, focal))
    _forget_prefetched(image)
    return found


def renditions_for(image, spec_keys):
    """The renditions of `image` for `spec_keys` as a dict by spec, each made once when missing.

    Reads `image.renditions.all()`, so a prefetched list costs no query; missing ones are made in one
    locked batch from one decode.
    """
    specs = list(dict.fromkeys(Spec.parse(key) for key in spec_keys))
    have = {r.spec: r for r in image.renditions.all()}
    missing = [spec for spec in specs if spec.key not in have]
    if missing:
        have.update(_make_missing(image, missing))
    return {spec.key: have[spec.key] for spec in specs}


def get_rendition(image, spec_key):
    """One rendition of `image` (see `renditions_for`)."""
    return renditions_for(image, [spec_key])[spec_key]


def discard_crops(image):
    """Forget `image`'s cropped renditions (after its focal point moved); they are remade on next use.

    Rows go now; files go once the transaction commits, so a rollback leaves both in place.
    """
    crops = Rendition.objects.filter(image=image).exclude(spec__contains="-full.")
    names = list(crops.values_list("file", flat=True))
    crops.delete()
    _forget_prefetched(image)
    storage = Rendition._meta.get_field("file").storage
    transaction.on_commit(lambda: [storage.delete(name) for name in names])
