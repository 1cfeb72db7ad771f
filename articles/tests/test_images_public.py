"""Pictures on the public site: the article's lead figure, previews and JSON-LD, lists, feeds, query budgets."""

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from PIL import Image as PILImage

from articles.images import JSONLD_SPECS
from articles.models import Correction, Rendition
from articles.tests.factories import AuthorFactory, SectionFactory
from articles.tests.pictures import library_image
from articles.tests.publishing import fresh_cache, page_queries, story  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_cache", "page_cache_off")]


@pytest.fixture
def encoder_calls(monkeypatch):
    """Count every picture Pillow encodes (the real encoder still runs)."""
    calls = []
    original = PILImage.Image.save

    def counting_save(picture, *args, **kwargs):
        calls.append(args[1] if len(args) > 1 else kwargs.get("format"))
        return original(picture, *args, **kwargs)

    monkeypatch.setattr(PILImage.Image, "save", counting_save)
    return calls


def pictured_story(**kwargs):
    """A public story with a credited lead picture of its own (700×420, so several srcset widths)."""
    image = library_image(size=(700, 420), caption="Families wait at dawn.")
    return story(lead_image=image, **kwargs)


def _meta(html, name):
    found = re.search(rf'<meta (?:property|name)="{re.escape(name)}" content="([^"]*)"', html)
    return found.group(1) if found else None


def _json_ld(html):
    found = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    return json.loads(found.group(1))


def test_article_page_shows_the_lead_figure_with_caption_override_credit_and_alt(client):
    article = pictured_story(lead_image_caption="Families queue at the Baghouz checkpoint.")
    html = client.get(article.get_absolute_url()).content.decode()
    figure = re.search(r'<figure class="lead-image">.*?</figure>', html, re.S).group(0)
    assert "Families queue at the Baghouz checkpoint." in figure
    assert "Families wait at dawn." not in figure
    assert '<span class="credit">Jane Doe / AFP</span>' in figure
    assert 'alt="Families with bags waiting beside a road"' in figure
    assert 'sizes="(min-width: 44rem) 42rem, 100vw"' in figure
    assert re.search(r'<source type="image/webp" srcset="[^"]*w320-16x9[^"]* 320w, [^"]*w640-16x9[^"]* 640w"', figure)
    assert 'loading="eager"' in figure and 'fetchpriority="high"' in figure


def test_article_page_without_override_shows_the_pictures_own_caption(client):
    html = client.get(pictured_story().get_absolute_url()).content.decode()
    assert "Families wait at dawn." in html


def test_public_pages_with_pictures_carry_no_inline_style(client):
    article = pictured_story(section=SectionFactory(slug="news"))
    for url in (article.get_absolute_url(), "/", "/section/news/"):
        html = client.get(url).content.decode()
        assert " style=" not in html, url
        assert "<picture>" in html, url


def test_previews_and_json_ld_use_the_lead_pictures_crops_not_the_first_body_image(client):
    article = pictured_story(body='<p>Text</p><p><img src="/media/other.jpg" alt="other"></p>')
    html = client.get(article.get_absolute_url()).content.decode()
    renditions = {r.spec: r for r in Rendition.objects.filter(image=article.lead_image)}
    social = "http://testserver" + renditions["w1200-16x9.jpg"].url
    assert _meta(html, "og:image") == social
    assert _meta(html, "twitter:image") == social
    assert _meta(html, "twitter:card") == "summary_large_image"
    assert _meta(html, "og:image:width") == "700" and _meta(html, "og:image:height") == "394"
    assert _meta(html, "og:image:alt") == "Families with bags waiting beside a road"
    images = _json_ld(html)["image"]
    assert images == ["http://testserver" + renditions[spec].url for spec in JSONLD_SPECS]
    ratios = [renditions[spec].width / renditions[spec].height for spec in JSONLD_SPECS]
    assert [round(r, 2) for r in ratios] == [1.78, 1.33, 1.0]
    assert "other.jpg" not in json.dumps(images)


def test_story_without_a_lead_picture_still_offers_its_first_body_image(client):
    article = story(body='<p>Text</p><p><img src="/media/body.jpg" alt="x"></p>')
    html = client.get(article.get_absolute_url()).content.decode()
    assert _meta(html, "og:image") == "http://testserver/media/body.jpg"
    assert _json_ld(html)["image"] == ["http://testserver/media/body.jpg"]
    assert '<figure class="lead-image">' not in html


def test_second_view_of_an_article_makes_no_rendition_and_encodes_nothing(client, encoder_calls):
    article = pictured_story()
    client.get(article.get_absolute_url())
    made = Rendition.objects.count()
    files = sorted(Path(django_settings.MEDIA_ROOT).rglob("*.*"))
    assert made > 0 and encoder_calls
    encoder_calls.clear()
    response = client.get(article.get_absolute_url())
    assert response.status_code == 200 and b"<picture>" in response.content
    assert Rendition.objects.count() == made
    assert encoder_calls == []
    assert sorted(Path(django_settings.MEDIA_ROOT).rglob("*.*")) == files


