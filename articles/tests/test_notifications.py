"""Who is emailed about which move (articles/notifications.py), read from Django's test outbox."""

import pytest
from django.core import mail

from articles import workflow
from articles.models import Article
from articles.tests.factories import AuthorFactory, UserFactory
from articles.tests.test_workflow import _article_in

pytestmark = pytest.mark.django_db
S = Article.Status


@pytest.fixture
def second_editor(roles):
    user = UserFactory(username="night-editor")
    user.groups.add(roles["Editor"])
    return user


def _sent(callbacks_fixture, move, *args, **kwargs):
    with callbacks_fixture(execute=True):
        move(*args, **kwargs)
    return {(m.to[0], m.subject): m for m in mail.outbox}


def test_editors_hear_when_a_story_is_submitted(django_capture_on_commit_callbacks, reporter, editor, second_editor):
    article = _article_in(S.DRAFT, owner=reporter)
    sent = _sent(django_capture_on_commit_callbacks, workflow.submit, article, by=reporter)
    subject = f"Submitted for editing: {article.headline}"
    assert set(sent) == {("editor@example.org", subject), ("night-editor@example.org", subject)}
    assert "reporter submitted" in sent[("editor@example.org", subject)].body


def test_the_reporter_and_staff_authors_hear_why_a_story_was_sent_back(
    django_capture_on_commit_callbacks, reporter, editor
):
    article = _article_in(S.SUBMITTED, owner=reporter)
    co_writer = UserFactory(username="co-writer")
    article.authors.set([AuthorFactory(user=co_writer), AuthorFactory()])
    sent = _sent(django_capture_on_commit_callbacks, workflow.send_back, article, by=editor, note="Name the source.")
    subject = f"Sent back: {article.headline}"
    assert set(sent) == {("reporter@example.org", subject), ("co-writer@example.org", subject)}
    assert "Reason:\nName the source." in sent[("reporter@example.org", subject)].body


def test_the_reporter_hears_when_the_story_is_published(django_capture_on_commit_callbacks, reporter, publisher):
    article = _article_in(S.APPROVED, owner=reporter)
    sent = _sent(django_capture_on_commit_callbacks, workflow.publish, article, by=publisher)
    message = sent[("reporter@example.org", f"Published: {article.headline}")]
    assert f"http://127.0.0.1:8000{article.get_absolute_url()}" in message.body
    assert len(mail.outbox) == 1


def test_nobody_is_mailed_about_their_own_move_or_before_the_move_commits(
    django_capture_on_commit_callbacks, publisher
):
    article = _article_in(S.APPROVED, owner=publisher)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        workflow.publish(article, by=publisher)
    assert mail.outbox == [] and callbacks  # nothing is sent before the commit
    for callback in callbacks:
        callback()
    assert mail.outbox == []  # the publisher published their own story


def test_approval_sends_no_mail(django_capture_on_commit_callbacks, reporter, editor):
    article = _article_in(S.SUBMITTED, owner=reporter)
    _sent(django_capture_on_commit_callbacks, workflow.approve, article, by=editor)
    assert mail.outbox == []


def test_the_reporter_and_the_editors_hear_when_a_story_is_withdrawn(
    django_capture_on_commit_callbacks, reporter, editor, second_editor, publisher
):
    article = _article_in(S.PUBLISHED, owner=reporter)
    sent = _sent(django_capture_on_commit_callbacks, workflow.unpublish, article, by=publisher, note="Legal request.")
    subject = f"Withdrawn: {article.headline}"
    assert set(sent) == {
        ("reporter@example.org", subject),
        ("editor@example.org", subject),
        ("night-editor@example.org", subject),
    }  # not the publisher, who withdrew it
    body = sent[("reporter@example.org", subject)].body
    assert "Its address now tells readers:\nLegal request." in body
    assert f"/admin/articles/article/{article.pk}/change/" in body


def test_the_reporter_reads_a_public_note_added_to_the_story_and_where_it_shows(
    django_capture_on_commit_callbacks, reporter, publisher
):
    article = _article_in(S.PUBLISHED, owner=reporter)
    sent = _sent(
        django_capture_on_commit_callbacks,
        workflow.correct,
        article,
        by=publisher,
        note="The camp holds 40,000 people, not 70,000.",
        kind="clarification",
    )
    message = sent[("reporter@example.org", f"Public note on: {article.headline}")]
    note = article.corrections.get()
    assert "added a public note (Clarification)" in message.body
    assert "The camp holds 40,000 people, not 70,000." in message.body
    assert f"http://127.0.0.1:8000{article.get_absolute_url()}#correction-{note.pk}" in message.body
    assert len(mail.outbox) == 1  # editors are not mailed about notes


def test_spiking_a_story_sends_no_mail(django_capture_on_commit_callbacks, reporter, editor):
    draft = _article_in(S.DRAFT, owner=reporter)
    _sent(django_capture_on_commit_callbacks, workflow.spike, draft, by=editor)
    assert mail.outbox == []
