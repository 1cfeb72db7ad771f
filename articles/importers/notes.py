"""The public notes of imported stories: the corrections and live updates a story's input gives, added in bulk.

A story's notes (`Story.corrections`, `Story.live_updates`) are public notes on it, not its content: they are not in its
import digest nor in its revisions, and an import only ever adds them. For every story of a batch that carries notes,
whatever else happens to it (new, updated in place, unchanged, or held for the desk: a note is public at once, like one
the desk posts, and a held story's text waits for the desk but its published corrections do not), the notes the stored
story lacks are written: a correction is the same when its kind, text and time are, a live update when its time and text
are (the title and the byline are the desk's to change), or its time alone once the desk has corrected it
(`workflow.edit_live_update`: the input may hold the words it replaced). A removed update
(`workflow.remove_live_update`) still counts as stored, so an input never brings it back. Nothing is ever deleted, so
what the desk added stays, and the same input run again adds nothing. A story known from the record of its unchanged
input (`records`) is not parsed, so its notes are not looked at again: they were added when the input was recorded, and
one the desk has deleted since comes back only once the input changes (then it is parsed).

Per batch, at most six queries whatever the number of stories or notes (none when no story of the batch carries notes),
and two more when live updates are added: the stored stories' corrections and live updates (one query each, only for
stored stories that carry some), the new corrections (`bulk_create`, then one update giving them the input's times:
`Correction.created_at` is `auto_now_add`, which a bulk insert stamps with the present), the new live updates, one
update of the stories' times, and the search documents of the stories given updates, which take in the updates' words
(`refresh_search`: the stories' texts, then their documents, 500 stories at a time) (an update's byline names its author
as a story's byline does, found by name or created: the pipeline's author lookups, only for a batch whose new updates
carry bylines) (an update's picture is added to the library as a lead picture is, only for an update being added:
`pictures.attach_to_updates`, one query and the new files) (Django splits an insert or update into more statements past
the database's parameter limit: on SQLite, about 200 notes). On PostgreSQL's COPY path the notes go in with binary COPY
(`pgcopy.copy_objects`), one query each, times as given. The stories' times follow their notes as the workflow's own
moves make them (`workflow.correct`, `workflow.post_live_update`): `last_live_update_at` becomes the newest live
update's time (never earlier than it was), and the "Updated" time of a published story (`last_published_at`) the newest
note's time, never earlier than it was, or, for a story this batch publishes, than its first publication (which
`publish_imported` also gives as its "Updated" time: being imported is no update).
"""

from functools import partial

from django.db import transaction
from django.db.models import Case, F, OuterRef, Q, Subquery, When
from django.db.models.functions import Coalesce, Greatest

from articles import caching
from articles.importers import pgcopy
from articles.models import Article, Correction, LiveUpdate

CORRECTION_FIELDS = ("article", "kind", "text", "created_at")
LIVE_UPDATE_FIELDS = ("article", "posted_at", "title", "text", "author", "image", "search_words")


def lacking(carriers, stored):
    """(corrections, live updates): unsaved `Correction` and `LiveUpdate` objects for the notes of `carriers`
    ((article id, Story) pairs; the id is None for a story a dry run would create) that the stories lack.
    `stored` are the ids of the stories stored before this batch (the only ones that can have notes)."""
    with_corrections = [pk for pk, story in carriers if pk in stored and story.corrections]
    with_updates = [pk for pk, story in carriers if pk in stored and story.live_updates]
    have_corrections, have_updates, corrected = set(), set(), set()
    if with_corrections:
        rows = Correction.objects.filter(article_id__in=with_corrections).order_by()
        have_corrections = set(rows.values_list("article_id", "kind", "text", "created_at"))  # (id, *key)
    if with_updates:
        rows = LiveUpdate.objects.filter(article_id__in=with_updates).order_by()
        for pk, posted, text, edited in rows.values_list("article_id", "posted_at", "text", "edited_at"):
            have_updates.add((pk, posted, text))  # (id, *key)
            if edited is not None:
                # The desk corrected it: the input may hold its words from before, so its time alone tells it.
                corrected.add((pk, posted))
    corrections = [
        Correction(article_id=pk, kind=note.kind, text=note.text, created_at=note.created_at)
        for pk, story in carriers
        for note in story.corrections
        if (pk, *note.key) not in have_corrections
    ]
    updates = []
    for pk, story in carriers:
        for note in story.live_updates:
            if (pk, *note.key) not in have_updates and (pk, note.posted_at) not in corrected:
                update = LiveUpdate(article_id=pk, posted_at=note.posted_at, title=note.title, text=note.text)
                update.byline = note.author  # a name: the pipeline finds or creates its author (`author_id`)
                update.picture, update.story = note.picture, story  # the pipeline adds the picture (`image`)
                updates.append(update)
    return corrections, updates


def write(corrections, updates, created, copy=False):
    """Write the notes `lacking` found and bring their stories' times up to them (see the module docstring);
    `created` are the ids of the stories this batch created, `copy` writes with COPY (PostgreSQL)."""
    if copy:
        pgcopy.copy_objects(Correction, corrections, CORRECTION_FIELDS)
        words = LiveUpdate._meta.get_field("search_words")
        for update in updates:  # COPY writes fields as they are: no pre_save folds the words (bulk_create's does)
            update.search_words = words.words_of(update)
        pgcopy.copy_objects(LiveUpdate, updates, LIVE_UPDATE_FIELDS)
    else:
        if corrections:
            times = [note.created_at for note in corrections]
            Correction.objects.bulk_create(corrections)
            for note, moment in zip(corrections, times, strict=True):
                note.created_at = moment
            Correction.objects.bulk_update(corrections, ["created_at"])
        if updates:
            LiveUpdate.objects.bulk_create(updates)
    touched = {note.article_id for note in (*corrections, *updates)}
    if not touched:
        return
    _follow_notes(touched, created)
    if updates:
        # Their search documents take in the new updates' words (SearchDocument reads them as it rewrites).
        Article.objects.filter(pk__in={note.article_id for note in updates}).refresh_search()
    # Their pages, and every listing (the corrections pages, the "Live" labels), as a workflow move purges them.
    transaction.on_commit(partial(caching.purge_stories, *touched))


def _newest(notes, column):
    newest = notes.filter(article=OuterRef("pk")).order_by(f"-{column}").values(column)[:1]
    return Subquery(newest)


def _follow_notes(touched, created):
    """One update: the stories `touched` take the times of their newest notes (see the module docstring)."""
    correction, update = _newest(Correction.objects, "created_at"), _newest(LiveUpdate.objects.shown(), "posted_at")
    # GREATEST of a NULL is NULL on SQLite and the other value on PostgreSQL: no NULL is ever given to it.
    note = Greatest(Coalesce(correction, update), Coalesce(update, correction))
    published = [When(last_published_at__isnull=True, then=F("last_published_at"))]
    new = [pk for pk in touched if pk in created]
    if new:
        published.append(When(Q(pk__in=new), then=Greatest(F("first_published_at"), note)))
    live = F("last_live_update_at")
    Article.objects.filter(pk__in=touched).update(
        last_live_update_at=Greatest(Coalesce(live, update), Coalesce(update, live)),
        last_published_at=Case(*published, default=Greatest(F("last_published_at"), note)),
    )
