"""Re-imports of stories already stored: a revision for every update, and the desk's work never overwritten."""

import html
import importlib
import io
import json
import re
import threading

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from articles import editing, revisions, workflow
from articles.importers.pipeline import ImportOptions, run_import
from articles.models import Article, ArticleRevision, Author
from articles.tests.desk_forms import form_data
from articles.tests.factories import ArticleFactory, UserFactory
from articles.tests.publishing import story

pytestmark = pytest.mark.django_db

R = ArticleRevision.State
DESK_EDITED = "edited by the desk since its last import"
DESK_PENDING = "a desk update is pending"


def write_jsonl(path, rows):
    path.write_text("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows), encoding="utf-8")
    return path


def wire(tmp_path, headline="Talks in Baghdad", body="Talks began in Baghdad.", **columns):
    """The wire's one story (source id w-1) as its input file now has it."""
    row = {"source_id": "w-1", "headline": headline, "body": body, **columns}
    return write_jsonl(tmp_path / "wire.jsonl", [row])


def run(path, **options):
    return run_import([str(path)], ImportOptions(**{"source": "Wire", **options}))


def history(article):
    return list(article.revisions.order_by("number").values_list("number", "state", "created_by", "note"))


# -- scope A: every update is a revision ------------------------------------------------------------------


def test_a_new_imported_story_has_no_revision_until_it_first_changes(places, actors, tmp_path):
    run(wire(tmp_path))
    article = Article.objects.get()
    assert (article.version, article.imported_version, article.revisions.count()) == (1, 1, 0)


def test_an_imported_update_is_recorded_as_the_live_version_with_the_content_as_written(places, actors, tmp_path):
    path = wire(tmp_path, authors=["Zeina Khalil", "Adam Brook"])
    run(path)
    article = Article.objects.get()
    before = revisions.snapshot(article)
    # The desk's tag stays on the story; the update adds the SDF and reverses the byline.
    article.regions.add(places["syria"])
    before_update = revisions.snapshot(article)
    wire(tmp_path, "Talks in Baghdad end", "Talks ended; the SDF left.", authors=["Adam Brook", "Zeina Khalil"])
    report = run(path)

    assert report.summary() == "imported 0, updated 1, unchanged 0, held 0, duplicates 0, failed 0"
    article.refresh_from_db()
    assert (article.headline, article.version, article.imported_version) == ("Talks in Baghdad end", 2, 2)
    assert history(article) == [
        (1, R.APPLIED, None, "as first recorded"),
        (2, R.APPLIED, None, f"Imported update from {path}"),
    ]
    first, second = article.revisions.order_by("number")
    assert first.content == before_update != before  # the state it had before the update, desk's tag included
    assert second.content == revisions.snapshot(article)  # exactly what the article now holds, same shape
    assert second.content["headline"] == "Talks in Baghdad end"
    adam, zeina = (Author.objects.get(display_name=name).pk for name in ("Adam Brook", "Zeina Khalil"))
    assert second.content["authors"] == [adam, zeina]  # byline order, as the input gives it
    assert second.content["regions"] == sorted([places["baghdad"].pk, places["syria"].pk])
    assert second.content["actors"] == [actors["sdf"].pk]


def test_a_story_with_revisions_gets_no_second_first_version(places, actors, tmp_path, editor, publisher):
    path = wire(tmp_path)
    run(path, status="published")
    article = Article.objects.get()
    editing.save_edit(article.pk, {"standfirst": "Desk standfirst"}, by=editor, base_version=1)
    workflow.publish_update(article, by=publisher)
    wire(tmp_path, "Talks resume")
    run(path)  # held as the pending update: the desk has edited the live story
    workflow.publish_update(article, by=publisher)  # the desk takes the wire's update
    wire(tmp_path, "Talks resume in Baghdad")
    report = run(path)
    article.refresh_from_db()
    # The live story is the importer's version again: the next change is written in place.
    assert (report.updated, report.held, article.headline) == (1, 0, "Talks resume in Baghdad")
    assert [(n, state, by) for n, state, by, _note in history(article)] == [
        (1, R.APPLIED, None),
        (2, R.APPLIED, editor.pk),  # went live through "Publish update"
        (3, R.APPLIED, None),
        (4, R.APPLIED, None),
    ]
    assert article.revisions.get(number=4).content == revisions.snapshot(article)


def test_history_lists_the_imported_version_and_compares_it(client, editor, places, actors, tmp_path):
    path = wire(tmp_path)
    run(path)
    wire(tmp_path, "Talks in Baghdad end", "Talks ended in Baghdad.")
    run(path)
    article = Article.objects.get()
    client.force_login(editor)
    page = client.get(reverse("admin:articles_article_history", args=[article.pk])).content.decode()
    assert page.count('name="from"') == 2 and "as first recorded" in page
    assert f"Imported update from {path}" in page
    compare = client.get(reverse("admin:articles_article_compare", args=[article.pk]), {"from": 1, "to": 2})
    text = compare.content.decode()
    assert "Talks in Baghdad <ins>end</ins>" in text
    assert "Talks <del>began</del> <ins>ended</ins> in Baghdad." in text


def _updates(tmp_path, count, headline):
    return write_jsonl(
        tmp_path / "updates.jsonl",
        [
            {
                "source_id": f"s-{n}",
                "headline": f"{headline} {n} from Baghdad",
                "body": f"Story {n}: the SDF and ISIS in Deir ez-Zor.",
                "authors": [f"Writer {n % 3}"],
                "section": "World > Iraq",
            }
            for n in range(count)
        ],
    )


def test_a_batch_of_updates_costs_the_same_queries_for_few_or_many_stories(places, actors, tmp_path):
    counts = {}
    for size in (5, 30):  # (at most 30: SQLite splits inserts of more rows than its parameter limit)
        run(_updates(tmp_path, size, "Story"), batch_size=100, source=f"run-{size}")
        path = _updates(tmp_path, size, "Changed story")
        with CaptureQueriesContext(connection) as queries:
            report = run(path, batch_size=100, source=f"run-{size}")
        assert report.updated == size
        counts[size] = len(queries)
        assert ArticleRevision.objects.filter(article__source=f"run-{size}").count() == 2 * size
    # Per run: the gazetteer stamp, 4 vocabulary lookups, sections and authors once (6 + 2); per batch: the
    # existing keys, savepoint, the changed rows locked and read with their revisions' state, their authors,
    # regions, actors and chosen related stories (5), the rejected tags, the update, the revisions, the region,
    # actor and author links (3), the input's record, release (14). Before revisions: 17 (one byline read, no
    # rows, tags or revisions); before the desk chose related stories: 21.
    assert counts[5] == counts[30] == 22


# -- scope B: the desk's work is never overwritten ------------------------------------------------------


def _live_story_edited_by_the_desk(tmp_path, editor, publisher):
    """A story imported as published whose headline the desk changed and put live."""
    path = wire(tmp_path)
    run(path, status="published")
    article = Article.objects.get()
    editing.save_edit(article.pk, {"headline": "Desk headline"}, by=editor, base_version=1)
    workflow.publish_update(article, by=publisher)
    article.refresh_from_db()
    assert (article.headline, article.version) == ("Desk headline", 2)
    return path, article


def test_a_desk_edit_stays_live_and_the_wire_update_waits_as_the_pending_update(
    client, places, actors, tmp_path, editor, publisher
):
    path, article = _live_story_edited_by_the_desk(tmp_path, editor, publisher)
    wire(tmp_path, "Talks in Baghdad end", "Talks ended; the SDF left.")
    report = run(path)

    assert report.summary() == "imported 0, updated 0, unchanged 0, held 1, duplicates 0, failed 0"
    assert report.held_stories == [(f"{path} entry 1", DESK_EDITED)]
    article.refresh_from_db()
    assert (article.headline, article.body) == ("Desk headline", "<p>Talks began in Baghdad.</p>")
    assert list(Article.objects.published()) == [article]
    pending = revisions.pending_revision(article)
    assert (pending.number, pending.created_by, article.version) == (3, None, 3)
    assert pending.note == f"Imported update from {path}, held: {DESK_EDITED}"
    assert pending.content["body"] == "<p>Talks ended; the SDF left.</p>"
    client.force_login(publisher)
    form = client.get(reverse("admin:articles_article_change", args=[article.pk])).content.decode()
    assert "You are editing the pending update (version 3, saved by the importer at" in form
    assert 'value="Talks in Baghdad end"' in form  # the desk reviews the wire's text in the form

    workflow.publish_update(article, by=publisher)
    article.refresh_from_db()
    assert (article.headline, article.body) == ("Talks in Baghdad end", "<p>Talks ended; the SDF left.</p>")
    assert list(article.actors.all()) == [actors["sdf"]]
    assert revisions.pending_revision(article) is None


def test_a_pending_desk_update_is_kept_and_the_wire_update_is_recorded_beside_it(
    places, actors, tmp_path, editor, publisher
):
    path = wire(tmp_path)
    run(path, status="published")
    article = Article.objects.get()
    editing.save_edit(article.pk, {"headline": "Desk headline"}, by=editor, base_version=1)
    wire(tmp_path, "Talks in Baghdad end", "Talks ended in Baghdad.")
    report = run(path)

    assert (report.updated, report.held, report.held_stories) == (0, 1, [(f"{path} entry 1", DESK_PENDING)])
    article.refresh_from_db()
    assert (article.headline, article.version) == ("Talks in Baghdad", 3)  # readers still see the import's text
    assert history(article) == [
        (1, R.APPLIED, None, "as first recorded"),
        (2, R.PENDING, editor.pk, ""),  # the desk's update, still the one waiting
        (3, R.HELD, None, f"Imported update from {path}, held: {DESK_PENDING}"),
    ]
    assert article.revisions.get(number=3).content["headline"] == "Talks in Baghdad end"
    workflow.publish_update(article, by=publisher)
    article.refresh_from_db()
    assert article.headline == "Desk headline"

    # Nothing is lost: the wire's version can be brought back (on a live story, as the pending update).
    result = editing.restore_revision(article.pk, 3, by=editor)
    assert result.pending and result.revision.content["body"] == "<p>Talks ended in Baghdad.</p>"


def test_a_draft_edited_by_the_desk_keeps_its_text_and_the_wire_update_can_be_restored(
    places, actors, tmp_path, editor
):
    path = wire(tmp_path)
    run(path)
    article = Article.objects.get()
    editing.save_edit(article.pk, {"headline": "Desk headline"}, by=editor, base_version=1)
    wire(tmp_path, "Talks in Baghdad end", "Talks ended in Baghdad.")
    report = run(path)

    assert report.held_stories == [(f"{path} entry 1", DESK_EDITED)]
    article.refresh_from_db()
    assert (article.headline, article.body, article.version) == ("Desk headline", "<p>Talks began in Baghdad.</p>", 3)
    assert revisions.pending_revision(article) is None  # a draft has no pending update: it is on file instead
    assert article.revisions.get(number=3).state == R.HELD
    editing.restore_revision(article.pk, 3, by=editor)
    article.refresh_from_db()
    assert (article.headline, article.body) == ("Talks in Baghdad end", "<p>Talks ended in Baghdad.</p>")


def test_an_untouched_live_story_is_updated_live(places, actors, tmp_path):
    path = wire(tmp_path)
    run(path, status="published")
    wire(tmp_path, "Talks in Baghdad end")
    report = run(path)
    article = Article.objects.get()
    assert (report.updated, report.held, article.headline, article.status) == (
        1,
        0,
        "Talks in Baghdad end",
        "published",
    )
    assert list(article.revisions.values_list("number", "state")) == [(2, R.APPLIED), (1, R.APPLIED)]


def test_re_running_a_held_input_changes_nothing(places, actors, tmp_path, editor, publisher):
    path, article = _live_story_edited_by_the_desk(tmp_path, editor, publisher)
    wire(tmp_path, "Talks in Baghdad end")
    run(path)
    before = (history(Article.objects.get()), Article.objects.values().get())
    for options in ({}, {"workers": 2}):
        report = run(path, **options)
        assert report.summary() == "imported 0, updated 0, unchanged 1, held 0, duplicates 0, failed 0"
    assert (history(Article.objects.get()), Article.objects.values().get()) == before


def test_a_newer_wire_update_replaces_the_one_the_importer_left_pending(places, actors, tmp_path, editor, publisher):
    path, article = _live_story_edited_by_the_desk(tmp_path, editor, publisher)
    wire(tmp_path, "Talks in Baghdad end")
    run(path)
    wire(tmp_path, "Talks in Baghdad end in agreement")
    report = run(path)
    assert report.held_stories == [(f"{path} entry 1", DESK_EDITED)]
    article.refresh_from_db()
    assert article.headline == "Desk headline"
    assert [(n, state) for n, state, _by, _note in history(article)][-2:] == [(3, R.SUPERSEDED), (4, R.PENDING)]
    assert revisions.pending_revision(article).content["headline"] == "Talks in Baghdad end in agreement"


def test_a_desk_edit_of_the_wire_s_pending_update_is_the_desk_s_and_is_kept(
    places, actors, tmp_path, editor, publisher
):
    path, article = _live_story_edited_by_the_desk(tmp_path, editor, publisher)
    wire(tmp_path, "Talks in Baghdad end")
    run(path)
    editing.save_edit(article.pk, {"standfirst": "Desk standfirst"}, by=editor, base_version=3)
    wire(tmp_path, "Talks in Baghdad end in agreement")
    report = run(path)
    assert report.held_stories == [(f"{path} entry 1", DESK_PENDING)]
    pending = revisions.pending_revision(Article.objects.get())
    assert (pending.number, pending.created_by, pending.content["standfirst"]) == (4, editor, "Desk standfirst")


def test_held_stories_are_listed_after_the_summary(places, actors, tmp_path, editor, publisher):
    path, _article = _live_story_edited_by_the_desk(tmp_path, editor, publisher)
    wire(tmp_path, "Talks in Baghdad end")
    out = io.StringIO()
    call_command("import_articles", str(path), "--source", "Wire", stdout=out, stderr=io.StringIO())
    assert out.getvalue().splitlines() == [
        "imported 0, updated 0, unchanged 0, held 1, duplicates 0, failed 0",
        f"  held: {path} entry 1: {DESK_EDITED}",
    ]


def test_a_dry_run_says_what_would_be_held_and_writes_nothing(places, actors, tmp_path, editor, publisher):
    path, article = _live_story_edited_by_the_desk(tmp_path, editor, publisher)
    wire(tmp_path, "Talks in Baghdad end")
    report = run(path, dry_run=True)
    assert (report.held, report.held_stories) == (1, [(f"{path} entry 1", DESK_EDITED)])
    assert Article.objects.get().version == 2 and article.revisions.count() == 2


def test_a_story_the_importer_never_wrote_is_held(places, actors, tmp_path):
    # The desk typed it in with the wire's id before the wire's copy came: the import is no author of it.
    article = ArticleFactory(headline="Desk's story", source="Wire", source_id="w-1")
    report = run(wire(tmp_path))
    assert report.held_stories == [(f"{tmp_path / 'wire.jsonl'} entry 1", DESK_EDITED)]
    article.refresh_from_db()
    assert article.headline == "Desk's story"
    assert history(article)[0][:2] == (1, R.APPLIED)  # its state before the import, as first recorded


def test_the_migration_credits_the_importer_only_where_it_wrote_the_current_version(editor):
    imported = ArticleFactory(import_digest="a" * 40, version=3)
    edited = ArticleFactory(import_digest="b" * 40, version=2)
    ArticleRevision.objects.create(article=edited, number=2, content={}, created_by=editor)
    typed = ArticleFactory(version=2)
    Article.objects.update(imported_version=None)
    migration = importlib.import_module("articles.migrations.0016_import_revisions")
    migration.imported_versions(apps, None)
    found = dict(Article.objects.values_list("pk", "imported_version"))
    assert (found[imported.pk], found[edited.pk], found[typed.pk]) == (3, None, None)


@pytest.mark.django_db(transaction=True)
def test_an_import_waits_for_a_desk_save_in_progress_and_then_holds(on_postgres, places, actors, tmp_path, editor):
    """A desk save committing while the batch runs is seen (the batch locks and reads the rows), not overwritten."""
    path = wire(tmp_path)
    run(path)
    article = Article.objects.get()
    wire(tmp_path, "Talks in Baghdad end")
    locked, release, results = threading.Event(), threading.Event(), {}

    def desk():
        with transaction.atomic():
            editing.lock_for_edit(article.pk, editor, 1)
            locked.set()
            release.wait(timeout=30)
            editing.save_edit(article.pk, {"headline": "Desk headline"}, by=editor, base_version=1)
        connection.close()

    def importer():
        results["report"] = run(path)
        connection.close()

    saving = threading.Thread(target=desk)
    saving.start()
    assert locked.wait(timeout=30)
    importing = threading.Thread(target=importer)
    importing.start()
    importing.join(timeout=2)
    assert importing.is_alive()  # waiting for the desk's row lock
    release.set()
    saving.join(timeout=30)
    importing.join(timeout=30)
    assert results["report"].held_stories == [(f"{path} entry 1", DESK_EDITED)]
    assert Article.objects.get().headline == "Desk headline"


# -- who saved a version: the importer, a colleague, or nobody can tell ---------------------------------------


def _error(page):
    """The change form's refusal, as the editor reads it (tags and escapes gone)."""
    found = re.search(r'<ul class="errorlist nonfield">\s*<li>(.*?)</li>', page, re.S)
    return found and html.unescape(re.sub(r"<[^>]+>", "", found.group(1)))


@pytest.mark.parametrize(
    "language, sentence, importer",
    [
        ("en", "Not saved: the importer saved version 2 of this article at ", "the importer"),
        ("ar", "لم يُحفظ: حفظ أداة الاستيراد النسخة 2 من هذا المقال في ", "أداة الاستيراد"),
    ],
)
def test_a_desk_edit_that_loses_to_an_imported_update_names_the_importer(
    client, places, actors, tmp_path, editor, language, sentence, importer
):
    path = wire(tmp_path)
    run(path)
    article = Article.objects.get()
    client.force_login(editor)
    client.post("/i18n/setlang/", {"language": language, "next": "/admin/"})  # the admin's language menu
    url = reverse("admin:articles_article_change", args=[article.pk])
    assert client.get(url).status_code == 200  # the editor opens version 1
    opened = form_data(article, headline="Desk headline")
    wire(tmp_path, "Talks in Baghdad end")
    assert run(path).updated == 1  # meanwhile the wire's update is written in place as version 2

    refused = client.post(url, opened)
    assert refused.status_code == 200
    message = _error(refused.content.decode())
    assert message.startswith(sentence), message
    assert "someone" not in message and "شخص آخر" not in message
    assert 'value="Desk headline"' in refused.content.decode()  # the editor's text is kept
    article.refresh_from_db()
    assert (article.headline, article.version) == ("Talks in Baghdad end", 2)

    # History and the comparison name the importer for both versions it wrote (the first as first recorded).
    page = client.get(reverse("admin:articles_article_history", args=[article.pk])).content.decode()
    assert re.findall(r"<td>(?:\d+-\d+-\d+ [^<]*)</td>\s*<td>([^<]*)</td>", page) == [importer, importer]
    compare = client.get(reverse("admin:articles_article_compare", args=[article.pk]), {"from": 1, "to": 2})
    assert compare.content.decode().count(f"({importer}") == 2


def test_only_an_imports_revisions_and_the_state_it_wrote_are_the_importers(places, actors, tmp_path, editor):
    path = wire(tmp_path)
    run(path)
    imported = Article.objects.get()
    editing.save_edit(imported.pk, {"headline": "Desk headline"}, by=editor, base_version=1)
    wire(tmp_path, "Talks in Baghdad end")
    run(path)  # held: the desk has edited the draft
    typed = ArticleFactory(headline="Typed by the desk", created_by=editor)
    editing.save_edit(typed.pk, {"headline": "Typed and edited"}, by=editor, base_version=typed.version)

    def saved_by(article):
        return [(r.number, r.by_importer, r.saved_by) for r in article.revisions.order_by("number")]

    assert saved_by(imported) == [(1, True, "the importer"), (2, False, "editor"), (3, True, "the importer")]
    # A story nobody imported: who wrote its first recorded state is not known.
    assert saved_by(typed) == [(1, False, ""), (2, False, "editor")]


def test_a_revision_whose_author_left_is_someones_not_the_importers(client, editor, publisher):
    colleague = UserFactory(username="leaver", is_staff=True)
    colleague.groups.set(editor.groups.all())
    article = ArticleFactory(headline="Original", created_by=editor)
    editing.save_edit(article.pk, {"headline": "Leaver's version"}, by=colleague, base_version=1)
    colleague.delete()
    with pytest.raises(editing.StaleEdit) as refused:
        editing.save_edit(article.pk, {"headline": "Editor's version"}, by=editor, base_version=1)
    assert str(refused.value).startswith("Not saved: someone saved version 2 of this article at ")
    client.force_login(editor)
    page = client.get(reverse("admin:articles_article_history", args=[article.pk])).content.decode()
    assert re.findall(r"<td>(?:\d+-\d+-\d+ [^<]*)</td>\s*<td>([^<]*)</td>", page) == ["—", "—"]
    assert "the importer" not in page


def test_a_pending_update_whose_author_left_is_not_credited_to_the_importer(client, editor, publisher):
    colleague = UserFactory(username="leaver", is_staff=True)
    colleague.groups.set(editor.groups.all())
    article = story(headline="Live story", created_by=editor)
    editing.save_edit(article.pk, {"headline": "Pending headline"}, by=colleague, base_version=1)
    colleague.delete()
    client.force_login(publisher)
    form = client.get(reverse("admin:articles_article_change", args=[article.pk])).content.decode()
    assert "You are editing the pending update (version 2, saved by someone at" in form


def test_a_revision_cannot_be_both_a_persons_and_the_importers(editor):
    article = ArticleFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        ArticleRevision.objects.create(article=article, number=1, content={}, created_by=editor, by_importer=True)


def test_the_migration_credits_the_importer_with_the_revisions_only_an_import_writes(editor):
    def revision(article, number, note="", **fields):
        return ArticleRevision.objects.create(article=article, number=number, content={}, note=note, **fields)

    # Imported, updated in place, then edited by the desk: every revision but the desk's is the importer's.
    wire_story = ArticleFactory(import_digest="a" * 40, version=3, imported_version=2)
    revision(wire_story, 1, "as first recorded")
    revision(wire_story, 2, "Imported update from wire.jsonl")
    revision(wire_story, 3, created_by=editor)
    # Edited by the desk right after its import (the first state is the import's), then a held update in Arabic.
    held = ArticleFactory(import_digest="b" * 40, version=3, imported_version=1)
    revision(held, 1, "كما سُجِّلت أول مرة")
    revision(held, 2, created_by=editor)
    revision(held, 3, "تحديث مستورد من wire.jsonl، مُعلَّق: عدّله المحرر", state=R.HELD)
    # Edited before revisions were kept, then an import held (and later published) as the pending update.
    older = ArticleFactory(import_digest="c" * 40, version=3, imported_version=3)
    revision(older, 2, "as first recorded")
    revision(older, 3, f"Imported update from wire.jsonl, held: {DESK_EDITED}")
    # Typed by the desk; a later save by a colleague since deleted.
    typed = ArticleFactory(version=2)
    revision(typed, 1, "as first recorded")
    revision(typed, 2)
    ArticleRevision.objects.update(by_importer=False)

    migration = importlib.import_module("articles.migrations.0021_revision_by_importer")
    migration.credit_the_importer(apps, None)
    credited = {
        (article, number): by_importer
        for article, number, by_importer in ArticleRevision.objects.values_list("article", "number", "by_importer")
    }
    assert [credited[wire_story.pk, n] for n in (1, 2, 3)] == [True, True, False]
    assert [credited[held.pk, n] for n in (1, 2, 3)] == [True, False, True]
    assert [credited[older.pk, n] for n in (2, 3)] == [False, True]
    assert [credited[typed.pk, n] for n in (1, 2)] == [False, False]