def test_first_article_view_makes_what_its_feeds_need_too(client, encoder_calls):
    article = pictured_story()
    client.get(article.get_absolute_url())
    encoder_calls.clear()
    assert b"<enclosure" in client.get("/feeds/latest/rss/").content
    assert encoder_calls == []


def test_article_page_with_a_lead_picture_runs_two_queries(client, places, actors):
    small = pictured_story(regions=[places["baghouz"]])
    big = pictured_story(
        regions=list(places.values()), actors=list(actors.values()), authors=[AuthorFactory() for _ in range(3)]
    )
    Correction.objects.create(article=big, text="A correction")
    # The picture costs no query of its own (nor do the corrections, places, actors and authors, which come
    # in the story's row): the story, then the related stories.
    assert page_queries(client, small.get_absolute_url()) == 2
    assert page_queries(client, big.get_absolute_url()) == 2


def test_arabic_article_page_shows_its_lead_figure_right_to_left(client):
    image = library_image(size=(700, 420), caption="عائلات تنتظر عند حاجز", alt_text="عائلات تنتظر")
    article = story(language="ar", headline="سقوط آخر جيب لداعش", lead_image=image)
    response = client.get(article.get_absolute_url())
    assert response.status_code == 200
    html = response.content.decode()
    assert 'dir="rtl"' in html
    figure = re.search(r'<figure class="lead-image">.*?</figure>', html, re.S).group(0)
    assert "عائلات تنتظر عند حاجز" in figure and 'alt="عائلات تنتظر"' in figure
    assert _meta(html, "og:image").endswith(".jpg")
    assert page_queries(client, article.get_absolute_url()) <= 2


LISTS = {
    "home": ("/", 5),
    "section": ("/section/syria-news/", 5),
    "region": ("/region/syria/", 6),
    "actor": ("/actor/islamic-state/", 4),
    "author": ("/author/rania-khalil/", 4),
    "search": ("/search/?q=story", 2),
    "latest feed": ("/feeds/latest/rss/", None),
    "Atom feed": ("/feeds/latest/atom/", None),
}


@pytest.mark.parametrize("page", list(LISTS))
def test_lists_show_pictures_in_a_fixed_number_of_queries(client, places, actors, page):
    url, pinned = LISTS[page]
    section = SectionFactory(name="Syria News", slug="syria-news")
    author = AuthorFactory(display_name="Rania Khalil", slug="rania-khalil")
    tags = {"section": section, "regions": [places["baghouz"]], "actors": [actors["isis"]], "authors": [author]}
    for n in range(3):
        pictured_story(headline=f"Pictured story {n}", **tags)
        story(headline=f"Story without a picture {n}", **tags)
    few = page_queries(client, url)
    for n in range(6):
        pictured_story(headline=f"Another pictured story {n}", **tags)
    many = page_queries(client, url)
    assert (page, many) == (page, few)
    if pinned is not None:
        assert (page, few) == (page, pinned)  # the same budget as the lists without pictures (test_views)
    html = client.get(url).content.decode()
    if "feeds" not in url:
        assert html.count("<picture>") == html.count('class="story has-picture"') >= 6
        assert 'sizes="(min-width: 40rem) 10rem, 30vw"' in html
        assert re.search(r"w320-16x9[^ ]*\.webp 320w", html)


def test_rss_feed_carries_the_lead_picture_as_an_enclosure_with_length_and_type(client):
    article = pictured_story()
    story(headline="No picture here")
    root = ET.fromstring(client.get("/feeds/latest/rss/").content)
    enclosures = root.findall("./channel/item/enclosure")
    assert len(enclosures) == 1
    rendition = Rendition.objects.get(image=article.lead_image, spec="w1280-16x9.jpg")
    assert enclosures[0].attrib == {
        "url": "http://testserver" + rendition.url,
        "length": str(rendition.file_size),
        "type": "image/jpeg",
    }
    assert rendition.file_size == Path(rendition.file.path).stat().st_size


def test_atom_feed_links_the_lead_picture_as_an_enclosure(client):
    article = pictured_story()
    root = ET.fromstring(client.get("/feeds/latest/atom/").content)
    links = root.findall("{http://www.w3.org/2005/Atom}entry/{http://www.w3.org/2005/Atom}link[@rel='enclosure']")
    rendition = Rendition.objects.get(image=article.lead_image, spec="w1280-16x9.jpg")
    assert [link.attrib["href"] for link in links] == ["http://testserver" + rendition.url]
    assert links[0].attrib["length"] == str(rendition.file_size) and links[0].attrib["type"] == "image/jpeg"


def test_arabic_lists_and_feeds_show_the_pictures_of_arabic_stories(client):
    image = library_image(size=(700, 420), alt_text="عائلات تنتظر")
    story(language="ar", headline="سقوط آخر جيب لداعش", lead_image=image)
    html = client.get("/ar/").content.decode()
    assert html.count("<picture>") == 1 and 'alt="عائلات تنتظر"' in html
    assert b"<enclosure" in client.get("/ar/feeds/latest/rss/").content
    assert "<picture>" not in client.get("/").content.decode()  # the English edition lists no Arabic story
