"""`export_articles --pictures`: the lead pictures' and live updates' files copied beside the export, named in its
items (JSON Lines `image` columns, a ninjs rendition "original"), so an export reads back into an empty database
with its pictures and their words; the library knows its own stored file given back (`Image.stored_hash`)."""

import hashlib
import importlib
import io
import json
import os
import stat

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from lxml import html as lxml_html

from articles import workflow
from articles.export import PictureCopies, write_export
from articles.images import store_upload
from articles.importers.pipeline import ImportOptions, run_import
from articles.models import Article, Author, Image
from articles.tests.pictures import library_image, upload
from articles.tests.publishing import story

pytestmark = pytest.mark.django_db

FORMATS = ["jsonl", "ninjs"]
PATHS = [{"copy": True}, {"copy": False}, {"workers": 2}]
PATH_IDS = ["copy", "bulk", "workers"]


@pytest.fixture
def pictured(publisher):
    """A published story with a lead picture (its caption overridden for this story) and a live update with another
    picture; an Arabic story with a decorative lead picture; a story without a picture."""
    lead = library_image(title="Families at the Baghouz checkpoint", credit="Jane Doe / AFP", copyright_holder="AFP")
    article = story(headline="Families return to Baghouz", body="<p>They came back.</p>")
    Article.objects.filter(pk=article.pk).update(lead_image=lead, lead_image_caption="Families wait at dawn.")
    shot = library_image(
        title="Buses at the camp gate",
        caption="Buses wait at the gate.",
        credit="Omar Khalil / Reuters",
        copyright_holder="Reuters",
        alt_text="Buses by a fence",
    )
    workflow.post_live_update(Article.objects.get(pk=article.pk), by=publisher, text="Buses leave.", image=shot)
    ornament = library_image(title="زخرفة", caption="", alt_text="", decorative=True, language="ar")
    arabic = story(headline="عودة العائلات", body="<p>عادت العائلات.</p>", language="ar")
    Article.objects.filter(pk=arabic.pk).update(lead_image=ornament)
    story(headline="No picture here", body="<p>Words only.</p>")
    return {"lead": lead, "shot": shot, "ornament": ornament}


def _pictures():
    """What readers and the desk see of each story's pictures, library words included, by headline."""
    seen = {}
    for article in Article.objects.select_related("lead_image").order_by("headline"):
        image = article.lead_image
        lead = None
        if image is not None:
            lead = (image.title, article.lead_caption, image.credit, image.copyright_holder, image.alt_text)
            lead += (image.decorative, image.width, image.height)
        updates = [
            (u.text, u.image and (u.image.title, u.image.caption, u.image.credit, u.image.copyright_holder))
            for u in article.live_updates.select_related("image").order_by("posted_at")
        ]
        seen[article.headline] = (lead, updates)
    return seen


def _export(tmp_path, format, *options):
    out = tmp_path / "out" / f"export.{format}"
    out.parent.mkdir(parents=True, exist_ok=True)
    log = io.StringIO()
    call_command("export_articles", str(out), "--format", format, "--pictures", *options, stdout=log)
    return out, log.getvalue()


def _empty_site(settings, tmp_path):
    """No stories, authors or pictures, and a library folder of its own: another newsroom's site."""
    Article.objects.all().delete()
    Author.objects.all().delete()
    Image.objects.all().delete()
    settings.MEDIA_ROOT = str(tmp_path / "other-site-media")


