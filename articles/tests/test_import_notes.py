"""Importing a story's public notes (JSON Lines `corrections`/`live_updates`, ninjs note associations): checked
entry by entry, sanitised, written in batches on every path, and added, never duplicated, never deleted."""

import io
import json
from datetime import UTC, datetime, timedelta

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from articles import editing, workflow
from articles.importers.pipeline import ImportOptions, run_import
from articles.models import Article, Correction, LiveUpdate

pytestmark = pytest.mark.django_db

PATHS = [{"copy": True}, {"copy": False}, {"workers": 2}]
PATH_IDS = ["copy", "bulk", "workers"]
T0 = datetime(2024, 3, 1, 9, 30, 15, 250000, tzinfo=UTC)


def at(hours):
    return (T0 + timedelta(hours=hours)).isoformat()


def run(*paths, **options):
    return run_import([str(p) for p in paths], ImportOptions(autotag=False, **options))


def write_jsonl(path, rows):
    path.write_text("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows), encoding="utf-8")
    return path


def row(number=1, corrections=None, live_updates=None, **fields):
    return {
        "source_id": f"live-{number}",
        "headline": f"Battle for Baghouz, day {number}",
        "body": f"<p>Story {number}: fighting in Baghouz.</p>",
        "published_at": at(0),
        "corrections": corrections,
        "live_updates": live_updates,
        **fields,
    }


FIX = {"kind": "correction", "text": "An earlier version misspelt Baghouz.", "created_at": at(3)}
CLARIFY = {"kind": "Clarification", "text": "The camp is east of the river.", "created_at": at(5)}
DAWN = {"posted_at": at(1), "title": "", "text": "<p>Fighting resumed at dawn.</p>"}
BUSES = {"posted_at": at(2), "title": "Exodus", "text": "Families leave.\n\nBuses wait at the gate."}


def notes(article):
    return (
        list(article.corrections.order_by("created_at").values_list("kind", "text", "created_at")),
        list(article.live_updates.order_by("posted_at").values_list("posted_at", "title", "text")),
    )


@pytest.mark.parametrize("options", PATHS, ids=PATH_IDS)
def test_a_story_s_notes_are_imported_with_their_times_and_the_story_follows_its_newest(tmp_path, options):
    path = write_jsonl(tmp_path / "live.jsonl", [row(corrections=[CLARIFY, FIX], live_updates=[BUSES, DAWN])])
    report = run(path, status="published", **options)
    assert report.summary() == (
        "imported 1, updated 0, unchanged 0, held 0, duplicates 0, failed 0, corrections 2, live updates 2"
    )
    article = Article.objects.get()
    assert notes(article) == (
        [
            ("correction", "An earlier version misspelt Baghouz.", T0 + timedelta(hours=3)),
            ("clarification", "The camp is east of the river.", T0 + timedelta(hours=5)),
        ],
        [
            (T0 + timedelta(hours=1), "", "<p>Fighting resumed at dawn.</p>"),
            (T0 + timedelta(hours=2), "Exodus", "<p>Families leave.</p><p>Buses wait at the gate.</p>"),
        ],
    )
    assert article.last_live_update_at == T0 + timedelta(hours=2)
    # The Updated time is the newest note's (not the time of the import), as the desk's own notes make it.
    assert article.first_published_at == T0 and article.last_published_at == T0 + timedelta(hours=5)
    assert [u.title for u in article.newest_live_updates] == ["Exodus", ""]


@pytest.mark.parametrize("options", PATHS, ids=PATH_IDS)
def test_importing_the_same_notes_again_adds_nothing(tmp_path, options):
    path = write_jsonl(tmp_path / "live.jsonl", [row(n, [FIX, CLARIFY], [DAWN, BUSES]) for n in range(3)])
    run(path, **options)
    before = [notes(a) for a in Article.objects.order_by("pk")]
    again = run(path, **options)
    assert again.summary() == "imported 0, updated 0, unchanged 3, held 0, duplicates 0, failed 0"
    assert [notes(a) for a in Article.objects.order_by("pk")] == before
    assert (Correction.objects.count(), LiveUpdate.objects.count()) == (6, 6)


@pytest.mark.parametrize("options", PATHS, ids=PATH_IDS)
def test_a_re_import_adds_only_the_notes_the_story_lacks_and_keeps_the_desk_s(tmp_path, options, publisher):
    path = write_jsonl(tmp_path / "live.jsonl", [row(corrections=[FIX], live_updates=[DAWN])])
    run(path, status="published", **options)
    article = Article.objects.get()
    workflow.correct(article, by=publisher, note="Our own note.", kind="update")
    workflow.post_live_update(article, by=publisher, text="Posted by the desk.")
    desk_time = Article.objects.get().last_live_update_at
    later = {"posted_at": at(30), "title": "", "text": "Evening: quiet."}
    write_jsonl(path, [row(corrections=[FIX, CLARIFY], live_updates=[DAWN, BUSES, later])])
    report = run(path, status="published", **options)
    # The story's content is unchanged: its notes are not part of it.
    assert report.summary() == (
        "imported 0, updated 0, unchanged 1, held 0, duplicates 0, failed 0, corrections 1, live updates 2"
    )
    corrections, updates = notes(Article.objects.get())
    assert [c[1] for c in corrections] == [FIX["text"], CLARIFY["text"], "Our own note."]
    assert [u[2] for u in updates] == [
        "<p>Fighting resumed at dawn.</p>",
        "<p>Families leave.</p><p>Buses wait at the gate.</p>",
        "<p>Evening: quiet.</p>",
        "<p>Posted by the desk.</p>",
    ]
    # Older notes never move the story's times back.
    assert Article.objects.get().last_live_update_at == desk_time


@pytest.mark.parametrize("options", PATHS, ids=PATH_IDS)
def test_a_re_import_brings_back_neither_a_corrected_updates_old_words_nor_a_removed_update(
    tmp_path, options, publisher
):
    path = write_jsonl(tmp_path / "live.jsonl", [row(live_updates=[DAWN, BUSES])])
    run(path, status="published", **options)
    dawn, buses = LiveUpdate.objects.order_by("posted_at")
    workflow.edit_live_update(dawn, by=publisher, text="Fighting resumed before dawn.")
    workflow.remove_live_update(buses, by=publisher, note="Not confirmed")
    report = run(path, status="published", **options)
    assert report.summary() == "imported 0, updated 0, unchanged 1, held 0, duplicates 0, failed 0"
    article = Article.objects.get()
    assert [(u.text, u.removed_at is not None) for u in article.live_updates.order_by("posted_at")] == [
        ("<p>Fighting resumed before dawn.</p>", False),
        ("<p>Families leave.</p><p>Buses wait at the gate.</p>", True),
    ]
    # The story's newest update is the one left, not the removed one the input still holds, also when the input
    # then brings a new one older than the removed one.
    assert article.last_live_update_at == T0 + timedelta(hours=1)
    noon = {"posted_at": at(1.5), "title": "", "text": "Shelling stopped."}
    write_jsonl(path, [row(live_updates=[DAWN, noon, BUSES])])
    assert run(path, status="published", **options).summary().endswith("failed 0, corrections 0, live updates 1")
    assert Article.objects.get().last_live_update_at == T0 + timedelta(hours=1.5)


def test_a_held_story_still_gets_its_new_notes(tmp_path, editor, publisher):
    path = write_jsonl(tmp_path / "live.jsonl", [row(corrections=[FIX])])
    run(path, status="published")
    article = Article.objects.get()
    editing.save_edit(article.pk, {"standfirst": "The desk's standfirst"}, by=editor, base_version=1)
    write_jsonl(path, [row(corrections=[FIX, CLARIFY], live_updates=[DAWN], headline="Baghouz falls")])
    report = run(path, status="published")
    assert report.summary() == (
        "imported 0, updated 0, unchanged 0, held 1, duplicates 0, failed 0, corrections 1, live updates 1"
    )
    article = Article.objects.get()
    assert article.headline == "Battle for Baghouz, day 1"  # the text waits for the desk
    assert [c[1] for c in notes(article)[0]] == [FIX["text"], CLARIFY["text"]]  # the public notes do not
    assert article.last_live_update_at == T0 + timedelta(hours=1)


def test_a_draft_gets_its_notes_and_no_updated_time(tmp_path):
    run(write_jsonl(tmp_path / "live.jsonl", [row(corrections=[FIX], live_updates=[DAWN])]))
    article = Article.objects.get()
    assert article.status == Article.Status.DRAFT and article.last_published_at is None
    assert article.last_live_update_at == T0 + timedelta(hours=1)
    assert len(notes(article)[0]) == len(notes(article)[1]) == 1


def test_live_update_html_is_sanitised_and_plain_text_becomes_paragraphs(tmp_path):
    hostile = {"posted_at": at(1), "text": "<p onclick='x()'>Shelling <script>alert(1)</script>resumed.</p>"}
    plain = {"posted_at": at(2), "title": "  Two   words ", "text": "a < b & c\n\nnext"}
    run(write_jsonl(tmp_path / "live.jsonl", [row(live_updates=[hostile, plain])]))
    assert notes(Article.objects.get())[1] == [
        (T0 + timedelta(hours=1), "", "<p>Shelling resumed.</p>"),
        (T0 + timedelta(hours=2), "Two words", "<p>a &lt; b &amp; c</p><p>next</p>"),
    ]


def test_a_live_update_starting_with_any_markup_is_read_as_html_and_comes_back_as_it_was(tmp_path):
    stored = [
        "<blockquote><p>“We will hold,” he said.</p></blockquote>",
        "Tom &amp; Jerry, at <strong>noon</strong>",
        "<ul><li>one</li></ul>",
    ]
    updates = [{"posted_at": at(n + 1), "text": text} for n, text in enumerate(stored)]
    path = write_jsonl(tmp_path / "live.jsonl", [row(live_updates=updates)])
    run(path)
    assert [u[2] for u in notes(Article.objects.get())[1]] == stored
    assert run(path).live_updates == 0


def test_the_same_note_twice_in_one_input_is_written_once_as_first_given(tmp_path):
    retitled = {**DAWN, "title": "Dawn"}  # the same update (time and text): the title is the desk's to change
    run(write_jsonl(tmp_path / "live.jsonl", [row(corrections=[FIX, dict(FIX)], live_updates=[DAWN, retitled])]))
    assert (Correction.objects.count(), LiveUpdate.objects.get().title) == (1, "")
    write_jsonl(tmp_path / "live.jsonl", [row(corrections=[FIX], live_updates=[retitled])])
    assert run(tmp_path / "live.jsonl").live_updates == 0 and LiveUpdate.objects.get().title == ""


def test_a_dry_run_counts_the_notes_it_would_add_and_writes_none(tmp_path):
    path = write_jsonl(tmp_path / "live.jsonl", [row(corrections=[FIX], live_updates=[DAWN, BUSES])])
    report = run(path, dry_run=True)
    assert report.summary().endswith(", corrections 1, live updates 2")
    assert not Article.objects.exists() and not Correction.objects.exists()
    run(write_jsonl(path, [row(corrections=[FIX], live_updates=[DAWN])]))
    write_jsonl(path, [row(corrections=[FIX], live_updates=[DAWN, BUSES])])
    assert (
        run(path, dry_run=True)
        .summary()
        .endswith("unchanged 1, held 0, duplicates 0, failed 0, corrections 0, live updates 1")
    )
    assert run(path, dry_run=True).live_updates == 1 and LiveUpdate.objects.count() == 1


LONG = "x" * 5001
BAD_NOTES = [
    ({"corrections": {"kind": "correction"}}, "corrections is not a list"),
    ({"corrections": ["An earlier version…"]}, "corrections item 1: not a JSON object"),
    ({"corrections": [FIX, {**FIX, "kind": "apology"}]}, "corrections item 2: kind 'apology' is not one of"),
    ({"corrections": [{**FIX, "kind": None}]}, "corrections item 1: no kind"),
    ({"corrections": [{**FIX, "kind": 3}]}, "corrections item 1: kind '3' is not one of"),
    ({"corrections": [{**FIX, "text": "  "}]}, "corrections item 1: no text"),
    ({"corrections": [{**FIX, "text": "\x00\x01"}]}, "corrections item 1: no text"),
    ({"corrections": [{**FIX, "text": ["a"]}]}, "corrections item 1: text is not text"),
    ({"corrections": [{**FIX, "text": LONG}]}, "corrections item 1: text longer than 5000 characters (5001)"),
    (
        {"corrections": [{k: v for k, v in FIX.items() if k != "created_at"}]},
        "corrections item 1: no time (created_at)",
    ),
    (
        {"corrections": [{**FIX, "created_at": "yesterday"}]},
        "corrections item 1: created_at is not a date: 'yesterday'",
    ),
    ({"corrections": [{**FIX, "created_at": 1700000000}]}, "corrections item 1: created_at is not a date: 1700000000"),
    ({"corrections": [{**FIX, "created_at": "2999-01-01T10:00"}]}, "corrections item 1: created_at is in the future"),
    ({"live_updates": "Fighting resumed."}, "live_updates is not a list"),
    ({"live_updates": [DAWN, {**DAWN, "posted_at": ""}]}, "live_updates item 2: no time (posted_at)"),
    ({"live_updates": [{**DAWN, "posted_at": "2024-13-45"}]}, "live_updates item 1: posted_at is not a date"),
    ({"live_updates": [{**DAWN, "text": ""}]}, "live_updates item 1: no text"),
    (
        {"live_updates": [{**DAWN, "text": "<p><script>x()</script></p>"}]},
        "live_updates item 1: no text (nothing left once",
    ),
    ({"live_updates": [{**DAWN, "text": LONG}]}, "live_updates item 1: text longer than 5000 characters (5001)"),
    ({"live_updates": [{**DAWN, "title": "t" * 201}]}, "live_updates item 1: title longer than 200 characters"),
    ({"live_updates": [{**DAWN, "title": {"en": "x"}}]}, "live_updates item 1: title is not text"),
]


@pytest.mark.parametrize(("fields", "reason"), BAD_NOTES, ids=[reason for _f, reason in BAD_NOTES])
def test_a_bad_note_fails_its_story_by_line_and_reason_and_the_rest_is_imported(tmp_path, fields, reason):
    good = row(2, corrections=[FIX], live_updates=[DAWN])
    path = write_jsonl(tmp_path / "live.jsonl", [row(1, **fields), good])
    report = run(path)
    # A corrected story is never published without its correction: the whole entry is refused.
    assert report.summary() == (
        "imported 1, updated 0, unchanged 0, held 0, duplicates 0, failed 1, corrections 1, live updates 1"
    )
    assert len(report.failures) == 1 and report.failures[0].startswith(f"{path} entry 1: {reason}")
    assert list(Article.objects.values_list("source_id", flat=True)) == ["live-2"]


def test_the_command_prints_the_notes_it_added_and_the_story_a_bad_note_failed(tmp_path):
    bad = row(1, corrections=[{**FIX, "kind": "apology"}])
    path = write_jsonl(tmp_path / "live.jsonl", [bad, row(2, corrections=[FIX], live_updates=[DAWN, BUSES])])
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError) as error:
        call_command("import_articles", str(path), "--no-autotag", stdout=out, stderr=err)
    assert error.value.returncode == 1
    lines = (out.getvalue() + err.getvalue()).splitlines()
    assert lines[0] == (
        "imported 1, updated 0, unchanged 0, held 0, duplicates 0, failed 1, corrections 1, live updates 2"
    )
    reason = "corrections item 1: kind 'apology' is not one of correction, clarification, update, retraction"
    assert lines[1:] == [f"  {path} entry 1: {reason}"]


