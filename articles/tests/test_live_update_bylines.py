"""A live update's own byline (`LiveUpdate.author`): the desk picks who an update is by, which need not be the
account posting it; readers see it on the story page, its older pages, its structured data and its feeds; a
correction can change it; imports and exports carry it by name. Every refusal writes nothing."""

import io
import json
from datetime import UTC, datetime, timedelta

import extruct
import feedparser
import pytest
from django.core.management import call_command
from django.urls import reverse
from lxml import html as lxml_html

from articles import workflow
from articles.importers.pipeline import ImportOptions, run_import
from articles.models import LIVE_UPDATES_SHOWN, Article, ArticleEvent, Author, LiveUpdate
from articles.tests.factories import AuthorFactory
from articles.tests.publishing import fresh_cache, page_queries, story  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_cache")]

POSTED = datetime(2026, 3, 1, 6, 30, tzinfo=UTC)


@pytest.fixture
def rasha():
    return AuthorFactory(display_name="Rasha Khalil", name_ar="رشا خليل", slug="rasha-khalil")


@pytest.fixture
def omar():
    return AuthorFactory(display_name="Omar Saleh", slug="omar-saleh", job_title="Deir Ezzor stringer")


def post(article, by, text="Shelling resumed at dawn.", author=None, title="", at=POSTED):
    workflow.post_live_update(article, by=by, text=text, title=title, author=author)
    update = LiveUpdate.objects.filter(article=article).order_by("-pk").first()
    LiveUpdate.objects.filter(pk=update.pk).update(posted_at=at)  # set-up only: a known time
    update.refresh_from_db()
    return update


def bylines_on(client, address):
    """{update anchor: (byline text, its link)} of the live updates on the page at `address`; None for none."""
    response = client.get(address)
    assert response.status_code == 200, address
    page = lxml_html.fromstring(response.content)
    found = {}
    for update in page.xpath('//section[contains(@class, "live-updates")]/article'):
        byline = update.xpath('.//p[@class="live-update-byline"]')
        found[update.get("id")] = (
            (" ".join(byline[0].text_content().split()), byline[0].xpath(".//a/@href")[0]) if byline else None
        )
    return found


def postings(client, article):
    html = client.get(article.get_absolute_url()).content.decode()
    (data,) = extruct.extract(html, base_url="http://testserver/", syntaxes=["json-ld"])["json-ld"]
    return data["liveBlogUpdate"]


def written(article):
    """Everything a refused move could have written: the story's row, its events and its updates."""
    return (
        Article.objects.filter(pk=article.pk).values("last_live_update_at", "last_published_at", "updated_at").get(),
        list(ArticleEvent.objects.filter(article=article).values_list("pk", flat=True)),
        list(LiveUpdate.objects.filter(article=article).order_by("pk").values()),
    )


# -- what readers see --------------------------------------------------------------------------------------------


def test_readers_see_each_updates_byline_linking_to_its_author_and_none_without_one(
    client, publisher, rasha, page_cache_off
):
    article = story(headline="Battle for Baghouz")
    by_rasha = post(article, publisher, author=rasha)
    plain = post(article, publisher, text="The bridge is down.", at=POSTED + timedelta(minutes=5))
    assert bylines_on(client, article.get_absolute_url()) == {
        f"update-{plain.pk}": None,
        f"update-{by_rasha.pk}": ("By Rasha Khalil", "/author/rasha-khalil/"),
    }


def test_an_arabic_story_names_the_author_by_their_arabic_name(client, publisher, rasha, page_cache_off):
    article = story(headline="معركة الباغوز", slug="معركة", language="ar")
    update = post(article, publisher, text="تجدد القصف فجراً.", author=rasha)
    assert bylines_on(client, article.get_absolute_url()) == {
        f"update-{update.pk}": ("بقلم رشا خليل", "/ar/author/rasha-khalil/")
    }


def test_an_older_page_of_updates_shows_their_bylines(client, publisher, rasha, omar, page_cache_off):
    article = story()
    first = post(article, publisher, text="The first update.", author=omar, at=POSTED - timedelta(hours=3))
    later = [
        LiveUpdate(article=article, posted_at=POSTED + timedelta(minutes=n), text=f"<p>Update {n}</p>", author=rasha)
        for n in range(LIVE_UPDATES_SHOWN)
    ]
    LiveUpdate.objects.bulk_create(later)
    Article.objects.filter(pk=article.pk).update(last_live_update_at=POSTED + timedelta(minutes=99))
    article.refresh_from_db()
    assert bylines_on(client, article.live_updates_url(2)) == {
        f"update-{first.pk}": ("By Omar Saleh", "/author/omar-saleh/")
    }


