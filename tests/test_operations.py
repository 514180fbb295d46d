"""Operations: a database that refuses writes answers 503, not a bare 500."""

import logging
import sqlite3
from contextlib import contextmanager

import psycopg.errors
import pytest
from django.db import OperationalError, connection
from django.test import Client

from annotator.middleware import MESSAGE, why_database_cannot_write
from annotator.models import Annotation

from .conftest import PASSWORD, make_article

CLAIM = {"label": "claim", "quote": "the bridge will open in May", "occurrence": 1}


@contextmanager
def read_only_database():
    """Really make the connection refuse writes, as a read-only file or standby would."""
    on, off = (
        ("PRAGMA query_only = ON", "PRAGMA query_only = OFF")
        if connection.vendor == "sqlite"
        else ("SET default_transaction_read_only = on", "SET default_transaction_read_only = off")
    )
    with connection.cursor() as cursor:
        cursor.execute(on)
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(off)


def csrf_client(user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    client.get("/articles/")  # sets the CSRF cookie
    return client


def post_with_token(client, path, data, **extra):
    token = client.cookies["csrftoken"].value
    return client.post(path, data, HTTP_X_CSRFTOKEN=token, **extra)


def add_by_api(client, article):
    return post_with_token(
        client,
        f"/api/articles/{article.pk}/annotations/",
        {"label": "claim", "start": 15, "end": 42},
        content_type="application/json",
    )


def add_by_page(client, article):
    return post_with_token(client, f"/articles/{article.pk}/annotations/add/", CLAIM)


@pytest.mark.django_db(transaction=True)
def test_a_read_only_database_answers_503_as_json_and_as_a_page(alice, caplog):
    article = make_article()
    client = csrf_client(alice)
    with read_only_database(), caplog.at_level(logging.ERROR, logger="annotator.middleware"):
        api = add_by_api(client, article)
        page = add_by_page(client, article)
    assert api.status_code == 503
    assert api["Content-Type"] == "application/json"
    assert api.json() == {"detail": MESSAGE}
    assert page.status_code == 503
    assert page["Content-Type"].startswith("text/html")
    assert MESSAGE in page.content.decode() and "Traceback" not in page.content.decode()
    logged = [r.getMessage() for r in caplog.records if r.name == "annotator.middleware"]
    assert len(logged) == 2
    assert logged[0].startswith(
        f"The database is read-only: POST /api/articles/{article.pk}/annotations/ answered 503"
    )
    assert not Annotation.objects.exists()
    assert add_by_api(client, article).status_code == 201  # writable again: nothing was broken


def sqlite_error(message, code):
    error = sqlite3.OperationalError(message)
    error.sqlite_errorcode = code
    return error


DRIVER_ERRORS = {
    "full": {
        "sqlite": lambda: sqlite_error("database or disk is full", sqlite3.SQLITE_FULL),
        "postgresql": lambda: psycopg.errors.DiskFull("could not extend file"),
    },
    "other": {
        "sqlite": lambda: sqlite_error("no such table: annotator_annotation", sqlite3.SQLITE_ERROR),
        "postgresql": lambda: psycopg.errors.UndefinedTable("relation does not exist"),
    },
}


@contextmanager
def span_inserts_refused(kind):
    """Inside the block, inserting a span fails with this database's driver error, wrapped
    as Django wraps it."""
    driver_error = DRIVER_ERRORS[kind][connection.vendor]
    insert = f"INSERT INTO {connection.ops.quote_name(Annotation._meta.db_table)} "

    def refuse(execute, sql, params, many, context):
        if sql.startswith(insert):
            with connection.wrap_database_errors:
                raise driver_error()
        return execute(sql, params, many, context)

    with connection.execute_wrapper(refuse):
        yield


@pytest.mark.django_db
def test_a_full_disk_answers_503(alice):
    article = make_article()
    client = csrf_client(alice)
    with span_inserts_refused("full"):
        assert add_by_api(client, article).json() == {"detail": MESSAGE}
        assert add_by_page(client, article).status_code == 503
    assert not Annotation.objects.exists()


@pytest.mark.django_db
def test_other_database_errors_are_still_500(alice):
    client = csrf_client(alice)
    client.raise_request_exception = False
    article = make_article()
    with span_inserts_refused("other"):
        assert add_by_page(client, article).status_code == 500


@pytest.mark.parametrize(
    ("driver_error", "reason"),
    [
        (
            sqlite_error("attempt to write a readonly database", sqlite3.SQLITE_READONLY),
            "read-only",
        ),
        (sqlite_error("readonly database moved", sqlite3.SQLITE_READONLY_DBMOVED), "read-only"),
        (sqlite_error("database or disk is full", sqlite3.SQLITE_FULL), "full"),
        (sqlite_error("database is locked", sqlite3.SQLITE_BUSY), None),
        (psycopg.errors.ReadOnlySqlTransaction("read-only transaction"), "read-only"),
        (psycopg.errors.DiskFull("could not extend file"), "full"),
        (psycopg.errors.UniqueViolation("duplicate key"), None),
    ],
)
def test_which_driver_errors_mean_the_database_cannot_write(driver_error, reason):
    error = OperationalError(str(driver_error))
    error.__cause__ = driver_error  # as Django's wrapper raises it
    assert why_database_cannot_write(error) == reason
    assert why_database_cannot_write(driver_error) is None  # not through Django


def token_for(user):
    from rest_framework.authtoken.models import Token

    return Token.objects.create(user=user).key


def api_status(key):
    return Client().get("/api/articles/", HTTP_AUTHORIZATION=f"Token {key}").status_code


@pytest.mark.django_db
def test_a_password_change_revokes_the_api_token(alice):
    key = token_for(alice)
    assert api_status(key) == 200
    alice.set_password("a new long passphrase")
    alice.save()
    assert api_status(key) == 401


@pytest.mark.django_db
def test_a_password_change_in_admin_revokes_the_api_token(alice, django_user_model):
    key = token_for(alice)
    root = django_user_model.objects.create_superuser("root", password="x-test-only")
    client = csrf_client(root)
    client.get("/admin/")
    response = post_with_token(
        client,
        f"/admin/auth/user/{alice.pk}/password/",
        {"password1": "a new long passphrase", "password2": "a new long passphrase"},
    )
    assert response.status_code == 302
    assert api_status(key) == 401


@pytest.mark.django_db
def test_deactivation_revokes_the_api_token_for_good(alice):
    key = token_for(alice)
    alice.is_active = False
    alice.save()
    alice.is_active = True
    alice.save()
    assert api_status(key) == 401


@pytest.mark.django_db
def test_other_changes_and_logins_keep_the_api_token(alice):
    key = token_for(alice)
    alice.first_name = "Alice"
    alice.save()
    login = Client().post("/accounts/login/", {"username": "alice", "password": PASSWORD})
    assert login.status_code == 302
    assert api_status(key) == 200
