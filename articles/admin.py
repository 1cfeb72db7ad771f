"""The newsroom's desk in the Django admin: articles, sections, authors, and the two vocabularies.

Business rules live elsewhere (workflow.py, editing.py, taxonomy.py); this module only wires them to forms,
lists and actions.
"""

import json

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.checks import ModelAdminChecks
from django.core.exceptions import PermissionDenied
from django.db.models import Case, Count, Exists, OuterRef, Q, Value, When
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.text import capfirst
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext_lazy as _
from taggit.managers import TaggableManager
from tinymce.widgets import TinyMCE

from articles import caching, editing, embeds, revisions, search, taxonomy
from articles.admin_pickers import (
    BylineField,
    BylinePicker,
    DeskPickersMixin,
    PickerSearchView,
    SeeAlsoField,
    SeeAlsoPicker,
    vocabulary_field,
)
from articles.admin_text import TypedTextForm, TypedTextModelForm, within_publishing_years
from articles.desk_admin import ArticleDeskMixin
from articles.models import (
    Actor,
    ActorAlias,
    Article,
    Author,
    Region,
    RegionAlias,
    Section,
    names_as_line,
    see_also_problems,
)
from articles.models.fields import sanitise_html
from articles.normalisation import name_key

RTL_FIELDS = ("kicker", "headline", "slug", "standfirst", "byline")


