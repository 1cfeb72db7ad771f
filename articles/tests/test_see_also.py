"""See also: the desk chooses up to three stories that lead a story's related box, in its order.

The rules (never itself, each once, at most three) are the form's and the database's; the choice is content,
kept in revisions like the byline; readers see only the chosen stories that are public, first in the box.
"""

import html
import json
import re
from datetime import timedelta
from pathlib import Path

import jsonschema
import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from articles import diffs, editing, export, revisions, views, workflow
from articles.models import Article, ArticleRevision, SeeAlso
from articles.tests.desk_forms import post_change
from articles.tests.factories import ArticleFactory
from articles.tests.publishing import S, fresh_cache, hidden_stories, page_queries, story  # noqa: F401 - fresh_cache is a fixture
from articles.tests.test_caching import any_cache  # noqa: F401 - a fixture: memory and Redis

pytestmark = pytest.mark.django_db


def related_links(page):
    """The addresses the public page's related box links to, in its order."""
    box = re.search(r'<section class="related".*?</section>', page, re.S)
    return re.findall(r'<a href="([^"]+)"', box.group(0)) if box else []


def addresses(stories):
    return [story.get_absolute_url() for story in stories]


def chosen_ids(article):
    return [story.pk for story in Article.objects.get(pk=article.pk).see_also.all()]


@pytest.fixture
def trio():
    """Three public stories to choose, made in an order the desk will not keep."""
    return [story(headline=f"Background story {n}", age=timedelta(hours=n + 2)) for n in range(3)]


# -- the model and the database ----------------------------------------------------------------------------


def test_chosen_stories_come_in_the_desks_order_read_alone_or_prefetched(trio):
    article = story(headline="Follow-up")
    article.set_see_also([trio[2], trio[0], trio[1].pk])
    wanted = [trio[2].pk, trio[0].pk, trio[1].pk]
    assert chosen_ids(article) == wanted
    prefetched = Article.objects.prefetch_related("see_also").get(pk=article.pk)
    assert [s.pk for s in prefetched.see_also.all()] == wanted
    assert [s.pk for s in trio[0].chosen_by.all()] == [article.pk]


@pytest.mark.parametrize(
    "choice, problem",
    [
        (lambda a, t: [a], "cannot be chosen for its own"),
        (lambda a, t: [t[0], t[0]], "more than once"),
        (lambda a, t: [*t, story(headline="A fourth")], "at most 3"),
    ],
)
def test_setting_a_forbidden_choice_is_refused_and_changes_nothing(trio, choice, problem):
    article = story(headline="Follow-up")
    article.set_see_also([trio[1]])
    with pytest.raises(ValueError, match=problem):
        article.set_see_also(choice(article, trio))
    assert chosen_ids(article) == [trio[1].pk]


@pytest.mark.parametrize(
    "rows",
    [
        lambda a, t: [SeeAlso(article=a, story=a, position=0)],  # itself
        lambda a, t: [SeeAlso(article=a, story=t[0], position=0), SeeAlso(article=a, story=t[0], position=1)],
        lambda a, t: [SeeAlso(article=a, story=t[0], position=0), SeeAlso(article=a, story=t[1], position=0)],
        lambda a, t: [SeeAlso(article=a, story=t[0], position=3)],  # a fourth place
    ],
    ids=["itself", "twice", "two-in-one-place", "fourth-place"],
)
def test_the_database_refuses_what_the_form_refuses(trio, rows):
    article = story(headline="Follow-up")
    with pytest.raises(IntegrityError), transaction.atomic():
        SeeAlso.objects.bulk_create(rows(article, trio))
    assert not SeeAlso.objects.filter(article=article).exists()


def test_deleting_a_chosen_story_takes_it_off_the_choice(trio):
    article = story(headline="Follow-up")
    article.set_see_also(trio)
    trio[1].delete()
    assert chosen_ids(article) == [trio[0].pk, trio[2].pk]


# -- the desk ----------------------------------------------------------------------------------------------


def _change_page(client, article):
    response = client.get(reverse("admin:articles_article_change", args=[article.pk]))
    assert response.status_code == 200
    return response.content.decode()


def chosen_in_form(page):
    """The labels of the stories the form shows as chosen, in the order the page lists them."""
    select = re.search(r'<select name="see_also".*?</select>', page, re.S).group(0)
    return [html.unescape(label) for label in re.findall(r"<option[^>]*selected[^>]*>([^<]*)</option>", select)]


