"""Who is emailed about which move, and in which language (articles/notifications.py), read from Django's test
outbox."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone, translation

from articles import workflow
from articles.models import Article, StaffProfile
from articles.notifications import notify_people_concerned
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


@pytest.fixture
def second_publisher(roles):
    user = UserFactory(username="night-publisher")
    user.groups.add(roles["Publisher"])
    return user


def test_publishers_hear_when_a_story_is_approved_so_it_does_not_wait(
    django_capture_on_commit_callbacks, reporter, editor, publisher, second_publisher
):
    article = _article_in(S.SUBMITTED, owner=reporter)
    sent = _sent(django_capture_on_commit_callbacks, workflow.approve, article, by=editor, note="Legal has read it.")
    subject = f"Ready to publish: {article.headline}"
    # The publishers only: the editors approved it themselves, the reporter hears when it goes live.
    assert set(sent) == {("publisher@example.org", subject), ("night-publisher@example.org", subject)}
    assert sent[("publisher@example.org", subject)].body == (
        f"editor approved “{article.headline}”; it is ready to publish.\n\nNote:\nLegal has read it.\n\n"
        f"Open it: {_admin_link(article)}\n"
    )


def test_an_approval_without_a_note_says_none(django_capture_on_commit_callbacks, reporter, editor, publisher):
    article = _article_in(S.SUBMITTED, owner=reporter)
    sent = _sent(django_capture_on_commit_callbacks, workflow.approve, article, by=editor)
    body = sent[("publisher@example.org", f"Ready to publish: {article.headline}")].body
    assert body == f"editor approved “{article.headline}”; it is ready to publish.\n\nOpen it: {_admin_link(article)}\n"


def test_the_reporter_hears_when_the_story_is_scheduled_and_for_when(
    django_capture_on_commit_callbacks, reporter, publisher, settings
):
    settings.TIME_ZONE = "Asia/Baghdad"
    article = _article_in(S.APPROVED, owner=reporter)
    at = timezone.now().replace(microsecond=0) + timedelta(days=1)
    sent = _sent(django_capture_on_commit_callbacks, workflow.schedule, article, by=publisher, at=at)
    message = sent[("reporter@example.org", f"Scheduled: {article.headline}")]
    when = timezone.localtime(at).strftime("%Y-%m-%d %H:%M")
    assert f"publisher scheduled “{article.headline}” to go live at {when} +03." in message.body
    assert len(mail.outbox) == 1


def test_an_arabic_publisher_reads_that_a_story_is_ready_in_arabic(
    django_capture_on_commit_callbacks, reporter, editor, publisher
):
    _chose(publisher, "ar")
    article = _article_in(S.SUBMITTED, owner=reporter)
    sent = _sent(django_capture_on_commit_callbacks, workflow.approve, article, by=editor)
    message = sent[("publisher@example.org", f"جاهز للنشر: {article.headline}")]
    assert message.body == f"وافق editor على «{article.headline}»، وهو جاهز للنشر.\n\nافتحه: {_admin_link(article)}\n"


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


# Each person reads their mail in the language they chose for the desk (articles.models.StaffProfile), else
# in the site's default language; never in the language of the desk of whoever made the move.


def _chose(user, language):
    StaffProfile.objects.remember_language(user, language)
    return user


def _admin_link(article):
    return f"http://127.0.0.1:8000/admin/articles/article/{article.pk}/change/"


def test_an_arabic_reporter_reads_why_the_story_was_sent_back_in_arabic_and_the_co_writer_in_english(
    django_capture_on_commit_callbacks, reporter, editor
):
    _chose(reporter, "ar")
    article = _article_in(S.SUBMITTED, owner=reporter)
    co_writer = UserFactory(username="co-writer")  # never chose: the site's default language
    article.authors.set([AuthorFactory(user=co_writer)])
    with translation.override("ar"):  # the editor works on an Arabic desk; that is not the reporters' language
        sent = _sent(
            django_capture_on_commit_callbacks, workflow.send_back, article, by=editor, note="Name the source."
        )
    assert set(sent) == {
        ("reporter@example.org", f"أُعيد إليك: {article.headline}"),
        ("co-writer@example.org", f"Sent back: {article.headline}"),
    }
    arabic = sent[("reporter@example.org", f"أُعيد إليك: {article.headline}")].body
    assert arabic == (
        f"أعاد editor «{article.headline}» إليك.\n\nالسبب:\nName the source.\n\nافتحه: {_admin_link(article)}\n"
    )
    english = sent[("co-writer@example.org", f"Sent back: {article.headline}")].body
    assert english.startswith(f"editor sent “{article.headline}” back to you.\n\nReason:\nName the source.")


def test_an_arabic_reporter_reads_of_the_publication_in_arabic(django_capture_on_commit_callbacks, reporter, publisher):
    _chose(reporter, "ar")
    article = _article_in(S.APPROVED, owner=reporter)
    sent = _sent(django_capture_on_commit_callbacks, workflow.publish, article, by=publisher)
    message = sent[("reporter@example.org", f"نُشر: {article.headline}")]
    address = f"http://127.0.0.1:8000{article.get_absolute_url()}"
    assert message.body == f"نشر publisher «{article.headline}».\n\nيراه القراء على {address}\n"
    assert len(mail.outbox) == 1


def test_a_scheduled_publication_tells_an_arabic_reporter_that_the_scheduler_published_it(
    django_capture_on_commit_callbacks, reporter
):
    _chose(reporter, "ar")
    article = _article_in(S.SCHEDULED, owner=reporter)
    sent = _sent(django_capture_on_commit_callbacks, workflow.publish_due, now=timezone.now() + timedelta(hours=2))
    message = sent[("reporter@example.org", f"نُشر: {article.headline}")]
    assert message.body.startswith(f"نشر نظام الجدولة «{article.headline}».")


def test_a_withdrawal_reaches_each_person_in_their_own_language(
    django_capture_on_commit_callbacks, reporter, editor, second_editor, publisher
):
    _chose(reporter, "ar")
    _chose(second_editor, "ar")
    _chose(editor, "en")
    _chose(publisher, "ar")  # who withdrew it: not mailed, and their language is nobody else's
    article = _article_in(S.PUBLISHED, owner=reporter)
    sent = _sent(django_capture_on_commit_callbacks, workflow.unpublish, article, by=publisher, note="Legal request.")
    arabic, english = f"سُحب: {article.headline}", f"Withdrawn: {article.headline}"
    assert set(sent) == {
        ("reporter@example.org", arabic),
        ("night-editor@example.org", arabic),
        ("editor@example.org", english),
    }
    body = sent[("night-editor@example.org", arabic)].body
    assert body == (
        f"سحب publisher «{article.headline}». ويظهر للقراء الآن على رابطه:\nLegal request.\n\n"
        f"افتحه: {_admin_link(article)}\n"
    )
    assert sent[("editor@example.org", english)].body.startswith(
        f"publisher withdrew “{article.headline}”. Its address now tells readers:\nLegal request.\n"
    )


def test_an_arabic_reporter_reads_a_public_note_in_arabic_with_the_note_as_written(
    django_capture_on_commit_callbacks, reporter, publisher
):
    _chose(reporter, "ar")
    article = _article_in(S.PUBLISHED, owner=reporter)
    note = "The camp holds 40,000 people, not 70,000."
    sent = _sent(
        django_capture_on_commit_callbacks, workflow.correct, article, by=publisher, note=note, kind="clarification"
    )
    message = sent[("reporter@example.org", f"ملاحظة معلنة على: {article.headline}")]
    link = f"http://127.0.0.1:8000{article.get_absolute_url()}#correction-{article.corrections.get().pk}"
    assert message.body == (
        f"أضاف publisher ملاحظة معلنة (توضيح) إلى «{article.headline}»:\n{note}\n\nيراها القراء على {link}\n"
    )


def test_editors_hear_of_a_submission_each_in_their_language(
    django_capture_on_commit_callbacks, reporter, editor, second_editor
):
    _chose(second_editor, "ar")
    article = _article_in(S.DRAFT, owner=reporter)
    sent = _sent(django_capture_on_commit_callbacks, workflow.submit, article, by=reporter)
    assert set(sent) == {
        ("editor@example.org", f"Submitted for editing: {article.headline}"),
        ("night-editor@example.org", f"مُرسل للتحرير: {article.headline}"),
    }
    arabic = sent[("night-editor@example.org", f"مُرسل للتحرير: {article.headline}")].body
    assert arabic == f"أرسل reporter «{article.headline}» للتحرير.\n\nافتحه: {_admin_link(article)}\n"


def test_without_a_choice_the_mail_comes_in_the_sites_default_language(
    django_capture_on_commit_callbacks, settings, reporter, editor
):
    settings.LANGUAGE_CODE = "ar"
    article = _article_in(S.SUBMITTED, owner=reporter)  # the reporter never chose
    undecided = UserFactory(username="undecided")
    StaffProfile.objects.create(user=undecided, language="")  # a profile, no language chosen
    english = _chose(UserFactory(username="anglophone"), "en")
    article.authors.set([AuthorFactory(user=undecided), AuthorFactory(user=english)])
    sent = _sent(django_capture_on_commit_callbacks, workflow.send_back, article, by=editor, note="Too long.")
    assert set(sent) == {
        ("reporter@example.org", f"أُعيد إليك: {article.headline}"),
        ("undecided@example.org", f"أُعيد إليك: {article.headline}"),
        ("anglophone@example.org", f"Sent back: {article.headline}"),
    }


def test_sending_the_mails_costs_the_same_queries_however_many_people_get_them(
    django_capture_on_commit_callbacks, django_assert_num_queries, reporter, editor, publisher
):
    _chose(reporter, "ar")
    article = _article_in(S.PUBLISHED, owner=reporter)
    article.authors.set([AuthorFactory(user=_chose(UserFactory(), "en"))])
    with django_capture_on_commit_callbacks(execute=False):
        workflow.unpublish(article, by=publisher, note="Legal request.")
    # As the move hands them to the receiver: the event with its actor, the story with nothing else cached.
    event = article.events.select_related("actor").get(action="unpublish")
    article = Article.objects.get(pk=article.pk)
    # One query for the reporters and their languages, one for the editors and theirs.
    with django_assert_num_queries(2):
        notify_people_concerned(Article, article=article, event=event, move="unpublish")
    assert len(mail.outbox) == 3
    for number, language in enumerate(["ar", "en", "", "ar", "en", "ar"] * 2):
        colleague = UserFactory(username=f"editor-{number}")
        colleague.groups.add(editor.groups.get())
        if language:
            _chose(colleague, language)
    mail.outbox.clear()
    with django_assert_num_queries(2):
        notify_people_concerned(Article, article=article, event=event, move="unpublish")
    assert len(mail.outbox) == 15
    assert sum(m.subject.startswith("سُحب") for m in mail.outbox) == 1 + 6  # the reporter and six editors
