"""Search says how many stories matched: counted in the page's own query, up to the window it shows."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from articles import search as search_module
from articles import views
from articles.models import Article
from articles.search import NEWEST, SEARCH_WINDOW, SearchQuery, search
from articles.tests.factories import SectionFactory
from articles.tests.publishing import S, fresh_cache, hidden_stories, story  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_cache", "page_cache_off")]


@pytest.fixture
def small_window(monkeypatch):
    """Results hold the 3 newest matches (the window is read at each search, on both databases)."""
    monkeypatch.setattr(search_module, "SEARCH_WINDOW", 3)


def counted(text="", page=1, per_page=20, **filters):
    """(count, more, headlines) of a search's page."""
    results = search(SearchQuery(text=text, **filters), page=page, per_page=per_page)
    return results.count, results.more, [article.headline for article in results.articles]


def wire(count, headline, since=timedelta(hours=2), language="en"):
    """`count` public stories in `language` whose headline holds `headline` and their number, one minute apart,
    the newest `since` ago, written in one batch (the search document is written by `bulk_create` too), in a
    section of their own, which is returned."""
    section = SectionFactory()
    now = timezone.now()
    Article.objects.bulk_create(
        Article(
            headline=f"{headline} {n}",
            slug=f"wire-{n}",
            section=section,
            language=language,
            status=S.PUBLISHED,
            first_published_at=now - since - timedelta(minutes=n),
            last_published_at=now - since - timedelta(minutes=n),
        )
        for n in range(count)
    )
    return section


def count_sentence(html):
    """The sentence that says how many stories matched, as a reader sees it, or None."""
    found = re.search(r'<p class="results-count" id="results-count">(.*?)</p>', html, re.S)
    return found and found.group(1).strip()


def page_number(html):
    found = re.search(r'<span class="page-number">(.*?)</span>', html)
    return found and found.group(1)


def shown(html):
    return re.findall(r'<h3 class="story-headline"><a [^>]+>(.*?)</a>', html)


# The count in `SearchResults`


def test_results_count_none_one_and_several_matches_in_either_order(db):
    assert counted("drought") == (0, False, [])
    story(headline="Drought in Hasakah")
    assert counted("drought")[:2] == counted("drought", sort=NEWEST)[:2] == (1, False)
    for n in range(4):
        story(headline=f"Drought report {n}", age=timedelta(hours=n + 2))
    story(headline="Market opens")
    assert counted("drought")[:2] == counted("drought", sort=NEWEST)[:2] == (5, False)
    # Every page knows the count, not only the first.
    assert counted("drought", page=3, per_page=2) == (5, False, ["Drought report 3"])


def test_counts_leave_out_what_readers_may_not_see_and_follow_the_filters(places, actors):
    hidden = hidden_stories()  # each holds the word "story"
    story(headline="Baghouz story", regions=[places["baghouz"]], actors=[actors["sdf"]])
    story(headline="Old Baghdad story", regions=[places["baghdad"]], age=timedelta(days=40))
    story(headline="Arabic story", slug="ar-story", language="ar", regions=[places["baghouz"]])
    assert counted("story")[:2] == (3, False), f"counts one of {list(hidden)}"
    assert counted("story", sort=NEWEST)[:2] == (3, False)
    assert counted("story", region=places["syria"])[:2] == (2, False)
    assert counted("story", actor=actors["sdf"])[:2] == (1, False)
    assert counted("story", language="en")[:2] == (2, False)
    assert counted("story", date_from=timezone.localdate() - timedelta(days=7))[:2] == (2, False)
    assert counted("story", region=places["iraq"], language="ar")[:2] == (0, False)
    # A search without words counts the filtered public stories.
    assert counted(region=places["syria"])[:2] == (2, False)
    assert counted(language="en")[:2] == (2, False)


def test_a_page_past_the_last_does_not_know_the_count(db):
    story(headline="Water story")
    count, more, found = counted("water", page=2)
    assert (count, more, found) == (None, False, [])