def test_bylines_cost_the_story_page_and_an_older_page_no_query(client, page_cache_off):
    # Two live blogs alike but for their updates' bylines (many, by eight authors, and none) cost the same.
    authors = [AuthorFactory() for _ in range(8)]
    blogs = []
    for bylines in (authors, [None]):
        article = story()
        LiveUpdate.objects.bulk_create(
            LiveUpdate(
                article=article,
                posted_at=POSTED + timedelta(minutes=n),
                text=f"<p>U{n}</p>",
                author=bylines[n % 8 % len(bylines)],
            )
            for n in range(LIVE_UPDATES_SHOWN + 20)
        )
        Article.objects.filter(pk=article.pk).update(last_live_update_at=POSTED + timedelta(hours=3))
        article.refresh_from_db()
        blogs.append(article)
    with_bylines, without = blogs
    assert len([b for b in bylines_on(client, with_bylines.get_absolute_url()).values() if b]) == LIVE_UPDATES_SHOWN
    assert not any(bylines_on(client, without.get_absolute_url()).values())
    for address in ("get_absolute_url", "live_updates_url"):
        args = () if address == "get_absolute_url" else (2,)
        counts = [page_queries(client, getattr(blog, address)(*args)) for blog in blogs]
        assert counts[0] == counts[1], address


def test_a_hostile_author_name_is_printed_as_text(client, publisher, page_cache_off):
    hostile = AuthorFactory(display_name="<script>alert('byline')</script>", slug="hostile")
    article = story()
    post(article, publisher, author=hostile)
    html = client.get(article.get_absolute_url()).content.decode()
    assert "<script>alert('byline')" not in html
    assert "&lt;script&gt;alert(&#39;byline&#39;)&lt;/script&gt;" in html


def test_the_structured_data_names_each_updates_author_as_a_person(client, publisher, rasha, omar, page_cache_off):
    article = story(headline="معركة الباغوز", slug="معركة", language="ar")
    post(article, publisher, author=omar, at=POSTED)
    post(article, publisher, author=rasha, at=POSTED + timedelta(minutes=5))
    post(article, publisher, at=POSTED + timedelta(minutes=10))
    newest, by_rasha, by_omar = postings(client, article)
    assert "author" not in newest
    # Named as the Arabic page names them, with their page's address and any job title.
    assert by_rasha["author"] == {
        "@type": "Person",
        "name": "رشا خليل",
        "alternateName": "Rasha Khalil",
        "url": "http://testserver/ar/author/rasha-khalil/",
    }
    assert by_omar["author"]["name"] == "Omar Saleh" and by_omar["author"]["jobTitle"] == "Deir Ezzor stringer"


@pytest.mark.parametrize("form", ["rss", "atom"])
def test_the_feeds_name_each_updates_author(client, publisher, rasha, form):
    article = story(headline="Battle for Baghouz")
    post(article, publisher, author=rasha, at=POSTED)
    post(article, publisher, text="No byline.", at=POSTED + timedelta(minutes=5))
    response = client.get(article.live_updates_feed_url(form))
    parsed = feedparser.parse(response.content)
    assert not parsed.bozo, parsed.get("bozo_exception")
    plain, by_rasha = parsed.entries
    assert by_rasha.author == "Rasha Khalil" and "author" not in plain
    if form == "atom":
        assert by_rasha.author_detail.href == "http://testserver/author/rasha-khalil/"


def test_deleting_an_author_leaves_their_updates_without_a_byline(client, publisher, rasha, page_cache_off):
    article = story()
    update = post(article, publisher, author=rasha)
    rasha.delete()
    assert LiveUpdate.objects.get(pk=update.pk).author is None
    assert bylines_on(client, article.get_absolute_url()) == {f"update-{update.pk}": None}


# -- corrections -------------------------------------------------------------------------------------------------


def test_a_correction_changes_the_byline_and_the_trail_keeps_the_one_it_replaced(client, publisher, rasha, omar):
    article = story()
    update = post(article, publisher, text="Twelve people were killed.", author=rasha)
    # Only the byline: a correction all the same.
    workflow.edit_live_update(update, by=publisher, text="Twelve people were killed.", author=omar, note="Omar's")
    assert LiveUpdate.objects.get(pk=update.pk).author == omar
    event = ArticleEvent.objects.filter(article=article, action="edit_live_update").get()
    assert event.note.endswith("before this edit:\nBy: Rasha Khalil\nTwelve people were killed.")
    # Given no byline, a correction keeps it; given None, it takes it off.
    workflow.edit_live_update(update, by=publisher, text="Eleven people were killed.")
    assert LiveUpdate.objects.get(pk=update.pk).author == omar
    workflow.edit_live_update(update, by=publisher, text="Eleven people were killed.", author=None)
    assert LiveUpdate.objects.get(pk=update.pk).author is None
    assert bylines_on(client, article.get_absolute_url()) == {f"update-{update.pk}": None}


