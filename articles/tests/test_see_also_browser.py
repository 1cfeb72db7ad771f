"""In a real browser: the desk picks the stories that lead a story's related box, reorders and removes them.

The picker finds stories by headline; the chosen ones are listed under the field with the byline's "Move up" /
"Move down" buttons (article_form.js), each chip has its × to remove it, and the order shown is the one saved.
"""

from django.urls import reverse

from articles.models import Article
from articles.tests.browser import BROWSER_TEST_MARKS, chromium_page
from articles.tests.factories import ArticleFactory
from articles.tests.publishing import story

pytestmark = BROWSER_TEST_MARKS

CHOSEN = """() => [
    Array.from(document.querySelectorAll("#id_see_also option")).filter(o => o.selected).map(o => o.text),
    Array.from(document.querySelectorAll(".field-see_also .select2-selection__choice")).map(c => c.title),
]"""
ORDER_LIST = (
    "() => Array.from(document.querySelectorAll('.field-see_also .byline-order li bdi')).map(n => n.textContent)"
)


def _label(headline):
    return f"{headline} (English, published)"


def test_an_editor_picks_reorders_and_removes_the_stories_leading_the_related_box(live_server, editor, settings):
    settings.NEWSROOM_CSP = True
    first, second, third = (story(headline=f"{name} explainer") for name in ("Water", "Power", "Bread"))
    article = ArticleFactory(headline="Follow-up on the shortages")
    article.set_see_also([first, second])
    change_url = live_server.url + reverse("admin:articles_article_change", args=[article.pk])

    with chromium_page() as page:
        page.goto(live_server.url + reverse("admin:login"))
        page.fill("#id_username", editor.username)
        page.fill("#id_password", "pass-for-tests-1")
        page.click("input[type=submit]")
        page.goto(change_url)
        opened = page.evaluate(ORDER_LIST)
        page.get_by_role("button", name=f"Move {_label('Power explainer')} up").click()
        moved = page.evaluate(CHOSEN)
        page.locator(".field-see_also .select2-selection__choice", has_text="Water explainer").locator(
            ".select2-selection__choice__remove"
        ).click()
        page.keyboard.press("Escape")
        page.click(".field-see_also .select2-search__field")
        page.keyboard.type("Bread")
        page.locator(".select2-results__option", has_text="Bread explainer").click()
        picked = page.evaluate(CHOSEN)
        page.click("input[name=_continue]")
        page.wait_for_load_state()
        reopened = page.evaluate(CHOSEN)

    assert opened == [_label("Water explainer"), _label("Power explainer")]
    assert moved == [[_label("Power explainer"), _label("Water explainer")]] * 2
    assert picked == reopened == [[_label("Power explainer"), _label("Bread explainer")]] * 2
    saved = Article.objects.get(pk=article.pk)
    assert [s.pk for s in saved.see_also.all()] == [second.pk, third.pk]
