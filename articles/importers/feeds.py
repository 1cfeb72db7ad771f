"""RSS 2.0 and Atom feed files, read with feedparser: every entry becomes a story.

A feed is parsed whole (feedparser needs the document), which suits feeds: they are small. The feed's
title is the default source, so entry ids from two feeds never collide.
"""

from datetime import UTC, datetime

import feedparser

from articles.importers.fields import body_html, parse_when
from articles.importers.story import BadInput, EntryError, Story
from articles.models import Article
from articles.tagging import plain_text


def _when(entry, key):
    parsed = entry.get(f"{key}_parsed")
    # Checked as the other formats' times are (a year a page cannot show fails the entry).
    return parse_when(datetime(*parsed[:6], tzinfo=UTC)) if parsed else None


def story_from_entry(entry, feed_title, number):
    """A Story from one feedparser entry."""
    headline = " ".join(plain_text(entry.get("title", "")).split())
    if not headline:
        raise BadInput("no headline (empty title)")
    contents = entry.get("content") or []
    summary = entry.get("summary", "")
    body = contents[0].get("value", "") if contents else summary
    standfirst = plain_text(summary).strip() if contents else ""
    if not plain_text(body).strip():
        raise BadInput("no text")
    authors = tuple(a.get("name", "") for a in entry.get("authors") or () if a.get("name"))
    return Story(
        headline=headline,
        body=body_html(body),
        standfirst=standfirst,
        language=entry.get("language", "") or "",
        authors=authors,
        published_at=_when(entry, "published") or _when(entry, "updated"),
        # The feed's own title names the source: cut to the column, as it is our label for the feed, not a field
        # of the story the feed gives.
        source=feed_title[: Article._meta.get_field("source").max_length],
        source_id=entry.get("id") or entry.get("link") or "",
        # An entry without a web link gives its id (often a urn:) as its link: that is no address to keep.
        source_url=link if (link := entry.get("link", "") or "").startswith(("http://", "https://")) else "",
        entry=number,
    )


def parse(source, options):
    """Yield a Story (or EntryError) per feed entry."""
    parsed = feedparser.parse(source.read(), sanitize_html=False, resolve_relative_uris=False)
    if parsed.bozo and not parsed.entries:
        raise BadInput(f"malformed feed: {str(parsed.get('bozo_exception', 'unreadable'))[:80]}")
    if not parsed.entries:
        raise BadInput("feed without entries")
    title = " ".join(parsed.feed.get("title", "").split())[:100]
    language = parsed.feed.get("language", "")
    for number, entry in enumerate(parsed.entries, start=1):
        try:
            story = story_from_entry(entry, title, number)
        except BadInput as error:
            yield EntryError(number, str(error))
            continue
        story.language = story.language or language
        yield story
