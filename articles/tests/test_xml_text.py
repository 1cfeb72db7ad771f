"""Characters XML cannot carry (pasted from a word processor): the desk's forms leave them out of what they save,
and the feeds and the news sitemap leave them out of what they write, so one of them never takes a feed down."""

import pytest
from django.urls import reverse

from articles.models import Author, LiveUpdate
from articles.normalisation import xml_text
from articles.tests.desk_forms import post_change
from articles.tests.factories import ArticleFactory, RegionFactory, SectionFactory
from articles.tests.publishing import S, fresh_cache, story  # noqa: F401
from articles.tests.test_feeds import parse
from articles.tests.test_sitemaps import valid

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_cache")]

# Word's line break inside a paragraph is a vertical tab; the others are what broken encodings leave behind.
PASTED = "Basra residents\x0btake to\x0cthe streets\x01\x1f\ufffe"
CLEAN = "Basra residents take to the streets"


def test_only_the_characters_xml_cannot_carry_go():
    assert xml_text(PASTED) == CLEAN
    assert xml_text("Tabs\tnew lines\nand returns\r stay; so does العربية.") == (
        "Tabs\tnew lines\nand returns\r stay; so does العربية."
    )
    assert xml_text("") == ""


def test_a_live_update_pasted_with_a_line_break_from_word_keeps_its_feeds_valid(client, publisher):
    article = story(headline="Battle for Baghouz")
    client.force_login(publisher)
    move = reverse("admin:articles_article_move", args=[article.pk, "post_live_update"])
    response = client.post(move, {"title": "Key\x0bevent", "text": "Line one\x0bline two\x02."}, follow=True)
    assert "done" in response.content.decode()
    update = LiveUpdate.objects.get(article=article)
    assert update.title == "Key event"
    assert "Line one line two." in update.text
    for form in ("rss", "atom"):
        entry = parse(client, article.live_updates_feed_url(form)).entries[0]
        assert entry.title == "Key event"
        assert "Line one line two." in entry.summary


def test_a_headline_pasted_into_the_story_form_is_saved_without_them(client, editor):
    article = ArticleFactory(headline="Basra protest", section=SectionFactory())
    client.force_login(editor)
    response = post_change(client, article, headline=PASTED, standfirst="A crowd\x0bat the gate.")
    assert response.status_code == 302, response.content.decode()[:2000]
    article.refresh_from_db()
    assert (article.headline, article.standfirst) == (CLEAN, "A crowd at the gate.")


def test_an_authors_name_typed_in_the_admin_is_saved_without_them(client, admin_user):
    client.force_login(admin_user)
    data = {"display_name": "Rasha\x0cKhalil", "name_ar": "رشا\x0bخليل", "slug": "rasha-khalil", "profile_links": ""}
    response = client.post(reverse("admin:articles_author_add"), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    author = Author.objects.get(slug="rasha-khalil")
    assert (author.display_name, author.name_ar) == ("Rasha Khalil", "رشا خليل")


@pytest.fixture
def stored_before(places):
    """A public story whose headline, standfirst, section and place were stored with such characters (before the forms
    cleaned them, or by the shell): every feed and sitemap showing them must still be XML."""
    basra = RegionFactory(name="Basra\x0bcity", slug="basra-city", parent=places["iraq"])
    section = SectionFactory(name="Iraq\x07 news", slug="iraq-news")
    article = story(headline=PASTED, standfirst="Crowds\x0bgathered.\x1b", section=section, regions=[basra])
    return {"article": article, "basra": basra, "section": section}


@pytest.mark.parametrize(
    "address",
    [
        "/feeds/latest/rss/",
        "/feeds/latest/atom/",
        "/feeds/section/iraq-news/rss/",
        "/feeds/region/basra-city/atom/",
        "/feeds/region/iraq/rss/",
    ],
)
def test_text_stored_with_them_still_makes_valid_feeds(client, stored_before, address):
    parsed = parse(client, address)
    entry = next(entry for entry in parsed.entries if entry.link.endswith(stored_before["article"].get_absolute_url()))
    assert entry.title == CLEAN
    assert "Crowds gathered." in entry.summary
    assert {"Basra city", "Iraq news"} <= {tag.term for tag in entry.tags}


def test_text_stored_with_them_still_makes_a_valid_news_sitemap(client, stored_before):
    document = valid(client.get("/sitemap-news.xml").content, "sitemap-with-news.xsd")
    titles = document.findall(".//{http://www.google.com/schemas/sitemap-news/0.9}title")
    assert [title.text for title in titles] == [CLEAN]
