"""What machines read on an article page: NewsArticle JSON-LD (via extruct), Open Graph and Twitter cards."""

from datetime import UTC, datetime

import extruct
import pytest

from articles.models import Article
from articles.tests.factories import AuthorFactory, SectionFactory
from articles.tests.publishing import fresh_cache, story  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_cache")]


@pytest.fixture
def article(places, actors):
    article = story(
        headline="Baghouz falls </script><script>alert(1)</script>",
        standfirst="The last pocket is taken.",
        body='<p>Text.</p><figure><img src="/media/baghouz.jpg" alt="Baghouz"></figure>',
        section=SectionFactory(name="Syria News", slug="syria-news"),
        regions=[places["baghouz"]],
        actors=[actors["isis"]],
        authors=[AuthorFactory(display_name="Omar Hassan", slug="omar-hassan")],
    )
    first = datetime(2026, 3, 1, 6, 0, tzinfo=UTC)
    last = datetime(2026, 3, 1, 8, 15, tzinfo=UTC)
    Article.objects.filter(pk=article.pk).update(first_published_at=first, last_published_at=last)
    article.refresh_from_db()
    return article


def extract(client, article):
    html = client.get(article.get_absolute_url()).content.decode()
    data = extruct.extract(html, base_url="http://testserver/", syntaxes=["json-ld", "opengraph"])
    data["opengraph"] = [dict(group["properties"]) for group in data["opengraph"]]
    return html, data


def test_news_article_json_ld_describes_the_story(client, article):
    _, data = extract(client, article)
    (news,) = [d for d in data["json-ld"] if d["@type"] == "NewsArticle"]
    url = f"http://testserver{article.get_absolute_url()}"
    assert news["headline"] == article.headline
    assert news["url"] == url
    assert news["datePublished"] == "2026-03-01T09:00:00+03:00"
    assert news["dateModified"] == "2026-03-01T11:15:00+03:00"
    assert news["author"] == [
        {"@type": "Person", "name": "Omar Hassan", "url": "http://testserver/author/omar-hassan/"}
    ]
    assert news["publisher"]["@type"] == "Organization" and news["publisher"]["name"] == "Newsroom"
    # The publisher's logo is the site's own icon, at an address that answers with it (Google asks for one).
    logo = news["publisher"]["logo"]
    assert (logo["url"], logo["width"], logo["height"]) == ("http://testserver/icon-512.png", 512, 512)
    assert client.get("/icon-512.png")["Content-Type"] == "image/png"
    assert news["articleSection"] == "Syria News"
    assert news["inLanguage"] == "en"
    assert news["image"] == ["http://testserver/media/baghouz.jpg"]
    assert [p["name"] for p in news["about"]] == ["Baghouz"]
    assert news["about"][0]["url"] == "http://testserver/region/baghouz/"
    assert [(m["@type"], m["name"]) for m in news["mentions"]] == [("Organization", "Islamic State")]


def test_json_ld_cannot_be_broken_out_of_by_a_headline(client, article):
    html, _ = extract(client, article)
    assert "<script>alert(1)</script>" not in html


def test_open_graph_and_twitter_tags(client, article):
    html, data = extract(client, article)
    (og,) = data["opengraph"]
    assert og["og:type"] == "article"
    assert og["og:title"] == article.headline
    assert og["og:url"] == f"http://testserver{article.get_absolute_url()}"
    assert og["og:image"] == "http://testserver/media/baghouz.jpg"
    assert og["article:published_time"] == "2026-03-01T09:00:00+03:00"
    assert og["article:modified_time"] == "2026-03-01T11:15:00+03:00"
    assert og["article:author"] == "http://testserver/author/omar-hassan/"
    assert og["article:section"] == "Syria News"
    assert '<meta property="article:tag" content="Islamic State">' in html
    assert '<meta name="twitter:card" content="summary_large_image">' in html


def test_story_without_image_has_no_image_claims(client, places):
    plain = story(headline="No picture today")
    html, data = extract(client, plain)
    (news,) = data["json-ld"]
    assert "image" not in news
    assert '<meta name="twitter:card" content="summary">' in html


def test_arabic_story_declares_arabic(client, db):
    arabic = story(headline="سقوط الباغوز", slug="s", language="ar")
    _, data = extract(client, arabic)
    assert data["json-ld"][0]["inLanguage"] == "ar"
    assert data["opengraph"][0]["og:locale"] == "ar_AR"


def test_a_story_without_a_standfirst_is_described_by_the_start_of_its_body_everywhere(client, db):
    words = " ".join(f"word{n}" for n in range(80))
    plain = story(headline="No standfirst", standfirst="", body=f"<p>First <b>line</b>.</p><p>{words}</p>")
    html, data = extract(client, plain)
    summary = f"First line . {words}"[:297] + "…"
    assert data["json-ld"][0]["description"] == summary
    assert data["opengraph"][0]["og:description"] == summary
    assert f'<meta name="twitter:description" content="{summary}">' in html
    assert f'<meta name="description" content="{summary}">' in html