def test_a_correction_that_keeps_words_and_byline_is_refused_and_writes_nothing(publisher, rasha):
    article = story()
    update = post(article, publisher, text="Twelve people were killed.", author=rasha)
    before = written(article)
    for author in (rasha, workflow.KEEP):
        with pytest.raises(workflow.WorkflowError, match="the update is as it was"):
            workflow.edit_live_update(update, by=publisher, text="Twelve people were killed.", author=author)
    assert written(article) == before


# -- the desk ----------------------------------------------------------------------------------------------------


def change_page(client, article):
    return lxml_html.fromstring(client.get(reverse("admin:articles_article_change", args=[article.pk])).content)


def post_url(article):
    return reverse("admin:articles_article_move", args=[article.pk, "post_live_update"])


def edit_url(article, update):
    return reverse("admin:articles_article_live_update", args=[article.pk, update.pk, "edit_live_update"])


def byline_picker(page, form="post_live_update"):
    """The byline picker of the desk's form whose address holds `form`: its search address and field, and its
    options as (value, text, selected)."""
    (select,) = page.xpath(f'//form[contains(@action, "{form}")]//select[@name="author"]')
    options = [(o.get("value"), o.text, o.get("selected") is not None) for o in select.xpath("option")]
    return select.get("data-ajax--url"), select.get("data-field-name"), options


def found_by_typing(client, search, field, term, language="en"):
    """What the picker lists when `term` is typed: (id, label) pairs, as its script asks the desk's search."""
    query = {"term": term, "app_label": "articles", "model_name": "article", "field_name": field}
    response = client.get(search, query, headers={"Accept-Language": language})
    assert response.status_code == 200
    return [(result["id"], result["text"]) for result in response.json()["results"]]


def test_the_desk_starts_on_the_publishers_own_profile_and_finds_any_author_by_typing(client, publisher, rasha, omar):
    mine = AuthorFactory(display_name="Zaid Publisher", slug="zaid", user=publisher)
    for number in range(40):  # a newsroom's worth: none of them is written into the page
        AuthorFactory(display_name=f"Stringer {number}", slug=f"stringer-{number}")
    article = story()
    client.force_login(publisher)
    search, field, options = byline_picker(change_page(client, article))
    assert options == [("", None, False), (str(mine.pk), "Zaid Publisher", True)]
    assert found_by_typing(client, search, field, "rash") == [(str(rasha.pk), "Rasha Khalil")]
    assert found_by_typing(client, search, field, "رشا") == [(str(rasha.pk), "Rasha Khalil")]
    client.post(post_url(article), {"text": "The bridge fell at noon.", "author": str(rasha.pk)})
    update = LiveUpdate.objects.get()
    assert (update.author, update.posted_by) == (rasha, publisher)


def test_a_publisher_without_an_author_profile_starts_with_no_byline(client, publisher, rasha):
    article = story()
    client.force_login(publisher)
    assert byline_picker(change_page(client, article))[2] == [("", None, False)]


def test_an_arabic_desk_names_the_authors_in_arabic_first(client, publisher, rasha):
    article = story()
    post(article, publisher, author=rasha)
    client.force_login(publisher)
    response = client.get(
        reverse("admin:articles_article_change", args=[article.pk]), headers={"Accept-Language": "ar"}
    )
    page = lxml_html.fromstring(response.content.decode())
    search, field, _ = byline_picker(page)
    (placeholder,) = page.xpath(
        '//form[contains(@action, "post_live_update")]//select[@name="author"]/@data-placeholder'
    )
    assert placeholder == "بلا توقيع (يكفي توقيع الخبر)"
    assert byline_picker(page, "edit_live_update")[2] == [
        ("", None, False),
        (str(rasha.pk), "رشا خليل (Rasha Khalil)", True),
    ]
    assert found_by_typing(client, search, field, "rasha", "ar") == [(str(rasha.pk), "رشا خليل (Rasha Khalil)")]