@pytest.mark.parametrize("format", FORMATS)
@pytest.mark.parametrize("options", PATHS, ids=PATH_IDS)
def test_an_export_with_pictures_reads_back_into_an_empty_database_with_them(
    pictured, tmp_path, settings, client, format, options
):
    expected = _pictures()
    assert expected["Families return to Baghouz"][0][1] == "Families wait at dawn."  # the story's own caption
    out, log = _export(tmp_path, format)
    assert log.splitlines()[0] == (f"exported 3 articles to {out} ({format}), pictures copied 3, pictures missing 0")
    copies = sorted(p.name for p in (out.parent / "pictures").iterdir())
    assert copies == sorted(f"{image.content_hash}.jpg" for image in pictured.values())
    _empty_site(settings, tmp_path)

    report = run_import([str(out)], ImportOptions(status="published", autotag=False, format=format, **options))
    assert report.failures == [] and report.picture_problems == []
    assert report.pictures == 3 and Image.objects.count() == 3
    assert _pictures() == expected
    # Readers see them: the lead picture with its alt text, the update's picture, the decorative one without.
    article = Article.objects.get(headline="Families return to Baghouz")
    page = lxml_html.fromstring(client.get(article.get_absolute_url()).content)
    assert "Families with bags waiting beside a road" in page.xpath("//img/@alt")
    assert page.xpath('//figure[@class="live-update-picture"]//img/@alt') == ["Buses by a fence"]
    arabic = Article.objects.get(headline="عودة العائلات")
    assert client.get(arabic.get_absolute_url()).status_code == 200

    again = run_import([str(out)], ImportOptions(status="published", autotag=False, format=format, **options))
    assert again.summary() == "imported 0, updated 0, unchanged 3, held 0, duplicates 0, failed 0"
    assert Image.objects.count() == 3


@pytest.mark.parametrize("format", FORMATS)
def test_without_the_option_no_picture_is_copied_and_no_column_names_one(pictured, tmp_path, format):
    out = tmp_path / f"export.{format}"
    call_command("export_articles", str(out), "--format", format, stdout=io.StringIO())
    assert not (tmp_path / "pictures").exists()
    text = out.read_text(encoding="utf-8")
    assert '"image"' not in text and '"original"' not in text and "/pictures/" not in text


def test_the_json_lines_columns_carry_the_library_s_words(pictured, tmp_path):
    out, _log = _export(tmp_path, "jsonl")
    rows = {row["headline"]: row for row in map(json.loads, out.read_text(encoding="utf-8").splitlines())}
    lead = pictured["lead"]
    assert {k: v for k, v in rows["Families return to Baghouz"].items() if k.startswith("image")} == {
        "image": f"pictures/{lead.content_hash}.jpg",
        "image_title": "Families at the Baghouz checkpoint",
        "image_caption": "Families wait at dawn.",
        "image_credit": "Jane Doe / AFP",
        "image_copyright": "AFP",
        "image_alt": "Families with bags waiting beside a road",
        "image_decorative": False,
    }
    (update,) = rows["Families return to Baghouz"]["live_updates"]
    assert update["image"] == f"pictures/{pictured['shot'].content_hash}.jpg"
    assert update["image_credit"] == "Omar Khalil / Reuters" and update["image_copyright"] == "Reuters"
    assert rows["عودة العائلات"]["image_decorative"] is True
    assert "image" not in rows["No picture here"]


def test_the_ninjs_original_rendition_names_the_copy_beside_the_web_one(pictured, tmp_path):
    out, _log = _export(tmp_path, "ninjs")
    items = {item["headlines"][0]["value"]: item for item in json.loads(out.read_text(encoding="utf-8"))}
    (picture,) = [a for a in items["Families return to Baghouz"]["associations"] if a["name"] == "featureimage"]
    web, original = picture["renditions"]
    assert web["name"] == "w1280-16x9" and web["href"].startswith("http")  # partners still get the web address
    lead = pictured["lead"]
    assert original == {
        "name": "original",
        "href": f"pictures/{lead.content_hash}.jpg",
        "contenttype": "image/jpeg",
        "width": lead.width,
        "height": lead.height,
        "sizeinbytes": lead.file_size,
    }
    assert (out.parent / original["href"]).stat().st_size == lead.file_size
    assert picture["by"] == "Jane Doe / AFP" and picture["copyrightholder"] == "AFP"


def test_a_second_export_into_the_same_folder_copies_only_new_pictures(pictured, tmp_path):
    out, _log = _export(tmp_path, "jsonl")
    copy = out.parent / "pictures" / f"{pictured['lead'].content_hash}.jpg"
    before = copy.stat().st_mtime_ns
    library_image(title="A new one")  # not on a story: not exported
    fresh = library_image(title="Smoke over Hajin")
    later = story(headline="Smoke over Hajin", body="<p>Smoke.</p>")
    Article.objects.filter(pk=later.pk).update(lead_image=fresh)
    _out, log = _export(tmp_path, "jsonl")
    assert log.splitlines()[0].endswith("pictures copied 1, pictures missing 0")
    assert copy.stat().st_mtime_ns == before
    assert len(list((out.parent / "pictures").iterdir())) == 4


