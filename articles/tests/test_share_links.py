"""Share links on a story: plain links to each service's share address, with the story's address and headline."""

from urllib.parse import parse_qs, quote, urlsplit

import pytest
from lxml import html as lxml_html

from articles.tests.publishing import fresh_cache, story  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_cache")]


def share_row(client, article):
    page = lxml_html.fromstring(client.get(article.get_absolute_url()).content)
    (nav,) = page.xpath('//nav[@class="share"]')
    return nav, {link.text_content(): link.get("href") for link in nav.xpath(".//a")}


def test_a_story_offers_whatsapp_telegram_x_facebook_and_email_with_its_address_and_headline(client):
    article = story(headline="Aid convoy reaches Raqqa & Tabqa")
    nav, links = share_row(client, article)
    address = f"http://testserver{article.get_absolute_url()}"
    assert list(links) == ["WhatsApp", "Telegram", "X", "Facebook", "Email"]
    assert nav.get("aria-label") == "Share this story"
    whatsapp = parse_qs(urlsplit(links["WhatsApp"]).query)
    assert urlsplit(links["WhatsApp"]).netloc == "wa.me"
    assert whatsapp["text"] == [f"Aid convoy reaches Raqqa & Tabqa {address}"]
    telegram = parse_qs(urlsplit(links["Telegram"]).query)
    assert telegram == {"url": [address], "text": ["Aid convoy reaches Raqqa & Tabqa"]}
    assert parse_qs(urlsplit(links["X"]).query)["url"] == [address]
    assert parse_qs(urlsplit(links["Facebook"]).query) == {"u": [address]}
    assert links["Email"] == f"mailto:?subject={quote(article.headline, safe='')}&body={quote(address, safe='')}"


def test_arabic_story_shares_its_arabic_headline_and_address_with_arabic_labels(client):
    article = story(headline="قافلة مساعدات تصل إلى الرقة", slug="قافلة-الرقة", language="ar")
    nav, links = share_row(client, article)
    telegram = parse_qs(urlsplit(links["Telegram"]).query)
    assert telegram["text"] == ["قافلة مساعدات تصل إلى الرقة"]
    assert telegram["url"] == [f"http://testserver{article.get_absolute_url()}"]  # percent-encoded once
    assert "%D8%B1" in telegram["url"][0]
    assert "البريد الإلكتروني" in links  # the e-mail label is translated; service names are not
    assert nav.get("aria-label") == "شارك هذه القصة"


def test_a_hostile_headline_stays_inside_the_share_addresses(client):
    article = story(headline='Quote " and <script>alert(1)</script> in a headline')
    body = client.get(article.get_absolute_url()).content.decode()
    share = body[body.index('<nav class="share"') : body.index("</nav>", body.index('<nav class="share"'))]
    assert "<script>" not in share and '" and' not in share
    _, links = share_row(client, article)
    assert parse_qs(urlsplit(links["Telegram"]).query)["text"] == [article.headline]