def test_more_matches_than_the_window_are_counted_as_more_and_the_oldest_never_shows(small_window):
    matches = [
        story(headline=f"Drought in Hasakah {n}", body="<p>A report.</p>", age=timedelta(hours=n + 1)) for n in range(3)
    ]
    assert counted("drought report")[:2] == (3, False)  # exactly the window: all of them, no more
    # The fourth is the oldest and the best match (both words in the headline): past the window all the same.
    story(headline="Drought report", age=timedelta(days=3))
    newest_three = [m.headline for m in matches]
    for sort in ("relevance", NEWEST):
        count, more, found = counted("drought report", sort=sort)
        assert (count, more) == (3, True)
        assert sorted(found) == sorted(newest_three)
    assert counted("drought report", sort=NEWEST)[2] == newest_three


def test_a_window_filled_by_recent_stories_still_counts_an_older_match_as_more(small_window):
    # PostgreSQL looks at the last RECENT_DAYS first, and further back only when they hold too few matches:
    # three recent matches fill the window, yet the older fourth must still be counted.
    for n in range(3):
        story(headline=f"Drought report {n}", age=timedelta(days=n + 1))
    story(headline="Drought report long ago", age=timedelta(days=search_module.RECENT_DAYS + 30))
    for sort in ("relevance", NEWEST):
        count, more, found = counted("drought", sort=sort)
        assert (count, more) == (3, True) and "Drought report long ago" not in found


def test_pages_of_a_full_window_end_with_its_last_story(small_window):
    for n in range(5):
        story(headline=f"Drought report {n}", age=timedelta(hours=n + 1))
    results = [search(SearchQuery(text="drought"), page=page, per_page=2) for page in (1, 2, 3)]
    assert [len(r.articles) for r in results] == [2, 1, 0]
    assert [r.has_next for r in results] == [True, False, False]
    assert [r.pages for r in results[:2]] == [2, 2]
    assert results[2].count is None
    newest = [search(SearchQuery(text="drought", sort=NEWEST), page=page, per_page=2) for page in (1, 2)]
    assert [a.headline for r in newest for a in r.articles] == [f"Drought report {n}" for n in range(3)]
    assert not newest[1].has_next


def test_a_search_without_words_counts_back_to_its_depth(db):
    for n in range(4):
        story(headline=f"Filed story {n}", age=timedelta(hours=n + 1))
    hidden_stories()
    results = search(SearchQuery(language="en"), per_page=2, depth=3)
    assert (results.count, results.more, results.reach, results.has_next) == (3, True, 3, True)
    last = search(SearchQuery(language="en"), page=2, per_page=2, depth=3)
    assert [a.headline for a in last.articles] == ["Filed story 2"] and not last.has_next
    assert search(SearchQuery(language="en"), depth=4).count == 4
    assert not search(SearchQuery(language="en"), depth=4).more


# The search page


def test_search_page_says_how_many_stories_matched(client, db):
    html = client.get("/search/", {"q": "drought"}).content.decode()
    assert count_sentence(html) is None and "No stories match your search." in html
    story(headline="Drought in Hasakah")
    html = client.get("/search/", {"q": "drought"}).content.decode()
    assert count_sentence(html) == "1 story matches your search."
    assert page_number(html) is None  # one page: no pages to move between
    for n in range(22):
        story(headline=f"Drought report {n}", age=timedelta(hours=n + 2))
    html = client.get("/search/", {"q": "drought"}).content.decode()
    assert count_sentence(html) == "23 stories match your search."
    assert page_number(html) == "Page 1 of 2"
    second = client.get("/search/", {"q": "drought", "page": 2, "sort": "newest"}).content.decode()
    assert count_sentence(second) == "23 stories match your search."
    assert page_number(second) == "Page 2 of 2" and len(shown(second)) == 3
    # The sentence describes the results section, after its heading.
    section = re.search(r'<section class="search-results"[^>]*>', html).group()
    assert 'aria-labelledby="results-title"' in section and 'aria-describedby="results-count"' in section
    assert html.index('id="results-title"') < html.index('id="results-count"') < html.index('class="story-list"')


