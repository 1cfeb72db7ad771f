"""Public addresses built from cached patterns read exactly as `reverse()` writes them."""

import pytest
from django.urls import NoReverseMatch, include, path, reverse, set_script_prefix
from django.utils import translation

from articles.addresses import public_url

SLUGS = ["deir-ez-zor", "سقوط-الباغوز", "a b?c#d%e&f", "x~y:z@w", "{name}", "90817263544536271800"]


@pytest.mark.parametrize("language", ["en", "ar", None])
@pytest.mark.parametrize("slug", SLUGS)
def test_addresses_read_as_reverse_writes_them(language, slug):
    for name in ("region", "actor", "section", "author"):
        with translation.override(language):
            expected = reverse(f"articles:{name}", kwargs={"slug": slug})
        assert public_url(name, language, slug=slug) == expected
    with translation.override(language):
        expected = reverse("articles:article", kwargs={"pk": 42, "slug": slug})
    assert public_url("article", language, pk=42, slug=slug) == expected


def test_arabic_stories_live_under_ar_whatever_the_page_language():
    with translation.override("en"):
        assert public_url("article", "ar", pk=7, slug="خبر") == "/ar/article/7/%D8%AE%D8%A8%D8%B1/"
    with translation.override("ar"):
        assert public_url("article", "en", pk=7, slug="news") == "/article/7/news/"


def test_a_script_prefix_is_kept():
    set_script_prefix("/news/")
    try:
        assert public_url("region", "en", slug="syria") == "/news/region/syria/"
    finally:
        set_script_prefix("/")
    assert public_url("region", "en", slug="syria") == "/region/syria/"


@pytest.mark.parametrize("kwargs", [{"slug": ""}, {"slug": "a/b"}])
def test_values_no_address_can_take_fail_as_reverse_fails(kwargs):
    with pytest.raises(NoReverseMatch):
        public_url("region", "en", **kwargs)


def test_a_story_without_an_id_has_no_address():
    with pytest.raises(NoReverseMatch):
        public_url("article", "en", pk=None, slug="draft")


def _page(request, slug):
    raise AssertionError("never served")


# Another address book, where places live under /places/ (for the test below).
urlpatterns = [path("", include(([path("places/<str:slug>/", _page, name="region")], "articles")))]


def test_another_url_configuration_gets_its_own_patterns(settings):
    assert public_url("region", "en", slug="syria") == "/region/syria/"
    settings.ROOT_URLCONF = "articles.tests.test_addresses"
    assert public_url("region", "en", slug="syria") == "/places/syria/"
