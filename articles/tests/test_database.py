"""The database backend (newsroom/postgresql): what PostgreSQL refuses is never sent."""

import pytest
from django.db import connection

from articles.models import Author

pytestmark = pytest.mark.django_db


def test_a_bulk_write_past_postgresqls_parameter_limit_is_split_not_refused():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL")
    # With parameters bound by the server, a statement takes at most 65,535 of them.
    assert connection.settings_dict["OPTIONS"]["server_side_binding"]
    authors = Author.objects.bulk_create(
        [Author(display_name=f"Writer {n}", slug=f"writer-{n}") for n in range(20_000)]
    )  # 20,000 rows of several columns: well past the limit as one statement
    assert Author.objects.filter(slug__startswith="writer-").count() == 20_000
    for author in authors:
        author.display_name, author.bio = author.display_name.upper(), "Staff writer."
    Author.objects.bulk_update(authors, ["display_name", "bio"])  # two values a field and row, and the ids
    assert Author.objects.filter(display_name="WRITER 19999", bio="Staff writer.").exists()
    assert Author.objects.filter(bio="Staff writer.").count() == 20_000


def test_a_query_run_again_and_again_is_prepared_so_postgresql_stops_planning_it():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL")
    # Django leaves psycopg's preparation off unless OPTIONS asks for it (settings.py asks).
    query = Author.objects.filter(slug="nobody-here")
    for _ in range(6):
        assert not query.exists()
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements WHERE statement LIKE %s", ["%articles_author%"])
        prepared = [row[0] for row in cursor.fetchall()]
    assert any('WHERE "articles_author"."slug" = $' in statement for statement in prepared), prepared


def test_ids_of_any_size_share_one_prepared_statement():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL")
    # psycopg would type 5 as smallint and 40,000 as integer: two statements, each prepared only after five
    # runs with that mix. Bound as bigints, the query is one statement whatever the ids.
    for ids in [[5, 40_000], [40_000, 5], [3_000_000_000, 7], [1, 2]] * 3:
        assert not Author.objects.filter(pk__in=ids, slug="nobody-here").exists()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*), sum(generic_plans + custom_plans) FROM pg_prepared_statements WHERE statement LIKE %s",
            ['%"articles_author"."id" IN ($2, $3) AND "articles_author"."slug" = $4%'],
        )
        statements, runs = cursor.fetchone()
    assert statements == 1 and runs >= 7  # one statement, prepared after its fifth run and used since
