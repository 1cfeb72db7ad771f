"""Story videos in a real browser (Debian's Chromium through Playwright): nothing is fetched from the video host
until the reader presses play; then the cookie-less player loads, framed as the page's policy allows. The
players never come from the network here: every request leaving the test server is recorded, and the two
players' addresses are answered by a local stand-in (any other is refused)."""

import re

import pytest

from articles import workflow
from articles.models import Article
from articles.tests.browser import BROWSER_TEST_MARKS, browser  # noqa: F401 - browser is a fixture
from articles.tests.factories import ArticleFactory
from articles.tests.publishing import story
from articles.tests.test_browser import serious_violations

pytestmark = BROWSER_TEST_MARKS

STAND_IN = "<!doctype html><title>Stand-in player</title><p>Local stand-in player</p>"
CSP_WATCH = (
    "window.cspViolations = [];"
    "document.addEventListener('securitypolicyviolation',"
    " e => window.cspViolations.push(e.violatedDirective + ' ' + (e.blockedURI || 'inline')));"
)


@pytest.fixture
def videos(settings, db):
    settings.NEWSROOM_PAGE_CACHE_SECONDS = 0
    settings.NEWSROOM_CSP = True
    english = story(
        headline="Convoy leaves Baghouz",
        body=(
            "<p>Residents filmed the convoy.</p>"
            '<figure data-embed="youtube" data-video-id="dQw4w9WgXcQ">'
            '<a href="https://www.youtube.com/watch?v=dQw4w9WgXcQ">Convoy leaves Baghouz</a>'
            "<figcaption>Filmed by our reporter on Saturday.</figcaption></figure>"
        ),
    )
    arabic = story(
        headline="قافلة تغادر الباغوز",
        slug="قافلة-تغادر",
        language="ar",
        body=(
            "<p>صوّر السكان القافلة.</p>"
            '<figure data-embed="vimeo" data-video-id="76979871">'
            '<a href="https://vimeo.com/76979871">القافلة تغادر</a></figure>'
        ),
    )
    return {"english": english, "arabic": arabic}


