"""The reader's light / dark switch as the server sends it: the same bytes for every reader (the choice lives in
the browser, static/js/theme.js), its script ahead of the stylesheet and not deferred, so a chosen theme is set
before the first paint, and its button hidden until the script shows it. test_dark_browser.py clicks it."""

import pytest
from lxml import html as lxml_html

from articles.tests.publishing import fresh_cache, story  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_cache")]


@pytest.mark.parametrize("address", ["/", "/ar/", "/search/?q=Baghouz", "story", "/no-such-page/"])
def test_every_page_loads_the_switch_before_its_stylesheet_and_hides_its_button(client, address):
    if address == "story":
        address = story().get_absolute_url()
    response = client.get(address)
    assert response.status_code in (200, 404)
    head = lxml_html.fromstring(response.content).xpath("//head")[0]
    order = [(e.tag, e.get("src") or e.get("href") or "") for e in head if e.tag in ("script", "link")]
    scripts = [n for n, (tag, src) in enumerate(order) if tag == "script" and "/js/theme." in src]
    sheets = [n for n, (tag, href) in enumerate(order) if tag == "link" and "/css/site." in href]
    assert len(scripts) == 1 and scripts[0] < sheets[0]
    (script,) = head.xpath('script[contains(@src, "/js/theme.")]')
    assert script.get("defer") is None and script.get("async") is None
    (button,) = lxml_html.fromstring(response.content).xpath('//footer//button[@class="theme-switch"]')
    assert button.get("hidden") is not None and button.get("aria-pressed") == "false"


def test_the_switch_changes_nothing_the_server_sends(client, page_cache_off):
    # No cookie is read or set: the page cache may serve one copy to every reader, whatever they chose. Both
    # pages are rendered (the page cache is off), so a theme read from a cookie would show.
    address = story().get_absolute_url()
    first = client.get(address)
    client.cookies["newsroom-theme"] = "dark"
    again = client.get(address)
    assert not first.cookies and first.content == again.content
    assert "cookie" not in again.get("Vary", "").lower()
