"""Correcting and removing a live update already posted (`workflow.edit_live_update`, `remove_live_update`):
readers see the corrected words with the time of the correction, never a removed update, at once on cached pages
too; the audit trail keeps the words replaced; every refusal writes nothing."""

from datetime import UTC, datetime, timedelta

import extruct
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from lxml import html as lxml_html

from articles import workflow
from articles.models import Article, ArticleEvent, LiveUpdate
from articles.models.live import typed_text
from articles.tests.publishing import S, fresh_cache, page_queries, post_update, story, with_updates  # noqa: F401
from articles.tests.test_caching import any_cache  # noqa: F401 - a fixture: the memory cache, then Redis
from articles.tests.test_live_updates import HOSTILE_TEXT, HOSTILE_TITLE, REFUSED_WORDS, updates_on

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_cache")]

POSTED = datetime(2026, 3, 1, 6, 30, tzinfo=UTC)  # 09:30 in the newsroom's time zone (GMT+3)


def posted(article, publisher, text="Twelve people were killed.", title="Casualties", at=POSTED):
    return post_update(article, publisher, text, title, at)


def correct_or_remove(action, update, by):
    """`by` corrects ("edit") or removes ("remove") `update`, with words and a reason that would be accepted."""
    if action == "edit":
        return workflow.edit_live_update(update, by=by, text="Changed words.")
    return workflow.remove_live_update(update, by=by, note="Gone.")


def written(article):
    """Everything an edit or a removal could write: the story's times, its events, its updates' rows."""
    row = Article.objects.filter(pk=article.pk).values("last_live_update_at", "last_published_at", "updated_at")
    return (
        row.get(),
        list(ArticleEvent.objects.filter(article=article).values_list("pk", flat=True)),
        list(LiveUpdate.objects.filter(article=article).order_by("pk").values()),
    )


def json_ld(client, article):
    html = client.get(article.get_absolute_url()).content.decode()
    (data,) = extruct.extract(html, base_url="http://testserver/", syntaxes=["json-ld"])["json-ld"]
    return data


# -- correcting --------------------------------------------------------------------------------------------------


def test_readers_see_the_corrected_words_with_the_time_of_the_correction_in_place(
    client, publisher, page_cache_off, django_capture_on_commit_callbacks
):
    article = story()
    first = posted(article, publisher, at=POSTED)
    posted(article, publisher, text="The bridge is down.", title="", at=POSTED + timedelta(hours=1))
    with django_capture_on_commit_callbacks(execute=True):
        workflow.edit_live_update(first, by=publisher, text="Eleven people were killed.", title="Casualties revised")
    LiveUpdate.objects.filter(pk=first.pk).update(edited_at=POSTED + timedelta(hours=2, minutes=5))
    shown = updates_on(client, article)
    # Still in its place (posted order), with its own posting time.
    assert [(id_, when, title, text) for id_, when, title, text in shown][1] == (
        f"update-{first.pk}",
        "2026-03-01T09:30:00+03:00",
        "Casualties revised",
        "Eleven people were killed.",
    )
    html = client.get(article.get_absolute_url()).content.decode()
    assert "Twelve people" not in html and "Casualties<" not in html
    assert (
        '09:30 GMT+3</time></a> <span class="live-update-edited">Edited '
        '<time datetime="2026-03-01T11:35:00+03:00">11:35</time></span></p>'
    ) in html
    newer = lxml_html.fromstring(html).xpath(f'//article[@id="update-{first.pk}"]/preceding-sibling::article')
    assert len(newer) == 1 and not newer[0].xpath('.//span[@class="live-update-edited"]')


def test_a_correction_on_another_day_names_the_day(client, publisher, page_cache_off):
    article = story()
    update = posted(article, publisher)
    workflow.edit_live_update(update, by=publisher, text="Eleven people were killed.", title="Casualties")
    LiveUpdate.objects.filter(pk=update.pk).update(edited_at=POSTED + timedelta(days=1))
    html = client.get(article.get_absolute_url()).content.decode()
    assert 'Edited <time datetime="2026-03-02T09:30:00+03:00">2 March 2026, 09:30</time>' in html


