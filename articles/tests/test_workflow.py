"""Every move for every role, the forbidden ones too; audit events; embargo; scheduling without cron."""

from datetime import timedelta

import pytest
from django.utils import timezone

from articles import workflow
from articles.models import Article, ArticleEvent, Correction
from articles.signals import article_moved
from articles.tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db
S = Article.Status

# The state each move starts from, and the extra arguments it needs.
START = {
    "submit": (S.DRAFT, {}),
    "send_back": (S.SUBMITTED, {"note": "Needs a second source"}),
    "approve": (S.SUBMITTED, {}),
    "schedule": (S.APPROVED, {"at": "future"}),
    "publish": (S.APPROVED, {}),
    "publish_update": (S.PUBLISHED, {}),
    "unpublish": (S.PUBLISHED, {"note": "Legal request"}),
    "correct": (S.PUBLISHED, {"note": "An earlier version gave the wrong date."}),
    "spike": (S.SUBMITTED, {}),
    "restore": (S.SPIKED, {}),
    "feature": (S.PUBLISHED, {"until": "future"}),
}
ALLOWED = {
    "reporter": {"submit"},
    "editor": {"submit", "send_back", "approve", "spike", "restore"},
    "publisher": set(START),
    "admin_user_role": set(START),
}


def _article_in(status, owner=None):
    article = ArticleFactory(created_by=owner)
    fields = {"status": status}
    if status in (S.PUBLISHED, S.UNPUBLISHED):
        fields["first_published_at"] = timezone.now() - timedelta(hours=1)
    if status == S.SCHEDULED:
        fields["scheduled_for"] = timezone.now() + timedelta(hours=1)
    Article.objects.filter(pk=article.pk).update(**fields)  # test set-up only: put the row in a state
    article.refresh_from_db()
    return article


def _run(move, article, user, extra):
    kwargs = dict(extra)
    for name in ("at", "until"):
        if kwargs.get(name) == "future":
            kwargs[name] = timezone.now() + timedelta(days=1)
    return getattr(workflow, move)(article, by=user, **kwargs)


@pytest.mark.parametrize("role", list(ALLOWED))
@pytest.mark.parametrize("move", list(START))
def test_every_role_and_every_move(request, role, move):
    user = request.getfixturevalue(role)
    status, extra = START[move]
    article = _article_in(status, owner=user)
    before = Article.objects.get(pk=article.pk)
    if move in ALLOWED[role]:
        _run(move, article, user, extra)
        event = ArticleEvent.objects.get(article=article)
        assert (event.action, event.actor, event.from_status) == (move, user, status)
        target = workflow.MOVES[move].target or status
        assert Article.objects.get(pk=article.pk).status == target == event.to_status
    else:
        with pytest.raises(workflow.PermissionRefused):
            _run(move, article, user, extra)
        after = Article.objects.get(pk=article.pk)
        assert (after.status, after.updated_at, after.version) == (before.status, before.updated_at, before.version)
        assert not ArticleEvent.objects.filter(article=article).exists()
        assert not Correction.objects.filter(article=article).exists()


def test_reporter_cannot_submit_a_colleagues_draft(reporter, editor):
    article = _article_in(S.DRAFT, owner=editor)
    with pytest.raises(workflow.PermissionRefused):
        workflow.submit(article, by=reporter)
    assert Article.objects.get(pk=article.pk).status == S.DRAFT


@pytest.mark.parametrize(
    ("move", "status"),
    [
        ("approve", S.DRAFT),
        ("publish", S.DRAFT),
        ("publish", S.SUBMITTED),
        ("submit", S.PUBLISHED),
        ("unpublish", S.DRAFT),
        ("correct", S.APPROVED),
        ("spike", S.PUBLISHED),
        ("restore", S.DRAFT),
        ("send_back", S.PUBLISHED),
        ("publish_update", S.UNPUBLISHED),
    ],
)
def test_moves_from_the_wrong_state_are_refused(publisher, move, status):
    article = _article_in(status, owner=publisher)
    extra = dict(START[move][1])
    with pytest.raises(workflow.MoveNotAllowed):
        _run(move, article, publisher, extra)
    assert Article.objects.get(pk=article.pk).status == status
    assert not ArticleEvent.objects.exists()


@pytest.mark.parametrize("role", ["editor", "publisher"])
def test_a_scheduled_story_readers_can_see_already_cannot_be_spiked(request, role):
    user = request.getfixturevalue(role)
    article = _article_in(S.SCHEDULED)
    Article.objects.filter(pk=article.pk).update(scheduled_for=timezone.now() - timedelta(minutes=5))
    article.refresh_from_db()
    with pytest.raises(workflow.MoveNotAllowed, match="unpublish it"):
        workflow.spike(article, by=user)
    assert Article.objects.get(pk=article.pk).status == S.SCHEDULED
    assert not ArticleEvent.objects.exists()
    assert "spike" not in [move.name for move in workflow.available_moves(article, user)]


@pytest.mark.parametrize("case", ["not due yet", "due but under embargo"])
def test_a_scheduled_story_readers_cannot_see_yet_can_be_spiked(editor, case):
    article = _article_in(S.SCHEDULED)
    if case == "due but under embargo":
        now = timezone.now()
        Article.objects.filter(pk=article.pk).update(
            scheduled_for=now - timedelta(minutes=5), embargo_until=now + timedelta(hours=1)
        )
        article.refresh_from_db()
    workflow.spike(article, by=editor)
    assert Article.objects.get(pk=article.pk).status == S.SPIKED


