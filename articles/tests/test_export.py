"""export_articles: only public articles, valid ninjs 2.0 or JSON Lines, and a faithful round trip."""

import io
import json
import re
from datetime import timedelta
from pathlib import Path

import jsonschema
import pytest
from django.core.management import call_command
from django.db.models import F
from django.utils import timezone

from articles import workflow
from articles.importers.pipeline import ImportOptions, run_import
from articles.models import Article, Author, Section
from articles.tests.factories import ArticleFactory, AuthorFactory, SectionFactory

SCHEMA = json.loads((Path(__file__).parent / "data" / "ninjs-2.0-schema.json").read_text())

pytestmark = pytest.mark.django_db


@pytest.fixture
def newsroom(places, actors):
    """Two published stories (English analysis and Arabic opinion, tagged, with authors and sections), a draft, an
    embargoed one."""
    world = SectionFactory(name="World", slug="world")
    mideast = SectionFactory(name="Middle East", slug="middle-east", parent=world)
    one = ArticleFactory(
        headline="SDF takes Baghouz",
        genre=Article.Genre.ANALYSIS,
        kicker="Syria",
        standfirst="The last pocket falls.",
        body="<p>The SDF took Baghouz from ISIS.</p>",
        section=mideast,
        credit="Example Wire",
        dateline_place=places["baghouz"],
        regions=[places["baghouz"], places["syria"]],
        actors=[actors["sdf"], actors["isis"]],
        authors=[
            AuthorFactory(display_name="Rana Said", name_ar="رنا سعيد"),
            AuthorFactory(display_name="Omar Khalil"),
        ],
    )
    two = ArticleFactory(
        headline="انتخابات في بغداد",
        genre=Article.Genre.OPINION,
        body="<p>جرت الانتخابات في بغداد.</p>",
        language="ar",
        section=world,
        regions=[places["baghdad"]],
    )
    draft = ArticleFactory(headline="Draft, not public", body="<p>Not yet.</p>")
    embargoed = ArticleFactory(headline="Under embargo", body="<p>Later.</p>")
    for article in (one, two, embargoed):
        article.status = Article.Status.APPROVED
        article.save()
    workflow.publish(one, by=None)
    workflow.publish(two, by=None)
    workflow.publish(embargoed, by=None)
    Article.objects.filter(pk=embargoed.pk).update(embargo_until=timezone.now() + timedelta(days=1))
    # Filed from Baghouz when it was published, as an import gives a story with a dateline.
    Article.objects.filter(pk=one.pk).update(dateline_time=F("first_published_at"))
    return {"published": [one, two], "draft": draft, "embargoed": embargoed}


def state():
    return sorted(
        (
            a.headline,
            a.genre,
            a.kicker,
            a.standfirst,
            a.body,
            a.language,
            str(a.section),
            a.credit,
            a.status,
            a.first_published_at,
            a.dateline_place_id and a.dateline_place.slug,
            sorted(a.regions.values_list("slug", flat=True)),
            sorted(a.actors.values_list("slug", flat=True)),
            list(a.authors.values_list("display_name", flat=True)),  # in byline order
        )
        for a in Article.objects.all()
    )


@pytest.mark.parametrize("format", ["ninjs", "jsonl"])
def test_export_then_import_into_an_empty_database_gives_the_same_articles(newsroom, tmp_path, format):
    out = tmp_path / f"export.{'json' if format == 'ninjs' else 'jsonl'}"
    call_command("export_articles", str(out), "--format", format, stdout=(tmp_path / "log").open("w"))
    Article.objects.exclude(pk__in=[a.pk for a in newsroom["published"]]).delete()
    expected = state()
    Article.objects.all().delete()
    Author.objects.all().delete()
    Section.objects.filter(parent__isnull=False).delete()
    Section.objects.all().delete()
    report = run_import([str(out)], ImportOptions(status="published", autotag=False))
    assert report.summary() == "imported 2, updated 0, unchanged 0, held 0, duplicates 0, failed 0"
    assert state() == expected