def test_an_editor_chooses_stories_in_the_story_form_and_sees_them_in_that_order(editor_client, trio):
    article = ArticleFactory(headline="Follow-up")
    response = post_change(editor_client, article, see_also=[trio[2].pk, trio[0].pk])
    assert response.status_code == 302
    assert chosen_ids(article) == [trio[2].pk, trio[0].pk]
    page = _change_page(editor_client, article)
    assert chosen_in_form(page) == [
        "Background story 2 (English, published)",
        "Background story 0 (English, published)",
    ]
    assert 'data-byline-order="Order in the related box"' in page  # article_form.js builds the move buttons


def test_reordering_and_removing_chosen_stories_is_saved_as_posted(editor_client, trio):
    article = ArticleFactory(headline="Follow-up")
    article.set_see_also(trio)
    article.refresh_from_db()
    assert post_change(editor_client, article, see_also=[trio[2].pk, trio[0].pk]).status_code == 302
    assert chosen_ids(article) == [trio[2].pk, trio[0].pk]


@pytest.mark.parametrize(
    "choice, error",
    [
        (lambda a, t, extra: [t[0].pk, t[1].pk, t[2].pk, extra.pk], "Choose at most 3 stories"),
        (lambda a, t, extra: [t[0].pk, t[1].pk, t[0].pk], "The same story is chosen more than once."),
        (lambda a, t, extra: [t[0].pk, a.pk], "A story cannot be chosen for its own related box."),
        (lambda a, t, extra: [t[0].pk, 999999], "Select a valid choice"),
    ],
    ids=["four", "duplicate", "itself", "no-such-story"],
)
def test_a_forbidden_choice_is_a_clear_form_error_and_loses_nothing(editor_client, trio, choice, error):
    article = ArticleFactory(headline="Follow-up")
    article.set_see_also([trio[1]])
    article.refresh_from_db()
    extra = story(headline="A fourth story")
    response = post_change(
        editor_client, article, headline="Follow-up, rewritten", see_also=choice(article, trio, extra)
    )
    assert response.status_code == 200
    page = html.unescape(response.content.decode())
    assert error in page
    assert 'value="Follow-up, rewritten"' in page  # the typed text is still in the form
    article.refresh_from_db()
    assert article.headline == "Follow-up" and chosen_ids(article) == [trio[1].pk]


def test_the_arabic_admin_explains_a_forbidden_choice_in_arabic(editor_client, trio):
    editor_client.post("/i18n/setlang/", {"language": "ar", "next": "/admin/"})
    article = ArticleFactory(headline="Follow-up")
    article.set_see_also([trio[0]])
    article.refresh_from_db()
    extra = story(headline="A fourth story")
    response = post_change(editor_client, article, see_also=[*(s.pk for s in trio), extra.pk])
    page = html.unescape(response.content.decode())
    assert "اختر 3 أخبار على الأكثر لتتصدّر مربع الأخبار ذات الصلة (المختار: 4)." in page
    page = _change_page(editor_client, article)
    assert 'data-byline-order="الترتيب في مربع الأخبار ذات الصلة"' in page
    assert "اقرأ أيضًا" in page  # the field's label
    assert chosen_in_form(page) == ["Background story 0 (الإنجليزية، منشور)"]


def test_the_picker_finds_stories_by_headline_in_either_language(editor_client):
    ArticleFactory(headline="Water returns to Baghouz", language="en")
    story(headline="عودة المياه إلى الباغوز", language="ar")
    url = reverse("admin:articles_article_picker_search")
    found = {}
    for term in ("Baghouz", "الباغوز"):
        params = {"term": term, "app_label": "articles", "model_name": "article", "field_name": "see_also"}
        response = editor_client.get(url, params)
        assert response.status_code == 200
        found[term] = [result["text"] for result in response.json()["results"]]
    assert found["Baghouz"] == ["Water returns to Baghouz (English, draft)"]
    assert found["الباغوز"] == ["عودة المياه إلى الباغوز (Arabic, published)"]


