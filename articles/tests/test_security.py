"""Browser-side defences, login lockout and the search rate limit, through the real middleware stack."""

import os
import subprocess
import sys
import uuid
from datetime import timedelta
from html.parser import HTMLParser
from pathlib import Path

import pytest
from axes.models import AccessAttempt
from django.urls import reverse
from django.utils import timezone

from articles import workflow
from articles.tests.factories import ArticleFactory
from articles.tests.test_health import closed_port

ROOT = Path(__file__).resolve().parents[2]
EXECUTABLE_SCRIPT_TYPES = {"", "text/javascript", "application/javascript", "module"}


class InlineCode(HTMLParser):
    """Collects what a strict CSP would block: inline executable scripts, <style>, style= and on*= attributes."""

    def __init__(self):
        super().__init__()
        self.scripts, self.styles, self.handlers = [], [], []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script" and "src" not in attrs and (attrs.get("type") or "").lower() in EXECUTABLE_SCRIPT_TYPES:
            self.scripts.append(self.getpos())
        if tag == "style" or "style" in attrs:
            self.styles.append((tag, self.getpos()))
        self.handlers += [(tag, name) for name in attrs if name.startswith("on")]


def inline_code(html):
    parser = InlineCode()
    parser.feed(html)
    return parser


@pytest.fixture
def csp_on(settings):
    """Production's default (NEWSROOM_CSP follows DEBUG off); the in-process suite loads development settings."""
    settings.NEWSROOM_CSP = True


@pytest.fixture
def published_story(reporter, editor, publisher, places, actors):
    article = ArticleFactory(
        created_by=reporter,
        headline="Shelling resumes near Baghouz",
        body="<p>Residents said <strong>shelling</strong> resumed.</p><blockquote><p>We left.</p></blockquote>",
    )
    article.regions.set([places["baghouz"]])
    article.actors.set([actors["sdf"]])
    workflow.submit(article, by=reporter)
    workflow.approve(article, by=editor)
    return workflow.publish(article, by=publisher)


@pytest.mark.django_db
def test_public_pages_get_a_strict_csp_and_contain_no_inline_script_or_style(client, csp_on, published_story):
    for url in ("/", published_story.get_absolute_url()):
        response = client.get(url)
        assert response.status_code == 200, url
        csp = dict(part.strip().split(" ", 1) for part in response["Content-Security-Policy"].split(";"))
        assert csp["default-src"] == "'self'" and csp["script-src"] == "'self'" and csp["style-src"] == "'self'"
        assert csp["img-src"] == "'self' data:" and csp["object-src"] == "'none'"
        assert csp["frame-ancestors"] == "'none'" and csp["base-uri"] == "'self'"
        found = inline_code(response.content.decode())
        assert (found.scripts, found.styles, found.handlers) == ([], [], []), url
    assert "Shelling resumes near Baghouz" in client.get(published_story.get_absolute_url()).content.decode()


@pytest.mark.django_db
def test_admin_pages_work_under_their_csp_which_allows_inline_styles_but_never_inline_scripts(
    client, csp_on, admin_user_role, published_story
):
    client.force_login(admin_user_role)
    for url in (
        reverse("admin:articles_article_changelist"),
        reverse("admin:articles_article_change", args=[published_story.pk]),
        reverse("admin:articles_article_add"),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        csp = response["Content-Security-Policy"]
        assert "script-src 'self';" in csp and "style-src 'self' 'unsafe-inline';" in csp
        found = inline_code(response.content.decode())
        assert (found.scripts, found.handlers) == ([], []), url
    assert "Shelling resumes near Baghouz" in client.get(reverse("admin:articles_article_changelist")).content.decode()


@pytest.mark.django_db
def test_csp_names_the_media_host_when_pictures_come_from_a_cdn(client, csp_on, settings):
    settings.MEDIA_URL = "https://media.example.org/newsroom/"
    csp = client.get("/healthz")["Content-Security-Policy"]
    assert "img-src 'self' https://media.example.org data:" in csp


def test_permissions_policy_switches_off_unused_browser_features_on_every_answer(client, settings):
    settings.NEWSROOM_CSP = False  # development: no CSP, the debug page needs inline code
    response = client.get("/healthz")
    assert "Content-Security-Policy" not in response
    policy = response["Permissions-Policy"]
    for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
        assert f"{feature}=()" in policy


def test_media_goes_to_s3_compatible_storage_when_a_bucket_is_configured():
    env = {
        **os.environ,
        "DATABASE_URL": "",
        "MEDIA_S3_BUCKET": "newsroom-media",
        "MEDIA_S3_ENDPOINT_URL": "https://minio.example.org",
        "MEDIA_S3_CUSTOM_DOMAIN": "media.example.org",
    }
    code = (
        "from django.core.files.storage import storages; from django.conf import settings; s = storages['default'];"
        "print(type(s).__name__, s.bucket_name, s.endpoint_url, s.url('pictures/a.jpg'), settings.MEDIA_URL)"
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "--no-imports", "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "S3Storage",
        "newsroom-media",
        "https://minio.example.org",
        "https://media.example.org/pictures/a.jpg",
        "https://media.example.org/",
    ]


# Login protection (django-axes on the admin login form).


def _sign_in(client, username, password, address="198.51.100.20"):
    return client.post("/admin/login/?next=/admin/", {"username": username, "password": password}, REMOTE_ADDR=address)


@pytest.fixture
def three_tries(settings):
    settings.AXES_FAILURE_LIMIT = 3
    settings.AXES_COOLOFF_TIME = timedelta(minutes=15)


def _signed_in(client):
    return client.get("/admin/").status_code == 200


@pytest.mark.django_db
def test_admin_login_locks_out_after_repeated_failures_and_refuses_the_right_password_until_cool_off(
    client, editor, three_tries
):
    for _ in range(2):
        assert _sign_in(client, "editor", "wrong-guess").status_code == 200  # the form again, with its error
    locked = _sign_in(client, "editor", "wrong-guess")
    assert locked.status_code == 429
    page = locked.content.decode()
    assert "Sign-in paused" in page and "3 failed attempts" in page and "15 minutes" in page
    assert "جرت ٣ محاولات" in page and "لمدة ١٥ دقيقة" in page  # the Arabic half writes its own digits
    assert locked["Retry-After"] == "900"

    refused = _sign_in(client, "editor", "pass-for-tests-1")
    assert refused.status_code == 429
    assert not _signed_in(client)

    # A quarter of an hour later (the failures are moved back in time), the right password works again.
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=16))
    assert _sign_in(client, "editor", "pass-for-tests-1").status_code == 302
    assert _signed_in(client)


