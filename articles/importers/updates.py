"""Imported changes to stories already stored: written in place, or held for the desk; a revision each.

The importer owns a story until the desk saves it. `Article.imported_version` is the version the importer
last wrote; any desk save (an edit, a pending update, a restore) moves `version` past it. A changed input
then meets one of these (`decide`):

- the desk has not saved the story since its last import and no update is pending: the import is written
  into the article (`IN_PLACE`), as before, and recorded as an applied revision;
- the desk has saved it and it is live: the live article is left alone and the import's content becomes
  its pending update (`PENDING`), which the desk reviews and puts live with "Publish update"; a pending
  update the importer itself left there earlier is replaced;
- the desk has saved it and it is not live (a draft, in review, withdrawn), or the desk's own update is
  pending: nothing of the story changes and the import's content is recorded as a `held` revision, which
  History lists and can compare and restore.

Held and pending stories are counted as `held` in the summary. A story's public corrections and live updates
are not its content and are never held: the ones its input gives that it lacks are added whatever happens
here (`notes`), as the desk's own are public at once. Either way the story's import digest takes
the input's, so a re-run of the same input finds it unchanged and holds nothing twice.

A revision's content is the article as the import leaves it, or would leave it: the fields the import writes
over the stored ones, the tags it adds to those the story has, its authors first and those the desk added
after them. A story without any revision first gets its state before the import recorded, as the desk's
first edit would do (`revisions.FIRST_RECORDED`). Every revision an import writes is `by_importer`, and so is
that first state when the importer wrote it. All of it in a fixed number of queries per batch.
"""

from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Subquery
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from articles import revisions
from articles.editing import is_live
from articles.models import Article, ArticleRevision

R = ArticleRevision.State

IN_PLACE, PENDING, HELD = "in place", "pending", "held"
DESK_EDITED = gettext_noop("edited by the desk since its last import")
DESK_PENDING = gettext_noop("a desk update is pending")

_NOTE_LENGTH = ArticleRevision._meta.get_field("note").max_length


@dataclass
class Stored:
    """A stored story a batch changes: the locked article, its content and what the desk did with it."""

    article: Article
    content: dict

    @property
    def own_pending(self):
        """True when the pending update is the one the importer left (the desk's saves number past it)."""
        pending = self.article.pending_number
        return pending is not None and pending == self.article.imported_version


def read(pks, lock=True):
    """{pk: Stored} of the articles `pks`, rows locked for the batch's transaction when `lock` (five
    queries: the rows with their pending revision's number and whether they have any, then their relations)."""
    revisions_of = ArticleRevision.objects.filter(article=OuterRef("pk"))
    rows = (
        Article.objects.filter(pk__in=pks)
        .defer("search_document")
        .annotate(
            pending_number=Subquery(revisions_of.filter(state=R.PENDING).values("number")[:1]),
            has_revisions=Exists(revisions_of),
        )
        .order_by("pk")  # locks taken in one order by every batch
    )
    if lock:
        rows = rows.select_for_update(of=("self",))
    articles = list(rows)
    contents = revisions.snapshots(articles)
    return {article.pk: Stored(article, contents[article.pk]) for article in articles}


def decide(stored, now):
    """(IN_PLACE, PENDING or HELD, the reason it is held or "") for a changed input of a stored story."""
    article = stored.article
    if article.pending_number is not None and not stored.own_pending:
        return HELD, DESK_PENDING
    if stored.own_pending or article.imported_version != article.version:
        return (PENDING if is_live(article, now) else HELD), DESK_EDITED
    return IN_PLACE, ""


def content_after(stored, article, fields, authors, regions, actors):
    """The content of `stored` once the import's `article` (unsaved, with the input's values) is written over
    it: `fields` of the article, `authors` first (ids, input order) then the desk's others, tags added."""
    values = {name: getattr(article, f"{name}_id" if name in revisions.FOREIGN_KEYS else name) for name in fields}
    content = {**stored.content, **revisions.content_from_values(values)}
    given = dict.fromkeys(authors)
    content["authors"] = [*given, *(pk for pk in stored.content["authors"] if pk not in given)]
    content["regions"] = sorted(set(stored.content["regions"]) | set(regions))
    content["actors"] = sorted(set(stored.content["actors"]) | set(actors))
    return content


def note(outcome, input_name, reason=""):
    """The note of an imported update's revision, naming its input (and, when held, why)."""
    if outcome == IN_PLACE:
        text = _("Imported update from %(input)s") % {"input": input_name}
    else:
        text = _("Imported update from %(input)s, held: %(reason)s") % {"input": input_name, "reason": _(reason)}
    return text if len(text) <= _NOTE_LENGTH else text[: _NOTE_LENGTH - 1] + "…"


def record(changes, rows_held):
    """Write what the import did to stored stories: `changes` are (Stored, outcome, content, note) in the
    batch's order, `rows_held` the unsaved articles (pk, new version, digest, imported version) of the held
    and pending ones. Baselines for stories without revisions, the importer's pending updates replaced,
    then every revision: at most four queries, whatever their number."""
    if rows_held:
        Article.objects.bulk_update(rows_held, ["version", "import_digest", "imported_version"])
    replaced = [stored.article.pk for stored, outcome, _c, _n in changes if outcome != IN_PLACE and stored.own_pending]
    if replaced:
        ArticleRevision.objects.filter(article_id__in=replaced, state=R.PENDING).update(state=R.SUPERSEDED)
    states = {IN_PLACE: R.APPLIED, PENDING: R.PENDING, HELD: R.HELD}
    made = []
    for stored, outcome, content, text in changes:
        article = stored.article
        if not article.has_revisions:
            made.append(
                ArticleRevision(
                    article_id=article.pk,
                    number=article.version,
                    content=stored.content,
                    by_importer=revisions.imported_as_is(article),
                    note=str(revisions.FIRST_RECORDED),
                )
            )
        made.append(
            ArticleRevision(
                article_id=article.pk,
                number=article.version + 1,
                content=content,
                state=states[outcome],
                by_importer=True,
                note=text,
            )
        )
    ArticleRevision.objects.bulk_create(made)