@pytest.mark.parametrize("format", ["jsonl", "ninjs"])
def test_the_export_and_its_pictures_are_readable_as_the_umask_allows_not_private(pictured, tmp_path, format):
    mask = os.umask(0o022)
    try:
        out, _log = _export(tmp_path, format)
        out.chmod(0o600)  # an earlier export's private file is replaced by a readable one
        out, _log = _export(tmp_path, format)
    finally:
        os.umask(mask)
    assert stat.S_IMODE(out.stat().st_mode) == 0o644
    copies = list((out.parent / "pictures").glob("*.jpg"))
    assert copies and {stat.S_IMODE(copy.stat().st_mode) for copy in copies} == {0o644}


def test_a_picture_the_library_cannot_read_is_named_and_the_rest_exported(pictured, tmp_path):
    lead = pictured["lead"]
    lead.file.storage.delete(lead.file.name)
    out, log = _export(tmp_path, "jsonl")
    lines = log.splitlines()
    assert lines[0] == f"exported 3 articles to {out} (jsonl), pictures copied 2, pictures missing 1"
    article = Article.objects.get(headline="Families return to Baghouz")
    assert lines[1:] == [
        f"  story {article.pk} “Families return to Baghouz”: lead picture “Families at the Baghouz checkpoint” "
        f"({lead.file.name}): cannot copy (No such file or directory)"
    ]
    rows = {row["headline"]: row for row in map(json.loads, out.read_text(encoding="utf-8").splitlines())}
    assert "image" not in rows["Families return to Baghouz"]  # the story is there, without it
    assert rows["Families return to Baghouz"]["live_updates"][0]["image"].startswith("pictures/")
    assert [p.name for p in (out.parent / "pictures").iterdir() if p.suffix == ".part"] == []


@pytest.mark.parametrize("format", FORMATS)
def test_copying_pictures_adds_no_query(pictured, tmp_path, format):
    write_export(str(tmp_path / "x"), format)  # the feed renditions ninjs names are made on the first export
    counts = []
    for copies in (None, PictureCopies.beside(tmp_path / "x")):
        with CaptureQueriesContext(connection) as queries:
            assert write_export(str(tmp_path / "x"), format, copies=copies) == 3
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_the_library_knows_its_stored_file_given_back(pictured, tmp_path):
    """An exported picture (the cleaned file the library kept, not the bytes uploaded) imported or uploaded again
    into the same library is the same picture, not a second copy."""
    out, _log = _export(tmp_path, "jsonl")
    lead = pictured["lead"]
    stored = (out.parent / "pictures" / f"{lead.content_hash}.jpg").read_bytes()
    assert hashlib.sha256(stored).hexdigest() == lead.stored_hash != lead.content_hash
    image, created = store_upload(upload(stored))
    assert (image.pk, created) == (lead.pk, False)
    row = {
        "headline": "Same picture",
        "body": "Again.",
        "source_id": "again",
        "image": f"pictures/{lead.content_hash}.jpg",
    }
    row |= {"image_credit": "Someone else", "image_alt": "Other words"}
    (out.parent / "one.jsonl").write_text(json.dumps(row) + "\n", encoding="utf-8")
    report = run_import([str(out.parent / "one.jsonl")], ImportOptions(autotag=False))
    assert report.failures == [] and report.pictures == 1 and Image.objects.count() == 3
    image = Article.objects.get(headline="Same picture").lead_image
    assert image.pk == lead.pk and image.credit == "Jane Doe / AFP"  # the desk's words are kept


def test_the_migration_gives_existing_pictures_their_stored_file_s_hash(pictured):
    lead, shot = pictured["lead"], pictured["shot"]
    expected = lead.stored_hash
    Image.objects.update(stored_hash="")
    shot.file.storage.delete(shot.file.name)  # a file lost from storage: left without, found as before
    migration = importlib.import_module("articles.migrations.0034_image_stored_hash")
    migration.fill_stored_hashes(apps, None)
    assert Image.objects.get(pk=lead.pk).stored_hash == expected
    assert hashlib.sha256(lead.file.open("rb").read()).hexdigest() == expected
    assert Image.objects.get(pk=shot.pk).stored_hash == ""


