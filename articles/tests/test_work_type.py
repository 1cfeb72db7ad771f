"""Types of work (news, analysis, opinion, explainer, interview): set at the desk, kept by revisions, and told to
readers (a label on anything that is not news, in every list and on the story), to search engines (the
NewsArticle subtype) and to feed readers (a category), without a query more on any page."""

import re

import extruct
import feedparser
import pytest
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse
from django.utils import translation

from articles import editing, workflow
from articles.models import Article, ArticleRevision
from articles.tests.desk_forms import form_data
from articles.tests.factories import ArticleFactory, AuthorFactory, SectionFactory
from articles.tests.publishing import S, fresh_cache, page_queries, story  # noqa: F401 - fresh_cache is a fixture
from articles.tests.test_admin import CHANGELIST_QUERIES, _queries_for

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_cache")]
G = Article.Genre
OPINION_LABEL = '<p class="work-type work-type-opinion" aria-hidden="true">Opinion</p>'


def _change_url(article):
    return reverse("admin:articles_article_change", args=[article.pk])


# -- the model -------------------------------------------------------------------------------------------------


def test_a_new_story_is_news_and_each_type_has_its_arabic_label(db):
    assert ArticleFactory().genre == G.NEWS
    english = [str(label) for label in G.labels]
    with translation.override("ar"):
        arabic = [str(label) for label in G.labels]
    assert english == ["News", "Analysis", "Opinion", "Explainer", "Interview"]
    assert arabic == ["خبر", "تحليل", "رأي", "شرح", "مقابلة"]


def test_the_database_refuses_a_type_of_work_it_does_not_know(db):
    article = ArticleFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Article.objects.filter(pk=article.pk).update(genre="satire")
    assert Article.objects.get(pk=article.pk).genre == G.NEWS


BEFORE, AFTER = ("articles", "0021_revision_by_importer"), ("articles", "0022_work_type")


@pytest.mark.django_db(transaction=True)
def test_the_migration_makes_every_story_there_is_news():
    executor = MigrationExecutor(connection)
    leaves = executor.loader.graph.leaf_nodes()
    try:
        executor.migrate([BEFORE])
        old = executor.loader.project_state([BEFORE]).apps.get_model("articles", "Article")
        pk = old.objects.create(headline="Talks resume", slug="talks-resume").pk
        executor = MigrationExecutor(connection)
        executor.migrate([AFTER])
        new = executor.loader.project_state([AFTER]).apps.get_model("articles", "Article")
        assert new.objects.get(pk=pk).genre == "news"
    finally:
        MigrationExecutor(connection).migrate(leaves)
    assert Article.objects.get(pk=pk).genre == G.NEWS


# -- the desk --------------------------------------------------------------------------------------------------


def test_the_story_form_offers_the_types_of_work_between_the_language_and_the_kicker(
    client, editor, django_capture_on_commit_callbacks
):
    opinion = SectionFactory(name="Opinion", slug="opinion", default_genre=G.OPINION)
    syria = SectionFactory(name="Syria", slug="syria")
    client.force_login(editor)
    page = client.get(reverse("admin:articles_article_add")).content.decode()
    radios = re.findall(r'<input type="radio" name="genre" value="(\w+)"[^>]*>', page)
    assert radios == ["news", "analysis", "opinion", "explainer", "interview"]
    assert re.search(r'<input type="radio" name="genre" value="news"[^>]*checked', page)
    assert page.index('name="language"') < page.index('name="genre"') < page.index('name="kicker"')
    # The sections that suggest a type, for article_form.js: only those with a default.
    section_select = re.search(r'<select name="section"[^>]*>', page).group()
    assert f'data-section-genres="{{&quot;{opinion.pk}&quot;: &quot;opinion&quot;}}"' in section_select
    # Kept in the cache with the vocabularies: a section's new default shows on the next form.
    syria.default_genre = G.ANALYSIS
    with django_capture_on_commit_callbacks(execute=True):
        syria.save()
    page = client.get(reverse("admin:articles_article_add")).content.decode()
    assert f"&quot;{syria.pk}&quot;: &quot;analysis&quot;" in re.search(r'<select name="section"[^>]*>', page).group()