def test_an_arabic_storys_correction_time_is_in_arabic_digits(client, publisher, page_cache_off):
    arabic = story(headline="معركة الباغوز", slug="معركة", language="ar")
    update = posted(arabic, publisher, text="قتل اثنا عشر شخصا.", title="")
    workflow.edit_live_update(update, by=publisher, text="قتل أحد عشر شخصا.")
    LiveUpdate.objects.filter(pk=update.pk).update(edited_at=POSTED + timedelta(hours=2, minutes=5))
    html = client.get(arabic.get_absolute_url()).content.decode()
    assert '<span class="live-update-edited">عُدِّل <time datetime="2026-03-01T11:35:00+03:00">١١:٣٥</time></span>' in html
    assert "قتل أحد عشر شخصا." in html and "اثنا عشر" not in html


def test_the_structured_data_carries_the_corrected_words_and_when(client, publisher, page_cache_off):
    article = story()
    update = posted(article, publisher)
    untouched = posted(article, publisher, text="The bridge is down.", title="", at=POSTED + timedelta(hours=1))
    workflow.edit_live_update(update, by=publisher, text="Eleven people were killed.", title="Casualties revised")
    LiveUpdate.objects.filter(pk=update.pk).update(edited_at=POSTED + timedelta(hours=2))
    newest, corrected = json_ld(client, article)["liveBlogUpdate"]
    assert newest["url"].endswith(f"#update-{untouched.pk}") and "dateModified" not in newest
    assert corrected == {
        "@type": "BlogPosting",
        "headline": "Casualties revised",
        "datePublished": "2026-03-01T09:30:00+03:00",
        "dateModified": "2026-03-01T11:30:00+03:00",
        "articleBody": "Eleven people were killed.",
        "url": f"http://testserver{article.get_absolute_url()}#update-{update.pk}",
    }


def test_a_correction_is_one_event_keeping_the_words_it_replaced(publisher, django_capture_on_commit_callbacks):
    article = story()
    update = posted(article, publisher, text="Twelve people\nwere killed.\n\nMore later.", title="Casualties")
    workflow.edit_live_update(update, by=publisher, text="Eleven.", title="", note="The ministry revised it")
    row = LiveUpdate.objects.get(pk=update.pk)
    assert (row.title, row.text, row.edited_by, row.removed_at) == ("", "<p>Eleven.</p>", publisher, None)
    event = ArticleEvent.objects.filter(article=article).first()
    assert (event.action, event.actor, event.from_status, event.to_status) == (
        "edit_live_update",
        publisher,
        S.PUBLISHED,
        S.PUBLISHED,
    )
    assert event.note == (
        f"The ministry revised it\nLive update {update.pk} before this edit:\n"
        "Title: Casualties\nTwelve people\nwere killed.\n\nMore later."
    )
    # A second correction records the first one's words: every version is in the trail.
    workflow.edit_live_update(row, by=publisher, text="Eleven people were killed.")
    assert ArticleEvent.objects.filter(article=article).first().note.endswith("before this edit:\nEleven.")


def test_a_correction_moves_the_updated_time_but_does_not_make_an_old_story_live_again(
    client, publisher, django_capture_on_commit_callbacks
):
    article = story(age=timedelta(days=3))
    update = posted(article, publisher)
    long_ago = timezone.now() - timedelta(days=2)
    Article.objects.filter(pk=article.pk).update(last_live_update_at=long_ago, last_published_at=long_ago)
    url = article.get_absolute_url()
    before = client.get(url)
    assert not lxml_html.fromstring(before.content).xpath('//p[@class="live-label"]')
    with django_capture_on_commit_callbacks(execute=True):
        workflow.edit_live_update(update, by=publisher, text="Eleven people were killed.")
    article.refresh_from_db()
    assert article.last_live_update_at == long_ago and not article.is_live
    edited_at = LiveUpdate.objects.get(pk=update.pk).edited_at
    assert article.last_published_at == edited_at
    after = client.get(url)
    assert after["Last-Modified"] != before["Last-Modified"]
    assert client.get(url, headers={"If-Modified-Since": before["Last-Modified"]}).status_code == 200
    page = lxml_html.fromstring(after.content)
    assert not page.xpath('//p[@class="live-label"]') and not page.xpath("//section/@data-follow-seconds")
    assert json_ld(client, article)["dateModified"] == timezone.localtime(edited_at).replace(microsecond=0).isoformat()


