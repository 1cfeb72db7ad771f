"""The desk: every admin page answers, the article form tags through aliases, lists stay within a query budget."""

import html

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from articles import taxonomy
from articles.models import Actor, Article, Author, Region, Section
from articles.tests.factories import ArticleFactory, AuthorFactory, SectionFactory

pytestmark = pytest.mark.django_db

CHANGELIST_QUERIES = 15  # session, user, permissions, counts, filters, 3 prefetches


@pytest.fixture
def admin_client_role(client, admin_user_role):
    client.force_login(admin_user_role)
    return client


def _queries_for(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def test_editor_sees_article_changelist_add_and_change(editor_client, places, actors):
    article = ArticleFactory(regions=[places["baghouz"]], actors=[actors["isis"]])
    assert editor_client.get(reverse("admin:articles_article_changelist")).status_code == 200
    assert editor_client.get(reverse("admin:articles_article_add")).status_code == 200
    page = editor_client.get(reverse("admin:articles_article_change", args=[article.pk]))
    assert page.status_code == 200
    assert "Baghouz" in page.content.decode()


@pytest.mark.parametrize("model", [Region, Actor, Section, Author])
def test_editor_can_browse_vocabularies_and_sections(editor_client, places, actors, model):
    SectionFactory()
    AuthorFactory()
    obj = model.objects.first()
    opts = model._meta
    assert editor_client.get(reverse(f"admin:articles_{opts.model_name}_changelist")).status_code == 200
    assert editor_client.get(reverse(f"admin:articles_{opts.model_name}_change", args=[obj.pk])).status_code == 200


@pytest.mark.parametrize("model", [Region, Actor, Section, Author])
def test_editor_cannot_add_to_the_vocabularies(editor_client, model):
    assert editor_client.get(reverse(f"admin:articles_{model._meta.model_name}_add")).status_code == 403


@pytest.mark.parametrize("model", [Region, Actor, Section, Author, Article])
def test_admin_role_opens_every_add_page(admin_client_role, model):
    assert admin_client_role.get(reverse(f"admin:articles_{model._meta.model_name}_add")).status_code == 200


def test_editor_writes_an_article_tagged_baghouz_and_daesh(editor_client, editor, places, actors):
    section = SectionFactory(name="Syria")
    picked_daesh = editor_client.get(
        reverse("admin:articles_article_picker_search"),
        {"term": "Daesh", "app_label": "articles", "model_name": "article", "field_name": "actors"},
    ).json()["results"]
    assert picked_daesh == [{"id": str(actors["isis"].pk), "text": "Islamic State"}]
    response = editor_client.post(
        reverse("admin:articles_article_add"),
        {
            "language": "en",
            "headline": "Hundreds flee Baghouz",
            "slug": "hundreds-flee-baghouz",
            "standfirst": "Civilians leave the last pocket.",
            "body": "<p>Text<script>x()</script></p>",
            "section": section.pk,
            "regions": [places["baghouz"].pk],
            "actors": [picked_daesh[0]["id"]],
            "embargo_until_0": "",
            "embargo_until_1": "",
            "dateline_time_0": "",
            "dateline_time_1": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    article = Article.objects.get(headline="Hundreds flee Baghouz")
    assert article.created_by == editor
    assert article.body == "<p>Text</p>"
    assert list(article.actors.all()) == [actors["isis"]]
    assert article in Article.objects.for_region(places["syria"])
    listed = editor_client.get(reverse("admin:articles_article_changelist"), {"region": places["syria"].pk})
    assert "Hundreds flee Baghouz" in listed.content.decode()


def test_article_form_offers_no_free_text_tagging(editor_client, actors):
    response = editor_client.post(
        reverse("admin:articles_article_add"),
        {
            "language": "en",
            "headline": "A story",
            "slug": "a-story",
            "actors": ["New Militia"],
            "embargo_until_0": "",
            "embargo_until_1": "",
            "dateline_time_0": "",
            "dateline_time_1": "",
        },
    )
    assert response.status_code == 200  # form redisplayed with an error, nothing saved
    assert not Article.objects.exists()
    assert Actor.objects.count() == 2


def test_region_autocomplete_finds_places_by_arabic_alias(editor_client, places):
    results = editor_client.get(
        reverse("admin:articles_article_picker_search"),
        {"term": "دير الزور", "app_label": "articles", "model_name": "article", "field_name": "regions"},
    ).json()["results"]
    assert [r["text"] for r in results] == ["Deir ez-Zor"]


def test_article_search_matches_aliases_of_tagged_actors(editor_client, actors):
    ArticleFactory(headline="Militants strike at dawn", actors=[actors["isis"]])
    ArticleFactory(headline="Harvest festival")
    page = editor_client.get(reverse("admin:articles_article_changelist"), {"q": "داعش"}).content.decode()
    assert "Militants strike at dawn" in page
    assert "Harvest festival" not in page


def test_arabic_article_fields_are_right_to_left(editor_client):
    article = ArticleFactory(language="ar", headline="عنوان الخبر")
    page = editor_client.get(reverse("admin:articles_article_change", args=[article.pk])).content.decode()
    assert 'dir="rtl"' in page and 'name="headline"' in page
    assert '"directionality": "rtl"' in html.unescape(page)


def test_article_changelist_runs_a_fixed_number_of_queries(editor_client, places, actors):
    url = reverse("admin:articles_article_changelist")
    ArticleFactory(regions=[places["syria"]], actors=[actors["isis"]], authors=[AuthorFactory()])
    few = _queries_for(editor_client, url)
    for _ in range(15):
        ArticleFactory(
            regions=[places["syria"], places["baghouz"], places["iraq"]],
            actors=[actors["isis"], actors["sdf"]],
            authors=[AuthorFactory(), AuthorFactory()],
        )
    many = _queries_for(editor_client, url)
    assert few == many == CHANGELIST_QUERIES


def test_vocabulary_changelists_do_not_grow_with_rows(editor_client, places, actors):
    counts = {m: _queries_for(editor_client, reverse(f"admin:articles_{m}_changelist")) for m in ("region", "actor")}
    for n in range(12):
        region = Region.objects.create(name=f"Village {n}", slug=f"village-{n}", parent=places["deir_gov"])
        actor = Actor.objects.create(name=f"Tribe {n}", slug=f"tribe-{n}", home_region=region)
        ArticleFactory(regions=[region], actors=[actor])
        taxonomy.add_aliases(region, [f"Qaryat {n}", f"Hamlet {n}"])
        taxonomy.add_aliases(actor, [f"Ashira {n}"])
    for model, before in counts.items():
        assert _queries_for(editor_client, reverse(f"admin:articles_{model}_changelist")) == before


def test_merge_action_asks_for_the_target_then_merges(admin_client_role, actors):
    duplicate = Actor.objects.create(name="Daesh group", slug="daesh-group")
    story = ArticleFactory(actors=[duplicate])
    url = reverse("admin:articles_actor_changelist")
    ids = [actors["isis"].pk, duplicate.pk]
    confirm = admin_client_role.post(url, {"action": "merge_selected", "_selected_action": ids})
    assert "Choose the entry to keep" in confirm.content.decode()
    done = admin_client_role.post(
        url,
        {"action": "merge_selected", "_selected_action": ids, "confirm": "yes", "merge_target": actors["isis"].pk},
        follow=True,
    )
    assert "Merged 1 entry into Islamic State" in done.content.decode()
    assert list(story.actors.all()) == [actors["isis"]]


def test_merge_needs_two_entries_and_one_of_them_to_keep(admin_client_role, actors):
    duplicate = Actor.objects.create(name="Daesh group", slug="daesh-group")
    story = ArticleFactory(actors=[duplicate])
    url = reverse("admin:articles_actor_changelist")
    alone = admin_client_role.post(url, {"action": "merge_selected", "_selected_action": [duplicate.pk]}, follow=True)
    assert "Select at least two entries to merge." in alone.content.decode()
    # A target that is not among the selected entries (a forged post) is refused: nothing is merged.
    forged = {"confirm": "yes", "merge_target": actors["sdf"].pk}
    ids = [actors["isis"].pk, duplicate.pk]
    refused = admin_client_role.post(
        url, {"action": "merge_selected", "_selected_action": ids, **forged}, follow=True
    ).content.decode()
    assert "Choose one of the selected entries to keep." in refused
    assert Actor.objects.filter(pk=duplicate.pk).exists() and list(story.actors.all()) == [duplicate]


def test_editor_cannot_merge(editor_client, actors):
    duplicate = Actor.objects.create(name="Daesh group", slug="daesh-group")
    url = reverse("admin:articles_actor_changelist")
    editor_client.post(
        url,
        {
            "action": "merge_selected",
            "_selected_action": [actors["isis"].pk, duplicate.pk],
            "confirm": "yes",
            "merge_target": actors["isis"].pk,
        },
    )
    assert Actor.objects.filter(pk=duplicate.pk).exists()


def test_region_admin_shows_aliases_and_article_counts(editor_client, places):
    ArticleFactory(regions=[places["deir"]])
    page = editor_client.get(reverse("admin:articles_region_changelist"), {"q": "Deir Ezzor"}).content.decode()
    assert "Deir al-Zour" in page
    assert f'?region={places["deir"].pk}">1</a>' in page


def test_picker_offers_the_exact_alias_match_first(editor_client, actors):
    Actor.objects.create(name="Global Coalition against Daesh", slug="coalition")
    results = editor_client.get(
        reverse("admin:articles_article_picker_search"),
        {"term": "daesh", "app_label": "articles", "model_name": "article", "field_name": "actors"},
    ).json()["results"]
    assert [r["text"] for r in results] == ["Islamic State", "Global Coalition against Daesh"]


def test_article_changelist_names_a_few_places_then_says_how_many_more(editor_client, places, actors):
    many = [places[key] for key in ("syria", "deir_gov", "deir", "baghouz", "iraq", "baghdad")]
    ArticleFactory(headline="Front lines shift", regions=many, actors=[actors["isis"], actors["sdf"]])
    page = editor_client.get(reverse("admin:articles_article_changelist")).content.decode()
    everywhere = ", ".join(place.name for place in many)
    assert f'<span title="{everywhere}">Syria, Deir ez-Zor Governorate, Deir ez-Zor and 3 more</span>' in page
    assert "Islamic State, Syrian Democratic Forces</td>" in page  # two actors: both named, nothing more
    editor_client.cookies["django_language"] = "ar"
    arabic = editor_client.get(reverse("admin:articles_article_changelist")).content.decode()
    # The Arabic admin names them as its pickers do, in Arabic with the English name after it where there is one.
    assert "سوريا (Syria), Deir ez-Zor Governorate, دير الزور (Deir ez-Zor) و3 أخرى</span>" in arabic
    assert "تنظيم الدولة الإسلامية (Islamic State), قوات سوريا الديمقراطية (Syrian Democratic Forces)</td>" in arabic
