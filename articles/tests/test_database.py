"""The database backend (newsroom/postgresql): what PostgreSQL refuses is never sent, and a busy connection
is not health-checked before every request."""

import io
import time

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.db import connection, connections

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


# A persistent connection that a database restart broke, as readers meet it: pages served through Django's
# WSGI handler, whose request signals run Django's connection checks (the test client switches them off).
def _serve(path):
    status = []
    response = WSGIHandler()(
        {
            "REQUEST_METHOD": "GET",
            "PATH_INFO": path,
            "SERVER_NAME": "testserver",
            "SERVER_PORT": "80",
            "HTTP_HOST": "testserver",
            "wsgi.url_scheme": "http",
            "wsgi.input": io.BytesIO(b""),
            "wsgi.errors": io.StringIO(),
        },
        lambda line, headers, exc_info=None: status.append(int(line.split()[0])),
    )
    b"".join(response)
    response.close()  # as a WSGI server does: request_finished
    return status[0]


@pytest.fixture
def persistent_connection(settings, monkeypatch):
    """The test database's connection kept open between requests (CONN_MAX_AGE None), page cache off."""
    if connection.vendor != "postgresql":
        pytest.skip("the grace is the PostgreSQL backend's")
    settings.NEWSROOM_PAGE_CACHE_SECONDS = 0
    connection.close()
    monkeypatch.setitem(connection.settings_dict, "CONN_MAX_AGE", None)
    assert connection.settings_dict["CONN_HEALTH_CHECKS"]
    yield
    connection.close()


def _restart_breaks_the_connection():
    """End the connection's server process, as a database restart does; psycopg learns of it on next use."""
    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s::integer)", [connection.connection.info.backend_pid])
    finally:
        other.close()


@pytest.mark.django_db(transaction=True)
def test_a_broken_connection_idle_past_the_grace_is_replaced_before_the_reader_sees_it(persistent_connection, settings):
    settings.DATABASE_HEALTH_CHECK_GRACE_SECONDS = 0.05
    assert _serve("/") == 200
    _restart_breaks_the_connection()
    time.sleep(0.1)
    assert _serve("/") == 200  # SELECT 1 failed, so Django opened a new connection for the page


@pytest.mark.django_db(transaction=True)
def test_without_a_grace_every_request_checks_the_connection_as_django_does(persistent_connection, settings):
    settings.DATABASE_HEALTH_CHECK_GRACE_SECONDS = 0
    assert _serve("/") == 200
    _restart_breaks_the_connection()
    assert _serve("/") == 200


@pytest.mark.django_db(transaction=True)
def test_a_connection_that_just_served_is_not_checked_and_a_break_inside_the_grace_costs_one_503(
    persistent_connection, settings
):
    # What the grace trades: no SELECT 1 on a busy connection, so a restart finished within the grace (a
    # restart takes longer than the default 0.25 s) reaches one reader as the outage page, and the next
    # request gets a new connection.
    settings.DATABASE_HEALTH_CHECK_GRACE_SECONDS = 60
    assert _serve("/") == 200
    backend = connection.connection.info.backend_pid
    assert _serve("/") == 200
    assert connection.connection.info.backend_pid == backend  # kept between requests
    _restart_breaks_the_connection()
    assert _serve("/") == 503
    assert _serve("/") == 200
    assert connection.connection.info.backend_pid != backend
