"""My desk, previews, shared preview links and the presence notice (articles/desk_views.py)."""

import html
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from articles import editing, presence, previews, workflow
from articles.models import Article
from articles.tests.factories import ArticleFactory, SectionFactory, UserFactory
from articles.tests.test_workflow import _article_in

pytestmark = pytest.mark.django_db
S = Article.Status


@pytest.fixture(autouse=True)
def empty_cache():
    """Presence lives in the cache, which outlives each test's database rollback."""
    cache.clear()
    yield
    cache.clear()


# session, user, the user's permissions (2), then one query per list on the page.
DESK_QUERIES = {"reporter": 8, "editor": 8, "publisher": 10}  # publishers: the live blogs too


def _desk(client):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("desk:home"))
    assert response.status_code == 200
    return response.content.decode(), len(captured)


def _fill_desk(reporter, editor, n):
    """n stories in each state, half of them the reporter's, some sent back."""
    for i in range(n):
        owner = reporter if i % 2 == 0 else editor
        for status in (S.DRAFT, S.SUBMITTED, S.APPROVED, S.SCHEDULED, S.PUBLISHED):
            _article_in(status, owner=owner)
        sent_back = _article_in(S.SUBMITTED, owner=reporter)
        workflow.send_back(sent_back, by=editor, note=f"Check the casualty figure {i}")


@pytest.mark.parametrize("role", ["reporter", "editor", "publisher"])
def test_my_desk_runs_a_fixed_number_of_queries(request, client, reporter, editor, role):
    user = request.getfixturevalue(role)
    client.force_login(user)
    _fill_desk(reporter, editor, 1)
    _, few = _desk(client)
    _fill_desk(reporter, editor, 8)
    _, many = _desk(client)
    assert few == many == DESK_QUERIES[role]


def test_my_desk_shows_a_reporter_their_drafts_with_the_reason_they_came_back(client, reporter, editor):
    mine = _article_in(S.DRAFT, owner=reporter)
    workflow.submit(mine, by=reporter)
    workflow.send_back(mine, by=editor, note="Who is the second source?")
    colleagues = _article_in(S.DRAFT, owner=editor)
    with_desk = _article_in(S.SUBMITTED, owner=reporter)
    client.force_login(reporter)
    page, _ = _desk(client)
    drafts = page[page.index("My drafts") : page.index("My stories with the editors")]
    assert mine.headline in drafts and "Sent back: Who is the second source?" in drafts
    assert colleagues.headline not in page
    assert with_desk.headline in page[page.index("My stories with the editors") :]
    assert "Waiting for my review" not in page


def test_my_desk_names_sections_as_the_pickers_do_in_the_staff_members_language(client, reporter):
    iraq = SectionFactory(name="Iraq News", name_ar="أخبار العراق", slug="iraq-news")
    local = SectionFactory(name="Local News", name_ar="أخبار محلية", slug="local-news", parent=iraq)
    draft = _article_in(S.DRAFT, owner=reporter)
    Article.objects.filter(pk=draft.pk).update(section=local)
    client.force_login(reporter)
    assert "<td>Iraq News &gt; Local News</td>" in _desk(client)[0]
    client.post(reverse("set_language"), {"language": "ar", "next": "/desk/"})
    assert "<td>أخبار العراق &gt; أخبار محلية (Iraq News &gt; Local News)</td>" in _desk(client)[0]


def test_my_desk_shows_an_editor_what_waits_for_review_and_a_publisher_what_is_ready(client, editor, publisher):
    submitted, approved = _article_in(S.SUBMITTED), _article_in(S.APPROVED)
    scheduled = _article_in(S.SCHEDULED)
    published = _article_in(S.PUBLISHED)
    editing.save_edit(published.pk, {"headline": "A pending fix"}, by=editor, base_version=1)
    client.force_login(editor)
    page, _ = _desk(client)
    review = page[page.index("Waiting for my review") : page.index("Scheduled (")]
    assert submitted.headline in review and approved.headline not in review
    assert "Updates waiting to go live" not in page
    client.force_login(publisher)
    page, _ = _desk(client)
    review = page[page.index("Waiting for my review") : page.index("Updates waiting")]
    assert submitted.headline in review and approved.headline in review
    assert published.headline in page[page.index("Updates waiting") : page.index("Scheduled (")]
    assert scheduled.headline in page[page.index("Scheduled (") : page.index("Recently published")]
    assert published.headline in page[page.index("Recently published") :]


