"""Sitemaps and robots.txt: valid against the sitemaps.org, Google News and image schemas, public stories only,
with their lead pictures."""

import re
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from lxml import etree

from articles.images import BODY_SPEC, discard_crops, get_rendition, renditions_for, standard_specs
from articles.models import Article, Rendition
from articles.tests.factories import RegionFactory, SectionFactory
from articles.tests.pictures import library_image
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


# Pictures: Google's image extension on the story sitemaps.

NS["image"] = "http://www.google.com/schemas/sitemap-image/1.1"
STORY_SITEMAPS = {"articles": "sitemap-with-images.xsd", "news": "sitemap-with-news.xsd"}


def pictured(**kwargs):
    """A story with a lead picture of its own (a real upload); no rendition of it is made yet."""
    return story(lead_image=library_image(size=(640, 480)), **kwargs)


def make_renditions(article):
    """What the story page's first view (or the desk's preview) makes: the picture's standard set."""
    renditions_for(article.lead_image, standard_specs(article.lead_image))


def og_image(client, article):
    """The absolute address the story page gives as its preview picture (`og:image`)."""
    html = client.get(article.get_absolute_url()).content.decode()
    return re.search(r'<meta property="og:image" content="([^"]*)"', html).group(1)


def pictures_in(client, name, page=""):
    """{page address: [picture addresses]} of one story sitemap, validated against its schemas first."""
    document = valid(client.get(f"/sitemap-{name}.xml{page}").content, STORY_SITEMAPS[name])
    return {
        url.findtext("sm:loc", namespaces=NS): [loc.text for loc in url.findall("image:image/image:loc", NS)]
        for url in document
    }


def address(article):
    return f"http://testserver{article.get_absolute_url()}"


@pytest.mark.parametrize("name", STORY_SITEMAPS)
def test_story_sitemaps_list_each_storys_lead_picture_as_its_page_shows_it(client, name):
    english, arabic = pictured(headline="Baghouz falls"), pictured(headline="سقوط الباغوز", language="ar")
    shown = {article.pk: og_image(client, article) for article in (english, arabic)}  # the first views make them
    cache.clear()
    pictures = pictures_in(client, name)
    for article in (english, arabic):
        rendition = Rendition.objects.get(image=article.lead_image, spec="w1200-16x9.jpg")
        assert pictures[address(article)] == [shown[article.pk]] == [f"http://testserver{rendition.url}"]


@pytest.mark.parametrize("name", STORY_SITEMAPS)
def test_a_story_without_a_lead_picture_lists_none_not_even_its_body_pictures(client, name):
    lead = pictured(headline="With a lead picture")
    make_renditions(lead)
    inline = get_rendition(library_image(), BODY_SPEC)
    plain = story(headline="No lead picture", body=f'<p>Text</p><p><img src="{inline.url}" alt="A road"></p>')
    pictures = pictures_in(client, name)
    assert pictures[address(plain)] == []
    assert inline.image.content_hash not in client.get(f"/sitemap-{name}.xml").content.decode()
    assert len(pictures[address(lead)]) == 1


def test_hidden_stories_pictures_are_in_no_sitemap(client):
    now = timezone.now()
    hidden = [
        pictured(status=S.DRAFT),
        pictured(status=S.SCHEDULED, scheduled_for=now + timedelta(hours=2)),
        pictured(status=S.PUBLISHED, embargo_until=now + timedelta(hours=2)),
        pictured(status=S.UNPUBLISHED, withdrawal_reason="Legal request"),
        pictured(status=S.SPIKED),
    ]
    public = pictured()
    for article in [*hidden, public]:
        make_renditions(article)  # as the desk's preview would: every hidden picture has its files
    for name in ("articles", "news"):
        xml = client.get(f"/sitemap-{name}.xml").content.decode()
        assert public.lead_image.content_hash in xml, name
        for article in hidden:
            # The content hash names the picture's original and every rendition folder alike.
            assert article.lead_image.content_hash not in xml, f"{article.status} story's picture in {name}"
    for name in ("sections", "regions", "actors"):
        assert "images/" not in client.get(f"/sitemap-{name}.xml").content.decode()
    assert "images/" not in client.get("/sitemap.xml").content.decode()


def test_fetching_the_sitemaps_makes_no_rendition_and_leaves_out_a_picture_not_made_yet(client, media_root):
    article = pictured()
    rows, files = Rendition.objects.count(), sorted(media_root.rglob("*.*"))
    for name in STORY_SITEMAPS:
        assert pictures_in(client, name)[address(article)] == []
        # Nor is the original listed in its place: no public page shows it.
        assert article.lead_image.content_hash not in client.get(f"/sitemap-{name}.xml").content.decode()
    assert Rendition.objects.count() == rows
    assert sorted(media_root.rglob("*.*")) == files
    shown = og_image(client, article)  # the story page's first view makes the picture's renditions
    cache.clear()
    for name in STORY_SITEMAPS:
        assert pictures_in(client, name)[address(article)] == [shown]