@pytest.mark.django_db
def test_lockout_holds_one_username_at_one_address_so_the_owner_elsewhere_still_signs_in(
    client, editor, reporter, three_tries
):
    for _ in range(3):
        _sign_in(client, "editor", "wrong-guess", address="203.0.113.66")
    assert _sign_in(client, "editor", "pass-for-tests-1", address="203.0.113.66").status_code == 429
    assert _sign_in(client, "reporter", "pass-for-tests-1", address="203.0.113.66").status_code == 302
    client.logout()
    assert _sign_in(client, "editor", "pass-for-tests-1", address="192.0.2.10").status_code == 302
    assert _signed_in(client)


@pytest.mark.django_db
def test_a_successful_login_clears_earlier_failures(client, editor, three_tries):
    _sign_in(client, "editor", "wrong-guess")
    _sign_in(client, "editor", "wrong-guess")
    assert _sign_in(client, "editor", "pass-for-tests-1").status_code == 302
    client.logout()
    _sign_in(client, "editor", "wrong-guess")
    _sign_in(client, "editor", "wrong-guess")
    assert _sign_in(client, "editor", "pass-for-tests-1").status_code == 302


@pytest.mark.django_db
def test_client_address_is_taken_from_the_trusted_proxy_hop(client, editor, three_tries, settings):
    settings.NEWSROOM_TRUSTED_PROXIES = 1
    # The guesser forges an X-Forwarded-For entry; nginx appends the real address, which is what counts.
    for forged in ("10.0.0.1", "10.0.0.2", "10.0.0.3"):
        client.post(
            "/admin/login/",
            {"username": "editor", "password": "wrong-guess"},
            HTTP_X_FORWARDED_FOR=f"{forged}, 198.51.100.99",
        )
    attempt = AccessAttempt.objects.get()
    assert (attempt.ip_address, attempt.failures_since_start) == ("198.51.100.99", 3)


# Search rate limit.


def _search(client, address, path="/search/"):
    return client.get(path, {"q": "Baghouz"}, REMOTE_ADDR=address)


@pytest.mark.django_db
def test_search_answers_429_with_retry_after_once_an_address_exceeds_the_limit(client, settings):
    settings.NEWSROOM_SEARCH_RATE_LIMIT = 3
    address = f"198.51.100.{uuid.uuid4().int % 200 + 1}"
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": address}}
    assert [_search(client, address).status_code != 429 for _ in range(3)] == [True, True, True]
    refused = _search(client, address)
    assert refused.status_code == 429
    assert 1 <= int(refused["Retry-After"]) <= 60
    assert "Too many searches" in refused.content.decode() and refused["Cache-Control"] == "no-store"
    wait = refused["Retry-After"]
    arabic_wait = wait.translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))
    assert (
        f"wait {wait} seconds" in refused.content.decode()
        and f"الانتظار {arabic_wait} ثانية" in refused.content.decode()
    )
    # The Arabic edition's search counts against the same limit; other readers and other pages are untouched.
    assert _search(client, address, "/ar/search/").status_code == 429
    assert _search(client, "192.0.2.44").status_code != 429
    assert client.get("/", REMOTE_ADDR=address).status_code == 200


@pytest.mark.django_db
def test_search_limit_is_shared_by_every_app_server_through_redis(client, settings):
    settings.NEWSROOM_SEARCH_RATE_LIMIT = 2
    redis = {"BACKEND": "newsroom.redis_cache.RedisCache", "LOCATION": "redis://127.0.0.1:6379/3"}
    settings.CACHES = {"default": {**redis, "KEY_PREFIX": uuid.uuid4().hex}}
    assert _search(client, "198.51.100.7").status_code != 429
    assert _search(client, "198.51.100.7").status_code != 429
    # Another server is another process with its own connection: a second cache alias on the same Redis.
    from django.core.cache import caches

    other_server = caches.create_connection("default")
    assert [used for _key, used in _redis_counters(other_server)] == [2]
    assert _search(client, "198.51.100.7").status_code == 429


def _redis_counters(cache):
    client = cache._cache.get_client(write=False)
    prefix = cache.make_key("newsroom:throttle:")
    return [(key, int(client.get(key))) for key in client.scan_iter(f"{prefix}*")]


@pytest.mark.django_db
def test_search_is_served_when_the_cache_is_down_and_the_skip_is_logged(client, settings, caplog):
    settings.NEWSROOM_SEARCH_RATE_LIMIT = 1
    settings.CACHES = {
        "default": {
            "BACKEND": "newsroom.redis_cache.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{closed_port()}/3",
        }
    }
    assert [_search(client, "198.51.100.8").status_code for _ in range(3)] == [200, 200, 200]
    assert "search rate limit skipped: cache unavailable (ConnectionError)" in caplog.text