def ninjs_item(associations, number=1):
    return {
        "uri": f"urn:wire:{number}",
        "type": "text",
        "headlines": [{"role": "main", "value": f"Battle for Baghouz, day {number}"}],
        "bodies": [{"role": "main", "contenttype": "text/html", "value": "<p>Fighting in Baghouz.</p>"}],
        "firstcreated": at(0),
        "associations": associations,
    }


def test_ninjs_notes_are_read_from_associations_by_profile(tmp_path):
    associations = [
        {"name": "seealso1", "type": "text", "uri": "urn:newsroom:article:9", "representationtype": "partial"},
        {
            "name": "correction1",
            "type": "text",
            "profile": "newsroom:retraction",
            "firstcreated": at(4),
            "bodies": [{"role": "main", "contenttype": "text/html", "value": "<p>We withdraw the claim.</p>"}],
        },
        {
            "name": "liveupdate1",
            "type": "text",
            "profile": "newsroom:live-update",
            "versioncreated": at(1),
            "headlines": [{"role": "main", "value": "إغلاق الصناديق"}],
            "bodies": [{"role": "main", "contenttype": "text/plain", "value": "أغلقت مراكز الاقتراع."}],
        },
    ]
    path = tmp_path / "item.json"
    path.write_text(json.dumps([ninjs_item(associations)], ensure_ascii=False), encoding="utf-8")
    report = run(path)
    assert report.summary().endswith("failed 0, corrections 1, live updates 1")
    assert notes(Article.objects.get()) == (
        [("retraction", "We withdraw the claim.", T0 + timedelta(hours=4))],
        [(T0 + timedelta(hours=1), "إغلاق الصناديق", "<p>أغلقت مراكز الاقتراع.</p>")],
    )


