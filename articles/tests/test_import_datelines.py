"""The place a story was filed from, in an import: JSON Lines and CSV `dateline`, ninjs `located`, NewsML-G2
`contentMeta/located`. Found in the gazetteer by name, alias or slug ("BAGHOUZ, Syria" by its first part); a
name it does not know is its entry's problem and the story comes without it."""

import io
import json

import pytest
from django.core.management import call_command
from lxml import html as lxml_html

from articles.importers.pipeline import ImportOptions, run_import
from articles.models import Article
from articles.tests.test_import_notes import PATH_IDS, PATHS, write_jsonl

pytestmark = pytest.mark.django_db


def run(*paths, **options):
    return run_import([str(p) for p in paths], ImportOptions(autotag=False, status="published", **options))


def row(number, dateline=None, **fields):
    return {
        "source_id": f"wire-{number}",
        "headline": f"Families return, day {number}",
        "body": f"<p>Story {number}: families came back.</p>",
        "published_at": "2024-03-01T09:30:00+00:00",
        **({"dateline": dateline} if dateline is not None else {}),
        **fields,
    }


def datelines():
    return dict(Article.objects.values_list("source_id", "dateline_place__slug"))


@pytest.mark.parametrize("options", PATHS, ids=PATH_IDS)
def test_a_json_lines_dateline_names_the_place_readers_see_on_the_story(tmp_path, client, places, options):
    rows = [
        row(1, "BAGHOUZ, Syria"),  # a wire dateline: the place, then its country
        row(2, "Deir Ezzor"),  # an alias
        row(3, "الباغوز، سوريا"),  # Arabic, with the Arabic comma
        row(4, "baghdad"),  # a slug, as the JSON Lines export writes it
        row(5),  # none
    ]
    report = run(write_jsonl(tmp_path / "wire.jsonl", rows), **options)
    assert report.summary() == "imported 5, updated 0, unchanged 0, held 0, duplicates 0, failed 0"
    assert datelines() == {
        "wire-1": "baghouz",
        "wire-2": "deir-ez-zor",
        "wire-3": "baghouz",
        "wire-4": "baghdad",
        "wire-5": None,
    }
    page = lxml_html.fromstring(client.get(Article.objects.get(source_id="wire-1").get_absolute_url()).content)
    (dateline,) = page.xpath('//span[@class="dateline"]')
    assert dateline.xpath("./a/@href") == ["/region/baghouz/"] and dateline.text_content().startswith("Baghouz, ")


def test_ninjs_1_and_2_and_newsml_g2_give_the_dateline(tmp_path, places):
    v1 = {"uri": "urn:wire:v1", "headline": "Border reopens", "body_text": "Trucks crossed.", "located": "Baghdad"}
    (tmp_path / "v1.json").write_text(json.dumps(v1))
    v2 = {
        "uri": "urn:wire:v2",
        "headlines": [{"role": "main", "value": "Families return"}],
        "bodies": [{"role": "main", "contenttype": "text/html", "value": "<p>They came back.</p>"}],
        "located": "Deir ez-Zor",
    }
    (tmp_path / "v2.json").write_text(json.dumps(v2))
    (tmp_path / "g2.xml").write_text(
        '<newsItem xmlns="http://iptc.org/std/nar/2006-10-01/" guid="urn:wire:g2"><contentMeta>'
        '<located qcode="geo:baghouz"><name>Al-Baghouz</name></located><headline>Last pocket falls</headline>'
        "</contentMeta><contentSet><inlineData>Fighting ended.</inlineData></contentSet></newsItem>",
        encoding="utf-8",
    )
    report = run(tmp_path / "v1.json", tmp_path / "v2.json", tmp_path / "g2.xml")
    assert report.imported == 3 and report.dateline_problems == []
    assert datelines() == {"urn:wire:v1": "baghdad", "urn:wire:v2": "deir-ez-zor", "urn:wire:g2": "baghouz"}


