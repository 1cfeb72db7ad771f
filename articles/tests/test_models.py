"""Articles, sections and authors: what the database refuses, what is derived, what is sanitised."""

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from articles.models import Article
from articles.tests.factories import ArticleFactory, AuthorFactory, SectionFactory

pytestmark = pytest.mark.django_db


def test_new_article_is_a_draft():
    assert ArticleFactory().status == Article.Status.DRAFT


def test_body_is_sanitised_on_save():
    article = ArticleFactory(
        body='<p onclick="x()">Hi<script>alert(1)</script></p><a href="javascript:x">l</a>'
        '<img src="x" onerror="alert(2)">'
    )
    article.refresh_from_db()
    assert "script" not in article.body
    assert "onclick" not in article.body
    assert "javascript:" not in article.body
    assert "onerror" not in article.body
    assert "<p>Hi</p>" in article.body


def test_bulk_update_cannot_bypass_sanitising():
    article = ArticleFactory()
    article.body = "<p>ok</p><script>steal()</script>"
    Article.objects.bulk_update([article], ["body"])
    article.refresh_from_db()
    assert article.body == "<p>ok</p>"


def test_right_to_left_markup_survives_sanitising():
    article = ArticleFactory(body='<p dir="rtl" lang="ar">نص عربي</p>')
    article.refresh_from_db()
    assert article.body == '<p dir="rtl" lang="ar">نص عربي</p>'


def test_word_count_and_reading_time_are_derived_from_the_body():
    article = ArticleFactory(body="<p>" + "word " * 450 + "</p>")
    assert article.word_count == 450
    assert article.reading_time == 3  # 220 words a minute, rounded up
    article.body = "<p>Two words</p>"  # counted once per body: a new body is counted again
    assert article.word_count == 2 and article.reading_time == 1
    assert ArticleFactory(body="").reading_time == 1


def test_unicode_slug_is_kept():
    article = ArticleFactory(headline="قسد تعلن السيطرة", slug="قسد-تعلن-السيطرة")
    article.refresh_from_db()
    assert article.slug == "قسد-تعلن-السيطرة"
    assert "/%D9%82%D8%B3%D8%AF" in article.get_absolute_url()


def test_published_article_without_publish_time_is_refused():
    article = ArticleFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Article.objects.filter(pk=article.pk).update(status="published")


def test_scheduled_article_without_time_is_refused():
    article = ArticleFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Article.objects.filter(pk=article.pk).update(status="scheduled")


def test_unknown_status_is_refused():
    article = ArticleFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Article.objects.filter(pk=article.pk).update(status="live")


def test_empty_headline_is_refused():
    with pytest.raises(IntegrityError), transaction.atomic():
        ArticleFactory(headline="")


def test_same_source_id_twice_is_refused_but_blank_ids_are_fine():
    ArticleFactory(source="afp", source_id="urn:1")
    ArticleFactory(source="afp", source_id="")
    ArticleFactory(source="afp", source_id="")
    ArticleFactory(source="reuters", source_id="urn:1")
    with pytest.raises(IntegrityError), transaction.atomic():
        ArticleFactory(source="afp", source_id="urn:1")


def test_translations_link_both_ways_and_one_per_language():
    english = ArticleFactory(language="en")
    arabic = ArticleFactory(language="ar", headline="العنوان")
    english.link_translation(arabic)
    assert list(english.translations) == [arabic]
    assert list(arabic.translations) == [english]
    another = ArticleFactory(language="ar", headline="عنوان آخر")
    with pytest.raises(IntegrityError), transaction.atomic():
        english.link_translation(another)
    with pytest.raises(ValueError):
        english.link_translation(ArticleFactory(language="en"))


def test_byline_prefers_override_then_authors_then_credit():
    article = ArticleFactory(credit="AFP")
    assert article.byline_in("en") == "AFP"
    article.authors.set([AuthorFactory(display_name="Layla Hassan"), AuthorFactory(display_name="Omar Saleh")])
    assert article.byline_in("en") == "Layla Hassan, Omar Saleh"
    article.byline = "Staff and agencies"
    assert article.byline_in("en") == "Staff and agencies"


def test_the_arabic_byline_names_authors_by_their_arabic_name_and_the_others_by_their_display_name():
    article = ArticleFactory(credit="AFP")
    assert article.byline_in("ar") == "AFP"
    layla = AuthorFactory(display_name="Layla Hassan", name_ar="ليلى حسن")
    article.set_authors([layla, AuthorFactory(display_name="Omar Saleh")])
    assert article.byline_parts("ar") == ["ليلى حسن", "Omar Saleh"]
    assert article.byline_in("ar") == "ليلى حسن، Omar Saleh"
    assert article.byline_in("en") == "Layla Hassan, Omar Saleh"
    article.byline = "Staff and agencies"
    assert article.byline_parts("ar") == ["Staff and agencies"]


def test_section_names_are_unique_within_a_parent():
    iraq = SectionFactory(name="Iraq News", slug="iraq-news")
    SectionFactory(name="Local News", slug="iraq-local", parent=iraq)
    SectionFactory(name="Local News", slug="local-news")  # another parent (none): allowed
    with pytest.raises(IntegrityError), transaction.atomic():
        SectionFactory(name="Local News", slug="iraq-local-2", parent=iraq)


def test_published_queryset_respects_status_schedule_and_embargo():
    now = timezone.now()
    hour = timezone.timedelta(hours=1)
    visible = ArticleFactory()
    Article.objects.filter(pk=visible.pk).update(status="published", first_published_at=now - hour)
    due = ArticleFactory()
    Article.objects.filter(pk=due.pk).update(status="scheduled", scheduled_for=now - hour)
    not_due = ArticleFactory()
    Article.objects.filter(pk=not_due.pk).update(status="scheduled", scheduled_for=now + hour)
    embargoed = ArticleFactory(embargo_until=now + hour)
    Article.objects.filter(pk=embargoed.pk).update(status="published", first_published_at=now - hour)
    ArticleFactory()  # draft
    assert set(Article.objects.published()) == {visible, due}
    assert set(Article.objects.published(at=now + 2 * hour)) == {visible, due, not_due, embargoed}
