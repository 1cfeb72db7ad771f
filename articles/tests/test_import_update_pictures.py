"""A live update's picture in an import: JSON Lines `live_updates[].image` (with `image_caption`, `image_credit`,
`image_alt`) and a ninjs live-update association's own picture association name a local file, added to the
library as a lead picture is (once, whatever names it), and shown with the update. A picture that cannot be used
is its entry's problem: the update is added without it, and every other story and update as usual."""

import json

import pytest
from django.db import connection
from lxml import html as lxml_html

from articles.importers.pipeline import ImportOptions, run_import
from articles.models import Article, Image, LiveUpdate
from articles.tests.test_images_uploads import stored_files
from articles.tests.test_import_notes import PATH_IDS, PATHS, at, row, write_jsonl
from articles.tests.test_import_pictures import ninjs_v2, picture_file

pytestmark = pytest.mark.django_db


def run(*paths, **options):
    return run_import([str(p) for p in paths], ImportOptions(autotag=False, status="published", **options))


WORDS = {"image_caption": "Buses wait at the gate.", "image_credit": "Jane Doe / AFP", "image_alt": "Buses by a fence"}


def update(hours, text, **picture):
    return {"posted_at": at(hours), "title": "", "text": text, **picture}


def pictured(article):
    return [(u.text, u.image.caption if u.image_id else None) for u in article.live_updates.order_by("posted_at")]


@pytest.mark.parametrize("options", PATHS, ids=PATH_IDS)
def test_a_json_lines_update_brings_its_picture_and_readers_see_it(tmp_path, client, options):
    picture_file(tmp_path / "pictures", "checkpoint.jpg")
    updates = [
        update(1, "<p>Fighting resumed.</p>"),
        update(2, "<p>Buses leave the camp.</p>", image="pictures/checkpoint.jpg", **WORDS),
    ]
    report = run(write_jsonl(tmp_path / "live.jsonl", [row(live_updates=updates)]), **options)
    assert report.summary().endswith("failed 0, pictures 1, picture problems 0, corrections 0, live updates 2")
    article = Article.objects.get()
    assert pictured(article) == [
        ("<p>Fighting resumed.</p>", None),
        ("<p>Buses leave the camp.</p>", WORDS["image_caption"]),
    ]
    image = LiveUpdate.objects.get(title="", text="<p>Buses leave the camp.</p>").image
    assert (image.credit, image.copyright_holder, image.alt_text) == (
        "Jane Doe / AFP",
        "Jane Doe / AFP",
        "Buses by a fence",
    )
    page = lxml_html.fromstring(client.get(article.get_absolute_url()).content)
    (figure,) = page.xpath('//section[@class="live-updates"]//figure[@class="live-update-picture"]')
    assert figure.xpath(".//img/@alt") == ["Buses by a fence"]
    # Run again: nothing new, and the file is not stored twice.
    again = run(tmp_path / "live.jsonl", **options)
    assert "live updates" not in again.summary() and Image.objects.count() == 1


def test_a_ninjs_update_association_brings_its_own_picture(tmp_path):
    picture_file(tmp_path, "checkpoint.jpg")
    association = {
        "name": "liveupdate1",
        "type": "text",
        "profile": "newsroom:live-update",
        "firstcreated": at(2),
        "bodies": [{"role": "main", "contenttype": "text/html", "value": "<p>Buses leave the camp.</p>"}],
        # A picture association as a wire item names its lead picture (test_import_pictures.py), inside the update's.
        "associations": [ninjs_v2("checkpoint.jpg")["associations"][1]],
    }
    item = {
        "uri": "urn:wire:live-1",
        "type": "text",
        "language": "en",
        "headlines": [{"role": "main", "value": "Battle for Baghouz"}],
        "bodies": [{"role": "main", "contenttype": "text/html", "value": "<p>Fighting in Baghouz.</p>"}],
        "firstcreated": at(0),
        "associations": [association],
    }
    path = tmp_path / "wire.json"
    path.write_text(json.dumps(item), encoding="utf-8")
    report = run(path, format="ninjs")
    assert report.summary().endswith("failed 0, pictures 1, picture problems 0, corrections 0, live updates 1")
    (image,) = [u.image for u in LiveUpdate.objects.all()]
    assert (image.caption, image.credit, image.alt_text) == (
        "Families wait at the Baghouz checkpoint.",
        "Jane Doe / AFP",
        "A queue of families beside a road",
    )
    assert Article.objects.get().lead_image_id is None  # the update's picture is not the story's


@pytest.mark.parametrize("options", PATHS, ids=PATH_IDS)
def test_an_unusable_picture_is_its_entry_s_problem_and_the_update_comes_without_it(tmp_path, options):
    picture_file(tmp_path, "checkpoint.jpg")
    picture_file(tmp_path, "fine.jpg")
    no_alt = {key: value for key, value in WORDS.items() if key != "image_alt"}
    rows = [
        row(1, live_updates=[update(1, "<p>Missing file.</p>", image="nowhere.jpg", **WORDS)]),
        row(2, live_updates=[update(1, "<p>No alt text.</p>", image="checkpoint.jpg", **no_alt)]),
        row(3, live_updates=[update(1, "<p>Outside the folder.</p>", image="../elsewhere.jpg", **WORDS)]),
        row(4, live_updates=[update(1, "<p>A web address.</p>", image="https://example.org/a.jpg", **WORDS)]),
        row(5, live_updates=[update(1, "<p>Fine.</p>", image="fine.jpg", **WORDS)]),
    ]
    path = write_jsonl(tmp_path / "live.jsonl", rows)
    report = run(path, **options)
    assert report.imported == 5 and report.live_updates == 5 and report.failures == []
    when = at(1)
    assert report.picture_problems == [
        f"{path} entry 1: live update of {when}: picture {tmp_path / 'nowhere.jpg'}: no such file",
        f"{path} entry 2: live update of {when}: picture {tmp_path / 'checkpoint.jpg'}: "
        "no alt text: a picture needs one before it can appear on a published story",
        f"{path} entry 3: live update of {when}: picture ../elsewhere.jpg: outside the input file's folder",
        f"{path} entry 4: live update of {when}: picture https://example.org/a.jpg: "
        "remote pictures are not fetched (give a local file)",
    ]
    assert [(u.text, u.image_id is not None) for u in LiveUpdate.objects.order_by("article__source_id")] == [
        ("<p>Missing file.</p>", False),
        ("<p>No alt text.</p>", False),
        ("<p>Outside the folder.</p>", False),
        ("<p>A web address.</p>", False),
        ("<p>Fine.</p>", True),
    ]