def test_an_unknown_dateline_is_its_entry_s_warning_and_the_story_comes_without_it(tmp_path, places):
    path = write_jsonl(tmp_path / "wire.jsonl", [row(1, "Atlantis"), row(2, "Baghouz")])
    out = io.StringIO()
    call_command("import_articles", str(path), "--status", "published", "--no-autotag", stdout=out)
    assert out.getvalue().splitlines() == [
        "imported 2, updated 0, unchanged 0, held 0, duplicates 0, failed 0, dateline problems 1",
        f"  {path} entry 1: dateline “Atlantis”: no place of that name in the gazetteer (imported without it)",
    ]
    assert datelines() == {"wire-1": None, "wire-2": "baghouz"}


def test_a_re_import_moves_the_dateline_and_one_without_a_usable_dateline_keeps_the_story_s(tmp_path, places):
    path = write_jsonl(tmp_path / "wire.jsonl", [row(1, "Baghouz"), row(2, "Baghouz")])
    run(path)
    # The wire moves the first story's dateline; the second's input drops it, or names a place nobody knows.
    write_jsonl(path, [row(1, "Deir Ezzor", body="<p>Moved.</p>"), row(2, body="<p>Changed.</p>")])
    report = run(path)
    assert report.updated == 2 and datelines() == {"wire-1": "deir-ez-zor", "wire-2": "baghouz"}
    write_jsonl(path, [row(1, "Deir Ezzor", body="<p>Moved.</p>"), row(2, "Atlantis", body="<p>Again.</p>")])
    assert run(path).updated == 1 and datelines()["wire-2"] == "baghouz"
    # A dateline read off the text's first words fills an empty one but never replaces the story's.
    write_jsonl(
        path, [row(1, "Deir Ezzor", body="<p>Moved.</p>"), row(2, body="<p>BAGHDAD (AFP) - Read off the text.</p>")]
    )
    assert run(path).updated == 1 and datelines()["wire-2"] == "baghouz"
    # The update's revision holds the new dateline, so History compares it like any other field.
    first = Article.objects.get(source_id="wire-1")
    assert first.revisions.order_by("-number").first().content["dateline_place"] == places["deir"].pk
    # The same input again is unchanged; a dateline alone is a change, since it is in the story's digest.
    assert (run(path).unchanged, datelines()["wire-1"]) == (2, "deir-ez-zor")
    write_jsonl(
        path, [row(1, "Baghdad", body="<p>Moved.</p>"), row(2, body="<p>BAGHDAD (AFP) - Read off the text.</p>")]
    )
    assert (run(path).updated, datelines()["wire-1"]) == (1, "baghdad")


def test_a_dateline_opening_the_text_is_used_when_the_input_names_none_and_the_gazetteer_knows_it(tmp_path, places):
    (tmp_path / "wire.txt").write_text(
        "Syria holdout falls\n\nBAGHOUZ, Syria (AFP) - US-backed forces took the last pocket on Saturday.\n",
        encoding="utf-8",
    )
    rows = [
        row(1, body="<p>بغداد - (أ ف ب) - اجتمع الوزراء في العاصمة.</p>"),
        row(2, body="<p>ATLANTIS (AFP) - A place nobody knows.</p>"),  # no dateline, and no problem: not named
        row(3, body="<p>US-backed forces pressed on. Iraq said on Monday - at last - that talks would go on.</p>"),
        row(4, "Deir Ezzor", body="<p>BAGHOUZ (AFP) - The input's own dateline wins.</p>"),
    ]
    report = run(tmp_path / "wire.txt", write_jsonl(tmp_path / "wire.jsonl", rows))
    assert report.imported == 5 and report.dateline_problems == []
    assert Article.objects.get(headline="Syria holdout falls").dateline_place == places["baghouz"]
    wire = {key: slug for key, slug in datelines().items() if key.startswith("wire-")}
    assert wire == {"wire-1": "baghdad", "wire-2": None, "wire-3": None, "wire-4": "deir-ez-zor"}
