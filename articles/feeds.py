"""RSS 2.0 and Atom feeds of the public stories: latest, per section, per place (with the places inside it), per
actor, per author.

Each feed lists the current edition's stories (English unprefixed, Arabic under /ar/), newest first, in a
fixed number of queries: the feed's subject, the stories with their section and lead picture (its renditions
ride along in the same row), then their authors, places and actors (one query each). A story with a lead
picture carries it as an enclosure (RSS `<enclosure>`, Atom `<link rel="enclosure">`) with length and type.
A story that is not news carries its type of work as its first category ("Opinion"; "رأي" in Arabic feeds).

A story's live updates have their own feeds, at the story's address (`live_updates_feed`): one item per update,
an update with a picture carrying it as its enclosure the same way.
"""

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed, Enclosure, Rss201rev2Feed
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from articles.caching import public_page, shows_stories
from articles.models import Actor, Article, Author, Correction, Region, Section, name_in
from articles.normalisation import xml_text
from articles.structured_data import description
from articles.views import by_slug_or_alias, misaddressed, moved_to, story_or_gone

FEED_SIZE = 30


def story_categories(article, language):
    """A story's categories in the feeds of the edition in `language`: its section, places and actors, named as the
    edition names them (the Arabic names in the Arabic feeds), after its type of work when it is not news
    ("Opinion", "رأي", in the active language)."""
    entries = [*([article.section] if article.section else []), *article.regions.all(), *article.actors.all()]
    categories = [name_in(entry, language) for entry in entries]
    if not article.is_news:
        categories.insert(0, article.get_genre_display())
    return categories


def picture_enclosures(request, image):
    """RSS <enclosure> / Atom <link rel="enclosure"> for a story's lead picture or a live update's picture: its
    16:9 JPEG with its size and type (none without a picture)."""
    if image is None:
        return []
    rendition = image.feed_rendition()
    return [Enclosure(request.build_absolute_uri(rendition.url), str(rendition.file_size), rendition.mime_type)]


def _xml_safe(value):
    """`value` (a text, or a list of texts such as categories) as XML can carry it; anything else as it is."""
    if isinstance(value, str):
        return xml_text(value)
    if isinstance(value, list | tuple):
        return [_xml_safe(entry) for entry in value]
    return value


class XMLSafeFeed:
    """A feed generator that leaves out of every text it is given the characters XML 1.0 cannot carry: Django's
    refuses them with an error, so one stored in a headline, a name or an update (pasted from a word processor
    before the desk's forms cleaned such text: `admin_text`) would take the whole feed down."""

    def __init__(self, *args, **kwargs):
        super().__init__(*map(_xml_safe, args), **{key: _xml_safe(value) for key, value in kwargs.items()})

    def add_item(self, *args, **kwargs):
        super().add_item(*map(_xml_safe, args), **{key: _xml_safe(value) for key, value in kwargs.items()})


class RssFeed(XMLSafeFeed, Rss201rev2Feed):
    """RSS 2.0, `XMLSafeFeed`."""


class AtomFeed(XMLSafeFeed, Atom1Feed):
    """Atom 1.0, `XMLSafeFeed`."""


class LatestStoriesFeed(Feed):
    """The edition's latest stories (RSS 2.0)."""

    feed_type = RssFeed
    ttl = 5

    def title(self, obj=None):
        return _("%(site)s: latest stories") % {"site": settings.NEWSROOM_SITE_NAME}

    def description(self, obj=None):
        return _("The latest public stories from %(site)s.") % {"site": settings.NEWSROOM_SITE_NAME}

    def subtitle(self, obj=None):
        return self.description(obj)

    def link(self, obj=None):
        return reverse("articles:home")

    def articles(self, obj):
        """The public stories this feed is about, before ordering and slicing."""
        return Article.objects.published()

    def items(self, obj=None):
        articles = self.articles(obj).in_language(get_language())
        return list(
            articles.defer("search_document")
            .select_related("section")
            .prefetch_related("authors", "regions", "actors")
            .with_lead_image()
            .newest_first()[:FEED_SIZE]
        )

    def item_title(self, item):
        return item.headline

    def item_description(self, item):
        return description(item)

    def item_link(self, item):
        return item.get_absolute_url()

    def item_guid(self, item):
        # Stable across slug changes and edits: readers never see an updated story as a new one.
        return f"urn:newsroom:article:{item.pk}"

    item_guid_is_permalink = False

    def item_pubdate(self, item):
        return item.published_time

    def item_updateddate(self, item):
        return item.modified_time

    def item_author_name(self, item):
        return item.byline_in(get_language()) or None

    def item_author_link(self, item):
        authors = list(item.authors.all())
        return self.request.build_absolute_uri(authors[0].get_absolute_url()) if len(authors) == 1 else None

    def item_categories(self, item):
        return story_categories(item, get_language())

    def item_enclosures(self, item):
        return picture_enclosures(self.request, item.lead_image if item.lead_image_id else None)

    def __call__(self, request, *args, **kwargs):
        self.request = request
        return super().__call__(request, *args, **kwargs)


