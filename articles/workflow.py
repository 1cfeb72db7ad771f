"""The editorial workflow: the ONLY code that changes an article's status.

Each move is a named action taking the article, the acting user and a note:

    workflow.submit(article, by=reporter)
    workflow.send_back(article, by=editor, note="Needs a second source")
    workflow.approve(article, by=editor)
    workflow.schedule(article, by=publisher, at=tomorrow_9am)
    workflow.publish(article, by=publisher)
    workflow.unpublish(article, by=publisher, note="Legal request")
    workflow.correct(article, by=publisher, note="An earlier version misspelt ...", kind="correction")
    workflow.spike(article, by=editor) / workflow.restore(article, by=editor)
    workflow.feature(article, by=publisher, until=tonight) / workflow.unfeature(article, by=publisher)
    workflow.post_live_update(article, by=publisher, text="Shelling resumed at dawn.", title="Shelling resumes")
    workflow.edit_live_update(update, by=publisher, text="Shelling resumed at 5am.", note="The time was wrong")
    workflow.remove_live_update(update, by=publisher, note="Posted on the wrong story")
    workflow.pin_live_update(update, by=publisher) / workflow.unpin_live_update(update, by=publisher)
    workflow.start_live_coverage(article, by=publisher) / workflow.end_live_coverage(article, by=publisher)

Every action runs in one transaction with the article's row locked, refuses a move that is not allowed
from the current state (`MoveNotAllowed`), by a user without the permission (`PermissionRefused`), without
a required note (`NoteRequired`) or before an embargo (`EmbargoInForce`), writes the change and exactly one
`ArticleEvent`, and announces it with the `article_moved` signal once the transaction commits.

`by=None` means the system itself (scheduled publishing, imports): trusted callers only, never a request.
"""

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from django.db import transaction
from django.utils import timezone
from django.utils.html import escape, format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from articles import embeds, revisions
from articles.images.usage import picture_problems, publication_problems
from articles.models import Article, ArticleEvent, ArticleStatus, Correction, LiveUpdate
from articles.models.fields import plain_text, sanitise_html
from articles.models.live import first_words
from articles.signals import article_moved

S = ArticleStatus
PRE_PUBLICATION = frozenset({S.DRAFT, S.SUBMITTED, S.APPROVED, S.SCHEDULED})


class WorkflowError(Exception):
    """A move was refused; `str(error)` is a sentence to show the user."""


class MoveNotAllowed(WorkflowError):
    """The move does not exist from the article's current state."""


class PermissionRefused(WorkflowError):
    """The user may not make this move on this article."""


class NoteRequired(WorkflowError):
    """The move needs a note (a reason the reporter or the readers will see)."""


class EmbargoInForce(WorkflowError):
    """The article's embargo has not passed yet."""


class PicturesIncomplete(WorkflowError):
    """A picture the story shows lacks its credit, copyright holder or alt text (articles/images/usage.py)."""


@dataclass(frozen=True)
class Move:
    """A named move: from which states, to which state (None: stays), with which permission."""

    name: str
    sources: frozenset
    target: str | None
    permission: str
    needs_note: bool = False
    label: str = ""  # what the desk's button says (translated when shown)
    # A fact about the article (a property name) that must hold as well, e.g. "is_featured" to take a story off
    # the front page: moves whose fact does not hold are neither offered nor allowed (`refusal` says why).
    requires: str = ""
    refusal: str = ""
    # A move on one live update of the story rather than on the story: the desk offers it beside each update, not
    # among the story's buttons, and it is made through its own address (articles/desk_admin.py).
    on_live_update: bool = False


