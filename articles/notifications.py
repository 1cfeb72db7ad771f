"""Email the people a workflow move concerns (a receiver of `article_moved`; connected in apps.py).

- submitted: the Editor group, so someone picks the story up;
- sent back: the reporter (who created it, and staff authors), with the editor's reason;
- approved: the Publisher group, so someone publishes it (with the editor's note, if any);
- scheduled: the reporter, with the time it goes live;
- published: the reporter, with the story's address;
- withdrawn (unpublished): the reporter and the Editor group, with the reason readers are given;
- a public note added (correction, clarification, update, retraction): the reporter, with the note and its
  place on the story's page.

Each message is written in its recipient's language: the one they chose for the desk (`StaffProfile`), else
the site's default (`LANGUAGE_CODE`), whatever language the desk of the person who made the move speaks;
headlines and notes stay as written. The recipients and their languages come in one query per group.

The person who made the move is never mailed about it. Mail goes through Django's mail (console backend in
development). A mail server failure is logged, not raised: the move has already happened and must not look
as if it failed.
"""

import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from articles.models.staff import is_offered
from articles.roles import EDITOR, PUBLISHER

logger = logging.getLogger(__name__)


def _people(*conditions):
    """The users matching any of `conditions`, each with `chosen_language` (their saved language, or None),
    in one query."""
    users = get_user_model().objects.filter(Q(*conditions, _connector=Q.OR)).distinct()
    return set(users.annotate(chosen_language=F("staff_profile__language")))


def _reporters(article):
    return _people(Q(pk=article.created_by_id), Q(author_profile__articles=article))


def _editors():
    return _people(Q(groups__name=EDITOR))


def _publishers():
    return _people(Q(groups__name=PUBLISHER))


def _time_text(moment):
    """A time as the desk prints it: the newsroom's zone, with the zone named (2026-03-01 09:30 +03)."""
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M %Z")


def _absolute(path):
    return settings.NEWSROOM_SITE_URL.rstrip("/") + path


def _admin_link(article):
    return _absolute(reverse("admin:articles_article_change", args=[article.pk]))


def _message(article, event, move):
    """(recipients, subject, body, context) for this move, or None when nobody needs to hear about it.

    The subject and the body are lazy translations, and so are the context's words (who made the move when
    nobody did, the kind of a note): `subject % context` writes them in whatever language is active.
    """
    who = (event.actor.get_full_name() or event.actor.get_username()) if event.actor else _("the scheduler")
    context = {"who": who, "headline": article.headline, "link": _admin_link(article)}
    if move == "submit":
        subject = _("Submitted for editing: %(headline)s")
        body = _("%(who)s submitted “%(headline)s” for editing.\n\nOpen it: %(link)s\n")
        return _editors(), subject, body, context
    if move == "send_back":
        subject = _("Sent back: %(headline)s")
        body = _("%(who)s sent “%(headline)s” back to you.\n\nReason:\n%(note)s\n\nOpen it: %(link)s\n")
        return _reporters(article), subject, body, {**context, "note": event.note}
    if move == "approve":
        subject = _("Ready to publish: %(headline)s")
        body = _("%(who)s approved “%(headline)s”; it is ready to publish.\n\nOpen it: %(link)s\n")
        if event.note:
            body = _(
                "%(who)s approved “%(headline)s”; it is ready to publish.\n\nNote:\n%(note)s\n\nOpen it: %(link)s\n"
            )
        return _publishers(), subject, body, {**context, "note": event.note}
    if move == "schedule":
        subject = _("Scheduled: %(headline)s")
        body = _("%(who)s scheduled “%(headline)s” to go live at %(time)s.\n\nOpen it: %(link)s\n")
        return _reporters(article), subject, body, {**context, "time": _time_text(article.scheduled_for)}
    if move == "publish":
        subject = _("Published: %(headline)s")
        body = _("“%(headline)s” was published by %(who)s.\n\nReaders see it at %(link)s\n")
        return _reporters(article), subject, body, {**context, "link": _absolute(article.get_absolute_url())}
    if move == "unpublish":
        subject = _("Withdrawn: %(headline)s")
        body = _("%(who)s withdrew “%(headline)s”. Its address now tells readers:\n%(note)s\n\nOpen it: %(link)s\n")
        return _reporters(article) | _editors(), subject, body, {**context, "note": event.note}
    if move == "correct":
        note = article.corrections.order_by("-pk").first()  # the one this move added
        if note is None:
            return None
        subject = _("Public note on: %(headline)s")
        body = _("%(who)s added a public note (%(kind)s) to “%(headline)s”:\n%(note)s\n\nReaders see it at %(link)s\n")
        link = _absolute(f"{article.get_absolute_url()}#correction-{note.pk}")
        kind = note.Kind(note.kind).label  # lazy, unlike get_kind_display()
        return _reporters(article), subject, body, {**context, "kind": kind, "note": note.text, "link": link}
    return None


def _language(user):
    """The language of `user`'s e-mails: the one they chose for the desk, else the site's default."""
    return user.chosen_language if is_offered(user.chosen_language) else settings.LANGUAGE_CODE


def notify_people_concerned(sender, article, event, move, **kwargs):
    """Receiver of `article_moved`: send the emails described in this module's docstring, each in its
    recipient's language."""
    message = _message(article, event, move)
    if message is None:
        return
    recipients, subject, body, context = message
    languages = {}  # address: language (an address shared by two accounts gets one message)
    for user in sorted(recipients, key=lambda user: user.pk):
        if user.email and user.is_active and user.pk != event.actor_id:
            languages.setdefault(user.email, _language(user))
    try:
        # One message per person: colleagues' addresses are not shown to each other.
        for address, language in sorted(languages.items()):
            with translation.override(language):
                send_mail(subject % context, body % context, settings.DEFAULT_FROM_EMAIL, [address])
    except OSError:
        logger.exception("Could not send the %s notification for article %s", move, article.pk)