def test_someone_who_may_not_edit_the_story_cannot_change_its_choice(client, reporter, trio):
    submitted = story(S.SUBMITTED, created_by=reporter, headline="Submitted story")
    submitted.set_see_also([trio[0]])
    client.force_login(reporter)
    page = _change_page(client, submitted)
    assert '<select name="see_also"' not in page  # read only: named as the picker names them
    assert "Background story 0 (English, published)" in page
    response = post_change(client, submitted, see_also=[trio[1].pk, trio[2].pk])
    assert response.status_code == 403
    assert chosen_ids(submitted) == [trio[0].pk]
    # Nor through the revisions: the edit action refuses the reporter too.
    with pytest.raises(editing.EditRefused):
        editing.save_edit(submitted.pk, {"see_also": [trio[1].pk]}, by=reporter, base_version=submitted.version)
    assert chosen_ids(submitted) == [trio[0].pk]


def test_a_change_of_choice_is_a_revision_and_restoring_a_version_brings_it_back(editor, trio):
    article = ArticleFactory(headline="Follow-up")
    editing.save_edit(article.pk, {"see_also": [trio[0].pk, trio[1].pk]}, by=editor, base_version=article.version)
    editing.save_edit(article.pk, {"see_also": [trio[2].pk]}, by=editor, base_version=article.version + 1)
    assert chosen_ids(article) == [trio[2].pk]
    editing.restore_revision(article.pk, 2, by=editor)
    assert chosen_ids(article) == [trio[0].pk, trio[1].pk]
    content = article.revisions.get(number=2).content
    assert content["see_also"] == [trio[0].pk, trio[1].pk]
    changes = diffs.compare(article.revisions.get(number=3).content, content)
    (change,) = [change for change in changes if change.name == "see_also"]
    assert change.label == "See also"
    assert "<ins>Background story 0</ins>" in change.html and "<del>Background story 2</del>" in change.html


def test_a_revision_from_before_the_choice_restores_an_empty_one(editor, trio):
    article = ArticleFactory(headline="Follow-up")
    old = {k: v for k, v in revisions.snapshot(article).items() if k != "see_also"}
    ArticleRevision.objects.create(article=article, number=article.version, content=old, created_by=editor)
    editing.save_edit(article.pk, {"see_also": [trio[0].pk]}, by=editor, base_version=article.version)
    editing.restore_revision(article.pk, 1, by=editor)
    assert chosen_ids(article) == []


def test_on_a_live_story_the_choice_waits_for_publish_update(editor_client, publisher, trio, client):
    article = story(headline="Live follow-up")
    response = post_change(editor_client, article, see_also=[trio[1].pk])
    assert response.status_code == 302
    assert chosen_ids(article) == []  # readers still see the published box
    assert chosen_in_form(_change_page(editor_client, article)) == ["Background story 1 (English, published)"]
    workflow.publish_update(Article.objects.get(pk=article.pk), by=publisher)
    assert chosen_ids(article) == [trio[1].pk]


# -- the public page ----------------------------------------------------------------------------------------


def test_chosen_stories_lead_the_related_box_in_the_desks_order_then_the_ranked_ones_without_repeats(
    client, places, trio, fresh_cache
):
    tags = {"regions": [places["baghouz"]]}
    ranked = [story(headline=f"Baghouz story {n}", age=timedelta(minutes=n), **tags) for n in range(3)]
    article = story(headline="Follow-up from Baghouz", **tags)
    article.set_see_also([trio[2], ranked[2], trio[0]])
    links = related_links(client.get(article.get_absolute_url()).content.decode())
    assert links == addresses([trio[2], ranked[2], trio[0], ranked[0], ranked[1]])


def test_the_box_keeps_its_size_with_chosen_stories(client, places, trio, fresh_cache):
    tags = {"regions": [places["baghouz"]]}
    ranked = [story(headline=f"Baghouz story {n}", age=timedelta(minutes=n), **tags) for n in range(6)]
    article = story(headline="Follow-up from Baghouz", **tags)
    article.set_see_also(trio)
    links = related_links(client.get(article.get_absolute_url()).content.decode())
    assert len(links) == views.RELATED_STORIES
    assert links == addresses([*trio, ranked[0], ranked[1]])


def test_a_story_without_places_or_actors_shows_only_its_chosen_stories(client, trio, fresh_cache):
    article = story(headline="Untagged follow-up")
    article.set_see_also([trio[1]])
    assert related_links(client.get(article.get_absolute_url()).content.decode()) == addresses([trio[1]])