def test_a_cached_story_page_shows_a_correction_and_a_removal_at_once(
    client, any_cache, publisher, django_capture_on_commit_callbacks
):
    article = story()
    url = article.get_absolute_url()
    update = posted(article, publisher)
    assert "Twelve people were killed." in client.get(url).content.decode()  # now cached
    client.get("/")
    with django_capture_on_commit_callbacks(execute=True):
        workflow.edit_live_update(update, by=publisher, text="Eleven people were killed.")
    html = client.get(url).content.decode()
    assert "Eleven people were killed." in html and "Twelve" not in html
    # The listings were purged as well: the home page is rendered again.
    with CaptureQueriesContext(connection) as queries:
        client.get("/")
    assert len(queries) > 0
    with django_capture_on_commit_callbacks(execute=True):
        workflow.remove_live_update(update, by=publisher, note="Not confirmed")
    assert "Eleven people" not in client.get(url).content.decode()


@pytest.mark.parametrize(
    "text, title, refusal",
    [*REFUSED_WORDS, ("Twelve people were killed.", "Casualties", "the update is as it was")],
)
def test_an_empty_too_long_or_unchanged_correction_is_refused_and_writes_nothing(publisher, text, title, refusal):
    article = story()
    update = posted(article, publisher)
    before = written(article)
    with pytest.raises(workflow.WorkflowError, match=refusal):
        workflow.edit_live_update(update, by=publisher, text=text, title=title)
    assert written(article) == before


def test_a_correction_of_exactly_the_longest_length_is_accepted(publisher):
    update = posted(story(), publisher)
    workflow.edit_live_update(update, by=publisher, text="x" * 5000)
    assert LiveUpdate.objects.get(pk=update.pk).text == "<p>" + "x" * 5000 + "</p>"


# -- removing ----------------------------------------------------------------------------------------------------


def test_a_removed_update_is_gone_from_the_page_and_the_structured_data_but_kept(
    client, publisher, page_cache_off, django_capture_on_commit_callbacks
):
    article = story()
    kept = posted(article, publisher, text="The bridge is down.", title="", at=POSTED)
    gone = posted(article, publisher, at=POSTED + timedelta(hours=1))
    Article.objects.filter(pk=article.pk).update(last_live_update_at=POSTED + timedelta(hours=1))
    with django_capture_on_commit_callbacks(execute=True):
        workflow.remove_live_update(gone, by=publisher, note="Not confirmed by a second source")
    assert [id_ for id_, *_ in updates_on(client, article)] == [f"update-{kept.pk}"]
    html = client.get(article.get_absolute_url()).content.decode()
    assert "Twelve people" not in html and f"update-{gone.pk}" not in html
    assert [u["url"].rsplit("#", 1)[1] for u in json_ld(client, article)["liveBlogUpdate"]] == [f"update-{kept.pk}"]
    row = LiveUpdate.objects.get(pk=gone.pk)
    assert (row.title, row.text, row.removed_by) == ("Casualties", "<p>Twelve people were killed.</p>", publisher)
    event = ArticleEvent.objects.filter(article=article).first()
    assert (event.action, event.actor) == ("remove_live_update", publisher)
    assert event.note == f"Not confirmed by a second source\nLive update {gone.pk} removed: Casualties"
    # The story's newest update is now the one left.
    article.refresh_from_db()
    assert article.last_live_update_at == kept.posted_at
    assert article.last_published_at == row.removed_at


def test_removing_the_only_update_makes_the_story_a_plain_article_again(client, places, publisher, page_cache_off):
    plain, article = story(regions=[places["baghouz"]]), story(regions=[places["baghouz"]])
    update = posted(article, publisher)
    workflow.remove_live_update(update, by=publisher, note="Posted on the wrong story")
    article.refresh_from_db()
    assert article.last_live_update_at is None and not article.is_live
    assert updates_on(client, article) == []
    assert json_ld(client, article)["@type"] == "NewsArticle"
    # No query for updates any more: the page costs what a story without updates costs.
    assert page_queries(client, article.get_absolute_url()) == page_queries(client, plain.get_absolute_url()) == 2


def test_an_open_page_following_the_story_is_never_offered_a_removed_update(client, publisher, page_cache_off):
    # The following script offers each update of the page's fresh copy it has not shown: a removed one is not there.
    article = story()
    posted(article, publisher, text="The bridge is down.", title="", at=timezone.now() - timedelta(minutes=5))
    gone = posted(article, publisher, at=timezone.now())
    workflow.remove_live_update(gone, by=publisher, note="Not confirmed")
    page = lxml_html.fromstring(client.get(article.get_absolute_url()).content)
    assert page.xpath('//section[@class="live-updates"]/@data-follow-seconds')
    assert not page.xpath(f'//*[@id="update-{gone.pk}"]')


