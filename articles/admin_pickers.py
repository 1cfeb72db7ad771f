"""The desk's pickers: autocompletes over the vocabularies (places, actors), sections, authors (the byline) and
stories (those chosen to lead a story's related box, "see also").

Every entry a picker shows, chosen or found while typing, is named in the staff member's language by its model's
`desk_label` (in the Arabic admin "دير الزور (Deir ez-Zor)"): the form fields below label the chosen ones,
`PickerSearchView` (which the pickers ask instead of Django's autocomplete view) the ones found. Widgets, form
fields, that view and `DeskPickersMixin`; the ModelAdmins that use them are in `articles/admin.py`.
"""

from django import forms
from django.contrib.admin.views.autocomplete import AutocompleteJsonView
from django.contrib.admin.widgets import AutocompleteSelect, AutocompleteSelectMultiple, RelatedFieldWidgetWrapper
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils.translation import get_language, gettext

from articles.models import Actor, Article, Author, Region, Section, see_also_problems
from articles.normalisation import is_arabic, name_key

# What the pickers name by `desk_label`; a relation to anything else is left to Django's autocomplete.
LABELLED_MODELS = (Actor, Article, Author, Region, Section)


def labelled_queryset(model, using=None):
    """All entries of `model`, with what their `desk_label` reads (a section's parent) in the same query."""
    queryset = model._default_manager.using(using)
    return queryset.select_related("parent") if model is Section else queryset


class DeskLabels:
    """Form-field mixin: each entry is named as the staff member's language names it (`desk_label`)."""

    def label_from_instance(self, obj):
        return obj.desk_label(get_language())


class DeskChoiceField(DeskLabels, forms.ModelChoiceField):
    """One section or place (an article's section, its dateline place), named by `desk_label`."""


class DeskMultipleChoiceField(DeskLabels, forms.ModelMultipleChoiceField):
    """Entries of a vocabulary (an article's places or actors), named by `desk_label`."""


class DeskPickerMixin:
    """Autocomplete widget mixin: search through `PickerSearchView`, which labels results by `desk_label`."""

    def get_url(self):
        return reverse(f"{self.admin_site.name}:articles_article_picker_search")


class DeskPicker(DeskPickerMixin, AutocompleteSelect):
    """Autocomplete of one section or place, its entries named in the staff member's language."""


class VocabularyPicker(DeskPickerMixin, AutocompleteSelectMultiple):
    """Autocomplete over a vocabulary that shrugs off ids that are not numbers (a forged or stale post), its entries
    named in the staff member's language."""

    def optgroups(self, name, value, attr=None):
        groups = super().optgroups(name, [v for v in value if str(v).isdigit()], attr)
        if get_language() == "ar" and groups:
            # The queryset orders the chips by English name, which reads as no order at all in Arabic: Arabic
            # labels first, in the order of the Arabic alphabet (folded as names are matched, so "أ" sorts
            # with "ا"), then the entries that have only an English name.
            options = groups[0][1]
            options.sort(key=lambda option: (not is_arabic(option["label"]), name_key(option["label"])))
            for index, option in enumerate(options):
                option["index"] = str(index)
        return groups


class BylinePicker(VocabularyPicker):
    """The authors' autocomplete, showing the chosen authors in the order given (the byline's), not by name.

    Django's autocomplete renders the selected options in the queryset's order; the order of the options is
    the order Select2 shows and the browser posts. article_form.js moves a newly picked author last and builds
    "Move up" / "Move down" buttons for each chosen author from the translated wording carried here in
    `data-byline-*` attributes (the admin's JavaScript catalogue holds only Django's own strings).

    Authors are labelled in the staff member's language (`Author.desk_label`): the chosen ones by
    `BylineField`, those found while typing by `PickerSearchView`.
    """

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


class BylineField(DeskMultipleChoiceField):
    """Authors for a byline: a list in the order they were posted (lead writer first), each once, each named as
    the staff member's language names them (`Author.desk_label`)."""

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


class SeeAlsoPicker(BylinePicker):
    """The stories chosen for the related box: found by headline (in either language), shown in the desk's
    order with the byline's "Move up" / "Move down" buttons (article_form.js), each removable with its ×."""

    def build_attrs(self, base_attrs, extra_attrs=None):
        attrs = super().build_attrs(base_attrs, extra_attrs)
        attrs["data-byline-order"] = gettext("Order in the related box")
        return attrs


class SeeAlsoField(BylineField):
    """Stories for the related box in the order posted; refuses the same story twice and more than the box
    takes (`see_also_problems`) with the problem in words, before looking the stories up."""

    def clean(self, value):
        given = [str(pk) for pk in value or ()]
        problems = see_also_problems(None, given)
        if problems:
            raise forms.ValidationError([str(problem) for problem in problems])
        return super().clean(value)


class PickerSearchView(AutocompleteJsonView):
    """The desk pickers' search: Django's autocomplete (the related ModelAdmin's search, so an entry is found by
    either name or an alias; its permission checks and pages) for relations to sections, places, actors and
    authors only, each result labelled as the form fields label the chosen entries (`desk_label`)."""

    def process_request(self, request):
        term, model_admin, source_field, to_field_name = super().process_request(request)
        if source_field.remote_field.model not in LABELLED_MODELS:
            raise PermissionDenied  # as Django's view answers a field it does not serve
        return term, model_admin, source_field, to_field_name

    def serialize_result(self, obj, to_field_name):
        return {"id": str(getattr(obj, to_field_name)), "text": obj.desk_label(get_language())}


class DeskPickersMixin:
    """ModelAdmin mixin: the autocomplete fields naming a section, place, actor or author (an article's section and
    dateline place, a place's parent, an actor's home region) name their entries by `desk_label`."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        model = db_field.remote_field.model
        if model in LABELLED_MODELS and db_field.name in self.get_autocomplete_fields(request):
            kwargs.setdefault("widget", DeskPicker(db_field, self.admin_site, using=kwargs.get("using")))
            kwargs.setdefault("queryset", labelled_queryset(model, kwargs.get("using")))
            kwargs.setdefault("form_class", DeskChoiceField)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


def vocabulary_field(db_field, admin_site, can_add_related=False):
    """A form field picking entries of a controlled vocabulary (searching aliases), never creating one from text,
    named in the staff member's language.

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
    return DeskMultipleChoiceField(
        queryset=db_field.remote_field.model.objects.all(),
        widget=widget,
        required=False,
        label=db_field.verbose_name.capitalize(),
        help_text=db_field.help_text,
    )
