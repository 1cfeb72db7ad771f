"""Authors' names in the Arabic edition: the Arabic name wherever a reader of /ar/ sees a byline (story page,
lists, the author's page, structured data, feeds), the display name for an author without one, the English
edition as before, escaped everywhere, and not one query more."""

import html
import json
import re

import feedparser
import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from articles import export
from articles.importers.pipeline import ImportOptions, run_import
from articles.models import Article, Author
from articles.tests.factories import AuthorFactory, SectionFactory
from articles.tests.publishing import fresh_cache, page_queries, story  # noqa: F401 - fresh_cache is a fixture

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_cache")]

HOSTILE = '<script>alert("رشا")</script></bdi><b>'


@pytest.fixture
def writers(settings):
    """Rasha Khalil, who has an Arabic name, and Daniel Hartley, who has none; the page cache off."""
    settings.NEWSROOM_PAGE_CACHE_SECONDS = 0
    return {
        "rasha": AuthorFactory(display_name="Rasha Khalil", slug="rasha-khalil", name_ar="رشا خليل"),
        "daniel": AuthorFactory(display_name="Daniel Hartley", slug="daniel-hartley"),
    }


@pytest.fixture
def stories(writers, places, actors):
    """The same two writers on an Arabic story and an English one, filed, placed and tagged alike."""
    section = SectionFactory(name="Syria News", slug="syria-news", name_ar="أخبار سوريا")
    tags = {"section": section, "regions": [places["baghouz"]], "actors": [actors["isis"]]}
    byline = [writers["rasha"], writers["daniel"]]
    return {
        "ar": story(headline="سقوط الباغوز", slug="سقوط-الباغوز", language="ar", authors=byline, **tags),
        "en": story(headline="Baghouz falls", authors=byline, **tags),
    }


def read(client, address):
    response = client.get(address)
    assert response.status_code == 200, address
    return response.content.decode()


def story_byline(page):
    """The names the story page's byline links to its authors, as a reader reads them."""
    byline = re.search(r'<p class="byline">(.*?)</p>', page, re.S).group(1)
    return [html.unescape(name) for name in re.findall(r'rel="author"><bdi>(.*?)</bdi></a>', byline, re.S)]


def list_bylines(page):
    """The bylines a list of stories prints, as a reader reads them (without the names' <bdi> isolates)."""
    spans = re.findall(r'<span class="byline-short">(.*?)</span>', page, re.S)
    return [html.unescape(re.sub(r"<[^>]+>", "", span)) for span in spans]