def test_a_removal_needs_a_reason_and_writes_nothing_without_one(publisher):
    article = story()
    update = posted(article, publisher)
    before = written(article)
    for note in ("", "   "):
        with pytest.raises(workflow.NoteRequired):
            workflow.remove_live_update(update, by=publisher, note=note)
    assert written(article) == before


def test_a_removed_update_cannot_be_corrected_or_removed_again(publisher):
    article = story()
    update = posted(article, publisher)
    workflow.remove_live_update(update, by=publisher, note="Not confirmed")
    before = written(article)
    with pytest.raises(workflow.WorkflowError, match="has been removed"):
        workflow.edit_live_update(update, by=publisher, text="Back again?")
    with pytest.raises(workflow.WorkflowError, match="has been removed"):
        workflow.remove_live_update(update, by=publisher, note="Twice")
    assert written(article) == before


def test_an_update_can_be_taken_down_under_an_embargo_but_not_corrected(publisher):
    article = story()
    update = posted(article, publisher)
    Article.objects.filter(pk=article.pk).update(embargo_until=timezone.now() + timedelta(hours=2))
    before = written(article)
    with pytest.raises(workflow.EmbargoInForce):
        workflow.edit_live_update(update, by=publisher, text="Too early.")
    assert written(article) == before
    # Taking words down releases nothing, so a removal is allowed.
    workflow.remove_live_update(update, by=publisher, note="Legal request")
    assert LiveUpdate.objects.get(pk=update.pk).removed_at is not None


# -- who and when ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("action", ["edit", "remove"])
def test_reporters_and_editors_cannot_correct_or_remove_and_nothing_is_written(publisher, reporter, editor, action):
    article = story()
    update = posted(article, publisher)
    before = written(article)
    for colleague in (reporter, editor):
        with pytest.raises(workflow.PermissionRefused):
            correct_or_remove(action, update, colleague)
    assert written(article) == before


@pytest.mark.parametrize("status", [S.UNPUBLISHED, S.DRAFT, S.SPIKED])
@pytest.mark.parametrize("action", ["edit", "remove"])
def test_only_a_published_storys_updates_can_be_corrected_or_removed(publisher, status, action):
    article = story()
    update = posted(article, publisher)
    Article.objects.filter(pk=article.pk).update(status=status)  # set-up only: the story left publication
    before = written(article)
    with pytest.raises(workflow.MoveNotAllowed):
        correct_or_remove(action, update, publisher)
    assert written(article) == before


# -- the page's queries ------------------------------------------------------------------------------------------


def test_corrected_and_removed_updates_keep_the_story_page_at_three_queries(client, places, publisher, page_cache_off):
    # As test_live_updates pins: the story, its related stories, then its updates.
    plain, article = story(regions=[places["baghouz"]]), story(regions=[places["baghouz"]])
    assert page_queries(client, plain.get_absolute_url()) == 2
    updates = [posted(article, publisher, text=f"Update {n}", at=POSTED + timedelta(minutes=n)) for n in range(6)]
    for update in updates[:3]:
        workflow.edit_live_update(update, by=publisher, text=f"{update.text} corrected")
    for update in updates[3:5]:
        workflow.remove_live_update(update, by=publisher, note="Wrong")
    assert page_queries(client, article.get_absolute_url()) == 3
    assert len(updates_on(client, article)) == 4


# -- the desk ----------------------------------------------------------------------------------------------------


def edit_url(article, update, name="edit_live_update"):
    return reverse("admin:articles_article_live_update", args=[article.pk, update.pk, name])