MOVES = {
    move.name: move
    for move in (
        Move("submit", frozenset({S.DRAFT}), S.SUBMITTED, "submit_article", label=_lazy("Submit for editing")),
        Move("send_back", frozenset({S.SUBMITTED, S.APPROVED}), S.DRAFT, "send_back_article", True, _lazy("Send back")),
        Move("approve", frozenset({S.SUBMITTED}), S.APPROVED, "approve_article", label=_lazy("Approve")),
        Move(
            "schedule", frozenset({S.APPROVED, S.SCHEDULED}), S.SCHEDULED, "schedule_article", label=_lazy("Schedule")
        ),
        Move(
            "publish",
            frozenset({S.APPROVED, S.SCHEDULED, S.UNPUBLISHED}),
            S.PUBLISHED,
            "publish_article",
            label=_lazy("Publish"),
        ),
        Move("publish_update", frozenset({S.PUBLISHED}), None, "publish_article", label=_lazy("Publish update")),
        Move(
            "unpublish",
            frozenset({S.PUBLISHED, S.SCHEDULED}),
            S.UNPUBLISHED,
            "unpublish_article",
            True,
            _lazy("Unpublish"),
        ),
        Move("correct", frozenset({S.PUBLISHED}), None, "correct_article", True, _lazy("Add public correction")),
        Move(
            "spike",
            PRE_PUBLICATION,
            S.SPIKED,
            "spike_article",
            label=_lazy("Spike"),
            requires="may_spike",
            refusal=_lazy("Readers can see the story now: unpublish it, with a public reason, instead."),
        ),
        Move("restore", frozenset({S.SPIKED}), S.DRAFT, "spike_article", label=_lazy("Restore to draft")),
        Move(
            "feature",
            frozenset({S.PUBLISHED}),
            None,
            "feature_article",
            label=_lazy("Put at the top of the front page"),
        ),
        # The breaking-news banner is a front-page decision too, so it takes the same permission.
        Move(
            "mark_breaking",
            frozenset({S.PUBLISHED}),
            None,
            "feature_article",
            label=_lazy("Show as breaking news"),
        ),
        Move(
            "end_breaking",
            frozenset({S.PUBLISHED}),
            None,
            "feature_article",
            label=_lazy("End breaking news"),
            requires="is_breaking",
            refusal=_lazy("The story is not breaking news."),
        ),
        Move(
            "post_live_update",
            frozenset({S.PUBLISHED}),
            None,
            "post_live_update",
            label=_lazy("Post a live update"),
        ),
        # Who may put words live at once may also correct or take them down: the same permission.
        Move(
            "edit_live_update",
            frozenset({S.PUBLISHED}),
            None,
            "post_live_update",
            label=_lazy("Correct a live update"),
            on_live_update=True,
        ),
        Move(
            "remove_live_update",
            frozenset({S.PUBLISHED}),
            None,
            "post_live_update",
            needs_note=True,
            label=_lazy("Remove a live update"),
            on_live_update=True,
        ),
        Move(
            "pin_live_update",
            frozenset({S.PUBLISHED}),
            None,
            "post_live_update",
            label=_lazy("Pin a live update"),
            on_live_update=True,
        ),
        Move(
            "unpin_live_update",
            frozenset({S.PUBLISHED}),
            None,
            "post_live_update",
            label=_lazy("Unpin a live update"),
            on_live_update=True,
        ),
        Move(
            "start_live_coverage",
            frozenset({S.PUBLISHED}),
            None,
            "post_live_update",
            label=_lazy("Start live coverage"),
            requires="may_start_live",
            refusal=_lazy("The story is live already."),
        ),
        Move(
            "end_live_coverage",
            frozenset({S.PUBLISHED}),
            None,
            "post_live_update",
            label=_lazy("End live coverage"),
            requires="is_live",
            refusal=_lazy("The story is not live."),
        ),
        Move(
            "unfeature",
            frozenset({S.PUBLISHED}),
            None,
            "feature_article",
            label=_lazy("Take off the top of the front page"),
            requires="is_featured",
            refusal=_lazy("The story is not at the top of the front page."),
        ),
    )
}


def is_own(article, user):
    """True when `user` created the article or is one of its authors."""
    if article.created_by_id == user.pk:
        return True
    return article.authors.filter(user=user).exists()


def may(user, move, article):
    """True when `user` holds the permission for `move` on `article` (ignores the article's state)."""
    if user is None:
        return True
    if not user.is_active or not user.has_perm(f"articles.{move.permission}"):
        return False
    if move.name == "submit" and not user.has_perm("articles.change_any_article"):
        return is_own(article, user)
    return True


