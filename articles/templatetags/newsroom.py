"""Template filters and tags for the public site: names and digits in the page's language, structured data."""

import json

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from articles import structured_data
from articles.addresses import public_url

register = template.Library()

_ARABIC_DIGITS = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")


@register.filter
def digits(value):
    """`value` as text with Arabic-Indic digits on Arabic pages (dates and counts follow the page's language)."""
    text = str(value)
    return text.translate(_ARABIC_DIGITS) if get_language() == "ar" else text


@register.simple_tag
def edition_url(name):
    """`{% url "articles:<name>" %}` for an address without arguments, in the page's edition, without the resolver
    walk (`articles.addresses`): the masthead and footer print six of them on every page."""
    return public_url(name, get_language())


@register.filter
def local_name(entry):
    """The name of a section, place or actor in the page's language (the English name if no Arabic one)."""
    if get_language() == "ar" and getattr(entry, "name_ar", ""):
        return entry.name_ar
    return entry.name


@register.simple_tag(takes_context=True)
def article_json_ld(context, article):
    """A <script type="application/ld+json"> element with the story's NewsArticle description."""
    data = structured_data.news_article(article, context["request"], context.get("site_name", ""))
    # json.dumps escapes nothing HTML cares about; escaping <, > and & keeps "</script>" in a headline harmless.
    text = json.dumps(data, ensure_ascii=False).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return format_html('<script type="application/ld+json">{}</script>', mark_safe(text))  # noqa: S308


@register.simple_tag(takes_context=True)
def article_social_meta(context, article):
    """Open Graph (og:*, article:*) and Twitter card tags for the story, one <meta> per line."""
    tags = structured_data.social_tags(article, context["request"], context.get("site_name", ""))
    # Built here rather than in a template loop: some 25 tags of three escaped values each, on every page.
    return format_html("{}\n", format_html_join("", '<meta {}="{}" content="{}">\n', tags))
