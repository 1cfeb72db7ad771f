"""Sitemaps: an index at /sitemap.xml with paginated sitemaps of stories, sections, places and actors, and a
Google News sitemap of the last two days' stories.

Stories appear once, at their canonical address in their own edition, with their last publication time as
lastmod. Sections, places and actors have a page in each edition, so they are listed in both languages;
places and actors only when at least one public story is tagged with them (the gazetteer holds every
country on earth, most of which the newsroom never covers). Every sitemap page costs two queries.

Stories carry their lead picture as Google's image extension (`<image:image><image:loc>`): the 16:9 JPEG,
1200 wide, that the story page gives as `og:image` and first in its JSON-LD `image`. Its file name comes
in the story's own row (a subquery on the rendition's unique (image, spec) pair), so pictures cost no
query. A sitemap never makes a rendition: a picture whose rendition has not been made yet (the story page's
first view or the desk's preview makes it) is left out, never replaced by the original, which no public page
shows. Pictures inside a story's body are not listed: finding them would mean reading every story's body,
the bulk of its row, for each page of 5,000, and they are plain `<img>` elements that crawlers find there.
"""

from datetime import timedelta
from urllib.parse import urljoin

from django.contrib.sitemaps import Sitemap
from django.contrib.sitemaps import views as sitemap_views
from django.db.models import Max, OuterRef, Subquery
from django.http import Http404
from django.utils import timezone
from django.utils.encoding import iri_to_uri

from articles.models import Actor, Article, ArticleActor, ArticleRegion, Region, Rendition, Section
from articles.querysets import PUBLIC_TIME
from articles.structured_data import SOCIAL_SPEC

NEWS_WINDOW = timedelta(days=2)
NEWS_LIMIT = 1000
EDITIONS = ["en", "ar"]
# The lead picture's rendition the sitemaps list: the one Open Graph, Twitter cards and the first JSON-LD
# `image` give, 1200 wide as Discover asks of large pictures.
PICTURE_SPEC = SOCIAL_SPEC


def with_lead_picture(stories):
    """`stories` annotated with `lead_picture`: the storage name of their lead picture's PICTURE_SPEC
    rendition, or None when they have no lead picture or that rendition has not been made yet."""
    rendition = Rendition.objects.filter(image=OuterRef("lead_image_id"), spec=PICTURE_SPEC)
    return stories.annotate(lead_picture=Subquery(rendition.values("file")[:1]))


class _StorySitemap(Sitemap):
    """A sitemap of stories: each one's lastmod is when its public version last changed, and each lists its
    lead picture (see the module's docstring)."""

    template_name = "sitemaps/articles.xml"

    def lastmod(self, item):
        return item.modified_time

    def get_urls(self, page=1, site=None, protocol=None):
        """Django's entries for the page, each with `pictures`: the absolute addresses of its pictures."""
        urls = super().get_urls(page=page, site=site, protocol=protocol)
        root = f"{self.get_protocol(protocol)}://{self.get_domain(site)}/"
        storage = Rendition._meta.get_field("file").storage
        for url in urls:
            name = url["item"].lead_picture
            # The storage's address (relative to the site, or a CDN's), made absolute and then a URI: a
            # MEDIA_URL with non-ASCII characters is percent-encoded; the template escapes `&`.
            url["pictures"] = [iri_to_uri(urljoin(root, storage.url(name)))] if name else []
        return urls

    def get_latest_lastmod(self):
        """The index's lastmod for this sitemap, the newest of its stories', from one aggregate query.

        Django's own version builds every story of the sitemap to take the newest lastmod: on a large
        archive that made /sitemap.xml take seconds to render after each publish.
        """
        newest = self.items().order_by().aggregate(updated=Max("last_published_at"), public=Max(PUBLIC_TIME))
        return max(filter(None, newest.values()), default=None)


class ArticleSitemap(_StorySitemap):
    """Every public story at its canonical address."""

    limit = 5000
    changefreq = "daily"

    def items(self):
        return with_lead_picture(
            Article.objects.published()
            .only("pk", "slug", "language", "status", "first_published_at", "last_published_at", "scheduled_for")
            .newest_first()
        )


class SectionSitemap(Sitemap):
    """Section pages in both editions."""

    i18n = True
    languages = EDITIONS
    changefreq = "hourly"

    def items(self):
        return Section.objects.only("slug").order_by("pk")


class _TaggedEntrySitemap(Sitemap):
    i18n = True
    languages = EDITIONS
    changefreq = "daily"
    limit = 5000
    model = None
    link_model = None

    def items(self):
        tagged = self.link_model.objects.filter(content_object__in=Article.objects.published()).values("tag_id")
        return self.model.objects.filter(pk__in=tagged).only("slug").order_by("pk")


class RegionSitemap(_TaggedEntrySitemap):
    """Pages of places that public stories are tagged with, in both editions."""

    model = Region
    link_model = ArticleRegion


class ActorSitemap(_TaggedEntrySitemap):
    """Pages of actors that public stories are tagged with, in both editions."""

    model = Actor
    link_model = ArticleActor


class NewsSitemap(_StorySitemap):
    """Google News: stories first published in the last two days, at most 1,000 per file."""

    limit = NEWS_LIMIT
    template_name = "sitemaps/news.xml"

    def items(self):
        since = timezone.now() - NEWS_WINDOW
        return with_lead_picture(
            Article.objects.published()
            .public_since(since)
            .only("slug", "language", "headline", "status", "first_published_at", "last_published_at", "scheduled_for")
            .newest_first()
        )


SITEMAPS = {
    "articles": ArticleSitemap,
    "sections": SectionSitemap,
    "regions": RegionSitemap,
    "actors": ActorSitemap,
    "news": NewsSitemap,
}


def index(request):
    """The sitemap index: every page of every sitemap."""
    return sitemap_views.index(request, SITEMAPS, sitemap_url_name="sitemap_section")


def section(request, section):
    """One page of one sitemap (`?p=` for the page), in its own template: stories with their pictures, the
    news sitemap with its news: elements too; sections, places and actors in Django's own."""
    if section not in SITEMAPS:
        raise Http404("No such sitemap.")
    template = getattr(SITEMAPS[section], "template_name", "sitemap.xml")
    return sitemap_views.sitemap(request, SITEMAPS, section=section, template_name=template)
