"""Search: ranking, names and aliases, Arabic folding, filters, a current index, and clear errors."""

import re
from datetime import date, timedelta

import pytest
from django.db import connection
from django.utils import timezone

from articles.models import ActorAlias, Article, ArticleRegion
from articles.search import NEWEST, SearchQuery, query_terms, search, snippet
from articles.taxonomy import add_aliases, merge
from articles.tests.factories import ActorFactory, ArticleFactory, SectionFactory
from articles.tests.publishing import S, fresh_cache, hidden_stories, story  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_cache")]


def headlines(text="", **filters):
    return [a.headline for a in search(SearchQuery(text=text, **filters)).articles]


def newest(text="", **filters):
    return headlines(text, sort=NEWEST, **filters)


def shown_headlines(html):
    """The results' headlines as a reader sees them, in order, without highlighting."""
    return [re.sub("<[^>]+>", "", h) for h in re.findall(r'<h3 class="story-headline"><a [^>]+>(.*?)</a>', html)]


def test_headline_match_ranks_above_standfirst_and_body_matches(db):
    body = story(headline="Council meets in Basra", body="<p>Talks on the water crisis in Mosul went on.</p>")
    stand = story(headline="Council meets again", standfirst="Mosul water talks resume")
    title = story(headline="Mosul water crisis deepens", age=timedelta(days=3))
    assert headlines("mosul water") == [title.headline, stand.headline, body.headline]


def test_every_word_must_match(db):
    story(headline="Mosul water crisis")
    story(headline="Mosul election results")
    assert headlines("mosul election") == ["Mosul election results"]


def test_word_beginnings_match_longer_forms(db):
    story(headline="Fighters killed near Raqqa")
    assert headlines("kill") == ["Fighters killed near Raqqa"]


def test_actor_alias_finds_stories_tagged_with_the_actor(actors):
    tagged = story(headline="Militants attack checkpoint", actors=[actors["isis"]])
    story(headline="Unrelated market story")
    found = search(SearchQuery(text="Daesh"))
    assert [a.headline for a in found.articles] == [tagged.headline]
    assert [c.words for c in found.concepts] == [["daesh"]]


def test_a_new_alias_is_recognised_by_a_search_made_before_it_existed(actors, django_capture_on_commit_callbacks):
    # Names found in a query are cached with the vocabulary: an alias added since must still count.
    tagged = story(headline="Militants attack checkpoint", actors=[actors["sdf"]])
    assert search(SearchQuery(text="Kurdish-led forces")).concepts == []
    with django_capture_on_commit_callbacks(execute=True):
        add_aliases(actors["sdf"], ["Kurdish-led forces"])
    found = search(SearchQuery(text="Kurdish-led forces"))
    assert [a.headline for a in found.articles] == [tagged.headline]
    with django_capture_on_commit_callbacks(execute=True):
        ActorAlias.objects.filter(name="Kurdish-led forces").delete()
    assert search(SearchQuery(text="Kurdish-led forces")).articles == []


def test_an_alias_loaded_from_a_gazetteer_file_is_recognised_at_once(actors, django_capture_on_commit_callbacks):
    from articles.gazetteer import load_actors

    tagged = story(headline="Checkpoint attacked overnight", actors=[actors["sdf"]])
    assert search(SearchQuery(text="Kurdish-led forces")).concepts == []
    row = {"slug": "syrian-democratic-forces", "name": "Syrian Democratic Forces", "kind": "armed_group",
           "aliases": "SDF|Kurdish-led forces"}  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        report = load_actors([row])  # the entry itself is unchanged: only the alias is new
    assert report.aliases == 1, report
    assert [a.headline for a in search(SearchQuery(text="Kurdish-led forces")).articles] == [tagged.headline]


def test_place_alias_with_other_words_needs_both(places):
    story(headline="Shelling reported overnight", regions=[places["deir"]])
    story(headline="Shelling reported in Aleppo")
    story(headline="Market reopens", regions=[places["deir"]])
    assert headlines("Deir Ezzor shelling") == ["Shelling reported overnight"]


def test_story_tagged_with_the_named_place_ranks_above_one_that_only_mentions_it(places):
    mentions = story(headline="Shelling overnight in town", body="<p>Shelling in Deir Ezzor.</p>")
    tagged = story(
        headline="Shelling overnight in city",
        body="<p>Shelling in Deir Ezzor.</p>",
        regions=[places["deir"]],
        age=timedelta(days=2),
    )
    assert headlines("Deir Ezzor shelling") == [tagged.headline, mentions.headline]


def test_search_follows_tags_added_removed_moved_and_merged(places, actors):
    article = story(headline="Checkpoint attacked overnight")
    assert headlines("Daesh") == []
    article.actors.add(actors["isis"])
    assert headlines("Daesh") == [article.headline]
    article.actors.remove(actors["isis"])
    assert headlines("Daesh") == []
    article.regions.add(places["baghdad"])
    assert headlines("Baghouz") == []
    ArticleRegion.objects.filter(content_object=article).update(tag=places["baghouz"])  # a raw move of links
    assert headlines("Al-Baghouz") == [article.headline] and headlines("Baghdad") == []
    # A duplicate actor folded into the Islamic State: its stories are found by the Islamic State's aliases.
    duplicate = ActorFactory(name="Tanzim al-Dawla", slug="tanzim")
    article.actors.add(duplicate)
    merge(actors["isis"], [duplicate])
    assert headlines("ISIL") == [article.headline]


