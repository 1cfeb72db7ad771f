"""Shared fixtures: a small real gazetteer (Syria > Deir ez-Zor > Baghouz, ISIS and its aliases), role users."""

import contextlib
import threading
import time

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


@pytest.fixture
def page_cache_off(settings):
    """Every request renders its page: for query pins (the views themselves, not the page cache) and for tests
    that change stories between requests."""
    settings.NEWSROOM_PAGE_CACHE_SECONDS = 0


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


class _ClosedThen:
    """A WSGI response that calls `then` once the server has closed it."""

    def __init__(self, response, then):
        self.response, self.then = response, then

    def __iter__(self):
        return iter(self.response)

    def close(self):
        try:
            if hasattr(self.response, "close"):
                self.response.close()
        finally:
            self.then()


class _RequestsInFlight:
    """Counts the live server's requests from their start until their response is closed (where Django sends
    `request_finished` and checks the database connection), and remembers when the last one started."""

    def __init__(self, httpd):
        self.count = 0
        self.last_start = 0.0
        self.holding = False
        self.changed = threading.Condition()
        app = httpd.get_app()

        def counted(environ, start_response):
            with self.changed:
                while self.holding:
                    self.changed.wait()
                self.count += 1
                self.last_start = time.monotonic()
            try:
                return _ClosedThen(app(environ, start_response), self._finished)
            except BaseException:
                self._finished()
                raise

        httpd.set_app(counted)

    def _finished(self):
        with self.changed:
            self.count -= 1
            self.changed.notify_all()

    @contextlib.contextmanager
    def held(self, longest=10.0):
        """Keep new requests waiting at the door, and wait for those in flight to finish, while the block runs.
        A request still in flight after `longest` seconds fails the test instead of hanging it."""
        deadline = time.monotonic() + longest
        with self.changed:
            self.holding = True
            while self.count and time.monotonic() < deadline:
                self.changed.wait(timeout=0.5)
            if self.count:
                self.holding = False
                self.changed.notify_all()
                raise AssertionError(f"the live server still answers {self.count} request(s) after {longest} s")
        try:
            yield
        finally:
            with self.changed:
                self.holding = False
                self.changed.notify_all()

    def wait_until_quiet(self, quiet=0.3, longest=10.0):
        """Return once no request has been in flight, or started, for `quiet` seconds (at most `longest`)."""
        deadline = time.monotonic() + longest
        with self.changed:
            while time.monotonic() < deadline:
                idle_for = time.monotonic() - self.last_start
                if self.count == 0 and idle_for >= quiet:
                    return
                self.changed.wait(timeout=max(0.05, quiet - idle_for) if self.count == 0 else 0.5)


@pytest.fixture
def live_server(live_server):
    """pytest-django's live server, which waits at the end of each test until the browser's last requests are
    answered. A page closed at a test's end can still send one (the desk's presence beacon on `pagehide`, a
    late fetch); answered while the test's data is flushed, or during the next test, it shares SQLite's
    in-memory connection with the test's own thread, and either side can fail."""
    httpd = live_server.thread.httpd
    if not hasattr(httpd, "requests_in_flight"):
        httpd.requests_in_flight = _RequestsInFlight(httpd)
    yield live_server
    httpd.requests_in_flight.wait_until_quiet()


@pytest.fixture
def live_server_held(live_server):
    """`with live_server_held():` writes to the database while a page keeps asking the live server (a live
    story's page polling): the server's requests wait until the block ends, so the two never share SQLite's
    in-memory connection at once."""
    return live_server.thread.httpd.requests_in_flight.held
