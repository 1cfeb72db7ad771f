"""The permission matrix: every role against every admin page and every workflow move, by direct request.

The tables below are the newsroom's rules written out by hand (not derived from articles/roles.py), so a
change to the roles that opens or closes a door makes a row fail. A refused POST must change nothing.
"""

import pytest
from django.urls import reverse

from articles.models import (
    Actor,
    Article,
    ArticleEvent,
    Author,
    Correction,
    Image,
    LiveUpdate,
    Region,
    Section,
)
from articles.roles import ADMIN, EDITOR, PUBLISHER, REPORTER
from articles.tests.factories import (
    ActorFactory,
    AuthorFactory,
    RegionFactory,
    SectionFactory,
    UserFactory,
)
from articles.tests.pictures import library_image
from articles.tests.publishing import S, story

ANON = "anonymous"
ROLES = (ANON, REPORTER, EDITOR, PUBLISHER, ADMIN)
STAFF = (REPORTER, EDITOR, PUBLISHER, ADMIN)
LOGIN = 302  # anonymous visitors are sent to the login page

# Page -> role -> expected status. 200 page shown (a view-only form counts), 403 refused.
VOCABULARY_PAGES = {
    "changelist": {REPORTER: 200, EDITOR: 200, PUBLISHER: 200, ADMIN: 200},
    "add": {REPORTER: 403, EDITOR: 403, PUBLISHER: 403, ADMIN: 200},
    "change": {REPORTER: 200, EDITOR: 200, PUBLISHER: 200, ADMIN: 200},  # read-only below Admin
    "delete": {REPORTER: 403, EDITOR: 403, PUBLISHER: 403, ADMIN: 200},
}
ADMIN_PAGES = {
    "article": {
        "changelist": {REPORTER: 200, EDITOR: 200, PUBLISHER: 200, ADMIN: 200},
        "add": {REPORTER: 200, EDITOR: 200, PUBLISHER: 200, ADMIN: 200},
        "change": {REPORTER: 200, EDITOR: 200, PUBLISHER: 200, ADMIN: 200},
        "delete": {REPORTER: 403, EDITOR: 403, PUBLISHER: 403, ADMIN: 200},
        "history": {REPORTER: 200, EDITOR: 200, PUBLISHER: 200, ADMIN: 200},
    },
    "image": {
        "changelist": {REPORTER: 200, EDITOR: 200, PUBLISHER: 200, ADMIN: 200},
        "add": {REPORTER: 200, EDITOR: 200, PUBLISHER: 200, ADMIN: 200},
        "change": {REPORTER: 200, EDITOR: 200, PUBLISHER: 200, ADMIN: 200},
        "delete": {REPORTER: 403, EDITOR: 200, PUBLISHER: 200, ADMIN: 200},
    },
    # Aliases have no pages of their own: they are inlines of the region and actor forms.
    **dict.fromkeys(("region", "actor", "section", "author"), VOCABULARY_PAGES),
}
DESK_PAGES = {"desk": 200, "preview": 200}

# Move -> the roles that may make it (on a story the reporter wrote), and the state it starts from.
MOVES = {
    "submit": (S.DRAFT, {REPORTER, EDITOR, PUBLISHER, ADMIN}),
    "send_back": (S.SUBMITTED, {EDITOR, PUBLISHER, ADMIN}),
    "approve": (S.SUBMITTED, {EDITOR, PUBLISHER, ADMIN}),
    "schedule": (S.APPROVED, {PUBLISHER, ADMIN}),
    "publish": (S.APPROVED, {PUBLISHER, ADMIN}),
    "publish_update": (S.PUBLISHED, {PUBLISHER, ADMIN}),
    "unpublish": (S.PUBLISHED, {PUBLISHER, ADMIN}),
    "correct": (S.PUBLISHED, {PUBLISHER, ADMIN}),
    "spike": (S.SUBMITTED, {EDITOR, PUBLISHER, ADMIN}),
    "restore": (S.SPIKED, {EDITOR, PUBLISHER, ADMIN}),
    "feature": (S.PUBLISHED, {PUBLISHER, ADMIN}),
    "post_live_update": (S.PUBLISHED, {PUBLISHER, ADMIN}),  # the live-update move: publishers' permission
}
# Moves on one live update of a published story (their own address) -> the roles that may make them.
LIVE_UPDATE_MOVES = {
    "edit_live_update": {PUBLISHER, ADMIN},  # the live-update permission again: who posts may correct
    "remove_live_update": {PUBLISHER, ADMIN},
}
MOVE_DATA = {
    "note": "A reason for the record",
    "at": "2031-01-01T09:00",
    "kind": "correction",
    "text": "A live update",  # what the live-update move posts (and a correction's new words)
}

