"""The archive by date: every public story of an edition, found by the day it was published.

Lists reach back 2,000 stories; the archive reaches all of them. `/archive/` names the months from the
edition's first public story to its newest, a month lists its days that have stories (how many each), and a
day lists its stories, 20 a page, newest first like every list. Days are the newsroom's (`TIME_ZONE`): a
story first published at 22:30 UTC is on the next day in Baghdad. A month or a day between the first and the
newest story is a page even with no stories (it says so and links the nearest that have some); outside that
span it is a 404, so a crawler following "previous" and "next" always comes to an end.

A story's day is its public time: its first publication, or the scheduled time of a story live by schedule
(`PUBLIC_TIME`). Like every list these pages start from `published()` and are listings in the page cache,
so any change to a story purges them.
"""

from datetime import date, datetime, time, timedelta
from typing import NamedTuple

from django.db import models
from django.db.models.functions import TruncDate
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language

from articles.caching import public_page
from articles.models import PUBLISHING_YEARS
from articles.querysets import PUBLIC_TIME
from articles.views import StoryList, StoryPaginator, edition_at

DAY_STORIES = StoryList(
    lambda language, now, start, end: edition_at(language, now).public_since(start).public_before(end)
)


class Month(NamedTuple):
    """A month of the archive: its first moment (local midnight of the 1st) and whether it has a page."""

    start: datetime
    linked: bool


def _local_midnight(day):
    """The first moment of `day` (a date) in the newsroom's time zone, as an aware datetime."""
    return datetime.combine(day, time.min, tzinfo=timezone.get_default_timezone())


def _next_month(day):
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


def _times(language, now):
    """The public times of the edition's stories at `now`, one per story."""
    return edition_at(language, now).annotate(public_at=PUBLIC_TIME).values_list("public_at", flat=True)


def _latest_before(language, now, moment):
    """The public time of the edition's newest story before `moment`, or None."""
    return _times(language, now).filter(public_at__lt=moment).order_by("-public_at").first()


def _earliest_from(language, now, moment):
    """The public time of the edition's oldest story at or after `moment`, or None."""
    return _times(language, now).filter(public_at__gte=moment).order_by("public_at").first()


def _local_day(moment):
    return timezone.localtime(moment, timezone.get_default_timezone()).date() if moment else None


def _date_or_404(year, month, day=1):
    if year not in PUBLISHING_YEARS:
        raise Http404("No such date.")
    try:
        return date(year, month, day)
    except ValueError:
        raise Http404("No such date.") from None


def story_archive_paths(article):
    """The archive's addresses in the active language that list `article`, a story public from its first
    publication (else its scheduled time): the archive itself (its span of months), its month, its day."""
    paths = [reverse("articles:archive")]
    moment = article.first_published_at or article.scheduled_for
    if moment:
        day = _local_day(moment)
        paths.append(reverse("articles:archive_month", args=[day.year, day.month]))
        paths.append(reverse("articles:archive_day", args=[day.year, day.month, day.day]))
    return paths


@public_page
def archive(request):
    """The years and months of the edition, newest first, each month linking to its page (two queries)."""
    language, now = get_language(), timezone.now()
    first = _local_day(_times(language, now).order_by("public_at").first())
    last = _local_day(_times(language, now).order_by("-public_at").first())
    years = []
    if first and last:
        span = (first.replace(day=1), last.replace(day=1))
        for year in range(last.year, first.year - 1, -1):
            months = [date(year, number, 1) for number in range(1, 13)]
            years.append((year, [Month(_local_midnight(month), span[0] <= month <= span[1]) for month in months]))
    return render(request, "articles/archive.html", {"years": years})


@public_page
def archive_year(request, year):
    """A year's address leads to its months on the archive page."""
    return redirect(reverse("articles:archive") + f"#year-{year}", permanent=True)


@public_page
def archive_month(request, year, month):
    """A month's days that have stories, with how many each, and the nearest months before and after that
    have stories (three queries)."""
    language, now = get_language(), timezone.now()
    first_day = _date_or_404(year, month)
    start, end = _local_midnight(first_day), _local_midnight(_next_month(first_day))
    zone = timezone.get_default_timezone()
    days = (
        _times(language, now)
        .filter(public_at__gte=start, public_at__lt=end)
        .annotate(day=TruncDate("public_at", tzinfo=zone))
        .values("day")
        .annotate(stories=models.Count("pk"))
        .order_by("day")
    )
    days = [(_local_midnight(row["day"]), row["stories"]) for row in days]
    previous, following = _latest_before(language, now, start), _earliest_from(language, now, end)
    if not days and not (previous and following):
        raise Http404("No stories that month.")
    context = {
        "month": start,
        "days": days,
        "previous": _local_midnight(_local_day(previous).replace(day=1)) if previous else None,
        "next": _local_midnight(_local_day(following).replace(day=1)) if following else None,
    }
    return render(request, "articles/archive_month.html", context)


@public_page
def archive_day(request, year, month, day):
    """A day's stories, 20 a page, with their bylines, and the nearest days before and after that have stories
    (five queries)."""
    language, now = get_language(), timezone.now()
    this_day = _date_or_404(year, month, day)
    start, end = _local_midnight(this_day), _local_midnight(this_day + timedelta(days=1))
    previous, following = _latest_before(language, now, start), _earliest_from(language, now, end)
    stories = StoryPaginator(DAY_STORIES, {"language": language, "now": now, "start": start, "end": end})
    if not stories.count and not (previous and following):
        raise Http404("No stories that day.")
    page = stories.get_page(request.GET.get("page"))
    context = {
        "day": start,
        "previous": _local_midnight(_local_day(previous)) if previous else None,
        "next": _local_midnight(_local_day(following)) if following else None,
        "page": page,
        "articles": list(page.object_list),
    }
    return render(request, "articles/archive_day.html", context)
