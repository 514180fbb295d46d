"""Production settings: no start without secrets, a clean check --deploy, gunicorn serving.

Also: no start with an empty host list, a short-lived HSTS preload, or without
the static manifest; a warning without DATABASE_URL; every 5xx logged.
"""

import http.client
import os
import secrets
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
MANAGE = [sys.executable, str(ROOT / "manage.py")]


def production_env(tmp_path, **extra):
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("DJANGO_") and key != "DATABASE_URL"
    }
    return {
        **env,
        "DJANGO_SETTINGS_MODULE": "project.settings.prod",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(60),
        "DJANGO_ALLOWED_HOSTS": "annotator.example",
        "DJANGO_STATIC_ROOT": str(tmp_path / "static"),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'prod.sqlite3'}",
        **extra,
    }


def test_refuses_to_start_without_a_secret_key(tmp_path):
    env = production_env(tmp_path)
    del env["DJANGO_SECRET_KEY"]
    result = subprocess.run([*MANAGE, "check"], env=env, capture_output=True, text=True, cwd=ROOT)
    assert result.returncode != 0
    assert "The environment variable DJANGO_SECRET_KEY must be set." in result.stderr


def test_refuses_to_start_without_allowed_hosts(tmp_path):
    env = production_env(tmp_path)
    del env["DJANGO_ALLOWED_HOSTS"]
    result = subprocess.run([*MANAGE, "check"], env=env, capture_output=True, text=True, cwd=ROOT)
    assert "DJANGO_ALLOWED_HOSTS must be set" in result.stderr


def run(env, *command):
    return subprocess.run(command, env=env, capture_output=True, text=True, cwd=ROOT)


def collect_static(env):
    subprocess.run([*MANAGE, "collectstatic", "--noinput", "-v0"], env=env, check=True, cwd=ROOT)


@pytest.mark.parametrize("hosts", ["", " , "])
def test_refuses_to_start_with_an_empty_host_list(tmp_path, hosts):
    result = run(production_env(tmp_path, DJANGO_ALLOWED_HOSTS=hosts), *MANAGE, "check")
    assert result.returncode != 0
    assert "DJANGO_ALLOWED_HOSTS must name at least one host." in result.stderr


def test_check_deploy_is_clean(tmp_path):
    env = production_env(tmp_path)
    collect_static(env)
    result = run(env, *MANAGE, "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


SHOW_HSTS = (
    "from django.conf import settings; "
    "print(settings.SECURE_HSTS_SECONDS, settings.SECURE_HSTS_PRELOAD)"
)


@pytest.mark.parametrize(
    ("extra", "shown"),
    [
        ({}, "31536000 True"),
        ({"DJANGO_HSTS_SECONDS": "2592000"}, "2592000 False"),
        ({"DJANGO_HSTS_SECONDS": "63072000", "DJANGO_HSTS_PRELOAD": "false"}, "63072000 False"),
    ],
)
def test_hsts_preload_only_with_a_max_age_of_a_year(tmp_path, extra, shown):
    result = run(
        production_env(tmp_path, **extra), *MANAGE, "shell", "--no-imports", "-c", SHOW_HSTS
    )
    assert result.stdout.strip() == shown, result.stderr


def test_refuses_to_start_with_preload_and_a_short_max_age(tmp_path):
    env = production_env(tmp_path, DJANGO_HSTS_SECONDS="2592000", DJANGO_HSTS_PRELOAD="true")
    result = run(env, *MANAGE, "check")
    assert result.returncode != 0
    assert (
        "DJANGO_HSTS_PRELOAD needs DJANGO_HSTS_SECONDS of at least 31536000 (a year), not 2592000."
        in result.stderr
    )


def test_an_app_server_refuses_to_start_without_the_static_manifest(tmp_path):
    env = production_env(tmp_path)
    start = (sys.executable, "-c", "import project.wsgi")
    missing = run(env, *start)
    assert missing.returncode != 0
    assert "(annotator.E001) The static files manifest" in missing.stderr
    assert "Run manage.py collectstatic --noinput" in missing.stderr
    collect_static(env)
    assert run(env, *start).returncode == 0


def test_check_deploy_says_what_an_unset_database_url_means(tmp_path):
    env = production_env(tmp_path)
    del env["DATABASE_URL"]
    collect_static(env)
    result = run(env, *MANAGE, "check", "--deploy")
    assert result.returncode == 0
    assert (
        f"(annotator.W001) DATABASE_URL is not set, so the database is the SQLite file "
        f"{ROOT / 'db.sqlite3'} on this host." in result.stderr
    )
    assert "several need one shared PostgreSQL" in result.stderr


def test_every_server_error_is_logged_to_stderr_with_path_and_traceback(tmp_path):
    # Not migrated: reading the session of a logged-in browser fails with a 500.
    request = (
        "from django.test import Client; "
        "browser = Client(raise_request_exception=False, HTTP_HOST='annotator.example'); "
        "browser.cookies['sessionid'] = 'a' * 32; "
        "print(browser.get('/articles/', secure=True).status_code)"
    )
    result = run(production_env(tmp_path), *MANAGE, "shell", "--no-imports", "-c", request)
    assert result.stdout.strip() == "500"
    assert "ERROR django.request: Internal Server Error: /articles/" in result.stderr
    assert "Traceback (most recent call last):" in result.stderr
    assert "no such table: django_session" in result.stderr


def test_gunicorn_serves_pages_and_whitenoise_serves_static_files(tmp_path):
    env = production_env(tmp_path, DJANGO_SECURE_SSL_REDIRECT="false")
    subprocess.run([*MANAGE, "migrate", "-v0"], env=env, check=True, cwd=ROOT)
    collect_static(env)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "project.wsgi", "-b", f"127.0.0.1:{port}"],
        env=env,
        cwd=ROOT,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)

        def get(path):
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            connection.request("GET", path, headers={"Host": "annotator.example"})
            response = connection.getresponse()
            return response.status, dict(response.getheaders()), response.read()

        status, headers, body = get("/accounts/login/")
        assert status == 200 and b"Log in" in body
        assert "Strict-Transport-Security" not in headers  # only sent over HTTPS
        status, headers, body = get("/static/bootstrap/css/bootstrap.min.css")
        assert status == 200 and b"Bootstrap" in body[:300]
        assert "max-age" in headers.get("Cache-Control", "")
        # /api/docs/ loads Swagger UI from drf-spectacular-sidecar's collected files.
        status, headers, body = get(
            "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js"
        )
        assert status == 200 and b"SwaggerUIBundle" in body
        assert get("/articles/")[0] == 302
    finally:
        server.terminate()
        server.wait(timeout=10)