def test_arabic_query_without_hamza_and_with_haa_finds_the_proper_spelling(db):
    article = story(headline="مقتل قيادي في تنظيم الدولة الإسلامية", slug="a1", language="ar")
    story(headline="افتتاح سوق في الموصل", slug="a2", language="ar")
    assert headlines("الدوله الاسلاميه") == [article.headline]


def test_arabic_query_finds_words_with_attached_prefixes(db):
    article = story(
        headline="تظاهرات في البصرة", body="<p>وقال مسؤول للعراق إن الوضع هادئ.</p>", slug="a", language="ar"
    )
    assert headlines("العراق") == [article.headline]


@pytest.mark.parametrize(
    "query",
    ["بدمشق", "ودمشق", "لدمشق", "الهدنة", "والهدنة", "بالهدنة", "للهدنة"],
)
def test_an_arabic_query_word_with_an_attached_prefix_finds_the_word_without_it(db, query):
    truce = story(headline="هدنة هشة في دمشق", body="<p>قال مسؤول إن الهدنة صامدة.</p>", slug="a", language="ar")
    decoy = story(headline="افتتاح سوق في الموصل", body="<p>دمشقي يزور السوق.</p>", slug="b", language="ar")
    found = headlines(query)
    assert truce.headline in found
    # Its form without the prefix is matched whole: "دمشقي" (Damascene) is another word.
    assert decoy.headline not in found
    # The headline's word is highlighted for the query's form without the prefix.
    word = "دمشق" if "دمشق" in query else "هدنة"
    result = search(SearchQuery(text=query)).articles[0]
    assert f"<mark>{word}</mark>" in str(result.headline_html)


def test_an_arabic_query_word_whose_rest_is_a_common_start_finds_no_unrelated_words(db):
    # "كتاب" (a book) is not "ك" + "تاب": its form without a prefix is matched whole, never as a word's start.
    book = story(headline="معرض الكتاب في بغداد", slug="a", language="ar")
    follow = story(headline="تابع المراسل الأخبار", slug="b", language="ar")
    assert headlines("كتاب") == [book.headline]
    assert follow.headline not in headlines("كتاب")


def test_a_place_named_with_an_attached_prefix_finds_the_stories_tagged_with_it(places):
    tagged = story(headline="Shelling near the river", regions=[places["deir"]])
    capital = story(headline="Protest in the capital", regions=[places["baghdad"]])
    assert headlines("بدير الزور") == [tagged.headline]
    assert headlines("لبغداد") == [capital.headline]


@pytest.mark.parametrize(
    "query, surname, city",
    [
        ("Baghdad", "Widow of al-Baghdadi sentenced", "Crowds gathered in Baghdad."),
        ("بغداد", "أرملة البغدادي أمام المحكمة", "تجمع محتجون في بغداد."),
    ],
)
def test_stories_tagged_with_a_named_place_rank_above_a_headline_holding_a_longer_word(places, query, surname, city):
    language = "en" if query.isascii() else "ar"
    widow = story(headline=surname, body="<p>The court ruled.</p>", slug="a", language=language)
    protest = story(headline="Protest", body=f"<p>{city}</p>", slug="b", regions=[places["baghdad"]], language=language)
    assert headlines(query) == [protest.headline, widow.headline]


def test_arabic_actor_alias_finds_tagged_stories(actors):
    article = story(headline="Attack near Hajin", actors=[actors["isis"]])
    assert headlines("داعش") == [article.headline]


def test_search_never_finds_what_readers_may_not_see(db):
    hidden = hidden_stories()
    visible = story(headline="Story readers may see")
    found = headlines("story")
    assert found == [visible.headline], f"leaked: {set(found) - {visible.headline}} of {list(hidden)}"


def test_filters_by_section_place_actor_language_and_dates(places, actors):
    politics = SectionFactory(name="Politics", slug="politics")
    old = story(headline="Baghouz story old", regions=[places["baghouz"]], age=timedelta(days=40))
    new = story(headline="Baghouz story new", regions=[places["baghouz"]], actors=[actors["sdf"]], section=politics)
    arabic = story(headline="Baghouz story arabic", slug="b", language="ar", regions=[places["baghouz"]])
    elsewhere = story(headline="Baghdad story", regions=[places["baghdad"]])
    assert set(headlines("story", region=places["syria"])) == {old.headline, new.headline, arabic.headline}
    assert headlines("story", section=politics) == [new.headline]
    assert headlines("story", actor=actors["sdf"]) == [new.headline]
    assert headlines("story", language="ar") == [arabic.headline]
    today = timezone.localdate()
    assert old.headline not in headlines("story", date_from=today - timedelta(days=7))
    assert headlines("story", date_to=today - timedelta(days=30)) == [old.headline]
    assert headlines("story", region=places["iraq"]) == [elsewhere.headline]


