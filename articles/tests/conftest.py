"""Shared fixtures: a small real gazetteer (Syria > Deir ez-Zor > Baghouz, ISIS and its aliases), role users."""

import pytest
from django.db import connection
from django.template.backends import jinja2 as jinja2_backend
from django.test.signals import template_rendered
from django.utils import translation

from articles.roles import ADMIN, EDITOR, PUBLISHER, REPORTER, ensure_roles
from articles.taxonomy import add_aliases
from articles.tests.factories import ActorFactory, RegionFactory, UserFactory


@pytest.fixture
def on_postgres():
    """Skip the test unless it runs on PostgreSQL."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL")


@pytest.fixture
def roles(db):
    return ensure_roles()


def _user_in(role, roles):
    user = UserFactory(username=role.lower())
    user.groups.add(roles[role])
    return user


@pytest.fixture
def reporter(roles):
    return _user_in(REPORTER, roles)


@pytest.fixture
def editor(roles):
    return _user_in(EDITOR, roles)


@pytest.fixture
def publisher(roles):
    return _user_in(PUBLISHER, roles)


@pytest.fixture
def editor_client(client, editor):
    """The test client signed in as an editor."""
    client.force_login(editor)
    return client


@pytest.fixture
def admin_user_role(roles):
    return _user_in(ADMIN, roles)


@pytest.fixture
def places(db):
    """Syria > Deir ez-Zor Governorate > Deir ez-Zor, Baghouz; Iraq > Baghdad; each with aliases."""
    syria = RegionFactory(name="Syria", slug="syria", name_ar="سوريا", kind="country", iso_code="SY")
    deir_gov = RegionFactory(
        name="Deir ez-Zor Governorate", slug="deir-ez-zor-governorate", kind="governorate", parent=syria
    )
    deir = RegionFactory(name="Deir ez-Zor", slug="deir-ez-zor", kind="city", parent=deir_gov, name_ar="دير الزور")
    baghouz = RegionFactory(name="Baghouz", slug="baghouz", kind="city", parent=deir_gov, name_ar="الباغوز")
    iraq = RegionFactory(name="Iraq", slug="iraq", name_ar="العراق", kind="country", iso_code="IQ")
    baghdad = RegionFactory(name="Baghdad", slug="baghdad", name_ar="بغداد", kind="city", parent=iraq)
    add_aliases(syria, ["سوريا", "سورية"])
    add_aliases(deir, ["Deir Ezzor", "Deir al-Zour", "Deir el-Zor", "دير الزور"])
    add_aliases(baghouz, ["Al-Baghouz", "الباغوز"])
    add_aliases(iraq, ["العراق"])
    add_aliases(baghdad, ["بغداد"])
    return {"syria": syria, "deir_gov": deir_gov, "deir": deir, "baghouz": baghouz, "iraq": iraq, "baghdad": baghdad}


@pytest.fixture
def actors(db):
    """ISIS (Islamic State) with its aliases, and the SDF."""
    isis = ActorFactory(name="Islamic State", slug="islamic-state", name_ar="تنظيم الدولة الإسلامية")
    sdf = ActorFactory(
        name="Syrian Democratic Forces", slug="syrian-democratic-forces", name_ar="قوات سوريا الديمقراطية"
    )
    add_aliases(isis, ["ISIS", "ISIL", "Daesh", "Da'ish", "داعش", "تنظيم الدولة الإسلامية"])
    add_aliases(sdf, ["SDF", "قسد", "قوات سوريا الديمقراطية"])
    return {"isis": isis, "sdf": sdf}


@pytest.fixture(autouse=True)
def database_sessions(settings):
    """Sessions in the database whatever REDIS_URL says: the admin's query pins count the session's query
    (with REDIS_URL the site reads sessions from the cache first, `cached_db`, one query fewer)."""
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.db"


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Tests create many users; a fast hasher keeps them quick (production keeps Django's default)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Uploaded pictures and renditions go to a fresh folder per test, never into the repository."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return tmp_path / "media"


@pytest.fixture(autouse=True)
def default_language():
    """Each test starts in the default language. A test client's request leaves its page's language active in
    the thread (the locale middleware sets it per request and never resets it), and a message made outside a
    request, such as a workflow refusal, would otherwise come out in the language an earlier test's page had."""
    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture(autouse=True, scope="session")
def jinja2_templates_in_responses():
    """`response.templates` names the Jinja2 templates a page used, as Django's test set-up does for its own
    engine (`setup_test_environment` instruments only Django's templates)."""
    render = jinja2_backend.Template.render

    def recorded_render(self, context=None, request=None):
        template_rendered.send(sender=self, template=self.template, context=context or {})
        return render(self, context, request)

    jinja2_backend.Template.render = recorded_render
    yield
    jinja2_backend.Template.render = render
