"""Saving an article's content: who may edit what, revisions, optimistic locking, pending updates.

    editing.create_article(article, content, by=reporter)              # new story, revision 1
    editing.save_edit(article.pk, content, by=editor, base_version=4)  # refused if someone saved version 5
    editing.restore_revision(article.pk, number=2, by=editor)          # old text back, as a new revision
    editing.give_dateline(article.pk, baghouz, by=editor, base_version=4)  # the desk accepts the wire's dateline

Every content save increments `Article.version` and keeps an `ArticleRevision`. Editing a story readers can
see never changes what they see: the edit is kept as the pending revision, which goes live only through
`workflow.publish_update`. Editing never changes an article's status (that is workflow.py's job).
"""

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from articles import revisions, tagging
from articles.models import Article, ArticleRevision, ArticleStatus, Region, RejectedSuggestion
from articles.workflow import is_own

S = ArticleStatus
R = ArticleRevision.State


class EditRefused(Exception):
    """The user may not save this article now; `str(error)` is a sentence to show them."""


class StaleEdit(EditRefused):
    """Someone saved the article after the editor loaded it; carries the revision that got in first."""

    def __init__(self, message, latest, base_version):
        super().__init__(message)
        self.latest = latest
        self.base_version = base_version


def is_live(article, now=None):
    """True when readers may be seeing the article's row (published, or scheduled and due)."""
    now = now or timezone.now()
    if article.status == S.PUBLISHED:
        return True
    return article.status == S.SCHEDULED and article.scheduled_for is not None and article.scheduled_for <= now


def may_edit(user, article):
    """True when `user` may save the content of `article` in its current state.

    Reporters edit their own drafts (sent-back ones included) and nothing else; editors and above edit any
    article that is not spiked; on a live story their edit becomes a pending update. Spiked stories are
    restored to draft first.
    """
    if user is None or not user.is_active or not user.has_perm("articles.change_article"):
        return False
    if article.status == S.SPIKED:
        return False
    if user.has_perm("articles.change_any_article"):
        return True
    return article.status == S.DRAFT and is_own(article, user)


def _refusal(article, user):
    """Why `user` may not edit `article` (`may_edit` said no): another reporter's draft is not theirs to edit,
    whatever its state; otherwise the state is the reason."""
    reporter = user is not None and user.is_active and not user.has_perm("articles.change_any_article")
    if article.status == S.DRAFT and reporter and not is_own(article, user):
        return EditRefused(_("This is another reporter's draft: only its reporter and the desk's editors may edit it."))
    return EditRefused(
        _("You cannot edit this article while it is %(status)s.") % {"status": article.get_status_display().lower()}
    )


def latest_revision(article):
    """The newest revision of `article`, with its author, or None."""
    return article.revisions.select_related("created_by").first()


def stale_message(latest, base_version, advice=None):
    """The sentences shown when a save is refused because `latest` was saved after `base_version`, naming who
    saved it (a colleague, the importer for an imported update, or "someone" when that is not known), then
    `advice`: what to do next, by default the story form's (the text typed is still there)."""
    who = latest.saved_by or _("someone")
    refused = _(
        "Not saved: %(who)s saved version %(number)s of this article at %(time)s, after you opened version %(base)s."
    ) % {
        "who": who,
        "number": latest.number,
        "time": timezone.localtime(latest.created_at).strftime("%Y-%m-%d %H:%M %Z"),
        "base": base_version,
    }
    advice = advice or _(
        "Your text is still in the form below; compare the versions, then save again to replace theirs with yours."
    )
    return f"{refused} {advice}"


def pending_notice(revision):
    """The sentence shown after a save that became the pending update `revision` of a live story."""
    return _(
        "Saved as a pending update (version %(number)s). Readers still see the published text until someone with "
        "publishing rights uses “Publish update”."
    ) % {"number": revision.number}


