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
