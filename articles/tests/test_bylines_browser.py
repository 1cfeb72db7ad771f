"""In a real browser: the authors picked in the article form's autocomplete are saved and shown in that order.

Select2 keeps a removed author's option where it first stood, and Django renders the chosen authors by name;
the form must still save the order picked, show it again on reopening, and move an author picked again last.
The "Move up" / "Move down" buttons under the field reorder the byline, by mouse or keyboard, in English and
in the Arabic admin, under the staff Content-Security-Policy. The Arabic admin names authors by their Arabic
names with the English ones in brackets, in the field, its search and the order list; the English admin by
their English names. It names the story's section and places alike, and finds a place by its Arabic name.
"""

from django.urls import reverse

from articles.models import Article
from articles.tests.browser import BROWSER_TEST_MARKS, chromium_page
from articles.tests.factories import ArticleFactory, AuthorFactory, RegionFactory, SectionFactory

pytestmark = BROWSER_TEST_MARKS

# What the chosen authors read as: the select's selected options, and Select2's chips, in page order.
CHOSEN = """() => [
    Array.from(document.querySelectorAll("#id_authors option")).filter(o => o.selected).map(o => o.text),
    Array.from(document.querySelectorAll(".field-authors .select2-selection__choice")).map(c => c.title),
]"""


# The chips of the story's places, and its section as its picker shows it.
PLACES_AND_SECTION = """() => [
    Array.from(document.querySelectorAll(".field-regions .select2-selection__choice")).map(c => c.title),
    document.querySelector(".field-section .select2-selection__rendered").title,
]"""


# The byline's order list under the field: each author's name, and the accessible names of the move buttons
# offered (enabled and shown).
ORDER_LIST = (
    "() => Array.from(document.querySelectorAll('.field-authors .byline-order li bdi')).map(name => name.textContent)"
)
OFFERED = """() => Array.from(document.querySelectorAll(".field-authors .byline-order button"))
    .filter(b => !b.disabled && b.checkVisibility())
    .map(b => b.getAttribute("aria-label"))"""
FOCUSED = "() => document.activeElement.getAttribute('aria-label')"
# True once the autocomplete lists the results of a search for `text` (every one holds it), not earlier ones.
ONLY_RESULTS_WITH = """text => {
    const shown = Array.from(document.querySelectorAll(".select2-results__option")).map(o => o.textContent);
    return shown.length > 0 && shown.every(label => label.includes(text));
}"""
# Every Content-Security-Policy violation the page reports, kept in window.cspViolations.
RECORD_CSP_VIOLATIONS = (
    "window.cspViolations = [];"
    "document.addEventListener('securitypolicyviolation',"
    " e => window.cspViolations.push(e.violatedDirective + ' ' + (e.blockedURI || 'inline')));"
)


def _sign_in(page, live_server, user):
    page.goto(live_server.url + reverse("admin:login"))
    page.fill("#id_username", user.username)
    page.fill("#id_password", "pass-for-tests-1")
    page.click("input[type=submit]")


def _save_and_reopen(page):
    page.click("input[name=_continue]")
    page.wait_for_load_state()


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
        _sign_in(page, live_server, editor)
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