def json_ld(page):
    (script,) = re.findall(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
    return json.loads(script)


def meta(page, name):
    return [html.unescape(value) for value in re.findall(rf'<meta (?:property|name)="{name}" content="([^"]*)"', page)]


def feed(client, address):
    parsed = feedparser.parse(client.get(address).content)
    assert not parsed.bozo, parsed.get("bozo_exception")
    return parsed


# -- the story page -----------------------------------------------------------------------------------------


def test_the_arabic_story_page_bylines_authors_by_their_arabic_name_or_else_their_display_name(client, stories):
    page = read(client, stories["ar"].get_absolute_url())
    assert story_byline(page) == ["رشا خليل", "Daniel Hartley"]
    assert '<a href="/ar/author/rasha-khalil/" rel="author"><bdi>رشا خليل</bdi></a>' in page
    # The story's structured data names the same people, the other spelling as alternateName.
    assert json_ld(page)["author"] == [
        {
            "@type": "Person",
            "name": "رشا خليل",
            "alternateName": "Rasha Khalil",
            "url": "http://testserver/ar/author/rasha-khalil/",
        },
        {"@type": "Person", "name": "Daniel Hartley", "url": "http://testserver/ar/author/daniel-hartley/"},
    ]
    assert meta(page, "article:author") == [
        "http://testserver/ar/author/rasha-khalil/",
        "http://testserver/ar/author/daniel-hartley/",
    ]


def test_the_english_story_page_still_bylines_authors_by_their_display_name(client, stories):
    page = read(client, stories["en"].get_absolute_url())
    assert story_byline(page) == ["Rasha Khalil", "Daniel Hartley"]
    assert "رشا خليل" not in re.search(r'<p class="byline">(.*?)</p>', page, re.S).group(1)
    assert [(person["name"], person["url"]) for person in json_ld(page)["author"]] == [
        ("Rasha Khalil", "http://testserver/author/rasha-khalil/"),
        ("Daniel Hartley", "http://testserver/author/daniel-hartley/"),
    ]


def test_the_story_structured_data_gives_each_author_the_job_title_of_its_edition(client, stories, writers):
    Author.objects.filter(pk=writers["rasha"].pk).update(job_title="Syria correspondent", job_title_ar="مراسلة سوريا")
    Author.objects.filter(pk=writers["daniel"].pk).update(job_title="Photographer")
    titles = {lang: [p.get("jobTitle") for p in json_ld(read(client, stories[lang].get_absolute_url()))["author"]]
              for lang in ("en", "ar")}  # fmt: skip
    # The Arabic story has the Arabic title where there is one, else the English one (as the author's page).
    assert titles == {"en": ["Syria correspondent", "Photographer"], "ar": ["مراسلة سوريا", "Photographer"]}
    # An author without a title has none in the data (not an empty one).
    Author.objects.filter(pk=writers["daniel"].pk).update(job_title="")
    assert "jobTitle" not in json_ld(read(client, stories["en"].get_absolute_url()))["author"][1]


def test_a_byline_override_is_printed_as_the_desk_wrote_it_in_either_edition(client, stories):
    Article.objects.filter(pk=stories["ar"].pk).update(byline="مراسلو الوكالة")
    page = read(client, stories["ar"].get_absolute_url())
    assert "<bdi>مراسلو الوكالة</bdi>" in page and story_byline(page) == []
    assert list_bylines(read(client, "/ar/")) == ["مراسلو الوكالة"]


# -- lists --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "address",
    [
        "/ar/",
        "/ar/section/syria-news/",
        "/ar/region/baghouz/",
        "/ar/actor/islamic-state/",
        "/ar/author/rasha-khalil/",
        "/ar/author/daniel-hartley/",
        "/ar/search/?q=الباغوز",
    ],
)
def test_every_arabic_list_bylines_authors_by_their_arabic_name_each_name_isolated(client, stories, address):
    page = read(client, address)
    # (Search finds the English story too, and bylines it as the Arabic edition does.)
    assert set(list_bylines(page)) == {"رشا خليل، Daniel Hartley"}
    # Each name in its own isolate, so that a Latin name does not reorder an Arabic byline around it.
    assert '<span class="byline-short"><bdi>رشا خليل</bdi>، <bdi>Daniel Hartley</bdi></span>' in page


@pytest.mark.parametrize(
    "address",
    [
        "/",
        "/section/syria-news/",
        "/region/baghouz/",
        "/actor/islamic-state/",
        "/author/rasha-khalil/",
        "/search/?q=baghouz",
    ],
)
def test_english_lists_still_byline_authors_by_their_display_name(client, stories, address):
    assert set(list_bylines(read(client, address))) == {"Rasha Khalil, Daniel Hartley"}


# -- the author's page --------------------------------------------------------------------------------------


def test_the_arabic_author_page_names_the_author_in_arabic_in_its_heading_title_cards_and_profile(client, stories):
    page = read(client, "/ar/author/rasha-khalil/")
    assert "<h1><bdi>رشا خليل</bdi></h1>" in page
    assert "<title>رشا خليل — Newsroom</title>" in page
    assert meta(page, "og:title") == meta(page, "twitter:title") == ["رشا خليل"]
    assert meta(page, "og:description") == ["قصص بقلم رشا خليل"]  # "Stories by …": she has no bio
    assert 'title="رشا خليل (RSS)" href="/ar/feeds/author/rasha-khalil/rss/"' in page
    profile = json_ld(page)
    assert profile["@type"] == "ProfilePage"
    assert profile["mainEntity"] == {
        "@type": "Person",
        "name": "رشا خليل",
        "alternateName": "Rasha Khalil",
        "url": "http://testserver/ar/author/rasha-khalil/",
    }
    assert profile["name"] == profile["breadcrumb"]["itemListElement"][-1]["name"] == "رشا خليل"