@pytest.mark.parametrize("options", [{"copy": True}, {"copy": False}, {"workers": 2}], ids=["copy", "bulk", "workers"])
def test_a_jsonl_export_imported_into_an_empty_database_keeps_the_authors_arabic_names(newsroom, tmp_path, options):
    out = tmp_path / "export.jsonl"
    call_command("export_articles", str(out), "--format", "jsonl", stdout=(tmp_path / "log").open("w"))
    Article.objects.all().delete()
    Author.objects.all().delete()
    report = run_import([str(out)], ImportOptions(status="published", autotag=False, **options))
    assert report.summary() == "imported 2, updated 0, unchanged 0, held 0, duplicates 0, failed 0"
    names = list(Article.objects.get(headline="SDF takes Baghouz").authors.values_list("display_name", "name_ar"))
    assert names == [("Rana Said", "رنا سعيد"), ("Omar Khalil", "")]
    again = run_import([str(out)], ImportOptions(status="published", autotag=False, **options))
    assert again.summary() == "imported 0, updated 0, unchanged 2, held 0, duplicates 0, failed 0"
    assert sorted(Author.objects.values_list("display_name", "name_ar")) == [
        ("Omar Khalil", ""),
        ("Rana Said", "رنا سعيد"),
    ]


def test_ninjs_export_is_valid_ninjs_2_and_holds_only_public_articles(newsroom, tmp_path):
    out = tmp_path / "export.json"
    call_command("export_articles", str(out), "--format", "ninjs", stdout=(tmp_path / "log").open("w"))
    items = json.loads(out.read_text(encoding="utf-8"))
    checker = jsonschema.Draft7Validator(SCHEMA, format_checker=jsonschema.FormatChecker())
    for item in items:
        checker.validate(item)
        assert item["uri"].startswith("urn:newsroom:article:")
    assert sorted(i["headlines"][0]["value"] for i in items) == ["SDF takes Baghouz", "انتخابات في بغداد"]
    first = next(i for i in items if i["language"] == "en")
    assert first["by"] == "Omar Khalil, Rana Said" or first["by"] == "Rana Said, Omar Khalil"
    assert {p["literal"] for p in first["places"]} == {"baghouz", "syria"}
    assert first["subjects"] == [{"name": "World > Middle East", "rel": "section"}]


def test_jsonl_export_writes_one_object_per_public_article(newsroom, tmp_path):
    out = tmp_path / "export.jsonl"
    call_command("export_articles", str(out), "--format", "jsonl", stdout=(tmp_path / "log").open("w"))
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert sorted(r["headline"] for r in rows) == ["SDF takes Baghouz", "انتخابات في بغداد"]


def test_an_export_into_a_missing_folder_fails_cleanly(newsroom, tmp_path):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError) as error:
        call_command("export_articles", str(tmp_path / "missing" / "x.json"), "--format", "ninjs")
    assert error.value.returncode == 2
    assert not (tmp_path / "missing").exists()


# Exporting part of the archive: a span of time, an edition, a section, a place or an actor, as the pages list them.


def _exported(tmp_path, *options):
    out = tmp_path / "part.jsonl"
    log = io.StringIO()
    call_command("export_articles", str(out), "--format", "jsonl", *options, stdout=log)
    headlines = sorted(json.loads(line)["headline"] for line in out.read_text(encoding="utf-8").splitlines())
    assert log.getvalue() == f"exported {len(headlines)} articles to {out} (jsonl)\n"
    return headlines


@pytest.fixture
def more(newsroom, places):
    """A third public story, about Baghouz only (a place inside Syria), with no actor."""
    story = ArticleFactory(
        headline="Camp near Baghouz empties", body="<p>Families left.</p>", regions=[places["baghouz"]]
    )
    Article.objects.filter(pk=story.pk).update(status=Article.Status.APPROVED)
    workflow.publish(Article.objects.get(pk=story.pk), by=None)
    return newsroom


def test_a_place_exports_its_stories_and_those_of_places_inside_it(more, tmp_path):
    assert _exported(tmp_path, "--region", "syria") == ["Camp near Baghouz empties", "SDF takes Baghouz"]
    assert _exported(tmp_path, "--region", "baghdad") == ["انتخابات في بغداد"]


def test_an_actor_is_found_by_an_alias_as_well_as_its_slug(more, tmp_path):
    assert _exported(tmp_path, "--actor", "daesh") == ["SDF takes Baghouz"]
    assert _exported(tmp_path, "--actor", "داعش") == ["SDF takes Baghouz"]


