"""On PostgreSQL new imported articles are written with COPY: the rows must be exactly what bulk_create writes."""

import json
from datetime import timedelta

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from articles.importers import pgcopy
from articles.importers.pipeline import ImportOptions, run_import
from articles.models import Article, ArticleEvent, ArticleRegion
from articles.search import SearchQuery, search

pytestmark = [pytest.mark.django_db, pytest.mark.postgres_only]

REPEATED = " ".join(["Baghdad"] * 300)  # more positions of one word than to_tsvector keeps: PostgreSQL builds it
STORIES = [
    {
        "source_id": "en-1",
        "headline": "The SDF pushes into Deir ez-Zor",
        "kicker": "Frontline",
        "standfirst": "Fighters of ISIS retreat from Baghouz; the SDF says the town is taken.",
        "body": "<p>Residents of Baghouz said the SDF & its allies arrived at dawn.</p><p>ISIS left Baghouz.</p>",
        "section": "World > Syria",
        "authors": ["Omar Said", "Lina Haddad"],  # the lead writer first, not by name
        "regions": ["Iraq"],
        "byline": "Our correspondent",
        "credit": "Wire",
        "source_url": "https://example.org/sdf",
        "published_at": "2024-03-01T08:30:00+03:00",
        "embargo_until": "2030-01-01T00:00:00Z",
    },
    {
        "source_id": "ar-1",
        "headline": "قسد تدخل دير الزور",
        "body": "قالت قوات سوريا الديمقراطية إن تنظيم الدولة الإسلامية انسحب من الباغوز والعراق وبغداد.",
        "language": "ar",
        "section": "العالم > سوريا",
    },
    {"source_id": "mixed-1", "headline": "Baghdad and بغداد, 2024", "body": "Numbers 3rd x1y2 007 and Iraq's ٣ مارس."},
    {"source_id": "underscore-1", "headline": "snake_case in Baghdad", "body": "A file named report_2024_final."},
    {"source_id": "repeated-1", "headline": "Baghdad again", "body": REPEATED},
    {"source_id": "plain-1", "headline": "Nothing named here", "body": "Plain text\n\nin two paragraphs."},
]


def _write(tmp_path):
    path = tmp_path / "stories.jsonl"
    path.write_text("".join(json.dumps(s, ensure_ascii=False) + "\n" for s in STORIES), encoding="utf-8")
    return path


def _rows():
    """Every column of every article (search document and tags as text, section as its path), and every link,
    by key."""
    skipped = {"id", "created_at", "updated_at", "section_id", "search_document"}
    names = [f.attname for f in Article._meta.concrete_fields if f.attname not in skipped]
    rows = {}
    for article in Article.objects.select_related("section__parent").order_by("source_id"):
        rows[article.source_id] = {
            **{name: getattr(article, name) for name in names},
            "section": str(article.section) if article.section_id else None,
            "regions": sorted(article.regions.values_list("slug", flat=True)),
            "actors": sorted(article.actors.values_list("slug", flat=True)),
            "authors": [a.slug for a in article.authors.all()],  # in byline order
        }
    with connection.cursor() as cursor:
        # search_tags: written by COPY with the article, by the link tables' trigger after bulk_create.
        cursor.execute("SELECT source_id, search_document::text, search_tags::text FROM articles_article")
        for source_id, document, tags in cursor.fetchall():
            rows[source_id]["search_document"] = document
            rows[source_id]["search_tags"] = tags
    return rows


def _without_publication_times(rows):
    """The rows with the times `publish_imported` takes from the clock (not from the input) reduced to "set"."""
    dated = {s["source_id"] for s in STORIES if "published_at" in s}
    for source_id, row in rows.items():
        row["last_published_at"] = row["last_published_at"] is not None
        if source_id not in dated:
            row["first_published_at"] = row["first_published_at"] is not None
    return rows


def _import(path, copy, **options):
    report = run_import([str(path)], ImportOptions(source="Wire", copy=copy, **options))
    assert (report.imported, report.failed) == (len(STORIES), 0)


@pytest.mark.parametrize("status", ["draft", "published"])
def test_copy_writes_the_same_articles_links_and_search_documents_as_bulk_create(
    places, actors, tmp_path, on_postgres, status
):
    path = _write(tmp_path)
    _import(path, copy=False, status=status)
    expected = _without_publication_times(_rows())
    events = sorted(ArticleEvent.objects.values_list("article__source_id", "action", "to_status"))
    Article.objects.all().delete()

    started = timezone.now()
    _import(path, copy=True, status=status)
    assert _without_publication_times(_rows()) == expected
    assert sorted(ArticleEvent.objects.values_list("article__source_id", "action", "to_status")) == events
    for created, updated in Article.objects.values_list("created_at", "updated_at"):
        assert started <= created == updated <= timezone.now() + timedelta(seconds=1)
    # Sanity of the comparison itself: the stories were tagged, filed and indexed.
    assert expected["en-1"]["regions"] == ["baghouz", "deir-ez-zor", "iraq"]
    assert expected["ar-1"]["actors"] == ["islamic-state", "syrian-democratic-forces"]
    assert expected["en-1"]["section"] == "World > Syria"
    assert expected["en-1"]["authors"] == ["omar-said", "lina-haddad"]
    assert "'baghouz':" in expected["en-1"]["search_document"]
    assert f"'~r{places['baghouz'].pk}'" in expected["en-1"]["search_tags"]


def test_copied_articles_are_found_by_search_in_english_and_arabic(places, actors, tmp_path, on_postgres):
    _import(_write(tmp_path), copy=True, status="published")
    assert [a.source_id for a in search(SearchQuery(text="paragraphs")).articles] == ["plain-1"]
    assert [a.source_id for a in search(SearchQuery(text="الباغوز")).articles] == ["ar-1"]
    assert [a.source_id for a in search(SearchQuery(text="file named")).articles] == ["underscore-1"]


def test_a_copy_that_breaks_a_constraint_raises_integrity_error_for_the_batch_retry(places, tmp_path, on_postgres):
    # What BatchWriter.write retries on when another import wrote one of the batch's keys since it looked.
    _import(_write(tmp_path), copy=True)
    article = Article.objects.get(source_id="en-1")
    with pytest.raises(IntegrityError), transaction.atomic():
        pgcopy.copy_links(ArticleRegion, ("content_object_id", "tag_id"), [(article.pk, places["iraq"].pk)])
