"""Production: every secret and host comes from the environment.

Without DATABASE_URL the database is the SQLite file db.sqlite3 beside the code
(check --deploy warns, annotator.W001): one app server only.
"""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import BASE_DIR
from .env import env_bool, env_count, env_list, env_str

DEBUG = False
SECRET_KEY = env_str("DJANGO_SECRET_KEY")
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS")
if not ALLOWED_HOSTS:
    raise ImproperlyConfigured(
        "The environment variable DJANGO_ALLOWED_HOSTS must name at least one host."
    )
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", "")
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# How many proxies append to X-Forwarded-For in front of the app servers: one,
# the documented HTTPS proxy. Login lockouts count per client address from it.
TRUSTED_PROXIES = env_count("DJANGO_TRUSTED_PROXIES", 1)
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
# Browsers' preload lists take a site only with a max-age of at least a year
# (and subdomains included): preload follows the max-age unless set, and a
# preload asked for with a shorter max-age refuses to start.
ONE_YEAR = 60 * 60 * 24 * 365
SECURE_HSTS_SECONDS = env_count("DJANGO_HSTS_SECONDS", ONE_YEAR)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = env_bool("DJANGO_HSTS_PRELOAD", SECURE_HSTS_SECONDS >= ONE_YEAR)
if SECURE_HSTS_PRELOAD and SECURE_HSTS_SECONDS < ONE_YEAR:
    raise ImproperlyConfigured(
        f"DJANGO_HSTS_PRELOAD needs DJANGO_HSTS_SECONDS of at least {ONE_YEAR} (a year), "
        f"not {SECURE_HSTS_SECONDS}."
    )
SECURE_CONTENT_TYPE_NOSNIFF = True
# WhiteNoise serves the collected, hashed and compressed static files.
STATIC_ROOT = env_str("DJANGO_STATIC_ROOT", str(BASE_DIR / "staticfiles"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# Every 5xx is logged to stderr with its path and traceback (django.request),
# as are warnings from the app (a database refusing writes, say).
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "{asctime} {levelname} {name}: {message}", "style": "{"}},
    "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["stderr"], "level": "WARNING"},
    "loggers": {"django": {"handlers": [], "level": "WARNING", "propagate": True}},
}