def available_moves(article, user):
    """The moves on the story itself that `user` may make on `article` right now, in display order."""
    return [m for m in MOVES.values() if not m.on_live_update and _possible(article, m) and may(user, m, article)]


def _possible(article, move):
    return article.status in move.sources and (not move.requires or getattr(article, move.requires))


def _check(article, user, move, note, now):
    if article.status not in move.sources:
        raise MoveNotAllowed(
            _("“%(move)s” is not possible on an article that is %(status)s.")
            % {"move": move.label or move.name, "status": article.get_status_display().lower()}
        )
    if not _possible(article, move):
        raise MoveNotAllowed(str(move.refusal))
    if not may(user, move, article):
        raise PermissionRefused(
            _("You do not have permission for “%(move)s” on this article.") % {"move": move.label or move.name}
        )
    if move.needs_note and not (note or "").strip():
        raise NoteRequired(_("“%(move)s” needs a note saying why.") % {"move": move.label or move.name})
    if move.target == S.PUBLISHED and article.embargo_until and article.embargo_until > now:
        raise EmbargoInForce(
            _("Embargoed until %(time)s: it cannot be published before then.")
            % {"time": timezone.localtime(article.embargo_until).strftime("%Y-%m-%d %H:%M %Z")}
        )
    # Pictures: a person putting a story live must have credited every picture it shows (an update's pictures are
    # those of the version going live: `publish_update` checks them).
    going_live = move.target in (S.PUBLISHED, S.SCHEDULED)
    if user is not None and going_live:
        _check_pictures(article)


def _check_pictures(article):
    if problems := publication_problems(article):
        raise PicturesIncomplete(" ".join(problems))


def _announce(article, event, move):
    transaction.on_commit(lambda: article_moved.send(sender=Article, article=article, event=event, move=move.name))


def _perform(article, by, name, note="", changes=None, check=None, trail=None):
    """Lock, check, change, record one event, announce on commit; return the refreshed article.

    `trail`, when given, is called once the changes are made; what it returns is recorded in the event after
    the note (what the move replaced, which only the locked transaction can read truly)."""
    move = MOVES[name]
    now = timezone.now()
    with transaction.atomic():
        locked = Article.objects.select_for_update().get(pk=article.pk)
        _check(locked, by, move, note, now)
        if check:
            check(locked, now)
        from_status = locked.status
        fields = dict(changes(locked, now) if changes else {})
        if move.target:
            fields["status"] = move.target
        for attr, value in fields.items():
            setattr(locked, attr, value)
        locked.save(update_fields=[*fields, "updated_at"])
        event = ArticleEvent.objects.create(
            article=locked,
            action=name,
            from_status=from_status,
            to_status=locked.status,
            actor=by,
            note="\n".join(filter(None, [(note or "").strip(), trail() if trail else ""])),
        )
        _announce(locked, event, move)
    # Hand the caller the fresh state, so code holding `article` sees what was written.
    for attr, value in fields.items():
        setattr(article, attr, value)
    article.updated_at = locked.updated_at
    return locked


def submit(article, by, note=""):
    """Reporter hands a draft to the desk."""
    return _perform(article, by, "submit", note)


def send_back(article, by, note):
    """Editor returns a submitted or approved story to its reporter, with the reason they will see."""
    return _perform(article, by, "send_back", note, changes=lambda a, now: {"scheduled_for": None})


def approve(article, by, note=""):
    """Editor marks a submitted story ready for publication."""
    return _perform(article, by, "approve", note)


def schedule(article, by, at, note=""):
    """Publisher sets the time the story goes live (readers see it from then, cron or not)."""

    def check(locked, now):
        if at <= now:
            raise WorkflowError(_("Choose a time in the future, or publish now."))
        if locked.embargo_until and at < locked.embargo_until:
            raise EmbargoInForce(_("The scheduled time is before the embargo ends."))

    return _perform(article, by, "schedule", note, changes=lambda a, now: {"scheduled_for": at}, check=check)


