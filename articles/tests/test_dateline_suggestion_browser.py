"""In a real browser: the desk accepts the dateline a pasted wire story opens with, in one click under
"Suggested tags", and the form comes back with the place in its dateline picker (`editing.give_dateline`); or
rejects it, and it is not offered again (`editing.decline_dateline`)."""

from django.urls import reverse

from articles.models import Article
from articles.tests.browser import BROWSER_TEST_MARKS, chromium_page
from articles.tests.factories import ArticleFactory
from articles.tests.test_bylines_browser import RECORD_CSP_VIOLATIONS, _sign_in
from articles.tests.test_dateline_suggestion import WIRE

pytestmark = BROWSER_TEST_MARKS

PICKED = "() => document.querySelector('.field-dateline_place .select2-selection__rendered').title"


def _open_form(page, live_server, editor, article):
    """Sign `editor` in and open the story's change form, recording CSP violations; returns the form's address."""
    page.add_init_script(RECORD_CSP_VIOLATIONS)
    _sign_in(page, live_server, editor)
    change = live_server.url + reverse("admin:articles_article_change", args=[article.pk])
    page.goto(change)
    return change


def test_an_editor_accepts_the_wire_dateline_and_the_form_shows_it(live_server, editor, places, settings):
    settings.NEWSROOM_CSP = True
    article = ArticleFactory(headline="Pocket falls", body=WIRE)

    with chromium_page() as page:
        _open_form(page, live_server, editor, article)
        before = page.evaluate(PICKED)
        line = page.locator("li[data-kind=dateline]")
        offered = line.inner_text()
        line.get_by_role("button", name="Accept").click()
        page.wait_for_load_state()
        message = page.locator(".messagelist").inner_text()
        after = page.evaluate(PICKED)
        offered_after = page.locator("li[data-kind=dateline]").count()
        violations = page.evaluate("window.cspViolations")

    assert "Baghouz" in offered and "dateline, from the story's opening" in offered
    assert before == "" and after.startswith("Baghouz")
    assert message.strip() == "Dateline set to Baghouz."
    assert offered_after == 0 and violations == []
    assert Article.objects.get(pk=article.pk).dateline_place == places["baghouz"]


def test_an_editor_rejects_the_wire_dateline_and_it_is_not_offered_again(live_server, editor, places, settings):
    settings.NEWSROOM_CSP = True
    article = ArticleFactory(headline="Pocket falls", body=WIRE)

    with chromium_page() as page:
        change = _open_form(page, live_server, editor, article)
        page.locator("li[data-kind=dateline]").get_by_role("button", name="Reject").click()
        page.wait_for_load_state()
        message = page.locator(".messagelist").inner_text()
        after = page.evaluate(PICKED)
        page.goto(change)  # and on the next visit
        offered_later = page.locator("li[data-kind=dateline]").count()
        tag_offered = page.locator("li[data-kind=region][data-slug=baghouz]").count()
        violations = page.evaluate("window.cspViolations")

    assert message.strip() == "Baghouz will not be suggested as this article's dateline again."
    assert after == "" and offered_later == 0 and violations == []
    assert tag_offered == 1  # still offered as a tag: the story may be about Baghouz
    assert Article.objects.get(pk=article.pk).dateline_place is None