def lock_for_edit(pk, by, base_version):
    """Lock the article's row for the rest of the transaction and check that `by` may save over `base_version`.

    Raises EditRefused (not allowed in this state) or StaleEdit (someone saved since `base_version`); returns
    the locked article. Call inside `transaction.atomic()`.
    """
    locked = Article.objects.select_for_update().get(pk=pk)
    if not may_edit(by, locked):
        raise _refusal(locked, by)
    if base_version is None or int(base_version) != locked.version:
        latest = latest_revision(locked)
        if latest is None or base_version is None:
            raise EditRefused(_("This article changed since you opened it; reload it before saving."))
        raise StaleEdit(stale_message(latest, base_version), latest, base_version)
    return locked


def _record_baseline(locked):
    """Keep the article's state before its first recorded edit (stories imported or made before revisions)."""
    if not locked.revisions.exists():
        ArticleRevision.objects.create(
            article=locked,
            number=locked.version,
            content=revisions.snapshot(locked),
            created_by=None,
            by_importer=revisions.imported_as_is(locked),
            note=str(revisions.FIRST_RECORDED),
        )


def current_content(article):
    """The content an editor works on: the pending update if there is one, else the article's own."""
    pending = revisions.pending_revision(article)
    return pending.content if pending else revisions.snapshot(article)


@dataclass(frozen=True)
class SaveResult:
    """What a save did: the revision it kept, and whether that revision is waiting for "publish update"."""

    revision: ArticleRevision
    pending: bool


def _save_content(locked, content, by, note=""):
    _record_baseline(locked)
    content = {**current_content(locked), **revisions.content_from_values(content)}
    if problem := locked.language_problem(content.get("language")):
        raise EditRefused(problem)
    number = locked.version + 1
    # Whatever was pending is replaced by this save, live or not.
    locked.revisions.filter(state=R.PENDING).update(state=R.SUPERSEDED)
    pending = is_live(locked)
    if pending:
        Article.objects.filter(pk=locked.pk).update(version=number)
        locked.version = number
    else:
        revisions.apply_content(locked, content)
        locked.version = number
        locked.save()
        revisions.set_relations(locked, content)
    revision = ArticleRevision.objects.create(
        article=locked,
        number=number,
        content=content,
        state=R.PENDING if pending else R.APPLIED,
        created_by=by,
        note=note,
    )
    return SaveResult(revision, pending)


def save_edit(pk, content, by, base_version, note=""):
    """Save `content` (field values, as in `revisions.content_from_values`) over the article at `base_version`.

    Refuses with EditRefused or StaleEdit and changes nothing when the user may not edit the article now or
    someone saved it since `base_version`. On a live story the edit is kept as the pending revision and
    readers keep seeing the published text. Returns a SaveResult.
    """
    with transaction.atomic():
        locked = lock_for_edit(pk, by, base_version)
        return _save_content(locked, content, by, note)


def create_article(article, content, by):
    """Save a new article (an unsaved instance) with the relations in `content`, as revision 1 by `by`."""
    content = revisions.content_from_values(content)
    with transaction.atomic():
        revisions.apply_content(article, content)
        article.created_by = article.created_by or by
        article.version = 1
        article.save()
        revisions.set_relations(article, content)
        content = {**content, **revisions.snapshot(article)}
        revision = ArticleRevision.objects.create(article=article, number=1, content=content, created_by=by)
    return SaveResult(revision, False)


def restore_revision(pk, number, by):
    """Bring back the content of revision `number` as a new revision (nothing is lost); returns a SaveResult."""
    with transaction.atomic():
        locked = Article.objects.select_for_update().get(pk=pk)
        if not may_edit(by, locked):
            raise _refusal(locked, by)
        old = locked.revisions.filter(number=number).first()
        if old is None:
            raise EditRefused(_("There is no version %(number)s of this article.") % {"number": number})
        # A version saved before a field existed brings back the value every story then had (`complete`).
        content = revisions.complete(old.content)
        return _save_content(locked, content, by, note=_("restored version %(number)s") % {"number": number})


