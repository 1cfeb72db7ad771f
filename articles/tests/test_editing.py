"""Revisions, pending updates of live stories, restores and who may edit what (articles/editing.py)."""

import pytest

from articles import editing, revisions, workflow
from articles.models import Article, ArticleRevision
from articles.tests.desk_forms import post_change
from articles.tests.factories import ArticleFactory, AuthorFactory, UserFactory
from articles.tests.test_workflow import _article_in

pytestmark = pytest.mark.django_db
S = Article.Status
R = ArticleRevision.State


def _edit(article, by, **changes):
    article.refresh_from_db()
    return editing.save_edit(article.pk, changes, by=by, base_version=article.version)


def test_every_save_keeps_a_numbered_revision_with_its_author(editor, places):
    article = ArticleFactory(headline="First headline", regions=[places["syria"]])
    _edit(article, editor, headline="Second headline")
    _edit(article, editor, body="<p>New body</p>", regions=[places["iraq"].pk])
    article.refresh_from_db()
    assert article.version == 3
    numbers = list(article.revisions.values_list("number", "created_by__username", "state"))
    # Version 1 is the state found before the first edit through the desk (made by a factory, so nobody).
    assert numbers == [(3, "editor", R.APPLIED), (2, "editor", R.APPLIED), (1, None, R.APPLIED)]
    first, latest = article.revisions.get(number=1).content, article.revisions.get(number=3).content
    assert first["headline"] == "First headline" and first["regions"] == [places["syria"].pk]
    assert latest["headline"] == "Second headline" and latest["regions"] == [places["iraq"].pk]
    assert list(article.regions.all()) == [places["iraq"]]


def test_editing_a_story_in_review_keeps_its_state(reporter, editor):
    article = _article_in(S.DRAFT, owner=reporter)
    workflow.submit(article, by=reporter)
    _edit(article, editor, headline="Tightened headline")
    workflow.approve(article, by=editor)
    _edit(article, editor, standfirst="A sharper summary.")
    article.refresh_from_db()
    assert article.status == S.APPROVED
    assert (article.headline, article.standfirst) == ("Tightened headline", "A sharper summary.")


def test_editing_a_live_story_changes_nothing_readers_see_until_publish_update(editor, publisher, places):
    article = _article_in(S.PUBLISHED)
    article.regions.set([places["syria"]])
    live_body = article.body
    result = _edit(article, editor, body="<p>Unchecked new paragraph</p>", regions=[places["iraq"].pk])
    assert result.pending and result.revision.state == R.PENDING
    public = Article.objects.published().get(pk=article.pk)
    assert public.body == live_body
    assert list(public.regions.all()) == [places["syria"]]
    assert public.version == 2  # the edit counts as a version, so a stale copy is still caught

    with pytest.raises(workflow.PermissionRefused):
        workflow.publish_update(article, by=editor)
    assert Article.objects.get(pk=article.pk).body == live_body

    workflow.publish_update(article, by=publisher, note="New paragraph checked")
    public = Article.objects.published().get(pk=article.pk)
    assert public.body == "<p>Unchecked new paragraph</p>"
    assert list(public.regions.all()) == [places["iraq"]]
    assert ArticleRevision.objects.get(pk=result.revision.pk).state == R.APPLIED
    assert public.events.get(action="publish_update").note == "New paragraph checked"


def test_a_second_edit_of_a_live_story_replaces_the_pending_one(editor):
    article = _article_in(S.PUBLISHED)
    first = _edit(article, editor, headline="Pending one")
    second = _edit(article, editor, headline="Pending two")
    assert ArticleRevision.objects.get(pk=first.revision.pk).state == R.SUPERSEDED
    assert revisions.pending_revision(article) == second.revision
    assert editing.current_content(article)["headline"] == "Pending two"


def test_a_stale_save_is_refused_naming_who_saved_and_changes_nothing(editor, publisher):
    article = ArticleFactory(headline="Original")
    loaded_at = article.version
    editing.save_edit(article.pk, {"headline": "Publisher's version"}, by=publisher, base_version=loaded_at)
    with pytest.raises(editing.StaleEdit) as refused:
        editing.save_edit(article.pk, {"headline": "Editor's version"}, by=editor, base_version=loaded_at)
    assert "publisher saved version 2" in str(refused.value)
    assert refused.value.latest.number == 2 and refused.value.base_version == loaded_at
    article.refresh_from_db()
    assert (article.headline, article.version, article.revisions.count()) == ("Publisher's version", 2, 2)


@pytest.mark.parametrize("status", [S.SUBMITTED, S.APPROVED, S.PUBLISHED])
def test_reporter_cannot_edit_own_story_once_it_left_drafts(reporter, status):
    article = _article_in(status, owner=reporter)
    with pytest.raises(editing.EditRefused):
        _edit(article, reporter, headline="Sneaky change")
    assert Article.objects.get(pk=article.pk).headline != "Sneaky change"
    assert not ArticleRevision.objects.exists()


def test_reporter_edits_own_draft_and_one_they_have_a_byline_on_but_not_a_colleagues(reporter, editor):
    own = _article_in(S.DRAFT, owner=reporter)
    bylined = _article_in(S.DRAFT, owner=editor)
    bylined.authors.set([AuthorFactory(user=reporter)])
    colleagues = _article_in(S.DRAFT, owner=editor)
    _edit(own, reporter, headline="Mine")
    _edit(bylined, reporter, headline="Bylined")
    with pytest.raises(editing.EditRefused):
        _edit(colleagues, reporter, headline="Not mine")
    assert Article.objects.get(pk=colleagues.pk).version == 1


