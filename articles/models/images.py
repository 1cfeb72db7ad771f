"""The photo library: pictures with their credits, and the sized and cropped copies the pages serve.

An `Image` is one picture as the newsroom stored it (re-encoded, metadata stripped: see
`articles/images/uploads.py`), with the words that travel with it: title, caption, credit, copyright
holder and alt text live here, never in the file. A `Rendition` is one derived file (a width, a crop
and a format) made once on demand by `articles/images/renditions.py`. Articles point at a lead image;
inline pictures in a body are found by their rendition addresses.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from taggit.managers import TaggableManager
from taggit.models import ItemBase

from articles.models.article import ArticleLanguage
from articles.models.taxonomy import Actor, ControlledTagManager, Region


class ImageQuerySet(models.QuerySet):
    """Queries over the library that read as sentences: `Image.objects.credited()`."""

    def credited(self):
        """Pictures that carry both a credit and a copyright holder (usable on a published story)."""
        return self.exclude(credit="").exclude(copyright_holder="")

    def needing_alt_text(self):
        """Pictures that are not decorative and still have no alt text."""
        return self.filter(alt_text="", decorative=False)


class ImageRegion(ItemBase):
    """One picture tagged with one region."""

    content_object = models.ForeignKey("articles.Image", on_delete=models.CASCADE, related_name="region_links")
    tag = models.ForeignKey(Region, on_delete=models.CASCADE, related_name="image_links")

    class Meta:
        verbose_name = _("image region")
        constraints = [models.UniqueConstraint(fields=["content_object", "tag"], name="unique_image_region")]


class ImageActor(ItemBase):
    """One picture tagged with one actor."""

    content_object = models.ForeignKey("articles.Image", on_delete=models.CASCADE, related_name="actor_links")
    tag = models.ForeignKey(Actor, on_delete=models.CASCADE, related_name="image_links")

    class Meta:
        verbose_name = _("image actor")
        constraints = [models.UniqueConstraint(fields=["content_object", "tag"], name="unique_image_actor")]


class Image(models.Model):
    """One picture in the library, stored without any metadata, with its credit and caption beside it."""

    file = models.FileField(_("file"), upload_to="images/originals", max_length=255, editable=False)
    title = models.CharField(_("title"), max_length=255, help_text=_("For finding the picture; not shown."))
    caption = models.TextField(_("caption"), blank=True, help_text=_("Default caption; each use may override it."))
    credit = models.CharField(
        _("credit"), max_length=200, blank=True, help_text=_("Photographer and agency, e.g. “Jane Doe / AFP”.")
    )
    copyright_holder = models.CharField(_("copyright holder"), max_length=200, blank=True)
    alt_text = models.CharField(
        _("alt text"),
        max_length=400,
        blank=True,
        help_text=_("What the picture shows, for readers who cannot see it. Required unless decorative."),
    )
    decorative = models.BooleanField(
        _("decorative"), default=False, help_text=_("Adds nothing to the story's meaning: screen readers skip it.")
    )
    focal_x = models.FloatField(_("focal point x"), default=0.5, help_text=_("0 is the left edge, 1 the right."))
    focal_y = models.FloatField(_("focal point y"), default=0.5, help_text=_("0 is the top edge, 1 the bottom."))
    language = models.CharField(_("language"), max_length=2, choices=ArticleLanguage.choices, blank=True)

    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="uploaded_images",
        editable=False,
    )
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True, db_index=True)
    width = models.PositiveIntegerField(_("width"), editable=False)
    height = models.PositiveIntegerField(_("height"), editable=False)
    file_size = models.PositiveBigIntegerField(_("file size (bytes)"), editable=False)
    original_format = models.CharField(_("uploaded format"), max_length=10, editable=False)
    content_hash = models.CharField(
        _("content hash"),
        max_length=64,
        unique=True,
        editable=False,
        help_text=_("SHA-256 of the uploaded bytes: the same upload is stored once."),
    )
    stored_hash = models.CharField(
        _("stored file's hash"),
        max_length=64,
        blank=True,
        db_index=True,
        editable=False,
        help_text=_("SHA-256 of the file the library keeps: that file given back (an export) is this picture."),
    )

    regions = TaggableManager(
        verbose_name=_("regions"),
        through=ImageRegion,
        manager=ControlledTagManager,
        blank=True,
        related_name="region_images",
        help_text=_("Places the picture shows."),
    )
    actors = TaggableManager(
        verbose_name=_("actors"),
        through=ImageActor,
        manager=ControlledTagManager,
        blank=True,
        related_name="actor_images",
        help_text=_("People, groups and institutions the picture shows."),
    )

    objects = ImageQuerySet.as_manager()

    class Meta:
        ordering = ["-uploaded_at", "-pk"]
        verbose_name = _("image")
        verbose_name_plural = _("images")
        permissions = [("change_any_image", "Can edit pictures other people uploaded")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(focal_x__gte=0, focal_x__lte=1, focal_y__gte=0, focal_y__lte=1),
                name="image_focal_point_inside",
            ),
            models.CheckConstraint(condition=models.Q(width__gt=0, height__gt=0), name="image_has_size"),
            models.CheckConstraint(condition=~models.Q(title=""), name="image_has_title"),
        ]

    def __str__(self):
        return self.title

    @property
    def alt(self):
        """The `alt` attribute to print: empty for a decorative picture, else the alt text."""
        return "" if self.decorative else self.alt_text

    @property
    def rendition_folder(self):
        """Storage folder of this picture's renditions; also how a story body's inline copies are recognised."""
        return f"images/renditions/{self.content_hash}/"

    def renditions_for(self, specs):
        """The renditions for `specs` (e.g. "w640-16x9.webp"), made once if missing; a dict by spec."""
        from articles.images.renditions import renditions_for

        return renditions_for(self, specs)

    def jsonld_urls(self):
        """Addresses of the 16:9, 4:3 and 1:1 JPEG crops (1200 wide or less) for schema.org `image`."""
        from articles.images.renditions import JSONLD_SPECS

        found = self.renditions_for(JSONLD_SPECS)
        return [found[spec].url for spec in JSONLD_SPECS]

    def feed_rendition(self):
        """The 16:9 JPEG (up to 1280 wide) that feeds carry as enclosure / media:content."""
        from articles.images.renditions import FEED_SPEC

        return self.renditions_for([FEED_SPEC])[FEED_SPEC]


class Rendition(models.Model):
    """One derived file of an image: a width, a crop and a format, made once and kept in storage."""

    image = models.ForeignKey(Image, on_delete=models.CASCADE, related_name="renditions", verbose_name=_("image"))
    spec = models.CharField(_("spec"), max_length=40, help_text=_("e.g. w640-16x9.webp"))
    file = models.FileField(_("file"), max_length=255)
    width = models.PositiveIntegerField(_("width"))
    height = models.PositiveIntegerField(_("height"))
    file_size = models.PositiveBigIntegerField(_("file size (bytes)"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("rendition")
        verbose_name_plural = _("renditions")
        constraints = [models.UniqueConstraint(fields=["image", "spec"], name="unique_rendition_spec")]

    def __str__(self):
        return f"{self.image_id}:{self.spec}"

    @property
    def url(self):
        """Public address of the file (through the storage backend, so S3 or a CDN work unchanged)."""
        return self.file.url

    @property
    def mime_type(self):
        """The file's media type, for `<source type>` and feed enclosures."""
        return "image/webp" if self.spec.endswith(".webp") else "image/jpeg"