def test_results_are_paged_without_counting(db):
    for n in range(25):
        story(headline=f"Numbered story {n}", age=timedelta(minutes=n))
    first = search(SearchQuery(text="story"), page=1)
    second = search(SearchQuery(text="story"), page=2)
    assert len(first.articles) == 20 and first.has_next
    assert len(second.articles) == 5 and not second.has_next and second.has_previous


# Newest first: the same matches, by public time


def test_newest_first_puts_a_weak_new_match_before_a_strong_old_one(db):
    strong_old = story(
        headline="Ceasefire talks: ceasefire holds",
        standfirst="The ceasefire agreed in Deir ez-Zor held overnight.",
        age=timedelta(days=3),
    )
    weak_new = story(headline="Market report", body="<p>Traders spoke of the ceasefire.</p>")
    story(headline="Market report from Raqqa")  # newer still, but no match
    assert headlines("ceasefire") == [strong_old.headline, weak_new.headline]
    assert newest("ceasefire") == [weak_new.headline, strong_old.headline]


def test_newest_first_counts_a_scheduled_storys_time_and_breaks_ties_by_the_later_story(db):
    now = timezone.now()
    # Many mentions and an older id: relevance puts it first, newest first after its twin of the same time.
    earlier_id = story(headline="Ceasefire in the north", body="<p>Ceasefire, ceasefire, ceasefire.</p>")
    later_id = story(headline="Ceasefire in the south")
    moment = now - timedelta(hours=3)
    Article.objects.filter(pk__in=[earlier_id.pk, later_id.pk]).update(
        first_published_at=moment, last_published_at=moment
    )
    # Live by schedule half an hour ago: its public time is the scheduled one.
    scheduled = story(S.SCHEDULED, headline="Market news", standfirst="A ceasefire.", scheduled_for=now)
    Article.objects.filter(pk=scheduled.pk).update(scheduled_for=now - timedelta(minutes=30))
    assert newest("ceasefire") == [scheduled.headline, later_id.headline, earlier_id.headline]
    assert headlines("ceasefire")[-1] == scheduled.headline  # a standfirst match: last by relevance


def test_newest_first_keeps_every_filter_and_hides_what_readers_may_not_see(places, actors):
    politics = SectionFactory(name="Politics", slug="politics")
    hidden_stories()  # every headline holds "story"
    # The newer a story, the weaker its match: relevance would give the opposite order on both databases.
    old = story(
        headline="Baghouz story old",
        standfirst="A story of the story.",
        regions=[places["baghouz"]],
        age=timedelta(days=40),
    )
    arabic = story(
        headline="Baghouz story arabic", slug="b", language="ar", regions=[places["baghouz"]], age=timedelta(hours=2)
    )
    new = story(
        headline="Baghouz report new",
        body="<p>The story.</p>",
        regions=[places["baghouz"]],
        actors=[actors["sdf"]],
        section=politics,
    )
    elsewhere = story(headline="Baghdad report", body="<p>A story.</p>", regions=[places["baghdad"]], age=timedelta(0))
    assert headlines("story", region=places["syria"]) != newest("story", region=places["syria"])
    assert newest("story") == [elsewhere.headline, new.headline, arabic.headline, old.headline]
    assert newest("story", region=places["syria"]) == [new.headline, arabic.headline, old.headline]
    assert newest("story", section=politics) == [new.headline]
    assert newest("story", actor=actors["sdf"]) == [new.headline]
    assert newest("story", language="ar") == [arabic.headline]
    today = timezone.localdate()
    assert newest("story", date_from=today - timedelta(days=7)) == [elsewhere.headline, new.headline, arabic.headline]
    assert newest("story", date_to=today - timedelta(days=30)) == [old.headline]


def test_newest_first_finds_stories_tagged_with_a_named_actor(actors):
    named = story(headline="Daesh claims the Daesh attack", age=timedelta(hours=1))
    tagged = story(headline="Checkpoint attacked at dawn", actors=[actors["isis"]], age=timedelta(hours=5))
    story(headline="Another checkpoint opens")
    # By relevance the story tagged with the actor comes first (TAG_BONUS), whatever the other's headline says.
    assert headlines("daesh") == [tagged.headline, named.headline]
    assert newest("daesh") == [named.headline, tagged.headline]


def test_relevance_and_newest_first_for_the_same_words_keep_their_own_orders(db):
    # The first pages of each order run their own compiled query: asking in turn must not mix them up.
    strong_old = story(headline="Water crisis: water rationed", age=timedelta(days=2))
    weak_new = story(headline="Dams report", body="<p>Water levels fell.</p>")
    for _ in range(2):
        assert headlines("water") == [strong_old.headline, weak_new.headline]
        assert newest("water") == [weak_new.headline, strong_old.headline]


def test_an_unknown_order_is_refused_by_search_itself(db):
    with pytest.raises(ValueError, match="unknown order"):
        search(SearchQuery(text="water", sort="oldest"))