def test_a_section_exports_its_subsections_too_and_an_edition_only_its_language(more, tmp_path):
    assert _exported(tmp_path, "--section", "world") == ["SDF takes Baghouz", "انتخابات في بغداد"]
    assert _exported(tmp_path, "--section", "middle-east") == ["SDF takes Baghouz"]
    assert _exported(tmp_path, "--language", "ar") == ["انتخابات في بغداد"]
    assert _exported(tmp_path, "--language", "en", "--region", "syria") == [
        "Camp near Baghouz empties",
        "SDF takes Baghouz",
    ]


def test_a_span_of_time_counts_from_since_up_to_but_not_including_until_in_newsroom_time(more, tmp_path, settings):
    settings.TIME_ZONE = "Asia/Baghdad"
    times = {
        "SDF takes Baghouz": "2026-03-01T09:00:00+03:00",
        "انتخابات في بغداد": "2026-03-02T00:00:00+03:00",
        "Camp near Baghouz empties": "2026-03-03T12:00:00+03:00",
    }
    for headline, moment in times.items():
        Article.objects.filter(headline=headline).update(first_published_at=moment)
    assert _exported(tmp_path, "--since", "2026-03-02") == ["Camp near Baghouz empties", "انتخابات في بغداد"]
    assert _exported(tmp_path, "--until", "2026-03-02") == ["SDF takes Baghouz"]
    assert _exported(tmp_path, "--since", "2026-03-01 09:00", "--until", "2026-03-03") == [
        "SDF takes Baghouz",
        "انتخابات في بغداد",
    ]


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--region", "atlantis"], "--region: no region with the slug or name 'atlantis'"),
        (["--actor", "nobody-at-all"], "--actor: no actor with the slug or name 'nobody-at-all'"),
        (["--section", "sport"], "--section: no section with the slug 'sport'"),
        (["--since", "last tuesday"], "--since: not a date: 'last tuesday'"),
        (["--since", "0001-01-01"], "--since: not a date: '0001-01-01' (outside the years 1900 to 2999)"),
        (["--since", "2026-03-02", "--until", "2026-03-01"], "--until must be later than --since"),
    ],
)
def test_a_bad_filter_is_refused_by_name_and_writes_nothing(newsroom, tmp_path, options, message):
    from django.core.management.base import CommandError

    out = tmp_path / "part.jsonl"
    with pytest.raises(CommandError, match=re.escape(message)) as error:
        call_command("export_articles", str(out), "--format", "jsonl", *options)
    assert error.value.returncode == 2
    assert not out.exists() and list(tmp_path.iterdir()) == []


# A story's public notes: its corrections and live updates travel with it and come back on the public page.


def _page_notes(client, article):
    """What a reader sees of the story's notes: the corrections box's (kind, time, text), the live updates'
    (time, title, text), and the story's Updated time."""
    from lxml import html as lxml_html

    response = client.get(article.get_absolute_url())
    assert response.status_code == 200
    page = lxml_html.fromstring(response.content)
    corrections = [
        (
            item.xpath("./strong")[0].text_content(),
            item.xpath("./time")[0].get("datetime"),
            " ".join(item.text_content().split()),
        )
        for item in page.xpath('//aside[@class="corrections"]//li')
    ]
    updates = [
        (
            update.xpath(".//time")[0].get("datetime"),
            "".join(t.text_content() for t in update.xpath(".//h3")),
            update.xpath('.//div[@class="live-update-text"]')[0].text_content(),
        )
        for update in page.xpath('//section[@class="live-updates"]/article')
    ]
    times = [t.get("datetime") for t in page.xpath('//p[@class="times"]//time')]
    return corrections, updates, times


def _notes_of(article):
    return (
        list(article.corrections.order_by("created_at").values_list("kind", "text", "created_at")),
        list(article.live_updates.order_by("posted_at").values_list("posted_at", "title", "text")),
    )