def test_spiked_story_cannot_be_edited_until_restored(editor):
    article = _article_in(S.SPIKED)
    with pytest.raises(editing.EditRefused):
        _edit(article, editor, headline="Back from the dead")
    workflow.restore(article, by=editor)
    _edit(article, editor, headline="Back from the dead")
    assert Article.objects.get(pk=article.pk).headline == "Back from the dead"


def test_restoring_a_revision_adds_a_new_one_and_loses_nothing(editor, places):
    article = ArticleFactory(headline="Version one", regions=[places["syria"]])
    _edit(article, editor, headline="Version two", regions=[places["iraq"].pk])
    result = editing.restore_revision(article.pk, 1, by=editor)
    article.refresh_from_db()
    assert (result.revision.number, article.version, article.headline) == (3, 3, "Version one")
    assert list(article.regions.all()) == [places["syria"]]
    assert list(article.revisions.values_list("number", flat=True)) == [3, 2, 1]
    assert article.revisions.get(number=2).content["headline"] == "Version two"
    assert "restored version 1" in result.revision.note
    with pytest.raises(editing.EditRefused):
        editing.restore_revision(article.pk, 99, by=editor)


def test_restoring_on_a_live_story_is_a_pending_update(editor):
    article = _article_in(S.PUBLISHED)
    _edit(article, editor, headline="Pending headline")
    result = editing.restore_revision(article.pk, 1, by=editor)
    assert result.pending
    assert Article.objects.get(pk=article.pk).headline == article.headline


def test_saved_body_in_a_revision_is_sanitised(editor):
    article = ArticleFactory()
    result = _edit(article, editor, body='<p onclick="x()">Hi<script>steal()</script></p>')
    assert result.revision.content["body"] == "<p>Hi</p>"


def test_publish_update_refuses_a_pending_embargo_that_has_not_passed(editor, publisher):
    from datetime import timedelta

    from django.utils import timezone

    article = _article_in(S.PUBLISHED)
    _edit(article, editor, embargo_until=timezone.now() + timedelta(hours=3))
    with pytest.raises(workflow.EmbargoInForce):
        workflow.publish_update(article, by=publisher)
    assert Article.objects.get(pk=article.pk).embargo_until is None


# One version per language: a story whose Arabic version exists cannot become Arabic itself.


def _pair(status):
    english = _article_in(status)
    arabic = ArticleFactory(language="ar", headline="النسخة العربية")
    english.link_translation(arabic)
    return english, arabic


@pytest.mark.parametrize("status", [S.DRAFT, S.PUBLISHED])
def test_the_story_form_refuses_the_language_of_the_storys_other_version(client, editor, status):
    english, _arabic = _pair(status)
    client.force_login(editor)
    response = post_change(client, english, language="ar")
    assert response.status_code == 200
    assert "This story already has a version in Arabic" in response.content.decode()
    after = Article.objects.get(pk=english.pk)
    assert (after.language, after.version) == ("en", english.version)
    assert not after.revisions.filter(state=ArticleRevision.State.PENDING).exists()


def test_restoring_a_version_in_the_other_versions_language_is_refused(editor):
    story = ArticleFactory(language="ar")
    editing.save_edit(story.pk, {"language": "ar", "headline": "قصة"}, by=editor, base_version=story.version)
    story.refresh_from_db()
    editing.save_edit(story.pk, {"language": "en", "headline": "Story"}, by=editor, base_version=story.version)
    story.refresh_from_db()
    story.link_translation(ArticleFactory(language="ar"))
    first_arabic = story.revisions.order_by("number").filter(content__language="ar").first().number
    with pytest.raises(editing.EditRefused, match="already has a version in Arabic"):
        editing.restore_revision(story.pk, first_arabic, by=editor)
    assert Article.objects.get(pk=story.pk).language == "en"


def test_a_pending_update_in_the_other_versions_language_is_refused_not_a_server_error(editor, publisher):
    english, _arabic = _pair(S.PUBLISHED)
    editing.save_edit(english.pk, {"headline": "New headline"}, by=editor, base_version=english.version)
    # A pending update saved before the form refused the language (set-up only).
    pending = revisions.pending_revision(english)
    pending.content = {**pending.content, "language": "ar"}
    pending.save()
    with pytest.raises(workflow.WorkflowError, match="already has a version in Arabic"):
        workflow.publish_update(english, by=publisher)
    after = Article.objects.get(pk=english.pk)
    assert (after.language, after.headline) == ("en", english.headline)


def test_a_reporter_is_told_another_reporters_draft_is_not_theirs_to_edit(reporter, roles):
    colleague = UserFactory(username="colleague")
    colleague.groups.add(roles["Reporter"])
    draft = _article_in(S.DRAFT, owner=reporter)
    with pytest.raises(editing.EditRefused, match="another reporter's draft"):
        editing.save_edit(draft.pk, {"headline": "Mine now"}, by=colleague, base_version=draft.version)
    with pytest.raises(editing.EditRefused, match="another reporter's draft"):
        editing.restore_revision(draft.pk, 1, by=colleague)
    submitted = _article_in(S.SUBMITTED, owner=reporter)
    with pytest.raises(editing.EditRefused, match="while it is submitted"):
        editing.save_edit(submitted.pk, {"headline": "Too late"}, by=reporter, base_version=submitted.version)
    assert Article.objects.get(pk=draft.pk).headline == draft.headline