@pytest.mark.parametrize("forged", ["999999999", "abc", "1; DROP TABLE x"])
def test_a_forged_byline_is_refused_with_the_reason_and_the_typed_update_comes_back(client, publisher, rasha, forged):
    article = story()
    client.force_login(publisher)
    page = client.post(
        post_url(article), {"title": "Bridge", "text": "The bridge fell.", "author": forged}, follow=True
    )
    html = page.content.decode()
    assert "No such author: pick the byline from the list." in html
    assert not LiveUpdate.objects.exists() and not ArticleEvent.objects.exists()
    form = lxml_html.fromstring(html).xpath('//form[contains(@action, "post_live_update")]')[0]
    assert form.xpath(".//textarea")[0].text == "The bridge fell."


def test_a_refused_update_or_correction_comes_back_with_the_byline_picked(client, publisher, rasha, omar):
    AuthorFactory(display_name="Zaid Publisher", slug="zaid", user=publisher)
    article = story()
    update = post(article, publisher, text="Twelve people were killed.", author=rasha)
    client.force_login(publisher)
    too_long = "T" * 201
    client.post(post_url(article), {"title": too_long, "text": "The bridge fell.", "author": str(omar.pk)})
    client.post(edit_url(article, update), {"title": too_long, "text": "Twelve were killed.", "author": str(omar.pk)})
    page = change_page(client, article)
    assert byline_picker(page)[2] == [("", None, False), (str(omar.pk), "Omar Saleh", True)]
    assert byline_picker(page, "edit_live_update")[2] == [("", None, False), (str(omar.pk), "Omar Saleh", True)]
    assert LiveUpdate.objects.get().author == rasha


def test_the_desk_corrects_a_byline_and_a_forged_one_changes_nothing(client, publisher, rasha, omar):
    article = story()
    update = post(article, publisher, text="Twelve people were killed.", author=rasha)
    client.force_login(publisher)
    page = change_page(client, article)
    (listed,) = page.xpath(f'//li[@id="desk-update-{update.pk}"]')
    assert "by Rasha Khalil" in listed.xpath("./p")[0].text_content()
    assert byline_picker(page, "edit_live_update")[2] == [("", None, False), (str(rasha.pk), "Rasha Khalil", True)]
    before = written(article)
    client.post(edit_url(article, update), {"text": "Twelve people were killed.", "author": "424242"})
    assert written(article) == before
    client.post(edit_url(article, update), {"text": "Twelve people were killed.", "author": str(omar.pk)})
    assert LiveUpdate.objects.get(pk=update.pk).author == omar
    client.post(edit_url(article, update), {"text": "Twelve people were killed.", "author": ""})
    assert LiveUpdate.objects.get(pk=update.pk).author is None


def test_an_editor_is_offered_no_byline_and_a_forged_post_with_one_changes_nothing(client, editor, rasha):
    article = story()
    client.force_login(editor)
    assert not change_page(client, article).xpath('//select[@name="author"]')
    client.post(post_url(article), {"text": "Forged.", "author": str(rasha.pk)})
    assert not LiveUpdate.objects.exists() and not ArticleEvent.objects.exists()


# -- imports and exports -----------------------------------------------------------------------------------------


def jsonl_row(updates):
    return {
        "source_id": "live-1",
        "headline": "Battle for Baghouz",
        "body": "<p>Fighting in Baghouz.</p>",
        "published_at": "2024-03-01T09:00:00+00:00",
        "live_updates": updates,
    }


@pytest.mark.parametrize("options", [{"copy": True}, {"copy": False}, {"workers": 2}], ids=["copy", "bulk", "workers"])
def test_an_import_gives_updates_their_bylines_finding_or_creating_the_authors(tmp_path, rasha, options):
    updates = [
        {"posted_at": "2024-03-01T10:00:00+00:00", "text": "Dawn.", "author": "  rasha   KHALIL "},
        {"posted_at": "2024-03-01T11:00:00+00:00", "text": "Noon.", "author": "Karim Haddad"},
        {"posted_at": "2024-03-01T12:00:00+00:00", "text": "Dusk.", "author": "Karim Haddad"},
        {"posted_at": "2024-03-01T13:00:00+00:00", "text": "Night."},
    ]
    path = tmp_path / "live.jsonl"
    path.write_text(json.dumps(jsonl_row(updates)) + "\n", encoding="utf-8")
    report = run_import([str(path)], ImportOptions(autotag=False, **options))
    assert report.summary().endswith("failed 0, corrections 0, live updates 4")
    bylines = list(LiveUpdate.objects.order_by("posted_at").values_list("text", "author__display_name"))
    assert bylines == [
        ("<p>Dawn.</p>", "Rasha Khalil"),
        ("<p>Noon.</p>", "Karim Haddad"),
        ("<p>Dusk.</p>", "Karim Haddad"),
        ("<p>Night.</p>", None),
    ]
    assert Author.objects.count() == 2
    again = run_import([str(path)], ImportOptions(autotag=False, **options))
    assert again.summary().endswith("failed 0") and LiveUpdate.objects.count() == 4 and Author.objects.count() == 2


