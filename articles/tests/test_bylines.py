"""Bylines print the authors in the order the desk entered them, lead writer first, wherever they are read.

The two writers below have ids in name order (Adam Brook first), the desk puts Zeina Khalil first: a byline
that fell back to names or ids would read "Adam Brook, Zeina Khalil".
"""

import html
import re

import feedparser
import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse

from articles import diffs, editing, export, revisions, workflow
from articles.importers.pipeline import ImportOptions, run_import
from articles.models import Article, ArticleRevision, Author, Byline
from articles.tests.desk_forms import post_change
from articles.tests.factories import ArticleFactory, AuthorFactory
from articles.tests.publishing import S, fresh_cache, story  # noqa: F401 - fresh_cache is a fixture

pytestmark = pytest.mark.django_db

LEAD_FIRST = ["Zeina Khalil", "Adam Brook"]


@pytest.fixture
def writers():
    """{name: Author}, created in name order, so that ids and names agree and differ from the desk's order."""
    return {name: AuthorFactory(display_name=name, slug=name.lower().replace(" ", "-")) for name in sorted(LEAD_FIRST)}


def names(authors):
    return [author.display_name for author in authors]


def chosen_in_form(page):
    """The authors the article form shows as chosen, in the order the page lists them."""
    select = re.search(r'<select name="authors".*?</select>', page, re.S).group(0)
    return [html.unescape(label) for label in re.findall(r"<option[^>]*selected[^>]*>([^<]*)</option>", select)]


# -- the model ----------------------------------------------------------------------------------------------


def test_the_authors_of_a_story_come_in_the_order_entered_read_alone_or_prefetched(writers):
    article = ArticleFactory(authors=[writers[name] for name in LEAD_FIRST])
    other = ArticleFactory(authors=[writers["Adam Brook"], writers["Zeina Khalil"]])
    assert names(article.authors.all()) == LEAD_FIRST
    assert article.byline_in("en") == "Zeina Khalil, Adam Brook"
    prefetched = {a.pk: a for a in Article.objects.prefetch_related("authors")}
    assert names(prefetched[article.pk].authors.all()) == LEAD_FIRST
    assert names(prefetched[other.pk].authors.all()) == ["Adam Brook", "Zeina Khalil"]
    assert names(Article.objects.with_list_relations().get(pk=article.pk).authors.all()) == LEAD_FIRST
    # Elsewhere authors are still listed by name.
    assert names(Author.objects.all()) == sorted(LEAD_FIRST)


def test_setting_authors_reorders_drops_and_keeps_each_author_once(writers):
    extra = AuthorFactory(display_name="Basma Aziz")
    article = ArticleFactory(authors=[writers["Adam Brook"], extra])
    article.set_authors([writers["Zeina Khalil"], writers["Adam Brook"].pk, writers["Zeina Khalil"]])
    assert names(article.authors.all()) == LEAD_FIRST
    assert list(Byline.objects.filter(article=article).values_list("position", flat=True)) == [0, 1]
    article.set_authors([])
    assert not article.authors.exists()


# -- the admin ----------------------------------------------------------------------------------------------


def test_the_admin_saves_authors_in_the_order_picked_and_shows_them_so(editor_client, writers):
    article = ArticleFactory(headline="Talks resume")
    response = post_change(editor_client, article, authors=[writers[name].pk for name in LEAD_FIRST])
    assert response.status_code == 302, response.content.decode()[:2000]
    assert names(article.authors.all()) == LEAD_FIRST
    page = editor_client.get(reverse("admin:articles_article_change", args=[article.pk])).content.decode()
    assert chosen_in_form(page) == LEAD_FIRST
    listed = editor_client.get(reverse("admin:articles_article_changelist")).content.decode()
    assert "Zeina Khalil, Adam Brook" in listed
    # Reordered: picked the other way round, saved the other way round.
    article.refresh_from_db()
    response = post_change(editor_client, article, authors=[writers["Adam Brook"].pk, writers["Zeina Khalil"].pk])
    assert response.status_code == 302
    assert names(article.authors.all()) == ["Adam Brook", "Zeina Khalil"]
    assert revisions.snapshot(article)["authors"] == [writers["Adam Brook"].pk, writers["Zeina Khalil"].pk]