class _SubjectFeed(LatestStoriesFeed):
    """A feed about one section, place, actor or author, found by slug (404 for an unknown one)."""

    model = None

    def get_object(self, request, slug):
        return get_object_or_404(self.model, slug=slug)

    def title(self, obj=None):
        return f"{settings.NEWSROOM_SITE_NAME}: {self.name(obj)}"

    def description(self, obj=None):
        return _("The latest public stories about %(subject)s.") % {"subject": self.name(obj)}

    @staticmethod
    def name(obj):
        """The subject's name in the feed's edition (the English one where there is no Arabic name)."""
        return name_in(obj, get_language())

    def link(self, obj=None):
        return obj.get_absolute_url()


class SectionFeed(_SubjectFeed):
    """Stories filed in a section and its subsections."""

    model = Section

    def articles(self, obj):
        return Article.objects.published().in_section(obj)


class _Spelled(Exception):
    """A vocabulary feed was asked for by an alias of its entry (`entry`)."""

    def __init__(self, entry):
        super().__init__(entry)
        self.entry = entry


class _VocabularyFeed(_SubjectFeed):
    """A place's or actor's feed: asked for by an alias or another spelling of its name, it answers 301 to the
    canonical feed, as the entry's page does, so a subscription outlives a rename or a merge."""

    def get_object(self, request, slug):
        entry, spelled = by_slug_or_alias(self.model, slug)
        if spelled is not None:
            raise _Spelled(spelled)
        return entry

    def __call__(self, request, *args, **kwargs):
        try:
            return super().__call__(request, *args, **kwargs)
        except _Spelled as spelled:
            feed = reverse(request.resolver_match.view_name, kwargs={"slug": spelled.entry.slug})
            return moved_to(request, feed)


class RegionFeed(_VocabularyFeed):
    """Stories about a place or any place inside it."""

    model = Region

    def articles(self, obj):
        return Article.objects.published().for_region(obj)


class ActorFeed(_VocabularyFeed):
    """Stories about a person, group or institution."""

    model = Actor

    def articles(self, obj):
        return Article.objects.published().for_actor(obj)


class AuthorFeed(_SubjectFeed):
    """Stories whose byline names an author, to follow a reporter."""

    model = Author

    def description(self, obj=None):
        return _("The latest public stories by %(author)s.") % {"author": self.name(obj)}

    def articles(self, obj):
        return Article.objects.published().by_author(obj)


def atom(feed_class):
    """The Atom 1.0 twin of an RSS feed class."""
    return type(f"{feed_class.__name__}Atom", (feed_class,), {"feed_type": AtomFeed, "__doc__": feed_class.__doc__})


class CorrectionsFeed(Feed):
    """The edition's public notes on its stories (corrections, clarifications, updates, retractions), newest
    first: one item per note, linking to the note in its story's corrections box."""

    feed_type = RssFeed
    ttl = 5

    def title(self, obj=None):
        return _("%(site)s: corrections and updates") % {"site": settings.NEWSROOM_SITE_NAME}

    def description(self, obj=None):
        return _("Corrections, clarifications, updates and retractions to stories from %(site)s.") % {
            "site": settings.NEWSROOM_SITE_NAME
        }

    def subtitle(self, obj=None):
        return self.description(obj)

    def link(self, obj=None):
        return reverse("articles:corrections")

    def items(self, obj=None):
        notes = Correction.objects.public().in_language(get_language()).newest_first().for_lists()
        return list(notes[:FEED_SIZE])

    def item_title(self, item):
        return f"{item.get_kind_display()}: {item.article.headline}"

    def item_description(self, item):
        return item.text

    def item_link(self, item):
        return f"{item.article.get_absolute_url()}#correction-{item.pk}"

    def item_guid(self, item):
        # A note is never edited into another one: its id names it for good.
        return f"urn:newsroom:correction:{item.pk}"

    item_guid_is_permalink = False

    def item_pubdate(self, item):
        return item.created_at

    def item_categories(self, item):
        return [item.get_kind_display()]