@pytest.mark.parametrize(
    ("author", "reason"),
    [({"name": "Rasha"}, "author is not a name"), ("x" * 121, "author longer than 120 characters (121)")],
)
def test_a_bad_byline_fails_its_story_by_name_and_reason(tmp_path, author, reason):
    path = tmp_path / "live.jsonl"
    bad = jsonl_row([{"posted_at": "2024-03-01T10:00:00+00:00", "text": "Dawn.", "author": author}])
    good = {**jsonl_row([{"posted_at": "2024-03-01T10:00:00+00:00", "text": "Dawn."}]), "source_id": "live-2"}
    path.write_text(json.dumps(bad) + "\n" + json.dumps(good) + "\n", encoding="utf-8")
    report = run_import([str(path)], ImportOptions(autotag=False))
    assert report.failures == [f"{path} entry 1: live_updates item 1: {reason}"]
    assert list(Article.objects.values_list("source_id", flat=True)) == ["live-2"]
    assert not Author.objects.exists()


@pytest.mark.parametrize("format", ["ninjs", "jsonl"])
def test_bylines_survive_an_export_imported_into_an_empty_database(tmp_path, publisher, rasha, format):
    article = story(headline="Battle for Baghouz")
    post(article, publisher, author=rasha, at=POSTED)
    post(article, publisher, text="No byline.", at=POSTED + timedelta(minutes=5))
    out = tmp_path / "export.out"
    call_command("export_articles", str(out), "--format", format, stdout=io.StringIO())
    exported = out.read_text(encoding="utf-8")
    assert ('"by": "Rasha Khalil"' if format == "ninjs" else '"author": "Rasha Khalil"') in exported
    Article.objects.all().delete()
    Author.objects.all().delete()
    report = run_import([str(out)], ImportOptions(status="published", autotag=False, format=format))
    assert report.summary().endswith("failed 0, corrections 0, live updates 2")
    assert list(LiveUpdate.objects.order_by("posted_at").values_list("author__display_name", "author__name_ar")) == [
        ("Rasha Khalil", ""),
        (None, None),
    ]


# -- the author's page and feed ----------------------------------------------------------------------------------


def listed(client, address):
    """The headlines of the stories a list page shows, without the "Live: " read to screen readers."""
    page = lxml_html.fromstring(client.get(address).content.decode())
    return [h.text_content().strip().removeprefix("Live: ") for h in page.xpath('//h3[@class="story-headline"]')]


def test_an_authors_page_and_feed_list_the_live_blogs_they_write_updates_for(client, publisher, omar, page_cache_off):
    story(headline="Omar's own story", authors=[omar], age=timedelta(hours=3))
    blog = story(headline="Battle for Baghouz", age=timedelta(hours=2))
    other = story(headline="A blog Omar did not write for", age=timedelta(hours=1))
    post(blog, publisher, author=omar)
    post(blog, publisher, text="A second update by Omar.", author=omar, at=POSTED + timedelta(minutes=1))
    post(other, publisher, text="Someone else's update.")
    assert listed(client, omar.get_absolute_url()) == ["Battle for Baghouz", "Omar's own story"]  # once each
    rss = feedparser.parse(client.get(reverse("articles:feed_author_rss", args=[omar.slug])).content)
    assert [entry.title for entry in rss.entries] == ["Battle for Baghouz", "Omar's own story"]
    # A removed update no longer makes the blog theirs.
    for update in LiveUpdate.objects.filter(article=blog):
        workflow.remove_live_update(update, by=publisher, note="Not confirmed")
    assert listed(client, omar.get_absolute_url()) == ["Omar's own story"]
    assert other.pk not in Article.objects.by_author(omar).values_list("pk", flat=True)


def test_the_authors_page_costs_the_same_queries_with_live_blogs(client, publisher, rasha, omar, page_cache_off):
    story(headline="Rasha's story", authors=[rasha])
    story(headline="Omar's story", authors=[omar])
    for n in range(5):
        post(story(headline=f"Blog {n}"), publisher, author=omar)
    assert len(listed(client, omar.get_absolute_url())) == 6
    assert page_queries(client, omar.get_absolute_url()) == page_queries(client, rasha.get_absolute_url())