def test_a_form_shown_again_with_an_error_keeps_the_order_picked(editor_client, writers):
    article = ArticleFactory(headline="Talks resume")
    response = post_change(editor_client, article, headline="", authors=[writers[name].pk for name in LEAD_FIRST])
    assert response.status_code == 200  # shown again with the error, nothing saved
    assert chosen_in_form(response.content.decode()) == LEAD_FIRST
    assert not article.authors.exists()


def test_the_new_article_form_saves_authors_in_the_order_picked(editor_client, writers):
    data = {"language": "en", "headline": "Talks resume", "slug": "talks-resume"}
    data.update({"embargo_until_0": "", "embargo_until_1": "", "dateline_time_0": "", "dateline_time_1": ""})
    data["authors"] = [writers[name].pk for name in LEAD_FIRST]
    response = editor_client.post(reverse("admin:articles_article_add"), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    article = Article.objects.get(headline="Talks resume")
    assert names(article.authors.all()) == LEAD_FIRST
    assert article.revisions.get().content["authors"] == [writers[name].pk for name in LEAD_FIRST]


def test_an_author_posted_twice_is_one_byline_entry_in_their_first_place(editor_client, writers):
    article = ArticleFactory(headline="Talks resume")
    zeina, adam = (writers[name].pk for name in LEAD_FIRST)
    response = post_change(editor_client, article, authors=[zeina, adam, zeina, str(adam)])
    assert response.status_code == 302, response.content.decode()[:2000]
    assert names(article.authors.all()) == LEAD_FIRST
    assert Byline.objects.filter(article=article).count() == 2


@pytest.mark.parametrize("forged", ["abc", "999999"])
def test_an_author_that_is_not_one_is_a_form_error_not_a_crash(editor_client, writers, forged):
    article = ArticleFactory(headline="Talks resume", authors=[writers["Adam Brook"]])
    response = post_change(editor_client, article, authors=[writers["Zeina Khalil"].pk, forged])
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode() or "valid value" in response.content.decode()
    assert names(article.authors.all()) == ["Adam Brook"]


def test_a_reorder_on_a_live_story_waits_for_publish_update(editor_client, publisher, writers):
    article = story(headline="Talks resume", authors=[writers["Adam Brook"], writers["Zeina Khalil"]])
    response = post_change(editor_client, article, authors=[writers[name].pk for name in LEAD_FIRST])
    assert response.status_code == 302
    assert names(article.authors.all()) == ["Adam Brook", "Zeina Khalil"]  # readers still see the old byline
    page = editor_client.get(reverse("admin:articles_article_change", args=[article.pk])).content.decode()
    assert chosen_in_form(page) == LEAD_FIRST  # the desk carries on from the pending update
    workflow.publish_update(Article.objects.get(pk=article.pk), by=publisher)
    assert names(article.authors.all()) == LEAD_FIRST


def _change_page(client, writers):
    article = ArticleFactory(headline="Talks resume", authors=[writers[name] for name in LEAD_FIRST])
    return client.get(reverse("admin:articles_article_change", args=[article.pk])).content.decode()


def test_the_authors_field_carries_the_move_buttons_wording(editor_client, writers):
    page = _change_page(editor_client, writers)
    assert 'data-byline-order="Byline order"' in page
    assert 'data-byline-move-up="Move %(name)s up"' in page
    assert 'data-byline-move-down="Move %(name)s down"' in page
    assert "arrow buttons under the field move an author up or down" in page


def test_an_arabic_admin_carries_the_move_buttons_wording_in_arabic(editor_client, writers):
    editor_client.post("/i18n/setlang/", {"language": "ar", "next": "/admin/"})  # the admin's language menu
    page = _change_page(editor_client, writers)
    assert 'data-byline-order="ترتيب أسماء الكتّاب"' in page
    assert 'data-byline-move-up="انقل %(name)s إلى الأعلى"' in page
    assert 'data-byline-move-down="انقل %(name)s إلى الأسفل"' in page
    assert 'data-byline-moved="%(name)s الآن في المرتبة %(position)s من %(count)s."' in page
    assert "تنقل أزرار الأسهم تحت الحقل" in page


def test_a_story_its_viewer_may_not_edit_shows_its_byline_with_nothing_to_reorder(client, reporter, writers):
    submitted = story(S.SUBMITTED, created_by=reporter, authors=[writers[name] for name in LEAD_FIRST])
    client.force_login(reporter)
    page = client.get(reverse("admin:articles_article_change", args=[submitted.pk])).content.decode()
    assert "Zeina Khalil, Adam Brook" in page  # read only, in byline order
    assert "data-byline-move-up" not in page
    assert '<select name="authors"' not in page
    # A forged post of the other order changes nothing.
    response = post_change(client, submitted, authors=[writers["Adam Brook"].pk, writers["Zeina Khalil"].pk])
    assert response.status_code == 403
    assert names(submitted.authors.all()) == LEAD_FIRST


# -- revisions ----------------------------------------------------------------------------------------------


def test_restoring_a_revision_brings_back_its_byline_order(editor, writers):
    zeina, adam = (writers[name] for name in LEAD_FIRST)
    article = ArticleFactory(headline="Talks resume", authors=[zeina, adam])
    editing.save_edit(article.pk, {"authors": [adam.pk, zeina.pk]}, by=editor, base_version=article.version)
    assert names(article.authors.all()) == ["Adam Brook", "Zeina Khalil"]
    editing.restore_revision(article.pk, 1, by=editor)
    assert names(article.authors.all()) == LEAD_FIRST
    changes = diffs.compare(article.revisions.get(number=2).content, article.revisions.get(number=3).content)
    (byline,) = [change for change in changes if change.name == "authors"]
    assert "order changed" in byline.html
    assert byline.html.index("Zeina Khalil") < byline.html.index("Adam Brook")


def test_a_preview_of_a_revision_shows_its_byline_order(writers):
    zeina, adam = (writers[name] for name in LEAD_FIRST)
    article = ArticleFactory(headline="Talks resume", authors=[adam, zeina])
    shown = revisions.in_memory(article, {"authors": [zeina.pk, adam.pk]})
    assert names(shown.authors.all()) == LEAD_FIRST


def test_a_revision_whose_author_was_deleted_restores_the_others_in_order(editor, writers):
    gone = AuthorFactory(display_name="Basma Aziz")
    zeina, adam = (writers[name] for name in LEAD_FIRST)
    article = ArticleFactory(headline="Talks resume", authors=[zeina, gone, adam])
    editing.save_edit(article.pk, {"authors": [adam.pk]}, by=editor, base_version=article.version)
    gone.delete()
    editing.restore_revision(article.pk, 1, by=editor)
    assert names(article.authors.all()) == LEAD_FIRST
    assert ArticleRevision.objects.filter(article=article).count() == 3


# -- what readers see ---------------------------------------------------------------------------------------


@pytest.fixture
def published(writers, settings):
    settings.NEWSROOM_PAGE_CACHE_SECONDS = 0
    return story(headline="Talks resume in Baghdad", authors=[writers[name] for name in LEAD_FIRST])


def printed_bylines(page):
    """The bylines a list of stories prints, as a reader reads them (without the names' <bdi> isolates)."""
    spans = re.findall(r'<span class="byline-short">(.*?)</span>', page, re.S)
    return [html.unescape(re.sub(r"<[^>]+>", "", span)) for span in spans]


def test_lists_and_search_results_print_the_byline_in_order(client, published, fresh_cache):  # noqa: F811
    for url in ("/", "/author/adam-brook/", "/search/?q=talks"):
        page = client.get(url).content.decode()
        assert printed_bylines(page) == ["Zeina Khalil, Adam Brook"], url


def test_feeds_name_the_authors_in_byline_order(client, published, fresh_cache):  # noqa: F811
    for url in ("/feeds/latest/rss/", "/feeds/latest/atom/"):
        (item,) = feedparser.parse(client.get(url).content).entries
        assert item.author == "Zeina Khalil, Adam Brook", url


def test_the_export_lists_the_authors_in_byline_order(published):
    (article,) = export.public_articles()
    assert export.ninjs_item(article)["by"] == "Zeina Khalil, Adam Brook"
    assert export.jsonl_row(article)["authors"] == LEAD_FIRST


# -- imports ------------------------------------------------------------------------------------------------


def _import(path):
    return run_import([str(path)], ImportOptions(source="Wire"))


def _wire(path, authors):
    path.write_text(
        f'source_id,headline,body,authors\nw-1,Talks resume in Baghdad,"<p>Delegations met on Sunday.</p>",{authors}\n',
        encoding="utf-8",
    )
    return path


def test_an_import_keeps_the_inputs_byline_order_and_a_reordered_reimport_updates_it(tmp_path, writers):
    wire = _wire(tmp_path / "wire.csv", "Zeina Khalil|Adam Brook")
    assert _import(wire).summary() == "imported 1, updated 0, unchanged 0, held 0, duplicates 0, failed 0"
    article = Article.objects.get(source_id="w-1")
    assert names(article.authors.all()) == LEAD_FIRST
    assert _import(wire).summary() == "imported 0, updated 0, unchanged 1, held 0, duplicates 0, failed 0"
    assert Article.objects.get(pk=article.pk).version == article.version
    _wire(wire, "Adam Brook|Zeina Khalil")
    assert _import(wire).summary() == "imported 0, updated 1, unchanged 0, held 0, duplicates 0, failed 0"
    assert names(article.authors.all()) == ["Adam Brook", "Zeina Khalil"]


def test_a_reimport_keeps_an_author_the_desk_added_after_the_inputs_authors(tmp_path, writers):
    wire = _wire(tmp_path / "wire.csv", "Zeina Khalil|Adam Brook")
    _import(wire)
    article = Article.objects.get(source_id="w-1")
    desk = AuthorFactory(display_name="Basma Aziz")
    article.set_authors([desk, *article.authors.all()])
    _wire(wire, "Adam Brook|Zeina Khalil")
    _import(wire)
    assert names(article.authors.all()) == ["Adam Brook", "Zeina Khalil", "Basma Aziz"]
    assert sorted(Byline.objects.filter(article=article).values_list("position", flat=True)) == [0, 1, 2]


def test_an_author_named_twice_in_an_input_is_one_byline_entry(tmp_path, writers):
    _import(_wire(tmp_path / "wire.csv", "Zeina Khalil|Adam Brook|Zeina Khalil"))
    assert names(Article.objects.get(source_id="w-1").authors.all()) == LEAD_FIRST


# -- the migration ------------------------------------------------------------------------------------------

BEFORE, AFTER = ("articles", "0014_featured_until"), ("articles", "0015_byline_order")
# Created in this order (ids neither by name nor reversed); two share a name, then the id decides, as it did.
WRITERS = [("zeina", "Zeina Khalil"), ("bob", "Bob Lane"), ("adam", "Adam Brook"), ("bob-2", "Bob Lane")]


@pytest.mark.django_db(transaction=True)
def test_the_migration_keeps_every_link_in_the_order_readers_saw():
    executor = MigrationExecutor(connection)
    leaves = executor.loader.graph.leaf_nodes()
    try:
        executor.migrate([BEFORE])
        old = executor.loader.project_state([BEFORE]).apps
        author, article, revision = (old.get_model("articles", n) for n in ("Author", "Article", "ArticleRevision"))
        people = {slug: author.objects.create(display_name=name, slug=slug) for slug, name in WRITERS}
        story = article.objects.create(headline="Talks resume", slug="talks-resume")
        alone = article.objects.create(headline="Talks end", slug="talks-end")
        story.authors.add(*people.values())
        alone.authors.add(people["zeina"])
        by_id = sorted(p.pk for p in people.values())
        revision.objects.create(article=story, number=1, content={"headline": "Talks resume", "authors": by_id})
        seen = [a.pk for a in story.authors.order_by("display_name", "pk")]  # what the pages printed
        assert seen == [people[slug].pk for slug in ("adam", "bob", "bob-2", "zeina")]

        executor = MigrationExecutor(connection)
        executor.migrate([AFTER])
        new = executor.loader.project_state([AFTER]).apps
        byline = new.get_model("articles", "Byline")
        assert list(byline.objects.filter(article_id=story.pk).values_list("position", "author_id")) == list(
            enumerate(seen)
        )
        assert list(byline.objects.filter(article_id=alone.pk).values_list("position", "author_id")) == [
            (0, people["zeina"].pk)
        ]
        assert new.get_model("articles", "ArticleRevision").objects.get().content["authors"] == seen
    finally:
        MigrationExecutor(connection).migrate(leaves)
    restored = Article.objects.get(headline="Talks resume")
    assert names(restored.authors.all()) == ["Adam Brook", "Bob Lane", "Bob Lane", "Zeina Khalil"]