@pytest.mark.parametrize("move", ["send_back", "unpublish", "correct"])
def test_moves_that_need_a_reason_refuse_an_empty_one(publisher, move):
    article = _article_in(START[move][0], owner=publisher)
    with pytest.raises(workflow.NoteRequired):
        getattr(workflow, move)(article, by=publisher, note="   ")
    assert not ArticleEvent.objects.exists()


def test_publishing_before_the_embargo_is_refused(publisher):
    article = _article_in(S.APPROVED)
    Article.objects.filter(pk=article.pk).update(embargo_until=timezone.now() + timedelta(hours=2))
    article.refresh_from_db()
    with pytest.raises(workflow.EmbargoInForce):
        workflow.publish(article, by=publisher)
    with pytest.raises(workflow.EmbargoInForce):
        workflow.schedule(article, by=publisher, at=timezone.now() + timedelta(hours=1))
    assert Article.objects.get(pk=article.pk).status == S.APPROVED
    workflow.schedule(article, by=publisher, at=timezone.now() + timedelta(hours=3))
    assert Article.objects.get(pk=article.pk).status == S.SCHEDULED


def test_scheduling_for_a_time_already_past_is_refused_and_changes_nothing(publisher):
    article = _article_in(S.APPROVED)
    events = article.events.count()
    with pytest.raises(workflow.WorkflowError, match="Choose a time in the future, or publish now."):
        workflow.schedule(article, by=publisher, at=timezone.now() - timedelta(minutes=1))
    article.refresh_from_db()
    assert (article.status, article.scheduled_for, article.events.count()) == (S.APPROVED, None, events)


def test_scheduled_story_is_public_from_its_time_without_any_command(publisher):
    article = _article_in(S.APPROVED)
    at = timezone.now() + timedelta(minutes=30)
    workflow.schedule(article, by=publisher, at=at)
    assert article not in Article.objects.published()
    assert article not in Article.objects.published(at=at - timedelta(seconds=1))
    assert article in Article.objects.published(at=at)
    assert article in Article.objects.published(at=at + timedelta(days=1))


def test_publish_due_records_each_due_story_once(publisher):
    article = _article_in(S.APPROVED)
    at = timezone.now() + timedelta(minutes=5)
    workflow.schedule(article, by=publisher, at=at)
    assert workflow.publish_due(now=at - timedelta(seconds=1)) == []
    assert [a.pk for a in workflow.publish_due(now=at + timedelta(minutes=1), dry_run=True)] == [article.pk]
    assert Article.objects.get(pk=article.pk).status == S.SCHEDULED  # dry run wrote nothing
    assert [a.pk for a in workflow.publish_due(now=at + timedelta(minutes=1))] == [article.pk]
    assert workflow.publish_due(now=at + timedelta(minutes=2)) == []
    article.refresh_from_db()
    assert article.status == S.PUBLISHED
    assert article.first_published_at <= at + timedelta(minutes=1)
    assert ArticleEvent.objects.filter(article=article, action="publish", actor=None).count() == 1


def test_unpublishing_keeps_the_public_reason(publisher):
    article = _article_in(S.PUBLISHED)
    workflow.unpublish(article, by=publisher, note="Withdrawn at the request of a court.")
    article.refresh_from_db()
    assert article.status == S.UNPUBLISHED
    assert article.withdrawal_reason == "Withdrawn at the request of a court."
    assert article not in Article.objects.published()


def test_correction_is_public_and_touches_the_modified_time(publisher):
    article = _article_in(S.PUBLISHED)
    before = Article.objects.get(pk=article.pk).updated_at
    workflow.correct(article, by=publisher, note="The town is Hajin, not Hasakah.", kind="correction")
    correction = Correction.objects.get(article=article)
    assert (correction.kind, correction.text, correction.created_by) == (
        "correction",
        "The town is Hajin, not Hasakah.",
        publisher,
    )
    assert Article.objects.get(pk=article.pk).updated_at > before
    with pytest.raises(workflow.WorkflowError):
        workflow.correct(article, by=publisher, note="x", kind="apology")


def test_send_back_reason_is_in_the_audit_trail(editor):
    article = _article_in(S.SUBMITTED)
    workflow.send_back(article, by=editor, note="Who is the second source?")
    assert article.events.get().note == "Who is the second source?"
    assert Article.objects.get(pk=article.pk).status == S.DRAFT


def test_the_signal_announces_the_move_only_after_commit(publisher, django_capture_on_commit_callbacks):
    heard = []

    def listener(sender, article, event, move, **kwargs):
        heard.append((article.pk, move))

    article_moved.connect(listener)
    try:
        article = _article_in(S.APPROVED)
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            workflow.publish(article, by=publisher)
        assert heard == []
        for callback in callbacks:
            callback()
        assert heard == [(article.pk, "publish")]
    finally:
        article_moved.disconnect(listener)


def test_available_moves_follow_state_and_role(reporter, publisher):
    article = _article_in(S.APPROVED, owner=reporter)
    assert [m.name for m in workflow.available_moves(article, reporter)] == []
    assert [m.name for m in workflow.available_moves(article, publisher)] == [
        "send_back",
        "schedule",
        "publish",
        "spike",
    ]


def test_publish_imported_publishes_drafts_in_bulk_but_never_through_an_embargo():
    drafts = [_article_in(S.DRAFT) for _ in range(3)]
    embargoed = _article_in(S.DRAFT)
    Article.objects.filter(pk=embargoed.pk).update(embargo_until=timezone.now() + timedelta(days=1))
    embargoed.refresh_from_db()
    ready, held = workflow.publish_imported([*drafts, embargoed])
    assert {a.pk for a in ready} == {a.pk for a in drafts} and held == [embargoed]
    assert set(Article.objects.published()) == set(drafts)
    assert ArticleEvent.objects.filter(action="publish").count() == 3