def _publication_times(locked, now):
    first = locked.first_published_at
    if first is None:
        # A scheduled story went public at its scheduled time, whenever this runs; a first publication is no
        # update, so a late run of publish_scheduled does not make the story say "Updated" at the run's time.
        first = last = min(locked.scheduled_for, now) if locked.scheduled_for else now
    else:
        last = max(first, now)  # published again: its public version changed now
    # A story unpublished while it was breaking news keeps its time (so the pages showing its banner are purged
    # when it goes, articles/receivers.py); published again, it is not breaking news again by itself.
    return {
        "first_published_at": first,
        "last_published_at": last,
        "withdrawal_reason": "",
        "breaking_until": None,
    }


def publish(article, by, note=""):
    """Publisher puts the story live now (never before its embargo)."""
    return _perform(article, by, "publish", note, changes=_publication_times)


def publish_update(article, by, note=""):
    """Publisher puts the pending edit of a published story live (if there is one) and marks it updated.

    The pending revision (see articles/editing.py) is written into the article row in this move's
    transaction; without one, the move only marks the story as updated now.
    """

    def check(locked, now):
        pending = revisions.pending_revision(locked)
        embargo = pending and pending.content.get("embargo_until")
        if embargo and datetime.fromisoformat(embargo) > now:
            raise EmbargoInForce(_("The update sets an embargo that has not passed yet."))
        if pending and (problem := locked.language_problem(pending.content.get("language"))):
            raise WorkflowError(problem)
        # What goes live is the pending edit when there is one, so its pictures are the ones to check.
        if by is not None:
            _check_pictures(revisions.in_memory(locked, pending.content) if pending else locked)

    def changes(locked, now):
        language = locked.language
        fields = {**revisions.apply_pending(locked), "last_published_at": now}
        if locked.language != language:
            # Breaking news and the top of the front page are one edition's: a story moving to the other edition
            # leaves them, so that edition never holds two breaking stories (`mark_breaking` allows one).
            fields |= {"breaking_until": None, "featured_until": None}
        return fields

    return _perform(article, by, "publish_update", note, changes=changes, check=check)


def unpublish(article, by, note):
    """Publisher withdraws the story; its address answers 410 Gone with `note` as the public reason."""

    def changes(locked, now):
        # A story public by its schedule until now was published at that time, though no cron run wrote it:
        # its address must answer 410 with the reason, where one never public answers 404 (`views.gone`).
        first = locked.first_published_at
        if first is None and Article.objects.published(now).filter(pk=locked.pk).exists():
            first = locked.scheduled_for
        # A story published again later does not lead the front page again by itself.
        return {
            "withdrawal_reason": note.strip(),
            "first_published_at": first,
            "scheduled_for": None,
            "featured_until": None,
        }

    return _perform(article, by, "unpublish", note, changes=changes)


def correct(article, by, note, kind=Correction.Kind.CORRECTION):
    """Publisher adds a public correction (or clarification, update, retraction) to a published story."""
    if kind not in Correction.Kind.values:
        raise WorkflowError(_("Unknown kind of correction: %(kind)s") % {"kind": kind})

    def changes(locked, now):
        Correction.objects.create(article=locked, kind=kind, text=note.strip(), created_by=by)
        return {"last_published_at": now}

    return _perform(article, by, "correct", note, changes=changes)


def feature(article, by, until, note=""):
    """Publisher puts a live story among the front page's top stories, above newer ones, until `until`.

    Featuring it again moves the time; the story drops back into its place by date when the time passes."""

    def check(locked, now):
        if until <= now:
            raise WorkflowError(_("Choose a time in the future for the story to leave the top of the front page."))

    return _perform(article, by, "feature", note, changes=lambda a, now: {"featured_until": until}, check=check)


def unfeature(article, by, note=""):
    """Publisher takes a story off the top of the front page before its time is up."""
    return _perform(article, by, "unfeature", note, changes=lambda a, now: {"featured_until": None})