@pytest.fixture
def noted(newsroom):
    """The two public stories with public notes: the English one two corrections and three live updates (one
    titled, one with markup), the Arabic one a clarification and an update; as the desk leaves them, times in
    the past (first publication three days ago, the notes since)."""
    one, two = (Article.objects.get(pk=a.pk) for a in newsroom["published"])
    start = timezone.now().replace(microsecond=123456) - timedelta(days=3)
    workflow.correct(one, by=None, note="An earlier version misspelt Baghouz.")
    workflow.correct(one, by=None, note="The SDF took the town on Saturday, not Sunday.", kind="clarification")
    workflow.post_live_update(one, by=None, text="Fighting resumed at dawn.")
    workflow.post_live_update(one, by=None, text="Families leave the camp.\n\nBuses wait at the gate.", title="Exodus")
    workflow.post_live_update(one, by=None, text="The last <pocket> falls & the flag is raised.")
    workflow.correct(two, by=None, note="صُحّح اسم المرشح.", kind="clarification")
    workflow.post_live_update(two, by=None, text="أغلقت مراكز الاقتراع.", title="إغلاق الصناديق")
    for article in (one, two):
        Article.objects.filter(pk=article.pk).update(
            first_published_at=start, dateline_time=start if article.dateline_place_id else None
        )
        for hours, note in enumerate(article.corrections.order_by("pk"), start=1):
            type(note).objects.filter(pk=note.pk).update(created_at=start + timedelta(hours=hours))
        for hours, update in enumerate(article.live_updates.order_by("pk"), start=1):
            type(update).objects.filter(pk=update.pk).update(posted_at=start + timedelta(hours=10 + hours))
        newest = max(article.live_updates.values_list("posted_at", flat=True))
        Article.objects.filter(pk=article.pk).update(last_published_at=newest, last_live_update_at=newest)
    return [Article.objects.get(pk=one.pk), Article.objects.get(pk=two.pk)]


def test_a_jsonl_row_carries_the_story_s_corrections_and_live_updates_oldest_first(noted, tmp_path):
    out = tmp_path / "export.jsonl"
    call_command("export_articles", str(out), "--format", "jsonl", stdout=io.StringIO())
    rows = {json.loads(line)["headline"]: json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()}
    english = rows["SDF takes Baghouz"]
    assert [c["kind"] for c in english["corrections"]] == ["correction", "clarification"]
    assert english["corrections"][0]["text"] == "An earlier version misspelt Baghouz."
    assert [u["title"] for u in english["live_updates"]] == ["", "Exodus", ""]
    assert english["live_updates"][1]["text"] == "<p>Families leave the camp.</p><p>Buses wait at the gate.</p>"
    assert english["live_updates"][2]["text"] == "<p>The last &lt;pocket&gt; falls &amp; the flag is raised.</p>"
    times = [u["posted_at"] for u in english["live_updates"]]
    assert times == sorted(times) and times[0].endswith(".123456+00:00")
    assert rows["انتخابات في بغداد"]["corrections"] == [
        {"kind": "clarification", "text": "صُحّح اسم المرشح.", "created_at": _iso(noted[1].corrections.get().created_at)}
    ]


def test_an_export_carries_corrected_updates_as_they_read_now_and_no_removed_one(noted, tmp_path, publisher):
    dawn, exodus, falls = noted[0].live_updates.order_by("posted_at")
    workflow.edit_live_update(dawn, by=publisher, text="Fighting resumed before dawn.")
    workflow.remove_live_update(exodus, by=publisher, note="Not confirmed")
    out = tmp_path / "export.jsonl"
    call_command("export_articles", str(out), "--format", "jsonl", stdout=io.StringIO())
    rows = {json.loads(line)["headline"]: json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()}
    assert [u["text"] for u in rows["SDF takes Baghouz"]["live_updates"]] == [
        "<p>Fighting resumed before dawn.</p>",
        "<p>The last &lt;pocket&gt; falls &amp; the flag is raised.</p>",
    ]


def _iso(moment):
    return moment.isoformat()