@pytest.mark.parametrize("state", ["draft", "scheduled later", "embargoed", "unpublished", "spiked"])
def test_a_chosen_story_readers_may_not_see_is_left_out_of_the_box(client, trio, fresh_cache, state):
    hidden = hidden_stories()[state]
    article = story(headline="Follow-up")
    article.set_see_also([hidden, trio[0]])
    page = client.get(article.get_absolute_url()).content.decode()
    assert related_links(page) == addresses([trio[0]])
    assert hidden.headline not in page


def test_a_chosen_story_scheduled_and_due_shows(client, trio, fresh_cache):
    due = story(S.SCHEDULED, headline="Scheduled and due", scheduled_for=timezone.now() - timedelta(minutes=5))
    article = story(headline="Follow-up")
    article.set_see_also([due])
    assert related_links(client.get(article.get_absolute_url()).content.decode()) == addresses([due])


def test_a_chosen_story_from_the_other_edition_is_marked_with_its_language(client, fresh_cache):
    arabic = story(headline="عودة المياه إلى الباغوز", language="ar")
    english = story(headline="Water returns to Baghouz", language="en")
    english.set_see_also([arabic])
    arabic.set_see_also([english])
    page = client.get(english.get_absolute_url()).content.decode()
    assert f'<a href="{arabic.get_absolute_url()}" hreflang="ar">' in page
    assert '<li class="story" lang="ar" dir="rtl">' in page and ">العربية</span>" in page
    page = client.get(arabic.get_absolute_url()).content.decode()
    assert f'<a href="{english.get_absolute_url()}" hreflang="en">' in page and ">English</span>" in page


def test_a_chosen_story_from_the_same_edition_carries_no_language_mark(client, trio, fresh_cache):
    article = story(headline="Follow-up")
    article.set_see_also([trio[0]])
    page = client.get(article.get_absolute_url()).content.decode()
    assert "hreflang" not in re.search(r'<section class="related".*?</section>', page, re.S).group(0)


def test_chosen_stories_cost_the_article_page_no_query(client, places, trio, page_cache_off):
    from django.core.cache import cache

    tags = {"regions": [places["baghouz"]]}
    for n in range(3):
        story(headline=f"Baghouz story {n}", **tags)
    elsewhere = story(headline="Market prices in Baghdad", regions=[places["baghdad"]])
    plain = story(headline="Plain follow-up", **tags)
    chosen = story(headline="Follow-up with a choice", **tags)
    chosen.set_see_also([*trio[:2], hidden_stories()["draft"]])
    for article in (plain, chosen):
        cache.clear()
        client.get(elsewhere.get_absolute_url())  # the site-wide fragments (menu, next scheduled story)
        # As the pinned page (test_views): the story with everything in its row, then the related stories;
        # one more when its tags' lists are not cached.
        assert page_queries(client, article.get_absolute_url(), warm=False) == 3
        assert page_queries(client, article.get_absolute_url(), warm=False) == 2


def test_the_staff_preview_shows_the_same_box_and_a_pending_choice(client, editor, editor_client, publisher, trio):
    article = story(headline="Live follow-up")
    article.set_see_also([trio[0], hidden_stories()["draft"]])
    preview = reverse("desk:preview", args=[article.pk])
    assert related_links(editor_client.get(preview).content.decode()) == addresses([trio[0]])
    editing.save_edit(article.pk, {"see_also": [trio[2].pk, trio[1].pk]}, by=editor, base_version=article.version)
    assert related_links(editor_client.get(preview).content.decode()) == addresses([trio[2], trio[1]])
    # Readers still see the published choice until the update is published.
    assert related_links(client.get(article.get_absolute_url()).content.decode()) == addresses([trio[0]])


# -- the page cache -----------------------------------------------------------------------------------------


def test_publishing_a_chosen_draft_puts_it_in_the_cached_box(
    client, any_cache, publisher, trio, django_capture_on_commit_callbacks
):
    draft = story(S.APPROVED, headline="Explainer still in the works")
    article = story(headline="Follow-up")
    article.set_see_also([draft, trio[0]])
    url = article.get_absolute_url()
    assert related_links(client.get(url).content.decode()) == addresses([trio[0]])  # cached without it
    with django_capture_on_commit_callbacks(execute=True):
        workflow.publish(draft, by=publisher)
    assert related_links(client.get(url).content.decode()) == addresses([draft, trio[0]])


