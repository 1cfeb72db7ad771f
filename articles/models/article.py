"""Article, Section, Author and Byline: the stories, where they are filed and who wrote them, in what order."""

import datetime
import math
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Coalesce
from django.utils import timezone, translation
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from taggit.managers import TaggableManager

from articles.addresses import public_url
from articles.models.fields import SanitisedHTMLField, SearchDocumentField, plain_text
from articles.models.see_also import SeeAlso, see_also_problems
from articles.models.taxonomy import ArticleActor, ArticleRegion, ControlledTagManager, Region, desk_name, name_in
from articles.profile_links import profile_links, validate_profile_links
from articles.querysets import ArticleQuerySet, AuthorQuerySet, with_picture


class ArticleGenre(models.TextChoices):
    """What kind of journalism a story is (the Trust Project's "type of work"): readers see a label on anything that
    is not news, search engines a schema.org NewsArticle subtype (articles/structured_data.py)."""

    # A context of their own: "News" or "Opinion" elsewhere in the interface may read otherwise in Arabic.
    NEWS = "news", pgettext_lazy("type of work", "News")
    ANALYSIS = "analysis", pgettext_lazy("type of work", "Analysis")
    OPINION = "opinion", pgettext_lazy("type of work", "Opinion")
    EXPLAINER = "explainer", pgettext_lazy("type of work", "Explainer")
    INTERVIEW = "interview", pgettext_lazy("type of work", "Interview")


class Section(models.Model):
    """Where a story is filed on the site: "Iraq News", or "Iraq News > Local News"."""

    name = models.CharField(_("name"), max_length=100)
    name_ar = models.CharField(_("Arabic name"), max_length=100, blank=True)
    slug = models.SlugField(_("slug"), max_length=100, unique=True, allow_unicode=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent section"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="subsections",
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0, help_text=_("Lower comes first."))
    description = models.TextField(_("description"), blank=True)
    description_ar = models.TextField(
        _("Arabic description"),
        blank=True,
        help_text=_("Arabic pages show this; without it, they show the English description."),
    )
    default_genre = models.CharField(
        _("default type of work"),
        max_length=20,
        choices=ArticleGenre.choices,
        blank=True,
        help_text=_(
            "Picking this section in a story's form also picks this type of work (an Opinion section: opinion), "
            "unless the type was chosen by hand. Empty: the section suggests none."
        ),
    )

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("section")
        verbose_name_plural = _("sections")
        constraints = [
            models.UniqueConstraint(fields=["parent", "name"], name="unique_section_name_in_parent"),
            models.CheckConstraint(condition=~models.Q(parent=models.F("id")), name="section_not_own_parent"),
        ]

    def __str__(self):
        return f"{self.parent.name} > {self.name}" if self.parent_id else self.name

    def get_absolute_url(self):
        return public_url("section", translation.get_language(), slug=self.slug)

    def desk_label(self, language):
        """How the admin names the section to a staff member working in `language` (`desk_name`), with its parent
        as `str` has it: in Arabic, "أخبار العراق > أخبار محلية (Iraq News > Local News)", each part in Arabic
        where it has an Arabic name. Reads `parent`: select it with the section."""
        path = (self.parent, self) if self.parent_id else (self,)
        return desk_name(" > ".join(p.name for p in path), " > ".join(name_in(p, "ar") for p in path), language)


class AuthorManager(models.Manager.from_queryset(AuthorQuerySet)):
    """Authors by name; the authors of one story (`article.authors`) in the order of its byline."""

    def get_queryset(self):
        queryset = super().get_queryset()
        # Django builds `article.authors` (and its prefetch_related) from a subclass of this manager bound to
        # the story, and orders it by the authors' own ordering unless told otherwise; the through model's
        # ordering is not used. Ordering by the link row that the relation joins keeps the desk's order.
        if isinstance(getattr(self, "instance", None), Article):
            return queryset.order_by("bylines__position", "pk")
        return queryset