def test_the_english_author_page_still_names_the_author_by_their_display_name(client, stories):
    page = read(client, "/author/rasha-khalil/")
    assert "<h1><bdi>Rasha Khalil</bdi></h1>" in page and "<title>Rasha Khalil — Newsroom</title>" in page
    assert meta(page, "og:title") == ["Rasha Khalil"]
    assert json_ld(page)["mainEntity"]["name"] == "Rasha Khalil"


def test_the_arabic_page_of_an_author_without_an_arabic_name_uses_their_display_name(client, stories):
    page = read(client, "/ar/author/daniel-hartley/")
    assert "<h1><bdi>Daniel Hartley</bdi></h1>" in page and "<title>Daniel Hartley — Newsroom</title>" in page
    assert json_ld(page)["mainEntity"] == {
        "@type": "Person",
        "name": "Daniel Hartley",
        "url": "http://testserver/ar/author/daniel-hartley/",
    }


def test_an_arabic_name_given_later_shows_at_once_on_cached_arabic_pages(
    client, stories, settings, django_capture_on_commit_callbacks
):
    settings.NEWSROOM_PAGE_CACHE_SECONDS = 300
    address = stories["ar"].get_absolute_url()
    assert story_byline(read(client, address)) == ["رشا خليل", "Daniel Hartley"]
    with django_capture_on_commit_callbacks(execute=True):
        daniel = Author.objects.get(slug="daniel-hartley")
        daniel.name_ar = "دانيال هارتلي"
        daniel.save()
    assert story_byline(read(client, address)) == ["رشا خليل", "دانيال هارتلي"]


# -- feeds --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["rss", "atom"])
def test_arabic_feeds_name_the_authors_in_arabic_and_english_feeds_as_before(client, stories, kind):
    (item,) = feed(client, f"/ar/feeds/latest/{kind}/").entries
    assert item.author == "رشا خليل، Daniel Hartley"
    (item,) = feed(client, f"/feeds/latest/{kind}/").entries
    assert item.author == "Rasha Khalil, Daniel Hartley"


@pytest.mark.parametrize("kind", ["rss", "atom"])
def test_the_arabic_author_feed_is_titled_with_the_arabic_name(client, stories, kind):
    arabic = feed(client, f"/ar/feeds/author/rasha-khalil/{kind}/").feed
    assert arabic.title == "Newsroom: رشا خليل"
    assert arabic.get("subtitle", arabic.get("description")) == "آخر الأخبار المنشورة بقلم رشا خليل."
    english = feed(client, f"/feeds/author/rasha-khalil/{kind}/").feed
    assert english.title == "Newsroom: Rasha Khalil"
    assert feed(client, f"/ar/feeds/author/daniel-hartley/{kind}/").feed.title == "Newsroom: Daniel Hartley"


# -- hostile names ------------------------------------------------------------------------------------------


def test_a_hostile_arabic_name_is_text_on_every_page_in_the_structured_data_and_in_the_feeds(client, stories):
    Author.objects.filter(slug="rasha-khalil").update(name_ar=HOSTILE)
    for address in (stories["ar"].get_absolute_url(), "/ar/", "/ar/author/rasha-khalil/"):
        page = read(client, address)
        assert "<script>alert" not in page and "</bdi><b>" not in page, address
        assert "&lt;script&gt;alert(&#34;رشا&#34;)&lt;/script&gt;&lt;/bdi&gt;&lt;b&gt;" in page, address
        # In JSON-LD the name is data: "<" and ">" are escaped there too, and it reads back as written.
        data = json_ld(page)
        people = data["author"] if data["@type"] == "NewsArticle" else [data.get("mainEntity", {})]
        if address != "/ar/":
            assert people[0]["name"] == HOSTILE, address
    page = read(client, stories["ar"].get_absolute_url())
    assert story_byline(page) == [HOSTILE, "Daniel Hartley"]
    raw = client.get("/ar/feeds/latest/rss/").content.decode()
    assert "<script>" not in raw
    (item,) = feed(client, "/ar/feeds/latest/rss/").entries
    assert item.author == f"{HOSTILE}، Daniel Hartley"


