"""What every public page's template needs: the publication's name, the edition and its navigation."""

from django.conf import settings
from django.utils.translation import get_language

from articles.caching import cached_fragment
from articles.models import Section, name_in


def _navigation(language):
    sections = Section.objects.filter(parent__isnull=True).only("name", "name_ar", "slug")
    return [(s.get_absolute_url(), name_in(s, language)) for s in sections]


def navigation_fragment(language):
    """The name of the cached menu of the edition in `language` (`articles.caching.cached_fragment`)."""
    return f"nav:{language}"


def site(request):
    """Site name, current edition (language and direction) and the top-level sections for the menu.

    The menu is cached per generation and language, so a page costs no query for it once warm.
    """
    language = get_language()
    return {
        "site_name": settings.NEWSROOM_SITE_NAME,
        # The newsroom's own icon replaces the project's mark, which alone exists as SVG (newsroom/brand.py).
        "own_icon": bool(settings.NEWSROOM_ICON),
        "edition_rtl": language == "ar",
        "navigation": lambda: cached_fragment(navigation_fragment(language), lambda: _navigation(language)),
    }
