"""Settings for the Newsroom project, read from the environment in this one module.

Every value has a safe default for development. With DEBUG off, SECRET_KEY and ALLOWED_HOSTS must be
given, and the security settings below make `manage.py check --deploy` report nothing. The README's
"Configuration" table lists every variable.
"""

from datetime import timedelta
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
# A `.env` file beside manage.py is read if present (never committed).
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=True)

_DEV_SECRET = "dev-only-not-secret-newsroom-key-change-me-in-production-0123456789"
SECRET_KEY = env.str("SECRET_KEY", default=_DEV_SECRET if DEBUG else "")
if not SECRET_KEY:
    raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "taggit",
    "tinymce",
    "articles",
    "axes",
]

MIDDLEWARE = [
    # Outermost: the request id and the one log line per request (newsroom/request_log.py).
    "newsroom.request_log.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Static files with hashed names and long cache headers, straight from the app server.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "newsroom.security.SecurityHeadersMiddleware",
    "newsroom.throttle.SearchRateLimitMiddleware",
    # A cached public page is answered here, without the layers below (articles/caching.py).
    "articles.caching.PageCacheMiddleware",
    "newsroom.outage.DatabaseOutageMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    # The admin and the desk in each person's language (saved, cookie, Accept-Language); public pages keep theirs.
    "newsroom.staff_language.StaffLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes requires: turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "newsroom.urls"

# The public-time indexes carry INCLUDE columns for PostgreSQL's index-only scans (articles/models/article.py);
# SQLite, for development, builds the same indexes without them, which is all this warning says.
SILENCED_SYSTEM_CHECKS = ["models.W040"]

# Readers' pages (templates/jinja2/) are Jinja2, found first; the admin, the desk and Django's own templates
# are Django's template language (templates/ and the apps'). No name is found by both (newsroom/jinja2.py).
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [BASE_DIR / "templates" / "jinja2"],
        "APP_DIRS": False,
        "OPTIONS": {
            "environment": "newsroom.jinja2.environment",
            # The DTL engine's processors that public pages use; `request` the backend adds itself, and
            # readers' pages show no user or messages.
            "context_processors": [
                "django.template.context_processors.i18n",
                "articles.context_processors.site",
            ],
        },
    },
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "articles.context_processors.site",
            ],
        },
    },
]

WSGI_APPLICATION = "newsroom.wsgi.application"

# DATABASE_URL selects the database: SQLite under var/ by default, PostgreSQL in production
# (postgres://user@host:5432/name).
(BASE_DIR / "var").mkdir(exist_ok=True)
DATABASES = {
    "default": env.db_url_config(env.str("DATABASE_URL", default="") or f"sqlite:///{BASE_DIR / 'var' / 'db.sqlite3'}")
}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=0)
# A persistent connection broken by a database restart is replaced before use instead of failing a request.
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Fail fast (and answer 503) rather than hang a worker when the database host does not answer.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
        "connect_timeout", env.int("DATABASE_CONNECT_TIMEOUT", default=5)
    )
    # Parameters bound by the server, not quoted into the SQL by psycopg: cheaper for the client, and a query
    # run five times on a connection is prepared, so PostgreSQL stops planning it on every request. Turn it
    # off behind a transaction-pooling PgBouncer that does not keep prepared statements (README, Configuration).
    server_binding = env.bool("DATABASE_SERVER_SIDE_BINDING", default=True)
    DATABASES["default"]["OPTIONS"]["server_side_binding"] = server_binding
    # Django turns psycopg's statement preparation off unless asked (prepare_threshold None); this asks.
    DATABASES["default"]["OPTIONS"]["prepare_threshold"] = 5 if server_binding else None
    # Django's backend, with bulk writes split to PostgreSQL's limit on bound parameters (newsroom/postgresql).
    DATABASES["default"]["ENGINE"] = "newsroom.postgresql"
# DATABASE_REPLICA_URL adds a read replica for readers' page views (newsroom/db_router.py). In tests it
# mirrors the default database, so the routing runs against the one test database.
DATABASE_REPLICA_URL = env.str("DATABASE_REPLICA_URL", default="")
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = {
        **env.db_url_config(DATABASE_REPLICA_URL),
        "ENGINE": DATABASES["default"]["ENGINE"],
        "CONN_MAX_AGE": DATABASES["default"]["CONN_MAX_AGE"],
        "CONN_HEALTH_CHECKS": True,
        "OPTIONS": dict(DATABASES["default"].get("OPTIONS", {})),
        "TEST": {"MIRROR": "default"},
    }
    DATABASE_ROUTERS = ["newsroom.db_router.PrimaryReplicaRouter"]
    # Around the page cache too: storing a page reads when the next scheduled story is due.
    MIDDLEWARE.insert(
        MIDDLEWARE.index("articles.caching.PageCacheMiddleware"), "newsroom.db_router.ReplicaReadsMiddleware"
    )
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Wait for a writer instead of failing with "database is locked" when two requests write at once.
    DATABASES["default"].setdefault("OPTIONS", {}).update({"timeout": 20, "transaction_mode": "IMMEDIATE"})

