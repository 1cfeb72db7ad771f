"""Dark pages in a real browser: the public site and the desk follow a device that asks for dark colours.

Readers at night get the site's dark palette (static/css/site.css) with the same accessibility as the light
one, or choose it (or the light one) with the footer's "Dark mode" button, a choice kept in their browser; a
print stays dark ink on white paper; the desk's diffs and workflow status stay readable in the admin's dark theme.
"""

import pytest
from django.template.loader import render_to_string
from django.urls import reverse

from articles import editing
from articles.archive_views import story_archive_paths
from articles.tests.browser import BROWSER_TEST_MARKS, browser  # noqa: F401 - browser is a fixture
from articles.tests.publishing import story
from articles.tests.test_browser import opinions, serious_violations, stories  # noqa: F401 - fixtures

pytestmark = BROWSER_TEST_MARKS

# The page's own colours as the reader sees them: relative luminance (WCAG) of the body's text and background.
LUMINANCE = """selector => {
    const channel = c => { c /= 255; return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4; };
    // Any CSS colour (rgb(), color(srgb …) from color-mix(), a transparent one over white) drawn on a pixel.
    const luminance = colour => {
        const canvas = document.createElement("canvas");
        canvas.width = canvas.height = 1;
        const context = canvas.getContext("2d");
        context.fillStyle = "#fff";
        context.fillRect(0, 0, 1, 1);
        context.fillStyle = colour;
        context.fillRect(0, 0, 1, 1);
        const [r, g, b] = context.getImageData(0, 0, 1, 1).data;
        return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
    };
    const style = getComputedStyle(document.querySelector(selector));
    return {text: luminance(style.color), background: luminance(style.backgroundColor)};
}"""
# The contrast ratio of an element's text on its own background colour.
CONTRAST = (
    "selector => { const l = ("
    + LUMINANCE
    + ")(selector); const [hi, lo] = [Math.max(l.text, l.background), Math.min(l.text, l.background)];"
    " return (hi + 0.05) / (lo + 0.05); }"
)


@pytest.fixture
def dark(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, color_scheme="dark")
    yield context.new_page()
    context.close()


@pytest.fixture
def pages(stories, places):
    """The pages of the light theme's browser tests (their stories), by name."""
    return {
        "home": "/",
        "article": stories["english"].get_absolute_url(),
        "arabic article": stories["arabic"].get_absolute_url(),
        "region": places["syria"].get_absolute_url(),
        "search": "/search/?q=Baghouz",
        "arabic archive month": "/ar" + story_archive_paths(stories["arabic"])[1],
    }


@pytest.mark.parametrize("name", ["home", "article", "arabic article", "region", "search", "arabic archive month"])
def test_a_dark_device_gets_dark_pages_that_axe_passes(live_server, dark, pages, name):
    dark.goto(live_server.url + pages[name])
    colours = dark.evaluate(LUMINANCE, "body")
    # Light text on a dark page, not the light page under a dark browser frame.
    assert colours["background"] < 0.05 < 0.6 < colours["text"]
    assert serious_violations(dark) == []


def test_a_light_device_keeps_the_light_pages(live_server, browser, pages):
    context = browser.new_context(color_scheme="light")
    page = context.new_page()
    page.goto(live_server.url + pages["article"])
    colours = page.evaluate(LUMINANCE, "body")
    context.close()
    assert colours["background"] > 0.9 and colours["text"] < 0.05


def test_printing_from_a_dark_device_gives_dark_ink_on_white_paper(live_server, dark, pages):
    dark.goto(live_server.url + pages["article"])
    dark.emulate_media(media="print")
    for selector in ("body", ".headline", ".article-body p", ".standfirst"):
        colours = dark.evaluate(LUMINANCE, selector)
        assert colours["text"] < 0.05, selector
    assert dark.evaluate(LUMINANCE, "body")["background"] > 0.9


def test_the_outage_page_follows_a_dark_device(live_server, dark):
    # The 503 page as the outage middleware renders it, shown at the site's address so its stylesheet loads.
    dark.goto(live_server.url + "/healthz")
    dark.set_content(render_to_string("503.html", {"retry_after": 30}))
    colours = dark.evaluate(LUMINANCE, ".status")
    assert colours["background"] < 0.05 < 0.6 < colours["text"]
    assert serious_violations(dark) == []


def is_dark(page):
    colours = page.evaluate(LUMINANCE, "body")
    if colours["background"] < 0.05 < 0.6 < colours["text"]:
        return True
    assert colours["background"] > 0.9 and colours["text"] < 0.05, colours  # the light pages, or a muddle
    return False


def test_a_reader_on_a_light_device_turns_dark_pages_on_and_the_choice_stays(live_server, browser, pages):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, color_scheme="light")
    page = context.new_page()
    page.goto(live_server.url + pages["article"])
    switch = page.get_by_role("button", name="Dark mode")
    assert switch.get_attribute("aria-pressed") == "false" and not is_dark(page)
    switch.click()
    assert switch.get_attribute("aria-pressed") == "true" and is_dark(page)
    assert serious_violations(page) == []
    # Kept for every page of the site, either edition, from the first paint: the Arabic story opens dark.
    page.goto(live_server.url + pages["arabic article"])
    arabic = page.get_by_role("button", name="الوضع الداكن")
    assert page.locator("html").get_attribute("data-theme") == "dark" and is_dark(page)
    assert arabic.get_attribute("aria-pressed") == "true"
    assert serious_violations(page) == []
    page.emulate_media(media="print")
    printed = page.evaluate(LUMINANCE, "body")
    page.emulate_media(media="screen")
    arabic.click()  # and off again: light pages, kept too
    page.reload()
    light = not is_dark(page) and arabic.get_attribute("aria-pressed") == "false"
    context.close()
    assert printed["background"] > 0.9 and printed["text"] < 0.05  # a print is still dark ink on white paper
    assert light