def test_a_stored_update_is_not_given_a_picture_nor_is_it_read_again(tmp_path):
    # Notes are only added: an input naming a picture for an update the story has already changes nothing.
    path = write_jsonl(tmp_path / "live.jsonl", [row(live_updates=[update(1, "<p>Buses leave.</p>")])])
    run(path)
    picture_file(tmp_path, "checkpoint.jpg")
    write_jsonl(
        path,
        [row(body="<p>Changed.</p>", live_updates=[update(1, "<p>Buses leave.</p>", image="checkpoint.jpg", **WORDS)])],
    )
    report = run(path)
    assert report.updated == 1 and report.pictures == 0 and not Image.objects.exists()
    assert LiveUpdate.objects.get().image_id is None


def test_a_dry_run_reads_no_update_picture(tmp_path):
    picture_file(tmp_path, "checkpoint.jpg")
    path = write_jsonl(
        tmp_path / "live.jsonl", [row(live_updates=[update(1, "<p>Buses.</p>", image="checkpoint.jpg", **WORDS)])]
    )
    report = run(path, dry_run=True)
    assert report.live_updates == 1 and not Image.objects.exists() and not Article.objects.exists()


def test_the_ninjs_export_of_an_update_with_a_picture_reads_back_with_the_picture_named_a_problem(tmp_path, publisher):
    # The export gives the picture's web address (for partners); import fetches nothing and says so.
    from articles import workflow
    from articles.export import write_export
    from articles.tests.pictures import library_image
    from articles.tests.publishing import story

    article = story()
    workflow.post_live_update(article, by=publisher, text="Buses leave.", image=library_image())
    out = tmp_path / "export.json"
    write_export(str(out), "ninjs")
    Article.objects.all().delete()
    report = run(out, format="ninjs")
    assert report.live_updates == 1 and report.failures == []
    (problem,) = report.picture_problems
    assert problem.endswith("remote pictures are not fetched (give a local file)") and "live update of" in problem
    assert LiveUpdate.objects.get().image_id is None


@pytest.fixture
def database_refusing_updates():
    """The database refuses (as a unique violation: an import that raced this one) any live update whose text
    says "refused", so the batch holding it rolls back after its updates' pictures were stored."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "CREATE FUNCTION refuse_update() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                "IF NEW.text LIKE '%refused%' THEN "
                "RAISE EXCEPTION 'update refused by the database' USING ERRCODE = 'unique_violation'; END IF; "
                "RETURN NEW; END $$"
            )
            cursor.execute(
                "CREATE TRIGGER refuse_update BEFORE INSERT ON articles_liveupdate "
                "FOR EACH ROW EXECUTE FUNCTION refuse_update()"
            )
        else:
            cursor.execute(
                "CREATE TRIGGER refuse_update BEFORE INSERT ON articles_liveupdate "
                "WHEN NEW.text LIKE '%refused%' BEGIN SELECT RAISE(ABORT, 'update refused by the database'); END"
            )


@pytest.mark.parametrize("options", PATHS, ids=PATH_IDS)
def test_a_batch_that_rolls_back_leaves_no_update_picture_in_storage(
    tmp_path, media_root, database_refusing_updates, options
):
    picture_file(tmp_path, "checkpoint.jpg")
    picture_file(tmp_path, "smoke.jpg")
    rows = [
        row(1, live_updates=[update(1, "<p>Buses leave.</p>", image="checkpoint.jpg", **WORDS)]),
        row(
            2,
            live_updates=[
                update(1, "<p>Smoke over the camp.</p>", image="smoke.jpg", **WORDS),
                update(2, "<p>This one is refused.</p>", image="nowhere.jpg", **WORDS),
            ],
        ),
        row(3, live_updates=[update(1, "<p>Calm again.</p>")]),
    ]
    path = write_jsonl(tmp_path / "live.jsonl", rows)
    report = run(path, batch_size=1, **options)
    # The second story's batch was tried twice and not written; the others were.
    assert [failure.split(" (")[0] for failure in report.failures] == [f"{path} entry 2: not written"]
    assert "update refused by the database" in report.failures[0]
    assert sorted(Article.objects.values_list("source_id", flat=True)) == ["live-1", "live-3"]
    assert report.imported == 2 and report.pictures == 1 and report.live_updates == 2
    # Its picture problem is listed once, not once per attempt.
    assert report.picture_problems == [
        f"{path} entry 2: live update of {at(2)}: picture {tmp_path / 'nowhere.jpg'}: no such file"
    ]
    # Only the first story's picture is in the library, and storage holds its files and nothing else.
    (image,) = Image.objects.all()
    assert image.title == "checkpoint"
    kept = [image.file.name, *image.renditions.values_list("file", flat=True)]
    assert stored_files(media_root) == sorted(media_root / name for name in kept)