def test_search_page_without_words_says_how_many_stories_it_lists(client, db):
    for n in range(3):
        story(headline=f"Filed story {n}", slug=f"f{n}", language="ar")
    story(headline="English story")
    hidden_stories()
    html = client.get("/search/", {"language": "ar"}).content.decode()
    assert count_sentence(html) == "3 stories match your search."


def test_a_page_past_the_last_says_so_rather_than_that_nothing_matched(client, db):
    story(headline="Water story")
    html = client.get("/search/", {"q": "water", "page": 5}).content.decode()
    assert "This page is past the last page of results." in html
    assert "No stories match your search." not in html
    assert count_sentence(html) is None and page_number(html) is None
    assert 'rel="prev" href="?q=water&amp;page=4"' in html


def test_arabic_page_counts_with_the_arabic_plural_forms_and_digits(client, db):
    expected = {
        1: "خبر واحد يطابق بحثك.",
        2: "خبران يطابقان بحثك.",
        3: "٣ أخبار تطابق بحثك.",
        10: "١٠ أخبار تطابق بحثك.",
        11: "١١ خبراً تطابق بحثك.",
        99: "٩٩ خبراً تطابق بحثك.",
        101: "١٠١ خبر تطابق بحثك.",
    }
    made = 0
    for number, sentence in expected.items():
        wire(number - made, "Drought report", since=timedelta(days=made + 1))
        made = number
        html = client.get("/ar/search/", {"q": "drought"}).content.decode()
        assert count_sentence(html) == sentence, number
    assert page_number(html) == "الصفحة ١ من ٦"


def test_search_page_says_when_more_stories_match_than_it_shows(client, db):
    wire(SEARCH_WINDOW, "Drought report")
    html = client.get("/search/", {"q": "drought"}).content.decode()
    assert count_sentence(html) == f"{SEARCH_WINDOW} stories match your search."
    story(headline="Drought, drought and drought", age=timedelta(days=30))  # the oldest, the best match
    story(headline="Drought", status=S.DRAFT)
    for sort in ("relevance", "newest"):
        html = client.get("/search/", {"q": "drought", "sort": sort}).content.decode()
        assert count_sentence(html) == (
            "More than 150 stories match your search. Results show the newest 150; "
            "to search further back, set the From and To dates."
        )
        assert page_number(html) == "Page 1 of 8"
        last = client.get("/search/", {"q": "drought", "sort": sort, "page": 8}).content.decode()
        assert page_number(last) == "Page 8 of 8" and 'rel="next"' not in last
        assert len(shown(last)) == 10 and "and <mark>drought</mark>" not in last
    arabic = client.get("/ar/search/", {"q": "drought"}).content.decode()
    assert count_sentence(arabic) == (
        "أكثر من ١٥٠ خبراً تطابق بحثك. تعرض النتائج أحدث ١٥٠ منها؛ للبحث في الأخبار الأقدم، حدّد «من تاريخ» و«إلى تاريخ»."
    )
    assert page_number(arabic) == "الصفحة ١ من ٨"


def test_counts_past_a_thousand_are_grouped_as_each_edition_writes_them(client, db):
    # A search without words reaches back views.LIST_DEPTH (2,000) stories: one more is "more than".
    wire(views.LIST_DEPTH + 1, "Filed story")
    english = client.get("/search/", {"language": "en"}).content.decode()
    assert count_sentence(english) == (
        "More than 2,000 stories match your search. Results show the newest 2,000; "
        "to search further back, set the From and To dates."
    )
    assert page_number(english) == "Page 1 of 100"
    arabic = client.get("/ar/search/", {"language": "en"}).content.decode()
    assert count_sentence(arabic) == (
        "أكثر من ٢٬٠٠٠ خبر تطابق بحثك. تعرض النتائج أحدث ٢٬٠٠٠ منها؛ "
        "للبحث في الأخبار الأقدم، حدّد «من تاريخ» و«إلى تاريخ»."
    )
    assert page_number(arabic) == "الصفحة ١ من ١٠٠"