@pytest.mark.parametrize("page", ["99999999999999999999999", "9223372036854775808", "100", "250"])
def test_a_page_number_past_the_last_shows_the_last_page_of_results_not_an_error(client, page):
    story(headline="Water story")
    response = client.get("/search/", {"q": "water", "page": page})
    html = response.content.decode()
    assert response.status_code == 200
    assert "This page is past the last page of results." in html and 'rel="prev" href="?q=water&amp;page=99"' in html


@pytest.mark.parametrize("page", ["abc", "-5", "0", "1e5", ""])
def test_a_page_that_is_not_a_positive_number_shows_the_first(client, page):
    story(headline="Water story")
    html = client.get("/search/", {"q": "water", "page": page}).content.decode()
    assert "<mark>Water</mark> story" in html and 'rel="prev"' not in html


def test_pages_past_the_prepared_ones_and_shapes_past_the_bound_find_the_same_stories(places, actors, monkeypatch):
    from articles import search as search_module

    for n in range(12):
        story(headline=f"Numbered story {n}", regions=[places["baghouz"]], age=timedelta(minutes=n))
    story(headline="Daesh story", actors=[actors["isis"]], regions=[places["baghouz"]])
    queries = [
        (SearchQuery(text="story"), 1),
        (SearchQuery(text="numbered story", region=places["syria"], language="en"), 2),
        (SearchQuery(text="daesh story"), 1),
        (SearchQuery(region=places["syria"], date_from=timezone.localdate() - timedelta(days=1)), 2),
        (SearchQuery(text="story", sort=NEWEST), 2),
        (SearchQuery(text="daesh story", region=places["syria"], sort=NEWEST), 1),
    ]

    def pages():
        return [
            [(a.headline, str(a.snippet)) for a in search(query, page=page, per_page=5).articles]
            for query, page in queries
        ]

    prepared = pages()
    assert [len(found) for found in prepared] == [5, 5, 1, 5, 5, 1]
    assert prepared == pages()  # the same queries again, now compiled
    monkeypatch.setattr(search_module, "PREPARED_PAGES", 0)
    assert pages() == prepared
    monkeypatch.undo()
    monkeypatch.setattr(search_module, "PREPARED_SHAPES", 0)
    monkeypatch.setattr(search_module, "_prepared_pages", {})
    assert pages() == prepared


def test_snippets_highlight_matches_and_escape_the_text(db):
    story(headline="Water <b>crisis</b> in Mosul", standfirst="The water crisis & the dams.")
    result = search(SearchQuery(text="water")).articles[0]
    assert str(result.headline_html) == "<mark>Water</mark> &lt;b&gt;crisis&lt;/b&gt; in Mosul"
    assert "<mark>water</mark> crisis &amp; the dams." in str(result.snippet)


def test_snippet_reads_the_body_as_plain_text(db):
    body = "<p>Dams&nbsp;and</p><p>the <b>water</b>\n\nlevel &amp;  <i>the</i>river.</p>"
    story(headline="Dams", standfirst="On the river:", body=body)
    result = search(SearchQuery(text="water")).articles[0]
    assert str(result.snippet) == "On the river: Dams and the <mark>water</mark> level &amp; the river."


def test_arabic_snippet_highlights_the_folded_match(db):
    story(headline="تنظيم الدولة الإسلامية", slug="x", language="ar")
    result = search(SearchQuery(text="الدوله")).articles[0]
    assert "<mark>الدولة</mark>" in str(result.headline_html)


@pytest.mark.parametrize(
    "query, decoy, match, marked",
    [
        ("oil", "turmoil", "Oil,", "<mark>Oil</mark>,"),
        ("al", "also", "al-Hasakah", "<mark>al</mark>-Hasakah"),
        ("fire", "bonfire", "\ufb01res", "<mark>\ufb01res</mark>"),  # the ligature "fi" folds to "fi"
        ("kirkuk", "Kirk", "“\u212airkuk”", "“<mark>\u212airkuk</mark>”"),  # the Kelvin sign folds to "k"
        ("2024", "12024", "\u0662\u0660\u0662\u0664", "<mark>\u0662\u0660\u0662\u0664</mark>"),  # Arabic-Indic digits
        ("kirkuk", "والنفط", "بـKirkuk", "<mark>بـKirkuk</mark>"),  # "ب" and the tatweel come off
        ("الموصل", "موصل", "بالموصل", "<mark>بالموصل</mark>"),
    ],
)
def test_snippet_opens_near_the_first_word_that_matches_as_search_folds_it(query, decoy, match, marked):
    words = [f"w{n}" for n in range(100)]
    words[20], words[70] = decoy, match
    shown = str(snippet(" ".join(words), query_terms(query)))
    assert shown.startswith("… w60 w61") and f"w69 {marked} w71" in shown
    assert shown.count("<mark>") == 1


# The index stays current however the text is written.


def test_index_follows_edits_saved_through_the_model(db):
    article = story(headline="Old words here")
    article.headline = "Fresh words here"
    article.save()
    assert headlines("fresh") == ["Fresh words here"]
    assert headlines("old") == []


