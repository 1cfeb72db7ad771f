"""Sitemaps and robots.txt: valid against the sitemaps.org and Google News schemas, public stories only."""

from datetime import datetime, timedelta
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from lxml import etree

from articles.models import Article
from articles.tests.factories import RegionFactory, SectionFactory
from articles.tests.publishing import S, fresh_cache, hidden_stories, story  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_cache")]

XSD = Path(__file__).parent / "data" / "xsd"
NS = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9", "news": "http://www.google.com/schemas/sitemap-news/0.9"}


def schema(name):
    return etree.XMLSchema(etree.parse(str(XSD / name)))


def valid(xml_bytes, schema_name):
    document = etree.fromstring(xml_bytes)
    checker = schema(schema_name)
    assert checker.validate(document), checker.error_log
    return document


@pytest.fixture
def newsroom(places, actors):
    section = SectionFactory(name="Iraq", slug="iraq-news")
    fresh = story(headline="Fresh story", section=section, regions=[places["baghouz"]], actors=[actors["isis"]])
    old = story(headline="Old story", age=timedelta(days=5), regions=[places["baghdad"]])
    arabic = story(headline="خبر عاجل", slug="خبر-عاجل", language="ar", regions=[places["baghouz"]])
    return {"section": section, "fresh": fresh, "old": old, "arabic": arabic, "hidden": hidden_stories()}


def test_sitemap_index_is_valid_and_lists_every_sitemap(client, newsroom):
    response = client.get("/sitemap.xml")
    document = valid(response.content, "siteindex.xsd")
    locations = [loc.text for loc in document.findall("sm:sitemap/sm:loc", NS)]
    for name in ("articles", "sections", "regions", "actors", "news"):
        assert f"http://testserver/sitemap-{name}.xml" in locations


def test_sitemap_index_dates_each_story_sitemap_by_its_newest_change_without_loading_the_stories(client, newsroom):
    from django.db.models.signals import post_init
    from django.utils import timezone

    corrected = timezone.now().replace(microsecond=0) - timedelta(minutes=5)
    Article.objects.filter(pk=newsroom["old"].pk).update(last_published_at=corrected)  # the old story, corrected
    built = []

    def count(sender, **kwargs):
        built.append(sender)

    post_init.connect(count, sender=Article)
    try:
        document = valid(client.get("/sitemap.xml").content, "siteindex.xsd")
    finally:
        post_init.disconnect(count, sender=Article)
    dates = {e.findtext("sm:loc", namespaces=NS): e.findtext("sm:lastmod", namespaces=NS) for e in document}
    newest = max(corrected, newsroom["fresh"].modified_time, newsroom["arabic"].modified_time)
    assert datetime.fromisoformat(dates["http://testserver/sitemap-articles.xml"]) == newest
    # The index takes one aggregate per story sitemap: it never builds the archive's stories one by one.
    assert built == []


@pytest.mark.parametrize("name", ["articles", "sections", "regions", "actors"])
def test_each_sitemap_is_valid(client, newsroom, name):
    valid(client.get(f"/sitemap-{name}.xml").content, "sitemap.xsd")


def test_article_sitemap_lists_public_stories_at_their_canonical_address_with_lastmod(client, newsroom):
    document = valid(client.get("/sitemap-articles.xml").content, "sitemap.xsd")
    entries = {u.findtext("sm:loc", namespaces=NS): u.findtext("sm:lastmod", namespaces=NS) for u in document}
    assert set(entries) == {f"http://testserver{newsroom[k].get_absolute_url()}" for k in ("fresh", "old", "arabic")}
    assert f"http://testserver/ar/article/{newsroom['arabic'].pk}/" in " ".join(entries)
    assert all(entries.values())


def test_sitemaps_are_paginated(client, db, settings):
    from articles.sitemaps import ArticleSitemap

    for n in range(7):
        story(headline=f"Story {n}")
    ArticleSitemap.limit = 3
    try:
        index = etree.fromstring(client.get("/sitemap.xml").content)
        pages = [loc.text for loc in index.findall("sm:sitemap/sm:loc", NS) if "sitemap-articles" in loc.text]
        assert pages == [
            "http://testserver/sitemap-articles.xml",
            "http://testserver/sitemap-articles.xml?p=2",
            "http://testserver/sitemap-articles.xml?p=3",
        ]
        third = valid(client.get("/sitemap-articles.xml?p=3").content, "sitemap.xsd")
        assert len(third) == 1
    finally:
        ArticleSitemap.limit = 5000