class ArticleAdminForm(TypedTextForm, forms.ModelForm):
    """The story form: text fields follow the story's writing direction; body is a rich-text editor."""

    source_url = forms.URLField(label=_("source URL"), max_length=500, required=False, assume_scheme="https")
    # The version the editor loaded; a save over a newer one is refused (optimistic locking).
    base_version = forms.IntegerField(required=False, widget=forms.HiddenInput)
    editor = None  # the requesting user, set by ArticleAdmin.get_form

    class Meta:
        model = Article
        fields = "__all__"  # noqa: DJ007 -- the admin's fieldsets choose what is shown
        widgets = {"body": TinyMCE(), "standfirst": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        language = self.data.get("language") or self.initial.get("language") or self.instance.language
        direction = "rtl" if language == Article.Language.ARABIC else "auto"
        for name in RTL_FIELDS:
            if name in self.fields:
                self.fields[name].widget.attrs["dir"] = direction
        for name in ("embargo_until", "dateline_time"):
            if name in self.fields:
                self.fields[name].validators.append(within_publishing_years)
        if "body" in self.fields:
            self.fields["body"].widget.mce_attrs = {"directionality": "rtl" if direction == "rtl" else "ltr"}
        if "genre" in self.fields:
            # A post without it (a form from before the field, a script) keeps the story's type: see clean_genre.
            self.fields["genre"].required = False
            self._offer_section_genres()
        self.pending = None
        if self.instance.pk:
            self.initial.setdefault("base_version", self.instance.version)
            # On a story with a pending update, the editor carries on from the pending text, not the live one.
            self.pending = revisions.pending_revision(self.instance)
            if self.pending:
                self.initial.update(revisions.as_form_initial(self.pending.content))

    def _offer_section_genres(self):
        """Tell article_form.js which type of work each section suggests (`Section.default_genre`), on the
        section picker, so that filing a story in Opinion also picks opinion until the desk picks by hand."""
        picker = getattr(self.fields.get("section"), "widget", None)
        picker = getattr(picker, "widget", picker)  # the autocomplete inside the related-object wrapper
        if picker is not None:
            picker.attrs["data-section-genres"] = json.dumps(dict(section_genres()))

    def clean_body(self):
        """The body with each paragraph that holds only a YouTube or Vimeo address made a video embed
        (`articles.embeds`). An address that looks like a video but cannot be embedded is refused with the
        reason, and the form keeps the text as typed."""
        body, refused = embeds.embed_video_paragraphs(sanitise_html(self.cleaned_data.get("body") or ""))
        if refused:
            raise forms.ValidationError([forms.ValidationError(embeds.refusal(a), code="video") for a in refused])
        return body

    def clean_genre(self):
        """The type of work posted; none posted keeps the one the form started from (the story's, or news)."""
        posted = self.cleaned_data.get("genre")
        return posted or self.initial.get("genre") or self.instance.genre or Article.Genre.NEWS

    def clean_see_also(self):
        """The stories chosen for the related box; the story itself among them is refused (the field refused
        duplicates and too many)."""
        chosen = self.cleaned_data.get("see_also") or []
        problems = see_also_problems(self.instance.pk, [story.pk for story in chosen])
        if problems:
            raise forms.ValidationError([str(problem) for problem in problems])
        return chosen

    def clean(self):
        """Refuse, keeping the typed text, a save the editor may not make or one over a newer version."""
        cleaned = super().clean()
        if not self.instance.pk:
            return cleaned
        try:
            # Runs inside the admin's transaction: the row stays locked until the save below commits.
            editing.lock_for_edit(self.instance.pk, self.editor, cleaned.get("base_version"))
        except editing.StaleEdit as stale:
            compare = reverse("admin:articles_article_compare", args=[self.instance.pk])
            link = f"{compare}?from={stale.base_version}&to={stale.latest.number}"
            self.add_error(None, format_html('{} <a href="{}">{}</a>', stale, link, _("Compare the versions")))
            # Saving again after reading the warning is a deliberate choice to replace their version.
            self.data = self.data.copy()
            self.data[self.add_prefix("base_version")] = str(stale.latest.number)
        except editing.EditRefused as refused:
            self.add_error(None, str(refused))
        if problem := self.instance.language_problem(cleaned.get("language")):
            self.add_error("language", problem)
        return cleaned


def section_genres():
    """[(section id, type of work)] of the sections that suggest one, kept in the cache with the vocabularies (a
    change to any section moves their generation on), so the story form costs no query for it."""

    def compute():
        return [
            (str(pk), genre)
            for pk, genre in Section.objects.exclude(default_genre="").values_list("pk", "default_genre")
        ]

    return caching.cached_fragment("desk:section-genres", compute)


class ArticleAdminChecks(ModelAdminChecks):
    """Django's checks refuse a many-to-many relation with its own through model among an admin's fields, as its
    admin makes no form field for one; ArticleAdmin makes the byline's itself (`formfield_for_manytomany`)."""

    def _check_field_spec_item(self, obj, field_name, label):
        if field_name in obj.ordered_relations:
            return []
        return super()._check_field_spec_item(obj, field_name, label)


class RegionFilter(admin.SimpleListFilter):
    """Filter by a place, including everything inside it (Syria shows Baghouz stories)."""

    title = _("region (with the places inside it)")
    parameter_name = "region"

    def lookups(self, request, model_admin):
        used = (
            Region.objects.filter(Q(kind=Region.Kind.COUNTRY) | Q(article_links__isnull=False))
            .annotate(uses=Count("article_links"))
            .filter(Q(uses__gt=0) | Q(children__article_links__isnull=False) | Q(pk=self.value() or 0))
            .order_by("-uses", "name")
            .distinct()[:40]
        )
        language = get_language()
        return [(str(r.pk), r.desk_label(language)) for r in used]

    def queryset(self, request, queryset):
        region = Region.objects.filter(pk=self.value()).first() if (self.value() or "").isdigit() else None
        return queryset.for_region(region) if region else queryset


class SectionFilter(admin.RelatedFieldListFilter):
    """Django's filter by section, each named as the pickers name it (`Section.desk_label`), read in one query."""

    def field_choices(self, field, request, model_admin):
        language = get_language()
        return [(section.pk, section.desk_label(language)) for section in Section.objects.select_related("parent")]


class ActorFilter(admin.SimpleListFilter):
    """Filter by one of the most-tagged actors."""

    title = _("actor")
    parameter_name = "actor"

    def lookups(self, request, model_admin):
        used = Actor.objects.annotate(uses=Count("article_links")).filter(Q(uses__gt=0) | Q(pk=self.value() or 0))
        language = get_language()
        return [(str(a.pk), a.desk_label(language)) for a in used.order_by("-uses", "name")[:40]]

    def queryset(self, request, queryset):
        actor = Actor.objects.filter(pk=self.value()).first() if (self.value() or "").isdigit() else None
        return queryset.for_actor(actor) if actor else queryset


LISTED_NAMES = 3  # places or actors named in a change list cell before "and N more"


def _names(entries):
    """A change list cell naming a story's places or actors as the pickers name them (`desk_label`): the first
    LISTED_NAMES in tagging order, then how many more (all of them in the cell's tooltip), so a story tagged with
    a dozen places keeps the list readable and its dates in view."""
    language = get_language()
    names = [entry.desk_label(language) for entry in entries]
    if len(names) <= LISTED_NAMES:
        return ", ".join(names)
    more = len(names) - LISTED_NAMES
    shown = ngettext("%(names)s and %(count)d more", "%(names)s and %(count)d more", more) % {
        "names": ", ".join(names[:LISTED_NAMES]),
        "count": more,
    }
    return format_html('<span title="{}">{}</span>', ", ".join(names), shown)


@admin.register(Article)
class ArticleAdmin(DeskPickersMixin, ArticleDeskMixin, admin.ModelAdmin):
    form = ArticleAdminForm
    checks_class = ArticleAdminChecks
    # Relations through a model of their own, with a form field built here (see ArticleAdminChecks).
    ordered_relations = ("authors", "see_also")
    # What the desk scans for first comes first: on a narrow screen the list scrolls sideways from the tags.
    list_display = (
        "headline",
        "status",
        "section_label",
        "genre",
        "author_names",
        "updated_at",
        "first_published_at",
        "language",
        "region_names",
        "actor_names",
    )
    list_filter = ("status", ("section", SectionFilter), "genre", "language", RegionFilter, ActorFilter)
    list_select_related = ("section__parent",)
    search_fields = ("headline", "standfirst")
    date_hierarchy = "created_at"
    ordering = ("-updated_at",)
    prepopulated_fields = {"slug": ("headline",)}
    autocomplete_fields = ("section", "authors", "dateline_place", "lead_image")
    # Five choices side by side: one click, right under the language, above the kicker it labels with.
    radio_fields = {"genre": admin.HORIZONTAL}
    readonly_fields = (
        "status",
        "version",
        "created_by",
        "created_at",
        "updated_at",
        "first_published_at",
        "last_published_at",
        "scheduled_for",
        "word_count",
        "reading_time",
    )
    fieldsets = (
        (
            _("Story"),
            {
                "fields": (
                    "language",
                    "genre",
                    "kicker",
                    "headline",
                    "slug",
                    "standfirst",
                    "lead_image",
                    "lead_image_caption",
                    "body",
                )
            },
        ),
        (_("Taxonomy"), {"fields": ("section", "regions", "actors")}),
        (_("Byline and dateline"), {"fields": ("authors", "byline", "credit", "dateline_place", "dateline_time")}),
        (_("Related stories"), {"fields": ("see_also",)}),
        (
            _("Publication"),
            {
                "fields": (
                    "status",
                    "embargo_until",
                    "scheduled_for",
                    "first_published_at",
                    "last_published_at",
                    "version",
                    "word_count",
                    "reading_time",
                )
            },
        ),
        (
            _("Source"),
            {
                "classes": ("collapse",),
                "fields": ("source", "source_id", "source_url", "created_by", "created_at", "updated_at"),
            },
        ),
    )

    class Media:
        js = ("admin/article_form.js", "admin/article_presence.js")  # desk.css comes with every admin page

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("regions", "actors", "authors")

    def get_urls(self):
        # The search of every desk picker (the article's and the vocabularies' own forms), filed here with the
        # article form it mostly serves.
        view = self.admin_site.admin_view(PickerSearchView.as_view(admin_site=self.admin_site))
        return [path("picker-search/", view, name="articles_article_picker_search"), *super().get_urls()]

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        return type(form.__name__, (form,), {"editor": request.user})

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None or self.has_change_permission(request, obj):
            return fieldsets
        # Read only, Django prints a relation's entries by str() (English names): each as its picker names it.
        shown = self.read_only_labels
        return [
            (name, {**options, "fields": tuple(shown.get(f, f) for f in options["fields"])})
            for name, options in fieldsets
        ]

    # The relations a read-only form shows by the methods below, as their pickers name the entries (`desk_label`).
    read_only_labels = {
        "section": "section_label",
        "regions": "region_labels",
        "actors": "actor_labels",
        "authors": "byline_authors",
        "dateline_place": "dateline_label",
        "see_also": "see_also_labels",
    }

    @admin.display(description=capfirst(Article._meta.get_field("authors").verbose_name))
    def byline_authors(self, obj):
        """The story's authors in byline order, as the Authors field names them in the staff member's language."""
        language = get_language()
        return names_as_line([author.desk_label(language) for author in obj.authors.all()], language)

    @admin.display(description=capfirst(Article._meta.get_field("regions").verbose_name))
    def region_labels(self, obj):
        """The story's places, as the Regions field names them in the staff member's language."""
        language = get_language()
        return names_as_line([region.desk_label(language) for region in obj.regions.all()], language)

    @admin.display(description=capfirst(Article._meta.get_field("actors").verbose_name))
    def actor_labels(self, obj):
        """The story's actors, as the Actors field names them in the staff member's language."""
        language = get_language()
        return names_as_line([actor.desk_label(language) for actor in obj.actors.all()], language)

    @admin.display(description=capfirst(Article._meta.get_field("see_also").verbose_name))
    def see_also_labels(self, obj):
        """The stories chosen for the related box, in the desk's order, as their picker names them."""
        language = get_language()
        return names_as_line([story.desk_label(language) for story in obj.see_also.all()], language)

    @admin.display(description=capfirst(Article._meta.get_field("dateline_place").verbose_name))
    def dateline_label(self, obj):
        """The dateline's place, as its field names it in the staff member's language."""
        place = obj.dateline_place
        return place.desk_label(get_language()) if place else self.get_empty_value_display()

    def has_change_permission(self, request, obj=None):
        """Reporters change their own drafts; editors any article that is not spiked (live ones as pending updates)."""
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or editing.may_edit(request.user, obj))

    def save_model(self, request, obj, form, change):
        content = revisions.content_from_values(form.cleaned_data)
        if not change:
            editing.create_article(obj, content, by=request.user)
            return
        try:
            result = editing.save_edit(obj.pk, content, by=request.user, base_version=form.cleaned_data["base_version"])
        except editing.EditRefused as refused:  # the form checked under the same row lock, so only a forged post
            raise PermissionDenied(str(refused)) from refused
        if result.pending:
            self.message_user(request, editing.pending_notice(result.revision), messages.WARNING)

    def save_related(self, request, form, formsets, change):
        # Authors, regions and actors were saved with the revision in save_model.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if isinstance(db_field, TaggableManager):
            can_add = self.admin_site.get_model_admin(db_field.remote_field.model).has_add_permission(request)
            return vocabulary_field(db_field, self.admin_site, can_add_related=can_add)
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "see_also":
            return SeeAlsoField(
                queryset=Article.objects.all(),
                widget=SeeAlsoPicker(db_field, self.admin_site, using=kwargs.get("using")),
                required=False,
                label=capfirst(db_field.verbose_name),
                help_text=db_field.help_text,
            )
        if db_field.name in self.ordered_relations:
            # Django's admin leaves out a relation with a through model; this one is the byline, in order.
            return BylineField(
                queryset=db_field.remote_field.model.objects.all(),
                widget=BylinePicker(db_field, self.admin_site, using=kwargs.get("using")),
                required=False,
                label=db_field.verbose_name.capitalize(),
                help_text=_(
                    "In byline order, the lead writer first: authors are printed in the order picked. The arrow "
                    "buttons under the field move an author up or down the byline."
                ),
            )
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def get_search_results(self, request, queryset, search_term):
        """Headline and standfirst as typed, or a headline holding the term's words in any spelling that folds
        alike (الرقه finds الرقة, ادلب finds إدلب: `search.backend().titles_holding`, from the search index),
        plus articles tagged with a region or actor known by that name or alias. The story list and the
        see-also picker both search this way."""
        results, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        words = search.query_terms(search_term)
        if words:
            titles = search.backend().titles_holding(Article.objects.all(), words)
            results |= queryset.filter(pk__in=titles.values("pk"))
        key = name_key(search_term)
        if key:
            regions = Region.objects.matching_keys([key])
            actors = Actor.objects.matching_keys([key])
            results |= queryset.tagged_with_any(regions=regions, actors=actors)
        return results, may_have_duplicates

    @admin.display(description=capfirst(Article._meta.get_field("section").verbose_name), ordering="section")
    def section_label(self, obj):
        """The story's section as the pickers name it (`Section.desk_label`)."""
        return obj.section.desk_label(get_language()) if obj.section_id else self.get_empty_value_display()

    @admin.display(description=_("regions"))
    def region_names(self, obj):
        return _names(obj.regions.all())

    @admin.display(description=_("actors"))
    def actor_names(self, obj):
        return _names(obj.actors.all())

    @admin.display(description=_("authors"))
    def author_names(self, obj):
        return ", ".join(a.display_name for a in obj.authors.all()) or obj.credit

    @admin.display(description=_("words"))
    def word_count(self, obj):
        return obj.word_count

    @admin.display(description=_("reading time (min)"))
    def reading_time(self, obj):
        return obj.reading_time