# How long a story may stay in the breaking-news banner at most: past that it is no longer breaking news.
BREAKING_LONGEST = timedelta(hours=48)
# The first key of the advisory lock that marking breaking news takes per edition (any number no other lock of
# the project uses; the second key is the edition's language).
BREAKING_LOCK = 7301


def mark_breaking(article, by, until, note=""):
    """Publisher shows a live story as breaking news until `until` (at most BREAKING_LONGEST ahead): a banner on
    every page of its edition links to it. One story per edition at a time: another must be ended first."""

    def check(locked, now):
        _one_breaking_mark_at_a_time(locked.language)
        if until <= now:
            raise WorkflowError(_("Choose a time in the future for the breaking-news banner to end."))
        if until > now + BREAKING_LONGEST:
            raise WorkflowError(_("A story can be breaking news for 48 hours at most."))
        other = (
            Article.objects.published(at=now)
            .filter(language=locked.language, breaking_until__isnull=False, breaking_until__gt=now)
            .exclude(pk=locked.pk)
            .only("headline")
            .first()
        )
        if other:
            raise WorkflowError(
                _("“%(headline)s” is breaking news in this edition now. End it first.") % {"headline": other.headline}
            )

    return _perform(article, by, "mark_breaking", note, changes=lambda a, now: {"breaking_until": until}, check=check)


def _one_breaking_mark_at_a_time(language):
    """Wait until no other transaction is marking a story as breaking news in the edition in `language`.

    Each marking locks only its own story's row, so two publishers marking two stories at once would both
    find no other breaking story and both succeed. On PostgreSQL a transaction-level advisory lock per edition
    makes the second wait for the first to commit; its check then sees the first story and refuses. SQLite
    lets one transaction write at a time: the second fails ("database is locked") instead of marking."""
    connection = transaction.get_connection()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s::integer, hashtext(%s))", [BREAKING_LOCK, language])


def end_breaking(article, by, note=""):
    """Publisher takes a story out of the breaking-news banner before its time is up."""
    return _perform(article, by, "end_breaking", note, changes=lambda a, now: {"breaking_until": None})


# The longest live update a publisher may post, in characters as typed: a live update is short.
LIVE_UPDATE_LONGEST = 5000
_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")


# A web address typed in a live update: http(s), up to a space, a quote or an angle bracket (see `_address_end`).
_TYPED_ADDRESS = re.compile(r"\bhttps?://[^\s<>\"'«»“”]+", re.IGNORECASE)
_SENTENCE_END = ".,;:!?،؛"
_CLOSING = {")": "(", "]": "[", "}": "{"}


def _address_end(address):
    """`address` without what ends the sentence around it: trailing punctuation, and closing brackets it did not
    open ("(see https://x.org/a_(b))." keeps one bracket)."""
    while address:
        last = address[-1]
        if last in _SENTENCE_END or (last in _CLOSING and address.count(last) > address.count(_CLOSING[last])):
            address = address[:-1]
        else:
            return address
    return address


def _linked(line):
    """`line` (typed text) escaped, each web address in it a link to itself (the sanitiser adds `rel`)."""
    out, start = [], 0
    for match in _TYPED_ADDRESS.finditer(line):
        address = _address_end(match.group(0))
        end = match.start() + len(address)
        host = urlsplit(address).hostname if "://" in address else None
        if not host or "." not in host:
            continue  # not an address anyone could follow: left as typed
        out += [escape(line[start : match.start()]), format_html('<a href="{}">{}</a>', address, address)]
        start = end
    out.append(escape(line[start:]))
    return "".join(out)


def live_update_html(text):
    """The HTML of a live update typed as plain text: paragraphs (separated by blank lines) as `<p>`, single line
    breaks as `<br>`, each web address (http or https) a link to itself, everything else escaped, so nothing
    typed is ever markup but a link. (`_typed_update` then makes a video's address alone in a paragraph a
    video.)"""
    paragraphs = (p.strip() for p in _PARAGRAPH_BREAK.split("\n".join(text.splitlines())))
    return "".join(
        "<p>" + "<br>".join(_linked(line.strip()) for line in p.splitlines()) + "</p>" for p in paragraphs if p
    )