class Author(models.Model):
    """A writer: a staff member (linked to their user account) or an external contributor."""

    display_name = models.CharField(_("display name"), max_length=120)
    name_ar = models.CharField(
        _("Arabic name"),
        max_length=120,
        blank=True,
        help_text=_("The byline in the Arabic edition; without it, Arabic pages print the display name."),
    )
    slug = models.SlugField(_("slug"), max_length=120, unique=True, allow_unicode=True)
    bio = models.TextField(_("bio"), blank=True)
    bio_ar = models.TextField(
        _("Arabic bio"), blank=True, help_text=_("Arabic pages show this; without it, they show the English bio.")
    )
    job_title = models.CharField(
        _("job title"), max_length=120, blank=True, help_text=_("Shown under the name, e.g. “Syria correspondent”.")
    )
    job_title_ar = models.CharField(
        _("Arabic job title"),
        max_length=120,
        blank=True,
        help_text=_("Arabic pages show this; without it, they show the English job title."),
    )
    # A picture from the library; deleting it leaves the author without one (their page still works).
    photo = models.ForeignKey(
        "articles.Image",
        verbose_name=_("photo"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="photo_of",
        help_text=_("Shown square at the top of the author's page. It needs alt text, or to be marked decorative."),
    )
    profile_links = models.TextField(
        _("profile links"),
        blank=True,
        validators=[validate_profile_links],
        help_text=_(
            "The journalist's public profiles, one address per line: https://x.com/…, a Mastodon or LinkedIn "
            "page, a personal site, or mailto: an e-mail address."
        ),
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("staff account"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="author_profile",
    )

    objects = AuthorManager()

    class Meta:
        ordering = ["display_name"]
        verbose_name = _("author")
        verbose_name_plural = _("authors")

    def __str__(self):
        return self.display_name

    def get_absolute_url(self):
        return public_url("author", translation.get_language(), slug=self.slug)

    @property
    def name(self):
        """The English edition's name, `display_name`: with `name_ar`, what `name_in` reads of a section, place
        or actor, so an author's name in an edition follows the same rule."""
        return self.display_name

    def desk_label(self, language):
        """How the admin names the author to a staff member working in `language` (the byline picker, its
        order list), by the rule places, actors and sections follow too (`desk_name`): in Arabic, the Arabic name
        followed by the English one in brackets, "رشا خليل (Rasha Khalil)"; in English, or without a separate
        Arabic name, the display name."""
        return desk_name(self.display_name, self.name_ar, language)

    @property
    def is_staff_author(self):
        """True for a newsroom staff member, False for an external contributor."""
        return self.user_id is not None

    @property
    def profiles(self):
        """The public profiles in `profile_links`, as `ProfileLink`s (address and label) in the desk's order."""
        return profile_links(self.profile_links)

    def clean(self):
        """A photo must say what it shows to readers who cannot see it, or be marked as saying nothing."""
        super().clean()
        photo = self.photo if self.photo_id else None
        if photo is not None and not photo.decorative and not photo.alt_text.strip():
            message = _(
                "The picture “%(title)s” has no alt text and is not marked decorative: describe it in the photo "
                "library first, or choose another picture."
            )
            raise ValidationError(
                {"photo": ValidationError(message, code="photo_without_alt_text", params={"title": photo.title})}
            )


class ArticleStatus(models.TextChoices):
    """The workflow's states; only articles/workflow.py moves an article between them."""

    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted for editing")
    APPROVED = "approved", _("Approved")
    SCHEDULED = "scheduled", _("Scheduled")
    PUBLISHED = "published", _("Published")
    UNPUBLISHED = "unpublished", _("Unpublished")
    SPIKED = "spiked", _("Spiked")


class ArticleLanguage(models.TextChoices):
    """The languages a story can be written in."""

    ENGLISH = "en", _("English")
    ARABIC = "ar", _("Arabic")


# Between the names of a byline printed as one line (feeds): the Arabic comma in the Arabic edition.
_BYLINE_SEPARATORS = {"ar": "، "}


def names_as_line(names, language):
    """`names` as one line in `language`, with its comma ("Layla Hassan, Omar Saleh", "رشا خليل، مصطفى جبار")."""
    return _BYLINE_SEPARATORS.get(language, ", ").join(names)


class ArticleManager(models.Manager.from_queryset(ArticleQuerySet)):
    """Stories; those one story chose for its related box (`article.see_also`) in the desk's order."""

    def get_queryset(self):
        queryset = super().get_queryset()
        # As with the byline (AuthorManager): Django orders `article.see_also` (and its prefetch) by the stories'
        # own ordering; ordering by the link row the relation joins keeps the desk's order.
        if getattr(self, "prefetch_cache_name", None) == "see_also":
            return queryset.order_by("chosen_by_links__position")
        return queryset


# What `ArticleQuerySet.published()` and the public order read, carried in the public-time indexes.
PUBLIC_INDEX_COLUMNS = ["id", "status", "first_published_at", "scheduled_for", "embargo_until"]

# The years a story's times, and the dates readers and the desk may name, fall in: far wider than any archive, and
# clear of the calendar's edges, where a day's start in the newsroom's zone, or the day after the last, is a time
# Python and the databases cannot hold (year 1 or 9999: an error page instead of an explanation).
PUBLISHING_YEARS = range(1900, 3000)
# How many live updates a story's page and its structured data show, newest first; each page of older updates
# (`/article/<id>/<slug>/updates/<n>/`) shows as many again.
LIVE_UPDATES_SHOWN = 100
# What the pages of live updates leave unread of an update and its byline's author.
LIVE_UPDATE_UNREAD = ("search_words", "author__bio", "author__bio_ar", "author__profile_links")
# How many of a live story's key events (its titled updates) its page lists above the updates.
KEY_EVENTS_SHOWN = 10


class Article(models.Model):
    """A story in one language, from first draft to publication and beyond."""

    Status = ArticleStatus
    Language = ArticleLanguage
    Genre = ArticleGenre

    # The story.
    genre = models.CharField(
        _("type of work"),
        max_length=20,
        choices=Genre.choices,
        default=Genre.NEWS,
        # Also the database's own default: rows written by raw SQL (the benchmarks' generators) are news too.
        db_default=Genre.NEWS,
        help_text=_(
            "Readers see a label on anything that is not news, so that they can tell reporting from analysis "
            "and opinion."
        ),
    )
    kicker = models.CharField(_("kicker"), max_length=120, blank=True)
    headline = models.CharField(_("headline"), max_length=300)
    slug = models.SlugField(
        _("slug"),
        max_length=200,
        allow_unicode=True,
        help_text=_("Part of the story's address; keep it once the story is published."),
    )
    standfirst = models.TextField(_("standfirst"), blank=True)
    body = SanitisedHTMLField(_("body"), blank=True)
    language = models.CharField(_("language"), max_length=2, choices=Language.choices, default=Language.ENGLISH)
    # The picture at the top of the story (articles/models/images.py); a used picture cannot be deleted.
    lead_image = models.ForeignKey(
        "articles.Image",
        verbose_name=_("lead image"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="lead_of",
    )
    lead_image_caption = models.TextField(
        _("lead image caption"), blank=True, help_text=_("Overrides the picture's own caption in this story.")
    )

    # Filing and bylines.
    section = models.ForeignKey(
        Section, verbose_name=_("section"), null=True, blank=True, on_delete=models.PROTECT, related_name="articles"
    )
    # In byline order, lead writer first (Byline.position): write them with `set_authors`.
    authors = models.ManyToManyField(
        Author, verbose_name=_("authors"), blank=True, related_name="articles", through="Byline"
    )
    byline = models.CharField(
        _("byline override"), max_length=200, blank=True, help_text=_("Printed instead of the authors' names when set.")
    )
    credit = models.CharField(_("wire credit"), max_length=100, blank=True, help_text=_("e.g. AFP, Reuters"))
    dateline_place = models.ForeignKey(
        Region,
        verbose_name=_("dateline place"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="datelined_articles",
    )
    dateline_time = models.DateTimeField(_("dateline time"), null=True, blank=True)

    # Taxonomy.
    regions = TaggableManager(
        verbose_name=_("regions"),
        through=ArticleRegion,
        manager=ControlledTagManager,
        blank=True,
        related_name="region_articles",
        help_text=_("Places the story is about."),
    )
    actors = TaggableManager(
        verbose_name=_("actors"),
        through=ArticleActor,
        manager=ControlledTagManager,
        blank=True,
        related_name="actor_articles",
        help_text=_("People, groups and institutions the story is about."),
    )

    # Chosen by the desk to lead the related box, in order (SeeAlso.position): write them with `set_see_also`.
    see_also = models.ManyToManyField(
        "self",
        verbose_name=_("see also"),
        blank=True,
        symmetrical=False,
        through="SeeAlso",
        through_fields=("article", "story"),
        related_name="chosen_by",
        help_text=_(
            "Up to three stories shown first in this story's related box, in this order (an explainer, the earlier "
            "report a follow-up builds on). Readers see only those that are published."
        ),
    )

    # Workflow (changed only by articles/workflow.py).
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT, db_index=True, editable=False
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="created_articles",
        editable=False,
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    first_published_at = models.DateTimeField(_("first published"), null=True, blank=True, editable=False)
    last_published_at = models.DateTimeField(_("last published"), null=True, blank=True, editable=False)
    scheduled_for = models.DateTimeField(_("scheduled for"), null=True, blank=True, editable=False)
    embargo_until = models.DateTimeField(
        _("embargo until"),
        null=True,
        blank=True,
        help_text=_("Nobody can publish the story before this time, and readers cannot see it."),
    )
    withdrawal_reason = models.TextField(
        _("public reason for withdrawal"),
        blank=True,
        editable=False,
        help_text=_("Shown to readers at the story's address after it is unpublished."),
    )
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    featured_until = models.DateTimeField(
        _("leads the front page until"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("While this time is ahead, the story is among the front page's top stories, above newer ones."),
    )
    breaking_until = models.DateTimeField(
        _("breaking news until"),
        null=True,
        blank=True,
        editable=False,
        help_text=_(
            "While this time is ahead, every page of the story's edition links to it in a breaking-news banner."
        ),
    )
    # The time of the newest update readers see (kept by the live-update moves in articles/workflow.py): the page
    # knows from the story's row whether it has updates to list. An edit leaves it: a correction is not news.
    last_live_update_at = models.DateTimeField(_("last live update"), null=True, blank=True, editable=False)
    # When the desk started the live coverage before any update (`workflow.start_live_coverage`), and when it ended
    # it (`workflow.end_live_coverage`): the story is no longer live from then, until a newer start or update.
    live_started_at = models.DateTimeField(_("live coverage started"), null=True, blank=True, editable=False)
    live_ended_at = models.DateTimeField(_("live coverage ended"), null=True, blank=True, editable=False)
    # The live update the desk pinned above the others (`workflow.pin_live_update`), say a summary of what is
    # known; the page knows it from the story's row. Only the live-update moves write it.
    pinned_live_update = models.ForeignKey(
        "articles.LiveUpdate",
        verbose_name=_("pinned live update"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    # Provenance, for idempotent imports.
    source = models.CharField(_("source"), max_length=100, blank=True, help_text=_("Feed or archive it came from."))
    source_id = models.CharField(_("source id"), max_length=255, blank=True)
    source_url = models.URLField(_("source URL"), max_length=500, blank=True)
    import_digest = models.CharField(
        _("import digest"),
        max_length=40,
        blank=True,
        editable=False,
        help_text=_("Fingerprint of the imported content, so a re-import can tell unchanged from updated."),
    )
    # The version the importer last wrote (in the row, or as the pending update): when `version` has moved on,
    # the desk has saved the story since, and a re-import holds its changes instead of overwriting the desk's.
    imported_version = models.PositiveIntegerField(_("imported version"), null=True, blank=True, editable=False)

    # The versions of one story in other languages share a translation group.
    translation_group = models.UUIDField(_("translation group"), null=True, blank=True, editable=False)

    # Rewritten from the text on every save and bulk write (see SearchDocumentField); used by articles/search.py.
    search_document = SearchDocumentField(_("search document"))

    objects = ArticleManager()

    class Meta:
        ordering = ["-first_published_at", "-created_at"]
        verbose_name = _("article")
        verbose_name_plural = _("articles")
        permissions = [
            ("change_any_article", "Can edit colleagues' unpublished articles"),
            ("submit_article", "Can submit an article for editing"),
            ("send_back_article", "Can send an article back to its reporter"),
            ("approve_article", "Can approve an article"),
            ("spike_article", "Can spike or restore an article"),
            ("schedule_article", "Can schedule an article"),
            ("publish_article", "Can publish an article or an update to it"),
            ("unpublish_article", "Can unpublish an article"),
            ("correct_article", "Can add a public correction to an article"),
            ("feature_article", "Can put a story at the top of the front page"),
            ("post_live_update", "Can post live updates on a published story"),
        ]
        indexes = [
            models.Index(fields=["status", "-first_published_at"], name="article_status_published"),
            models.Index(fields=["section", "-first_published_at"], name="article_section_published"),
            models.Index(fields=["slug"], name="article_slug"),
            # Public lists are per edition, newest public time first (ArticleQuerySet.newest_first). The
            # included columns are what `published()` tests, so walking the newest stories (lists, the home
            # page, related stories) reads the index alone on PostgreSQL, not every row it passes over.
            models.Index(
                models.F("language"),
                Coalesce("first_published_at", "scheduled_for").desc(),
                name="article_language_public_time",
                include=PUBLIC_INDEX_COLUMNS,
            ),
            # The few stories an editor put at the top of the front page (most rows have none).
            models.Index(
                fields=["featured_until"], name="article_featured", condition=models.Q(featured_until__isnull=False)
            ),
            # The story in each edition's breaking-news banner (a handful of rows ever have a time).
            models.Index(
                fields=["breaking_until"], name="article_breaking", condition=models.Q(breaking_until__isnull=False)
            ),
            # The same order across both languages: search, sitemaps.
            models.Index(
                Coalesce("first_published_at", "scheduled_for").desc(),
                name="article_public_time",
                include=[*PUBLIC_INDEX_COLUMNS, "language"],
            ),
            # The live blogs updated since a time, beside the stories published since then: search's window of
            # newest matches (a live blog is as new as its newest update) reads both with the search index.
            models.Index(
                fields=["last_live_update_at"],
                name="article_live_updated",
                condition=models.Q(last_live_update_at__isnull=False),
            ),
            # The stories whose live coverage the desk started (the desk's "Live now" reads both).
            models.Index(
                fields=["live_started_at"],
                name="article_live_started",
                condition=models.Q(live_started_at__isnull=False),
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "source_id"],
                condition=~models.Q(source_id=""),
                name="unique_article_source_id",
                violation_error_message=_("Another story already has this source and source id."),
            ),
            models.UniqueConstraint(
                fields=["translation_group", "language"],
                condition=models.Q(translation_group__isnull=False),
                name="one_translation_per_language",
            ),
            models.CheckConstraint(condition=models.Q(status__in=ArticleStatus.values), name="article_status_known"),
            models.CheckConstraint(condition=models.Q(genre__in=ArticleGenre.values), name="article_genre_known"),
            models.CheckConstraint(
                condition=~models.Q(status="published") | models.Q(first_published_at__isnull=False),
                name="published_article_has_publish_time",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="scheduled") | models.Q(scheduled_for__isnull=False),
                name="scheduled_article_has_time",
            ),
            models.CheckConstraint(condition=~models.Q(headline=""), name="article_has_headline"),
        ]

    def __str__(self):
        return self.headline

    def get_absolute_url(self):
        # A story lives in its own language's edition: Arabic stories under /ar/, English ones unprefixed.
        return public_url("article", self.language, pk=self.pk, slug=self.slug)

    def live_updates_feed_url(self, form):
        """The address of the feed of the story's live updates, `form` "rss" or "atom", in its own edition."""
        return public_url(f"article_live_{form}", self.language, pk=self.pk, slug=self.slug)

    @property
    def published_time(self):
        """When readers could first see the story: its first publication, or the time it was scheduled for."""
        if self.first_published_at:
            return self.first_published_at
        return self.scheduled_for if self.status == self.Status.SCHEDULED else None

    @property
    def modified_time(self):
        """When the public version last changed (an update or a correction), else the publication time."""
        return max(filter(None, [self.last_published_at, self.published_time]), default=None)

    @property
    def lead_caption(self):
        """The lead picture's caption in this story: the override, else the picture's own caption."""
        if self.lead_image_caption:
            return self.lead_image_caption
        return self.lead_image.caption if self.lead_image_id else ""

    @property
    def is_featured(self):
        """True while the story is put at the top of the front page (`workflow.feature`)."""
        return self.featured_until is not None and self.featured_until > timezone.now()

    @property
    def is_breaking(self):
        """True while a live story is shown as breaking news (`workflow.mark_breaking`)."""
        return self.status == self.Status.PUBLISHED and self.breaking_time_ahead

    @property
    def breaking_time_ahead(self):
        """True while the story's breaking-news time is ahead, whatever its state: it may be in its edition's
        banner, which every page shows (a withdrawn story keeps the time until it is published again, so the
        pages that showed it are known to need purging)."""
        return self.breaking_until is not None and self.breaking_until > timezone.now()

    @cached_property
    def _newest_live_updates_and_one(self):
        # One row more than the page shows says whether older updates have a page of their own, in the same query.
        if self.last_live_update_at is None:
            return []
        return self.live_updates_page(1)

    @property
    def newest_live_updates(self):
        """The story's LIVE_UPDATES_SHOWN newest live updates (removed ones left out), newest first: one query the
        first time it is asked (the page and its structured data share it), none for a story without updates."""
        return self._newest_live_updates_and_one[:LIVE_UPDATES_SHOWN]

    @cached_property
    def key_events(self):
        """The story's key events: its newest KEY_EVENTS_SHOWN live updates readers see that have a title, newest
        first, each with `url`, where it is shown (`#update-<id>` on this page, else the page of older updates
        that holds it). Read from the updates the page loads; one query more only when the story has older
        updates and its page shows fewer key events than the list holds."""
        loaded = self._newest_live_updates_and_one
        shown = loaded[:LIVE_UPDATES_SHOWN]
        events = [update for update in shown if update.title][:KEY_EVENTS_SHOWN]
        for update in events:
            update.url = f"#update-{update.pk}"
        if len(loaded) <= LIVE_UPDATES_SHOWN or len(events) == KEY_EVENTS_SHOWN:
            return events
        from articles.models.live import beyond  # live.py imports this module

        older = beyond(shown[-1].posted_at, shown[-1].pk, newer=False)
        rows = self.live_updates.shown().exclude(title="").filter(older).with_newer().only("pk", "posted_at", "title")
        for update in rows[: KEY_EVENTS_SHOWN - len(events)]:
            update.url = update.address_on(self)
            events.append(update)
        return events

    @cached_property
    def pinned_update(self):
        """The live update the desk pinned (`pinned_live_update`), if readers see it, with `url`: where it is shown
        (`#update-<id>` on this page, else the page of older updates that holds it). Read from the updates the page
        loads; one query more only for a pinned update older than those."""
        if self.pinned_live_update_id is None or self.last_live_update_at is None:
            return None
        for update in self._newest_live_updates_and_one[:LIVE_UPDATES_SHOWN]:
            if update.pk == self.pinned_live_update_id:
                update.url = f"#update-{update.pk}"
                return update
        pinned = self._shown_live_updates().filter(pk=self.pinned_live_update_id).with_newer().first()
        if pinned is not None:
            pinned.url = pinned.address_on(self)
        return pinned

    @property
    def has_older_live_updates(self):
        """True when the story has more live updates than its page shows (read with `newest_live_updates`)."""
        return len(self._newest_live_updates_and_one) > LIVE_UPDATES_SHOWN

    def live_updates_page(self, number, counted=False):
        """The updates readers see on page `number` of the story's live updates (1: the story's own page), newest
        first, and the first update of the next page when there is one: LIVE_UPDATES_SHOWN + 1 at most, one query.
        `counted`: each also says how many updates readers see in all (`shown_total`), in the same query."""
        start = (number - 1) * LIVE_UPDATES_SHOWN
        # Not the folded words the story's search document reads, nor the byline's author's page: no page shows
        # them. The byline, the picture and its renditions come in the same query.
        updates = self._shown_live_updates()
        if counted:
            # Not correlated with the row (the story's id is a value), so PostgreSQL counts once for the query
            # (an InitPlan); a window count would build every update's row, pictures and all, to count them.
            total = self.live_updates.shown().order_by().values("article_id").annotate(n=models.Count("pk"))
            updates = updates.annotate(shown_total=models.Subquery(total.values("n")))
        return list(updates[start : start + LIVE_UPDATES_SHOWN + 1])

    def _shown_live_updates(self):
        """The story's live updates readers see, with what the pages show of them (`live_updates_page`)."""
        return with_picture(self.live_updates.shown().select_related("author").defer(*LIVE_UPDATE_UNREAD), "image")

    def live_updates_url(self, number):
        """The address of page `number` of the story's live updates: the story's own for 1, else its older page."""
        if number == 1:
            return self.get_absolute_url()
        return public_url("live_updates", self.language, pk=self.pk, slug=self.slug, number=number)

    def first_live_updates_url(self):
        """The lasting address of where the story's live updates began: it redirects to the page holding the
        oldest (`live_views.first_live_updates`), so the story page links it without counting its updates."""
        return public_url("first_live_updates", self.language, pk=self.pk, slug=self.slug)

    @property
    def live_since(self):
        """The time of the story's latest live news: its newest update, or the desk's start of its coverage when
        later (`workflow.start_live_coverage`); None for a story never live."""
        return max(filter(None, [self.last_live_update_at, self.live_started_at]), default=None)

    @property
    def is_live(self):
        """True while the story's latest live news (`live_since`) is under NEWSROOM_LIVE_FOLLOW_HOURS old and the
        desk has not ended the coverage since (`live_ended`): lists and its page label it "Live", and its open
        page follows it. Reads the story's own row, so it costs no query."""
        since = self.live_since
        hours = settings.NEWSROOM_LIVE_FOLLOW_HOURS
        recent = since is not None and timezone.now() - since <= datetime.timedelta(hours=hours)
        return recent and not self.live_ended

    @property
    def may_spike(self):
        """False for a scheduled story readers can see already (`published()`: its time has come and no embargo
        holds, though no cron run has published it): it is withdrawn by unpublishing, with a public reason. A
        query only for a scheduled story."""
        if self.status != ArticleStatus.SCHEDULED:
            return True
        return not Article.objects.published().filter(pk=self.pk).exists()

    @property
    def may_start_live(self):
        """True when the desk may start the story's live coverage: it is not live now."""
        return not self.is_live

    @property
    def live_ended(self):
        """True when the desk ended the live coverage after its latest live news (`workflow.end_live_coverage`)."""
        ended, since = self.live_ended_at, self.live_since
        return ended is not None and since is not None and ended >= since

    @property
    def is_news(self):
        """True for news reporting, the type of work that carries no label."""
        return self.genre == self.Genre.NEWS

    @property
    def is_rtl(self):
        """True when the story is written right-to-left."""
        return self.language == self.Language.ARABIC

    def _body_text(self):
        """(plain text, word count) of the body, worked out once per body: the article page, its structured data
        and its reading time all ask for them. Derived, never stored; a new body is worked out again."""
        known = self.__dict__.get("_body_text_of")
        if known is None or known[0] is not self.body:
            text = plain_text(self.body)
            known = self.__dict__["_body_text_of"] = (self.body, text, len(text.split()))
        return known[1:]

    @property
    def text(self):
        """The body as plain text (tags as spaces, entities as characters)."""
        return self._body_text()[0]

    @property
    def word_count(self):
        """Words in the body."""
        return self._body_text()[1]

    @property
    def reading_time(self):
        """Whole minutes a reader needs for the body (at least one)."""
        return max(1, math.ceil(self.word_count / settings.NEWSROOM_WORDS_PER_MINUTE))

    def byline_parts(self, language):
        """What the byline prints in the edition in `language`, name by name: the desk's override (one part),
        else the authors' names in that edition (`name_in`: the Arabic name on Arabic pages when there is
        one), else the wire credit; empty when there is none of them."""
        if self.byline:
            return [self.byline]
        names = [name_in(author, language) for author in self.authors.all()]
        return names or ([self.credit] if self.credit else [])

    def byline_in(self, language):
        """`byline_parts` as one line, with the edition's comma ("Layla Hassan, Omar Saleh", "رشا خليل، مصطفى جبار")."""
        return names_as_line(self.byline_parts(language), language)

    def set_authors(self, authors):
        """Make `authors` (existing Author instances or ids, lead writer first) the story's byline, in that order.

        An author given twice keeps their first place; authors not given are taken off the story. Two queries
        whatever the number of authors. (Django's `authors.add()`/`.set()` would give every new link place 0,
        leaving the order to the authors' ids.)
        """
        ids = list(dict.fromkeys(a.pk if isinstance(a, models.Model) else int(a) for a in authors))
        Byline.objects.filter(article=self).exclude(author_id__in=ids).delete()
        Byline.objects.bulk_create(
            [Byline(article=self, author_id=pk, position=place) for place, pk in enumerate(ids)],
            update_conflicts=True,
            unique_fields=["article", "author"],
            update_fields=["position"],
        )
        # A prefetched list of the old authors would now be wrong.
        getattr(self, "_prefetched_objects_cache", {}).pop("authors", None)

    def set_see_also(self, stories):
        """Make `stories` (saved Articles or ids, in the desk's order) the ones leading the related box.

        Raises ValueError, changing nothing, for what `see_also_problems` refuses (itself, twice, too many).
        Two queries whatever the number.
        """
        ids = [s.pk if isinstance(s, models.Model) else int(s) for s in stories]
        problems = see_also_problems(self.pk, ids)
        if problems:
            raise ValueError(" ".join(str(problem) for problem in problems))
        SeeAlso.objects.filter(article=self).delete()
        SeeAlso.objects.bulk_create(
            [SeeAlso(article=self, story_id=pk, position=place) for place, pk in enumerate(ids)]
        )
        getattr(self, "_prefetched_objects_cache", {}).pop("see_also", None)

    def desk_label(self, language):
        """How the desk's pickers name the story: its headline, its edition and its status, so that a story
        in the other edition or one readers cannot see yet is told apart from the rest."""
        with translation.override(language):
            return _("%(headline)s (%(language)s, %(status)s)") % {
                "headline": self.headline,
                "language": self.get_language_display(),
                "status": self.get_status_display().lower(),
            }

    @property
    def translations(self):
        """The other-language versions of this story."""
        if not self.translation_group:
            return Article.objects.none()
        return Article.objects.filter(translation_group=self.translation_group).exclude(pk=self.pk)

    def language_problem(self, language):
        """Why this story may not be in `language`, or "": another story of its translation group is (a story has
        one version per language, and the database refuses a second)."""
        if not language or language == self.language or not self.translations.filter(language=language).exists():
            return ""
        return _("This story already has a version in %(language)s; a story has one version per language.") % {
            "language": ArticleLanguage(language).label
        }

    def link_translation(self, other):
        """Mark `other` as a version of this story in its own language (both keep their own status and slug)."""
        if other.language == self.language:
            raise ValueError("A translation must be in the other language.")
        group = self.translation_group or other.translation_group or uuid.uuid4()
        Article.objects.filter(pk__in=[self.pk, other.pk]).update(translation_group=group)
        self.translation_group = other.translation_group = group


class Byline(models.Model):
    """One author on one story, at their place in its byline (0 is the lead writer)."""

    # The table of the plain many-to-many relation this model took over (migration 0015), kept with its rows.
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="bylines")
    author = models.ForeignKey(Author, on_delete=models.CASCADE, related_name="bylines")
    position = models.PositiveSmallIntegerField(_("position"), default=0, help_text=_("Lower comes first."))

    class Meta:
        db_table = "articles_article_authors"
        ordering = ["position", "author_id"]
        verbose_name = _("byline")
        verbose_name_plural = _("bylines")
        constraints = [models.UniqueConstraint(fields=["article", "author"], name="unique_byline_author")]

    def __str__(self):
        return f"{self.article_id}: {self.position}. {self.author_id}"
