"""In a real browser: the authors picked in the article form's autocomplete are saved and shown in that order.

Select2 keeps a removed author's option where it first stood, and Django renders the chosen authors by name;
the form must still save the order picked, show it again on reopening, and move an author picked again last.
"""

from django.urls import reverse

from articles.models import Article
from articles.tests.browser import BROWSER_TEST_MARKS, chromium_page
from articles.tests.factories import ArticleFactory, AuthorFactory

pytestmark = BROWSER_TEST_MARKS

# What the chosen authors read as: the select's selected options, and Select2's chips, in page order.
CHOSEN = """() => [
    Array.from(document.querySelectorAll("#id_authors option")).filter(o => o.selected).map(o => o.text),
    Array.from(document.querySelectorAll(".field-authors .select2-selection__choice")).map(c => c.title),
]"""


def _pick(page, name):
    page.click(".field-authors .select2-search__field")
    page.keyboard.type(name.split()[0])
    page.locator(".select2-results__option", has_text=name).click()


def _remove(page, name):
    page.locator(".field-authors .select2-selection__choice", has_text=name).locator(
        ".select2-selection__choice__remove"
    ).click()
    page.keyboard.press("Escape")


def test_authors_picked_out_of_name_order_are_saved_and_reopened_in_that_order(live_server, editor):
    for name in ("Adam Brook", "Basma Aziz", "Zeina Khalil"):  # ids in name order
        AuthorFactory(display_name=name)
    article = ArticleFactory(headline="Talks resume in Baghdad")
    change_url = live_server.url + reverse("admin:articles_article_change", args=[article.pk])

    with chromium_page() as page:
        page.goto(live_server.url + reverse("admin:login"))
        page.fill("#id_username", editor.username)
        page.fill("#id_password", "pass-for-tests-1")
        page.click("input[type=submit]")
        page.goto(change_url)
        for name in ("Zeina Khalil", "Adam Brook", "Basma Aziz"):
            _pick(page, name)
        picked = page.evaluate(CHOSEN)
        page.click("input[name=_continue]")
        page.wait_for_load_state()
        reopened = page.evaluate(CHOSEN)
        # Zeina Khalil taken off and picked again: she goes last.
        _remove(page, "Zeina Khalil")
        _pick(page, "Zeina Khalil")
        moved = page.evaluate(CHOSEN)
        page.click("input[name=_continue]")
        page.wait_for_load_state()
        after_move = page.evaluate(CHOSEN)

    lead_first = ["Zeina Khalil", "Adam Brook", "Basma Aziz"]
    assert picked == [lead_first, lead_first]
    assert reopened == [lead_first, lead_first]
    assert moved == after_move == [["Adam Brook", "Basma Aziz", "Zeina Khalil"]] * 2
    saved = Article.objects.get(pk=article.pk)
    assert [a.display_name for a in saved.authors.all()] == ["Adam Brook", "Basma Aziz", "Zeina Khalil"]