# REDIS_URL turns on a shared Redis cache; without it each process keeps its own memory cache.
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            # Django's Redis backend, reusing one client per connection pool (newsroom/redis_cache.py).
            "BACKEND": "newsroom.redis_cache.RedisCache",
            "LOCATION": REDIS_URL,
            # A Redis that stops answering must cost a request a second, not a worker forever.
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    # Sessions read from the shared cache and are written through to the database, so every app server
    # sees a login and nobody is logged out when Redis restarts or evicts keys under memory pressure.
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "newsroom",
            # Django's default of 300 entries is about 150 cached pages (a page and its stamp are two entries);
            # 3,000 keep 1,500 pages, some 30 MB at 20 kB a page.
            "OPTIONS": {"MAX_ENTRIES": 3000},
        }
    }

# django-axes watches every login: after NEWSROOM_LOGIN_FAILURE_LIMIT failures for one username from one
# address, that pair is locked out for NEWSROOM_LOGIN_COOLOFF_MINUTES (a good password too). Keyed on the
# pair so that a guesser cannot lock an editor out of the desk from elsewhere during breaking news.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
AXES_FAILURE_LIMIT = env.int("NEWSROOM_LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("NEWSROOM_LOGIN_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "newsroom.security.lockout_response"
AXES_CLIENT_IP_CALLABLE = "newsroom.security.client_ip"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("ar", _("Arabic"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env.str("TIME_ZONE", default="Asia/Baghdad")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "var" / "staticfiles")
MEDIA_URL = env.str("MEDIA_URL", default="/media/")
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "var" / "media")
# With DEBUG off, static files are served by WhiteNoise under content-hashed names (cached for a year by
# browsers and proxies) from what `collectstatic` wrote to STATIC_ROOT; `make serve` runs it first.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
# MEDIA_S3_BUCKET puts uploads on S3-compatible storage (AWS, MinIO, R2 …) through django-storages, shared
# by every app server; credentials come from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY or an instance role.
MEDIA_S3_BUCKET = env.str("MEDIA_S3_BUCKET", default="")
if MEDIA_S3_BUCKET:
    _media_domain = env.str("MEDIA_S3_CUSTOM_DOMAIN", default="") or None
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": MEDIA_S3_BUCKET,
            "endpoint_url": env.str("MEDIA_S3_ENDPOINT_URL", default="") or None,
            "region_name": env.str("MEDIA_S3_REGION", default="") or None,
            "custom_domain": _media_domain,
            "file_overwrite": False,
            # Public, cacheable addresses: published pictures are public anyway.
            "querystring_auth": False,
            "object_parameters": {"CacheControl": "public, max-age=31536000"},
        },
    }
    if _media_domain:
        MEDIA_URL = f"https://{_media_domain}/"

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