def test_an_editor_files_an_opinion_piece(client, editor):
    section = SectionFactory(name="Opinion", slug="opinion", default_genre=G.OPINION)
    client.force_login(editor)
    data = {
        "language": "en",
        "genre": "opinion",
        "headline": "Water is foreign policy",
        "slug": "water-is-foreign-policy",
        "section": section.pk,
        **dict.fromkeys(["dateline_time_0", "dateline_time_1", "embargo_until_0", "embargo_until_1"], ""),
    }
    response = client.post(reverse("admin:articles_article_add"), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    article = Article.objects.get(headline="Water is foreign policy")
    assert article.genre == G.OPINION
    assert article.revisions.get().content["genre"] == "opinion"


def test_a_save_posting_no_type_keeps_the_storys_own(client, editor):
    article = ArticleFactory(genre=G.ANALYSIS, created_by=editor)
    client.force_login(editor)
    data = form_data(article, headline="A new headline")
    del data["genre"]
    assert client.post(_change_url(article), data).status_code == 302
    article.refresh_from_db()
    assert (article.headline, article.genre) == ("A new headline", G.ANALYSIS)


@pytest.mark.parametrize("posted", ["satire", "OPINION", "1"])
def test_a_type_of_work_the_site_does_not_know_is_refused_and_nothing_is_saved(client, editor, posted):
    article = ArticleFactory(headline="Ceasefire talks collapse", created_by=editor)
    client.force_login(editor)
    response = client.post(_change_url(article), form_data(article, genre=posted, headline="Changed"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Select a valid choice" in page
    assert 'value="Changed"' in page  # the typed text stays in the form
    article.refresh_from_db()
    assert (article.genre, article.headline, article.version) == (G.NEWS, "Ceasefire talks collapse", 1)


def test_a_new_type_for_a_live_story_waits_as_its_pending_update(client, editor, publisher):
    article = story(headline="The ceasefire will not hold")
    client.force_login(editor)
    page = client.post(_change_url(article), form_data(article, genre="analysis"), follow=True).content.decode()
    assert "Saved as a pending update (version 2)" in page
    assert Article.objects.published().get(pk=article.pk).genre == G.NEWS  # readers still see news
    assert OPINION_LABEL.replace("opinion", "analysis") not in client.get(article.get_absolute_url()).content.decode()
    form = client.get(_change_url(article)).content.decode()
    assert re.search(r'<input type="radio" name="genre" value="analysis"[^>]*checked', form)
    client.force_login(publisher)
    client.post(reverse("admin:articles_article_move", args=[article.pk, "publish_update"]), {"note": ""})
    assert Article.objects.published().get(pk=article.pk).genre == G.ANALYSIS


def test_history_compares_the_type_of_work_by_its_labels_and_restores_it(client, editor):
    article = ArticleFactory(headline="Why the camps must close")
    editing.save_edit(article.pk, {"genre": "opinion"}, by=editor, base_version=1)
    client.force_login(editor)
    page = client.get(reverse("admin:articles_article_compare", args=[article.pk]), {"from": 1, "to": 2})
    html = page.content.decode()
    assert "Type of work" in html and "<del>News</del> → <ins>Opinion</ins>" in html
    assert "Headline" not in html  # only what changed
    client.post(reverse("admin:articles_article_restore", args=[article.pk, 1]))
    article.refresh_from_db()
    assert (article.genre, article.version) == (G.NEWS, 3)
    client.post(reverse("admin:articles_article_restore", args=[article.pk, 2]))
    article.refresh_from_db()
    assert (article.genre, article.version) == (G.OPINION, 4)


def test_a_version_saved_before_types_of_work_existed_was_news(client, editor):
    article = ArticleFactory(headline="Talks resume")
    editing.save_edit(article.pk, {"genre": "interview"}, by=editor, base_version=1)
    old = article.revisions.get(number=1)
    old.content.pop("genre")  # as revisions made before migration 0021 hold it
    old.save()
    client.force_login(editor)
    html = client.get(
        reverse("admin:articles_article_compare", args=[article.pk]), {"from": 1, "to": 2}
    ).content.decode()
    assert "<del>News</del> → <ins>Interview</ins>" in html
    preview = client.get(reverse("desk:preview", args=[article.pk]), {"version": 1}).content.decode()
    assert "work-type" not in preview
    editing.restore_revision(article.pk, 1, by=editor)
    article.refresh_from_db()
    assert article.genre == G.NEWS
    assert ArticleRevision.objects.get(article=article, number=3).content["genre"] == "news"


def test_the_article_list_shows_the_type_and_filters_by_it_within_its_query_budget(client, editor):
    ArticleFactory(headline="Ceasefire talks collapse")
    ArticleFactory(headline="The ceasefire never stood a chance", genre=G.OPINION)
    client.force_login(editor)
    url = reverse("admin:articles_article_changelist")
    page = client.get(url).content.decode()
    assert '<td class="field-genre">Opinion</td>' in page and '<td class="field-genre">News</td>' in page
    filtered = client.get(url, {"genre__exact": "opinion"}).content.decode()
    assert "The ceasefire never stood a chance" in filtered and "Ceasefire talks collapse" not in filtered
    for _ in range(6):
        ArticleFactory(genre=G.ANALYSIS, authors=[AuthorFactory()])
    assert _queries_for(client, url) == CHANGELIST_QUERIES


def test_a_section_says_which_type_it_suggests(client, admin_user_role):
    client.force_login(admin_user_role)
    response = client.post(
        reverse("admin:articles_section_add"),
        {"name": "Opinion", "slug": "opinion", "position": 0, "default_genre": "opinion"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    section = Article._meta.get_field("section").related_model.objects.get(slug="opinion")
    assert section.default_genre == G.OPINION
    refused = client.post(
        reverse("admin:articles_section_add"), {"name": "Satire", "slug": "satire", "position": 0, "default_genre": "x"}
    )
    assert refused.status_code == 200 and not section.__class__.objects.filter(slug="satire").exists()


# -- public pages ----------------------------------------------------------------------------------------------


def test_an_opinion_piece_says_so_above_its_headline_in_words(client, db):
    article = story(headline="Iraq needs diplomacy upstream", kicker="Water", genre=G.OPINION)
    html = client.get(article.get_absolute_url()).content.decode()
    label, kicker, heading = html.index(OPINION_LABEL), html.index('<p class="kicker">Water</p>'), html.index("<h1")
    assert label < kicker < heading
    # A screen reader hears it with the headline, where it lands on the page's heading.
    assert '<h1 class="headline"><span class="visually-hidden">Opinion: </span>Iraq needs diplomacy' in html


def test_news_carries_no_label(client, db):
    html = client.get(story(headline="Ceasefire talks collapse").get_absolute_url()).content.decode()
    assert "work-type" not in html and 'visually-hidden">News' not in html


@pytest.mark.parametrize(
    "genre, label", [(G.ANALYSIS, "Analysis"), (G.EXPLAINER, "Explainer"), (G.INTERVIEW, "Interview")]
)
def test_other_types_of_work_are_labelled_too(client, db, genre, label):
    html = client.get(story(genre=genre).get_absolute_url()).content.decode()
    assert f'<p class="work-type work-type-{genre}" aria-hidden="true">{label}</p>' in html


def test_an_arabic_opinion_piece_is_labelled_in_arabic(client, db):
    article = story(headline="لماذا يجب إغلاق المخيمات", slug="مخيمات", language="ar", genre=G.OPINION)
    html = client.get(article.get_absolute_url()).content.decode()
    assert '<p class="work-type work-type-opinion" aria-hidden="true">رأي</p>' in html
    assert '<span class="visually-hidden">رأي: </span>' in html


@pytest.fixture
def listed(places, actors):
    """A news story and an opinion piece in the same section, about the same place and actor, by one author."""
    section = SectionFactory(name="Syria News", slug="syria-news")
    author = AuthorFactory(display_name="Rania Khalil", slug="rania-khalil")
    tags = {"section": section, "regions": [places["baghouz"]], "actors": [actors["isis"]], "authors": [author]}
    news = story(headline="Baghouz camp empties", **tags)
    opinion = story(headline="Baghouz deserves a memorial", genre=G.OPINION, **tags)
    return {"news": news, "opinion": opinion, "section": section, "author": author, **places, **actors}


LISTS = {
    "home": lambda d: "/",
    "section": lambda d: d["section"].get_absolute_url(),
    "region": lambda d: d["syria"].get_absolute_url(),
    "actor": lambda d: d["isis"].get_absolute_url(),
    "author": lambda d: d["author"].get_absolute_url(),
    "search": lambda d: "/search/?q=baghouz",
}


def _item(html, words):
    """The list item (`<li class="story" …>…</li>`) of the page holding `words`."""
    (item,) = [item for item in re.findall(r'<li class="story[^"]*"[^>]*>.*?</li>', html, re.S) if words in item]
    return item


@pytest.mark.parametrize("name", list(LISTS))
def test_every_story_list_labels_the_opinion_piece_and_not_the_news(client, listed, name):
    html = client.get(LISTS[name](listed)).content.decode()
    assert html.count(OPINION_LABEL) == 1
    opinion = _item(html, "deserves a memorial")
    assert OPINION_LABEL in opinion
    # Said with the headline too, for a screen reader going from heading to heading or link to link.
    assert re.search(r'<a href="[^"]+"><span class="visually-hidden">Opinion: </span>(<mark>)?Baghouz', opinion)
    assert "work-type" not in _item(html, "camp empties")


def test_a_story_is_labelled_in_its_own_language_on_the_other_editions_search(client, listed):
    story(headline="الباغوز تستحق نصبًا تذكاريًا", slug="نصب", language="ar", genre=G.OPINION,
          regions=[listed["baghouz"]])  # fmt: skip
    arabic_page = client.get("/ar/search/?q=baghouz").content.decode()
    english_item = re.search(r'<li class="story" lang="en" dir="ltr">(?:(?!</li>).)*memorial', arabic_page, re.S)
    assert OPINION_LABEL in english_item.group()  # "Opinion", as the English story says it, on an Arabic page
    english_page = client.get("/search/?q=الباغوز").content.decode()
    arabic_item = re.search(r'<li class="story" lang="ar" dir="rtl">(?:(?!</li>).)*</li>', english_page, re.S)
    assert '<p class="work-type work-type-opinion" aria-hidden="true">رأي</p>' in arabic_item.group()


def test_the_related_box_labels_an_opinion_piece(client, listed):
    html = client.get(listed["news"].get_absolute_url()).content.decode()
    related = html[html.index('id="related-title"') :]
    assert '<span class="work-type work-type-opinion" aria-hidden="true">Opinion</span>' in related
    assert '<span class="visually-hidden">Opinion: </span>Baghouz deserves a memorial' in related


def test_labels_cost_no_query(client, listed, page_cache_off):
    for number in range(6):
        story(headline=f"Opinion {number} on Baghouz", genre=G.OPINION, section=listed["section"],
              regions=[listed["baghouz"]], actors=[listed["isis"]], authors=[listed["author"]])  # fmt: skip
    # The counts test_views.py pins for pages of news stories.
    assert page_queries(client, "/") == 5
    assert page_queries(client, listed["section"].get_absolute_url()) == 5
    assert page_queries(client, listed["syria"].get_absolute_url()) == 6
    assert page_queries(client, listed["author"].get_absolute_url()) == 4
    assert page_queries(client, "/search/?q=baghouz") == 2
    # The story page (its row) and its related box (opinion pieces among them).
    assert page_queries(client, listed["opinion"].get_absolute_url()) == 2
    html = client.get(listed["news"].get_absolute_url()).content.decode()
    assert html.count('class="work-type work-type-opinion"') == 5  # the related box's


# -- structured data, feeds, sitemaps --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "genre, schema_type",
    [
        (G.NEWS, "NewsArticle"),
        (G.ANALYSIS, "AnalysisNewsArticle"),
        (G.OPINION, "OpinionNewsArticle"),
        (G.EXPLAINER, "BackgroundNewsArticle"),
        (G.INTERVIEW, "NewsArticle"),  # schema.org has no interview subtype
    ],
)
def test_search_engines_read_the_news_article_subtype_of_the_type_of_work(client, db, genre, schema_type):
    article = story(headline="What the Sinjar agreement says", genre=genre)
    html = client.get(article.get_absolute_url()).content.decode()
    data = extruct.extract(html, base_url="http://testserver/", syntaxes=["json-ld"])["json-ld"]
    (described,) = [item for item in data if item.get("headline") == article.headline]
    assert described["@type"] == schema_type
    assert described["url"] == f"http://testserver{article.get_absolute_url()}"


def _entries(client, url):
    parsed = feedparser.parse(client.get(url).content)
    assert not parsed.bozo, parsed.get("bozo_exception")
    return {entry.title: [tag.term for tag in entry.get("tags", [])] for entry in parsed.entries}


@pytest.mark.parametrize("kind", ["rss", "atom"])
def test_feeds_give_the_type_of_work_first_among_the_categories_in_each_edition(client, listed, kind):
    story(headline="الباغوز تستحق نصبًا", slug="نصب", language="ar", genre=G.OPINION, section=listed["section"])
    english = _entries(client, f"/feeds/latest/{kind}/")
    assert english["Baghouz deserves a memorial"][:2] == ["Opinion", "Syria News"]
    assert english["Baghouz camp empties"][0] == "Syria News"  # news: no category of its own
    assert not {"News", "Opinion"} & set(english["Baghouz camp empties"])
    assert _entries(client, f"/ar/feeds/latest/{kind}/")["الباغوز تستحق نصبًا"][0] == "رأي"


def test_a_feed_of_opinion_pieces_runs_the_queries_of_a_feed_of_news(client, listed):
    def queries():
        from django.core.cache import cache
        from django.test.utils import CaptureQueriesContext

        cache.clear()
        with CaptureQueriesContext(connection) as captured:
            client.get("/feeds/section/syria-news/rss/")
        return len(captured)

    news = queries()
    Article.objects.update(genre=G.OPINION)
    assert queries() == news


def test_sitemaps_are_unchanged_by_the_type_of_work(client, listed):
    before = client.get("/sitemap-news.xml").content
    Article.objects.filter(pk=listed["news"].pk).update(genre=G.ANALYSIS)
    from django.core.cache import cache

    cache.clear()
    assert client.get("/sitemap-news.xml").content == before
    assert b"Opinion" not in before and b"genre" not in before


def test_a_published_opinion_piece_moves_through_the_workflow_as_any_story(publisher):
    article = ArticleFactory(genre=G.OPINION)
    Article.objects.filter(pk=article.pk).update(status=S.APPROVED)
    article.refresh_from_db()
    workflow.publish(article, by=publisher)
    assert Article.objects.published().get(pk=article.pk).genre == G.OPINION
