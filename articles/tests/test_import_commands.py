"""import_articles as a user meets it: the summary line, the failures after it, the exit status."""

import io
import json
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from articles.models import Article

DATA = Path(__file__).parent / "data" / "import"
ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.django_db


def import_articles(*args):
    out = io.StringIO()
    try:
        call_command("import_articles", *args, stdout=out, stderr=io.StringIO())
    except CommandError as error:
        return out.getvalue(), error.returncode
    return out.getvalue(), 0


def test_a_clean_import_prints_exactly_the_summary_and_exits_0(places, actors):
    output, status = import_articles(str(DATA / "plain-story.txt"), str(DATA / "ninjs2-array.json"))
    assert (output, status) == ("imported 3, updated 0, unchanged 0, held 0, duplicates 0, failed 0\n", 0)


def test_failures_follow_the_summary_and_exit_status_is_1(places, actors):
    output, status = import_articles(str(DATA / "plain-story.txt"), str(DATA / "empty.txt"))
    assert status == 1
    assert output.splitlines() == [
        "imported 1, updated 0, unchanged 0, held 0, duplicates 0, failed 1",
        f"  {DATA / 'empty.txt'}: empty file",
    ]
    assert Article.objects.count() == 1


def test_dry_run_option_writes_nothing(places, actors):
    output, status = import_articles(str(DATA / "stories.jsonl"), "--dry-run")
    assert (output, status) == ("imported 3, updated 0, unchanged 0, held 0, duplicates 0, failed 0\n", 0)
    assert not Article.objects.exists()


def test_command_options_reach_the_pipeline(places, actors):
    import_articles(
        str(DATA / "plain-story.txt"),
        "--source",
        "Example Wire",
        "--section",
        "Wire > Iraq",
        "--no-autotag",
        "--status",
        "published",
        "--batch-size",
        "1",
    )
    article = Article.objects.get()
    assert (article.source, article.credit, str(article.section), article.status) == (
        "Example Wire",
        "Example Wire",
        "Wire > Iraq",
        "published",
    )
    assert not article.regions.exists()


def test_format_option_overrides_detection(db, tmp_path):
    story = tmp_path / "story.dat"
    story.write_text("A headline\n\nA paragraph of text.\n")
    assert import_articles(str(story))[1] == 1
    assert import_articles(str(story), "--format", "text")[1] == 0


def test_a_missing_path_is_bad_usage_and_imports_nothing(db):
    with pytest.raises(CommandError) as error:
        call_command("import_articles", str(DATA / "plain-story.txt"), "/no/such/place")
    assert error.value.returncode == 2
    assert "/no/such/place: no such file or directory" in str(error.value)
    assert not Article.objects.exists()


@pytest.mark.parametrize(
    ("args", "status", "message"),
    [
        (["/no/such/file.txt"], 2, "no such file or directory"),
        (
            [str(DATA / "plain-story.txt"), "/no/such/wire-*.json"],
            2,
            "/no/such/wire-*.json: no file matches this pattern",
        ),
        ([str(DATA / "plain-story.txt"), "--status", "live"], 2, "invalid choice"),
        ([str(DATA / "plain-story.txt"), "--batch-size", "0"], 2, "--batch-size must be at least 1"),
        ([], 2, "the following arguments are required"),
        ([str(DATA / "plain-story.txt"), "--workers", "0"], 2, "--workers must be auto or at least 1"),
        ([str(DATA / "plain-story.txt"), "--workers", "many"], 2, "--workers must be auto or at least 1"),
        (
            [str(DATA / "plain-story.txt"), "--section", "Wire > " + "Q" * 150],
            2,
            "--section: section name longer than 100 characters: 'QQQQ",
        ),
    ],
)
def test_bad_usage_exits_with_status_2_from_the_shell(args, status, message):
    env = {**os.environ, "DATABASE_URL": "sqlite:////nonexistent-dir/never-opened.sqlite3"}
    result = subprocess.run(
        [sys.executable, "manage.py", "import_articles", *args], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode == status
    assert message in result.stderr and "Traceback" not in result.stderr


def test_an_archived_story_imported_as_published_shows_no_updated_time_for_the_import(client, db, tmp_path):
    story = tmp_path / "archive.jsonl"
    row = {"source_id": "old-1", "headline": "Mosul dam repairs begin", "body": "Work started.", "language": "en"}
    story.write_text(json.dumps({**row, "published_at": "2019-05-01T09:00:00+03:00"}) + "\n")
    import_articles(str(story), "--status", "published", "--no-autotag")
    article = Article.objects.get()
    assert article.first_published_at == article.last_published_at == datetime(2019, 5, 1, 6, 0, tzinfo=UTC)
    page = client.get(article.get_absolute_url()).content.decode()
    assert "1 May 2019" in page
    assert "Updated" not in page
