"""What every public page's template needs: the publication's name, the edition, its menu and its breaking news."""

from datetime import UTC, datetime
from functools import cache
from typing import NamedTuple

from django.conf import settings
from django.utils import timezone
from django.utils.translation import get_language

from articles.caching import cached_fragment, keep_until, stories_fragment_timeout
from articles.models import Article, Section, name_in


class Breaking(NamedTuple):
    """The story in an edition's breaking-news banner: its address, headline and the time the banner ends."""

    url: str
    headline: str
    until: float  # a timestamp: the fragment is pickled into the cache


def _navigation(language):
    sections = Section.objects.filter(parent__isnull=True).only("name", "name_ar", "slug")
    return [(s.get_absolute_url(), name_in(s, language)) for s in sections]


def _breaking(language):
    """The edition's breaking news, or None: its newest public story whose banner time is ahead (one query).

    `breaking_until IS NOT NULL` is the partial index's own condition, so a generic plan of this prepared
    statement reads that index (a handful of rows) instead of guessing a third of the archive."""
    now = timezone.now()
    stories = Article.objects.published(at=now).filter(
        language=language, breaking_until__isnull=False, breaking_until__gt=now
    )
    story = stories.newest_first().only("headline", "slug", "language", "breaking_until").first()
    if story is None:
        return None
    return Breaking(story.get_absolute_url(), story.headline, story.breaking_until.timestamp())


def masthead_fragment(language):
    """The name of the cached masthead (menu and breaking news) of the edition in `language`
    (`articles.caching.cached_fragment`)."""
    return f"masthead:{language}"


def _masthead(language):
    """(menu, breaking news) of the edition in `language`, from the cache: recomputed after any story change
    (the banner follows its story's edits and moves) and not kept past the banner's end."""
    computed = {}

    def compute():
        computed["value"] = (_navigation(language), _breaking(language))
        return computed["value"]

    def timeout():
        # A story marked while embargoed enters the banner when its embargo ends, without any event.
        banner = computed["value"][1]
        return stories_fragment_timeout(until=banner.until if banner else None)

    return cached_fragment(masthead_fragment(language), compute, timeout=timeout, follows_stories=True)


def site(request):
    """Site name, current edition (language and direction), the top-level sections for the menu and the
    edition's breaking news.

    Both are one cached fragment, so a page costs no query for them once warm. A page showing the banner is
    not kept in the page cache past the banner's end, which comes without any event.
    """
    language = get_language()
    masthead = cache(lambda: _masthead(language))

    def breaking():
        banner = masthead()[1]
        if banner is not None:
            keep_until(request, datetime.fromtimestamp(banner.until, tz=UTC))
        return banner

    return {
        "site_name": settings.NEWSROOM_SITE_NAME,
        # The newsroom's own icon replaces the project's mark, which alone exists as SVG (newsroom/brand.py).
        "own_icon": bool(settings.NEWSROOM_ICON),
        "edition_rtl": language == "ar",
        "navigation": lambda: masthead()[0],
        "breaking": breaking,
    }
