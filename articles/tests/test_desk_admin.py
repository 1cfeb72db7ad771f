"""The desk in the admin: moves by POST for every role, refusals as messages, bulk actions, object permissions,
stale saves, pending updates, history, diffs and restores."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from articles import editing, workflow
from articles.models import Article, ArticleEvent, ArticleRevision, Correction
from articles.tests.desk_forms import form_data
from articles.tests.factories import ArticleFactory, RegionFactory, SectionFactory
from articles.tests.test_workflow import ALLOWED, START, _article_in

pytestmark = pytest.mark.django_db
S = Article.Status


def _move_url(article, name):
    return reverse("admin:articles_article_move", args=[article.pk, name])


def _change_url(article):
    return reverse("admin:articles_article_change", args=[article.pk])


def _post_data(move):
    data = {"note": START[move][1].get("note", ""), "kind": "correction"}
    if move in ("schedule", "feature"):
        data["at"] = timezone.localtime(timezone.now() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    return data


@pytest.mark.parametrize("role", list(ALLOWED))
@pytest.mark.parametrize("move", list(START))
def test_every_role_and_every_move_posted_through_the_admin(request, client, role, move):
    user = request.getfixturevalue(role)
    client.force_login(user)
    status = START[move][0]
    article = _article_in(status, owner=user)
    before = Article.objects.get(pk=article.pk)
    response = client.post(_move_url(article, move), _post_data(move), follow=True)
    assert response.status_code == 200
    page = response.content.decode()
    after = Article.objects.get(pk=article.pk)
    if move in ALLOWED[role]:
        assert "done" in page
        event = ArticleEvent.objects.get(article=article)
        assert (event.action, event.actor) == (move, user)
        assert after.status == (workflow.MOVES[move].target or status)
    else:
        assert "You do not have permission for" in page
        assert "Traceback" not in page
        assert (after.status, after.updated_at, after.version) == (before.status, before.updated_at, before.version)
        assert not ArticleEvent.objects.filter(article=article).exists()
        assert not Correction.objects.filter(article=article).exists()


def test_a_move_is_post_only(client, publisher):
    client.force_login(publisher)
    article = _article_in(S.APPROVED)
    assert client.get(_move_url(article, "publish")).status_code == 405
    assert Article.objects.get(pk=article.pk).status == S.APPROVED


def test_a_reader_cannot_post_a_move(client, roles):
    from articles.tests.factories import UserFactory

    reader = UserFactory(username="reader", is_staff=False)
    client.force_login(reader)
    article = _article_in(S.APPROVED)
    response = client.post(_move_url(article, "publish"))
    assert response.status_code == 302 and "/login/" in response["Location"]
    assert Article.objects.get(pk=article.pk).status == S.APPROVED


def test_schedule_is_entered_in_newsroom_time_and_stored_in_utc(client, publisher, settings):
    assert settings.TIME_ZONE == "Asia/Baghdad"  # UTC+3, no daylight saving
    client.force_login(publisher)
    article = _article_in(S.APPROVED)
    page = client.post(_move_url(article, "schedule"), {"at": "2031-01-15T09:00"}, follow=True).content.decode()
    article.refresh_from_db()
    assert article.status == S.SCHEDULED
    assert article.scheduled_for == datetime(2031, 1, 15, 6, 0, tzinfo=UTC)
    assert "Scheduled for 2031-01-15 09:00" in page


@pytest.mark.parametrize(
    ("data", "message"),
    [({"at": "tomorrow-ish"}, "Enter a valid date/time"), ({}, "Enter the date and time to publish at")],
)
def test_schedule_with_a_bad_time_is_refused_with_a_message(client, publisher, data, message):
    client.force_login(publisher)
    article = _article_in(S.APPROVED)
    page = client.post(_move_url(article, "schedule"), data, follow=True).content.decode()
    assert message in page
    assert Article.objects.get(pk=article.pk).status == S.APPROVED


def test_refused_moves_show_the_workflow_reason(client, publisher, editor):
    client.force_login(publisher)
    embargoed = _article_in(S.APPROVED)
    Article.objects.filter(pk=embargoed.pk).update(embargo_until=timezone.now() + timedelta(hours=5))
    page = client.post(_move_url(embargoed, "publish"), follow=True).content.decode()
    assert "Embargoed until" in page and "it cannot be published before then" in page
    submitted = _article_in(S.SUBMITTED)
    page = client.post(_move_url(submitted, "send_back"), {"note": "  "}, follow=True).content.decode()
    assert "“Send back” needs a note saying why." in page
    draft = _article_in(S.DRAFT)
    page = client.post(_move_url(draft, "publish"), follow=True).content.decode()
    assert "“Publish” is not possible on an article that is draft." in page
    assert not ArticleEvent.objects.exists()


def test_change_form_shows_state_my_moves_trail_and_corrections(client, reporter, editor, publisher):
    article = _article_in(S.DRAFT, owner=reporter)
    client.force_login(reporter)
    page = client.get(_change_url(article)).content.decode()
    assert "Workflow: <span" in page and "Draft</span>" in page
    assert "Submit for editing" in page and ">Publish<" not in page and "Approve" not in page
    workflow.submit(article, by=reporter)
    workflow.send_back(article, by=editor, note="Who is the second source?")
    workflow.submit(article, by=reporter)
    workflow.approve(article, by=editor)
    workflow.publish(article, by=publisher)
    workflow.correct(article, by=publisher, note="The town is Hajin, not Hasakah.", kind="correction")
    client.force_login(publisher)
    page = client.get(_change_url(article)).content.decode()
    assert "Published</span>" in page
    assert "The town is Hajin, not Hasakah." in page and "Correction" in page
    assert "Who is the second source?" in page
    trail = page[page.index("Audit trail") :]
    # Each move as the desk's buttons name it.
    for move in ("Submit for editing", "Send back", "Approve", "Publish", "Add public correction"):
        assert f"<td>{move}</td>" in trail
    assert "Add public correction" in page and "Unpublish" in page and "Publish update" in page
    assert 'name="kind"' in page and "Clarification" in page


def test_the_arabic_desk_names_the_trails_moves_and_a_bulk_actions_results_in_arabic(client, publisher):
    article = _article_in(S.APPROVED)
    draft = _article_in(S.DRAFT)
    workflow.publish(article, by=publisher)
    client.force_login(publisher)
    client.post(reverse("set_language"), {"language": "ar", "next": "/admin/"})
    trail = client.get(_change_url(article)).content.decode()
    assert "<td>انشر</td>" in trail and "<td>publish</td>" not in trail
    changelist = reverse("admin:articles_article_changelist")
    data = {"action": "publish_selected", "_selected_action": [draft.pk]}
    page = client.post(changelist, data, follow=True).content.decode()
    assert "refused" not in page
    assert "لا يمكن تنفيذ «انشر» على مقال حالته «مسودة»." in page


def test_bulk_actions_report_per_article_what_was_done_and_what_was_refused(client, publisher):
    client.force_login(publisher)
    ready = _article_in(S.APPROVED)
    draft = _article_in(S.DRAFT)
    embargoed = _article_in(S.APPROVED)
    Article.objects.filter(pk=embargoed.pk).update(embargo_until=timezone.now() + timedelta(hours=2))
    page = client.post(
        reverse("admin:articles_article_changelist"),
        {"action": "publish_selected", "_selected_action": [ready.pk, draft.pk, embargoed.pk]},
        follow=True,
    ).content.decode()
    assert f"Publish: 1 done: “{ready.headline}”" in page
    assert f"Publish: “{draft.headline}” refused: “Publish” is not possible on an article that is draft." in page
    assert f"Publish: “{embargoed.headline}” refused: Embargoed until" in page
    assert list(Article.objects.filter(status=S.PUBLISHED)) == [ready]


@pytest.mark.parametrize("action", ["approve_selected", "publish_selected"])
def test_reporter_cannot_run_bulk_moves_by_a_forged_post(client, reporter, action):
    client.force_login(reporter)
    article = _article_in(S.SUBMITTED, owner=reporter)
    client.post(
        reverse("admin:articles_article_changelist"), {"action": action, "_selected_action": [article.pk]}, follow=True
    )
    assert Article.objects.get(pk=article.pk).status == S.SUBMITTED
    assert not ArticleEvent.objects.exists()


def test_editor_bulk_approves_only_what_is_submitted(client, editor):
    client.force_login(editor)
    submitted, draft = _article_in(S.SUBMITTED), _article_in(S.DRAFT)
    page = client.post(
        reverse("admin:articles_article_changelist"),
        {"action": "approve_selected", "_selected_action": [submitted.pk, draft.pk]},
        follow=True,
    ).content.decode()
    assert "Approve: 1 done" in page and "“Approve” is not possible on an article that is draft." in page
    assert Article.objects.get(pk=submitted.pk).status == S.APPROVED


@pytest.mark.parametrize("status", [S.SUBMITTED, S.APPROVED, S.PUBLISHED])
def test_reporter_sees_own_story_read_only_once_submitted_and_a_forged_save_fails(client, reporter, status):
    client.force_login(reporter)
    article = _article_in(status, owner=reporter)
    page = client.get(_change_url(article)).content.decode()
    assert 'name="headline"' not in page
    response = client.post(_change_url(article), form_data(article, headline="Reporter's late change"))
    assert response.status_code == 403
    assert Article.objects.get(pk=article.pk).headline == article.headline
    assert not ArticleRevision.objects.exists()


def test_reporter_cannot_save_a_colleagues_draft(client, reporter, editor):
    client.force_login(reporter)
    article = _article_in(S.DRAFT, owner=editor)
    assert client.post(_change_url(article), form_data(article, headline="Mine now")).status_code == 403
    assert Article.objects.get(pk=article.pk).headline == article.headline


def test_reporter_saves_own_draft_and_editor_saves_a_submitted_story_without_resetting_it(client, reporter, editor):
    article = _article_in(S.DRAFT, owner=reporter)
    client.force_login(reporter)
    assert client.post(_change_url(article), form_data(article, headline="Reporter's headline")).status_code == 302
    workflow.submit(article, by=reporter)
    article.refresh_from_db()
    client.force_login(editor)
    assert client.post(_change_url(article), form_data(article, headline="Editor's headline")).status_code == 302
    article.refresh_from_db()
    assert (article.status, article.headline, article.version) == (S.SUBMITTED, "Editor's headline", 3)


def test_editing_a_live_story_in_the_admin_makes_a_pending_update(client, editor, publisher):
    article = _article_in(S.PUBLISHED)
    live_headline = article.headline
    client.force_login(editor)
    page = client.get(_change_url(article)).content.decode()
    assert "This story is live" in page
    page = client.post(
        _change_url(article), form_data(article, headline="Updated: toll rises"), follow=True
    ).content.decode()
    assert "Saved as a pending update (version 2)" in page
    assert Article.objects.published().get(pk=article.pk).headline == live_headline
    page = client.get(_change_url(article)).content.decode()
    assert 'value="Updated: toll rises"' in page and "You are editing the pending update (version 2" in page
    assert "Publish update" not in page  # the editor may not put it live
    client.force_login(publisher)
    client.post(_move_url(article, "publish_update"), {"note": "Toll confirmed"}, follow=True)
    assert Article.objects.published().get(pk=article.pk).headline == "Updated: toll rises"


def test_a_stale_save_in_the_admin_keeps_the_text_and_names_who_saved(client, editor, publisher):
    article = ArticleFactory(headline="Original headline", created_by=editor)
    client.force_login(editor)
    loaded = form_data(article)  # what the editor's browser holds, at version 1
    editing.save_edit(article.pk, {"headline": "Publisher's headline"}, by=publisher, base_version=1)

    response = client.post(_change_url(article), {**loaded, "headline": "Editor's headline"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "Not saved: publisher saved version 2 of this article at" in page
    assert 'value="Editor&#x27;s headline"' in page  # nothing lost
    compare = reverse("admin:articles_article_compare", args=[article.pk]) + "?from=1&amp;to=2"
    assert compare in page
    assert Article.objects.get(pk=article.pk).headline == "Publisher's headline"

    # Saving again after reading the warning is a deliberate overwrite, from the version now shown.
    base = re.search(r'name="base_version" value="(\d+)"', page).group(1)
    assert base == "2"
    again = client.post(_change_url(article), {**loaded, "headline": "Editor's headline", "base_version": base})
    assert again.status_code == 302
    assert Article.objects.get(pk=article.pk).headline == "Editor's headline"


def test_history_compares_any_two_versions_word_by_word_and_restores(client, editor, places):
    article = ArticleFactory(
        headline="Fighting in Baghouz", body="<p>Hundreds fled the town on Monday.</p>", regions=[places["syria"]]
    )
    editing.save_edit(
        article.pk,
        {"body": "<p>Thousands fled the town on Tuesday.</p>", "regions": [places["baghouz"].pk]},
        by=editor,
        base_version=1,
    )
    editing.save_edit(article.pk, {"headline": "Fighting ends in Baghouz"}, by=editor, base_version=2)
    client.force_login(editor)
    history = client.get(reverse("admin:articles_article_history", args=[article.pk])).content.decode()
    assert history.count('name="from"') == 3 and "as first recorded" in history
    page = client.get(
        reverse("admin:articles_article_compare", args=[article.pk]), {"from": 1, "to": 3}
    ).content.decode()
    assert "<del>Hundreds</del> <ins>Thousands</ins> fled the town on <del>Monday.</del> <ins>Tuesday.</ins>" in page
    assert "Fighting <ins>ends</ins> in Baghouz" in page
    assert "<del>Syria</del>, <ins>Baghouz</ins>" in page
    assert "Standfirst" not in page  # unchanged fields are not listed
    response = client.post(reverse("admin:articles_article_restore", args=[article.pk, 1]), follow=True)
    assert "Version 1 restored as version 4." in response.content.decode()
    article.refresh_from_db()
    assert (article.version, article.headline) == (4, "Fighting in Baghouz")
    assert article.body == "<p>Hundreds fled the town on Monday.</p>"
    assert list(article.regions.all()) == [places["syria"]]
    assert article.revisions.count() == 4


@pytest.mark.parametrize("to", ["x", "99999999999999999999999", "2147483648"])
def test_compare_with_missing_versions_says_so(client, editor, to):
    article = ArticleFactory()
    client.force_login(editor)
    response = client.get(
        reverse("admin:articles_article_compare", args=[article.pk]), {"from": "1", "to": to}, follow=True
    )
    assert "Choose two versions of this article to compare." in response.content.decode()


@pytest.mark.parametrize("typed", ["0001-01-01", "0026-01-01", "9999-12-31"])
def test_a_time_outside_the_publishing_years_is_refused_beside_its_field_and_nothing_saved(client, editor, typed):
    article = ArticleFactory(section=SectionFactory())
    client.force_login(editor)
    data = form_data(article, embargo_until_0=typed, embargo_until_1="00:00", dateline_time_0=typed)
    data["dateline_time_1"] = "00:00"
    response = client.post(_change_url(article), data)
    assert response.status_code == 200
    assert response.content.decode().count("Enter a time between the years 1900 and 2999.") == 2
    after = Article.objects.get(pk=article.pk)
    assert (after.version, after.embargo_until, after.dateline_time) == (article.version, None, None)


@pytest.mark.parametrize("move", ["schedule", "feature"])
def test_a_move_at_a_time_outside_the_publishing_years_is_refused(client, publisher, move):
    article = _article_in(START[move][0], owner=publisher)
    client.force_login(publisher)
    page = client.post(_move_url(article, move), {"at": "0001-01-01T00:00"}, follow=True).content.decode()
    assert "Enter a time between the years 1900 and 2999." in page
    after = Article.objects.get(pk=article.pk)
    assert (after.status, after.scheduled_for, after.featured_until) == (
        article.status,
        article.scheduled_for,
        article.featured_until,
    )
    assert not ArticleEvent.objects.filter(article=article).exists()


def test_reporter_cannot_restore_a_version_of_a_submitted_story(client, reporter, editor):
    article = _article_in(S.DRAFT, owner=reporter)
    editing.save_edit(article.pk, {"headline": "Second"}, by=reporter, base_version=1)
    workflow.submit(article, by=reporter)
    client.force_login(reporter)
    page = client.post(reverse("admin:articles_article_restore", args=[article.pk, 1]), follow=True).content.decode()
    assert "You cannot edit this article while it is submitted for editing." in page
    assert Article.objects.get(pk=article.pk).version == 2


def test_history_leaves_out_a_body_the_editor_only_reserialised(client, editor):
    # An imported body has no line breaks between paragraphs; the desk's editor writes one after each. Saving a
    # new headline changes the body's bytes but nothing a reader sees, so the comparison does not list it.
    article = ArticleFactory(headline="Fighting in Baghouz", body="<p>Hundreds fled.</p><p>The town <em>fell</em>.</p>")
    editing.save_edit(
        article.pk,
        {"headline": "Fighting ends in Baghouz", "body": "<p>Hundreds fled.</p>\n<p>The town <em>fell</em>.</p>\n"},
        by=editor,
        base_version=1,
    )
    # A space between inline words is not white space between blocks: taking it out is a change.
    editing.save_edit(
        article.pk, {"body": "<p>Hundreds fled.</p>\n<p>The town<em>fell</em>.</p>"}, by=editor, base_version=2
    )
    client.force_login(editor)
    compare = reverse("admin:articles_article_compare", args=[article.pk])
    first = client.get(compare, {"from": 1, "to": 2}).content.decode()
    assert "Fighting <ins>ends</ins> in Baghouz" in first
    assert "Body" not in first and "formatting changed" not in first
    second = client.get(compare, {"from": 2, "to": 3}).content.decode()
    assert "Body" in second


def test_history_names_the_section_place_and_times_that_changed_and_a_formatting_only_body(client, editor):
    iraq, syria = SectionFactory(name="Iraq News"), SectionFactory(name="Syria")
    baghdad = RegionFactory(name="Baghdad")
    article = ArticleFactory(section=iraq, body="<p>The town fell.</p>")
    changes = {
        "section": syria,
        "dateline_place": baghdad,
        "embargo_until": datetime(2030, 1, 1, 6, 0, tzinfo=UTC),
        "body": "<p>The town <em>fell</em>.</p>",
    }
    editing.save_edit(article.pk, changes, by=editor, base_version=1)
    editing.save_edit(article.pk, {"embargo_until": None}, by=editor, base_version=2)
    client.force_login(editor)
    compare = reverse("admin:articles_article_compare", args=[article.pk])
    first = client.get(compare, {"from": 1, "to": 2}).content.decode()
    assert "<del>Iraq News</del> → <ins>Syria</ins>" in first
    assert "<del>—</del> → <ins>Baghdad</ins>" in first
    # Times in the newsroom's time zone (Baghdad, UTC+3), as the desk reads them everywhere else.
    assert "<del>—</del> → <ins>2030-01-01 09:00 +03</ins>" in first
    # The same words with new markup: the body is listed, and said to differ only in its formatting.
    assert "(formatting changed)" in first
    second = client.get(compare, {"from": 2, "to": 3}).content.decode()
    assert "<del>2030-01-01 09:00 +03</del> → <ins>—</ins>" in second
    assert "Syria" not in second and "formatting changed" not in second


def test_a_source_id_another_story_has_is_refused_in_the_desks_words(client, editor):
    ArticleFactory(source="Wire", source_id="w-1")
    article = ArticleFactory(source="Wire", source_id="w-2", section=SectionFactory())
    client.force_login(editor)
    response = client.post(_change_url(article), form_data(article, source_id="w-1"))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Another story already has this source and source id." in page
    assert "unique_article_source_id" not in page
    assert Article.objects.get(pk=article.pk).source_id == "w-2"
