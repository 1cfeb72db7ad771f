"""Sitemaps: an index at /sitemap.xml with paginated sitemaps of stories, sections, places and actors, and a
Google News sitemap of the last two days' stories.

Stories appear once, at their canonical address in their own edition, with their last publication time as
lastmod. Sections, places and actors have a page in each edition, so they are listed in both languages;
places and actors only when at least one public story is tagged with them (the gazetteer holds every
country on earth, most of which the newsroom never covers). Every sitemap page costs two queries.
"""

from datetime import timedelta

from django.contrib.sitemaps import Sitemap
from django.contrib.sitemaps import views as sitemap_views
from django.db.models import Max
from django.http import Http404
from django.utils import timezone

from articles.models import Actor, Article, ArticleActor, ArticleRegion, Region, Section
from articles.querysets import PUBLIC_TIME

NEWS_WINDOW = timedelta(days=2)
NEWS_LIMIT = 1000
EDITIONS = ["en", "ar"]


class _StorySitemap(Sitemap):
    """A sitemap of stories: each one's lastmod is when its public version last changed."""

    def lastmod(self, item):
        return item.modified_time

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
        return (
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

    def items(self):
        since = timezone.now() - NEWS_WINDOW
        return (
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
    """One page of one sitemap (`?p=` for the page); the news sitemap carries the news: elements."""
    if section not in SITEMAPS:
        raise Http404("No such sitemap.")
    template = "sitemaps/news.xml" if section == "news" else "sitemap.xml"
    return sitemap_views.sitemap(request, SITEMAPS, section=section, template_name=template)
