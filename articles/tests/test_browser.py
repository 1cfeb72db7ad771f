"""The public site in a real browser (Debian's Chromium through Playwright), with axe accessibility checks.

Run with the rest of the suite; skipped when /usr/bin/chromium is missing (.ci/run installs it).
"""

from datetime import timedelta

import pytest

from articles.archive_views import story_archive_paths
from articles.models import Correction
from articles.tests.browser import BROWSER_TEST_MARKS, browser  # noqa: F401 - browser is a fixture
from articles.tests.factories import AuthorFactory, SectionFactory
from articles.tests.pictures import library_image
from articles.tests.publishing import S, story

pytestmark = BROWSER_TEST_MARKS


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    yield context.new_page()
    context.close()


@pytest.fixture
def stories(places, actors, settings, media_root):
    settings.NEWSROOM_PAGE_CACHE_SECONDS = 0
    section = SectionFactory(name="Syria News", slug="syria-news", name_ar="أخبار سوريا")
    author = AuthorFactory(display_name="Rania Khalil", slug="rania-khalil")
    # An author page with everything on it: photo, job titles (the English one alone on the Arabic page), links.
    AuthorFactory(
        display_name="Rasha Khalil",
        slug="rasha-khalil",
        name_ar="رشا خليل",
        job_title="Syria and Lebanon correspondent",
        photo=library_image(size=(600, 400), alt_text="Rasha Khalil in front of the Umayyad Mosque"),
        profile_links="https://x.com/rashakhalil\nhttps://mastodon.social/@rasha\nmailto:rasha@example.org",
        bio="Rasha Khalil reports on Syria's economy from Damascus.",
    )
    english = story(
        headline="Last pocket falls in Baghouz",
        kicker="Syria",
        standfirst="Fighters surrendered after weeks of siege.",
        # With a video (articles/embeds.py), so that axe checks its facade on the light and dark pages.
        body=(
            "<p>The last pocket held by the Islamic State fell on Saturday.</p>"
            '<figure data-embed="youtube" data-video-id="dQw4w9WgXcQ">'
            '<a href="https://www.youtube.com/watch?v=dQw4w9WgXcQ">Fighters leave Baghouz</a>'
            "<figcaption>Filmed by our reporter.</figcaption></figure><p>Thousands left the town.</p>"
        ),
        section=section,
        regions=[places["baghouz"]],
        actors=[actors["isis"], actors["sdf"]],
        authors=[author],
    )
    related = story(headline="Families leave Baghouz camp", section=section, regions=[places["baghouz"]])
    arabic = story(
        headline="سقوط آخر جيب لتنظيم الدولة في الباغوز",
        slug="سقوط-الباغوز",
        language="ar",
        standfirst="استسلم المقاتلون بعد أسابيع من الحصار.",
        body=(
            "<p>سقط آخر جيب لتنظيم الدولة الإسلامية يوم السبت.</p>"
            '<figure data-embed="vimeo" data-video-id="76979871">'
            '<a href="https://vimeo.com/76979871">خروج المقاتلين</a></figure>'
        ),
        section=section,
        regions=[places["baghouz"]],
        actors=[actors["isis"]],
    )
    english.link_translation(arabic)
    Correction.objects.create(article=english, text="An earlier version gave the wrong date of the surrender.")
    Correction.objects.create(article=arabic, kind="clarification", text="أوضحنا عدد الذين غادروا البلدة.")
    withdrawn = story(S.UNPUBLISHED, headline="Withdrawn claim", withdrawal_reason="The source retracted the claim.")
    return {"english": english, "arabic": arabic, "related": related, "withdrawn": withdrawn}