def _typed_update(text):
    """The stored HTML of a live update typed as `text` (`live_update_html`, sanitised), each paragraph holding
    only a YouTube or Vimeo address a video, as in a story's body (`embeds.embed_video_paragraphs`). Refused
    with the reason for an address that looks like a video's but cannot be embedded."""
    html, refused = embeds.embed_video_paragraphs(str(sanitise_html(live_update_html(text))))
    if refused:
        raise WorkflowError(" ".join(embeds.refusal(address) for address in refused))
    return str(sanitise_html(html))  # as the field stores it (the video's link gets its rel)


def _check_live_update(locked, now, title, text, html):
    """Raise WorkflowError when a live update with `title` and `text` (made into `html`) cannot go on `locked`."""
    if locked.embargo_until and locked.embargo_until > now:
        raise EmbargoInForce(_("The story is under embargo: live updates can be posted once it has ended."))
    if not plain_text(html):
        raise WorkflowError(_("Write the text of the live update."))
    if len(text) > LIVE_UPDATE_LONGEST:
        raise WorkflowError(
            _("A live update can be %(longest)s characters at most; this one has %(length)s.")
            % {"longest": LIVE_UPDATE_LONGEST, "length": len(text)}
        )
    if len(title) > LiveUpdate._meta.get_field("title").max_length:
        raise WorkflowError(_("The title of a live update can be 200 characters at most."))


# A live update move saves the story's search document too: `SearchDocumentField.pre_save` writes it afresh,
# with the words of the updates readers see now (the value given here is never written).
_SEARCH_AGAIN = {"search_document": None}


def _check_picture(image):
    """Refuse a live update's picture that may not go public: as a published story's (a credit, a copyright
    holder, alt text unless decorative)."""
    if image is not None:
        problems = picture_problems(image, _("The picture"))
        if problems:
            raise WorkflowError(" ".join(problems))


def post_live_update(article, by, text, title="", note="", author=None, image=None):
    """Publisher posts a short timestamped update (an optional title and plain text, by `author`, an `Author` or
    None for no byline of its own, with `image`, a library picture or None) on a published story; the story page
    lists it at once, newest first. Refused when the text is empty or too long, for a picture that may not go
    public, or while the story is under embargo."""
    title, text = (title or "").strip(), (text or "").strip()
    update = LiveUpdate(title=title, text=_typed_update(text), posted_by=by, author=author, image=image)

    def check(locked, now):
        _check_live_update(locked, now, title, text, update.text)
        _check_picture(image)

    def changes(locked, now):
        update.article, update.posted_at = locked, now
        update.save()
        # The story's "Updated" time, Last-Modified and dateModified follow its newest update; its search
        # document takes in the update's words (SearchDocument reads them as the story is saved).
        return {"last_live_update_at": now, "last_published_at": now, **_SEARCH_AGAIN}

    summary = note or title or first_words(" ".join(text.split()))
    return _perform(article, by, "post_live_update", summary, changes=changes, check=check)


def _shown_update(locked, update):
    """`update` read again under the story's lock: refused unless it is one of `locked`'s and not removed."""
    current = LiveUpdate.objects.shown().filter(pk=update.pk, article=locked).select_related("author", "image").first()
    if current is None:
        raise WorkflowError(_("This live update has been removed, or is not one of this story's."))
    return current


# `edit_live_update`'s byline or picture when the correction leaves it as it is.
KEEP = object()


