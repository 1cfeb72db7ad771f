"""Prepared queries: compiled once, run with new values, and never answering with the wrong rows."""

from datetime import timedelta

import pytest
from django.db import connection
from django.db.models import Value
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from articles.models import Article
from articles.prepared import PreparedQuery, _BoundQuery, padded
from articles.tests.publishing import S, story

pytestmark = pytest.mark.django_db


def _public_in(language, now):
    return Article.objects.published(at=now).in_language(language).order_by("pk")


PUBLIC_IN = PreparedQuery(_public_in)


def test_a_prepared_query_finds_what_the_queryset_finds_for_each_set_of_values(places):
    english = story(headline="English story", regions=[places["baghouz"]])
    arabic = story(headline="خبر", language="ar", slug="خبر")
    later = story(S.SCHEDULED, headline="Due in an hour", scheduled_for=timezone.now() + timedelta(hours=1))
    now = timezone.now()
    assert list(PUBLIC_IN(language="en", now=now)) == [english]
    assert list(PUBLIC_IN(language="ar", now=now)) == [arabic]
    # The time is a value too: two hours on, the scheduled story is public.
    assert list(PUBLIC_IN(language="en", now=now + timedelta(hours=2))) == [english, later]
    assert list(PUBLIC_IN(language="en", now=now)) == list(_public_in("en", now))


def test_a_prepared_query_runs_one_query_and_keeps_select_related_and_annotations(places):
    article = story(headline="Filed story", dateline_place=places["deir"])
    query = PreparedQuery(
        lambda pk: Article.objects.select_related("dateline_place").filter(pk=pk).annotate(n=Value(1))
    )
    query(pk=article.pk)._fetch_all()  # compiled on the first call
    with CaptureQueriesContext(connection) as queries:
        (found,) = query(pk=article.pk)
        assert found.dateline_place.name == "Deir ez-Zor"
        assert found.n == 1
    assert len(queries) == 1


def test_lists_of_any_length_are_prepared_once_per_length(db):
    stories = [story(headline=f"Story {n}") for n in range(4)]
    query = PreparedQuery(lambda ids: Article.objects.filter(pk__in=ids).order_by("pk"))
    assert list(query(ids=[stories[0].pk])) == stories[:1]
    assert list(query(ids=[stories[1].pk, stories[3].pk])) == [stories[1], stories[3]]
    assert list(query(ids=[s.pk for s in stories])) == stories


def test_refining_a_prepared_queryset_builds_the_real_one(db):
    first, second = story(headline="First"), story(headline="Second")
    prepared = PUBLIC_IN(language="en", now=timezone.now())
    assert list(prepared.filter(headline="Second")) == [second]
    assert prepared.count() == 2
    assert list(Article.objects.filter(pk__in=prepared.values("pk")).order_by("pk")) == [first, second]


def test_a_build_function_that_reads_the_clock_itself_is_refused(db):
    query = PreparedQuery(lambda language: Article.objects.published().in_language(language))
    with pytest.raises(ValueError, match="not given"):
        list(query(language="en"))


def test_a_build_function_whose_sql_depends_on_a_value_is_refused(db):
    query = PreparedQuery(lambda n: Article.objects.all()[: abs(n) % 7 + 1])
    with pytest.raises(ValueError, match="depend"):
        list(query(n=1))


def test_values_must_be_simple(db):
    query = PreparedQuery(lambda flag: Article.objects.filter(pk=1))
    with pytest.raises(TypeError):
        query(flag=True)


def test_counting_a_prepared_query_counts_its_slice(db):
    for n in range(5):
        story(headline=f"Story {n}")
    newest = PreparedQuery(lambda language, now: _public_in(language, now).values("pk")[:3])
    assert newest.count(language="en", now=timezone.now()) == 3
    assert PUBLIC_IN.count(language="ar", now=timezone.now()) == 0


def test_shapes_past_the_bound_are_built_on_every_call_and_find_the_same_rows(db):
    stories = [story(headline=f"Story {n}") for n in range(3)]
    query = PreparedQuery(lambda ids: Article.objects.filter(pk__in=ids).order_by("pk"), shapes=1)
    assert list(query(ids=[stories[0].pk])) == stories[:1]
    built = query(ids=[stories[1].pk, stories[2].pk])  # a second shape: past the bound
    assert not isinstance(built.query, _BoundQuery)
    assert list(built) == stories[1:] and query.count(ids=[stories[1].pk, stories[2].pk]) == 2
    # The shape prepared first stays prepared.
    assert isinstance(query(ids=[stories[2].pk]).query, _BoundQuery)
    assert list(query(ids=[stories[2].pk])) == stories[2:]


def test_padded_lists_keep_the_same_ids():
    assert padded([3, 1, 2], 4) == [3, 1, 2, 2]
    assert padded([5, 6, 7, 8], 4) == [5, 6, 7, 8]
    assert padded([], 4) == []


def test_every_run_converts_its_rows_as_the_queryset_does(db):
    # The converters (SQLite stores times as text) are found once per compiled query and reused.
    first, second = story(headline="First story"), story(headline="Second story", age=timedelta(days=3))
    times = PreparedQuery(lambda pk: Article.objects.filter(pk=pk).values_list("headline", "first_published_at"))
    rows = PreparedQuery(lambda pk: Article.objects.filter(pk=pk).only("headline", "first_published_at", "updated_at"))
    for _ in range(2):
        for article in (first, second):
            fresh = Article.objects.get(pk=article.pk)
            assert list(times(pk=article.pk)) == [(fresh.headline, fresh.first_published_at)]
            (row,) = rows(pk=article.pk)
            assert (row.first_published_at, row.updated_at) == (fresh.first_published_at, fresh.updated_at)
            assert timezone.is_aware(row.first_published_at)
