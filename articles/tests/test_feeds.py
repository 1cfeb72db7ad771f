"""RSS and Atom feeds: parsed by feedparser without errors, full items, public stories only, fixed queries."""

import feedparser
import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from articles.tests.factories import AuthorFactory, SectionFactory
from articles.tests.publishing import fresh_cache, hidden_stories, story  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_cache")]

FEEDS = {
    "latest RSS": "/feeds/latest/rss/",
    "latest Atom": "/feeds/latest/atom/",
    "section RSS": "/feeds/section/iraq-news/rss/",
    "section Atom": "/feeds/section/iraq-news/atom/",
    "region RSS": "/feeds/region/syria/rss/",
    "region Atom": "/feeds/region/syria/atom/",
    "actor RSS": "/feeds/actor/islamic-state/rss/",
    "actor Atom": "/feeds/actor/islamic-state/atom/",
    "author RSS": "/feeds/author/omar-hassan/rss/",
    "author Atom": "/feeds/author/omar-hassan/atom/",
}


@pytest.fixture
def newsroom(places, actors):
    section = SectionFactory(name="Iraq News", slug="iraq-news")
    author = AuthorFactory(display_name="Omar Hassan", slug="omar-hassan")
    article = story(
        headline="Baghouz falls",
        standfirst="The last pocket is taken.",
        section=section,
        regions=[places["baghouz"]],
        actors=[actors["isis"]],
        authors=[author],
    )
    hidden = hidden_stories()
    for h in hidden.values():
        h.section = section
        h.save()
        h.regions.set([places["baghouz"]])
        h.actors.set([actors["isis"]])
        h.set_authors([author])
    return {"article": article, "hidden": hidden, "author": author}


def parse(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    parsed = feedparser.parse(response.content)
    assert not parsed.bozo, parsed.get("bozo_exception")
    return parsed


@pytest.mark.parametrize("feed", list(FEEDS))
def test_feed_parses_cleanly_with_full_items(client, newsroom, feed):
    parsed = parse(client, FEEDS[feed])
    assert parsed.version in ("rss20", "atom10")
    assert parsed.feed.title.startswith("Newsroom")
    (item,) = parsed.entries
    article = newsroom["article"]
    assert item.title == "Baghouz falls"
    assert item.link == f"http://testserver{article.get_absolute_url()}"
    assert item.id == f"urn:newsroom:article:{article.pk}"
    assert item.summary == "The last pocket is taken."
    assert item.published_parsed is not None
    assert item.author == "Omar Hassan"
    assert {t.term for t in item.tags} >= {"Baghouz", "Islamic State", "Iraq News"}


@pytest.mark.parametrize("feed", list(FEEDS))
def test_feeds_carry_no_hidden_story(client, newsroom, feed):
    xml = client.get(FEEDS[feed]).content.decode()
    for state, article in newsroom["hidden"].items():
        assert article.headline not in xml, f"{state} story in {feed}"


def test_region_feed_includes_places_inside_the_region(client, newsroom):
    assert [e.title for e in parse(client, "/feeds/region/deir-ez-zor-governorate/rss/").entries] == ["Baghouz falls"]


def test_arabic_edition_feed_lists_arabic_stories_in_arabic(client, newsroom):
    arabic = story(headline="سقوط الباغوز", slug="s", language="ar")
    parsed = parse(client, "/ar/feeds/latest/rss/")
    assert [e.title for e in parsed.entries] == [arabic.headline]
    assert parsed.feed.language == "ar"
    assert "آخر الأخبار" in parsed.feed.title


def test_unknown_feed_subject_is_not_found(client, db):
    assert client.get("/feeds/region/atlantis/rss/").status_code == 404
    assert client.get("/feeds/author/nobody/atom/").status_code == 404


def test_author_feed_lists_the_stories_on_the_authors_byline_and_is_linked_from_their_page(client, newsroom):
    second = story(headline="Second story by Omar", authors=[AuthorFactory(), newsroom["author"]])
    story(headline="Someone else's story", authors=[AuthorFactory()])
    parsed = parse(client, "/feeds/author/omar-hassan/atom/")
    assert [e.title for e in parsed.entries] == [second.headline, "Baghouz falls"]  # not others' stories
    assert parsed.feed.title == "Newsroom: Omar Hassan"
    assert parsed.feed.subtitle == "The latest public stories by Omar Hassan."
    page = client.get("/author/omar-hassan/").content.decode()
    assert 'href="/feeds/author/omar-hassan/rss/"' in page and 'href="/feeds/author/omar-hassan/atom/"' in page
    assert '<link rel="alternate" type="application/rss+xml" title="Omar Hassan (RSS)"' in page


def test_arabic_edition_feeds_name_their_subject_in_arabic(client, newsroom, places):
    story(headline="سقوط الباغوز", slug="s", language="ar", regions=[places["baghouz"]])
    parsed = parse(client, "/ar/feeds/region/baghouz/rss/")
    assert parsed.feed.title == "Newsroom: الباغوز"
    assert parsed.feed.description == "آخر الأخبار المنشورة عن الباغوز."
    assert parse(client, "/ar/feeds/region/deir-ez-zor-governorate/rss/").feed.title.endswith("Deir ez-Zor Governorate")


@pytest.mark.parametrize("feed", list(FEEDS))
def test_feeds_run_a_fixed_number_of_queries(client, newsroom, places, actors, feed):
    def count():
        cache.clear()
        with CaptureQueriesContext(connection) as queries:
            client.get(FEEDS[feed])
        return len(queries)

    few = count()
    section = newsroom["article"].section
    for _ in range(8):
        story(
            section=section,
            regions=list(places.values()),
            actors=list(actors.values()),
            authors=[AuthorFactory(), AuthorFactory()],
        )
    assert count() == few <= 7


@pytest.mark.parametrize("kind", ["rss", "atom"])
def test_arabic_feeds_name_their_categories_in_arabic(client, places, actors, kind):
    section = SectionFactory(name="Syria News", slug="syria-news", name_ar="أخبار سوريا")
    plain = SectionFactory(name="Wires", slug="wires")  # no Arabic name: the English one stands
    story(headline="سقوط الباغوز", slug="سقوط-الباغوز", language="ar", section=section,
          regions=[places["baghouz"], places["deir_gov"]], actors=[actors["isis"]])  # fmt: skip
    story(headline="خبر من الوكالات", slug="خبر-الوكالات", language="ar", section=plain)
    parsed = parse(client, f"/ar/feeds/latest/{kind}/")
    terms = {entry.title: [tag.term for tag in entry.tags] for entry in parsed.entries}
    assert terms["سقوط الباغوز"][0] == "أخبار سوريا"  # the section first, then places and actors
    assert set(terms["سقوط الباغوز"]) == {"أخبار سوريا", "الباغوز", "Deir ez-Zor Governorate", "تنظيم الدولة الإسلامية"}
    assert terms["خبر من الوكالات"] == ["Wires"]
    english = parse(client, f"/feeds/latest/{kind}/")  # the English edition is not affected
    assert not english.entries or all("الباغوز" not in tag.term for e in english.entries for tag in e.tags)