class AliasInline(admin.TabularInline):
    form = TypedTextModelForm
    extra = 1
    fields = ("name",)


class RegionAliasInline(AliasInline):
    model = RegionAlias


class ActorAliasInline(AliasInline):
    model = ActorAlias


class ArabicFieldsMixin:
    """The Arabic fields of a form (`name_ar`, `description_ar`, `bio_ar`, `job_title_ar`) take text right to left,
    marked as Arabic; the English description, bio or job title follows what is typed (`dir="auto"`), so an
    English text keeps its full stop at its end in the Arabic admin."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if field is not None and db_field.name.endswith("_ar"):
            field.widget.attrs.update({"dir": "rtl", "lang": "ar"})
        elif field is not None and db_field.name in ("description", "bio", "job_title"):
            field.widget.attrs["dir"] = "auto"
        return field


class VocabularyAdmin(DeskPickersMixin, ArabicFieldsMixin, admin.ModelAdmin):
    """What the Region and Actor admins share: alias search, article counts, merging duplicates."""

    form = TypedTextModelForm
    search_fields = ("name", "name_ar", "aliases__name")
    actions = ["merge_selected"]
    readonly_fields = ("article_count",)
    ordering = ("name",)

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_article_count=Count("article_links", distinct=True))

    def get_search_results(self, request, queryset, search_term):
        """Match names, Arabic names and aliases in any spelling that folds alike (Deir Ezzor, دير الزور, Daesh, داعش).

        Exact name or alias matches come first, then names that start with the term, then the rest, so
        typing "Daesh" offers Islamic State before "Global Coalition against Daesh".
        """
        key = name_key(search_term)
        if not key:
            return super().get_search_results(request, queryset, search_term)
        aliases = self.model.aliases.rel.related_model.objects.filter(entry=OuterRef("pk"))
        # The Arabic name in any spelling that folds alike too (الرقه finds الرقة), alias or not.
        arabic = self.model.objects.arabic_name_ranks(key)
        exact = Q(key=key) | Exists(aliases.filter(key=key)) | Q(pk__in=[pk for pk, r in arabic.items() if r == 0])
        prefix = (
            Q(key__startswith=key)
            | Exists(aliases.filter(key__startswith=key))
            | Q(pk__in=[pk for pk, r in arabic.items() if r <= 1])
        )
        contains = Q(key__contains=key) | Exists(aliases.filter(key__contains=key)) | Q(pk__in=list(arabic))
        ranked = queryset.filter(contains).annotate(
            match_rank=Case(When(exact, then=Value(0)), When(prefix, then=Value(1)), default=Value(2))
        )
        return ranked.order_by("match_rank", "name"), False

    @admin.display(description=_("articles"), ordering="_article_count")
    def article_count(self, obj):
        count = getattr(obj, "_article_count", None)
        if count is None:
            count = obj.article_links.count()
        url = reverse("admin:articles_article_changelist") + f"?{self.article_filter}={obj.pk}"
        return format_html('<a href="{}">{}</a>', url, count)

    @admin.action(description=_("Merge selected entries into one"), permissions=["merge"])
    def merge_selected(self, request, queryset):
        """Ask which entry to keep, then fold the others into it (links, aliases and children move over)."""
        entries = list(queryset.order_by("name"))
        if len(entries) < 2:
            self.message_user(request, _("Select at least two entries to merge."), messages.WARNING)
            return None
        target_id = request.POST.get("merge_target")
        if request.POST.get("confirm") and target_id:
            target = next((e for e in entries if str(e.pk) == target_id), None)
            if target is None:
                self.message_user(request, _("Choose one of the selected entries to keep."), messages.ERROR)
                return None
            others = [e for e in entries if e.pk != target.pk]
            taxonomy.merge(target, others)
            self.message_user(
                request,
                ngettext(
                    "Merged %(count)d entry into %(target)s.", "Merged %(count)d entries into %(target)s.", len(others)
                )
                % {"count": len(others), "target": target},
                messages.SUCCESS,
            )
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": _("Merge %(items)s") % {"items": self.model._meta.verbose_name_plural},
            "entries": entries,
            "opts": self.model._meta,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/articles/merge_confirmation.html", context)

    def has_merge_permission(self, request):
        return request.user.has_perm(f"articles.delete_{self.model._meta.model_name}")


@admin.register(Region)
class RegionAdmin(VocabularyAdmin):
    list_display = ("name", "name_ar", "kind", "parent_label", "iso_code", "alias_list", "article_count")
    list_filter = ("kind",)
    list_select_related = ("parent",)
    autocomplete_fields = ("parent",)
    inlines = [RegionAliasInline]
    fields = (
        "name",
        "name_ar",
        "slug",
        "kind",
        "parent",
        "iso_code",
        "latitude",
        "longitude",
        "description",
        "description_ar",
        "article_count",
    )
    prepopulated_fields = {"slug": ("name",)}
    article_filter = "region"

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("aliases")

    @admin.display(description=_("aliases"))
    def alias_list(self, obj):
        return format_html_join(", ", "<bdi>{}</bdi>", ((a.name,) for a in obj.aliases.all()))

    @admin.display(description=_("parent"), ordering="parent__name")
    def parent_label(self, obj):
        """The place this one is in, as the pickers name it (`desk_label`)."""
        return obj.parent.desk_label(get_language()) if obj.parent_id else self.get_empty_value_display()


@admin.register(Actor)
class ActorAdmin(VocabularyAdmin):
    list_display = ("name", "name_ar", "kind", "home_region_label", "alias_list", "article_count")
    list_filter = ("kind",)
    list_select_related = ("home_region",)
    autocomplete_fields = ("home_region",)
    inlines = [ActorAliasInline]
    fields = ("name", "name_ar", "slug", "kind", "home_region", "description", "description_ar", "article_count")
    prepopulated_fields = {"slug": ("name",)}
    article_filter = "actor"

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("aliases")

    alias_list = RegionAdmin.alias_list

    @admin.display(description=_("home region"), ordering="home_region__name")
    def home_region_label(self, obj):
        """The actor's home region, as the pickers name it (`desk_label`)."""
        return obj.home_region.desk_label(get_language()) if obj.home_region_id else self.get_empty_value_display()


