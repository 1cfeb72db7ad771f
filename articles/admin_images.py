"""The photo desk in the admin: the library as a grid or a list, bulk upload, focal point by click, uses.

Imported from the end of articles/admin.py. The rules (what an upload must pass, who may change a picture,
what deleting removes) live in articles/images/; this module wires them to forms, lists and views.
"""

from types import SimpleNamespace

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import HttpResponseRedirect, JsonResponse
from django.template.defaultfilters import filesizeformat
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from taggit.managers import TaggableManager

from articles import images
from articles.admin import vocabulary_field
from articles.admin_text import TypedTextForm
from articles.images.uploads import DESCRIPTION_FIELDS
from articles.models import Image, Rendition

GRID_SESSION_KEY = "articles_image_view"
TINYMCE_LIST_LENGTH = 60


class MultipleFileInput(forms.ClearableFileInput):
    """A file input that lets the browser send several files at once."""

    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """A file field whose value is the list of every file sent."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data] or [single(None, initial)]
        return [single(data, initial)]


class UploadForm(TypedTextForm, forms.Form):
    """Several pictures with the words they share; each can be completed on its own page afterwards."""

    files = MultipleFileField(label=_("Pictures"))
    title = forms.CharField(label=_("Title"), max_length=255, required=False, help_text=_("Empty: each file's name."))
    caption = forms.CharField(label=_("Caption"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    credit = forms.CharField(label=_("Credit"), max_length=200, required=False)
    copyright_holder = forms.CharField(label=_("Copyright holder"), max_length=200, required=False)
    alt_text = forms.CharField(
        label=_("Alt text"),
        max_length=400,
        required=False,
        help_text=_("Only when it fits every file; otherwise describe each picture on its own page."),
    )
    decorative = forms.BooleanField(label=_("Decorative"), required=False)
    language = forms.ChoiceField(
        label=_("Language"), choices=[("", "—"), *Image._meta.get_field("language").choices], required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The formats are what this installation reads (checked at run time), so the picker and the help
        # name exactly those.
        files = self.fields["files"]
        files.widget.attrs["accept"] = images.file_input_accept()
        files.help_text = _("Select one or more files (%(formats)s).") % {"formats": images.format_names()}


class ImageAdminForm(TypedTextForm, forms.ModelForm):
    """A picture's words: alt text is required unless the picture is decorative; the focal point stays inside."""

    focal_x = forms.FloatField(label=_("focal point x"), min_value=0, max_value=1)
    focal_y = forms.FloatField(label=_("focal point y"), min_value=0, max_value=1)

    class Meta:
        model = Image
        fields = (*DESCRIPTION_FIELDS, "regions", "actors", "focal_x", "focal_y")
        widgets = {"caption": forms.Textarea(attrs={"rows": 3})}

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("decorative") and not (cleaned.get("alt_text") or "").strip():
            self.add_error("alt_text", _("Describe the picture for readers who cannot see it, or mark it decorative."))
        self._check_public_uses(cleaned)
        return cleaned

    def _check_public_uses(self, cleaned):
        """A picture readers see keeps what publication required of it (`images.picture_problems`): emptying its
        credit or copyright holder would put it on public pages without them, where publishing would refuse it."""
        if not self.instance.pk:
            return
        words = {name: cleaned.get(name, getattr(self.instance, name)) for name in DESCRIPTION_FIELDS}
        as_saved = SimpleNamespace(**{**words, "title": words.get("title") or self.instance.title})
        problems = images.picture_problems(as_saved, _("The picture"))
        if not problems:
            return
        shown = images.articles_using(self.instance).published().count()
        if shown:
            readers = ngettext(
                "Readers see it on %(count)s public story, so it must keep its credits:",
                "Readers see it on %(count)s public stories, so it must keep its credits:",
                shown,
            ) % {"count": shown}
            self.add_error(None, " ".join([readers, *map(str, problems)]))


class CreditFilter(admin.SimpleListFilter):
    """Pictures ready for publication, or missing their credit or copyright holder."""

    title = _("credit")
    parameter_name = "credited"

    def lookups(self, request, model_admin):
        return [("yes", _("Credited")), ("no", _("Missing credit or copyright"))]

    def queryset(self, request, queryset):
        credited = Image.objects.credited().values("pk")
        if self.value() == "yes":
            return queryset.filter(pk__in=credited)
        if self.value() == "no":
            return queryset.exclude(pk__in=credited)
        return queryset