def test_region_and_actor_sitemaps_list_tagged_entries_in_both_editions(client, newsroom, places):
    RegionFactory(name="Nowhere Tagged", slug="nowhere-tagged")
    xml = client.get("/sitemap-regions.xml").content.decode()
    assert "http://testserver/region/baghouz/" in xml and "http://testserver/ar/region/baghouz/" in xml
    assert "nowhere-tagged" not in xml
    actors_xml = client.get("/sitemap-actors.xml").content.decode()
    assert "http://testserver/actor/islamic-state/" in actors_xml
    assert "syrian-democratic-forces" not in actors_xml


def test_hidden_stories_are_in_no_sitemap(client, newsroom):
    for name in ("articles", "news"):
        xml = client.get(f"/sitemap-{name}.xml").content.decode()
        for state, article in newsroom["hidden"].items():
            assert f"/article/{article.pk}/" not in xml, f"{state} story in the {name} sitemap"


def test_news_sitemap_is_valid_with_publication_name_language_and_date(client, newsroom):
    document = valid(client.get("/sitemap-news.xml").content, "sitemap-with-news.xsd")
    news = {
        u.findtext("sm:loc", namespaces=NS): (
            u.findtext("news:news/news:publication/news:name", namespaces=NS),
            u.findtext("news:news/news:publication/news:language", namespaces=NS),
            u.findtext("news:news/news:title", namespaces=NS),
            u.findtext("news:news/news:publication_date", namespaces=NS),
        )
        for u in document
    }
    fresh = news[f"http://testserver{newsroom['fresh'].get_absolute_url()}"]
    assert fresh[:3] == ("Newsroom", "en", "Fresh story")
    assert fresh[3].endswith("+03:00")
    assert news[f"http://testserver{newsroom['arabic'].get_absolute_url()}"][1:3] == ("ar", "خبر عاجل")


def test_news_sitemap_holds_only_the_last_two_days(client, newsroom):
    xml = client.get("/sitemap-news.xml").content.decode()
    assert newsroom["fresh"].get_absolute_url() in xml
    assert newsroom["old"].get_absolute_url() not in xml


def test_news_sitemap_files_hold_at_most_a_thousand_stories(client, db):
    from articles.sitemaps import NewsSitemap

    assert NewsSitemap.limit == 1000
    now = story().first_published_at
    Article.objects.bulk_create(
        [
            Article(headline=f"Wire {n}", slug=f"wire-{n}", status=S.PUBLISHED, first_published_at=now)
            for n in range(1001)
        ]
    )
    first = valid(client.get("/sitemap-news.xml").content, "sitemap-with-news.xsd")
    second = valid(client.get("/sitemap-news.xml?p=2").content, "sitemap-with-news.xsd")
    assert (len(first), len(second)) == (1000, 2)


def test_robots_txt_points_at_the_sitemaps(client, db):
    response = client.get("/robots.txt")
    text = response.content.decode()
    assert response["Content-Type"].startswith("text/plain")
    assert "Sitemap: http://testserver/sitemap.xml" in text
    assert "Sitemap: http://testserver/sitemap-news.xml" in text
    assert "Disallow: /admin/" in text


@pytest.mark.parametrize("name", ["articles", "sections", "regions", "actors", "news"])
def test_sitemaps_run_a_fixed_number_of_queries(client, places, actors, name):
    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(f"/sitemap-{name}.xml").status_code == 200
        return len(queries)

    from django.core.cache import cache

    story(regions=[places["baghouz"]], actors=[actors["isis"]], section=SectionFactory())
    cache.clear()
    few = count()
    for _ in range(10):
        story(regions=list(places.values()), actors=list(actors.values()), section=SectionFactory())
    cache.clear()
    assert count() == few <= 3