def test_a_moved_focal_point_drops_the_old_crop_from_the_sitemap_until_the_new_one_is_made(client):
    article = pictured()
    old = og_image(client, article)
    cache.clear()
    assert pictures_in(client, "articles")[address(article)] == [old]
    image = article.lead_image
    image.focal_x = 0.2
    image.save(update_fields=["focal_x"])
    discard_crops(image)
    cache.clear()
    assert pictures_in(client, "articles")[address(article)] == []
    new = og_image(client, article)
    cache.clear()
    assert pictures_in(client, "articles")[address(article)] == [new] != [old]


@pytest.mark.parametrize(
    "media_url, root",
    [
        ("/média/photos&more/", "http://testserver/m%C3%A9dia/photos&more/"),
        ("https://cdn.example.org/صور/a&b/", "https://cdn.example.org/%D8%B5%D9%88%D8%B1/a&b/"),
    ],
)
def test_picture_addresses_are_percent_encoded_and_escaped(client, settings, media_url, root):
    settings.MEDIA_URL = media_url
    article = pictured()
    make_renditions(article)
    rendition = Rendition.objects.get(image=article.lead_image, spec="w1200-16x9.jpg")
    for name in STORY_SITEMAPS:
        raw = client.get(f"/sitemap-{name}.xml").content
        assert pictures_in(client, name)[address(article)] == [root + rendition.file.name]
        assert f"<image:loc>{root.replace('&', '&amp;')}{rendition.file.name}</image:loc>".encode() in raw


def test_every_page_of_the_article_sitemap_lists_its_stories_pictures(client, monkeypatch):
    from articles.sitemaps import ArticleSitemap

    monkeypatch.setattr(ArticleSitemap, "limit", 2)
    stories = [pictured(age=timedelta(hours=hours)) for hours in (1, 2, 3)]
    for article in stories:
        make_renditions(article)
    first, second = pictures_in(client, "articles"), pictures_in(client, "articles", "?p=2")
    assert set(first) == {address(s) for s in stories[:2]} and set(second) == {address(stories[2])}
    last = Rendition.objects.get(image=stories[2].lead_image, spec="w1200-16x9.jpg")
    assert second[address(stories[2])] == [f"http://testserver{last.url}"]
    assert all(len(found) == 1 for found in first.values())


@pytest.mark.parametrize("name", STORY_SITEMAPS)
def test_story_sitemaps_with_pictures_run_three_queries(client, django_assert_num_queries, name):
    # The page's count and its stories with their pictures' file names, then the page cache's look at the
    # next scheduled publication or embargo end (how long it may keep the page): as before pictures.
    story()
    with django_assert_num_queries(3):
        assert client.get(f"/sitemap-{name}.xml").status_code == 200
    for n in range(6):
        article = pictured()
        if n % 2:  # half of them have their renditions, half are still waiting for a first view
            make_renditions(article)
    cache.clear()
    with django_assert_num_queries(3):
        assert client.get(f"/sitemap-{name}.xml").content.count(b"<image:image>") == 3


def _urlset(*image_children):
    images = "".join(f"<image:image>{child}</image:image>" for child in image_children)
    return (
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'
        ' xmlns:image="http://www.google.com/schemas/sitemap-image/1.1">'
        f"<url><loc>https://example.org/story/</loc>{images}</url></urlset>"
    ).encode()


def test_the_image_schema_refuses_what_google_does_not_document():
    checker = schema("sitemap-with-images.xsd")
    good = "<image:loc>https://example.org/media/a%20b.jpg?x=1&amp;y=2</image:loc>"
    assert checker.validate(etree.fromstring(_urlset(good, good)))
    refused = [
        "",  # no image:loc
        "<image:loc>/media/photo.jpg</image:loc>",  # not absolute
        "<image:loc>https://example.org/صور.jpg</image:loc>",  # not percent-encoded
        "<image:loc>https://example.org/a b.jpg</image:loc>",  # a space
        good + "<image:caption>Deprecated</image:caption>",
        good + "<image:title>Deprecated</image:title>",
        good + good,  # one picture per image:image
    ]
    for children in refused:
        assert not checker.validate(etree.fromstring(_urlset(children))), children
    # The plain schema loads no image schema, so it refuses pictures where none are expected.
    assert not schema("sitemap.xsd").validate(etree.fromstring(_urlset(good)))