class AltTextFilter(admin.SimpleListFilter):
    """Pictures that still need alt text."""

    title = _("alt text")
    parameter_name = "alt"

    def lookups(self, request, model_admin):
        return [("missing", _("Missing"))]

    def queryset(self, request, queryset):
        return queryset.needing_alt_text() if self.value() == "missing" else queryset


@admin.register(Image)
class ImageAdmin(admin.ModelAdmin):
    form = ImageAdminForm
    change_list_template = "admin/articles/image/change_list.html"
    list_display = ("thumbnail", "title", "credit", "copyright_holder", "dimensions", "language", "uploaded_at")
    list_display_links = ("thumbnail", "title")
    list_filter = (
        CreditFilter,
        AltTextFilter,
        "decorative",
        "language",
        "original_format",
        ("uploaded_by", admin.RelatedOnlyFieldListFilter),
    )
    search_fields = ("title", "caption", "credit", "copyright_holder", "alt_text")
    date_hierarchy = "uploaded_at"
    list_per_page = 60
    readonly_fields = (
        "focal_point_picker",
        "dimensions",
        "size_on_disk",
        "original_format",
        "content_hash",
        "uploaded_by",
        "uploaded_at",
        "used_in",
    )
    fieldsets = (
        (
            None,
            {"fields": ("focal_point_picker", *DESCRIPTION_FIELDS)},
        ),
        (
            _("Focal point"),
            {
                "fields": ("focal_x", "focal_y"),
                "description": _("Click the picture above: crops keep this point in frame."),
            },
        ),
        (_("Tags"), {"fields": ("regions", "actors")}),
        (_("Used in"), {"fields": ("used_in",)}),
        (
            _("File"),
            {
                "classes": ("collapse",),
                "fields": (
                    "dimensions",
                    "size_on_disk",
                    "original_format",
                    "content_hash",
                    "uploaded_by",
                    "uploaded_at",
                ),
            },
        ),
    )

    class Media:
        js = ("admin/image_focal_point.js",)
        css = {"all": ("admin/image_library.css",)}

    # --- lists ---------------------------------------------------------------------------------------

    def get_queryset(self, request):
        thumbnails = Rendition.objects.filter(spec=images.THUMBNAIL_SPEC)
        return super().get_queryset(request).prefetch_related(Prefetch("renditions", queryset=thumbnails))

    def changelist_view(self, request, extra_context=None):
        """The library as a list or a grid of thumbnails; `?view=grid|list` switches and is remembered."""
        if "view" in request.GET:
            request.session[GRID_SESSION_KEY] = "grid" if request.GET["view"] == "grid" else "list"
            request.GET = request.GET.copy()
            del request.GET["view"]  # not a filter: the changelist would refuse it
        grid = request.session.get(GRID_SESSION_KEY) == "grid"
        response = super().changelist_view(request, {**(extra_context or {}), "grid": grid})
        if grid and hasattr(response, "context_data") and "cl" in response.context_data:
            response.context_data["grid_items"] = [
                (obj, self._thumbnail_url(obj), reverse("admin:articles_image_change", args=[obj.pk]))
                for obj in response.context_data["cl"].result_list
            ]
        return response

    def _thumbnail_url(self, obj):
        return images.get_rendition(obj, images.THUMBNAIL_SPEC).url

    @admin.display(description=_("picture"))
    def thumbnail(self, obj):
        return format_html('<img class="library-thumb" src="{}" alt="" loading="lazy">', self._thumbnail_url(obj))

    @admin.display(description=_("size"))
    def dimensions(self, obj):
        return f"{obj.width} × {obj.height}"

    @admin.display(description=_("file size"))
    def size_on_disk(self, obj):
        return filesizeformat(obj.file_size)

    # --- one picture ---------------------------------------------------------------------------------

    @admin.display(description=_("picture"))
    def focal_point_picker(self, obj):
        preview = images.get_rendition(obj, images.PREVIEW_SPEC)
        return format_html(
            '<div class="focal-picker"><img src="{}" width="{}" height="{}" alt="{}">'
            '<span class="focal-marker" aria-hidden="true"></span></div>',
            preview.url,
            preview.width,
            preview.height,
            obj.alt_text,
        )

    @admin.display(description=_("stories showing it"))
    def used_in(self, obj):
        articles = list(images.articles_using(obj).only("pk", "headline", "status"))
        if not articles:
            return _("Not used in any story.")
        return format_html_join(
            "",
            '<div><a href="{}">{}</a> ({})</div>',
            (
                (reverse("admin:articles_article_change", args=[a.pk]), a.headline, a.get_status_display())
                for a in articles
            ),
        )

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if isinstance(db_field, TaggableManager):
            return vocabulary_field(db_field, self.admin_site)
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def has_change_permission(self, request, obj=None):
        return images.may_change_image(request.user, obj)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and {"focal_x", "focal_y"} & set(form.changed_data):
            images.discard_crops(obj)

    # --- deleting ------------------------------------------------------------------------------------

    def get_deleted_objects(self, objs, request):
        """Stories that show a picture inline protect it, as the database protects lead pictures."""
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        for image in objs:
            for article in images.articles_showing_inline(image).only("headline"):
                label = format_html("{}: {}", _("Shown in story"), article.headline)
                if label not in protected:
                    protected.append(label)
        return deleted, counts, perms_needed, protected

    def delete_model(self, request, obj):
        images.delete_images([obj])

    def delete_queryset(self, request, queryset):
        images.delete_images(queryset)

    # --- uploading -----------------------------------------------------------------------------------

    def get_urls(self):
        extra = [
            path(
                "tinymce-list/", self.admin_site.admin_view(self.tinymce_list_view), name="articles_image_tinymce_list"
            ),
        ]
        return extra + super().get_urls()

    def add_view(self, request, form_url="", extra_context=None):
        """Adding pictures is uploading them, one or many at a time."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = UploadForm(request.POST, request.FILES) if request.method == "POST" else UploadForm()
        if request.method == "POST" and form.is_valid():
            outcome = self._store_all(request, form)
            if outcome is not None:
                return outcome
        context = {
            **self.admin_site.each_context(request),
            "title": _("Upload pictures"),
            "opts": self.opts,
            "form": form,
            "is_popup": admin.options.IS_POPUP_VAR in request.GET or admin.options.IS_POPUP_VAR in request.POST,
            "to_field": request.GET.get(admin.options.TO_FIELD_VAR, request.POST.get(admin.options.TO_FIELD_VAR, "")),
            "media": self.media + form.media,
            **(extra_context or {}),
        }
        return TemplateResponse(request, "admin/articles/image/upload.html", context)

    def _store_all(self, request, form):
        words = {k: v for k, v in form.cleaned_data.items() if k != "files"}
        stored, refused = [], []
        for upload in form.cleaned_data["files"]:
            try:
                image, created = images.store_upload(upload, filename=upload.name, uploaded_by=request.user, **words)
            except images.ImageRefused as refusal:
                refused.append(f"{upload.name}: {refusal}")
                continue
            stored.append(image)
            if created:
                self.log_addition(request, image, [{"added": {}}])
            else:
                self.message_user(
                    request,
                    _("%(name)s is already in the library as “%(title)s”.")
                    % {"name": upload.name, "title": image.title},
                    messages.INFO,
                )
        for problem in refused:
            form.add_error("files", problem)
        if not stored:
            return None
        if admin.options.IS_POPUP_VAR in request.POST and len(stored) == 1 and not refused:
            return self.response_add(request, stored[0])
        self.message_user(
            request,
            ngettext("%(count)d picture is in the library.", "%(count)d pictures are in the library.", len(stored))
            % {"count": len(stored)},
            messages.SUCCESS,
        )
        for problem in refused:
            self.message_user(request, _("Refused %(problem)s") % {"problem": problem}, messages.ERROR)
        if len(stored) == 1:
            return HttpResponseRedirect(reverse("admin:articles_image_change", args=[stored[0].pk]))
        ids = ",".join(str(image.pk) for image in stored)
        return HttpResponseRedirect(reverse("admin:articles_image_changelist") + f"?id__in={ids}")

    # --- the editor's picture list -------------------------------------------------------------------

    def tinymce_list_view(self, request):
        """The newest pictures for TinyMCE's image dialog (`image_list`): title and credit, and a body-width address."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        body_size = Rendition.objects.filter(spec=images.BODY_SPEC)
        recent = Image.objects.prefetch_related(Prefetch("renditions", queryset=body_size))[:TINYMCE_LIST_LENGTH]
        entries = [
            {
                "title": f"{image.title} — {image.credit}" if image.credit else str(image.title),
                "value": images.get_rendition(image, images.BODY_SPEC).url,
            }
            for image in recent
        ]
        return JsonResponse(entries, safe=False)