def test_index_is_written_by_bulk_create_and_bulk_update(db):
    section = SectionFactory()
    now = timezone.now()
    created = Article.objects.bulk_create(
        [
            Article(
                headline=f"Imported wire story {n}",
                slug=f"w{n}",
                section=section,
                status=S.PUBLISHED,
                first_published_at=now,
                last_published_at=now,
            )
            for n in range(3)
        ]
    )
    assert len(headlines("imported wire")) == 3
    created[0].headline = "Rewritten by the importer"
    Article.objects.bulk_update(created[:1], ["headline"])
    assert headlines("rewritten") == ["Rewritten by the importer"]
    assert len(headlines("imported wire")) == 2


def test_refresh_search_repairs_raw_updates(db):
    article = story(headline="Before the raw update")
    Article.objects.filter(pk=article.pk).update(headline="After the raw update")
    assert headlines("after") == []
    assert Article.objects.filter(pk=article.pk).refresh_search() == 1
    assert headlines("after") == ["After the raw update"]


# The search page


def test_search_page_shows_results_with_highlighting(client, actors):
    story(headline="Militants attack checkpoint", actors=[actors["isis"]], standfirst="An attack at dawn.")
    html = client.get("/search/", {"q": "attack"}).content.decode()
    assert "Militants <mark>attack</mark> checkpoint" in html


