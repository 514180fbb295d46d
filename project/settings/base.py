"""Settings shared by every environment; dev, test and prod overlay them."""

import os
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent.parent

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "crispy_forms",
    "crispy_bootstrap5",
    "bootstrap",
    "axes",
    "simple_history",
    "annotator",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # A write the database refuses (read-only or full) answers 503, not 500.
    "annotator.middleware.DatabaseUnavailableMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes requires: it turns a locked-out login into its lockout response.
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

# Login throttling (django-axes): five failures for one username from one
# address lock that pair out for 15 minutes. The address is the client's as
# the trusted proxies in front of the app recorded it in X-Forwarded-For
# (annotator.accounts.client_address); none here, so REMOTE_ADDR.
TRUSTED_PROXIES = 0
AXES_CLIENT_IP_CALLABLE = "annotator.accounts.client_address"
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"

ROOT_URLCONF = "project.urls"
WSGI_APPLICATION = "project.wsgi.application"
ASGI_APPLICATION = "project.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# SQLite is the embedded default: WAL lets readers run beside one writer, and
# IMMEDIATE transactions take the write lock up front so two writers queue on
# the busy timeout instead of failing with "database is locked" mid-transaction.
SQLITE_OPTIONS = {
    "transaction_mode": "IMMEDIATE",
    "timeout": 20,
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
}


def database_from_environment(default_sqlite_path: Path) -> dict:
    url = os.environ.get("DATABASE_URL")
    if url:
        config = dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True)
    else:
        config = {"ENGINE": "django.db.backends.sqlite3", "NAME": default_sqlite_path}
    if config["ENGINE"] == "django.db.backends.sqlite3":
        config["OPTIONS"] = {**SQLITE_OPTIONS, **config.get("OPTIONS", {})}
    return config


DATABASES = {"default": database_from_environment(BASE_DIR / "db.sqlite3")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Each process's own memory: the API's write throttling counts.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "annotator:article-list"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

FIXTURE_DIRS = [BASE_DIR / "fixtures"]

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first, so an anonymous request is told 401 with how to authenticate.
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": [
        "annotator.renderers.FastJSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    # JSON nested too deeply is a 400; forms as DRF reads them by default.
    "DEFAULT_PARSER_CLASSES": [
        "annotator.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "annotator.pagination.LimitOffsetPagination",
    "PAGE_SIZE": 100,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "annotator.api_errors.exception_handler",
    # Each user's API writes (reads are free): far above a person's pace, and above what
    # one of bench/load.py's eight writers sends flat out (about 200 in its 18 s).
    "DEFAULT_THROTTLE_CLASSES": [
        "annotator.throttling.WriteBurstThrottle",
        "annotator.throttling.WriteSustainedThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "writes_burst": "240/min",
        "writes_sustained": "3000/hour",
        "suggestions": "30/min",
    },
    # ?format= names the export format (native, jsonl, w3c), not a DRF renderer.
    "URL_FORMAT_OVERRIDE": None,
}

API_WRITE_RATES = REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]
SPECTACULAR_SETTINGS = {
    "TITLE": "Newsroom annotator API",
    # Markdown, shown at the top of /api/docs/.
    "DESCRIPTION": f"""
Articles, reviewers' claim/opinion/attribution spans, per-source summaries and the
JSON export. Offsets are Unicode code points into the article body, end exclusive.
`GET /api/` lists every endpoint with its methods.

## Authentication

Every endpoint answers members of the Reviewers group and staff: a request without
credentials is answered 401, any other account 403. Reviewers read and write only
their own spans; staff read everyone's.

- **Token**, for scripts: send `Authorization: Token <key>`. An admin makes your key
  in Django admin (Auth Token › Tokens) or with `manage.py drf_create_token <username>`;
  changing your password or deactivating the account revokes it.
- **Session**, for the browser: log in at `/accounts/login/`. A write (POST, PATCH,
  DELETE) by session must carry the CSRF token, the `csrftoken` cookie's value, in an
  `X-CSRFToken` header. This page sends it for you when you try a write.

## Throttles

Each user's writes are limited to {API_WRITE_RATES["writes_burst"]} and
{API_WRITE_RATES["writes_sustained"]}; reads are not counted, but for suggestions
(`/api/articles/<id>/suggestions/`), limited to {API_WRITE_RATES["suggestions"]}. A
refused request is answered 429 with `Retry-After` (seconds).

## Errors

Always JSON: `{{"detail": reason}}`, or each refused field with its messages.
""",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["annotator.permissions.CanAnnotate"],
    # /api/docs/ loads Swagger UI from the drf-spectacular-sidecar app's static files.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "annotator.schema_errors.document_errors",
    ],
}

# A source profile is greyed out below this many annotated articles, or when
# reviewer agreement (Krippendorff's alpha) is below the floor for tentative
# conclusions.
PROFILE_MIN_ARTICLES = 15
PROFILE_MIN_ALPHA = 0.667

# Notes are free text but bounded, so one paste cannot bloat exports.
ANNOTATION_NOTE_MAX_LENGTH = 2000