@admin.register(Section)
class SectionAdmin(DeskPickersMixin, ArabicFieldsMixin, admin.ModelAdmin):
    form = TypedTextModelForm
    list_display = ("path_label", "name_ar", "slug", "position", "default_genre", "article_count")
    list_editable = ("position",)
    list_select_related = ("parent",)
    search_fields = ("name", "name_ar", "slug")
    # Stated here: the article count's GROUP BY drops the model's default order, and the section pickers page
    # through this queryset.
    ordering = ("position", "name", "pk")
    prepopulated_fields = {"slug": ("name",)}
    autocomplete_fields = ("parent",)

    def get_queryset(self, request):
        # The parent names the section (`desk_label`) in this list and in the section pickers' search alike.
        return super().get_queryset(request).select_related("parent").annotate(_article_count=Count("articles"))

    def get_search_results(self, request, queryset, search_term):
        """Sections whose name or Arabic name, or whose parent's, holds the term in any spelling that folds alike
        (اخبار finds أخبار), or whose slug does: what the pickers show of a section is its path."""
        key = name_key(search_term)
        if not key:
            return super().get_search_results(request, queryset, search_term)
        # A short list, folded here by the one folding function (no folded copy of a section's names is stored).
        names = Section.objects.values_list("pk", "slug", "name", "name_ar", "parent__name", "parent__name_ar")
        found = [pk for pk, *texts in names if any(key in name_key(text) for text in texts if text)]
        return queryset.filter(pk__in=found), False

    @admin.display(description=_("section"), ordering="name")
    def path_label(self, obj):
        """The section with its parent, as the pickers name it (`Section.desk_label`)."""
        return obj.desk_label(get_language())

    @admin.display(description=_("articles"), ordering="_article_count")
    def article_count(self, obj):
        return obj._article_count