EMAIL_BACKEND = env.str(
    "EMAIL_BACKEND",
    default="django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="newsroom@localhost")

# Security: on by default whenever DEBUG is off.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
# Content-Security-Policy (newsroom/security.py): on by default whenever DEBUG is off.
NEWSROOM_CSP = env.bool("NEWSROOM_CSP", default=not DEBUG)
# Load balancer checks may come over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
# How many reverse proxies in front append to X-Forwarded-For (0: use the connection's address).
NEWSROOM_TRUSTED_PROXIES = env.int("NEWSROOM_TRUSTED_PROXIES", default=0)
# Search requests per minute per client address (0: no limit); see newsroom/throttle.py.
NEWSROOM_SEARCH_RATE_LIMIT = env.int("NEWSROOM_SEARCH_RATE_LIMIT", default=30)
if not DEBUG:
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31_536_000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
if env.bool("BEHIND_TLS_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Tags are split on commas (Latin and Arabic) and semicolons only, never on spaces.
TAGGIT_TAGS_FROM_STRING = "articles.taxonomy.parse_tag_string"
TAGGIT_STRING_FROM_TAGS = "articles.taxonomy.join_tag_names"

TINYMCE_DEFAULT_CONFIG = {
    "license_key": "gpl",
    "height": 480,
    "menubar": False,
    "promotion": False,
    "branding": False,
    "plugins": "link lists autolink directionality code wordcount image",
    "toolbar": (
        "undo redo | blocks | bold italic | bullist numlist blockquote | link image | ltr rtl | removeformat code"
    ),
    # Pictures from the library (articles/admin_images.py): a staff-only list of rendition addresses, kept
    # absolute ("/media/…") so they work on the public pages, with a caption (figure/figcaption) per use.
    "image_list": reverse_lazy("admin:articles_image_tinymce_list"),
    "image_caption": True,
    "relative_urls": False,
    "block_formats": "Paragraph=p; Heading 2=h2; Heading 3=h3",
    "entity_encoding": "raw",
}

# Loaded after TinyMCE and before django-tinymce starts the editors: the editor follows the admin's light or dark
# theme (static/admin/editor_theme.js).
TINYMCE_EXTRA_MEDIA = {"js": ["admin/editor_theme.js"]}

# Project settings (read by the code inside functions, never at import time).
NEWSROOM_SITE_NAME = env.str("NEWSROOM_SITE_NAME", default="Newsroom")
NEWSROOM_WORDS_PER_MINUTE = env.int("NEWSROOM_WORDS_PER_MINUTE", default=220)
# The newsroom's own square icon (a PNG or JPEG path, at least 512 px a side) for browser tabs, phones and the
# publisher's logo; empty: the project's own mark (newsroom/brand.py). `manage.py check` reports a bad one.
NEWSROOM_ICON = env.str("NEWSROOM_ICON", default="")
# The Arabic edition's month names (newsroom/jinja2.py): "syriac" as Iraq and Syria name them (آذار),
# "latin" as Egypt and the Gulf do (مارس, Django's Arabic), or "both" as pan-Arab wires print them (آذار/مارس).
NEWSROOM_ARABIC_MONTHS = env.str("NEWSROOM_ARABIC_MONTHS", default="syriac")
if NEWSROOM_ARABIC_MONTHS not in {"syriac", "latin", "both"}:
    raise ImproperlyConfigured(f"NEWSROOM_ARABIC_MONTHS must be syriac, latin or both, not {NEWSROOM_ARABIC_MONTHS!r}.")
# How often a reader's open live story asks the site for new live updates, in seconds (0: never). Only a story
# whose newest update is under NEWSROOM_LIVE_FOLLOW_HOURS old is followed (static/js/live_updates.js).
NEWSROOM_LIVE_POLL_SECONDS = env.int("NEWSROOM_LIVE_POLL_SECONDS", default=30)
NEWSROOM_LIVE_FOLLOW_HOURS = env.int("NEWSROOM_LIVE_FOLLOW_HOURS", default=24)
if NEWSROOM_LIVE_POLL_SECONDS < 0 or NEWSROOM_LIVE_FOLLOW_HOURS < 0:
    raise ImproperlyConfigured("NEWSROOM_LIVE_POLL_SECONDS and NEWSROOM_LIVE_FOLLOW_HOURS must be 0 or more.")
# Where the site answers, for links in notification emails.
NEWSROOM_SITE_URL = env.str("NEWSROOM_SITE_URL", default="http://127.0.0.1:8000")
# How long a shared preview link lasts unless the sharer chooses otherwise.
NEWSROOM_PREVIEW_LINK_HOURS = env.int("NEWSROOM_PREVIEW_LINK_HOURS", default=48)
# The photo library's upload limits (articles/images/uploads.py): bytes per file, and pixels per picture
# (width × height, checked from the header before decoding, against decompression bombs).
NEWSROOM_IMAGE_MAX_BYTES = env.int("NEWSROOM_IMAGE_MAX_BYTES", default=30 * 1024 * 1024)
NEWSROOM_IMAGE_MAX_PIXELS = env.int("NEWSROOM_IMAGE_MAX_PIXELS", default=60_000_000)
# The largest story file an import reads from inside a zip or tar archive (its uncompressed size): an archive
# from outside is not trusted, and a few kilobytes of one can claim gigabytes (articles/importers/sources.py).
NEWSROOM_IMPORT_MAX_MEMBER_BYTES = env.int("NEWSROOM_IMPORT_MAX_MEMBER_BYTES", default=256 * 1024 * 1024)
# Public page cache: seconds a page stays in the server cache (0: off; purged at once by any publish),
# and the max-age browsers and proxies get (they cannot be purged, so keep it short).
NEWSROOM_PAGE_CACHE_SECONDS = env.int("NEWSROOM_PAGE_CACHE_SECONDS", default=600)
NEWSROOM_BROWSER_CACHE_SECONDS = env.int("NEWSROOM_BROWSER_CACHE_SECONDS", default=60)
# Each worker's copies of the pages it served lately (articles/caching.py), answered only while current.
NEWSROOM_PAGE_COPIES_BYTES = env.int("NEWSROOM_PAGE_COPIES_BYTES", default=32 * 1024 * 1024)
# Reverse proxies or CDNs to send HTTP PURGE to after each workflow move (articles/frontend_purge.py).
NEWSROOM_PURGE_URLS = env.list("NEWSROOM_PURGE_URLS", default=[])
NEWSROOM_PURGE_TIMEOUT = env.float("NEWSROOM_PURGE_TIMEOUT", default=2.0)

# One JSON object per line on stderr (newsroom/request_log.py); LOG_FORMAT=text for plain lines.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {"()": "newsroom.request_log.JSONFormatter"},
        "text": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "text" if env.str("LOG_FORMAT", default="json") == "text" else "json",
        }
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    # django-axes announces itself at every start and every good login at INFO; its lockouts are WARNING.
    "loggers": {"axes": {"level": "WARNING"}},
}