# -- no query more ------------------------------------------------------------------------------------------


def test_arabic_pages_with_arabic_bylines_run_the_queries_the_english_ones_run(client, stories, places):
    # The budgets pinned for the English edition in test_views (story page, lists) and test_feeds; each story
    # has a related one, by an author with an Arabic name.
    author = AuthorFactory(display_name="Mustafa Jabbar", name_ar="مصطفى جبار")
    story(headline="الباغوز بعد المعركة", slug="s", language="ar", regions=[places["baghouz"]], authors=[author])
    story(headline="Baghouz after the battle", regions=[places["baghouz"]], authors=[author])
    assert (
        page_queries(client, stories["ar"].get_absolute_url())
        == page_queries(client, stories["en"].get_absolute_url())
        == 2
    )
    for arabic, english in [
        ("/ar/", "/"),
        ("/ar/section/syria-news/", "/section/syria-news/"),
        ("/ar/author/rasha-khalil/", "/author/rasha-khalil/"),
        ("/ar/search/?q=الباغوز", "/search/?q=baghouz"),
    ]:
        assert page_queries(client, arabic) == page_queries(client, english), arabic
    for kind in ("latest", "author/rasha-khalil"):
        cache.clear()
        english = page_queries(client, f"/feeds/{kind}/rss/")
        cache.clear()
        assert page_queries(client, f"/ar/feeds/{kind}/rss/") == english, kind


# -- the desk -----------------------------------------------------------------------------------------------


@pytest.fixture
def admin_client_role(client, admin_user_role):
    client.force_login(admin_user_role)
    return client


def test_the_author_form_takes_an_arabic_name_written_right_to_left(admin_client_role, writers):
    author = writers["daniel"]
    address = reverse("admin:articles_author_change", args=[author.pk])
    form = read(admin_client_role, address)
    assert re.search(r'<input type="text" name="name_ar"[^>]*dir="rtl"', form)
    response = admin_client_role.post(
        address, {"display_name": "Daniel Hartley", "name_ar": "دانيال هارتلي", "slug": "daniel-hartley", "bio": ""}
    )
    assert response.status_code == 302
    author.refresh_from_db()
    assert author.name_ar == "دانيال هارتلي"


def test_an_arabic_name_too_long_is_refused_and_changes_nothing(admin_client_role, writers):
    author = writers["rasha"]
    response = admin_client_role.post(
        reverse("admin:articles_author_change", args=[author.pk]),
        {"display_name": "Rasha Khalil", "name_ar": "ر" * 121, "slug": "rasha-khalil", "bio": ""},
    )
    assert response.status_code == 200
    assert "Ensure this value has at most 120 characters" in response.content.decode()
    author.refresh_from_db()
    assert author.name_ar == "رشا خليل"


def test_an_editor_cannot_change_an_authors_arabic_name(client, editor, writers):
    client.force_login(editor)
    author = writers["rasha"]
    response = client.post(
        reverse("admin:articles_author_change", args=[author.pk]),
        {"display_name": "Rasha Khalil", "name_ar": "اسم آخر", "slug": "rasha-khalil", "bio": ""},
    )
    assert response.status_code == 403
    author.refresh_from_db()
    assert author.name_ar == "رشا خليل"


def picker_address(page):
    """The address the article form's Authors field asks for authors while the desk types."""
    select = re.search(r'<select name="authors"[^>]*>', page).group(0)
    return html.unescape(re.search(r'data-ajax--url="([^"]+)"', select).group(1))