MODELS = {
    "article": Article,
    "image": Image,
    "region": Region,
    "actor": Actor,
    "section": Section,
    "author": Author,
}


@pytest.fixture
def people(roles):
    """One user per role (None for anonymous), keyed by role name."""
    users = {ANON: None}
    for role in STAFF:
        users[role] = UserFactory(username=role.lower())
        users[role].groups.add(roles[role])
    return users


@pytest.fixture
def objects(people):
    """One row of each model, made by the Admin; the story is the reporter's own draft."""
    reporter = people[REPORTER]
    return {
        "article": story(S.DRAFT, created_by=reporter, headline="A reporter's own draft"),
        "image": library_image(uploaded_by=people[ADMIN]),
        "region": RegionFactory(),
        "actor": ActorFactory(),
        "section": SectionFactory(),
        "author": AuthorFactory(),
    }


def client_for(client, people, role):
    if people[role] is not None:
        client.force_login(people[role])
    return client


def admin_url(model, page, obj):
    if page in ("changelist", "add"):
        return reverse(f"admin:articles_{model}_{page}")
    return reverse(f"admin:articles_{model}_{page}", args=[obj.pk])


PAGE_CASES = [
    pytest.param(model, page, role, id=f"{role}-{model}-{page}")
    for model, pages in ADMIN_PAGES.items()
    for page in pages
    for role in ROLES
]


@pytest.mark.parametrize(("model", "page", "role"), PAGE_CASES)
def test_each_role_sees_or_is_refused_each_admin_page(client, people, objects, model, page, role):
    response = client_for(client, people, role).get(admin_url(model, page, objects[model]))
    expected = LOGIN if role == ANON else ADMIN_PAGES[model][page][role]
    assert response.status_code == expected
    if role == ANON:
        assert response.url.startswith(reverse("admin:login"))


def _snapshot(model, obj):
    """What a refused request must leave alone: the row count and the row's own values."""
    table = MODELS[model]
    row = table.objects.filter(pk=obj.pk).values().first()
    return table.objects.count(), row


REFUSED_WRITES = [
    pytest.param(model, page, role, id=f"{role}-{model}-{page}")
    for model, pages in ADMIN_PAGES.items()
    for page in ("add", "change", "delete")
    for role in ROLES
    if role == ANON or pages[page][role] == 403 or (page == "change" and model not in ("article", "image"))
    if role != ADMIN
]


@pytest.mark.parametrize(("model", "page", "role"), REFUSED_WRITES)
def test_a_refused_admin_post_changes_nothing(client, people, objects, model, page, role):
    obj = objects[model]
    before = _snapshot(model, obj)
    data = {"post": "yes", "name": "Renamed by a stranger", "display_name": "Renamed", "headline": "Renamed"}
    response = client_for(client, people, role).post(admin_url(model, page, obj), data)
    assert response.status_code in (302, 403)
    if role == ANON:
        assert response.url.startswith(reverse("admin:login"))
    elif page != "change":
        assert response.status_code == 403
    assert _snapshot(model, obj) == before


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("page", sorted(DESK_PAGES))
def test_each_role_and_the_desk_pages(client, people, objects, page, role):
    url = reverse("desk:home") if page == "desk" else reverse("desk:preview", args=[objects["article"].pk])
    response = client_for(client, people, role).get(url)
    if role == ANON:
        assert response.status_code == 302
        assert "login" in response.url
    else:
        assert response.status_code == DESK_PAGES[page]


def assert_refused(response, role):
    """A refused direct POST: an anonymous visitor is sent to the login page, staff get the page back (with the
    workflow's refusal) or 403."""
    if role == ANON:
        assert response.status_code == 302
        assert response.url.startswith(reverse("admin:login"))
    else:
        assert response.status_code in (200, 403)


