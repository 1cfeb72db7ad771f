"""`{% tag_suggestions article as suggestions %}`: what the tagger would add to an article (for the admin)."""

from django import template
from django.utils.translation import get_language

from articles import tagging

register = template.Library()


@register.simple_tag
def tag_suggestions(article):
    """Suggested regions and actors for a saved article (none for an unsaved one)."""
    if article is None or not getattr(article, "pk", None):
        return tagging.Suggestions(regions=[], actors=[])
    return tagging.suggest(article)


@register.filter
def desk_label(entry):
    """The place or actor as the article form's pickers name it in the admin's language (`desk_label`)."""
    return entry.desk_label(get_language())
