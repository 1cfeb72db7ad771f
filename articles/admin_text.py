"""What the desk types: text from the staff's forms loses the characters XML 1.0 cannot carry before it is
checked or saved, and a time must fall in the years a newsroom publishes in (`within_publishing_years`).

Pasting from a word processor brings them (Word's line break inside a paragraph is U+000B); stored, one of them in
a headline, a live update or a place's name would make every feed and the news sitemap that shows it invalid XML.
The importers clean their inputs the same way (`importers.fields`). The feeds and the news sitemap also leave
such characters out when they write (`feeds.XMLSafeFeed`, the `xml_text` filter), for text stored before this or
by other ways in."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from articles.models import PUBLISHING_YEARS
from articles.normalisation import xml_text


class TypedTextForm:
    """A form mixin: every text value the form cleaned is passed through `normalisation.xml_text`, before the
    form's own `clean` (which calls this first) and the model's validation see it."""

    def clean(self):
        cleaned = super().clean()
        for name, value in cleaned.items():
            if isinstance(value, str):
                cleaned[name] = xml_text(value)
        return cleaned


class TypedTextModelForm(TypedTextForm, forms.ModelForm):
    """The admin's model form for the vocabularies, sections, authors and aliases: `TypedTextForm`."""


def within_publishing_years(value):
    """A form field's validator: refuse a time outside `PUBLISHING_YEARS`, such as a year typed short (0026 for 2026,
    which as an embargo would end long ago) or one at the calendar's edge (which the database cannot hold)."""
    if value is not None and value.year not in PUBLISHING_YEARS:
        raise ValidationError(_("Enter a time between the years 1900 and 2999."), code="year")
