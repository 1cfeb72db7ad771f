"""In a real browser: the desk's live-update form picks a picture from the library with the lead picture's
autocomplete (typing part of its title) and a byline with the story byline's (typing part of a name), and the
update posted shows both on the story page."""

from django.urls import reverse

from articles.models import LiveUpdate
from articles.tests.browser import BROWSER_TEST_MARKS, chromium_page
from articles.tests.factories import AuthorFactory
from articles.tests.pictures import library_image
from articles.tests.publishing import story
from articles.tests.test_live_update_corrections_browser import serious_violations_in

pytestmark = BROWSER_TEST_MARKS


def test_a_publisher_picks_a_picture_and_a_byline_for_a_live_update_by_typing(live_server, publisher, settings):
    settings.NEWSROOM_CSP = True
    rasha = AuthorFactory(display_name="Rasha Khalil", slug="rasha-khalil")
    AuthorFactory(display_name="Omar Saleh", slug="omar-saleh")
    photo = library_image(title="Checkpoint at Baghouz")
    library_image(title="Market in Mosul")
    article = story(headline="Battle for Baghouz")
    with chromium_page() as page:
        page.goto(live_server.url + reverse("admin:login"))
        page.fill("#id_username", publisher.username)
        page.fill("#id_password", "pass-for-tests-1")
        page.click("input[type=submit]")
        page.goto(live_server.url + reverse("admin:articles_article_change", args=[article.pk]))
        form = page.locator("form", has=page.locator("button[value=post_live_update]"))
        # The pickers' boxes are named by their labels for a screen reader, though nothing is chosen yet.
        found = serious_violations_in(page, "form:has(button[value=post_live_update])")
        form.locator("textarea[name=text]").fill("Families reached the checkpoint.")
        form.locator("select[name=image] + .select2 .select2-selection").click()  # the picker select2 draws
        page.locator(".select2-container--open .select2-search__field").fill("checkpoint")
        page.locator(".select2-results__option", has_text="Checkpoint at Baghouz").click()
        form.locator("select[name=author] + .select2 .select2-selection").click()
        page.locator(".select2-container--open .select2-search__field").fill("rash")
        page.locator(".select2-results__option", has_text="Rasha Khalil").click()
        form.locator("button[value=post_live_update]").click()
        page.wait_for_load_state()
        page.goto(live_server.url + article.get_absolute_url())
        figure = page.locator("article.live-update figure.live-update-picture")
        alt, caption = figure.locator("img").get_attribute("alt"), figure.inner_text()
        byline = page.locator("article.live-update .live-update-byline").inner_text()
    assert found == []
    assert LiveUpdate.objects.get().image == photo and LiveUpdate.objects.get().author == rasha
    assert byline == "By Rasha Khalil"
    assert alt == photo.alt_text and "Families wait at a checkpoint." in caption