@pytest.mark.parametrize(
    ("association", "reason"),
    [
        (
            {"name": "correction1", "profile": "newsroom:apology", "firstcreated": at(1), "bodies": [{"value": "x"}]},
            "association correction1: kind 'apology' is not one of correction, clarification, update, retraction",
        ),
        ({"profile": "newsroom:correction", "bodies": [{"value": "Fixed."}]}, "association 1: no time (firstcreated)"),
        (
            {"name": "liveupdate2", "profile": "newsroom:live-update", "firstcreated": at(1)},
            "association liveupdate2: no text",
        ),
    ],
)
def test_a_bad_ninjs_note_fails_its_item_naming_the_association(tmp_path, association, reason):
    path = tmp_path / "items.json"
    items = [ninjs_item([{"type": "text", **association}], 1), ninjs_item([], 2)]
    path.write_text(json.dumps(items), encoding="utf-8")
    report = run(path)
    assert report.imported == 1 and len(report.failures) == 1
    assert report.failures == [f"{path} entry 1: {reason}"]


@pytest.mark.parametrize(
    "association",
    [
        {"profile": "newsroom:live-update", "firstcreated": 5, "bodies": [{"value": "x", "contenttype": 5}]},
        {"profile": "newsroom:live-update", "firstcreated": at(1), "bodies": {"value": "x"}, "headlines": "t"},
        {"profile": "newsroom:correction", "firstcreated": [at(1)], "bodies": [{"value": 7}]},
        {"profile": "newsroom:", "firstcreated": at(1), "bodies": [{"value": "x"}]},
    ],
)
def test_a_malformed_ninjs_note_is_reported_never_a_crash(tmp_path, association):
    path = tmp_path / "items.json"
    path.write_text(json.dumps([ninjs_item([association], 1), ninjs_item([], 2)]), encoding="utf-8")
    report = run(path)
    assert report.imported == 1 and report.failures[0].startswith(f"{path} entry 1: association 1: ")


