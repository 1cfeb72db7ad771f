"""The archive by date: every public story reached by the day it was published, in the newsroom's days."""

import re
from datetime import UTC, datetime, timedelta

import extruct
import pytest
from django.urls import reverse
from django.utils import timezone, translation

from articles import workflow
from articles.addresses import archive_day_url
from articles.frontend_purge import story_paths
from articles.models import Article
from articles.tests.factories import ActorFactory, AuthorFactory, SectionFactory
from articles.tests.publishing import S, fresh_cache, hidden_stories, page_queries, story  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_cache")]


def _public_from(article, moment):
    """Put `article`'s first publication (or, for a story live by schedule, its scheduled time) at `moment`."""
    if article.status == S.SCHEDULED:
        Article.objects.filter(pk=article.pk).update(scheduled_for=moment)
    else:
        Article.objects.filter(pk=article.pk).update(first_published_at=moment, last_published_at=moment)
    article.refresh_from_db()
    return article


def _utc(*parts):
    return datetime(*parts, tzinfo=UTC)


@pytest.fixture
def archive():
    """Stories of January, March and May 2019 in Baghdad's days (UTC+3), none in February or April, and one in
    every hidden state on 14 March."""
    made = {
        "january": _public_from(story(headline="Winter floods in Mosul"), _utc(2019, 1, 20, 9)),
        # 23:59 in Baghdad on the 13th, 20:59 UTC.
        "late on the 13th": _public_from(story(headline="Night raid near Hajin"), _utc(2019, 3, 13, 20, 59)),
        "14th": _public_from(
            story(headline="Last pocket falls in Baghouz", authors=[AuthorFactory(display_name="Rania Khalil")]),
            _utc(2019, 3, 14, 7),
        ),
        # Live by schedule: its day is its scheduled time.
        "due on the 14th": _public_from(
            story(S.SCHEDULED, headline="Scheduled analysis of the siege"), _utc(2019, 3, 14, 12)
        ),
        "arabic on the 14th": _public_from(
            story(headline="سقوط آخر جيب في الباغوز", language="ar"), _utc(2019, 3, 14, 8)
        ),
        # 23:30 UTC on the 14th is 02:30 on the 15th in Baghdad.
        "15th by Baghdad's clock": _public_from(story(headline="Convoy leaves at dawn"), _utc(2019, 3, 14, 23, 30)),
        "may": _public_from(story(headline="Camps fill in al-Hol"), _utc(2019, 5, 2, 10)),
    }
    hidden = hidden_stories()
    for article in hidden.values():
        Article.objects.filter(pk=article.pk).update(
            first_published_at=_utc(2019, 3, 14, 9), last_published_at=_utc(2019, 3, 14, 9)
        )
    return {**made, "hidden": hidden}


def _html(client, address):
    response = client.get(address)
    assert response.status_code == 200, address
    return response.content.decode()


def test_a_day_lists_its_public_stories_and_nothing_else(client, archive):
    html = _html(client, "/archive/2019/03/14/")
    assert archive["14th"].get_absolute_url() in html
    assert archive["due on the 14th"].get_absolute_url() in html
    for other in ("late on the 13th", "15th by Baghdad's clock", "arabic on the 14th", "january"):
        assert archive[other].get_absolute_url() not in html, other
    for state, article in archive["hidden"].items():
        assert article.headline not in html, f"{state} story leaked into the archive"


def test_days_are_the_newsrooms_days_not_utcs(client, archive):
    assert archive["late on the 13th"].get_absolute_url() in _html(client, "/archive/2019/03/13/")
    assert archive["15th by Baghdad's clock"].get_absolute_url() in _html(client, "/archive/2019/03/15/")


def test_a_month_lists_its_days_with_how_many_stories_each(client, archive):
    html = _html(client, "/archive/2019/03/")
    assert "<h1>March 2019</h1>" in html
    assert '<a href="/archive/2019/03/13/"><time datetime="2019-03-13">13 March 2019</time></a>' in html
    # The 14th: the story and the scheduled one now due; hidden and Arabic stories are not counted.
    assert '<time datetime="2019-03-14">14 March 2019</time></a> <span class="archive-count">2 stories</span>' in html
    assert '<time datetime="2019-03-15">15 March 2019</time></a> <span class="archive-count">1 story</span>' in html
    assert "/archive/2019/03/16/" not in html
    # The nearest months with stories either side.
    assert 'href="/archive/2019/01/">Earlier: January 2019</a>' in html
    assert 'href="/archive/2019/05/">Later: May 2019</a>' in html