def test_my_desk_lists_a_publisher_the_live_blogs_going_on_newest_update_first(client, publisher, editor, settings):
    settings.NEWSROOM_LIVE_FOLLOW_HOURS = 24
    quiet, busy, old = _article_in(S.PUBLISHED), _article_in(S.PUBLISHED), _article_in(S.PUBLISHED)
    now = timezone.now()
    for article, hours in ((quiet, 5), (busy, 1), (old, 30)):
        workflow.post_live_update(article, by=publisher, text="Shelling resumed.")
        Article.objects.filter(pk=article.pk).update(last_live_update_at=now - timedelta(hours=hours))  # set-up
    client.force_login(publisher)
    page, _ = _desk(client)
    live = page[page.index("Live now (2)") : page.index("Scheduled (")]
    assert busy.headline in live and quiet.headline in live and old.headline not in live
    assert live.index(busy.headline) < live.index(quiet.headline)
    assert f"/admin/articles/article/{busy.pk}/change/#desk-state" in live and "last update" in live
    client.force_login(editor)  # who may not post live updates is not shown them
    assert "Live now" not in _desk(client)[0]


def test_my_desk_is_for_staff_only(client, roles):
    assert client.get(reverse("desk:home")).status_code == 302
    client.force_login(UserFactory(username="reader", is_staff=False))
    assert client.get(reverse("desk:home")).status_code == 302


def test_staff_preview_an_unpublished_story_with_the_public_template(client, reporter, editor):
    article = _article_in(S.SUBMITTED, owner=reporter)
    assert client.get(article.get_absolute_url()).status_code == 404  # readers cannot see it
    client.force_login(editor)
    response = client.get(reverse("desk:preview", args=[article.pk]))
    assert response.status_code == 200
    assert "articles/article_detail.html" in [t.name for t in response.templates]
    assert article.headline in response.content.decode()
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert "wa.me" not in response.content.decode()  # nothing invites passing on an address readers cannot open


def test_preview_of_a_live_story_shows_the_pending_update_and_any_version(client, editor):
    article = _article_in(S.PUBLISHED)
    editing.save_edit(article.pk, {"headline": "Pending headline"}, by=editor, base_version=1)
    client.force_login(editor)
    assert "Pending headline" in client.get(reverse("desk:preview", args=[article.pk])).content.decode()
    old = client.get(reverse("desk:preview", args=[article.pk]), {"version": 1}).content.decode()
    assert article.headline in old and "Pending headline" not in old
    assert client.get(article.get_absolute_url()).content.decode().count("Pending headline") == 0


@pytest.mark.parametrize("who", ["anonymous", "reader"])
def test_readers_cannot_open_the_preview(client, roles, who):
    article = _article_in(S.DRAFT)
    if who == "reader":
        client.force_login(UserFactory(username="reader", is_staff=False))
    response = client.get(reverse("desk:preview", args=[article.pk]))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    assert article.headline not in response.content.decode()


def test_a_shared_link_opens_for_the_named_colleague_only(client, editor, publisher, reporter):
    article = _article_in(S.DRAFT, owner=editor)
    client.force_login(editor)
    page = client.post(
        reverse("desk:share", args=[article.pk]), {"colleague": publisher.pk, "hours": 2}, follow=True
    ).content.decode()
    link = page[page.index("http://testserver/desk/shared/") :].split()[0].split("<")[0]
    client.force_login(publisher)
    assert article.headline in client.get(link).content.decode()
    client.force_login(reporter)
    refused = client.get(link)
    assert refused.status_code == 403
    assert "shared with someone else" in refused.content.decode() and article.headline not in refused.content.decode()
    client.logout()
    assert client.get(link).status_code == 302  # log in first


