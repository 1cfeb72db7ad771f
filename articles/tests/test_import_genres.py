"""Types of work in imports and exports: IPTC genre NewsCodes (ninjs 1.x `genre`, 2.x `genres`, NewsML-G2
`<genre>`) and the `genre` column, unknown genres reported per entry (never dropped), idempotent re-runs, updates
when only the genre changed, held updates, and an export that imports back with the same types."""

import io
import json
from datetime import timedelta

import jsonschema
import pytest
from django.core.management import call_command
from django.utils import timezone

from articles import editing, workflow
from articles.export import jsonl_row, ninjs_item
from articles.importers.ninjs import story_from_item
from articles.importers.pipeline import ImportOptions, run_import
from articles.models import Article, Section
from articles.tests.factories import ArticleFactory
from articles.tests.test_export import SCHEMA

pytestmark = pytest.mark.django_db
G = Article.Genre
# The ways to run an import: PostgreSQL's COPY (bulk_create elsewhere), plain bulk_create, forked workers.
WAYS = pytest.mark.parametrize(
    "options", [{"copy": True}, {"copy": False}, {"workers": 2}], ids=["copy", "bulk", "workers"]
)
BODY = "Ministers met in Baghdad to discuss the sharing of the rivers."


def run(path, **options):
    return run_import([str(path)], ImportOptions(autotag=False, **options))