def test_withdrawing_or_editing_a_chosen_story_purges_the_cached_box(
    client, any_cache, publisher, trio, django_capture_on_commit_callbacks
):
    article = story(headline="Follow-up")
    article.set_see_also([trio[0], trio[1]])
    url = article.get_absolute_url()
    assert related_links(client.get(url).content.decode()) == addresses([trio[0], trio[1]])
    with django_capture_on_commit_callbacks(execute=True):
        workflow.unpublish(trio[0], by=publisher, note="Legal request")
    assert related_links(client.get(url).content.decode()) == addresses([trio[1]])
    with django_capture_on_commit_callbacks(execute=True):
        trio[1].headline = "Background story, renamed"
        trio[1].save()
    assert "Background story, renamed" in client.get(url).content.decode()


def test_publishing_a_new_choice_purges_the_cached_page(
    client, any_cache, editor, publisher, trio, django_capture_on_commit_callbacks
):
    article = story(headline="Follow-up")
    url = article.get_absolute_url()
    assert related_links(client.get(url).content.decode()) == []
    editing.save_edit(article.pk, {"see_also": [trio[2].pk]}, by=editor, base_version=article.version)
    with django_capture_on_commit_callbacks(execute=True):
        workflow.publish_update(Article.objects.get(pk=article.pk), by=publisher)
    assert related_links(client.get(url).content.decode()) == addresses([trio[2]])


# -- the export --------------------------------------------------------------------------------------------


def test_the_ninjs_export_names_the_public_chosen_stories_as_associations_in_order(tmp_path, trio):
    arabic = story(headline="عودة المياه إلى الباغوز", language="ar")
    article = story(headline="Follow-up")
    article.set_see_also([hidden_stories()["embargoed"], arabic, trio[1]])
    out = tmp_path / "export.json"
    export.write_export(str(out), "ninjs")
    items = {item["uri"]: item for item in json.loads(out.read_text(encoding="utf-8"))}
    item = items[f"urn:newsroom:article:{article.pk}"]
    schema = json.loads((Path(__file__).parent / "data" / "ninjs-2.0-schema.json").read_text())
    jsonschema.Draft7Validator(schema, format_checker=jsonschema.FormatChecker()).validate(item)
    assert [(a["name"], a["uri"], a["language"], a["headlines"][0]["value"]) for a in item["associations"]] == [
        ("seealso1", f"urn:newsroom:article:{arabic.pk}", "ar", "عودة المياه إلى الباغوز"),
        ("seealso2", f"urn:newsroom:article:{trio[1].pk}", "en", "Background story 1"),
    ]
    assert "associations" not in items[f"urn:newsroom:article:{trio[1].pk}"]


@pytest.mark.parametrize(
    "term, found",
    [
        ("الرقه", ["الأسواق تعود إلى الرقة (Arabic, published)"]),  # taa marbuta typed as haa
        ("ادلب", ["قصف على إدلب (Arabic, draft)"]),  # alef without its hamza
        ("اسواق", ["الأسواق تعود إلى الرقة (Arabic, published)"]),  # a word's start, without the hamza
        ("بغداد", []),
    ],
)
def test_the_picker_finds_arabic_headlines_in_any_spelling_that_folds_alike(editor_client, term, found):
    story(headline="الأسواق تعود إلى الرقة", language="ar")
    ArticleFactory(headline="قصف على إدلب", slug="idlib", language="ar")
    # Named in the body alone: the picker finds headlines, so this one is not found by "ادلب".
    ArticleFactory(headline="قصف في حماة", slug="hama", body="<p>ووصل القصف إلى إدلب.</p>", language="ar")
    params = {"term": term, "app_label": "articles", "model_name": "article", "field_name": "see_also"}
    response = editor_client.get(reverse("admin:articles_article_picker_search"), params)
    assert [result["text"] for result in response.json()["results"]] == found


def test_the_story_list_search_folds_arabic_too(editor_client):
    ArticleFactory(headline="قصف على إدلب", slug="idlib", language="ar")
    ArticleFactory(headline="Shelling near Idlib", language="en")
    page = editor_client.get(reverse("admin:articles_article_changelist"), {"q": "ادلب"}).content.decode()
    assert "قصف على إدلب" in page
    assert "Shelling near Idlib" not in page