def test_a_picture_used_twice_is_copied_once_and_each_use_it_lacks_is_named(pictured, tmp_path, publisher):
    article = Article.objects.get(headline="Families return to Baghouz")
    workflow.post_live_update(article, by=publisher, text="The lead picture again.", image=pictured["lead"])
    out, log = _export(tmp_path, "jsonl")
    assert "pictures copied 3," in log.splitlines()[0]  # not 4
    rows = {row["headline"]: row for row in map(json.loads, out.read_text(encoding="utf-8").splitlines())}
    story_row = rows["Families return to Baghouz"]
    assert story_row["live_updates"][1]["image"] == story_row["image"]
    # Its file lost: both uses are named, the story's and the update's.
    lead = pictured["lead"]
    lead.file.storage.delete(lead.file.name)
    _out, log = _export(tmp_path / "elsewhere", "jsonl")
    update = article.live_updates.get(image=lead)
    assert [line.split("”: ")[1].split(" “")[0] for line in log.splitlines()[1:]] == [
        "lead picture",
        f"live update of {update.posted_at.isoformat()}",
    ]


@pytest.mark.parametrize(
    ("fields", "credit", "holder"),
    [
        ({"by": "Jane Doe", "copyrightholder": "AFP"}, "Jane Doe", "AFP"),  # the maker credited, the holder kept
        ({"byline": "Jane Doe / AFP"}, "Jane Doe / AFP", "Jane Doe / AFP"),  # ninjs 1.x: the holder is the credit
        ({"copyrightholder": "AFP"}, "AFP", "AFP"),  # only a holder: credited too
    ],
    ids=["by-and-holder", "byline", "holder-only"],
)
def test_a_ninjs_picture_credits_its_maker_and_keeps_its_copyright_holder(tmp_path, fields, credit, holder):
    from articles.tests.test_import_pictures import ninjs_v2, picture_file

    picture_file(tmp_path, "photo.jpg")
    item = ninjs_v2("photo.jpg", **fields)
    del item["associations"][1]["by"]
    item["associations"][1] |= fields
    (tmp_path / "item.json").write_text(json.dumps(item), encoding="utf-8")
    report = run_import([str(tmp_path / "item.json")], ImportOptions(autotag=False))
    assert report.picture_problems == []
    image = Article.objects.get().lead_image
    assert (image.title, image.credit, image.copyright_holder) == ("Families at a checkpoint", credit, holder)


@pytest.mark.parametrize(
    ("value", "decorative"), [(True, True), ("Yes", True), ("1", True), (False, False), ("no", False), ("", False)]
)
def test_the_decorative_column_reads_true_and_false_as_json_or_words(tmp_path, value, decorative):
    from articles.tests.test_import_pictures import picture_file

    picture_file(tmp_path, "ornament.jpg")
    row = {"headline": "Ornament", "body": "Words.", "source_id": "o1", "image": "ornament.jpg"}
    row |= {"image_credit": "Jane Doe / AFP", "image_alt": "" if decorative else "A pattern", "image_decorative": value}
    (tmp_path / "one.jsonl").write_text(json.dumps(row) + "\n", encoding="utf-8")
    report = run_import([str(tmp_path / "one.jsonl")], ImportOptions(autotag=False, status="published"))
    assert report.picture_problems == []
    assert Article.objects.get().lead_image.decorative is decorative


def test_a_decorative_flag_that_is_neither_true_nor_false_is_the_picture_s_problem(tmp_path):
    from articles.tests.test_import_pictures import picture_file

    picture_file(tmp_path, "ornament.jpg")
    row = {"headline": "Ornament", "body": "Words.", "source_id": "o1", "image": "ornament.jpg"}
    row |= {"image_credit": "Jane Doe / AFP", "image_decorative": "maybe"}
    (tmp_path / "one.jsonl").write_text(json.dumps(row) + "\n", encoding="utf-8")
    report = run_import([str(tmp_path / "one.jsonl")], ImportOptions(autotag=False))
    (problem,) = report.picture_problems
    assert problem.endswith("/ornament.jpg: image_decorative “maybe” is neither true nor false")
    assert Article.objects.get().lead_image is None and not Image.objects.exists()  # not imported on a guess