def test_csv_reads_no_notes_and_leaves_such_a_column_aside(tmp_path):
    path = tmp_path / "stories.csv"
    path.write_text('headline,body,corrections\nBaghouz falls,The town fell.,"[{""kind"": ""x""}]"\n')
    report = run(path)
    assert report.summary() == "imported 1, updated 0, unchanged 0, held 0, duplicates 0, failed 0"
    assert not Correction.objects.exists()


# -- budgets and size --------------------------------------------------------------------------------------------


def _noted(tmp_path, count, name, notes_each=2):
    rows = [
        row(
            n,
            corrections=[{**FIX, "created_at": at(k + 3)} for k in range(notes_each)],
            live_updates=[{**DAWN, "posted_at": at(k + 1), "text": f"Update {k}"} for k in range(notes_each)],
        )
        for n in range(count)
    ]
    return write_jsonl(tmp_path / f"{name}.jsonl", rows)


def _plain(tmp_path, count, name):
    return write_jsonl(tmp_path / f"{name}.jsonl", [row(n) for n in range(count)])


def _queries(path, **options):
    with CaptureQueriesContext(connection) as queries:
        run(path, batch_size=100, **options)
    return len(queries)


@pytest.mark.parametrize("copy", [True, False], ids=["copy", "bulk"])
def test_a_batch_s_notes_cost_the_same_queries_for_few_or_many_stories_and_notes(tmp_path, copy):
    run(_plain(tmp_path, 2, "warm"), source="warm-up", copy=copy)
    extra, written = {}, 0
    # (at most 20 stories of 2 and 3 notes each: SQLite splits inserts past its 999 parameters)
    for size, each in ((5, 2), (20, 3)):
        without = _queries(_plain(tmp_path, size, f"plain-{size}"), source=f"plain-{size}", copy=copy)
        path = _noted(tmp_path, size, f"noted-{size}", each)
        new = _queries(path, source=f"noted-{size}", copy=copy)
        # Stored stories, one more note each: their notes are read, then written.
        path = _noted(tmp_path, size, f"noted-{size}", each + 1)
        stored = _queries(path, source=f"noted-{size}", copy=copy)
        unchanged = _queries(path, source=f"noted-{size}", copy=copy)
        extra[size] = (new - without, stored, unchanged)
        written += size * (each + 1)
        assert Correction.objects.count() == LiveUpdate.objects.count() == written
    copying = copy and connection.vendor == "postgresql"
    # New stories: the corrections, their times (not on COPY), the live updates, the stories' times, then the
    # stories' texts and their search documents (which take in the updates' words). Stored ones: the same after
    # reading their corrections and live updates; nothing to add: only the reads.
    assert extra[5] == extra[20]
    assert extra[5][0] == (5 if copying else 6)
    assert extra[5][1] - extra[5][2] == (5 if copying else 6)


