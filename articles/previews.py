"""Signed preview links: a colleague named by a staff member may open an unpublished story until a deadline.

The link carries the article, the colleague's user id and the expiry, signed with SECRET_KEY (salted), so it
cannot be forged, redirected to someone else or extended. Only that colleague, logged in, can open it.
"""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.core import signing
from django.utils import timezone
from django.utils.translation import gettext as _

SALT = "articles.preview-link"


class PreviewLinkRefused(Exception):
    """The link cannot be used; `status` is the HTTP status to answer with, `str(error)` the reason."""

    def __init__(self, message, status):
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class PreviewGrant:
    """What a valid link allows: `user_id` may see article `article_id` until `expires`."""

    article_id: int
    user_id: int
    expires: datetime


def link_hours():
    """How long a shared preview link lasts unless the sharer chooses (NEWSROOM_PREVIEW_LINK_HOURS)."""
    return settings.NEWSROOM_PREVIEW_LINK_HOURS


def make_token(article, colleague, hours=None, now=None):
    """A signed token letting `colleague` preview `article` for `hours` hours; returns (token, expiry)."""
    now = now or timezone.now()
    expires = now + timedelta(hours=hours or link_hours())
    payload = {"a": article.pk, "u": colleague.pk, "e": int(expires.timestamp())}
    return signing.dumps(payload, salt=SALT, compress=True), expires


def check_token(token, user, now=None):
    """The PreviewGrant in `token` if `user` may use it now; raises PreviewLinkRefused otherwise."""
    try:
        payload = signing.loads(token, salt=SALT)
        grant = PreviewGrant(int(payload["a"]), int(payload["u"]), datetime.fromtimestamp(int(payload["e"]), tz=UTC))
    except (signing.BadSignature, KeyError, TypeError, ValueError) as error:
        raise PreviewLinkRefused(_("This preview link is not valid."), 404) from error
    if grant.user_id != user.pk:
        raise PreviewLinkRefused(_("This preview link was shared with someone else."), 403)
    if (now or timezone.now()) >= grant.expires:
        when = timezone.localtime(grant.expires).strftime("%Y-%m-%d %H:%M %Z")
        raise PreviewLinkRefused(_("This preview link expired at %(time)s.") % {"time": when}, 410)
    return grant
