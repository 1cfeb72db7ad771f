"""Imported stories with pictures: ninjs, NewsML-G2, CSV and JSON Lines name local files; problems keep the story."""

import csv
import io
import json
from pathlib import Path

import jsonschema
import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from PIL import Image as PILImage

from articles.importers.pipeline import ImportOptions, run_import
from articles.models import Article, Image
from articles.tests.pictures import heic_bytes, jpeg_bytes, revealing_exif

pytestmark = pytest.mark.django_db
SCHEMA = json.loads((Path(__file__).parent / "data" / "ninjs-2.0-schema.json").read_text())


def run(*paths, **options):
    return run_import([str(p) for p in paths], ImportOptions(**{"autotag": False, **options}))


def picture_file(folder, name="photo.jpg", **options):
    """A distinct real JPEG on disk."""
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(jpeg_bytes((320, 200), **options))
    return path


def write_jsonl(path, rows):
    path.write_text("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows), encoding="utf-8")
    return path


def row(n, **extra):
    return {"headline": f"Story number {n}", "body": f"Text of story {n}.", "source_id": f"s{n}", **extra}


def ninjs_v2(image_href, **association):
    return {
        "uri": "urn:wire:1",
        "type": "text",
        "headlines": [{"role": "main", "value": "Families return to Baghouz"}],
        "bodies": [{"role": "main", "contenttype": "text/html", "value": "<p>They came back.</p>"}],
        "associations": [
            {"name": "related", "type": "text", "uri": "urn:wire:0"},
            {
                "name": "featureimage",
                "type": "picture",
                "headlines": [{"role": "main", "value": "Families at a checkpoint"}],
                "descriptions": [
                    {"role": "caption", "value": "Families wait at the Baghouz checkpoint."},
                    {"role": "alt", "value": "A queue of families beside a road"},
                ],
                "by": "Jane Doe / AFP",
                "renditions": [
                    {"name": "thumbnail", "href": "missing-thumb.jpg", "width": 100},
                    {"name": "original", "href": image_href, "width": 320},
                ],
                **association,
            },
        ],
    }


def test_ninjs_2_feature_image_is_attached_with_caption_credit_and_alt(tmp_path):
    picture_file(tmp_path / "pictures", exif=revealing_exif())
    item = tmp_path / "item.json"
    item.write_text(json.dumps(ninjs_v2("pictures/photo.jpg")))
    report = run(item)
    assert report.summary() == (
        "imported 1, updated 0, unchanged 0, held 0, duplicates 0, failed 0, pictures 1, picture problems 0"
    )
    article = Article.objects.get()
    image = article.lead_image
    assert (image.caption, image.credit, image.copyright_holder, image.alt_text) == (
        "Families wait at the Baghouz checkpoint.",
        "Jane Doe / AFP",
        "Jane Doe / AFP",
        "A queue of families beside a road",
    )
    assert article.lead_caption == "Families wait at the Baghouz checkpoint."
    with image.file.open("rb") as handle:
        stored = PILImage.open(io.BytesIO(handle.read()))
        assert not stored.getexif()  # the safe upload path stripped GPS and camera details


def test_ninjs_1_associations_object_names_the_picture(tmp_path):
    picture_file(tmp_path)
    item = {
        "uri": "urn:wire:2",
        "headline": "Aid reaches Deir ez-Zor",
        "body_text": "Trucks arrived.",
        "associations": {
            "featureimage": {
                "type": "picture",
                "description_text": "Trucks at the crossing.",
                "byline": "Omar Khalil / Reuters",
                "alt_text": "Lorries queue at a border crossing",
                "renditions": {"original": {"href": "photo.jpg", "width": 320}},
            }
        },
    }
    (tmp_path / "item.json").write_text(json.dumps(item))
    run(tmp_path / "item.json")
    image = Article.objects.get().lead_image
    assert (image.caption, image.credit, image.alt_text) == (
        "Trucks at the crossing.",
        "Omar Khalil / Reuters",
        "Lorries queue at a border crossing",
    )


NEWSML = """<?xml version="1.0" encoding="UTF-8"?>
<newsMessage xmlns="http://iptc.org/std/nar/2006-10-01/">
 <itemSet>
  <newsItem guid="urn:wire:text:1" standard="NewsML-G2" standardversion="2.29">
   <itemMeta><itemClass qcode="ninat:text"/><link rel="irel:seeAlso" residref="urn:wire:pic:1"/></itemMeta>
   <contentMeta><headline>Market reopens in Mosul</headline></contentMeta>
   <contentSet><inlineData>Stalls are open again.</inlineData></contentSet>
  </newsItem>
  <newsItem guid="urn:wire:pic:1" standard="NewsML-G2" standardversion="2.29">
   <itemMeta><itemClass qcode="ninat:picture"/></itemMeta>
   <contentMeta>
    <headline>Mosul market</headline>
    <description role="drol:caption">Shoppers in Mosul's old market.</description>
    <description role="drol:alternative">Shoppers walk between fruit stalls</description>
    <creditline>Ali Hassan / AP</creditline>
   </contentMeta>
   <contentSet><remoteContent href="{href}" contenttype="image/jpeg"/></contentSet>
  </newsItem>
  <newsItem guid="urn:wire:text:2" standard="NewsML-G2" standardversion="2.29">
   <itemMeta><itemClass qcode="ninat:text"/>
    <link rel="irel:seeAlso" href="photo2.jpg" contenttype="image/jpeg"><title>A second picture</title></link>
   </itemMeta>
   <contentMeta><headline>Second story</headline></contentMeta>
   <contentSet><inlineData>More text.</inlineData></contentSet>
  </newsItem>
 </itemSet>
</newsMessage>
"""


def test_newsml_picture_item_and_direct_link_are_attached(tmp_path):
    picture_file(tmp_path)
    picture_file(tmp_path, "photo2.jpg")
    (tmp_path / "message.xml").write_text(NEWSML.replace("{href}", "photo.jpg"))
    report = run(tmp_path / "message.xml")
    assert (report.imported, report.pictures, report.failures) == (2, 2, [])
    first = Article.objects.get(source_id="urn:wire:text:1").lead_image
    assert (first.caption, first.credit, first.alt_text) == (
        "Shoppers in Mosul's old market.",
        "Ali Hassan / AP",
        "Shoppers walk between fruit stalls",
    )
    assert Article.objects.get(source_id="urn:wire:text:2").lead_caption == "A second picture"
    assert Image.objects.count() == 2  # the picture item itself is not a story


def test_csv_image_columns_attach_the_picture(tmp_path):
    picture_file(tmp_path / "img", "a.jpg")
    path = tmp_path / "stories.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["headline", "body", "image", "image_caption", "image_credit", "image_alt"])
        writer.writerow(["Water returns to Raqqa", "Pumps work again.", "img/a.jpg", "A pump.", "R. Ali", "A pump"])
        writer.writerow(["A story without a picture", "Just text.", "", "", "", ""])
    report = run(path)
    assert report.imported == 2 and report.pictures == 1
    article = Article.objects.get(headline="Water returns to Raqqa")
    assert (article.lead_image.caption, article.lead_image.credit, article.lead_image.alt_text) == (
        "A pump.",
        "R. Ali",
        "A pump",
    )
    assert Article.objects.get(headline="A story without a picture").lead_image is None


def test_missing_and_refused_pictures_are_problems_of_their_entry_and_the_stories_are_imported(tmp_path):
    (tmp_path / "script.jpg").write_bytes(b"#!/bin/sh\nrm -rf /\n")
    path = write_jsonl(
        tmp_path / "stories.jsonl",
        [
            row(1, image="nowhere.jpg"),
            row(2, image="script.jpg"),
            row(3, image="../outside.jpg"),
            row(4, image="https://example.com/p.jpg"),
        ],
    )
    report = run(path)
    assert report.imported == 4 and report.failed == 0 and report.pictures == 0
    problems = report.picture_problems
    assert problems[0] == f"{path} entry 1: picture {tmp_path / 'nowhere.jpg'}: no such file"
    assert problems[1].startswith(
        f"{path} entry 2: picture {tmp_path / 'script.jpg'}: This file is not a picture the library accepts"
    )
    assert problems[2] == f"{path} entry 3: picture ../outside.jpg: outside the input file's folder"
    assert problems[3].startswith(f"{path} entry 4: picture https://example.com/p.jpg: remote pictures")
    assert Image.objects.count() == 0
    assert not Article.objects.filter(lead_image__isnull=False).exists()


def test_a_local_picture_over_the_size_limit_is_its_entry_s_problem_and_nothing_is_stored(
    tmp_path, settings, media_root
):
    settings.NEWSROOM_IMAGE_MAX_BYTES = 1000
    big = picture_file(tmp_path, "big.jpg")
    assert big.stat().st_size > 1000
    report = run(write_jsonl(tmp_path / "stories.jsonl", [row(1, image="big.jpg")]))
    assert report.imported == 1 and report.pictures == 0
    (problem,) = report.picture_problems
    assert problem.startswith(f"{tmp_path / 'stories.jsonl'} entry 1: picture {big}: The file is ")
    assert problem.endswith("the most the library accepts is 1000\xa0bytes.")
    assert not Image.objects.exists() and not media_root.exists()


def test_command_lists_picture_problems_as_warnings_and_succeeds(tmp_path):
    path = write_jsonl(tmp_path / "stories.jsonl", [row(1, image="nowhere.jpg")])
    out = io.StringIO()
    call_command("import_articles", str(path), "--no-autotag", stdout=out)
    text = out.getvalue()
    assert "imported 1, updated 0, unchanged 0, held 0, duplicates 0, failed 0, pictures 0, picture problems 1" in text
    assert f"{path} entry 1: picture {tmp_path / 'nowhere.jpg'}: no such file" in text


def test_reimport_and_shared_pictures_never_duplicate_the_library(tmp_path):
    picture_file(tmp_path)
    path = write_jsonl(tmp_path / "stories.jsonl", [row(n, image="photo.jpg", image_credit="AFP") for n in range(3)])
    first = run(path)
    assert first.imported == 3 and first.pictures == 3
    assert Image.objects.count() == 1
    again = run(path)
    assert again.summary() == "imported 0, updated 0, unchanged 3, held 0, duplicates 0, failed 0"
    assert Image.objects.count() == 1
    assert set(Article.objects.values_list("lead_image", flat=True)) == {Image.objects.get().pk}


def test_a_picture_added_later_is_attached_by_a_rerun(tmp_path):
    path = write_jsonl(tmp_path / "stories.jsonl", [row(1, image="late.jpg")])
    assert run(path).picture_problems
    picture_file(tmp_path, "late.jpg")
    report = run(path)
    assert (report.updated, report.pictures) == (1, 1)
    assert Article.objects.get().lead_image is not None


def test_an_update_without_a_picture_keeps_the_story_s_picture(tmp_path):
    picture_file(tmp_path)
    path = write_jsonl(tmp_path / "stories.jsonl", [row(1, image="photo.jpg", image_caption="Own caption")])
    run(path)
    image = Article.objects.get().lead_image
    write_jsonl(path, [row(1, body="Changed text.")])
    assert run(path).updated == 1
    article = Article.objects.get()
    assert article.lead_image == image and article.body == "<p>Changed text.</p>"


def test_published_import_attaches_only_credited_pictures_with_alt_text(tmp_path):
    picture_file(tmp_path, "credited.jpg")
    picture_file(tmp_path, "uncredited.jpg")
    path = write_jsonl(
        tmp_path / "stories.jsonl",
        [
            row(1, image="credited.jpg", image_credit="AFP", image_alt="A street"),
            row(2, image="uncredited.jpg", image_alt="A street"),
        ],
    )
    report = run(path, status="published")
    assert report.imported == 2 and report.pictures == 1
    assert report.picture_problems == [
        f"{path} entry 2: picture {tmp_path / 'uncredited.jpg'}: "
        "no credit: a picture needs one before it can appear on a published story"
    ]
    assert Article.objects.get(source_id="s1").lead_image.credit == "AFP"
    assert Article.objects.get(source_id="s2").lead_image is None
    assert Article.objects.published().count() == 2


def test_a_folder_of_stories_and_their_pictures_imports_the_stories_only(tmp_path):
    picture_file(tmp_path / "wire", "photo.jpg")
    write_jsonl(tmp_path / "wire" / "stories.jsonl", [row(1, image="photo.jpg")])
    report = run(tmp_path / "wire")
    assert (report.imported, report.failed, report.pictures) == (1, 0, 1)


def test_a_folder_of_stories_and_iphone_pictures_imports_the_stories_only(tmp_path):
    folder = tmp_path / "field"
    folder.mkdir()
    (folder / "IMG_0001.HEIC").write_bytes(heic_bytes((320, 200), exif=revealing_exif()))
    (folder / "IMG_0002.heic").write_bytes(heic_bytes())
    (folder / "burst.heif").write_bytes(heic_bytes())
    (folder / "CANON_0001.HIF").write_bytes(heic_bytes())  # Canon and Sony cameras name their HEIF so
    write_jsonl(folder / "stories.jsonl", [row(1, image="IMG_0001.HEIC", image_credit="Staff")])

    report = run(folder)

    assert (report.imported, report.failed, report.failures, report.pictures) == (1, 0, [], 1)
    picture = Article.objects.get().lead_image
    assert (picture.original_format, picture.credit) == ("HEIF", "Staff")
    assert b"SN-0451-9981" not in picture.file.read()


def test_a_batch_naming_known_pictures_costs_the_same_queries_for_few_or_many_stories(tmp_path):
    picture_file(tmp_path)
    run(write_jsonl(tmp_path / "warm.jsonl", [row(0, image="photo.jpg", image_credit="AFP")]), source="warm-up")
    counts = {}
    for size in (5, 25):  # 25: one insert on SQLite (999 parameters, 34 columns a story)
        path = write_jsonl(tmp_path / f"{size}.jsonl", [row(n, image="photo.jpg") for n in range(size)])
        with CaptureQueriesContext(connection) as queries:
            report = run(path, batch_size=100, source=f"run-{size}")
        assert report.pictures == size
        counts[size] = len(queries)
    # The pipeline's pinned per-batch queries (see test_import_pipeline) plus one: the pictures by content hash.
    assert counts[5] == counts[25] == 11 + (1 if connection.vendor == "postgresql" else 0)  # ids for COPY


def test_ninjs_export_carries_the_lead_picture_and_reimports_the_story(tmp_path):
    picture_file(tmp_path)
    path = write_jsonl(
        tmp_path / "stories.jsonl", [row(1, image="photo.jpg", image_credit="AFP", image_alt="A street")]
    )
    run(path, status="published")
    out = tmp_path / "export.json"
    call_command("export_articles", str(out), "--format", "ninjs", stdout=io.StringIO())
    item = json.loads(out.read_text())[0]
    jsonschema.Draft7Validator(SCHEMA).validate(item)
    association = item["associations"][0]
    image = Article.objects.get().lead_image
    rendition = image.renditions.get(spec="w1280-16x9.jpg")
    assert association["name"] == "featureimage" and association["type"] == "picture"
    assert association["by"] == "AFP"
    assert {"role": "alt", "contenttype": "text/plain", "value": "A street"} in association["descriptions"]
    assert association["renditions"][0]["href"] == "http://127.0.0.1:8000" + rendition.url
    assert association["renditions"][0]["sizeinbytes"] == rendition.file_size


def test_newsml_story_read_before_damage_is_kept_without_its_unread_picture(tmp_path):
    damaged = NEWSML.replace("{href}", "photo.jpg").split('<newsItem guid="urn:wire:pic:1"')[0] + "<broken"
    (tmp_path / "message.xml").write_text(damaged)
    report = run(tmp_path / "message.xml")
    assert report.imported == 1
    assert report.failures and "malformed XML" in report.failures[0]
    assert Article.objects.get().lead_image is None


def test_dry_run_stores_no_picture(tmp_path):
    picture_file(tmp_path)
    report = run(write_jsonl(tmp_path / "stories.jsonl", [row(1, image="photo.jpg")]), dry_run=True)
    assert report.imported == 1
    assert Image.objects.count() == 0 and Article.objects.count() == 0


def test_control_characters_are_taken_out_of_picture_fields_and_tag_names(tmp_path, places, actors):
    # A NUL in a caption would make PostgreSQL refuse the batch; in a place's name it would match no place.
    picture_file(tmp_path / "img", "dam.jpg")
    path = write_jsonl(
        tmp_path / "stories.jsonl",
        [
            row(
                1,
                image="img/dam.jpg",
                image_caption="The\u0000 dam gates.",
                image_credit="R.\u0007 Ali",
                image_alt="Open\u001f gates",
                regions=["Bag\u0000houz"],
                actors=["S\u0001DF"],
                section="Wor\u0000ld",
            )
        ],
    )
    with path.open("a", encoding="utf-8") as more:
        more.write(json.dumps(row(2, image="img/dam\u0000.jpg")) + "\n")  # no file has a NUL in its name
    report = run(path)
    assert report.imported == 2 and report.pictures == 1, report.failures
    assert report.picture_problems == [f"{path} entry 2: picture img/dam?.jpg: the path holds a control character"]
    article = Article.objects.get(source_id="s1")
    image = article.lead_image
    assert (image.caption, image.credit, image.alt_text) == ("The dam gates.", "R. Ali", "Open gates")
    assert [r.name for r in article.regions.all()] == ["Baghouz"]
    assert [a.name for a in article.actors.all()] == ["Syrian Democratic Forces"]  # "SDF" is its alias
    assert article.section.name == "World"