def _state(article):
    article.refresh_from_db()
    return (
        article.status,
        article.version,
        article.withdrawal_reason,
        article.scheduled_for,
        article.featured_until,
        ArticleEvent.objects.filter(article=article).count(),
        Correction.objects.filter(article=article).count(),
        LiveUpdate.objects.filter(article=article).count(),  # a refused live update writes no row either
    )


MOVE_CASES = [
    pytest.param(move, role, role in allowed, id=f"{role}-{move}")
    for move, (_, allowed) in MOVES.items()
    for role in ROLES
]


@pytest.mark.parametrize(("move", "role", "allowed"), MOVE_CASES)
def test_each_role_and_each_workflow_move_by_direct_post(client, people, move, role, allowed):
    start = MOVES[move][0]
    article = story(start, created_by=people[REPORTER], headline=f"Story for {move}")
    before = _state(article)
    url = reverse("admin:articles_article_move", args=[article.pk, move])
    response = client_for(client, people, role).post(url, MOVE_DATA, follow=role != ANON)
    after = _state(article)
    if allowed:
        assert response.status_code == 200
        assert after != before
        assert after[5] == before[5] + 1  # exactly one audit event
    else:
        assert after == before
        assert_refused(response, role)


LIVE_UPDATE_CASES = [
    pytest.param(move, role, role in allowed, id=f"{role}-{move}")
    for move, allowed in LIVE_UPDATE_MOVES.items()
    for role in ROLES
]


@pytest.mark.parametrize(("move", "role", "allowed"), LIVE_UPDATE_CASES)
def test_each_role_and_each_live_update_move_by_direct_post(client, people, move, role, allowed):
    article = story(S.PUBLISHED, created_by=people[REPORTER], headline=f"Story for {move}")
    update = LiveUpdate.objects.create(article=article, posted_at=article.first_published_at, text="<p>Posted</p>")
    article.last_live_update_at = update.posted_at
    article.save(update_fields=["last_live_update_at"])  # set-up only: as if a publisher had posted it

    def state():
        return _state(article), LiveUpdate.objects.filter(pk=update.pk).values("title", "text", "removed_at").get()

    before = state()
    url = reverse("admin:articles_article_live_update", args=[article.pk, update.pk, move])
    response = client_for(client, people, role).post(url, MOVE_DATA, follow=role != ANON)
    after = state()
    if allowed:
        assert response.status_code == 200
        assert after[1] != before[1]
        assert after[0][5] == before[0][5] + 1  # exactly one audit event
    else:
        assert after == before
        assert_refused(response, role)


def test_a_reporter_cannot_submit_someone_elses_draft(client, people):
    other = UserFactory(username="another-reporter")
    other.groups.set(people[REPORTER].groups.all())
    article = story(S.DRAFT, created_by=other, headline="Someone else's draft")
    before = _state(article)
    client.force_login(people[REPORTER])
    client.post(reverse("admin:articles_article_move", args=[article.pk, "submit"]), MOVE_DATA)
    assert _state(article) == before


def test_a_move_by_get_is_refused_and_changes_nothing(client, people):
    article = story(S.APPROVED, created_by=people[REPORTER])
    before = _state(article)
    client.force_login(people[ADMIN])
    response = client.get(reverse("admin:articles_article_move", args=[article.pk, "publish"]))
    assert response.status_code == 405
    assert _state(article) == before


@pytest.mark.parametrize("role", [REPORTER, EDITOR, PUBLISHER])
def test_only_the_admin_adds_an_alias_through_the_region_form(client, people, objects, role):
    region = objects["region"]
    data = {
        "name": region.name,
        "slug": region.slug,
        "kind": region.kind,
        "aliases-TOTAL_FORMS": "1",
        "aliases-INITIAL_FORMS": "0",
        "aliases-0-name": "A name slipped in",
    }
    client.force_login(people[role])
    response = client.post(reverse("admin:articles_region_change", args=[region.pk]), data)
    assert response.status_code == 403
    assert not region.aliases.filter(name="A name slipped in").exists()