def test_an_editor_moves_authors_up_and_down_the_byline_by_keyboard_and_mouse(live_server, editor, settings):
    settings.NEWSROOM_CSP = True
    # ids in name order; their Arabic names are for the Arabic admin, the English one names them as before.
    for name, arabic in (("Adam Brook", "آدم بروك"), ("Basma Aziz", "باسمة عزيز"), ("Zeina Khalil", "زينة خليل")):
        AuthorFactory(display_name=name, name_ar=arabic)
    article = ArticleFactory(headline="Talks resume in Baghdad")
    change_url = live_server.url + reverse("admin:articles_article_change", args=[article.pk])

    with chromium_page() as page:
        page.add_init_script(RECORD_CSP_VIOLATIONS)
        _sign_in(page, live_server, editor)
        page.goto(change_url)
        assert page.locator(".field-authors .byline-order").is_hidden()  # no authors, nothing to order
        for name in ("Zeina Khalil", "Basma Aziz", "Adam Brook"):
            _pick(page, name)
        picked = page.evaluate(ORDER_LIST)
        offered_at_first = page.evaluate(OFFERED)
        first_up_disabled = page.get_by_role("button", name="Move Zeina Khalil up").is_disabled()
        last_down_disabled = page.get_by_role("button", name="Move Adam Brook down").is_disabled()

        # The last author up twice from the keyboard: the focus stays with her, on "down" once she leads.
        page.get_by_role("button", name="Move Adam Brook up").focus()
        page.keyboard.press("Enter")
        after_one_move = page.evaluate(CHOSEN)
        focus_after_one = page.evaluate(FOCUSED)
        page.keyboard.press("Space")
        after_two_moves = page.evaluate(CHOSEN)
        focus_after_two = page.evaluate(FOCUSED)
        announced = page.locator(".field-authors .byline-order [role=status]").text_content()
        # Then the first author down, with the mouse.
        page.get_by_role("button", name="Move Adam Brook down").click()
        moved = page.evaluate(CHOSEN)
        listed_before_saving = page.evaluate(ORDER_LIST)

        _save_and_reopen(page)
        reopened = page.evaluate(CHOSEN)
        listed_on_reopening = page.evaluate(ORDER_LIST)
        offered_on_reopening = page.evaluate(OFFERED)

        # Removing authors rebuilds the buttons; one author alone has none.
        _remove(page, "Adam Brook")
        offered_after_removal = page.evaluate(OFFERED)
        _remove(page, "Zeina Khalil")
        alone_hidden = page.locator(".field-authors .byline-order").is_hidden()
        offered_alone = page.evaluate(OFFERED)
        _pick(page, "Zeina Khalil")
        offered_after_picking_again = page.evaluate(OFFERED)
        violations = page.evaluate("window.cspViolations")

    assert picked == ["Zeina Khalil", "Basma Aziz", "Adam Brook"]
    # The first author cannot go up nor the last down: those buttons are there but not offered.
    assert offered_at_first == [
        "Move Zeina Khalil down",
        "Move Basma Aziz up",
        "Move Basma Aziz down",
        "Move Adam Brook up",
    ]
    assert first_up_disabled and last_down_disabled
    # The select's options (what is posted) and Select2's chips (what is shown) follow every move.
    assert after_one_move == [["Zeina Khalil", "Adam Brook", "Basma Aziz"]] * 2
    assert focus_after_one == "Move Adam Brook up"
    assert after_two_moves == [["Adam Brook", "Zeina Khalil", "Basma Aziz"]] * 2
    assert focus_after_two == "Move Adam Brook down"
    assert announced == "Adam Brook is now number 1 of 3."
    lead_first = ["Zeina Khalil", "Adam Brook", "Basma Aziz"]
    assert moved == reopened == [lead_first, lead_first]
    assert listed_before_saving == listed_on_reopening == lead_first
    assert offered_on_reopening == [
        "Move Zeina Khalil down",
        "Move Adam Brook up",
        "Move Adam Brook down",
        "Move Basma Aziz up",
    ]
    saved = Article.objects.get(pk=article.pk)
    assert [a.display_name for a in saved.authors.all()] == lead_first
    assert offered_after_removal == ["Move Zeina Khalil down", "Move Basma Aziz up"]
    assert alone_hidden and offered_alone == []
    assert offered_after_picking_again == ["Move Basma Aziz down", "Move Zeina Khalil up"]
    assert violations == []