def chosen_in_form(page):
    """The labels of the authors the article form shows as chosen, in byline order."""
    select = re.search(r'<select name="authors".*?</select>', page, re.S).group(0)
    return [html.unescape(label) for label in re.findall(r"<option[^>]*selected[^>]*>([^<]*)</option>", select)]


def found_by_picker(client, address, term, field="authors", model="article"):
    """(status, [(id, label)…]) of the byline picker's search for `term`."""
    response = client.get(address, {"term": term, "app_label": "articles", "model_name": model, "field_name": field})
    if response.status_code != 200:
        return response.status_code, []
    return 200, [(int(r["id"]), r["text"]) for r in response.json()["results"]]


def test_the_desk_finds_an_author_by_their_arabic_name_in_the_list_and_the_byline_picker(client, editor, writers):
    client.force_login(editor)
    found = read(client, reverse("admin:articles_author_changelist") + "?q=رشا")
    assert "Rasha Khalil" in found and "Daniel Hartley" not in found
    address = picker_address(read(client, reverse("admin:articles_article_add")))
    rasha = writers["rasha"].pk
    # The English admin labels authors as before, by their display names.
    for term in ("خليل", "rasha", "Khalil"):
        assert found_by_picker(client, address, term) == (200, [(rasha, "Rasha Khalil")]), term
    assert found_by_picker(client, address, "") == (
        200,
        [(writers["daniel"].pk, "Daniel Hartley"), (rasha, "Rasha Khalil")],
    )


def test_the_arabic_admins_byline_picker_names_authors_in_arabic_with_their_english_names(client, editor, writers):
    client.force_login(editor)
    client.post("/i18n/setlang/", {"language": "ar", "next": "/admin/"})  # the admin's language menu
    address = picker_address(read(client, reverse("admin:articles_article_add")))
    rasha, daniel = writers["rasha"].pk, writers["daniel"].pk
    # Found by either name, labelled by the Arabic one with the English after it; no Arabic name, the display name.
    for term in ("رشا", "خليل", "Rasha", "rasha khalil", "رشا خليل"):
        assert found_by_picker(client, address, term) == (200, [(rasha, "رشا خليل (Rasha Khalil)")]), term
    assert found_by_picker(client, address, "Daniel") == (200, [(daniel, "Daniel Hartley")])

    # The chosen authors, in byline order, as the form shows them when the story is opened.
    article = story(headline="سقوط الباغوز", language="ar", authors=[writers["daniel"], writers["rasha"]])
    page = read(client, reverse("admin:articles_article_change", args=[article.pk]))
    assert chosen_in_form(page) == ["Daniel Hartley", "رشا خليل (Rasha Khalil)"]
    # Two writers whose Arabic names are spelled alike are told apart by their English names.
    namesake = AuthorFactory(display_name="Rasha Khaleel", slug="rasha-khaleel", name_ar="رشا خليل")
    assert found_by_picker(client, address, "رشا") == (
        200,
        [(namesake.pk, "رشا خليل (Rasha Khaleel)"), (rasha, "رشا خليل (Rasha Khalil)")],
    )


def test_the_picker_search_serves_authors_places_actors_and_sections_and_nothing_else(client, editor, writers):
    client.force_login(editor)
    address = reverse("admin:articles_article_picker_search")
    assert found_by_picker(client, address, "rasha") == (200, [(writers["rasha"].pk, "Rasha Khalil")])
    assert found_by_picker(client, address, "nowhere", field="regions") == (200, [])  # the places' picker too
    # A relation to anything else (a picture, a staff account), another model's field of the same name, a field
    # that is no relation, or none at all: refused, as Django's view refuses a field it does not serve.
    assert found_by_picker(client, address, "rasha", field="lead_image") == (403, [])
    assert found_by_picker(client, address, "rasha", field="user", model="author") == (403, [])
    assert found_by_picker(client, address, "rasha", field="authors", model="image")[0] == 403
    assert found_by_picker(client, address, "rasha", field="headline") == (403, [])
    assert client.get(address, {"term": "rasha"}).status_code == 403
    # Signed out: to the sign-in page, with no names.
    client.logout()
    signed_out = client.get(address, {"term": "rasha", "app_label": "articles", "model_name": "article",
                                      "field_name": "authors"})  # fmt: skip
    assert signed_out.status_code == 302 and "/admin/login/" in signed_out["Location"]