def test_a_day_links_the_nearest_days_that_have_stories(client, archive):
    html = _html(client, "/archive/2019/03/15/")
    assert 'href="/archive/2019/03/14/">Earlier: 14 March 2019</a>' in html
    assert 'href="/archive/2019/05/02/">Later: 2 May 2019</a>' in html


def test_an_empty_month_or_day_inside_the_archive_says_so(client, archive):
    april = _html(client, "/archive/2019/04/")
    assert "No stories were published this month." in april
    assert 'href="/archive/2019/03/">Earlier: March 2019</a>' in april
    day = _html(client, "/archive/2019/04/10/")
    assert "No stories were published on this day." in day
    assert 'href="/archive/2019/05/02/">Later: 2 May 2019</a>' in day


@pytest.mark.parametrize(
    "address",
    [
        "/archive/2018/12/",  # before the first story
        "/archive/2019/06/",  # after the newest
        "/archive/2019/01/19/",
        "/archive/2019/05/03/",
        "/archive/2019/02/30/",  # no such day
        "/archive/2019/13/",
        "/archive/2019/00/",
        "/archive/0000/01/01/",
        "/archive/0001/01/",  # the calendar's edges: their local midnight or next day does not exist
        "/archive/0001/01/01/",
        "/archive/9999/12/",
        "/archive/9999/12/31/",
        "/archive/2019/3/14/",  # months and days have two digits
        "/archive/19/03/14/",
    ],
)
def test_dates_outside_the_archive_or_the_calendar_are_not_found(client, archive, address):
    response = client.get(address)
    assert response.status_code == 404
    assert "<main" in response.content.decode()  # the site's 404 page


def test_an_edition_without_stories_has_an_empty_archive_and_no_months(client):
    html = _html(client, "/archive/")
    assert "No stories yet." in html
    assert client.get(f"/archive/{timezone.now():%Y/%m}/").status_code == 404


def test_the_archive_names_every_month_from_the_first_story_to_the_newest(client, archive):
    html = _html(client, "/archive/")
    assert 'id="year-2019"' in html
    for month in ("01", "02", "03", "04", "05"):
        assert f'href="/archive/2019/{month}/"' in html, month  # February and April say they are empty
    assert 'href="/archive/2019/06/"' not in html
    assert '<span class="archive-empty">June</span>' in html
    assert "/archive/2018/" not in html


def test_a_years_address_leads_to_its_months(client, archive):
    response = client.get("/archive/2019/")
    assert response.status_code == 301
    assert response["Location"] == "/archive/#year-2019"


def test_the_arabic_archive_lists_arabic_stories_in_iraqs_month_names(client, archive):
    html = _html(client, "/ar/archive/2019/03/14/")
    assert archive["arabic on the 14th"].get_absolute_url() in html
    assert archive["14th"].get_absolute_url() not in html
    assert '<h1><time datetime="2019-03-14">١٤ آذار ٢٠١٩</time></h1>' in html
    month = _html(client, "/ar/archive/2019/03/")
    assert "خبر واحد" in month  # one Arabic story that month
    assert _html(client, "/ar/archive/").count('href="/ar/archive/2019/03/"') == 1
    # The Arabic edition's span is its own stories': only March 2019.
    assert client.get("/ar/archive/2019/01/").status_code == 404


def test_a_busy_day_is_paginated(client):
    for n in range(25):
        _public_from(story(headline=f"Update number {n}"), _utc(2019, 3, 14, 5, n))
    first, second = _html(client, "/archive/2019/03/14/"), _html(client, "/archive/2019/03/14/?page=2")
    assert first.count('class="story"') == 20 and second.count('class="story"') == 5
    assert "Update number 24" in first and "Update number 0" in second  # newest first, like every list


