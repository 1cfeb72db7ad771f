"""Model fields with rules attached: rich text that is sanitised on every way into the database."""

import nh3
from django.db import models

# What a story body may contain. Everything else (scripts, styles, event handlers, iframes, forms)
# is removed; links get rel="noopener noreferrer" and only web and mail schemes.
ALLOWED_TAGS = {
    "p",
    "br",
    "h2",
    "h3",
    "h4",
    "strong",
    "b",
    "em",
    "i",
    "u",
    "s",
    "sub",
    "sup",
    "blockquote",
    "q",
    "cite",
    "ul",
    "ol",
    "li",
    "a",
    "abbr",
    "span",
    "bdi",
    "figure",
    "figcaption",
    "img",
    "hr",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "caption",
}
_DIRECTIONAL = {"dir", "lang"}
ALLOWED_ATTRIBUTES = {
    "*": _DIRECTIONAL,
    "a": {"href", "title", "hreflang"} | _DIRECTIONAL,
    "abbr": {"title"} | _DIRECTIONAL,
    "img": {"src", "alt", "width", "height", "data-image-id"},
    "th": {"scope", "colspan", "rowspan"},
    "td": {"colspan", "rowspan"},
    "ol": {"start"},
}
URL_SCHEMES = {"http", "https", "mailto"}


class CleanHTML(str):
    """HTML that `sanitise_html` produced: sanitising it again would change nothing, so it is not redone."""


def sanitise_html(html):
    """Return `html` with only the allowed tags, attributes and URL schemes left; idempotent."""
    if not html:
        return ""
    if isinstance(html, CleanHTML):
        return html
    return CleanHTML(
        nh3.clean(
            html,
            tags=ALLOWED_TAGS,
            attributes=ALLOWED_ATTRIBUTES,
            url_schemes=URL_SCHEMES,
            link_rel="noopener noreferrer",
            strip_comments=True,
        )
    )


class SanitisedHTMLField(models.TextField):
    """A TextField whose value is sanitised before every save, bulk create or bulk update."""

    def pre_save(self, model_instance, add):
        value = sanitise_html(getattr(model_instance, self.attname))
        setattr(model_instance, self.attname, value)
        return value

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        # A plain str for the database driver (CleanHTML is only a marker for this process).
        return str(sanitise_html(value)) if isinstance(value, str) else value