@pytest.mark.parametrize(
    "language, byline", [("en", "Rasha Khalil, Daniel Hartley"), ("ar", "رشا خليل (Rasha Khalil)، Daniel Hartley")]
)
def test_a_story_its_viewer_may_not_edit_names_its_authors_as_the_field_does(
    client, reporter, writers, language, byline
):
    submitted = story(
        Article.Status.SUBMITTED, created_by=reporter, authors=[writers["rasha"], writers["daniel"]], language="ar"
    )
    client.force_login(reporter)
    client.post("/i18n/setlang/", {"language": language, "next": "/admin/"})
    page = read(client, reverse("admin:articles_article_change", args=[submitted.pk]))
    field = page[page.index("field-byline_authors") :]
    assert html.unescape(re.search(r'<div class="readonly">(.*?)</div>', field, re.S).group(1)) == byline
    assert '<select name="authors"' not in page


@pytest.mark.parametrize("language", ["en", "ar"])
def test_the_change_form_runs_the_same_queries_for_one_author_or_many(client, editor, language):
    client.force_login(editor)
    client.post("/i18n/setlang/", {"language": language, "next": "/admin/"})
    writers = [
        AuthorFactory(display_name=f"Writer {n}", slug=f"writer-{n}", name_ar=f"كاتب {n}" if n % 2 else "")
        for n in range(8)
    ]
    counts = {}
    for size in (1, 8):
        article = story(headline=f"Story with {size}", language="ar", authors=writers[:size])
        address = reverse("admin:articles_article_change", args=[article.pk])
        client.get(address)
        with CaptureQueriesContext(connection) as queries:
            page = read(client, address)
        counts[size] = len(queries)
        assert chosen_in_form(page) == [
            f"كاتب {n} (Writer {n})" if language == "ar" and n % 2 else f"Writer {n}" for n in range(size)
        ]
    # The chosen authors are read and labelled in one query, whatever their number (the whole form: 26, one of them
    # the stories chosen for the related box, read for the form even when there are none).
    assert counts[1] == counts[8] == 26, counts


# -- import and export --------------------------------------------------------------------------------------