def test_the_archive_pages_describe_themselves_with_a_breadcrumb_trail(client, archive):
    html = _html(client, "/archive/2019/03/14/")
    data = extruct.extract(html, base_url="http://testserver/", syntaxes=["json-ld"])["json-ld"]
    (page,) = [item for item in data if item["@type"] == "CollectionPage"]
    trail = [(item["name"], item["item"]) for item in page["breadcrumb"]["itemListElement"]]
    assert [name for name, _ in trail][1:] == ["Archive", "March 2019", "14 March 2019"]
    assert trail[-1][1] == "http://testserver/archive/2019/03/14/"
    assert '<meta name="description" content="Stories published on 14 March 2019">' in html


def test_every_page_links_the_archive_from_the_footer(client, archive):
    assert 'href="/archive/">Archive</a>' in _html(client, "/")
    assert 'href="/ar/archive/">الأرشيف</a>' in _html(client, "/ar/")


@pytest.mark.parametrize("address, expected", [("/archive/", 2), ("/archive/2019/03/", 3), ("/archive/2019/03/14/", 5)])
def test_archive_pages_run_a_fixed_number_of_queries(client, archive, settings, address, expected):
    settings.NEWSROOM_PAGE_CACHE_SECONDS = 0
    few = page_queries(client, address)
    section, author = SectionFactory(), AuthorFactory()
    for n in range(15):
        article = story(
            headline=f"Another story {n}", section=section, authors=[author, AuthorFactory()], actors=[ActorFactory()]
        )
        _public_from(article, _utc(2019, 3, 14 + n % 3, 6))
    assert page_queries(client, address) == few == expected


def test_publishing_a_story_purges_its_day_in_the_archive(client, publisher, django_capture_on_commit_callbacks):
    story(headline="Earlier story today", age=timedelta(0))
    today = f"/archive/{timezone.localtime():%Y/%m/%d}/"
    new = story(S.APPROVED, headline="Story published just now")
    assert new.headline not in _html(client, today)  # now cached without it
    with django_capture_on_commit_callbacks(execute=True):
        workflow.publish(new, by=publisher)
    assert new.get_absolute_url() in _html(client, today)
    with django_capture_on_commit_callbacks(execute=True):
        workflow.unpublish(new, by=publisher, note="Legal request")
    assert new.get_absolute_url() not in _html(client, today)


def test_a_proxy_in_front_is_told_to_purge_the_storys_archive_pages(archive):
    paths = story_paths(archive["15th by Baghdad's clock"])
    for edition in ("", "/ar"):
        for path in ("/archive/", "/archive/2019/03/", "/archive/2019/03/15/"):
            assert edition + path in paths


def _publication_link(html):
    """The address the story page's "Published" time links to (its `<a>` wraps the `<time>`), or None."""
    found = re.search(r'Published <a href="([^"]+)"><time datetime=', html)
    return found and found.group(1)


@pytest.mark.parametrize(
    "name, day",
    [
        ("14th", "/archive/2019/03/14/"),
        # Published at 23:30 UTC on the 14th: the 15th in Baghdad, where the archive lists it.
        ("15th by Baghdad's clock", "/archive/2019/03/15/"),
        # Live by schedule: the day of its scheduled time.
        ("due on the 14th", "/archive/2019/03/14/"),
        ("arabic on the 14th", "/ar/archive/2019/03/14/"),
    ],
)
def test_a_storys_publication_time_links_the_archive_day_that_lists_it(client, archive, name, day):
    article = archive[name]
    html = _html(client, article.get_absolute_url())
    if article.language == "ar":
        html = html.replace("نُشر", "Published")  # the Arabic label, so one pattern reads both editions
    assert _publication_link(html) == day
    assert article.get_absolute_url() in _html(client, day)


def test_the_archive_day_address_is_the_one_the_resolver_gives(archive):
    for language in ("en", "ar"):
        with translation.override(language):
            expected = reverse("articles:archive_day", args=[2019, 3, 5])
        assert archive_day_url(_utc(2019, 3, 5, 12), language) == expected


def test_the_desks_preview_does_not_link_an_archive_day(admin_client, archive):
    # A preview shows the story as it will read; the archive day is the public page's link.
    html = admin_client.get(reverse("desk:preview", args=[archive["14th"].pk])).content.decode()
    assert "Last pocket falls in Baghouz" in html
    assert "Published <time datetime=" in html
    assert _publication_link(html) is None
