"""RSS 2.0 and Atom feeds of the public stories: latest, per section, per place (with the places inside it), per
actor, per author.

Each feed lists the current edition's stories (English unprefixed, Arabic under /ar/), newest first, in a
fixed number of queries: the feed's subject, the stories with their section and lead picture (its renditions
ride along in the same row), then their authors, places and actors (one query each). A story with a lead
picture carries it as an enclosure (RSS `<enclosure>`, Atom `<link rel="enclosure">`) with length and type.
A story that is not news carries its type of work as its first category ("Opinion"; "رأي" in Arabic feeds).
"""

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed, Enclosure, Rss201rev2Feed
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from articles.models import Actor, Article, Author, Correction, Region, Section, name_in
from articles.structured_data import description

FEED_SIZE = 30


class LatestStoriesFeed(Feed):
    """The edition's latest stories (RSS 2.0)."""

    feed_type = Rss201rev2Feed
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
        # Named as the edition names them: the Arabic feeds' categories are the entries' Arabic names, and the
        # type of work of a story that is not news comes first, in the edition's language ("Opinion", "رأي").
        language = get_language()
        entries = [*([item.section] if item.section else []), *item.regions.all(), *item.actors.all()]
        categories = [name_in(entry, language) for entry in entries]
        if not item.is_news:
            categories.insert(0, item.get_genre_display())
        return categories

    def item_enclosures(self, item):
        # RSS <enclosure> / Atom <link rel="enclosure">: the lead picture's 16:9 JPEG with its size and type.
        if not item.lead_image_id:
            return []
        rendition = item.lead_image.feed_rendition()
        url = self.request.build_absolute_uri(rendition.url)
        return [Enclosure(url, str(rendition.file_size), rendition.mime_type)]

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


class RegionFeed(_SubjectFeed):
    """Stories about a place or any place inside it."""

    model = Region

    def articles(self, obj):
        return Article.objects.published().for_region(obj)


class ActorFeed(_SubjectFeed):
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
    return type(f"{feed_class.__name__}Atom", (feed_class,), {"feed_type": Atom1Feed, "__doc__": feed_class.__doc__})


class CorrectionsFeed(Feed):
    """The edition's public notes on its stories (corrections, clarifications, updates, retractions), newest
    first: one item per note, linking to the note in its story's corrections box."""

    feed_type = Rss201rev2Feed
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