def guarded_context(browser, **options):  # noqa: F811
    """A browser context whose requests off the test server are recorded in `context.outside`: the players'
    addresses get the local stand-in, anything else is refused."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, **options)
    context.outside = []

    def refuse(route):
        context.outside.append(route.request.url)
        route.abort()

    def stand_in(route):
        context.outside.append(route.request.url)
        route.fulfill(status=200, content_type="text/html", body=STAND_IN)

    # Playwright tries the newest route first: the players, then everything else that is not ours.
    context.route(re.compile(r"^(?!https?://(localhost|127\.0\.0\.1)[:/])[a-z]+://"), refuse)
    context.route(re.compile(r"^https://(www\.youtube-nocookie\.com|player\.vimeo\.com)/"), stand_in)
    context.add_init_script(CSP_WATCH)
    return context


@pytest.fixture
def guarded(browser):  # noqa: F811
    context = guarded_context(browser)
    yield context
    context.close()


def test_pressing_play_loads_the_cookie_less_youtube_player_and_nothing_before(live_server, videos, guarded):
    page = guarded.new_page()
    page.goto(live_server.url + videos["english"].get_absolute_url())
    facade = page.locator("figure.video")
    play = facade.get_by_role("button", name="Play video (loads YouTube, which may set cookies)")
    assert play.is_visible()
    assert facade.get_by_role("link", name="Watch on YouTube").get_attribute("href") == (
        "https://www.youtube.com/watch?v=dQw4w9WgXcQ"
    )
    assert facade.locator("figcaption").inner_text() == "Filmed by our reporter on Saturday."
    assert guarded.outside == [] and page.locator("iframe").count() == 0

    play.click()
    frame = facade.locator("iframe")
    assert frame.get_attribute("src") == "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"
    assert frame.get_attribute("title") == "YouTube: Convoy leaves Baghouz"
    assert frame.get_attribute("allow") == "fullscreen; picture-in-picture"
    assert page.frame_locator("figure.video iframe").locator("p").inner_text() == "Local stand-in player"
    assert guarded.outside == ["https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"]
    # The keyboard is on the player, not lost with the button that went away.
    assert page.evaluate("document.activeElement.tagName") == "IFRAME"
    box = frame.bounding_box()
    assert abs(box["width"] / box["height"] - 16 / 9) < 0.01
    assert page.evaluate("window.cspViolations") == []


def test_the_arabic_facade_reads_right_to_left_and_plays_vimeo_without_tracking(live_server, videos, guarded):
    page = guarded.new_page()
    page.goto(live_server.url + videos["arabic"].get_absolute_url())
    facade = page.locator("figure.video")
    assert facade.evaluate("el => getComputedStyle(el).direction") == "rtl"
    play = facade.get_by_role("button", name="تشغيل الفيديو (يُحمِّل فيميو، وقد يضع ملفات تعريف الارتباط)")
    assert facade.get_by_role("link", name="شاهد الفيديو على فيميو").is_visible()
    play.click()
    assert facade.locator("iframe").get_attribute("src") == "https://player.vimeo.com/video/76979871?dnt=1"
    assert facade.locator("iframe").get_attribute("title") == "فيميو: القافلة تغادر"
    assert guarded.outside == ["https://player.vimeo.com/video/76979871?dnt=1"]
    assert page.evaluate("window.cspViolations") == []


def test_an_unlisted_vimeo_video_plays_with_its_private_hash(live_server, videos, guarded):
    unlisted = story(
        headline="Unlisted clip",
        body=(
            '<figure data-embed="vimeo" data-video-id="76979871" data-video-hash="abcdef1234">'
            '<a href="https://vimeo.com/76979871/abcdef1234">Convoy at the crossing</a></figure>'
        ),
    )
    page = guarded.new_page()
    page.goto(live_server.url + unlisted.get_absolute_url())
    facade = page.locator("figure.video")
    assert facade.get_by_role("link", name="Watch on Vimeo").get_attribute("href") == (
        "https://vimeo.com/76979871/abcdef1234"
    )
    assert guarded.outside == []
    facade.get_by_role("button", name="Play video (loads Vimeo, which may set cookies)").click()
    player = "https://player.vimeo.com/video/76979871?h=abcdef1234&dnt=1"
    assert facade.locator("iframe").get_attribute("src") == player
    page.wait_for_function("() => document.querySelector('figure.video iframe') !== null")
    page.frame_locator("figure.video iframe").get_by_text("Local stand-in player").wait_for()
    assert guarded.outside == [player]
    assert page.evaluate("window.cspViolations") == []


def test_a_video_in_a_live_update_offered_to_an_open_page_plays_once_shown(
    live_server, live_server_held, videos, guarded, publisher, settings
):
    settings.NEWSROOM_LIVE_POLL_SECONDS = 1
    article = videos["english"]
    workflow.post_live_update(article, by=publisher, text="Fighting moved to the river bank.")
    page = guarded.new_page()
    page.goto(live_server.url + article.get_absolute_url())
    with live_server_held():
        workflow.post_live_update(article, by=publisher, text="The spokesman spoke:\n\nhttps://youtu.be/a-b_c1234Z9")
    offer = page.get_by_role("button", name="New updates: 1. Show them")
    offer.wait_for(timeout=10_000)
    offer.click()
    update = page.locator("article.live-update").first
    play = update.get_by_role("button", name="Play video (loads YouTube, which may set cookies)")
    assert play.is_visible()  # the new facade got its button, as the page's own videos did
    assert guarded.outside == []
    play.click()
    assert update.locator("iframe").get_attribute("src") == "https://www.youtube-nocookie.com/embed/a-b_c1234Z9"
    assert guarded.outside == ["https://www.youtube-nocookie.com/embed/a-b_c1234Z9"]
    assert page.evaluate("window.cspViolations") == []
    assert serious_violations(page) == []


def test_without_javascript_the_facade_offers_the_link_and_no_dead_button(live_server, videos, browser):  # noqa: F811
    context = guarded_context(browser, java_script_enabled=False)
    page = context.new_page()
    page.goto(live_server.url + videos["english"].get_absolute_url())
    facade = page.locator("figure.video")
    assert not facade.locator("button").is_visible()
    link = facade.get_by_role("link", name="Watch on YouTube")
    assert link.is_visible() and link.get_attribute("href") == "https://www.youtube.com/watch?v=dQw4w9WgXcQ"
    assert context.outside == []
    context.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_facade_fits_a_phone_and_passes_axe_light_and_dark(live_server, videos, browser, scheme):  # noqa: F811
    context = guarded_context(browser, color_scheme=scheme)
    page = context.new_page()
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(live_server.url + videos["english"].get_absolute_url())
    overflow = page.evaluate("document.documentElement.scrollWidth > document.documentElement.clientWidth")
    facade = page.locator(".video-facade").bounding_box()
    body = page.locator(".article-body").bounding_box()
    violations = serious_violations(page)
    background = page.locator(".video-facade").evaluate("el => getComputedStyle(el).backgroundColor")
    page_background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    context.close()
    assert overflow is False and violations == []
    assert abs(facade["width"] - body["width"]) < 1 and facade["height"] >= facade["width"] * 9 / 16 - 1
    # The box is the site's wash, a shade off the page in either scheme.
    assert background != page_background


def sign_in(page, live_server, user, next_path):
    page.goto(f"{live_server.url}/admin/login/?next={next_path}")
    page.fill("#id_username", user.username)
    page.fill("#id_password", "pass-for-tests-1")
    page.click("input[type=submit]")
    page.wait_for_selector(".tox-tinymce .tox-toolbar__primary", timeout=15000)


@pytest.fixture
def desk_story(reporter):
    return ArticleFactory(created_by=reporter, headline="Convoy leaves Baghouz", body="<p>Residents filmed it.</p>")


def test_a_video_address_typed_alone_on_a_line_in_the_editor_is_saved_as_an_embed_that_the_editor_keeps(
    live_server, reporter, desk_story, guarded
):
    page = guarded.new_page()
    change = f"/admin/articles/article/{desk_story.pk}/change/"
    sign_in(page, live_server, reporter, change)
    editor = page.frame_locator(".tox-edit-area__iframe").locator("body")
    editor.click()
    page.keyboard.press("Control+End")
    page.keyboard.press("Enter")
    page.keyboard.type("https://youtu.be/dQw4w9WgXcQ")
    page.click("input[name=_continue]")
    page.wait_for_selector(".messagelist .success", timeout=15000)
    body = Article.objects.get(pk=desk_story.pk).body
    assert body.replace("\n", "") == (  # TinyMCE puts a line break between blocks
        '<p>Residents filmed it.</p><figure data-embed="youtube" data-video-id="dQw4w9WgXcQ">'
        '<a href="https://www.youtube.com/watch?v=dQw4w9WgXcQ" rel="noopener noreferrer">'
        "https://www.youtube.com/watch?v=dQw4w9WgXcQ</a></figure>"
    )
    # TinyMCE loads the embed back unchanged, so saving again keeps it.
    page.wait_for_selector(".tox-tinymce .tox-toolbar__primary", timeout=15000)
    assert 'data-embed="youtube"' in page.evaluate("tinymce.get('id_body').getContent()")
    page.click("input[name=_continue]")
    page.wait_for_selector(".messagelist .success", timeout=15000)
    assert Article.objects.get(pk=desk_story.pk).body == body
    assert guarded.outside == []


def test_a_bad_video_address_in_the_editor_is_refused_with_the_reason_and_the_text_kept(
    live_server, reporter, desk_story, guarded
):
    page = guarded.new_page()
    sign_in(page, live_server, reporter, f"/admin/articles/article/{desk_story.pk}/change/")
    page.frame_locator(".tox-edit-area__iframe").locator("body").click()
    page.keyboard.press("Control+End")
    page.keyboard.press("Enter")
    page.keyboard.type("https://youtu.be/tooshort")
    page.click("input[name=_continue]")
    error = page.locator(".errorlist").filter(has_text="looks like a video address but cannot be embedded")
    error.wait_for(timeout=15000)
    assert "“https://youtu.be/tooshort”" in error.inner_text()
    page.wait_for_selector(".tox-tinymce .tox-toolbar__primary", timeout=15000)
    kept = page.evaluate("tinymce.get('id_body').getContent()")
    assert "Residents filmed it." in kept and "https://youtu.be/tooshort" in kept
    assert Article.objects.get(pk=desk_story.pk).body == "<p>Residents filmed it.</p>"