class _DatedByTheStory:
    """A feed generator whose own date (RSS `lastBuildDate`, Atom `updated`, and the response's Last-Modified) is
    the story's last public change, `last_change`, when no item is newer: removing an update is a change no item's
    date shows, and a client asking "modified since?" must not be told no."""

    def latest_post_date(self):
        last_change = self.feed["last_change"]
        return max(last_change, super().latest_post_date()) if self.items else last_change


class _LiveUpdatesRss(_DatedByTheStory, RssFeed):
    pass


class _LiveUpdatesAtom(_DatedByTheStory, AtomFeed):
    pass


class LiveUpdatesFeed(Feed):
    """One public story's live updates (RSS 2.0), newest first: the same ones its page shows (never a removed one,
    a corrected one in its new words), each linking to its anchor on the story's page.

    The story is found by `live_updates_feed`, which decides whether readers may see it; the feed reads it and
    its updates in one query each.
    """

    feed_type = _LiveUpdatesRss
    ttl = 1  # minutes: a live story moves by the minute, and the page cache answers the asking

    def get_object(self, request, article):
        self.story, self.request = article, request
        return article

    def title(self, obj):
        return obj.headline

    def link(self, obj):
        return obj.get_absolute_url()

    def description(self, obj):
        return _("Live updates on this story from %(site)s.") % {"site": settings.NEWSROOM_SITE_NAME}

    def subtitle(self, obj):
        return self.description(obj)

    def feed_guid(self, obj):
        # The Atom feed's id: the story's, never its address, which a new slug changes.
        return f"urn:newsroom:article:{obj.pk}:live-updates"

    def author_name(self, obj):
        # Atom wants an author for the feed or every entry: the story's byline, else the newsroom itself (an
        # update's poster is a member of staff, not a byline).
        return obj.byline_in(get_language()) or settings.NEWSROOM_SITE_NAME

    def categories(self, obj):
        return story_categories(obj, get_language())

    def feed_extra_kwargs(self, obj):
        return {"last_change": obj.modified_time}

    def items(self, obj):
        return obj.newest_live_updates

    def item_title(self, item):
        return item.headline

    def item_description(self, item):
        # Stored sanitised, every character the publisher typed escaped (workflow.live_update_html).
        return item.text

    def item_link(self, item):
        return f"{self.story.get_absolute_url()}#update-{item.pk}"

    def item_author_name(self, item):
        # The update's own byline, named as the story's edition names its author; none without one.
        return name_in(item.author, get_language()) if item.author_id else None

    def item_author_link(self, item):
        return self.request.build_absolute_uri(item.author.get_absolute_url()) if item.author_id else None

    def item_enclosures(self, item):
        # Its picture's renditions came with the update (`with_picture`): no query once the feed's JPEG is made.
        return picture_enclosures(self.request, item.image if item.image_id else None)

    def item_guid(self, item):
        # The update's id names it for good: a correction or a new slug for the story never makes it a new item.
        return f"urn:newsroom:live-update:{item.pk}"

    item_guid_is_permalink = False

    def item_pubdate(self, item):
        return item.posted_at

    def item_updateddate(self, item):
        return item.edited_at or item.posted_at


class LiveUpdatesAtomFeed(LiveUpdatesFeed):
    """One public story's live updates (Atom 1.0)."""

    feed_type = _LiveUpdatesAtom


LIVE_UPDATES_FEEDS = {"rss": LiveUpdatesFeed, "atom": LiveUpdatesAtomFeed}


@public_page
def live_updates_feed(request, pk, slug, form):
    """The feed (`form`: "rss" or "atom") of a story's live updates, seen exactly when its page is: 404 for a story
    readers may not see, 410 for a withdrawn one, 301 from an old slug or the other edition. A public story without
    updates has an empty feed, so a subscription outlives the removal of its only update."""
    # The story page's own look-up (one query), so the feed cannot show what the page would not.
    article, gone = story_or_gone(request, pk)
    if gone:
        return gone
    if misaddressed(article, slug):
        return moved_to(request, article.live_updates_feed_url(form))
    # Cached as the story's page is: purged by a change to this story (every update move is one), not by others.
    shows_stories(request, [article.pk])
    return LIVE_UPDATES_FEEDS[form]()(request, article=article)