def test_the_desk_lists_the_updates_with_their_typed_words_to_correct_or_remove(client, publisher):
    article = story()
    update = posted(article, publisher, text=HOSTILE_TEXT + "\nA second line.", title=HOSTILE_TITLE)
    gone = posted(article, publisher, text="Removed one.", title="")
    workflow.remove_live_update(gone, by=publisher, note="Wrong story")
    client.force_login(publisher)
    page = lxml_html.fromstring(client.get(reverse("admin:articles_article_change", args=[article.pk])).content)
    (listed,) = page.xpath('//section[@id="desk-live-updates"]//li')
    edit, pin, remove = listed.xpath(".//form")
    assert edit.get("action") == edit_url(article, update)
    assert pin.get("action") == edit_url(article, update, "pin_live_update")
    assert edit.xpath('.//input[@name="title"]/@value') == [HOSTILE_TITLE]
    assert edit.xpath('.//textarea[@name="text"]')[0].text == (
        "Residents fled.<img src=x onerror=alert('text')>\n\n<script>alert('text')</script>\nA second line."
    )
    assert remove.get("action") == edit_url(article, update, "remove_live_update")
    assert remove.xpath('.//textarea[@name="note"][@required]')
    # The trail shows the removal with its reason.
    assert "Wrong story" in page.xpath('//section[@aria-labelledby="desk-audit"]')[0].text_content()


def desk_list(client, article, query=""):
    """(the texts of the updates the desk panel lists, its newer and older links) on the story's change page."""
    page = lxml_html.fromstring(client.get(reverse("admin:articles_article_change", args=[article.pk]) + query).content)
    texts = [li.xpath(".//textarea[@name='text']")[0].text for li in page.xpath('//li[@class="desk-live-update"]')]
    links = {a.text_content(): a.get("href") for a in page.xpath('//nav[@class="desk-live-pages"]/a')}
    return texts, links


def test_the_desk_pages_through_every_update_and_a_correction_returns_to_its_page(client, publisher):
    article = with_updates(story(), 45)
    client.force_login(publisher)
    texts, links = desk_list(client, article)
    assert texts == [f"Update {n}" for n in range(44, 24, -1)]
    assert links == {"Older updates": "?live_updates=2#desk-live-updates"}
    texts, links = desk_list(client, article, "?live_updates=3")
    assert texts == [f"Update {n}" for n in range(4, -1, -1)]
    assert links == {"Newer updates": "?live_updates=2#desk-live-updates"}
    # The oldest update, corrected from the third page, and the desk is back on that page.
    oldest = LiveUpdate.objects.filter(article=article).order_by("posted_at").first()
    done = client.post(edit_url(article, oldest), {"text": "Update 0, corrected.", "live_updates": "3"})
    assert done.url.endswith("?live_updates=3#desk-live-updates")
    assert desk_list(client, article, "?live_updates=3")[0][-1] == "Update 0, corrected."


@pytest.mark.parametrize("query", ["?live_updates=0", "?live_updates=-2", "?live_updates=abc", "?live_updates=9"])
def test_a_bad_or_past_the_end_page_of_the_desks_list_shows_the_newest(client, publisher, query):
    article = with_updates(story(), 25)
    client.force_login(publisher)
    assert desk_list(client, article, query) == (
        [f"Update {n}" for n in range(24, 4, -1)],
        {"Older updates": "?live_updates=2#desk-live-updates"},
    )
    # A forged page number in a form's post sends the desk back to the list's first page, nothing else.
    update = LiveUpdate.objects.filter(article=article).first()
    done = client.post(edit_url(article, update), {"text": "Corrected.", "live_updates": "../../x"})
    assert done.url.endswith(f"/{article.pk}/change/#desk-live-updates")


def test_a_publisher_corrects_and_removes_through_the_desk(client, publisher):
    article = story()
    update = posted(article, publisher)
    client.force_login(publisher)
    done = client.post(
        edit_url(article, update), {"title": "Casualties", "text": "Eleven people were killed.", "note": "Revised"}
    )
    assert done.status_code == 302 and done.url.endswith("#desk-live-updates")
    assert LiveUpdate.objects.get(pk=update.pk).text == "<p>Eleven people were killed.</p>"
    page = client.get(done.url).content.decode()
    assert "Correct a live update: done." in page
    client.post(edit_url(article, update, "remove_live_update"), {"note": "Not confirmed"})
    assert LiveUpdate.objects.get(pk=update.pk).removed_by == publisher
    assert list(ArticleEvent.objects.filter(article=article).values_list("action", flat=True)[:2]) == [
        "remove_live_update",
        "edit_live_update",
    ]


