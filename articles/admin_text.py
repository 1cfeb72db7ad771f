"""What the desk types: text from the staff's forms loses the characters XML 1.0 cannot carry before it is
checked or saved.

Pasting from a word processor brings them (Word's line break inside a paragraph is U+000B); stored, one of them in
a headline, a live update or a place's name would make every feed and the news sitemap that shows it invalid XML.
The importers clean their inputs the same way (`importers.fields`). The feeds and the news sitemap also leave
such characters out when they write (`feeds.XMLSafeFeed`, the `xml_text` filter), for text stored before this or
by other ways in."""

from django import forms

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