def test_a_ninjs_item_carries_its_notes_as_valid_associations_with_a_profile(noted, tmp_path):
    out = tmp_path / "export.json"
    call_command("export_articles", str(out), "--format", "ninjs", stdout=io.StringIO())
    items = {i["headlines"][0]["value"]: i for i in json.loads(out.read_text(encoding="utf-8"))}
    checker = jsonschema.Draft7Validator(SCHEMA, format_checker=jsonschema.FormatChecker())
    english = items["SDF takes Baghouz"]
    checker.validate(english)
    notes = [a for a in english["associations"] if a.get("profile", "").startswith("newsroom:")]
    for association in notes:
        checker.validate({k: v for k, v in association.items() if k != "name"})  # each a ninjs object of its own
    assert [(a["name"], a["profile"]) for a in notes] == [
        ("correction1", "newsroom:correction"),
        ("correction2", "newsroom:clarification"),
        ("liveupdate1", "newsroom:live-update"),
        ("liveupdate2", "newsroom:live-update"),
        ("liveupdate3", "newsroom:live-update"),
    ]
    exodus = notes[3]
    assert exodus["headlines"] == [{"role": "main", "value": "Exodus"}]
    assert exodus["bodies"][0]["contenttype"] == "text/html"
    assert (
        exodus["firstcreated"] == exodus["versioncreated"] == _iso(noted[0].live_updates.get(title="Exodus").posted_at)
    )
    assert notes[0]["bodies"] == [
        {"role": "main", "contenttype": "text/plain", "value": "An earlier version misspelt Baghouz."}
    ]
    assert notes[0]["uri"].startswith("urn:newsroom:correction:") and notes[2]["uri"].startswith(
        "urn:newsroom:live-update:"
    )


@pytest.mark.parametrize("format", ["ninjs", "jsonl"])
def test_an_export_costs_the_same_queries_whatever_the_number_of_notes(newsroom, tmp_path, format):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from articles.export import write_export

    counts = []
    for round in range(3):
        with CaptureQueriesContext(connection) as queries:
            assert write_export(str(tmp_path / f"{round}.out"), format) == 2
        counts.append(len(queries))
        for article in newsroom["published"]:  # more notes for the next round
            for number in range(round * 3 + 1):
                workflow.correct(Article.objects.get(pk=article.pk), by=None, note=f"Note {round}.{number}")
                workflow.post_live_update(Article.objects.get(pk=article.pk), by=None, text=f"Update {round}.{number}")
    assert "Update 1.3" in (tmp_path / "2.out").read_text(encoding="utf-8")
    # The articles, regions, actors, authors, chosen related stories, corrections and live updates.
    assert counts == [7, 7, 7]


@pytest.mark.parametrize("format", ["ninjs", "jsonl"])
@pytest.mark.parametrize("options", [{"copy": True}, {"copy": False}, {"workers": 2}], ids=["copy", "bulk", "workers"])
def test_notes_survive_the_round_trip_into_an_empty_database_and_show_on_the_story_page(
    noted, tmp_path, client, format, options
):
    from django.core.cache import cache

    out = tmp_path / "export.out"
    call_command("export_articles", str(out), "--format", format, stdout=io.StringIO())
    expected = {a.headline: (_notes_of(a), _page_notes(client, a)) for a in noted}
    assert expected["SDF takes Baghouz"][1][0][1][0] == "Clarification"  # the page shows what we compare
    assert len(expected["SDF takes Baghouz"][1][1]) == 3 and expected["SDF takes Baghouz"][1][2][1]  # updated
    arabic_corrections, arabic_updates, _times = expected["انتخابات في بغداد"][1]
    assert "صُحّح اسم المرشح." in arabic_corrections[0][2] and arabic_updates[0][1:] == (
        "إغلاق الصناديق",
        "أغلقت مراكز الاقتراع.",
    )
    Article.objects.all().delete()
    Author.objects.all().delete()
    cache.clear()
    report = run_import([str(out)], ImportOptions(status="published", autotag=False, format=format, **options))
    summary = "imported 2, updated 0, unchanged 0, held 0, duplicates 0, failed 0, corrections 3, live updates 4"
    assert report.summary() == summary
    imported = {a.headline: (_notes_of(a), _page_notes(client, a)) for a in Article.objects.all()}
    assert imported == expected
    again = run_import([str(out)], ImportOptions(status="published", autotag=False, format=format, **options))
    assert again.summary() == "imported 0, updated 0, unchanged 2, held 0, duplicates 0, failed 0"
    assert {a.headline: (_notes_of(a), _page_notes(client, a)) for a in Article.objects.all()} == expected