@pytest.fixture
def one_story_a_page(monkeypatch):
    """Pages of one story each, so that a thousand stories fill a thousand pages (at twenty a page, lists and
    search stop at LIST_DEPTH // PAGE_SIZE = 100 pages); read by the views at each request."""
    monkeypatch.setattr(views, "PAGE_SIZE", 1)


def test_search_pages_past_the_thousandth_are_numbered_with_grouped_thousands(client, db, one_story_a_page):
    wire(999, "Filed story")
    english = client.get("/search/", {"language": "en", "page": 999}).content.decode()
    arabic = client.get("/ar/search/", {"language": "en", "page": 999}).content.decode()
    assert count_sentence(english) == "999 stories match your search."
    assert count_sentence(arabic) == "٩٩٩ خبراً تطابق بحثك."  # the plural of 11 to 99 (in the hundred): 999 itself
    assert page_number(english) == "Page 999 of 999" and page_number(arabic) == "الصفحة ٩٩٩ من ٩٩٩"

    wire(1, "Older filed story", since=timedelta(days=1))  # the thousandth story, the oldest
    english = client.get("/search/", {"language": "en", "page": 1000}).content.decode()
    arabic = client.get("/ar/search/", {"language": "en", "page": 1000}).content.decode()
    assert count_sentence(english) == "1,000 stories match your search."
    assert count_sentence(arabic) == "١٬٠٠٠ خبر تطابق بحثك."  # the plural of whole hundreds, chosen by 1000
    assert page_number(english) == "Page 1,000 of 1,000" and page_number(arabic) == "الصفحة ١٬٠٠٠ من ١٬٠٠٠"
    assert shown(english) == ["Older filed story 0"]
    # Addresses carry plain numbers.
    assert 'rel="prev" href="?language=en&amp;page=999"' in english and "page=1,000" not in english


def test_list_pages_past_the_thousandth_are_numbered_with_grouped_thousands(client, db, one_story_a_page):
    year = timezone.localdate().year
    for language, prefix, expected in [
        ("en", "", "Page 1,000 of 1,001"),
        ("ar", "/ar", "الصفحة ١٬٠٠٠ من ١٬٠٠١"),
    ]:
        section = wire(1001, "Filed story", language=language)
        html = client.get(f"{prefix}/section/{section.slug}/", {"page": 1000}).content.decode()
        assert page_number(html) == expected
        assert 'rel="prev" href="?page=999"' in html and 'rel="next" href="?page=1001"' in html
        # The story's date keeps its year as a year (never "2,026").
        dated = re.search(r'<li class="story[^"]*"[^>]*>.*?<time [^>]+>(.*?)</time>', html, re.S).group(1)
        assert dated.endswith(str(year) if language == "en" else str(year).translate(ARABIC_DIGITS))
        assert "," not in dated and "٬" not in dated, dated


ARABIC_DIGITS = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")


MORE = "More than 150 stories match your search."


@pytest.mark.parametrize(
    "address, sentence",
    [
        ("/search/?q=drought", MORE),
        ("/search/?q=drought&sort=newest", MORE),
        ("/search/?q=drought&page=8", MORE),
        ("/search/?language=en", "151 stories match your search."),
    ],
)
def test_the_count_costs_no_query(client, db, address, sentence):
    wire(SEARCH_WINDOW + 1, "Drought report")
    client.get(address)  # the menu, the section filter's options and the names in the words, cached
    with CaptureQueriesContext(connection) as queries:
        html = client.get(address).content.decode()
    assert count_sentence(html).startswith(sentence)
    # The page's stories with their count, then their authors: as many as before there was a count.
    assert len(queries) == 2
