"""Recorded inputs (articles/importers/records.py): a re-run does not parse an input whose bytes and options
are unchanged, and still ends exactly as a run that parses everything."""

import io
import json
import tarfile
import zipfile

import pytest

from articles.importers.pipeline import ImportOptions, run_import
from articles.models import Article, ImportedInput

pytestmark = pytest.mark.django_db

COUNT = 12  # inputs per test; workers=2 below, where records are read (a one-process import parses)


def run(*paths, **options):
    options = {"workers": 2, "batch_size": 5, **options}
    return run_import([str(p) for p in paths], ImportOptions(**options))


def story_text(n, extra=""):
    return f"Story {n} from Baghdad\n\nThe SDF and ISIS, report {n}.{extra}\n"


def write_stories(folder, count=COUNT):
    folder.mkdir(exist_ok=True)
    for n in range(count):
        (folder / f"{n:03}.txt").write_text(story_text(n), encoding="utf-8")
    return folder


def write_jsonl(path, rows):
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")


def state():
    """What the import wrote, story by story, without ids and times."""
    return sorted(
        (a.source, a.source_id, a.headline, a.body, a.version, a.import_digest, str(a.section))
        for a in Article.objects.all()
    )


def report_of(report):
    return report.summary(), report.failures, report.duplicate_of


def test_records_of_other_code_are_stale_and_the_inputs_are_parsed_again(places, actors, tmp_path, monkeypatch):
    from articles.importers import records

    folder = write_stories(tmp_path / "wire")
    run(folder)
    before = state()
    # A deploy that changes a parser, the normalisation or a parsing library changes RECORD_VERSION.
    monkeypatch.setattr(records, "RECORD_VERSION", "another version of the code")
    again = run(folder)
    assert (again.unchanged, again.unparsed) == (COUNT, 0)
    assert state() == before
    assert run(folder).unparsed == COUNT  # recorded afresh under the new version


def test_a_rerun_of_unchanged_inputs_parses_none_of_them_and_changes_nothing(places, actors, tmp_path):
    folder = write_stories(tmp_path / "wire")
    first = run(folder)
    assert (first.imported, first.unparsed) == (COUNT, 0)
    assert ImportedInput.objects.count() == COUNT
    before = state()
    again = run(folder)
    assert again.summary() == f"imported 0, updated 0, unchanged {COUNT}, held 0, duplicates 0, failed 0"
    assert again.unparsed == COUNT
    assert state() == before


def test_a_changed_file_is_parsed_again_and_updates_its_article(places, actors, tmp_path):
    folder = write_stories(tmp_path / "wire")
    run(folder)
    # (a story with an id of its own keeps its key when its text changes: a plain-text one would not)
    write_jsonl(folder / "feed.jsonl", [{"source_id": "w-1", "headline": "Talks in Baghdad", "body": "Talks began."}])
    run(folder)
    write_jsonl(folder / "feed.jsonl", [{"source_id": "w-1", "headline": "Talks in Baghdad", "body": "Talks ended."}])
    report = run(folder)
    assert report.summary() == f"imported 0, updated 1, unchanged {COUNT}, held 0, duplicates 0, failed 0"
    assert report.unparsed == COUNT
    article = Article.objects.get(source_id="w-1")
    assert (article.body, article.version) == ("<p>Talks ended.</p>", 2)
    assert run(folder).unparsed == COUNT + 1  # and the new bytes are recorded in their turn


@pytest.mark.parametrize("option", [{"section": "Local"}, {"source": "Other wire"}])
def test_an_input_imported_with_other_options_is_parsed_again(places, actors, tmp_path, option):
    folder = write_stories(tmp_path / "wire")
    run(folder, source="Wire")
    report = run(folder, **{"source": "Wire", **option})
    assert report.unparsed == 0
    if "section" in option:
        assert report.summary() == f"imported 0, updated {COUNT}, unchanged 0, held 0, duplicates 0, failed 0"
        assert {str(a.section) for a in Article.objects.all()} == {"Local"}
    else:  # another source is another key: new stories
        assert report.summary() == f"imported {COUNT}, updated 0, unchanged 0, held 0, duplicates 0, failed 0"
    assert run(folder, **{"source": "Wire", **option}).unparsed == COUNT


def test_a_deleted_story_comes_back_on_a_rerun(places, actors, tmp_path):
    folder = write_stories(tmp_path / "wire")
    run(folder)
    before = state()
    Article.objects.get(headline="Story 3 from Baghdad").delete()
    report = run(folder)
    assert report.summary() == f"imported 1, updated 0, unchanged {COUNT - 1}, held 0, duplicates 0, failed 0"
    assert report.unparsed == COUNT - 1
    assert state() == before
    assert sorted(Article.objects.get(headline="Story 3 from Baghdad").regions.values_list("slug", flat=True)) == [
        "baghdad"
    ]


def test_a_recorded_story_its_input_no_longer_gives_is_reported_not_skipped(places, actors, tmp_path):
    # The record lists a story the file does not give when parsed again: what a file rewritten between the
    # worker's hash and the writer's parse looks like. It must be a reported failure, never a silent skip.
    folder = write_stories(tmp_path / "wire")
    run(folder)
    name = str(folder / "003.txt")
    record = ImportedInput.objects.get(name=name)
    stories = json.loads(record.stories)
    stories[0][1] = "sha1:" + "f" * 40  # a source id the text does not fingerprint to
    record.stories = json.dumps(stories)
    record.save()
    report = run(folder)
    assert report.failures == [f"{name}: its input changed during the import (run it again)"]
    assert report.summary() == f"imported 0, updated 0, unchanged {COUNT - 1}, held 0, duplicates 0, failed 1"
    assert Article.objects.count() == COUNT  # nothing lost, nothing added


