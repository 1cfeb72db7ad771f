"""The import pipeline's promises: idempotent, updates in place, dedupes, all-or-nothing batches, budgets."""

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from articles.importers.pipeline import ImportOptions, run_import
from articles.models import Article, ArticleActor, ArticleEvent, ArticleRegion, Author, RejectedSuggestion, Section

DATA = Path(__file__).parent / "data" / "import"
ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.django_db


def run(*paths, **options):
    return run_import([str(p) for p in paths], ImportOptions(**options))


def snapshot():
    """Everything an import writes, without ids and timestamps."""
    articles = Article.objects.order_by("source", "source_id")
    return [
        (
            a.source,
            a.source_id,
            a.headline,
            a.body,
            a.version,
            a.status,
            str(a.section),
            sorted(a.regions.values_list("slug", flat=True)),
            sorted(a.actors.values_list("slug", flat=True)),
            sorted(a.authors.values_list("slug", flat=True)),
        )
        for a in articles
    ]


def write_jsonl(path, rows):
    path.write_text("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows), encoding="utf-8")


def test_importing_the_same_inputs_twice_changes_nothing(places, actors):
    first = run(DATA)
    before = snapshot()
    second = run(DATA)
    assert (
        second.summary()
        == f"imported 0, updated 0, unchanged {first.imported}, held 0, duplicates 0, failed {first.failed}"
    )
    assert snapshot() == before


def test_changed_content_updates_the_article_and_bumps_its_version(places, actors, tmp_path):
    feed = tmp_path / "wire.jsonl"
    write_jsonl(feed, [{"source_id": "w-1", "headline": "Talks in Baghdad", "body": "Talks began in Baghdad."}])
    run(feed, source="Wire")
    article = Article.objects.get()
    write_jsonl(feed, [{"source_id": "w-1", "headline": "Talks in Baghdad end", "body": "Talks ended; the SDF left."}])
    report = run(feed, source="Wire")
    assert report.summary() == "imported 0, updated 1, unchanged 0, held 0, duplicates 0, failed 0"
    article.refresh_from_db()
    assert (article.headline, article.version, Article.objects.count()) == ("Talks in Baghdad end", 2, 1)
    assert article.body == "<p>Talks ended; the SDF left.</p>"
    assert list(article.actors.values_list("slug", flat=True)) == ["syrian-democratic-forces"]


def test_an_update_never_re_adds_a_tag_the_editor_rejected(places, actors, tmp_path):
    feed = tmp_path / "wire.jsonl"
    write_jsonl(feed, [{"source_id": "w-1", "headline": "Baghdad", "body": "News from Baghdad."}])
    run(feed)
    article = Article.objects.get()
    ArticleRegion.objects.filter(content_object=article).delete()
    RejectedSuggestion.objects.create(article=article, region=places["baghdad"])
    write_jsonl(feed, [{"source_id": "w-1", "headline": "Baghdad", "body": "More news from Baghdad."}])
    run(feed)
    assert not article.regions.exists()


def test_exact_duplicates_in_one_run_are_imported_once_and_reported(db, tmp_path):
    shutil.copy(DATA / "plain-story.txt", tmp_path / "a.txt")
    shutil.copy(DATA / "plain-story.txt", tmp_path / "b.txt")
    write_jsonl(
        tmp_path / "c.jsonl",
        [{"source_id": "x", "headline": "Same id", "body": "One."}] * 2,
    )
    report = run(tmp_path)
    assert report.summary() == "imported 2, updated 0, unchanged 0, held 0, duplicates 2, failed 0"
    assert report.duplicate_of[0] == (str(tmp_path / "b.txt"), str(tmp_path / "a.txt"))
    assert Article.objects.count() == 2


def test_a_story_without_id_is_keyed_on_a_fingerprint_of_its_text(db, tmp_path):
    shutil.copy(DATA / "plain-story.txt", tmp_path / "first-name.txt")
    run(tmp_path / "first-name.txt")
    (tmp_path / "first-name.txt").rename(tmp_path / "renamed.txt")
    report = run(tmp_path / "renamed.txt")
    assert report.unchanged == 1 and Article.objects.count() == 1
    assert Article.objects.get().source_id.startswith("sha1:")


def test_dry_run_writes_nothing_but_reports_what_it_would_do(places, actors):
    report = run(DATA, dry_run=True)
    assert report.imported > 10
    assert (Article.objects.count(), Section.objects.count(), Author.objects.count()) == (0, 0, 0)
    assert (ArticleRegion.objects.count(), ArticleActor.objects.count()) == (0, 0)


def test_status_published_publishes_through_the_workflow_with_one_event_each(db, tmp_path):
    write_jsonl(
        tmp_path / "w.jsonl",
        [
            {"source_id": "1", "headline": "Old story", "body": "Text.", "published_at": "2018-05-01T10:00:00Z"},
            {"source_id": "2", "headline": "Embargoed", "body": "Later.", "embargo_until": "2999-01-01T00:00:00Z"},
        ],
    )
    run(tmp_path / "w.jsonl", status="published")
    old, embargoed = Article.objects.get(source_id="1"), Article.objects.get(source_id="2")
    assert old.status == "published" and old.first_published_at.isoformat() == "2018-05-01T10:00:00+00:00"
    assert list(Article.objects.published()) == [old]
    assert embargoed.status == "draft"
    assert list(ArticleEvent.objects.values_list("article_id", "action")) == [(old.pk, "publish")]


def _stories(tmp_path, count):
    write_jsonl(
        tmp_path / f"s{count}.jsonl",
        [
            {
                "source_id": f"s-{n}",
                "headline": f"Story {n} from Baghdad",
                "body": f"Story {n}: the SDF and ISIS in Deir ez-Zor.",
                "authors": [f"Writer {n % 3}"],
                "section": "World > Iraq",
            }
            for n in range(count)
        ],
    )
    return tmp_path / f"s{count}.jsonl"


def test_a_batch_costs_the_same_queries_for_few_or_many_stories(places, actors, tmp_path):
    # Warm up: sections and authors exist, so both runs below only insert stories and links.
    run(_stories(tmp_path, 3), source="warm-up")
    counts = {}
    # (at most 25 stories: SQLite splits an insert of more rows than its 999 parameters allow, and a story
    # inserts 34 columns)
    for size in (5, 25):
        path = _stories(tmp_path, size)
        with CaptureQueriesContext(connection) as queries:
            report = run(path, batch_size=100, source=f"run-{size}")
        assert report.imported == size
        counts[size] = len(queries)
    # Per run: the gazetteer stamp (the matcher is cached), 4 vocabulary lookups, sections and authors once;
    # per batch: the existing-key lookup, savepoint, articles, region, actor and author links, the record of the
    # batch's inputs (articles/importers/records.py: what lets a re-run skip parsing them), release, and on
    # PostgreSQL the query that reserves the new articles' ids for COPY.
    assert counts[5] == counts[25] == 15 + _id_reservation()


def _id_reservation():
    """The one query per batch that only PostgreSQL runs: reserving the new articles' ids (see pgcopy)."""
    return 1 if connection.vendor == "postgresql" else 0


def test_queries_grow_with_batches_not_with_stories(places, actors, tmp_path):
    path = _stories(tmp_path, 24)  # one batch of 24 fits one insert on SQLite too (see above)
    run(_stories(tmp_path, 3), source="warm-up")
    with CaptureQueriesContext(connection) as one_batch:
        run(path, batch_size=24, source="a")
    with CaptureQueriesContext(connection) as three_batches:
        run(path, batch_size=8, source="b")
    # (one input: it is recorded once, with the batch that holds its last story, whatever the batches)
    assert len(three_batches) - len(one_batch) == 2 * (7 + _id_reservation())


def _manage(db_url, *args, **kwargs):
    env = {**os.environ, "DATABASE_URL": db_url}
    return subprocess.Popen([sys.executable, "manage.py", *args], cwd=ROOT, env=env, **kwargs)


_STATE_SQL = (
    "SELECT a.source_id, a.headline, a.body, a.version, "
    "(SELECT {concat} FROM articles_articleregion l JOIN articles_region r ON r.id = l.tag_id "
    "WHERE l.content_object_id = a.id) FROM articles_article a"
)


class _SQLiteScratch:
    """A scratch SQLite database file for manage.py subprocesses."""

    def __init__(self, tmp_path, name):
        self.file = tmp_path / f"{name}.sqlite3"
        self.url = f"sqlite:///{self.file}"

    def count(self):
        try:
            with sqlite3.connect(self.file, timeout=1) as db:
                return db.execute("SELECT COUNT(*) FROM articles_article").fetchone()[0]
        except sqlite3.OperationalError:
            return 0

    def state(self):
        with sqlite3.connect(self.file) as db:
            return sorted(db.execute(_STATE_SQL.format(concat="group_concat(r.slug)")).fetchall())

    def drop(self):
        pass


class _PostgresScratch:
    """A scratch PostgreSQL database beside the test database (its name plus `name`), for subprocesses."""

    def __init__(self, tmp_path, name):
        import psycopg

        settings = connection.settings_dict
        self.name = f"{settings['NAME']}_{name}"
        user, password = settings["USER"] or "", settings["PASSWORD"] or ""
        credentials = f"{user}:{password}@" if password else f"{user}@" if user else ""
        self.server = f"postgresql://{credentials}{settings['HOST'] or 'localhost'}:{settings['PORT'] or 5432}"
        self.url = f"{self.server}/{self.name}"
        self._connect = psycopg.connect
        with self._connect(f"{self.server}/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
            admin.execute(f'CREATE DATABASE "{self.name}"')

    def _rows(self, sql):
        with self._connect(self.url) as db:
            return db.execute(sql).fetchall()

    def count(self):
        return self._rows("SELECT COUNT(*) FROM articles_article")[0][0]  # committed batches only

    def state(self):
        return sorted(self._rows(_STATE_SQL.format(concat="string_agg(r.slug, ',' ORDER BY r.slug)")))

    def drop(self):
        with self._connect(f"{self.server}/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


def _killed_and_clean_runs_agree(tmp_path, scratch):
    stories = tmp_path / "stories"
    stories.mkdir()
    for n in range(1500):
        (stories / f"{n:05}.txt").write_text(f"Story {n} about Baghdad\n\nReport number {n} from Baghdad, Iraq.\n")
    gazetteer = Path(__file__).parent / "data" / "gazetteer-extra.yaml"
    results = {}
    for name in ("killed", "clean"):
        db = scratch(tmp_path, name)
        try:
            assert _manage(db.url, "migrate", "-v0").wait() == 0
            loading = _manage(db.url, "load_gazetteer", "--no-builtin", str(gazetteer), stdout=subprocess.DEVNULL)
            assert loading.wait() == 0
            if name == "killed":
                process = _manage(db.url, "import_articles", str(stories), "--batch-size", "20", stdout=subprocess.PIPE)
                deadline = time.monotonic() + 60
                while db.count() < 100 and time.monotonic() < deadline and process.poll() is None:
                    time.sleep(0.02)
                process.send_signal(signal.SIGKILL)
                process.wait()
                written = db.count()
                assert 0 < written < 1500 and written % 20 == 0  # stopped mid-way, on a batch boundary
            rerun = _manage(db.url, "import_articles", str(stories), stdout=subprocess.PIPE, text=True)
            output, _ = rerun.communicate()
            assert rerun.returncode == 0
            results[name] = db.state()
            if name == "killed":
                summary = f"imported {1500 - written}, updated 0, unchanged {written}, held 0, duplicates 0, failed 0"
                assert output.strip() == summary
        finally:
            db.drop()
    assert len(results["clean"]) == 1500
    assert results["killed"] == results["clean"]


@pytest.mark.slow_subprocess
def test_an_import_killed_half_way_and_run_again_equals_one_clean_run(tmp_path):
    _killed_and_clean_runs_agree(tmp_path, _SQLiteScratch)


@pytest.mark.slow_subprocess
def test_an_import_killed_half_way_on_postgresql_and_run_again_equals_one_clean_run(tmp_path, on_postgres):
    # On PostgreSQL new stories go in with COPY (articles/importers/pgcopy.py): a batch is still all or nothing.
    _killed_and_clean_runs_agree(tmp_path, _PostgresScratch)


def test_parsing_in_worker_processes_gives_the_same_result_in_the_same_order(places, actors, tmp_path):
    for n in range(150):
        (tmp_path / f"{n:03}.txt").write_text(f"Story {n} from Baghdad\n\nThe SDF and ISIS, report {n}.\n")
    (tmp_path / "empty.txt").write_text("")
    parallel = run(tmp_path, workers=2, batch_size=40)
    assert parallel.summary() == "imported 150, updated 0, unchanged 0, held 0, duplicates 0, failed 1"
    assert parallel.failures == [f"{tmp_path / 'empty.txt'}: empty file"]
    by_one = snapshot()
    Article.objects.all().delete()
    run(tmp_path, workers=1, batch_size=40)
    assert snapshot() == by_one


def test_a_rerun_in_worker_processes_changes_nothing_and_still_sees_a_changed_story(places, actors, tmp_path):
    def story(n, text):
        return {"source_id": f"wire-{n}", "headline": f"Story {n} from Baghdad", "body": text}

    for n in range(120):
        write_jsonl(tmp_path / f"{n:03}.jsonl", [story(n, f"The SDF and ISIS, report {n}.")])
    run(tmp_path, workers=2, batch_size=40, source="Wire")
    before = snapshot()
    again = run(tmp_path, workers=2, batch_size=40, source="Wire")
    assert again.summary() == "imported 0, updated 0, unchanged 120, held 0, duplicates 0, failed 0"
    assert snapshot() == before
    write_jsonl(tmp_path / "007.jsonl", [story(7, "Now about Deir ez-Zor, report 7.")])
    changed = run(tmp_path, workers=2, batch_size=40, source="Wire")
    assert changed.summary() == "imported 0, updated 1, unchanged 119, held 0, duplicates 0, failed 0"
    updated = Article.objects.get(source_id="wire-7")
    assert "deir-ez-zor" in set(updated.regions.values_list("slug", flat=True))
    assert updated.version == 2


def test_many_inputs_are_read_by_worker_processes_by_default_with_the_same_result(places, actors, tmp_path):
    for n in range(300):  # more than the automatic --workers threshold
        (tmp_path / f"{n:03}.txt").write_text(f"Story {n} from Syria\n\n<p>The SDF in Baghdad, report {n}.</p>\n")
    automatic = run(tmp_path, batch_size=100)
    assert automatic.summary() == "imported 300, updated 0, unchanged 0, held 0, duplicates 0, failed 0"
    by_workers = snapshot()
    Article.objects.all().delete()
    run(tmp_path, workers=1, batch_size=100)
    assert snapshot() == by_workers


def test_an_imported_update_to_a_live_story_shows_at_once_on_its_cached_page(
    places, actors, tmp_path, client, django_capture_on_commit_callbacks
):
    from django.core.cache import cache

    cache.clear()
    feed = tmp_path / "wire.jsonl"
    write_jsonl(feed, [{"source_id": "w-9", "headline": "Convoy reaches Baghouz", "body": "A convoy arrived."}])
    run(feed, source="Wire", status=Article.Status.PUBLISHED)
    url = Article.objects.get().get_absolute_url()
    assert "Convoy reaches Baghouz" in client.get(url).content.decode()  # now in the page cache
    write_jsonl(feed, [{"source_id": "w-9", "headline": "Convoy turned back", "body": "The convoy turned back."}])
    with django_capture_on_commit_callbacks(execute=True):
        run(feed, source="Wire", status=Article.Status.PUBLISHED)
    html = client.get(url).content.decode()
    cache.clear()
    assert "Convoy turned back" in html and "Convoy reaches Baghouz" not in html


BAD_VALUES = [
    ({"standfirst": ["a", "b"]}, 'standfirst is not text: ["a", "b"]'),
    ({"body": ["para 1", "para 2"]}, "body is not text"),
    ({"kicker": float("nan")}, "kicker is not text: NaN"),
    ({"source_id": {"x": 1}}, "source_id is not text"),
    ({"kicker": "K" * 121}, "kicker longer than 120 characters"),
    ({"byline": "B" * 201}, "byline longer than 200 characters"),
    ({"credit": "C" * 101}, "credit longer than 100 characters"),
    ({"source": "S" * 101}, "source longer than 100 characters"),
    ({"source_url": "https://example.org/" + "u" * 500}, "source_url longer than 500 characters"),
    ({"source_url": "javascript:alert(1)"}, "source_url 'javascript:alert(1)' is not a web address"),
    ({"authors": ["A" * 121]}, "an author name is longer than 120 characters"),
    ({"language": "fr"}, "language 'fr' is neither English (en) nor Arabic (ar)"),
]


@pytest.mark.parametrize("values, reason", BAD_VALUES, ids=[reason[:30] for _values, reason in BAD_VALUES])
def test_a_value_the_story_cannot_hold_fails_its_story_by_name_and_the_rest_are_imported(db, tmp_path, values, reason):
    good = {"source_id": "good", "headline": "Aid reaches Hajin", "body": "Trucks arrived.", "language": "en"}
    bad = {**good, "source_id": "bad", "headline": "A story with a bad value", **values}
    write_jsonl(tmp_path / "wire.jsonl", [bad, good])
    report = run(tmp_path / "wire.jsonl")
    assert report.summary() == "imported 1, updated 0, unchanged 0, held 0, duplicates 0, failed 1"
    assert len(report.failures) == 1 and reason in report.failures[0]
    assert report.failures[0].startswith(f"{tmp_path / 'wire.jsonl'} entry 1: ")
    assert list(Article.objects.values_list("headline", flat=True)) == ["Aid reaches Hajin"]


def test_values_at_their_limits_and_whole_numbers_are_kept_whole(db, tmp_path):
    row = {"source_id": 4021, "headline": "Aid reaches Hajin", "body": "Trucks arrived.", "language": "ar-IQ"}
    row |= {"kicker": "K" * 120, "byline": "B" * 200, "credit": "C" * 100, "authors": ["A" * 120]}
    write_jsonl(tmp_path / "wire.jsonl", [row])
    assert run(tmp_path / "wire.jsonl").failed == 0
    article = Article.objects.get()
    assert (article.source_id, article.language, article.kicker, article.byline) == ("4021", "ar", "K" * 120, "B" * 200)
    assert (article.credit, article.authors.get().display_name) == ("C" * 100, "A" * 120)


def test_a_feed_entry_without_a_web_link_keeps_no_source_address(db, tmp_path):
    feed = tmp_path / "wire.atom"
    feed.write_text(
        '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>Wire</title>'
        "<id>urn:wire</id><updated>2026-03-01T06:00:00Z</updated><entry><id>urn:wire:1</id>"
        "<title>Aid reaches Hajin</title><updated>2026-03-01T06:00:00Z</updated><summary>Trucks arrived.</summary>"
        "</entry></feed>",
        encoding="utf-8",
    )
    assert run(feed).failed == 0
    assert Article.objects.get().source_url == ""