def _wire(path, rows):
    fields = {"body": "<p>نص.</p>", "language": "ar"}
    lines = [
        json.dumps({"source_id": key, "headline": f"خبر {key}", "authors": names, **fields}) for key, names in rows
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return run_import([str(path)], ImportOptions(source="Wire", autotag=False))


def _byline(source_id):
    return list(Article.objects.get(source="Wire", source_id=source_id).authors.values_list("slug", flat=True))


def test_an_arabic_wire_byline_that_is_an_authors_arabic_name_links_that_author(tmp_path, writers):
    report = _wire(
        tmp_path / "wire.jsonl",
        [
            ("w-1", ["رشا خليل"]),
            ("w-2", ["رَشا خليـل"]),  # harakat and tatweel, as wire copy has them
            ("w-3", ["رشا خليل", "Rasha Khalil"]),  # both spellings of one person: one byline entry
            ("w-4", ["Daniel Hartley", "رشا خليل"]),
        ],
    )
    assert report.failures == []
    assert Author.objects.count() == 2  # no new author
    assert _byline("w-1") == _byline("w-2") == _byline("w-3") == ["rasha-khalil"]
    assert _byline("w-4") == ["daniel-hartley", "rasha-khalil"]


def test_the_arabic_name_wins_over_an_author_an_earlier_import_made_of_that_byline(tmp_path, writers):
    # Before the desk gave Rasha her Arabic name, an Arabic story made an author of the Arabic byline.
    Author.objects.filter(slug="rasha-khalil").update(name_ar="")
    _wire(tmp_path / "before.jsonl", [("w-1", ["رشا خليل"])])
    (made,) = Author.objects.exclude(pk__in=[w.pk for w in writers.values()])
    assert made.display_name == "رشا خليل"
    Author.objects.filter(slug="rasha-khalil").update(name_ar="رشا خليل")
    _wire(tmp_path / "after.jsonl", [("w-2", ["رشا خليل"])])
    assert _byline("w-2") == ["rasha-khalil"]


def test_new_arabic_bylines_that_fold_alike_make_one_new_author(tmp_path, writers):
    _wire(tmp_path / "wire.jsonl", [("w-1", ["أحمد علي"]), ("w-2", ["احمد علي"]), ("w-3", ["أحمد علي"])])
    assert Author.objects.count() == 3
    assert _byline("w-1") == _byline("w-2") == _byline("w-3")
    # And the next run finds them too.
    _wire(tmp_path / "more.jsonl", [("w-4", ["إحمد علي"])])
    assert Author.objects.count() == 3 and _byline("w-4") == _byline("w-1")


def test_the_export_carries_the_authors_arabic_names_beside_their_names(stories):
    arabic = next(a for a in export.public_articles() if a.language == "ar")
    row = export.jsonl_row(arabic)
    assert row["authors"] == ["Rasha Khalil", "Daniel Hartley"]
    assert row["authors_ar"] == ["رشا خليل", ""]


# -- importing authors' Arabic names (authors_ar) -------------------------------------------------------


def _import_lines(path, rows, **options):
    """Import JSON Lines stories `rows` ({source_id, authors, authors_ar...}) from the Wire."""
    fields = {"body": "<p>Text.</p>", "language": "en"}
    lines = [json.dumps({"headline": f"Story {row['source_id']}", **fields, **row}) for row in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return run_import([str(path)], ImportOptions(source="Wire", autotag=False, **options))


def _arabic_names():
    return dict(Author.objects.values_list("display_name", "name_ar"))


def test_an_import_fills_a_missing_arabic_name_and_keeps_the_one_the_desk_wrote(tmp_path, writers):
    row = {"source_id": "w-1", "authors": ["Rasha Khalil", "Daniel Hartley"], "authors_ar": ["رشا خ.", "دانيال هارتلي"]}
    report = _import_lines(tmp_path / "wire.jsonl", [row])
    assert report.summary() == "imported 1, updated 0, unchanged 0, held 0, duplicates 0, failed 0"
    assert _arabic_names() == {"Rasha Khalil": "رشا خليل", "Daniel Hartley": "دانيال هارتلي"}
    assert _byline("w-1") == ["rasha-khalil", "daniel-hartley"]


def test_a_new_author_gets_the_arabic_name_and_an_arabic_byline_then_finds_them(tmp_path, writers):
    rows = [
        {"source_id": "w-1", "authors": ["Sara Ali", "Omar Haddad"], "authors_ar": ["سارة علي", ""]},
        {"source_id": "w-2", "authors": ["سارة علي"], "language": "ar"},
    ]
    report = _import_lines(tmp_path / "wire.jsonl", rows)
    assert report.failures == []
    names = _arabic_names()
    assert names["Sara Ali"] == "سارة علي" and names["Omar Haddad"] == ""
    assert len(names) == 4
    assert _byline("w-2") == ["sara-ali"]


@pytest.mark.parametrize("options", [{}, {"workers": 2}], ids=["one process", "workers"])
def test_a_rerun_that_only_adds_arabic_names_fills_the_authors_and_leaves_the_story_unchanged(
    tmp_path, writers, options
):
    path = tmp_path / "wire.jsonl"
    _import_lines(path, [{"source_id": "w-1", "authors": ["Daniel Hartley", "Sara Ali"]}], **options)
    article = Article.objects.get(source_id="w-1")
    row = {"source_id": "w-1", "authors": ["Daniel Hartley", "Sara Ali"], "authors_ar": ["دانيال هارتلي", "سارة علي"]}
    report = _import_lines(path, [row], **options)
    assert report.summary() == "imported 0, updated 0, unchanged 1, held 0, duplicates 0, failed 0"
    names = _arabic_names()
    assert names["Daniel Hartley"] == "دانيال هارتلي" and names["Sara Ali"] == "سارة علي"
    assert Article.objects.get(pk=article.pk).version == article.version
    # The same file again: nothing to do.
    again = _import_lines(path, [row], **options)
    assert again.summary() == "imported 0, updated 0, unchanged 1, held 0, duplicates 0, failed 0"
    assert _arabic_names() == names


def test_a_dry_run_gives_no_author_an_arabic_name(tmp_path, writers):
    _import_lines(tmp_path / "a.jsonl", [{"source_id": "w-1", "authors": ["Daniel Hartley"]}])
    row = {"source_id": "w-1", "authors": ["Daniel Hartley"], "authors_ar": ["دانيال هارتلي"]}
    _import_lines(tmp_path / "b.jsonl", [row], dry_run=True)
    assert _arabic_names()["Daniel Hartley"] == ""


@pytest.mark.parametrize(
    "authors_ar, reason",
    [
        ("دانيال هارتلي", "authors_ar is not a list of names"),
        ({"Daniel Hartley": "دانيال هارتلي"}, "authors_ar is not a list of names"),
        (["دانيال هارتلي"], "authors_ar has 1 names for 2 authors"),
        (["دانيال هارتلي", 7], "authors_ar holds something other than names"),
        (["دانيال هارتلي", "س" * 121], "an Arabic author name (authors_ar) is longer than 120 characters"),
    ],
)
def test_bad_arabic_names_fail_their_story_by_name_and_reason_and_the_rest_is_imported(
    tmp_path, writers, authors_ar, reason
):
    path = tmp_path / "wire.jsonl"
    rows = [
        {"source_id": "w-1", "authors": ["Daniel Hartley"], "authors_ar": ["دانيال هارتلي"]},
        {"source_id": "w-2", "authors": ["Daniel Hartley", "Sara Ali"], "authors_ar": authors_ar},
    ]
    report = _import_lines(path, rows)
    assert report.summary() == "imported 1, updated 0, unchanged 0, held 0, duplicates 0, failed 1"
    assert report.failures == [f"{path} entry 2: {reason}"]
    assert not Article.objects.filter(source_id="w-2").exists()
    assert _arabic_names() == {"Rasha Khalil": "رشا خليل", "Daniel Hartley": "دانيال هارتلي"}  # no Sara


def test_a_csv_import_reads_the_authors_arabic_names_in_their_places(tmp_path, writers):
    path = tmp_path / "wire.csv"
    path.write_text(
        "headline,body,authors,authors_ar,source_id\n"
        "Story one,Text.,Daniel Hartley|Omar Haddad|Sara Ali,دانيال هارتلي||سارة علي,c-1\n"
        "Story two,Text.,Daniel Hartley|Sara Ali,دانيال هارتلي,c-2\n",
        encoding="utf-8",
    )
    report = run_import([str(path)], ImportOptions(source="Wire", autotag=False))
    assert report.failures == [f"{path} entry 3: authors_ar has 1 names for 2 authors"]
    names = _arabic_names()
    assert names["Daniel Hartley"] == "دانيال هارتلي"
    assert names["Omar Haddad"] == "" and names["Sara Ali"] == "سارة علي"
    assert _byline("c-1") == ["daniel-hartley", "omar-haddad", "sara-ali"]


def test_an_arabic_name_an_import_fills_shows_at_once_on_cached_arabic_pages(
    client, stories, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.NEWSROOM_PAGE_CACHE_SECONDS = 300
    address = stories["ar"].get_absolute_url()
    assert story_byline(read(client, address)) == ["رشا خليل", "Daniel Hartley"]
    row = {"source_id": "w-1", "authors": ["Daniel Hartley"], "authors_ar": ["دانيال هارتلي"]}
    with django_capture_on_commit_callbacks(execute=True):
        _import_lines(tmp_path / "wire.jsonl", [row])
    assert story_byline(read(client, address)) == ["رشا خليل", "دانيال هارتلي"]
