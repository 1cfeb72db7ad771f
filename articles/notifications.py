"""Email the people a workflow move concerns (a receiver of `article_moved`; connected in apps.py).

- submitted: the Editor group, so someone picks the story up;
- sent back: the reporter (who created it, and staff authors), with the editor's reason;
- published: the reporter, with the story's address;
- withdrawn (unpublished): the reporter and the Editor group, with the reason readers are given;
- a public note added (correction, clarification, update, retraction): the reporter, with the note and its
  place on the story's page.

The person who made the move is never mailed about it. Mail goes through Django's mail (console backend in
development). A mail server failure is logged, not raised: the move has already happened and must not look
as if it failed.
"""

import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.urls import reverse
from django.utils.translation import gettext as _

from articles.roles import EDITOR

logger = logging.getLogger(__name__)


def _reporters(article):
    users = {article.created_by} if article.created_by else set()
    users.update(get_user_model().objects.filter(author_profile__articles=article))
    return users


def _editors():
    return set(get_user_model().objects.filter(groups__name=EDITOR))


def _absolute(path):
    return settings.NEWSROOM_SITE_URL.rstrip("/") + path


def _admin_link(article):
    return _absolute(reverse("admin:articles_article_change", args=[article.pk]))


def _message(article, event, move):
    """(recipients, subject, body) for this move, or None when nobody needs to hear about it."""
    who = (event.actor.get_full_name() or event.actor.get_username()) if event.actor else _("the scheduler")
    if move == "submit":
        subject = _("Submitted for editing: %(headline)s") % {"headline": article.headline}
        body = _("%(who)s submitted “%(headline)s” for editing.\n\nOpen it: %(link)s\n")
        return _editors(), subject, body % {"who": who, "headline": article.headline, "link": _admin_link(article)}
    if move == "send_back":
        subject = _("Sent back: %(headline)s") % {"headline": article.headline}
        body = _("%(who)s sent “%(headline)s” back to you.\n\nReason:\n%(note)s\n\nOpen it: %(link)s\n")
        context = {"who": who, "headline": article.headline, "note": event.note, "link": _admin_link(article)}
        return _reporters(article), subject, body % context
    if move == "publish":
        subject = _("Published: %(headline)s") % {"headline": article.headline}
        body = _("“%(headline)s” was published by %(who)s.\n\nReaders see it at %(link)s\n")
        context = {"who": who, "headline": article.headline, "link": _absolute(article.get_absolute_url())}
        return _reporters(article), subject, body % context
    if move == "unpublish":
        subject = _("Withdrawn: %(headline)s") % {"headline": article.headline}
        body = _("%(who)s withdrew “%(headline)s”. Its address now tells readers:\n%(note)s\n\nOpen it: %(link)s\n")
        context = {"who": who, "headline": article.headline, "note": event.note, "link": _admin_link(article)}
        return _reporters(article) | _editors(), subject, body % context
    if move == "correct":
        note = article.corrections.order_by("-pk").first()  # the one this move added
        if note is None:
            return None
        subject = _("Public note on: %(headline)s") % {"headline": article.headline}
        body = _("%(who)s added a public note (%(kind)s) to “%(headline)s”:\n%(note)s\n\nReaders see it at %(link)s\n")
        link = _absolute(f"{article.get_absolute_url()}#correction-{note.pk}")
        context = {"who": who, "kind": note.get_kind_display(), "headline": article.headline, "note": note.text}
        return _reporters(article), subject, body % {**context, "link": link}
    return None


def notify_people_concerned(sender, article, event, move, **kwargs):
    """Receiver of `article_moved`: send the emails described in this module's docstring."""
    message = _message(article, event, move)
    if message is None:
        return
    recipients, subject, body = message
    addresses = sorted({u.email for u in recipients if u.email and u.is_active and u.pk != event.actor_id})
    if not addresses:
        return
    try:
        # One message per person: colleagues' addresses are not shown to each other.
        for address in addresses:
            send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [address])
    except OSError:
        logger.exception("Could not send the %s notification for article %s", move, article.pk)
