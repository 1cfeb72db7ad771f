"""In a real browser: filing a story in a section that suggests a type of work (an Opinion section) picks that
type in the story form, until the desk picks one by hand; the choice is saved (article_form.js)."""

from django.urls import reverse

from articles.models import Article
from articles.tests.browser import BROWSER_TEST_MARKS, chromium_page
from articles.tests.factories import ArticleFactory, SectionFactory
from articles.tests.test_bylines_browser import RECORD_CSP_VIOLATIONS, _sign_in

pytestmark = BROWSER_TEST_MARKS

CHECKED = "() => document.querySelector('input[name=genre]:checked').value"


def _file_in(page, section):
    page.click(".field-section .select2-selection")
    # Typed into the open dropdown's own search box (typing at once could go to the page before the box has the
    # focus), then picked with the keyboard once the section is the highlighted result, as a desk editor does: a
    # click could land on a results list the next search answer is redrawing (CI once missed for 30 s).
    search = page.locator(".select2-container--open .select2-search__field")
    search.press_sequentially(section[:4])
    page.locator(".select2-results__option--highlighted", has_text=section).wait_for()
    search.press("Enter")
    page.locator(".field-section .select2-selection__rendered", has_text=section).wait_for()


def test_a_section_suggests_its_type_of_work_until_the_desk_picks_one(live_server, editor, settings):
    settings.NEWSROOM_CSP = True
    SectionFactory(name="Opinion", slug="opinion", default_genre="opinion")
    SectionFactory(name="Syria News", slug="syria-news")
    article = ArticleFactory(headline="Camps must close", section=None)
    change_url = live_server.url + reverse("admin:articles_article_change", args=[article.pk])

    with chromium_page() as page:
        page.add_init_script(RECORD_CSP_VIOLATIONS)
        _sign_in(page, live_server, editor)
        page.goto(change_url)
        at_first = page.evaluate(CHECKED)
        _file_in(page, "Opinion")
        in_opinion = page.evaluate(CHECKED)
        _file_in(page, "Syria News")  # no suggestion: back to what the story had
        elsewhere = page.evaluate(CHECKED)
        _file_in(page, "Opinion")
        page.get_by_label("Analysis").check()  # the desk decides
        _file_in(page, "Syria News")
        _file_in(page, "Opinion")
        by_hand = page.evaluate(CHECKED)
        page.click("input[name=_continue]")
        page.wait_for_load_state()
        violations = page.evaluate("window.cspViolations")

    assert (at_first, in_opinion, elsewhere, by_hand) == ("news", "opinion", "news", "analysis")
    assert violations == []
    saved = Article.objects.get(pk=article.pk)
    assert (saved.genre, saved.section.slug) == ("analysis", "opinion")


def test_a_story_filed_in_opinion_is_saved_as_opinion(live_server, editor):
    SectionFactory(name="Opinion", slug="opinion", default_genre="opinion")
    article = ArticleFactory(headline="Water is foreign policy", section=None)

    with chromium_page() as page:
        _sign_in(page, live_server, editor)
        page.goto(live_server.url + reverse("admin:articles_article_change", args=[article.pk]))
        _file_in(page, "Opinion")
        page.click("input[name=_continue]")
        page.wait_for_load_state()

    assert Article.objects.get(pk=article.pk).genre == Article.Genre.OPINION
