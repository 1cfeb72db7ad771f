"""The Content-Security-Policy in a real browser (Debian's Chromium through Playwright): the admin's article
form with TinyMCE and the public pages load with no CSP violation. Skipped when /usr/bin/chromium is
missing (`apt-get install -y chromium`)."""

import os

import pytest

from articles.tests.browser import BROWSER_TEST_MARKS, launch
from articles.tests.test_security import published_story  # noqa: F401 - a fixture used below

pytestmark = BROWSER_TEST_MARKS


@pytest.fixture
def page(settings):
    """A Chromium page recording CSP violations. Request it last: database set-up done after Playwright's
    loop starts runs on a connection that pytest-django never closes (the test database then cannot be
    dropped on PostgreSQL)."""
    from playwright.sync_api import sync_playwright

    settings.NEWSROOM_CSP = True
    # Playwright's sync API runs an event loop in this thread; the test's own ORM calls stay synchronous.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        browser = launch(playwright)
        page = browser.new_page()
        # Every violation the browser reports, from the document's own event and from the console.
        page.add_init_script(
            "window.cspViolations = [];"
            "document.addEventListener('securitypolicyviolation',"
            " e => window.cspViolations.push(e.violatedDirective + ' ' + (e.blockedURI || 'inline')));"
        )
        page.console_violations = []
        page.on(
            "console",
            lambda message: (
                page.console_violations.append(message.text) if "Content Security Policy" in message.text else None
            ),
        )
        yield page
        browser.close()
    os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


def csp_violations(page):
    """What the browser refused on the current page, as reported by the page and by the console."""
    return page.evaluate("window.cspViolations") + page.console_violations


def test_tinymce_and_the_admin_work_under_the_staff_policy(live_server, admin_user_role, published_story, page):  # noqa: F811
    page.goto(f"{live_server.url}/admin/login/?next=/admin/articles/article/{published_story.pk}/change/")
    page.fill("#id_username", "admin")
    page.fill("#id_password", "pass-for-tests-1")
    page.click("input[type=submit]")
    # TinyMCE built its editor (toolbar and editing frame) and shows the story's text.
    page.wait_for_selector(".tox-tinymce .tox-toolbar__primary", timeout=15000)
    frame = page.frame_locator(".tox-edit-area__iframe")
    assert "shelling" in frame.locator("body").inner_text(timeout=15000)
    assert csp_violations(page) == []


def test_public_pages_load_under_the_strict_policy(live_server, published_story, page):  # noqa: F811
    for path in ("/", published_story.get_absolute_url()):
        response = page.goto(f"{live_server.url}{path}")
        assert response.status == 200
        assert "Content-Security-Policy" in {name.title(): value for name, value in response.headers.items()}
        # The stylesheet applied: the masthead link is bold, as site.css says.
        assert page.eval_on_selector(".masthead a", "a => getComputedStyle(a).fontWeight") == "700"
        assert csp_violations(page) == []


@pytest.fixture
def pictured_story(db):
    """A public story with a lead picture (made before the browser starts: see `page`)."""
    from articles.tests.pictures import library_image
    from articles.tests.publishing import story

    return story(headline="Families return to Baghouz", lead_image=library_image(size=(700, 420)))


def test_pages_with_pictures_load_under_the_strict_policy_and_lay_them_out_by_class(live_server, pictured_story, page):
    page.goto(f"{live_server.url}{pictured_story.get_absolute_url()}")
    sizes = page.eval_on_selector(".lead-image img", "img => img.getAttribute('sizes')")
    assert sizes == "(min-width: 44rem) 42rem, 100vw"
    assert csp_violations(page) == []
    page.goto(f"{live_server.url}/")
    # The list's grid comes from site.css: the strict policy allows no style attribute.
    assert page.eval_on_selector(".story.has-picture", "li => getComputedStyle(li).display") == "grid"
    assert csp_violations(page) == []
