"""Public addresses. `urlpatterns` are the edition's pages (mounted with i18n_patterns: English unprefixed,
Arabic under /ar/); `unprefixed` are the language-neutral ones (robots.txt, sitemaps)."""

from django.urls import path
from django.views.generic import TemplateView

from articles import archive_views, feeds, live_views, sitemaps, views
from articles.caching import public_page
from newsroom import brand

app_name = "articles"


def feed_view(feed_class):
    """A view that builds a fresh feed object per request (feeds keep the request while rendering)."""

    def view(request, *args, **kwargs):
        return feed_class()(request, *args, **kwargs)

    view.__doc__ = feed_class.__doc__
    return public_page(view)


def _feeds(prefix, feed_class, with_slug):
    name = prefix.strip("/").split("/")[-1] or "latest"
    route = f"feeds/{prefix}<str:slug>/" if with_slug else "feeds/latest/"
    return [
        path(f"{route}rss/", feed_view(feed_class), name=f"feed_{name}_rss"),
        path(f"{route}atom/", feed_view(feeds.atom(feed_class)), name=f"feed_{name}_atom"),
    ]


urlpatterns = [
    path("", views.home, name="home"),
    path("article/<id:pk>/<str:slug>/", views.article_detail, name="article"),
    # A story's live updates as feeds, under the story's own address (articles/feeds.py).
    path("article/<id:pk>/<str:slug>/live/rss/", feeds.live_updates_feed, {"form": "rss"}, name="article_live_rss"),
    path("article/<id:pk>/<str:slug>/live/atom/", feeds.live_updates_feed, {"form": "atom"}, name="article_live_atom"),
    # A long live blog's older updates; page 1 is the story itself (articles/live_views.py).
    path("article/<id:pk>/<str:slug>/updates/<page_number:number>/", live_views.live_updates, name="live_updates"),
    # Where a long live blog began: a redirect to its last page, which moves as updates come (live_views.py).
    path("article/<id:pk>/<str:slug>/updates/first/", live_views.first_live_updates, name="first_live_updates"),
    path("section/<str:slug>/", views.section_detail, name="section"),
    path("region/<str:slug>/", views.region_detail, name="region"),
    path("actor/<str:slug>/", views.actor_detail, name="actor"),
    path("author/<str:slug>/", views.author_detail, name="author"),
    path("search/", views.search, name="search"),
    path("corrections/", views.corrections, name="corrections"),
    path("archive/", archive_views.archive, name="archive"),
    path("archive/<year:year>/", archive_views.archive_year, name="archive_year"),
    path("archive/<year:year>/<two_digits:month>/", archive_views.archive_month, name="archive_month"),
    path("archive/<year:year>/<two_digits:month>/<two_digits:day>/", archive_views.archive_day, name="archive_day"),
    # What a phone shows when a reader adds the edition to the home screen (newsroom/brand.py).
    path("site.webmanifest", brand.manifest, name="web_manifest"),
    *_feeds("", feeds.LatestStoriesFeed, with_slug=False),
    *_feeds("section/", feeds.SectionFeed, with_slug=True),
    *_feeds("region/", feeds.RegionFeed, with_slug=True),
    *_feeds("actor/", feeds.ActorFeed, with_slug=True),
    *_feeds("author/", feeds.AuthorFeed, with_slug=True),
    path("feeds/corrections/rss/", feed_view(feeds.CorrectionsFeed), name="feed_corrections_rss"),
    path("feeds/corrections/atom/", feed_view(feeds.atom(feeds.CorrectionsFeed)), name="feed_corrections_atom"),
]

unprefixed = [
    path(
        "robots.txt",
        TemplateView.as_view(template_name="robots.txt", content_type="text/plain"),
        name="robots_txt",
    ),
    path("sitemap.xml", public_page(sitemaps.index), name="sitemap_index"),
    path("sitemap-<str:section>.xml", public_page(sitemaps.section), name="sitemap_section"),
]