def edit_live_update(update, by, text, title="", note="", author=KEEP, image=KEEP):
    """Publisher corrects the title, text, byline (`author`: an `Author`, None for none) and picture (`image`: a
    library picture, None for none) of a live update already posted (`note`: why, for the desk); the byline and
    picture stay as they are unless given. The update keeps its place and time and shows when it was edited;
    what it replaces stays in the event. The story's "Updated" time moves, but not the time of its newest
    update: a correction does not make a story live again. Refused as posting is (empty or too long text, a
    picture that may not go public, an embargo), and for a removed update."""
    title, text = (title or "").strip(), (text or "").strip()
    html = _typed_update(text)  # as stored, to tell an edit that changes nothing
    before = {}

    def check(locked, now):
        before["update"] = old = _shown_update(locked, update)
        before["author"] = old.author_id if author is KEEP else getattr(author, "pk", None)
        before["image"] = old.image_id if image is KEEP else getattr(image, "pk", None)
        _check_live_update(locked, now, title, text, html)
        if image is not KEEP:
            _check_picture(image)
        if (old.title, old.text, old.author_id, old.image_id) == (title, html, before["author"], before["image"]):
            raise WorkflowError(_("Nothing to correct: the update is as it was."))

    def changes(locked, now):
        update.title, update.text, update.edited_at, update.edited_by = title, html, now, by
        update.author_id, update.image_id = before["author"], before["image"]
        words = LiveUpdate._meta.get_field("search_words").words_of(update)
        LiveUpdate.objects.filter(pk=update.pk).update(
            title=title,
            text=html,
            author=before["author"],
            image=before["image"],
            edited_at=now,
            edited_by=by,
            search_words=words,
        )
        update.search_words = words
        return {"last_published_at": now, **_SEARCH_AGAIN}

    def trail():
        old = before["update"]
        title = _("Title: %(title)s") % {"title": old.title} if old.title else ""
        byline = _("By: %(name)s") % {"name": old.author.display_name} if old.author_id else ""
        picture = _("Picture: %(title)s") % {"title": old.image.title} if old.image_id else ""
        lines = [_("Live update %(id)s before this edit:") % {"id": old.pk}, title, byline, picture, old.typed_text]
        return "\n".join(filter(None, lines))

    return _perform(update.article, by, "edit_live_update", note, changes=changes, check=check, trail=trail)


def remove_live_update(update, by, note):
    """Publisher takes a live update off the story (`note`: why, required). Readers never see it again; it stays
    in the database for the audit trail. The story's time of its newest update follows the newest one left.
    Allowed under an embargo: taking words down releases nothing."""
    before = {}

    def check(locked, now):
        before["update"] = _shown_update(locked, update)

    def changes(locked, now):
        LiveUpdate.objects.filter(pk=update.pk).update(removed_at=now, removed_by=by)
        update.removed_at, update.removed_by = now, by
        newest = locked.live_updates.shown().order_by("-posted_at").values_list("posted_at", flat=True).first()
        unpinned = {"pinned_live_update": None} if locked.pinned_live_update_id == update.pk else {}
        return {"last_live_update_at": newest, "last_published_at": now, **unpinned, **_SEARCH_AGAIN}

    def trail():
        old = before["update"]
        return _("Live update %(id)s removed: %(headline)s") % {"id": old.pk, "headline": old.headline}

    return _perform(update.article, by, "remove_live_update", note, changes=changes, check=check, trail=trail)


def pin_live_update(update, by, note=""):
    """Publisher pins a live update above the others on the story page (say, a summary of what is known), in
    place of the one pinned before, if any; it stays in its place among the updates too. The story's "Updated"
    time moves (its page changed), not the time of its newest update. Refused for a removed update, one of
    another story, and the one already pinned."""

    before = {}

    def check(locked, now):
        before["update"] = _shown_update(locked, update)
        if locked.pinned_live_update_id == update.pk:
            raise WorkflowError(_("This live update is already pinned."))

    def changes(locked, now):
        return {"pinned_live_update": before["update"], "last_published_at": now}

    def trail():
        old = before["update"]
        return _("Live update %(id)s pinned: %(headline)s") % {"id": old.pk, "headline": old.headline}

    return _perform(update.article, by, "pin_live_update", note, changes=changes, check=check, trail=trail)