def serious_violations(page):
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [
        (v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def test_article_page_renders_and_leads_to_its_place_and_related_story(live_server, page, stories):
    page.goto(live_server.url + stories["english"].get_absolute_url())
    assert page.locator("h1").inner_text() == "Last pocket falls in Baghouz"
    assert page.locator(".byline a").inner_text() == "Rania Khalil"
    page.get_by_role("link", name="Baghouz").first.click()
    page.wait_for_url("**/region/baghouz/")
    assert page.locator("h1").inner_text() == "Baghouz"
    page.goto(live_server.url + stories["english"].get_absolute_url())
    page.locator(".related").get_by_role("link", name="Families leave Baghouz camp").click()
    page.wait_for_url(f"**{stories['related'].get_absolute_url()}")


def test_arabic_article_renders_right_to_left(live_server, page, stories):
    page.goto(live_server.url + stories["english"].get_absolute_url())
    page.get_by_role("link", name="اقرأ بالعربية").click()
    page.wait_for_url("**/ar/article/**")
    assert page.locator("html").get_attribute("dir") == "rtl"
    assert page.locator("html").get_attribute("lang") == "ar"
    direction = page.locator("article h1").evaluate("el => getComputedStyle(el).direction")
    assert direction == "rtl"


@pytest.mark.parametrize("edition", ["english", "arabic"])
def test_the_footer_lines_up_with_the_masthead_and_the_page(live_server, page, stories, edition):
    # The start edge (left, or right on an Arabic page) of the brand, the page's heading and the footer's text.
    edge = "el => { const box = el.getBoundingClientRect(); return document.dir === 'rtl' ? box.right : box.left; }"
    page.goto(live_server.url + stories[edition].get_absolute_url().split("article/")[0])
    brand = page.locator(".brand").evaluate(edge)
    content = page.locator("main h1, main h2").first.evaluate(edge)
    footer = page.locator(".site-footer p").evaluate(edge)
    assert abs(brand - content) < 1 and abs(brand - footer) < 1, (brand, content, footer)


def test_an_english_story_listed_on_an_arabic_page_keeps_its_own_typography(live_server, page, stories):
    page.goto(live_server.url + "/ar/search/?q=Baghouz")
    english = page.locator('.story[lang="en"]').filter(has_text="Last pocket falls in Baghouz")
    kicker = english.locator(".kicker")
    assert kicker.evaluate("el => getComputedStyle(el).textTransform") == "uppercase"
    assert kicker.inner_text() == "SYRIA"  # as the English edition shows it
    assert english.evaluate("el => getComputedStyle(el).direction") == "ltr"


@pytest.mark.parametrize(
    "count, width, rows",
    [
        (5, 1280, [1, 4]),
        (5, 800, [1, 2, 2]),
        (5, 390, [1] * 5),
        (4, 1280, [1, 3]),
        (3, 1280, [1, 2]),
        (2, 1280, [1, 1]),
    ],
)
def test_the_front_pages_top_stories_fill_their_rows(live_server, browser, settings, count, width, rows):
    settings.NEWSROOM_PAGE_CACHE_SECONDS = 0
    for number in range(count):
        story(headline=f"Top story {number}", standfirst="A standfirst of a usual length for the front page.")
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    page.goto(live_server.url + "/")
    boxes = page.locator(".lead-list > .story").evaluate_all(
        "items => items.map(el => { const box = el.getBoundingClientRect(); return [box.top, box.width]; })"
    )
    context.close()
    tops = sorted({round(top) for top, _ in boxes})
    assert [sum(1 for top, _ in boxes if round(top) == row) for row in tops] == rows
    # Every row is filled from edge to edge: its stories' widths add up to the lead story's, gaps aside.
    lead = boxes[0][1]
    for row in tops[1:]:
        widths = [width for top, width in boxes if round(top) == row]
        assert lead - 100 < sum(widths) <= lead, (row, widths, lead)


def test_a_headline_never_breaks_a_name_at_its_article(live_server, page, settings):
    settings.NEWSROOM_PAGE_CACHE_SECONDS = 0
    article = story(headline="Thousands still held in al-Hol as repatriations slow to a trickle this year")
    page.goto(live_server.url + article.get_absolute_url())
    name = page.locator("h1 .nobreak")
    assert name.inner_text() == "al-Hol"
    heights = set()
    for width in range(320, 1000, 8):  # the headline wraps differently at each width; the name never does
        page.set_viewport_size({"width": width, "height": 900})
        assert name.evaluate("el => el.getClientRects().length") == 1, width
        heights.add(page.locator("h1").evaluate("el => Math.round(el.getBoundingClientRect().height)"))
    assert len(heights) > 1  # the widths tried did wrap the headline in more than one way


def test_arabic_headings_keep_close_lines_and_arabic_text_keeps_tall_ones(live_server, page, stories):
    # Line height as a multiple of the font size, as the browser lays the element out.
    ratio = "el => parseFloat(getComputedStyle(el).lineHeight) / parseFloat(getComputedStyle(el).fontSize)"
    page.goto(live_server.url + stories["arabic"].get_absolute_url())
    assert page.locator("article h1").evaluate(ratio) <= 1.5  # at 1.8 a two-line headline fell apart
    assert page.locator(".article-body p").first.evaluate(ratio) >= 1.8
    page.goto(live_server.url + "/ar/")
    assert page.locator(".story-headline").first.evaluate(ratio) <= 1.5


# Where the full stop of a paragraph's text lands against the character before it, and where the text starts
# against the paragraph's own edges, as the browser laid them out.
_FULL_STOP = """el => {
  const text = el.firstChild, range = document.createRange(), box = el.getBoundingClientRect();
  const at = (i) => { range.setStart(text, i); range.setEnd(text, i + 1); return range.getBoundingClientRect(); };
  const stop = at(text.length - 1), before = at(text.length - 2), first = at(0);
  return {stopAfter: stop.left >= before.right - 1, sameLine: Math.abs(stop.top - before.top) < 2,
          startsLeft: Math.abs(first.left - box.left) < 1, startsRight: Math.abs(first.right - box.right) < 1};
}"""


def test_an_english_description_on_an_arabic_page_reads_left_to_right(live_server, page, stories, actors):
    sdf, isis = actors["sdf"], actors["isis"]
    sdf.description = (
        "Kurdish-led alliance of militias in northeast Syria and the main ground partner of the US-led "
        "coalition against the Islamic State, which still runs insurgent cells in both countries."
    )
    sdf.save()
    isis.description_ar = "تنظيم جهادي أعلن ما سمّاه «دولة الخلافة» عام ٢٠١٤، ولا تزال خلاياه تنشط في البلدين."
    isis.save()
    page.set_viewport_size({"width": 600, "height": 900})  # the English text runs over several lines
    page.goto(live_server.url + "/ar/actor/syrian-democratic-forces/")
    assert page.locator("html").get_attribute("dir") == "rtl"
    english = page.locator(".description")
    assert english.evaluate("el => getComputedStyle(el).direction") == "ltr"
    assert english.evaluate("el => getComputedStyle(el).fontFamily").startswith("system-ui")  # not the Arabic type
    laid_out = english.evaluate(_FULL_STOP)
    # "… in both countries." from the left edge, not ".still runs insurgent cells in both countries" hung right.
    assert laid_out == {"stopAfter": True, "sameLine": True, "startsLeft": True, "startsRight": False}
    page.goto(live_server.url + "/ar/actor/islamic-state/")
    arabic = page.locator(".description")
    assert arabic.evaluate("el => getComputedStyle(el).direction") == "rtl"
    assert arabic.evaluate(_FULL_STOP)["startsRight"] is True
    ratio = "el => parseFloat(getComputedStyle(el).lineHeight) / parseFloat(getComputedStyle(el).fontSize)"
    assert arabic.evaluate(ratio) >= 1.8  # Arabic text keeps its tall lines


@pytest.mark.parametrize("edition, photo_side", [("", "left"), ("/ar", "right")])
def test_an_authors_photo_stands_at_the_start_of_the_line_beside_their_name(
    live_server, page, stories, edition, photo_side
):
    page.goto(f"{live_server.url}{edition}/author/rasha-khalil/")
    photo, name = page.locator("img.author-photo").bounding_box(), page.locator("h1").bounding_box()
    assert photo["width"] == photo["height"] > 0
    beside = (
        photo["x"] + photo["width"] <= name["x"] if photo_side == "left" else photo["x"] >= name["x"] + name["width"]
    )
    assert beside
    assert page.locator(".profile-links a").all_inner_texts() == ["x.com", "mastodon.social", "rasha@example.org"]
    if edition:  # the English job title on the Arabic page reads left to right
        direction = page.eval_on_selector(".job-title", "el => getComputedStyle(el).direction")
        assert direction == "ltr"


def test_region_page_lists_stories_from_places_inside_it(live_server, page, stories):
    page.goto(live_server.url + "/region/syria/")
    assert page.locator("h1").inner_text() == "Syria"
    page.get_by_role("link", name="Last pocket falls in Baghouz").click()
    page.wait_for_url(f"**{stories['english'].get_absolute_url()}")


def test_corrections_page_is_reached_from_the_footer_and_leads_to_the_note(live_server, page, stories):
    page.goto(live_server.url + "/region/syria/")
    page.locator(".site-footer").get_by_role("link", name="Corrections").click()
    page.wait_for_url("**/corrections/")
    assert page.locator("h1").inner_text() == "Corrections and updates"
    assert page.locator(".note").count() == 1  # the English edition lists the English story's note only
    page.get_by_role("link", name="Last pocket falls in Baghouz").click()
    page.wait_for_url(f"**{stories['english'].get_absolute_url()}#correction-*")
    note = page.locator(".corrections li:target")
    assert "wrong date of the surrender" in note.inner_text()
    assert note.is_visible()


def test_a_reader_walks_the_archive_from_the_footer_to_a_story(live_server, page, stories):
    _, month, day = story_archive_paths(stories["english"])
    page.goto(live_server.url + "/region/syria/")
    page.locator(".site-footer").get_by_role("link", name="Archive").click()
    page.wait_for_url("**/archive/")
    page.locator(f'.archive-months a[href="{month}"]').click()
    page.wait_for_url(f"**{month}")
    page.locator(f'.archive-days a[href="{day}"]').click()
    page.wait_for_url(f"**{day}")
    # The English edition's stories of that day, the Arabic one not among them.
    headlines = page.locator(".story-headline").all_inner_texts()
    assert headlines == ["Families leave Baghouz camp", "Last pocket falls in Baghouz"]
    page.get_by_role("link", name="Last pocket falls in Baghouz").click()
    page.wait_for_url(f"**{stories['english'].get_absolute_url()}")


def test_search_from_the_masthead_finds_by_alias_and_opens_the_story(live_server, page, stories):
    page.goto(live_server.url + "/")
    page.get_by_role("searchbox", name="Search stories").fill("Daesh")
    page.get_by_role("search").get_by_role("button", name="Search").click()
    page.wait_for_url("**/search/?q=Daesh")
    results = page.locator(".search-results .story-headline a")
    # Both language versions are tagged with the Islamic State, whose alias the reader typed.
    assert sorted(results.all_inner_texts()) == sorted([stories["english"].headline, stories["arabic"].headline])
    page.get_by_role("link", name="Last pocket falls in Baghouz").click()
    page.wait_for_url(f"**{stories['english'].get_absolute_url()}")


def test_a_screen_reader_hears_how_many_stories_matched_with_the_results(live_server, page, stories):
    from playwright.sync_api import expect

    page.goto(live_server.url + "/search/?q=baghouz")
    # The count is the description of the results region, which the heading names.
    results = page.get_by_role("region", name="Results")
    expect(results).to_have_accessible_description("3 stories match your search.")
    page.goto(live_server.url + "/ar/search/?q=الباغوز")
    expect(page.get_by_role("region", name="النتائج")).to_have_accessible_description("٣ أخبار تطابق بحثك.")


def test_search_filter_error_is_shown_next_to_the_field(live_server, page, stories):
    page.goto(live_server.url + "/search/?q=baghouz&region=Atlantis")
    assert "No place called “Atlantis”." in page.locator(".has-error").inner_text()


def test_a_keyboard_user_sorts_search_results_newest_first(live_server, page, stories, places):
    older = story(headline="Baghouz camp report", body="<p>Baghouz.</p>" * 5, age=timedelta(days=3))
    page.goto(live_server.url + "/search/?q=baghouz&language=en")
    results = page.locator(".search-results .story-headline a")
    newest_first = ["Families leave Baghouz camp", "Last pocket falls in Baghouz", older.headline]
    assert sorted(results.all_inner_texts()) == sorted(newest_first)
    page.get_by_label("Sort by").focus()  # named by its label, changed from the keyboard
    page.keyboard.press("ArrowDown")
    page.locator(".search-form > button").press("Enter")
    page.wait_for_url("**sort=newest**")
    assert page.get_by_label("Sort by").input_value() == "newest"
    assert results.all_inner_texts() == newest_first


@pytest.mark.parametrize(
    "address",
    [
        lambda s: "/",
        lambda s: "/ar/",
        lambda s: s["english"].get_absolute_url(),
        lambda s: s["arabic"].get_absolute_url(),
        lambda s: "/region/syria/",
        lambda s: "/search/?q=baghouz",
        lambda s: "/search/?q=baghouz&region=Atlantis&date_from=2026-02-31",
        lambda s: "/search/?q=baghouz&sort=newest",
        lambda s: "/ar/search/?q=الباغوز&sort=newest",
        lambda s: "/search/?q=baghouz&sort=oldest",
        lambda s: "/corrections/",
        lambda s: "/ar/corrections/",
        lambda s: "/section/syria-news/",
        lambda s: "/actor/islamic-state/",
        lambda s: "/author/rania-khalil/",
        lambda s: "/author/rasha-khalil/",
        lambda s: "/ar/author/rasha-khalil/",
        lambda s: "/search/?q=nothing+matches+this",
        lambda s: "/region/atlantis/",
        lambda s: s["withdrawn"].get_absolute_url(),
        lambda s: "/archive/",
        lambda s: story_archive_paths(s["english"])[1],
        lambda s: story_archive_paths(s["english"])[2],
        lambda s: "/ar" + story_archive_paths(s["arabic"])[2],
    ],
    ids=[
        "home",
        "arabic home",
        "article",
        "arabic article",
        "region",
        "search",
        "search with bad filters",
        "search newest first",
        "arabic search newest first",
        "search with a bad order",
        "corrections",
        "arabic corrections",
        "section",
        "actor",
        "author",
        "author with a photo",
        "arabic author with a photo",
        "search without results",
        "not found",
        "withdrawn",
        "archive",
        "archive month",
        "archive day",
        "arabic archive day",
    ],
)
def test_axe_finds_no_serious_or_critical_violations(live_server, page, stories, address):
    page.goto(live_server.url + address(stories))
    assert serious_violations(page) == []
    # What a screen reader user jumps to: one main landmark and one top heading on every page, errors included.
    assert page.locator("main").count() == 1
    assert page.locator("h1").count() == 1


def test_narrow_screen_keeps_the_article_readable(live_server, browser, stories):
    context = browser.new_context(viewport={"width": 360, "height": 740})
    page = context.new_page()
    page.goto(live_server.url + stories["english"].get_absolute_url())
    overflow = page.evaluate("document.documentElement.scrollWidth > document.documentElement.clientWidth")
    context.close()
    assert overflow is False


@pytest.fixture
def opinions(places, settings):
    """An English and an Arabic opinion piece and an English analysis, about Baghouz."""
    settings.NEWSROOM_PAGE_CACHE_SECONDS = 0
    section = SectionFactory(name="Opinion", slug="opinion", name_ar="رأي", default_genre="opinion")
    english = story(
        headline="The camps must close before the next winter",
        kicker="Baghouz",
        genre="opinion",
        standfirst="Keeping families behind wire makes no one safer.",
        section=section,
        regions=[places["baghouz"]],
    )
    arabic = story(
        headline="يجب إغلاق المخيمات قبل الشتاء المقبل",
        slug="إغلاق-المخيمات",
        language="ar",
        genre="opinion",
        section=section,
        regions=[places["baghouz"]],
    )
    analysis = story(headline="What the camps cost the coalition", genre="analysis", regions=[places["baghouz"]])
    return {"english": english, "arabic": arabic, "analysis": analysis}


LABEL_STYLE = "el => [getComputedStyle(el).backgroundColor, getComputedStyle(el).textTransform, el.innerText]"


def test_an_opinion_piece_reads_as_opinion_in_both_editions(live_server, page, opinions):
    from playwright.sync_api import expect

    page.goto(live_server.url + opinions["english"].get_absolute_url())
    label = page.locator("article .work-type")
    background, case, text = label.evaluate(LABEL_STYLE)
    assert (case, text) == ("uppercase", "OPINION")
    assert background not in ("rgba(0, 0, 0, 0)", "transparent")  # solid, unlike the other types' outline
    # Read out with the headline, where a screen reader lands on the page's heading.
    expect(page.get_by_role("heading", level=1)).to_have_accessible_name(
        "Opinion: The camps must close before the next winter"
    )
    page.goto(live_server.url + opinions["arabic"].get_absolute_url())
    assert page.locator("article .work-type").inner_text() == "رأي"
    expect(page.get_by_role("heading", level=1)).to_have_accessible_name("رأي: يجب إغلاق المخيمات قبل الشتاء المقبل")
    # On an Arabic page an English piece says "Opinion", as the English edition does; an analysis is outlined.
    page.goto(live_server.url + "/ar/search/?q=camps")
    english = page.locator('.story[lang="en"]').filter(has_text="The camps must close")
    assert english.locator(".work-type").inner_text() == "OPINION"
    analysis = page.locator('.story[lang="en"]').filter(has_text="What the camps cost").locator(".work-type")
    assert analysis.evaluate(LABEL_STYLE) == ["rgba(0, 0, 0, 0)", "uppercase", "ANALYSIS"]
    expect(english.get_by_role("link", name="Opinion: The camps must close before the next winter")).to_be_visible()


@pytest.mark.parametrize(
    "address",
    [
        lambda o: o["english"].get_absolute_url(),
        lambda o: o["arabic"].get_absolute_url(),
        lambda o: "/",
        lambda o: "/ar/",
        lambda o: "/ar/search/?q=camps",
        lambda o: "/region/baghouz/",
    ],
    ids=["opinion", "arabic opinion", "home", "arabic home", "english opinion on an arabic page", "region"],
)
def test_axe_passes_pages_with_labelled_stories(live_server, page, opinions, address):
    page.goto(live_server.url + address(opinions))
    assert page.locator(".work-type").count() >= 1
    assert serious_violations(page) == []
