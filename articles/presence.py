"""Soft presence: who has an article's edit form open right now, kept in the cache.

Each open form sends a heartbeat every few seconds (static/admin/article_presence.js); an entry older than
`PRESENCE_SECONDS` no longer counts. Nothing here locks anything: it is a courtesy notice, and the real
protection against overwriting a colleague is the version check in articles/editing.py. With REDIS_URL set
the notice is shared by every server; without it each process sees only its own visitors.
"""

import time

from django.core.cache import cache

PRESENCE_SECONDS = 60


def _key(article_pk):
    return f"newsroom:presence:article:{article_pk}"


def _fresh(entries, now):
    return {uid: entry for uid, entry in entries.items() if now - entry["seen"] < PRESENCE_SECONDS}


def touch(article_pk, user, now=None):
    """Record that `user` has the article open now; returns the others who have it open (see `others`)."""
    now = time.time() if now is None else now
    entries = _fresh(cache.get(_key(article_pk)) or {}, now)
    since = entries.get(user.pk, {}).get("since", now)
    entries[user.pk] = {"name": user.get_full_name() or user.get_username(), "seen": now, "since": since}
    cache.set(_key(article_pk), entries, PRESENCE_SECONDS * 2)
    return others(article_pk, user, now, entries)


def others(article_pk, user, now=None, entries=None):
    """The other people with the article open: a list of {"name", "since"} (epoch seconds), oldest first."""
    now = time.time() if now is None else now
    if entries is None:
        entries = cache.get(_key(article_pk)) or {}
    fresh = _fresh(entries, now)
    people = [{"name": e["name"], "since": e["since"]} for uid, e in fresh.items() if uid != user.pk]
    return sorted(people, key=lambda person: person["since"])


def leave(article_pk, user):
    """Forget that `user` has the article open (they closed or left the form)."""
    entries = cache.get(_key(article_pk)) or {}
    if entries.pop(user.pk, None) is not None:
        cache.set(_key(article_pk), entries, PRESENCE_SECONDS * 2)