def unpin_live_update(update, by, note=""):
    """Publisher takes the pin off the pinned live update `update`: it stays in its place among the updates.
    Removing a pinned update unpins it too (`remove_live_update`). Refused when `update` is not the pinned one."""
    before = {}

    def check(locked, now):
        if locked.pinned_live_update_id != update.pk:
            raise WorkflowError(_("This live update is not pinned."))
        before["update"] = _shown_update(locked, update)  # as the trail names it, read under the lock

    def changes(locked, now):
        return {"pinned_live_update": None, "last_published_at": now}

    def trail():
        old = before["update"]
        return _("Live update %(id)s unpinned: %(headline)s") % {"id": old.pk, "headline": old.headline}

    return _perform(update.article, by, "unpin_live_update", note, changes=changes, check=check, trail=trail)


def start_live_coverage(article, by, note=""):
    """Publisher makes a published story live before its first update (or again, after its coverage ended or grew
    old): lists label it "Live", and its page shows its live updates' section, saying that updates will appear
    there, and follows the story, so readers already on it are offered the first update. Its "Updated" time,
    `Last-Modified` and `dateModified` move, as for every change readers see. Refused for a story that is live
    already."""

    def changes(locked, now):
        return {"live_started_at": now, "last_published_at": now}  # the page changed: its "Updated" time moves

    return _perform(article, by, "start_live_coverage", note, changes=changes)


def end_live_coverage(article, by, note=""):
    """Publisher ends a live story's coverage now, rather than when its newest update grows old: it is no longer
    labelled "Live" nor followed by open pages, its page says when the coverage ended and its structured data
    gives that time as `coverageEndTime`; its "Updated" time moves with it. Posting a new update starts it again.
    Refused for a story that is not live."""

    def changes(locked, now):
        return {"live_ended_at": now, "last_published_at": now}  # the page changed: its "Updated" time moves

    return _perform(article, by, "end_live_coverage", note, changes=changes)


def spike(article, by, note=""):
    """Kill a story before publication (it can be restored to draft)."""
    return _perform(article, by, "spike", note, changes=lambda a, now: {"scheduled_for": None})


def restore(article, by, note=""):
    """Bring a spiked story back as a draft."""
    return _perform(article, by, "restore", note)


def publish_due(now=None, dry_run=False):
    """Record the publication of every scheduled story whose time has come; returns those articles.

    Readers already see them (the public queryset counts a due schedule as live); this writes the event and
    runs the side effects. Rows another process is handling are skipped, so running it on every server at
    once publishes each story once.
    """
    now = now or timezone.now()
    # A story whose embargo was moved past its schedule stays invisible and waits here until the embargo ends.
    due = (
        Article.objects.filter(status=S.SCHEDULED, scheduled_for__lte=now)
        .exclude(embargo_until__gt=now)
        .order_by("scheduled_for")
    )
    if dry_run:
        return list(due)
    published = []
    for pk in list(due.values_list("pk", flat=True)):
        with transaction.atomic():
            row = Article.objects.select_for_update(skip_locked=True).filter(pk=pk, status=S.SCHEDULED).first()
            if row is None:
                continue
            published.append(_perform(row, None, "publish", _("scheduled publication"), changes=_publication_times))
    return published


def publish_imported(articles, at=None, note="imported"):
    """Publish freshly imported drafts in bulk (system move): one event each, two queries for the batch.

    Embargoed articles are left as drafts and returned in the second list.
    """
    now = timezone.now()
    ready, embargoed = [], []
    for article in articles:
        if article.status != S.DRAFT:
            continue
        (embargoed if article.embargo_until and article.embargo_until > now else ready).append(article)
    for article in ready:
        article.status = S.PUBLISHED
        article.first_published_at = article.first_published_at or at or now
        # An archived story was not updated by being imported: its page shows no "Updated" time for the import.
        article.last_published_at = article.first_published_at
    with transaction.atomic():
        Article.objects.bulk_update(ready, ["status", "first_published_at", "last_published_at"])
        events = ArticleEvent.objects.bulk_create(
            ArticleEvent(article=a, action="publish", from_status=S.DRAFT, to_status=S.PUBLISHED, note=note)
            for a in ready
        )
        for article, event in zip(ready, events, strict=True):
            _announce(article, event, MOVES["publish"])
    return ready, embargoed
