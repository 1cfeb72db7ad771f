"""`{% tag_suggestions article as suggestions %}`: what the tagger would add to an article, and
`{% suggested_dateline article as place %}`: the dateline its text opens with (for the admin)."""

from django import template
from django.utils.translation import get_language

from articles import editing, tagging

register = template.Library()


@register.simple_tag
def tag_suggestions(article, pending=None):
    """Suggested regions and actors for a saved article (none for an unsaved one), for the content the desk works on
    (`pending`, the form's pending revision, else the article's own)."""
    if article is None or not getattr(article, "pk", None):
        return tagging.Suggestions(regions=[], actors=[])
    return tagging.suggest(article, content=pending.content if pending else None)


@register.simple_tag
def suggested_dateline(article, pending):
    """The place a saved article's text opens with, when the content the desk works on (`pending`, the form's
    pending revision, else the article's own) has no dateline place yet (`editing.suggested_dateline`)."""
    if article is None or not getattr(article, "pk", None):
        return None
    return editing.suggested_dateline(article, pending)


@register.filter
def desk_label(entry):
    """The place or actor as the article form's pickers name it in the admin's language (`desk_label`)."""
    return entry.desk_label(get_language())
