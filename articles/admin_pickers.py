"""The article form's pickers: autocompletes over a vocabulary (places, actors) and over authors (the byline).

Widgets, form fields and the byline's search view; the ModelAdmins that use them are in `articles/admin.py`.
"""

from django import forms
from django.contrib.admin.views.autocomplete import AutocompleteJsonView
from django.contrib.admin.widgets import AutocompleteSelectMultiple, RelatedFieldWidgetWrapper
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils.translation import get_language, gettext

from articles.models import Article


class VocabularyPicker(AutocompleteSelectMultiple):
    """Autocomplete over a vocabulary that shrugs off ids that are not numbers (a forged or stale post)."""

    def optgroups(self, name, value, attr=None):
        return super().optgroups(name, [v for v in value if str(v).isdigit()], attr)


class BylinePicker(VocabularyPicker):
    """The authors' autocomplete, showing the chosen authors in the order given (the byline's), not by name.

    Django's autocomplete renders the selected options in the queryset's order; the order of the options is
    the order Select2 shows and the browser posts. article_form.js moves a newly picked author last and builds
    "Move up" / "Move down" buttons for each chosen author from the translated wording carried here in
    `data-byline-*` attributes (the admin's JavaScript catalogue holds only Django's own strings).

    Authors are labelled in the staff member's language (`Author.desk_label`): the chosen ones by
    `BylineField`, those found while typing by `BylineAuthorsView`, which this picker asks instead of Django's
    autocomplete view.
    """

    def get_url(self):
        return reverse(f"{self.admin_site.name}:articles_article_byline_authors")

    def build_attrs(self, base_attrs, extra_attrs=None):
        attrs = super().build_attrs(base_attrs, extra_attrs)
        attrs.update(
            {
                "data-byline-order": gettext("Byline order"),
                # %(name)s is the author's name; the wording is each button's accessible name.
                "data-byline-move-up": gettext("Move %(name)s up"),
                "data-byline-move-down": gettext("Move %(name)s down"),
                # Read out after a move; %(position)s and %(count)s are numbers.
                "data-byline-moved": gettext("%(name)s is now number %(position)s of %(count)s."),
            }
        )
        return attrs

    def optgroups(self, name, value, attr=None):
        groups = super().optgroups(name, value, attr)
        place = {}
        for number, given in enumerate(value):
            place.setdefault(str(given), number)
        options = groups[0][1]
        options.sort(key=lambda option: place.get(str(option["value"]), len(place)))
        for index, option in enumerate(options):
            option["index"] = str(index)
        return groups


class BylineField(forms.ModelMultipleChoiceField):
    """Authors for a byline: a list in the order they were posted (lead writer first), each once, each named as
    the staff member's language names them (`Author.desk_label`)."""

    def label_from_instance(self, obj):
        return obj.desk_label(get_language())

    def clean(self, value):
        authors = super().clean(value)
        place = {}
        for number, given in enumerate(value or ()):
            place.setdefault(str(given), number)
        key = self.to_field_name or "pk"
        return sorted(authors, key=lambda author: place[str(author.serializable_value(key))])

    def has_changed(self, initial, data):
        if self.disabled:
            return False
        before = [str(pk) for pk in self.prepare_value(initial or [])]
        return before != list(dict.fromkeys(str(pk) for pk in data or []))


class BylineAuthorsView(AutocompleteJsonView):
    """The byline picker's search: Django's autocomplete of authors (the Author admin's search fields, so a
    writer is found by either name, its permission checks and pages), for the article's authors only, each
    result labelled as `BylineField` labels the chosen authors."""

    def process_request(self, request):
        term, model_admin, source_field, to_field_name = super().process_request(request)
        if source_field.model is not Article or source_field.name != "authors":
            raise PermissionDenied  # as Django's view answers a field it does not serve
        return term, model_admin, source_field, to_field_name

    def serialize_result(self, obj, to_field_name):
        return {"id": str(getattr(obj, to_field_name)), "text": obj.desk_label(get_language())}


def vocabulary_field(db_field, admin_site, can_add_related=False):
    """A form field picking entries of a controlled vocabulary (searching aliases), never creating one from text.

    With `can_add_related`, the picker links to the vocabulary's own admin to add a new entry.
    """
    widget = RelatedFieldWidgetWrapper(
        VocabularyPicker(db_field, admin_site),
        db_field.remote_field,
        admin_site,
        can_add_related=can_add_related,
        can_change_related=False,
        can_delete_related=False,
        can_view_related=False,
    )
    return forms.ModelMultipleChoiceField(
        queryset=db_field.remote_field.model.objects.all(),
        widget=widget,
        required=False,
        label=db_field.verbose_name.capitalize(),
        help_text=db_field.help_text,
    )