@admin.register(Author)
class AuthorAdmin(ArabicFieldsMixin, admin.ModelAdmin):
    form = TypedTextModelForm
    list_display = ("display_name", "name_ar", "slug", "user", "article_count")
    list_select_related = ("user",)
    # Also what the byline picker searches: an author is found by their Arabic name too.
    search_fields = ("display_name", "name_ar", "slug", "user__username")
    # Stated here: the article count's GROUP BY drops the model's default order, and the authors' autocomplete
    # pages through this queryset.
    ordering = ("display_name", "pk")
    prepopulated_fields = {"slug": ("display_name",)}
    # The photo is found in the library by its title, caption, credit or alt text (ImageAdmin.search_fields).
    autocomplete_fields = ("user", "photo")
    fieldsets = (
        (None, {"fields": ("display_name", "name_ar", "slug", "user")}),
        (_("Who they are"), {"fields": ("job_title", "job_title_ar", "photo", "bio", "bio_ar", "profile_links")}),
    )

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_article_count=Count("articles"))

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name == "profile_links":
            # Addresses read left to right whatever the admin's language.
            field.widget.attrs.update({"dir": "ltr", "rows": 4, "spellcheck": "false"})
        return field

    @admin.display(description=_("articles"), ordering="_article_count")
    def article_count(self, obj):
        return obj._article_count


from articles import admin_images, admin_staff  # noqa: F401,E402