def test_search_page_explains_bad_filters_instead_of_failing(client, places):
    response = client.get(
        "/search/", {"q": "x", "region": "Atlantis", "date_from": "2026-03-10", "date_to": "2026-03-01"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "No place called “Atlantis”." in html
    assert "The end date is before the start date." in html


def test_search_page_keeps_the_readers_choices_and_escapes_what_they_typed(client, places):
    SectionFactory(name="Politics", slug="politics")
    typed = {
        "q": "x",
        "section": "politics",
        "language": "ar",
        "region": '"><script>x</script>',
        "date_from": "2026-03-01",
    }
    html = client.get("/search/", typed).content.decode()
    assert '<option value="politics" selected>Politics</option>' in html
    assert '<option value="ar" selected>Arabic</option>' in html and '<option value="" selected>' not in html
    assert '<input type="date" name="date_from" value="2026-03-01" id="id_date_from">' in html
    assert (
        '<input type="text" name="region" value="&quot;&gt;&lt;script&gt;x&lt;/script&gt;" maxlength="150" '
        'aria-invalid="true"'
    ) in html
    assert "<script>x</script>" not in html


def test_search_page_offers_most_relevant_first_and_keeps_newest_first_when_chosen(client, db):
    story(headline="Water story")
    blank = client.get("/search/").content.decode()
    assert '<label for="id_sort">Sort by</label>' in blank
    assert '<option value="relevance" selected>Most relevant</option>' in blank
    chosen = client.get("/search/", {"q": "water", "sort": "newest"}).content.decode()
    assert '<option value="newest" selected>Newest first</option>' in chosen
    assert '<option value="relevance">Most relevant</option>' in chosen
    # The masthead's form sends no order: most relevant, the first option, which the browser shows chosen.
    masthead = client.get("/search/", {"q": "water"}).content.decode()
    assert "<mark>Water</mark> story" in masthead and " selected>Newest first" not in masthead


def test_newest_first_survives_pagination(client, db):
    # Even stories name the water in the headline, odd ones in the body only: relevance would show the
    # even ones first on both databases, newest first goes by time alone.
    for n in range(25):
        words = (
            {"headline": f"Water report {n}"} if n % 2 == 0 else {"headline": f"Report {n}", "body": "<p>Water.</p>"}
        )
        story(**words, age=timedelta(minutes=n))
    first = client.get("/search/", {"q": "water", "sort": "newest"}).content.decode()
    assert 'rel="next" href="?q=water&amp;sort=newest&amp;page=2"' in first
    assert shown_headlines(first) == [f"Water report {n}" if n % 2 == 0 else f"Report {n}" for n in range(20)]
    second = client.get("/search/", {"q": "water", "sort": "newest", "page": "2"}).content.decode()
    assert shown_headlines(second) == [
        "Water report 20",
        "Report 21",
        "Water report 22",
        "Report 23",
        "Water report 24",
    ]
    assert 'rel="prev" href="?q=water&amp;sort=newest&amp;page=1"' in second and 'rel="next"' not in second
    assert '<option value="newest" selected>Newest first</option>' in second


@pytest.mark.parametrize("value", ["oldest", "Newest", "newest ", "date"])
def test_an_unknown_order_is_explained_next_to_its_field(client, db, value):
    story(headline="Water story")
    html = client.get("/search/", {"q": "water", "sort": value}).content.decode()
    assert '<select name="sort" aria-invalid="true" aria-describedby="id_sort_error" id="id_sort">' in html
    assert (
        f'<p class="error" id="id_sort_error" role="alert">Select a valid choice. {value} is not one of the '
        "available choices.</p>"
    ) in html
    assert "<mark>Water</mark> story" not in html  # like any bad filter: explained, not searched


def test_an_empty_order_is_most_relevant(client, db):
    story(headline="Market report", body="<p>Water levels fell.</p>")
    story(headline="Water crisis deepens", age=timedelta(days=2))
    html = client.get("/search/", {"q": "water", "sort": ""}).content.decode()
    assert shown_headlines(html) == ["Water crisis deepens", "Market report"]
    assert 'aria-invalid="true"' not in html


def test_arabic_search_page_offers_the_orders_in_arabic(client, db):
    older = story(headline="سقوط الباغوز", slug="سقوط-الباغوز", language="ar", age=timedelta(days=2))
    newer = story(headline="مخيم الهول", slug="مخيم-الهول", language="ar", body="<p>أهالي الباغوز في المخيم.</p>")
    html = client.get("/ar/search/", {"q": "الباغوز", "sort": "newest"}).content.decode()
    assert '<label for="id_sort">ترتيب النتائج</label>' in html
    assert '<option value="relevance">الأكثر صلة</option>' in html
    assert '<option value="newest" selected>الأحدث أولاً</option>' in html
    assert shown_headlines(html) == [newer.headline, older.headline]
    assert shown_headlines(client.get("/ar/search/", {"q": "الباغوز"}).content.decode()) == [
        older.headline,
        newer.headline,
    ]


def test_a_filters_error_is_the_description_of_its_field(client, places):
    html = client.get("/search/", {"q": "x", "region": "Atlantis"}).content.decode()
    assert (
        'name="region" value="Atlantis" maxlength="150" aria-invalid="true" aria-describedby="id_region_error"' in html
    )
    assert '<p class="error" id="id_region_error" role="alert">No place called “Atlantis”.</p>' in html


def test_search_page_reads_its_menu_options_and_names_in_one_cache_round_trip(client, actors, monkeypatch, settings):
    from articles import caching

    settings.NEWSROOM_PAGE_CACHE_SECONDS = 0
    story(headline="Daesh attack on a checkpoint", actors=[actors["isis"]])
    client.get("/search/", {"q": "daesh checkpoint"})  # the menu, the options and the names are cached now
    lookups = []
    real = caching._get_many
    monkeypatch.setattr(caching, "_get_many", lambda keys: lookups.append(keys) or real(keys))
    html = client.get("/search/", {"q": "daesh checkpoint"}).content.decode()
    assert "<mark>Daesh</mark> attack on a <mark>checkpoint</mark>" in html
    assert len(lookups) == 1


def test_search_page_names_the_actors_and_places_it_counted_and_links_to_them(client, actors, places):
    story(headline="Attack near the river", actors=[actors["isis"]], regions=[places["baghouz"]])
    html = client.get("/search/", {"q": "Daesh ISIS Al-Baghouz attack"}).content.decode()
    # The entries by their names (each once, though two words named the Islamic State), not the words typed.
    named = re.search(r'<p class="concepts">(.*?)</p>', html, re.S).group(1)
    assert re.findall(r'<a class="concept" href="([^"]+)"><bdi>([^<]+)</bdi></a>', named) == [
        ("/region/baghouz/", "Baghouz"),
        ("/actor/islamic-state/", "Islamic State"),
    ]
    # Arabic edition: Arabic names and the Arabic edition's pages.
    html = client.get("/ar/search/", {"q": "داعش"}).content.decode()
    named = re.search(r'<p class="concepts">(.*?)</p>', html, re.S).group(1)
    assert re.findall(r'href="([^"]+)"><bdi>([^<]+)</bdi>', named) == [
        ("/ar/actor/islamic-state/", "تنظيم الدولة الإسلامية")
    ]


def test_search_page_names_nothing_when_no_word_names_an_entry(client, actors):
    story(headline="Water story")
    html = client.get("/search/", {"q": "water"}).content.decode()
    assert "<mark>Water</mark> story" in html and 'class="concepts"' not in html


def test_a_renamed_actor_is_shown_by_its_new_name_at_once(client, actors, django_capture_on_commit_callbacks):
    story(headline="Attack near the river", actors=[actors["isis"]])
    assert ">Islamic State</bdi>" in client.get("/search/", {"q": "Daesh"}).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        actors["isis"].name = "Islamic State group"
        actors["isis"].save()
    html = client.get("/search/", {"q": "Daesh"}).content.decode()
    assert ">Islamic State group</bdi>" in html and ">Islamic State</bdi>" not in html


def test_section_filter_offers_any_section_and_names_sections_in_the_pages_language(client, db):
    news = SectionFactory(name="Syria News", name_ar="أخبار سوريا", slug="syria-news")
    SectionFactory(name="Raqqa", name_ar="الرقة", slug="raqqa", parent=news)
    SectionFactory(name="Opinion", slug="opinion")  # no Arabic name: the English one stands in
    english = client.get("/search/").content.decode()
    assert '<option value="" selected>Any section</option>' in english
    assert '<option value="raqqa">Syria News &gt; Raqqa</option>' in english
    arabic = client.get("/ar/search/").content.decode()
    assert '<option value="" selected>أي قسم</option>' in arabic
    assert '<option value="raqqa">أخبار سوريا &gt; الرقة</option>' in arabic
    assert '<option value="opinion">Opinion</option>' in arabic
    assert "---------" not in english + arabic


def test_search_page_rejects_an_impossible_date(client, db):
    html = client.get("/search/", {"q": "x", "date_from": "2026-02-31"}).content.decode()
    assert "Enter a valid date." in html


@pytest.mark.parametrize("edition", ["", "/ar"])
@pytest.mark.parametrize(
    "field, day", [("date_from", "0001-01-01"), ("date_to", "9999-12-31"), ("date_to", "1899-12-31")]
)
def test_a_date_at_the_calendars_edge_is_explained_not_a_server_error(client, db, edition, field, day):
    response = client.get(f"{edition}/search/", {"q": "hol", field: day})
    assert response.status_code == 200
    page = response.content.decode()
    assert f'id="id_{field}_error"' in page
    assert ("أدخل تاريخًا بين عامَي 1900 و2999." if edition else "Enter a date between the years 1900 and 2999.") in page


def test_a_to_date_alone_lists_the_stories_up_to_it(client, db):
    older = story(headline="Story of the spring", age=timedelta(days=200))
    newer = story(headline="Story of this week", age=timedelta(days=2))
    day = (timezone.localdate() - timedelta(days=100)).isoformat()
    page = client.get("/search/", {"date_to": day}).content.decode()
    assert older.headline in page
    assert newer.headline not in page


def test_a_query_too_long_is_explained_beside_the_box(client, db):
    story(headline="Syria story")
    page = client.get("/search/", {"q": "syria " * 40}).content.decode()
    assert 'id="id_q_error"' in page
    assert "at most 200 characters" in page
    assert 'aria-describedby="id_q_error"' in page


def test_search_page_accepts_a_place_name_or_alias_as_filter(client, places):
    article = story(headline="Baghouz story", regions=[places["baghouz"]])
    html = client.get("/search/", {"q": "story", "region": "Al-Baghouz"}).content.decode()
    assert article.get_absolute_url() in html


def test_empty_search_shows_the_form_only(client, db):
    html = client.get("/search/").content.decode()
    assert 'name="q"' in html and "Results" not in html


# PostgreSQL specifics


def test_postgres_search_uses_a_gin_index_of_words_and_tags(on_postgres):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexdef FROM pg_indexes WHERE tablename = 'articles_article' AND indexname = %s",
            ["article_search_gin"],
        )
        (definition,) = cursor.fetchone()
        cursor.execute(
            "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = 'articles_article' "
            "AND column_name IN ('search_document', 'search_tags') ORDER BY column_name"
        )
        columns = cursor.fetchall()
    assert "USING gin (article_search_terms(search_document, search_tags))" in definition
    assert columns == [("search_document", "tsvector"), ("search_tags", "tsvector")]


def test_postgres_search_tags_follow_every_change_of_links(on_postgres, places, actors):
    def tags():
        with connection.cursor() as cursor:
            cursor.execute("SELECT search_tags::text FROM articles_article WHERE id = %s", [article.pk])
            return cursor.fetchone()[0]

    article = story(headline="Tagged story", regions=[places["deir"]])
    deir, baghouz, isis, sdf = places["deir"].pk, places["baghouz"].pk, actors["isis"].pk, actors["sdf"].pk
    assert tags() == f"'~r{deir}'"
    article.actors.add(actors["isis"], actors["sdf"])
    assert tags() == " ".join(sorted([f"'~a{isis}'", f"'~a{sdf}'", f"'~r{deir}'"]))
    ArticleRegion.objects.filter(content_object=article).update(tag=places["baghouz"])
    actors["sdf"].delete()
    assert tags() == " ".join(sorted([f"'~a{isis}'", f"'~r{baghouz}'"]))
    article.regions.clear()
    article.actors.clear()
    assert tags() == ""


def test_postgres_weights_headline_above_standfirst_above_body(on_postgres):
    article = story(headline="Mosul", standfirst="Basra", body="<p>Kirkuk</p>")
    document = Article.objects.filter(pk=article.pk).values_list("search_document", flat=True)[0]
    assert "'mosul':1A" in document and "'basra':2B" in document and "'kirkuk':3C" in document


def test_postgres_ranks_more_matches_higher_among_body_matches(on_postgres):
    once = story(headline="Report one", body="<p>Drought hits farmers.</p>")
    thrice = story(headline="Report two", body="<p>Drought, drought and more drought.</p>", age=timedelta(days=9))
    assert headlines("drought") == [thrice.headline, once.headline]


def test_date_filter_uses_the_newsroom_day(db, settings):
    # 23:30 in Baghdad on 1 March is 20:30 UTC: it belongs to 1 March for the reader.
    article = story(headline="Late night story")
    moment = timezone.datetime(2026, 3, 1, 20, 30, tzinfo=timezone.get_fixed_timezone(0))
    Article.objects.filter(pk=article.pk).update(first_published_at=moment)
    assert headlines("story", date_from=date(2026, 3, 1), date_to=date(2026, 3, 1)) == [article.headline]
    assert headlines("story", date_from=date(2026, 3, 2)) == []


def test_factory_story_is_searchable_immediately(db):
    ArticleFactory(headline="Never published text")
    assert headlines("never") == []


# PostgreSQL ranks the SEARCH_WINDOW newest matches (older ones are reached with the date filters). A small
# window makes that visible with a few stories.


@pytest.fixture
def small_window(monkeypatch):
    from articles import search as search_module

    monkeypatch.setattr(search_module, "SEARCH_WINDOW", 3)


def test_postgres_common_word_ranks_the_newest_matches_of_the_edition(on_postgres, small_window):
    # The newest public stories are all matches.
    old_title = story(headline="Story of the talks", age=timedelta(days=9))
    body = [
        story(headline=f"Dam report {n}", body="<p>The story goes on.</p>", age=timedelta(hours=n)) for n in range(1, 5)
    ]
    new_title = story(headline="Story of the prices", age=timedelta(minutes=150))
    hidden_stories()  # all match, none may show or take a place among the newest
    arabic = story(headline="Story in Arabic", slug="w-ar", language="ar", age=timedelta(minutes=5))
    found = headlines("story", language="en")
    # The three newest English matches, the headline match first; the older headline match is past the window.
    assert found == [new_title.headline, body[0].headline, body[1].headline]
    assert old_title.headline not in found and arabic.headline not in found


def test_postgres_window_takes_recent_and_older_matches_when_recent_ones_are_too_few(on_postgres, small_window):
    # One match in the recent days, three older ones: the window is the newest three, across the split.
    recent = story(headline="Drought report recent", age=timedelta(days=1))
    older = [story(headline=f"Drought report {n}", age=timedelta(days=60 + n)) for n in range(3)]
    story(headline="Market opens today")
    assert set(headlines("drought")) == {recent.headline, older[0].headline, older[1].headline}


def test_postgres_rare_word_ranks_the_newest_matches_however_old(on_postgres, small_window):
    # The newest stories do not match: the window holds the newest matches however old.
    for n in range(8):
        story(headline=f"Market opens {n}", age=timedelta(hours=n))
    matches = [
        story(headline=f"Drought report {n}", body="<p>Drought.</p>" * (n + 1), age=timedelta(days=30 + n))
        for n in range(4)
    ]
    # The three newest matches (the fourth is past the window), most mentions first.
    assert headlines("drought") == [matches[2].headline, matches[1].headline, matches[0].headline]


def test_postgres_named_place_ranks_the_newest_tagged_or_mentioning_stories(on_postgres, small_window, places):
    tagged = [
        story(headline=f"Shelling overnight {n}", regions=[places["deir"]], age=timedelta(hours=n)) for n in range(3)
    ]
    story(headline="Deir Ezzor shelling long ago", age=timedelta(days=90))
    for n in range(4):
        story(headline=f"Unrelated {n}", age=timedelta(minutes=n))
    assert set(headlines("Deir Ezzor")) == {a.headline for a in tagged}


def test_postgres_newest_first_shows_the_window_relevance_ranks_in_time_order(on_postgres, small_window):
    story(headline="Story of the talks", age=timedelta(days=9))
    body = [
        story(headline=f"Dam report {n}", body="<p>The story goes on.</p>", age=timedelta(hours=n)) for n in range(1, 5)
    ]
    new_title = story(headline="Story of the prices", age=timedelta(minutes=150))
    hidden_stories()
    assert newest("story") == [body[0].headline, body[1].headline, new_title.headline]
    assert headlines("story") == [new_title.headline, body[0].headline, body[1].headline]


def test_postgres_newest_first_reaches_matches_older_than_the_recent_days(on_postgres, small_window):
    recent = story(headline="Drought report recent", age=timedelta(days=1))
    older = [
        story(headline=f"Drought report {n}", body="<p>Drought.</p>" * 5, age=timedelta(days=60 + n)) for n in range(3)
    ]
    story(headline="Market opens today")
    assert newest("drought") == [recent.headline, older[0].headline, older[1].headline]


def test_postgres_story_text_is_compressed_with_lz4_where_the_server_has_it(on_postgres):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 'lz4' = ANY(enumvals) FROM pg_settings WHERE name = 'default_toast_compression'")
        if not cursor.fetchone()[0]:
            pytest.skip("this PostgreSQL was built without lz4")
        cursor.execute(
            "SELECT attname, attcompression FROM pg_attribute WHERE attrelid = 'articles_article'::regclass "
            "AND attname IN ('body', 'search_document') ORDER BY attname"
        )
        assert cursor.fetchall() == [("body", "l"), ("search_document", "l")]


def test_a_result_from_the_other_edition_marks_the_pages_words_around_it_in_the_pages_language(client, db):
    story(headline="Baghouz pocket falls", section=SectionFactory(name="Syria", name_ar="سوريا", slug="syria-news"))
    page = client.get("/ar/search/", {"q": "Baghouz"}).content.decode()
    result = page[page.index('<li class="story') :]
    result = result[: result.index("</li>")]
    assert result.startswith('<li class="story" lang="en" dir="ltr">')
    assert '<p class="meta" lang="ar" dir="rtl">' in result and "سوريا" in result
    same_edition = client.get("/search/", {"q": "Baghouz"}).content.decode()
    assert '<p class="meta">' in same_edition and '<p class="meta" lang=' not in same_edition
