"""The older pages of a live story's updates: `/article/<id>/<slug>/updates/<n>/` (Arabic stories under /ar/).

The story's own page is page 1 of its live updates: the newest LIVE_UPDATES_SHOWN, newest first. Page 2 holds
the next LIVE_UPDATES_SHOWN, and so on back to the first update, so a reader can follow a long live blog to
how the story began. Each page answers exactly as the story does: 404 for a story readers may not see, 410
for a withdrawn one, 301 from an old slug or the other edition; page 1 answers 301 to the story, and a page
past the oldest update is a 404.

Pages are numbered from the newest, as the story page counts them: every new update pushes one update from
each page onto the next, so the pages change with every update and the page cache purges them with the story
(they show no story but it, `shows_stories`). Each says which page of how many it is, and all but the last two
link the last, where the story began (the count comes in the page's own query).
"""

import math

from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.cache import add_never_cache_headers

from articles.caching import public_page, set_last_modified, shows_stories
from articles.models import LIVE_UPDATES_SHOWN, Article
from articles.prepared import PreparedQuery
from articles.views import gone, misaddressed, moved_to

# What an older page reads of the story: its address, headline, times and whether it has updates.
LIVE_STORY = PreparedQuery(
    lambda pk, now: (
        Article.objects.published(at=now)
        .filter(pk=pk)
        .only(
            "headline",
            "slug",
            "language",
            "status",
            "first_published_at",
            "scheduled_for",
            "last_published_at",
            "last_live_update_at",
            "live_started_at",
            "live_ended_at",
        )
        .order_by()[:1]
    )
)


def _pages(shown):
    """How many pages `shown` live updates fill, the story's own page first (1 for none)."""
    return max(1, math.ceil(shown / LIVE_UPDATES_SHOWN))


def _live_story(request, pk):
    """(story, None) for a story readers may see, else (None, its answer): 404, or 410 for a withdrawn one."""
    article = next(iter(LIVE_STORY(pk=pk, now=timezone.now())), None)
    return (article, None) if article is not None else (None, gone(request, pk))


@public_page
def live_updates(request, pk, slug, number):
    """Page `number` (2 and on) of a public story's live updates, newest first, with links to the newer and
    older pages; 301 to the story for page 1 and to the right address from an old slug or the other edition,
    404 past the oldest update, and as the story for a story readers may not see (404, or 410 withdrawn)."""
    article, answer = _live_story(request, pk)
    if answer:
        return answer
    if number == 1 or misaddressed(article, slug):
        return moved_to(request, article.live_updates_url(number))
    # One row past the page says whether an older page follows; each row says how many pages there are.
    rows = article.live_updates_page(number, counted=True) if article.last_live_update_at else []
    if not rows:
        raise Http404("No such page of live updates.")
    pages = _pages(rows[0].shown_total)
    # The page shows no story but this one: only a change to it (a new, corrected or removed update, an edit,
    # a withdrawal) purges the page, and every such change does.
    shows_stories(request, [article.pk])
    context = {
        "article": article,
        "number": number,
        "pages": pages,
        "updates": rows[:LIVE_UPDATES_SHOWN],
        "older_url": article.live_updates_url(number + 1) if len(rows) > LIVE_UPDATES_SHOWN else None,
        # How the story began, a jump away from any page but the last two.
        "oldest_url": article.live_updates_url(pages) if number < pages - 1 else None,
        # Page 2's newer updates are on the story's page, after its header: straight to them.
        "newer_url": article.live_updates_url(number - 1) + ("#live-updates-title" if number == 2 else ""),
    }
    response = render(request, "articles/live_updates.html", context)
    return set_last_modified(response, article.modified_time)


def first_live_updates(request, pk, slug):
    """Where a story's live updates began: 302 to the page holding its oldest updates (the story's own section
    when they all fit on it), which moves to the next page with every hundred new ones, so the redirect is
    never cached. Answers as the story does for a story readers may not see (404, or 410 withdrawn), and 301
    from an old slug or the other edition."""
    article, answer = _live_story(request, pk)
    if answer:
        return answer
    if misaddressed(article, slug):
        return moved_to(request, article.first_live_updates_url())
    shown = article.live_updates.shown().count() if article.last_live_update_at else 0
    pages = _pages(shown)
    # On the story's own page, straight to its updates (a story without any has no such section).
    response = redirect(article.live_updates_url(pages) + ("#live-updates-title" if pages == 1 and shown else ""))
    add_never_cache_headers(response)
    return response