def test_an_arabic_admin_names_authors_places_and_the_section_in_arabic_and_saves_what_is_picked(
    live_server, editor, settings
):
    settings.NEWSROOM_CSP = True
    # Adam Brook has no Arabic name; the others are named in Arabic, with their English names to tell them apart.
    adam = AuthorFactory(display_name="Adam Brook", slug="adam-brook")
    zeina = AuthorFactory(display_name="Zeina Khalil", name_ar="زينة خليل", slug="zeina-khalil")
    basma = AuthorFactory(display_name="Basma Aziz", name_ar="باسمة عزيز", slug="basma-aziz")
    AuthorFactory(display_name="Rasha Khalil", name_ar="رشا خليل", slug="rasha-khalil")
    AuthorFactory(display_name="Rasha Khaleel", name_ar="رشا خليل", slug="rasha-khaleel")  # spelled alike in Arabic
    AuthorFactory(display_name="Omar Saleh", name_ar="عمر صالح", slug="omar-saleh")
    # Places and a section named in Arabic too; Raqqa's Arabic name is no alias, and is typed in another spelling.
    iraq = SectionFactory(name="Iraq News", name_ar="أخبار العراق", slug="iraq-news")
    local = SectionFactory(name="Local News", name_ar="أخبار محلية", slug="local-news", parent=iraq)
    baghdad = RegionFactory(name="Baghdad", name_ar="بغداد", slug="baghdad")
    raqqa = RegionFactory(name="Raqqa", name_ar="الرقة", slug="raqqa")
    article = ArticleFactory(
        headline="استئناف المحادثات في بغداد",
        language=Article.Language.ARABIC,
        authors=[adam, zeina, basma],
        section=local,
        regions=[baghdad],
    )
    change_url = live_server.url + reverse("admin:articles_article_change", args=[article.pk])

    with chromium_page() as page:
        page.add_init_script(RECORD_CSP_VIOLATIONS)
        _sign_in(page, live_server, editor)
        # The editor switches the admin to Arabic with its language menu.
        page.select_option(".language-menu select", "ar")
        page.click(".language-menu button")
        page.wait_for_load_state()
        page.goto(change_url)
        direction = page.evaluate("document.documentElement.dir")
        opened = page.evaluate(CHOSEN)
        label = page.locator(".field-authors .byline-order-label").text_content()
        offered = page.evaluate(OFFERED)
        page.get_by_role("button", name="انقل باسمة عزيز (Basma Aziz) إلى الأعلى").click()
        announced = page.locator(".field-authors .byline-order [role=status]").text_content()
        numbering = page.eval_on_selector(".field-authors .byline-order ol", "ol => getComputedStyle(ol).listStyleType")
        # Found by the Arabic name: both Rashas are offered, told apart by their English names.
        page.click(".field-authors .select2-search__field")
        page.keyboard.type("رشا")
        page.wait_for_function(ONLY_RESULTS_WITH, arg="رشا")  # not the list offered before typing
        found_in_arabic = page.locator(".select2-results__option").all_text_contents()
        page.locator(".select2-results__option", has_text="Rasha Khalil").click()
        # And by the English name, labelled in Arabic all the same.
        page.click(".field-authors .select2-search__field")
        page.keyboard.type("Omar")
        page.wait_for_function(ONLY_RESULTS_WITH, arg="Omar")
        found_in_english = page.locator(".select2-results__option").all_text_contents()
        page.locator(".select2-results__option", has_text="Omar").click()
        listed = page.evaluate(ORDER_LIST)
        placed = page.evaluate(PLACES_AND_SECTION)
        # A place found by its Arabic name, typed with haa for taa marbuta, and picked.
        page.click(".field-regions .select2-search__field")
        page.keyboard.type("الرقه")
        page.wait_for_function(ONLY_RESULTS_WITH, arg="Raqqa")
        found_place = page.locator(".select2-results__option").all_text_contents()
        page.locator(".select2-results__option", has_text="Raqqa").click()
        placed_after_picking = page.evaluate(PLACES_AND_SECTION)
        _save_and_reopen(page)
        reopened = page.evaluate(CHOSEN)
        listed_on_reopening = page.evaluate(ORDER_LIST)
        placed_on_reopening = page.evaluate(PLACES_AND_SECTION)
        violations = page.evaluate("window.cspViolations")

    assert direction == "rtl"
    assert opened == [["Adam Brook", "زينة خليل (Zeina Khalil)", "باسمة عزيز (Basma Aziz)"]] * 2
    assert label == "ترتيب أسماء الكتّاب"
    assert offered == [
        "انقل Adam Brook إلى الأسفل",
        "انقل زينة خليل (Zeina Khalil) إلى الأعلى",
        "انقل زينة خليل (Zeina Khalil) إلى الأسفل",
        "انقل باسمة عزيز (Basma Aziz) إلى الأعلى",
    ]
    # Numbers read out and shown in the Arabic admin's digits.
    assert announced == "باسمة عزيز (Basma Aziz) الآن في المرتبة ٢ من ٣."
    assert numbering == "arabic-indic"
    assert found_in_arabic == ["رشا خليل (Rasha Khaleel)", "رشا خليل (Rasha Khalil)"]
    assert found_in_english == ["عمر صالح (Omar Saleh)"]
    lead_first = [
        "Adam Brook",
        "باسمة عزيز (Basma Aziz)",
        "زينة خليل (Zeina Khalil)",
        "رشا خليل (Rasha Khalil)",
        "عمر صالح (Omar Saleh)",
    ]
    assert listed == listed_on_reopening == lead_first
    assert reopened == [lead_first, lead_first]
    section = "أخبار العراق > أخبار محلية (Iraq News > Local News)"
    assert placed == [["بغداد (Baghdad)"], section]
    assert found_place == ["الرقة (Raqqa)"]
    # A place just picked goes last; the saved form lists the places in the order of the Arabic alphabet.
    assert placed_after_picking == [["بغداد (Baghdad)", "الرقة (Raqqa)"], section]
    assert placed_on_reopening == [["الرقة (Raqqa)", "بغداد (Baghdad)"], section]
    saved = Article.objects.get(pk=article.pk)
    assert [a.display_name for a in saved.authors.all()] == [
        "Adam Brook",
        "Basma Aziz",
        "Zeina Khalil",
        "Rasha Khalil",
        "Omar Saleh",
    ]
    assert sorted(saved.regions.all(), key=lambda place: place.pk) == [baghdad, raqqa]
    assert saved.section == local
    assert violations == []
