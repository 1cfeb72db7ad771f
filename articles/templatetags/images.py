"""Template tags for library pictures: `{% load images %}`.

    {% picture image crop="16:9" sizes="(min-width: 60em) 50vw, 100vw" %}
    {% lead_figure article sizes="(min-width: 60em) 720px, 100vw" %}
    {% rendition_url image "w1200-16x9.jpg" %}

`picture` prints a `<picture>` with a WebP `<source>` and a JPEG `<img>`, both with a `srcset` of the
standard widths the picture can fill, `sizes`, the fallback's `width`/`height` (no layout shift), `alt`
(empty for a decorative picture) and `loading="lazy"`. Renditions are made on the first view and only read
afterwards; prefetch `renditions` (or `lead_image__renditions`) and a list of any length costs one query.
"""

from django import template
from django.utils.html import format_html

from articles.images.renditions import FALLBACK_WIDTH, srcset_specs

register = template.Library()


def _srcset(renditions):
    by_width = {}
    for rendition in renditions:
        by_width.setdefault(rendition.width, rendition)  # small originals: several specs, one real width
    return ", ".join(f"{r.url} {w}w" for w, r in sorted(by_width.items()))


def _fallback(renditions):
    fitting = [r for r in renditions if r.width <= FALLBACK_WIDTH]
    return max(fitting, key=lambda r: r.width) if fitting else min(renditions, key=lambda r: r.width)


@register.simple_tag
def picture(image, crop="16:9", sizes="100vw", loading="lazy", css_class="", fetchpriority=""):
    """A responsive `<picture>` of `image` cropped to `crop` ("16:9", "4:3", "1:1" or "full"); "" without one."""
    if not image:
        return ""
    webp_specs, jpeg_specs = srcset_specs(image, crop, "webp"), srcset_specs(image, crop, "jpg")
    found = image.renditions_for(webp_specs + jpeg_specs)
    webp = [found[s] for s in webp_specs]
    jpeg = [found[s] for s in jpeg_specs]
    fallback = _fallback(jpeg)
    extra = format_html(' class="{}"', css_class) if css_class else ""
    if fetchpriority:
        extra = format_html('{} fetchpriority="{}"', extra, fetchpriority)
    return format_html(
        '<picture><source type="image/webp" srcset="{}" sizes="{}">'
        '<img src="{}" srcset="{}" sizes="{}" width="{}" height="{}" alt="{}" loading="{}" decoding="async"{}>'
        "</picture>",
        _srcset(webp),
        sizes,
        fallback.url,
        _srcset(jpeg),
        sizes,
        fallback.width,
        fallback.height,
        image.alt,
        loading,
        extra,
    )


@register.simple_tag
def lead_figure(article, crop="16:9", sizes="100vw", loading="eager"):
    """The story's lead picture in a `<figure>` with its caption (the story's override first) and credit.

    Loads eagerly with high priority by default: the lead picture is usually what a reader sees first.
    """
    image = article.lead_image if article.lead_image_id else None
    if image is None:
        return ""
    caption = article.lead_caption
    credit = format_html('<span class="credit">{}</span>', image.credit) if image.credit else ""
    figcaption = format_html("<figcaption>{} {}</figcaption>", caption, credit) if caption or credit else ""
    return format_html(
        '<figure class="lead-image">{}{}</figure>',
        picture(image, crop, sizes, loading, fetchpriority="high" if loading == "eager" else ""),
        figcaption,
    )


@register.simple_tag
def rendition_url(image, spec):
    """The address of one rendition of `image` (e.g. "w1200-16x9.jpg" for `og:image`); "" without a picture."""
    if not image:
        return ""
    return image.renditions_for([spec])[spec].url