def test_a_reader_on_a_dark_device_may_choose_light_pages(live_server, dark, pages):
    dark.goto(live_server.url + pages["home"])
    switch = dark.get_by_role("button", name="Dark mode")
    assert switch.get_attribute("aria-pressed") == "true" and is_dark(dark)
    switch.click()
    assert switch.get_attribute("aria-pressed") == "false" and not is_dark(dark)
    dark.goto(live_server.url + pages["search"])
    assert not is_dark(dark) and serious_violations(dark) == []


def test_without_scripts_there_is_no_switch_and_the_pages_follow_the_device(live_server, browser, pages):
    context = browser.new_context(color_scheme="dark", java_script_enabled=False)
    page = context.new_page()
    page.goto(live_server.url + pages["article"])
    offered, dark_pages = page.locator("button.theme-switch").is_visible(), is_dark(page)
    context.close()
    assert not offered and dark_pages


def _sign_in(page, live_server, user):
    page.goto(live_server.url + reverse("admin:login"))
    page.fill("#id_username", user.username)
    page.fill("#id_password", "pass-for-tests-1")
    page.click("input[type=submit]")


@pytest.mark.parametrize("theme", ["auto", "dark", "light"])
def test_the_desks_diff_and_status_stay_readable_in_each_admin_theme(live_server, browser, editor, theme):
    article = story(headline="Talks resume in Baghdad", standfirst="Delegates met on Monday.")
    editing.save_edit(
        article.pk, {"standfirst": "Delegates met again on Tuesday."}, by=editor, base_version=article.version
    )
    compare = reverse("admin:articles_article_compare", args=[article.pk]) + "?from=1&to=2"
    change = reverse("admin:articles_article_change", args=[article.pk])
    # "auto" follows the device, which asks for dark; the admin's own switch can force either theme.
    context = browser.new_context(viewport={"width": 1280, "height": 900}, color_scheme="dark")
    page = context.new_page()
    _sign_in(page, live_server, editor)
    page.evaluate("theme => localStorage.setItem('theme', theme)", theme)
    page.goto(live_server.url + compare)
    assert page.locator(".desk-diff del").count() and page.locator(".desk-diff ins").count()
    ratios = {tag: page.evaluate(CONTRAST, f".desk-diff {tag}") for tag in ("del", "ins")}
    page_background = page.evaluate(LUMINANCE, "body")["background"]
    page.goto(live_server.url + change)
    status = page.evaluate(CONTRAST, ".desk-status")
    context.close()
    assert (page_background < 0.05) is (theme != "light")
    assert min(ratios.values()) >= 4.5, ratios
    assert status >= 4.5


@pytest.mark.parametrize(
    "address",
    [
        lambda o: o["english"].get_absolute_url(),
        lambda o: o["arabic"].get_absolute_url(),
        lambda o: "/",
        lambda o: "/ar/search/?q=camps",
    ],
    ids=["opinion", "arabic opinion", "home", "english opinion on an arabic page"],
)
def test_labelled_stories_pass_axe_on_a_dark_device(live_server, dark, opinions, address):
    dark.goto(live_server.url + address(opinions))
    assert dark.locator(".work-type-opinion").count() >= 1
    assert dark.evaluate(CONTRAST, ".work-type-opinion") >= 4.5
    assert serious_violations(dark) == []


def test_an_opinion_label_prints_as_dark_ink_from_a_dark_device(live_server, dark, opinions):
    dark.goto(live_server.url + opinions["english"].get_absolute_url())
    dark.emulate_media(media="print")
    colours = dark.evaluate(LUMINANCE, "article .work-type")
    # No solid background on paper (printers drop it), so the word is printed dark, not white on white.
    assert colours["text"] < 0.05 and colours["background"] > 0.9


@pytest.mark.parametrize(
    "theme, device, dark_editor",
    [("auto", "dark", True), ("dark", "light", True), ("light", "dark", False), ("auto", "light", False)],
)
def test_the_body_editor_follows_the_admins_theme(live_server, browser, editor, theme, device, dark_editor):
    article = story(headline="Talks resume in Baghdad", body="<p>Delegates met on Monday.</p>")
    context = browser.new_context(viewport={"width": 1280, "height": 900}, color_scheme=device)
    page = context.new_page()
    _sign_in(page, live_server, editor)
    page.evaluate("theme => localStorage.setItem('theme', theme)", theme)
    page.goto(live_server.url + reverse("admin:articles_article_change", args=[article.pk]))
    page.wait_for_selector(".tox-toolbar__primary")
    writing = page.query_selector("#id_body_ifr").content_frame()
    writing.wait_for_selector("body#tinymce p")
    toolbar = page.evaluate(LUMINANCE, ".tox-toolbar__primary")
    text = writing.evaluate(LUMINANCE, "body#tinymce")
    typed = writing.evaluate(CONTRAST, "body#tinymce")
    context.close()
    # The toolbar and the page one writes on are dark exactly when the rest of the admin is.
    assert (toolbar["background"] < 0.1) is dark_editor, toolbar
    assert (text["background"] < 0.1) is dark_editor, text
    assert typed >= 4.5