@pytest.mark.parametrize("options", PATHS, ids=PATH_IDS)
def test_many_stories_with_many_notes_import_once_on_every_path(tmp_path, options):
    count = 1000
    rows = [
        row(
            n,
            corrections=[
                {**FIX, "kind": kind, "created_at": at(k + 3)} for k, kind in enumerate(("update", "correction"))
            ],
            live_updates=[
                {"posted_at": at(k + 1), "title": f"Hour {k}" if k % 2 else "", "text": f"<p>Story {n}, update {k}</p>"}
                for k in range(6)
            ],
            language="ar" if n % 2 else "en",
        )
        for n in range(count)
    ]
    path = write_jsonl(tmp_path / "archive.jsonl", rows)
    report = run(path, batch_size=250, status="published", **options)
    assert report.summary() == (
        f"imported {count}, updated 0, unchanged 0, held 0, duplicates 0, failed 0, "
        f"corrections {2 * count}, live updates {6 * count}"
    )
    assert (Correction.objects.count(), LiveUpdate.objects.count()) == (2 * count, 6 * count)
    assert set(Article.objects.values_list("last_live_update_at", flat=True)) == {T0 + timedelta(hours=6)}
    assert set(Article.objects.values_list("last_published_at", flat=True)) == {T0 + timedelta(hours=6)}
    sample = Article.objects.get(source_id="live-77")
    assert notes(sample)[1][1] == (T0 + timedelta(hours=2), "Hour 1", "<p>Story 77, update 1</p>")
    assert run(path, batch_size=250, status="published", **options).summary() == (
        f"imported 0, updated 0, unchanged {count}, held 0, duplicates 0, failed 0"
    )
    assert (Correction.objects.count(), LiveUpdate.objects.count()) == (2 * count, 6 * count)


def test_copy_and_bulk_create_write_the_same_notes(tmp_path):
    rows = [row(n, [FIX, CLARIFY], [DAWN, BUSES], language="ar" if n % 2 else "en") for n in range(30)]
    path = write_jsonl(tmp_path / "live.jsonl", rows)
    run(path, source="copy", copy=True, status="published")
    run(path, source="bulk", copy=False, status="published")

    def written(source):
        stories = Article.objects.filter(source=source).order_by("source_id")
        return [(a.source_id, a.last_live_update_at, a.last_published_at, notes(a)) for a in stories]

    assert written("copy") == written("bulk") and len(written("copy")) == 30