def test_a_shared_link_stops_working_when_it_expires(client, editor, publisher):
    article = _article_in(S.DRAFT, owner=editor)
    token, expires = previews.make_token(article, publisher, hours=1, now=timezone.now() - timedelta(hours=2))
    client.force_login(publisher)
    response = client.get(reverse("desk:shared", args=[token]))
    assert response.status_code == 410
    assert "This preview link expired at" in response.content.decode()
    assert article.headline not in response.content.decode()


@pytest.mark.parametrize("lost", ["staff status", "permissions"])
def test_a_shared_link_stops_working_for_a_colleague_no_longer_on_the_desk(client, editor, publisher, lost):
    article = _article_in(S.DRAFT, owner=editor)
    token, _ = previews.make_token(article, publisher, hours=1)
    if lost == "staff status":
        publisher.is_staff = False
        publisher.save()
    else:
        publisher.groups.clear()
    client.force_login(publisher)
    response = client.get(reverse("desk:shared", args=[token]))
    assert response.status_code == 403
    page = html.unescape(response.content.decode())
    assert "This preview link is for the desk's staff." in page and article.headline not in page


def test_a_shared_link_to_a_story_since_spiked_no_longer_opens_and_says_so_in_the_desks_frame(
    client, editor, publisher
):
    article = _article_in(S.DRAFT, owner=editor)
    token, _ = previews.make_token(article, publisher, hours=1)
    workflow.spike(article, by=editor)
    client.force_login(publisher)
    response = client.get(reverse("desk:shared", args=[token]))
    assert response.status_code == 410
    page = response.content.decode()
    assert "The story was spiked: its preview link no longer opens." in page and article.headline not in page
    assert "<title>Preview link refused" in page and "Django administration" not in page


@pytest.mark.parametrize("version", ["abc", "99", "99999999999999999999"])
def test_a_preview_of_no_such_version_is_not_found(client, editor, version):
    article = _article_in(S.DRAFT, owner=editor)
    client.force_login(editor)
    assert client.get(reverse("desk:preview", args=[article.pk]), {"version": version}).status_code == 404


def test_a_forged_shared_link_is_refused(client, editor, publisher):
    article = _article_in(S.DRAFT, owner=editor)
    token, _ = previews.make_token(article, publisher, hours=1)
    client.force_login(publisher)
    assert client.get(reverse("desk:shared", args=[token[:-2] + "xx"])).status_code == 404


def test_sharing_needs_a_real_colleague(client, editor):
    article = _article_in(S.DRAFT, owner=editor)
    client.force_login(editor)
    page = client.post(
        reverse("desk:share", args=[article.pk]), {"colleague": "nobody", "hours": 2}, follow=True
    ).content.decode()
    assert "Choose a colleague" in page


def test_the_change_form_shows_who_else_has_the_article_open(client, editor, publisher):
    article = _article_in(S.SUBMITTED)
    client.force_login(publisher)
    heartbeat = client.post(reverse("desk:presence", args=[article.pk])).json()
    assert heartbeat == {"others": []}
    client.force_login(editor)
    page = client.get(reverse("admin:articles_article_change", args=[article.pk])).content.decode()
    assert "Also open now by: <bdi>publisher</bdi>" in page
    assert 'src="/static/admin/article_presence.js"' in page and "<script>" not in page.split("</head>")[1]
    client.force_login(publisher)
    assert [p["name"] for p in client.post(reverse("desk:presence", args=[article.pk])).json()["others"]] == ["editor"]
    client.post(reverse("desk:presence", args=[article.pk]), {"leave": "1"})
    client.force_login(editor)
    assert client.post(reverse("desk:presence", args=[article.pk])).json() == {"others": []}


def test_presence_entries_expire_after_a_minute(editor, publisher):
    article = ArticleFactory()
    presence.touch(article.pk, publisher, now=1000.0)
    assert [p["name"] for p in presence.others(article.pk, editor, now=1059.0)] == ["publisher"]
    assert presence.others(article.pk, editor, now=1061.0) == []


def test_presence_heartbeat_is_staff_only_and_post_only(client, editor, roles):
    article = ArticleFactory()
    client.force_login(editor)
    assert client.get(reverse("desk:presence", args=[article.pk])).status_code == 405
    client.force_login(UserFactory(username="reader", is_staff=False))
    assert client.post(reverse("desk:presence", args=[article.pk])).status_code == 302