def test_a_refused_correction_comes_back_in_its_form_with_the_reason(client, publisher):
    article = story()
    update = posted(article, publisher)
    client.force_login(publisher)
    too_long = "The <b>toll</b> " + "x" * 5000
    before = written(article)
    page = client.post(edit_url(article, update), {"title": "Toll", "text": too_long, "note": "Why"}, follow=True)
    assert written(article) == before
    html = page.content.decode()
    assert "5000 characters at most" in html
    form = lxml_html.fromstring(html).xpath(f'//li[@id="desk-update-{update.pk}"]//details')[0]
    assert form.get("open") is not None
    assert form.xpath(".//textarea")[0].text == too_long
    assert form.xpath('.//input[@name="title"]/@value') == ["Toll"]
    # Shown once: the next visit offers the update's own words.
    again = lxml_html.fromstring(client.get(reverse("admin:articles_article_change", args=[article.pk])).content)
    assert again.xpath(f'//li[@id="desk-update-{update.pk}"]//textarea')[0].text == "Twelve people were killed."


def test_a_removal_without_a_reason_through_the_desk_is_refused(client, publisher):
    article = story()
    update = posted(article, publisher)
    client.force_login(publisher)
    before = written(article)
    page = client.post(edit_url(article, update, "remove_live_update"), {"note": " "}, follow=True)
    assert "needs a note saying why" in page.content.decode()
    assert written(article) == before


@pytest.mark.parametrize("name", ["edit_live_update", "remove_live_update"])
def test_an_update_of_another_story_is_not_found_and_nothing_changes(client, publisher, name):
    article, other = story(), story(headline="Another story")
    update = posted(other, publisher)
    client.force_login(publisher)
    before = written(other), written(article)
    data = {"text": "Forged.", "note": "Forged"}
    response = client.post(reverse("admin:articles_article_live_update", args=[article.pk, update.pk, name]), data)
    assert response.status_code == 404
    assert (written(other), written(article)) == before


@pytest.mark.parametrize("role", ["reporter", "editor"])
def test_a_reporter_or_editor_is_not_offered_the_forms_and_a_forged_post_changes_nothing(
    request, client, publisher, role
):
    article = story()
    update = posted(article, publisher)
    client.force_login(request.getfixturevalue(role))
    page = client.get(reverse("admin:articles_article_change", args=[article.pk])).content.decode()
    assert "desk-live-updates" not in page and "Correct this update" not in page
    before = written(article)
    for name in ("edit_live_update", "remove_live_update"):
        response = client.post(edit_url(article, update, name), {"text": "Forged.", "note": "Forged"}, follow=True)
        assert "You do not have permission for" in response.content.decode()
    assert written(article) == before


def test_the_update_moves_are_not_story_buttons_nor_reachable_as_story_moves(client, publisher):
    article = story()
    posted(article, publisher)
    assert "edit_live_update" not in [m.name for m in workflow.available_moves(article, publisher)]
    client.force_login(publisher)
    for name in ("edit_live_update", "remove_live_update"):
        response = client.post(reverse("admin:articles_article_move", args=[article.pk, name]), {"note": "x"})
        assert response.status_code == 404
    response = client.get(edit_url(article, LiveUpdate.objects.get()))
    assert response.status_code == 405
    # Nor is a story's move reachable through an update's address.
    before = written(article)
    for name in ("unpublish", "post_live_update", "no_such_move"):
        response = client.post(edit_url(article, LiveUpdate.objects.get(), name), {"note": "x", "text": "x"})
        assert response.status_code == 404
    assert written(article) == before


def test_the_desk_forms_are_in_arabic_for_an_arabic_desk(client, publisher):
    article = story()
    posted(article, publisher)
    client.force_login(publisher)
    page = client.get(
        reverse("admin:articles_article_change", args=[article.pk]), headers={"Accept-Language": "ar"}
    ).content.decode()
    for words in ("صحّح هذا التحديث", "احذف هذا التحديث", "احفظ التصحيح"):
        assert words in page


# -- the typed words ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed",
    [
        "One line.",
        "First line\nsecond line\n\nNext paragraph",
        HOSTILE_TEXT,
        "Quotes \"double\" and 'single' & <angle> brackets",
        "قتل اثنا عشر شخصا.\n\nالمزيد لاحقا.",
        "Read it at https://example.org/a?b=1&c=2 (or https://example.org/x_(y)).",
    ],
)
def test_the_typed_words_of_an_update_make_the_same_update_again(publisher, typed):
    article = story()
    workflow.post_live_update(article, by=publisher, text=typed)
    stored = LiveUpdate.objects.get(article=article).text
    assert workflow.live_update_html(typed_text(stored)) == workflow.live_update_html(typed.strip())