def test_a_story_stored_with_another_digest_is_handled_as_without_records(places, actors, tmp_path):
    folder = write_stories(tmp_path / "wire")
    run(folder)
    Article.objects.filter(headline="Story 5 from Baghdad").update(import_digest="0" * 40, body="<p>Edited.</p>")
    report = run(folder)
    assert report.summary() == f"imported 0, updated 1, unchanged {COUNT - 1}, held 0, duplicates 0, failed 0"
    article = Article.objects.get(headline="Story 5 from Baghdad")
    assert (article.body, article.version) == ("<p>The SDF and ISIS, report 5.</p>", 2)


def test_failures_and_duplicates_are_reported_on_a_rerun_as_on_the_first_run(places, actors, tmp_path):
    folder = write_stories(tmp_path / "wire")
    (folder / "copy-of-001.txt").write_text(story_text(1), encoding="utf-8")  # the same text: a duplicate
    (folder / "empty.txt").write_text("")
    good = {"source_id": "j-1", "headline": "From the feed", "body": "Baghdad today."}
    write_jsonl(folder / "mixed.jsonl", [good, {"source_id": "j-2"}])  # a story and a bad entry
    write_jsonl(folder / "twice.jsonl", [{"source_id": "j-3", "headline": "Twice", "body": "Baghdad."}] * 2)
    first = run(folder)
    assert first.summary() == f"imported {COUNT + 2}, updated 0, unchanged 0, held 0, duplicates 2, failed 2"
    again = run(folder)
    assert again.summary() == f"imported 0, updated 0, unchanged {COUNT + 2}, held 0, duplicates 2, failed 2"
    assert (again.failures, again.duplicate_of) == (first.failures, first.duplicate_of)
    # Inputs with a failure are never recorded: parsed (and reported) on every run; the rest is not parsed.
    assert again.unparsed == COUNT + 3  # the stories and duplicates of every clean input: all but mixed.jsonl
    recorded = set(ImportedInput.objects.values_list("name", flat=True))
    assert str(folder / "mixed.jsonl") not in recorded and str(folder / "empty.txt") not in recorded
    assert str(folder / "twice.jsonl") in recorded


def test_a_dry_run_records_nothing(places, actors, tmp_path):
    folder = write_stories(tmp_path / "wire")
    report = run(folder, dry_run=True)
    assert report.imported == COUNT
    assert not ImportedInput.objects.exists()
    run(folder)
    assert (
        run(folder, dry_run=True).summary()
        == f"imported 0, updated 0, unchanged {COUNT}, held 0, duplicates 0, failed 0"
    )
    assert ImportedInput.objects.count() == COUNT


def _zip(path, count):
    with zipfile.ZipFile(path, "w") as archive:
        for n in range(count):
            archive.writestr(f"z/{n:03}.txt", story_text(n, " Zipped."))
    return path


def _tar(path, count):
    with tarfile.open(path, "w:gz") as archive:
        for n in range(count):
            data = story_text(n, " Tarred.").encode()
            member = tarfile.TarInfo(f"t/{n:03}.txt")
            member.size = len(data)
            archive.addfile(member, io.BytesIO(data))
    return path


@pytest.mark.parametrize("make", [_zip, _tar], ids=["zip", "tar"])
def test_archive_members_are_recorded_and_a_deleted_one_comes_back(places, actors, tmp_path, make):
    archive = make(tmp_path / f"wire.{'zip' if make is _zip else 'tar.gz'}", COUNT)
    run(archive)
    before = state()
    assert run(archive).unparsed == COUNT
    Article.objects.get(headline="Story 7 from Baghdad").delete()
    report = run(archive)  # the member is read from the archive again and parsed
    assert report.summary() == f"imported 1, updated 0, unchanged {COUNT - 1}, held 0, duplicates 0, failed 0"
    assert state() == before


def test_an_input_naming_a_picture_is_not_recorded(places, actors, tmp_path):
    folder = write_stories(tmp_path / "wire")
    row = {"source_id": "p-1", "headline": "With a picture", "body": "Baghdad.", "image": "missing.jpg"}
    write_jsonl(folder / "pictured.jsonl", [row])
    run(folder)
    # (the picture file could appear or change under the same input bytes: its story is parsed every run)
    assert str(folder / "pictured.jsonl") not in set(ImportedInput.objects.values_list("name", flat=True))
    assert run(folder).unparsed == COUNT


def test_a_record_is_replaced_when_its_input_changes(places, actors, tmp_path):
    folder = write_stories(tmp_path / "wire")
    run(folder)
    (folder / "000.txt").write_text(story_text(0, " Updated."), encoding="utf-8")
    run(folder)
    assert ImportedInput.objects.filter(name=str(folder / "000.txt")).count() == 1
    assert ImportedInput.objects.count() == COUNT


def test_a_run_loads_only_the_records_of_inputs_under_its_paths(places, actors, tmp_path):
    from articles.importers import records

    monday, tuesday = write_stories(tmp_path / "monday"), tmp_path / "tuesday"
    tuesday.mkdir()
    for n in range(COUNT):
        (tuesday / f"{n:03}.txt").write_text(story_text(n, " Tuesday's wire."), encoding="utf-8")
    run(monday)
    run(tuesday)
    assert ImportedInput.objects.count() == 2 * COUNT
    # Tuesday's run does not load Monday's records (a newsroom's history of wire stays in the database).
    assert set(records.recorded_inputs([str(tuesday)])) == {str(p) for p in tuesday.iterdir()}
    assert set(records.recorded_inputs([f"{tuesday}/*.txt"])) == {str(p) for p in tuesday.iterdir()}
    assert len(records.recorded_inputs([str(monday), str(tuesday)])) == 2 * COUNT
    assert run(tuesday).unparsed == COUNT  # and still skips what it recorded