def _opening_place(content):
    """The gazetteer's place for the dateline `content`'s body opens with (`tagging.lead_dateline`), or None. No
    query unless the body opens with a dateline; then two at most."""
    name = tagging.lead_dateline(tagging.plain_text(content.get("body") or ""))
    return Region.objects.by_name(name) if name else None


def suggested_dateline(article, pending):
    """For the desk: the place the story's text opens with, as wire copy does ("BAGHOUZ, Syria (AFP) - …"), when
    the content the desk works on (`pending`, the article's pending revision as the change form read it, else
    the article's own) has no dateline place, the gazetteer knows the place and the desk has not declined it for
    this story (`decline_dateline`); else None."""
    content = pending.content if pending else {"body": article.body, "dateline_place": article.dateline_place_id}
    place = None if content.get("dateline_place") else _opening_place(content)
    if place is None or _declined(article.pk, place).exists():
        return None
    return place


def _declined(pk, place):
    return RejectedSuggestion.objects.filter(article_id=pk, region=place, as_dateline=True)


def give_dateline(pk, place, by, base_version):
    """Accept the suggested dateline: `place` becomes the story's dateline place, saved as an edit by `by` over
    `base_version` (a pending update on a live story), with its own revision.

    Refused as `save_edit` refuses; when the content already has a dateline place (someone picked one since the
    suggestion was shown: the desk's choice is never replaced); and when its opening does not name `place` (a
    forged post), so the revision's note is true. Returns a SaveResult.
    """
    with transaction.atomic():
        locked = lock_for_edit(pk, by, base_version)
        content = current_content(locked)
        if content.get("dateline_place"):
            raise EditRefused(_("This article already has a dateline; nothing was changed."))
        _check_opening(content, place)
        _declined(pk, place).delete()  # declined earlier, accepted now: the desk's latest word counts
        return _save_content(locked, {"dateline_place": place}, by, note=_("dateline read from the story's opening"))


def give_tag(pk, entry, by, base_version):
    """Accept a suggested place or actor: `entry` (a Region or an Actor) joins the tags of the content the desk works
    on, saved as an edit by `by` over `base_version` with its own revision, so on a live story it waits in the
    pending update for "Publish update" like any other change readers would see. A refusal of the suggestion is
    lifted. Refused as `save_edit` refuses. Returns a SaveResult, or None when the content has the tag already
    (nothing is saved)."""
    kind, name = ("region", "regions") if isinstance(entry, Region) else ("actor", "actors")
    with transaction.atomic():
        locked = lock_for_edit(pk, by, base_version)
        RejectedSuggestion.objects.filter(article=locked, as_dateline=False, **{kind: entry}).delete()
        tags = current_content(locked).get(name, [])
        if entry.pk in tags:
            return None
        note = _("tag accepted from the suggestions: %(entry)s") % {"entry": entry.name}
        return _save_content(locked, {name: [*tags, entry.pk]}, by, note=note)


def decline_dateline(pk, place, by):
    """Decline the suggested dateline: `place` is never suggested as the story's dateline again, nor given to it by
    an import or `retag_articles` reading its opening (the story may still be tagged with the place). The story's
    content does not change, so no revision: the refusal keeps who declined it and when.

    Refused, with EditRefused, to whoever may not edit the story, and when the content the desk works on does not
    open with `place` (a forged post). Declining twice keeps one refusal.
    """
    with transaction.atomic():
        locked = Article.objects.select_for_update().get(pk=pk)
        if not may_edit(by, locked):
            raise _refusal(locked, by)
        _check_opening(current_content(locked), place)
        RejectedSuggestion.objects.get_or_create(
            article=locked, region=place, as_dateline=True, defaults={"rejected_by": by}
        )


def _check_opening(content, place):
    opening = _opening_place(content)
    if opening is None or opening.pk != place.pk:
        raise EditRefused(_("The story does not open with that dateline; nothing was changed."))