def write_jsonl(path, rows):
    path.write_text("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows), encoding="utf-8")
    return path


def ninjs2(path, genres, uri="urn:wire:1"):
    item = {"uri": uri, "type": "text", "headlines": [{"role": "main", "value": "Water talks"}],
            "bodies": [{"contenttype": "text/plain", "value": BODY}]}  # fmt: skip
    if genres is not None:
        item["genres"] = genres
    path.write_text(json.dumps(item), encoding="utf-8")
    return path


def ninjs1(path, genre):
    item = {"uri": "urn:wire:1", "type": "text", "headline": "Water talks", "body_text": BODY, "genre": genre}
    path.write_text(json.dumps(item), encoding="utf-8")
    return path


def newsml(path, genres):
    path.write_text(
        f"""<?xml version="1.0" encoding="UTF-8"?>
<newsItem xmlns="http://iptc.org/std/nar/2006-10-01/" guid="urn:wire:1" version="1" standard="NewsML-G2">
  <itemMeta><itemClass qcode="ninat:text"/><versionCreated>2026-02-14T08:00:00Z</versionCreated></itemMeta>
  <contentMeta>{genres}<headline>Water talks</headline></contentMeta>
  <contentSet><inlineData contenttype="text/plain">{BODY}</inlineData></contentSet>
</newsItem>""",
        encoding="utf-8",
    )
    return path


def csv(path, genre):
    path.write_text(f"source_id,headline,body,genre\nw-1,Water talks,{BODY},{genre}\n", encoding="utf-8")
    return path


IPTC = "http://cv.iptc.org/newscodes/genre/"


def jsonl(path, genre):
    return write_jsonl(path, [{"source_id": "w-1", "headline": "Water talks", "body": BODY, "genre": genre}])


# (input writer, file name, the type of work expected) for each format and way of naming a genre.
INPUTS = {
    "ninjs 2 IPTC uri": (lambda p: ninjs2(p, [{"name": "Opinion", "uri": f"{IPTC}Opinion"}]), "a.json", G.OPINION),
    "ninjs 2 qcode": (lambda p: ninjs2(p, [{"uri": "genre:Analysis"}]), "a.json", G.ANALYSIS),
    "ninjs 2 name only": (lambda p: ninjs2(p, [{"name": "interview"}]), "a.json", G.INTERVIEW),
    "ninjs 2 backgrounder": (lambda p: ninjs2(p, [{"uri": f"{IPTC}Background"}]), "a.json", G.EXPLAINER),
    "ninjs 2 two": (lambda p: ninjs2(p, [{"uri": "genre:Current"}, {"name": "Analysis"}]), "a.json", G.ANALYSIS),
    "ninjs 1 code": (lambda p: ninjs1(p, [{"code": "Opinion", "scheme": IPTC}]), "a.json", G.OPINION),
    "ninjs 1 other code, IPTC name": (lambda p: ninjs1(p, [{"code": "OP-7", "name": "Opinion"}]), "a.json", G.OPINION),
    "newsml qcode": (lambda p: newsml(p, '<genre qcode="genre:Interview"/>'), "a.xml", G.INTERVIEW),
    "newsml uri": (lambda p: newsml(p, f'<genre uri="{IPTC}Analysis"/>'), "a.xml", G.ANALYSIS),
    "newsml name only": (lambda p: newsml(p, "<genre><name>Background</name></genre>"), "a.xml", G.EXPLAINER),
    "csv": (lambda p: csv(p, "Explainer"), "a.csv", G.EXPLAINER),
    "jsonl": (lambda p: jsonl(p, "OPINION"), "a.jsonl", G.OPINION),
    "jsonl list": (lambda p: jsonl(p, ["news", "interview"]), "a.jsonl", G.INTERVIEW),
}  # fmt: skip


@pytest.mark.parametrize("name", list(INPUTS))
def test_each_format_gives_the_story_the_type_of_work_its_genre_names(tmp_path, name):
    write, filename, expected = INPUTS[name]
    report = run(write(tmp_path / filename))
    assert report.summary() == "imported 1, updated 0, unchanged 0, held 0, duplicates 0, failed 0"
    assert report.genre_problems == []
    assert Article.objects.get().genre == expected


UNKNOWN = {
    "ninjs 2": (lambda p: ninjs2(p, [{"name": "Satire", "uri": f"{IPTC}Satire"}]), "a.json", 1, f"{IPTC}Satire"),
    "ninjs 1": (lambda p: ninjs1(p, [{"code": "Obituary"}]), "a.json", 1, "Obituary"),
    "newsml": (lambda p: newsml(p, '<genre qcode="genre:Obituary"/>'), "a.xml", 1, "genre:Obituary"),
    "csv": (lambda p: csv(p, "op-ed"), "a.csv", 2, "op-ed"),  # a CSV entry is its line
    "jsonl number": (lambda p: jsonl(p, 42), "a.jsonl", 1, "42"),
    "jsonl object": (lambda p: jsonl(p, {"a": 1}), "a.jsonl", 1, '{"a": 1}'),
    "ninjs 2 without a name": (lambda p: ninjs2(p, [{"uri": 7}]), "a.json", 1, '{"uri": 7}'),
}  # fmt: skip


@pytest.mark.parametrize("name", list(UNKNOWN))
def test_an_unknown_genre_imports_the_story_as_news_and_is_reported_for_its_entry(tmp_path, name):
    write, filename, entry, shown = UNKNOWN[name]
    path = write(tmp_path / filename)
    report = run(path)
    assert report.summary() == "imported 1, updated 0, unchanged 0, held 0, duplicates 0, failed 0, genre problems 1"
    assert report.genre_problems == [
        f"{path} entry {entry}: genre “{shown}”: not a type of work the site knows (imported as news)"
    ]
    assert Article.objects.get().genre == G.NEWS


def test_every_genre_that_cannot_be_used_is_listed_beside_the_one_that_is(tmp_path):
    path = write_jsonl(
        tmp_path / "a.jsonl",
        [
            {"headline": "Talks", "body": BODY},
            {"headline": "Why talks fail", "body": BODY, "genre": ["satire", "opinion", "analysis", "\x00hidden"]},
        ],
    )
    report = run(path)
    assert report.genre_problems == [
        f"{path} entry 2: genre “satire”: not a type of work the site knows (imported as opinion)",
        f"{path} entry 2: genre “analysis”: another type of work than the first one given (imported as opinion)",
        f"{path} entry 2: genre “hidden”: not a type of work the site knows (imported as opinion)",
    ]
    assert dict(Article.objects.values_list("headline", "genre")) == {"Talks": "news", "Why talks fail": "opinion"}


def test_a_long_unknown_genre_is_quoted_shortened(tmp_path):
    path = csv(tmp_path / "a.csv", "x" * 500)
    (problem,) = run(path).genre_problems
    assert f"“{'x' * 59}…”" in problem and len(problem) < len(str(path)) + 150


def test_the_command_lists_genre_problems_as_warnings_and_succeeds(tmp_path):
    path = csv(tmp_path / "a.csv", "Satire")
    out = io.StringIO()
    call_command("import_articles", str(path), "--no-autotag", stdout=out)
    text = out.getvalue()
    assert "imported 1, updated 0, unchanged 0, held 0, duplicates 0, failed 0, genre problems 1" in text
    assert f"{path} entry 2: genre “Satire”: not a type of work the site knows (imported as news)" in text


def test_a_dry_run_lists_genre_problems_and_writes_nothing(tmp_path):
    path = csv(tmp_path / "a.csv", "Satire")
    report = run(path, dry_run=True)
    assert len(report.genre_problems) == 1 and report.imported == 1
    assert not Article.objects.exists()


@WAYS
def test_running_the_same_input_again_changes_nothing(tmp_path, options):
    path = write_jsonl(
        tmp_path / "a.jsonl",
        [{"source_id": f"w-{n}", "headline": f"Story {n}", "body": BODY, "genre": g} for n, g in enumerate(G.values)]
        + [{"source_id": "w-x", "headline": "Odd one", "body": BODY, "genre": "satire"}],
    )
    first = run(path, **options)
    assert first.imported == 6 and len(first.genre_problems) == 1
    before = list(Article.objects.order_by("source_id").values_list("source_id", "genre", "version", "import_digest"))
    again = run(path, **options)
    assert again.summary() == "imported 0, updated 0, unchanged 6, held 0, duplicates 0, failed 0"
    assert (
        list(Article.objects.order_by("source_id").values_list("source_id", "genre", "version", "import_digest"))
        == before
    )
    assert [genre for _id, genre, *_rest in before] == ["news", "analysis", "opinion", "explainer", "interview", "news"]


@WAYS
def test_a_changed_genre_alone_updates_the_story_with_a_revision(tmp_path, options):
    row = {"source_id": "w-1", "headline": "Water talks", "body": BODY}
    path = write_jsonl(tmp_path / "a.jsonl", [row])
    run(path, **options)
    write_jsonl(path, [{**row, "genre": "analysis"}])
    report = run(path, **options)
    assert report.summary() == "imported 0, updated 1, unchanged 0, held 0, duplicates 0, failed 0"
    article = Article.objects.get()
    assert (article.genre, article.version) == (G.ANALYSIS, 2)
    assert [r.content["genre"] for r in article.revisions.order_by("number")] == ["news", "analysis"]
    write_jsonl(path, [{**row, "genre": "satire"}])  # unknown now: news again, and said so
    report = run(path, **options)
    assert (report.updated, len(report.genre_problems)) == (1, 1)
    assert Article.objects.get().genre == G.NEWS


def test_news_named_as_news_is_the_story_imported_without_a_genre(tmp_path):
    # Stories imported before types of work keep their digests: naming them news changes nothing.
    row = {"source_id": "w-1", "headline": "Water talks", "body": BODY}
    path = write_jsonl(tmp_path / "a.jsonl", [row])
    run(path)
    for genre in ("news", "News", "genre:Current", "http://cv.iptc.org/newscodes/genre/Current", ""):
        write_jsonl(path, [{**row, "genre": genre}])
        assert run(path).summary() == "imported 0, updated 0, unchanged 1, held 0, duplicates 0, failed 0", genre


def test_a_new_genre_for_a_story_the_desk_edited_waits_for_the_desk(tmp_path, editor, publisher):
    row = {"source_id": "w-1", "headline": "Water talks", "body": BODY}
    path = write_jsonl(tmp_path / "a.jsonl", [row])
    run(path, status="published")
    article = Article.objects.get()
    editing.save_edit(article.pk, {"kicker": "Rivers"}, by=editor, base_version=1)
    workflow.publish_update(article, by=publisher)
    write_jsonl(path, [{**row, "genre": "opinion"}])
    report = run(path)
    assert report.held == 1
    assert Article.objects.published().get().genre == G.NEWS  # readers see what they saw
    assert editing.current_content(Article.objects.get())["genre"] == "opinion"
    workflow.publish_update(Article.objects.get(), by=publisher)
    assert Article.objects.published().get().genre == G.OPINION


# -- exports -------------------------------------------------------------------------------------------------


@pytest.fixture
def public(db):
    """One public story of each type of work."""
    section = Section.objects.create(name="World", slug="world")
    stories = []
    for number, genre in enumerate(G.values):
        article = ArticleFactory(headline=f"Story {number}", genre=genre, section=section)
        Article.objects.filter(pk=article.pk).update(status=Article.Status.APPROVED)
        article.refresh_from_db()
        workflow.publish(article, by=None)
        stories.append(article)
    return stories


def test_ninjs_export_gives_iptc_genres_for_all_but_news_and_stays_valid(public):
    checker = jsonschema.Draft7Validator(SCHEMA, format_checker=jsonschema.FormatChecker())
    items = {article.genre: ninjs_item(article) for article in public}
    for item in items.values():
        checker.validate(item)
    assert "genres" not in items["news"]
    assert items["opinion"]["genres"] == [
        {"name": "Opinion", "uri": "http://cv.iptc.org/newscodes/genre/Opinion", "literal": "opinion"}
    ]
    assert items["explainer"]["genres"][0]["uri"] == "http://cv.iptc.org/newscodes/genre/Background"
    # Read back as the import reads an item.
    assert {genre: story_from_item(item).genres for genre, item in items.items()}["interview"] == (
        ("http://cv.iptc.org/newscodes/genre/Interview", "interview", "Interview"),
    )
    assert [jsonl_row(article)["genre"] for article in public] == list(G.values)


@WAYS
@pytest.mark.parametrize("format", ["ninjs", "jsonl"])
def test_an_export_imported_into_an_empty_database_keeps_every_type_of_work(public, tmp_path, format, options):
    out = tmp_path / f"export.{'json' if format == 'ninjs' else 'jsonl'}"
    call_command("export_articles", str(out), "--format", format, stdout=io.StringIO())
    expected = sorted(Article.objects.values_list("headline", "genre"))
    Article.objects.all().delete()
    report = run(out, status="published", **options)
    assert report.summary() == "imported 5, updated 0, unchanged 0, held 0, duplicates 0, failed 0"
    assert sorted(Article.objects.values_list("headline", "genre")) == expected
    assert run(out, status="published", **options).unchanged == 5


def test_an_embargoed_opinion_piece_is_not_exported(public, tmp_path):
    Article.objects.filter(genre=G.OPINION).update(embargo_until=timezone.now() + timedelta(days=1))
    out = tmp_path / "export.jsonl"
    call_command("export_articles", str(out), "--format", "jsonl", stdout=io.StringIO())
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert sorted(row["genre"] for row in rows) == ["analysis", "explainer", "interview", "news"]
