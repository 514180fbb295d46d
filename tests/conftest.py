"""Personas and small factories shared by the whole suite.

alice and bob are reviewers, carol is staff, dave is logged in but outside the
Reviewers group.
"""

import pytest
from django.contrib.auth.models import Group
from django.core.cache import caches
from django.test import Client
from rest_framework.test import APIClient

from annotator.models import REVIEWERS_GROUP, Annotation, Article, Source

PASSWORD = "correct horse battery staple"


def make_user(django_user_model, username, *, reviewer=True, **flags):
    user = django_user_model.objects.create_user(username=username, password=PASSWORD, **flags)
    if reviewer:
        user.groups.add(Group.objects.get_or_create(name=REVIEWERS_GROUP)[0])
    return user


@pytest.fixture(autouse=True)
def no_writes_counted():
    """Every test starts with empty caches: no API writes counted against a user (users' ids
    recur)."""
    for each in caches.all():
        each.clear()


@pytest.fixture
def alice(django_user_model):
    return make_user(django_user_model, "alice")


@pytest.fixture
def bob(django_user_model):
    return make_user(django_user_model, "bob")


@pytest.fixture
def carol(django_user_model):
    return make_user(django_user_model, "carol", reviewer=False, is_staff=True)


@pytest.fixture
def dave(django_user_model):
    return make_user(django_user_model, "dave", reviewer=False)


def make_source(name="The Daily Test", identified=True):
    return Source.objects.get_or_create(name=name, defaults={"identified": identified})[0]


def filled(data, ids):
    """Request data whose text values' ``{name}`` placeholders are given ``ids``."""
    return {
        name: value.format(**ids) if isinstance(value, str) else value
        for name, value in data.items()
    }


def make_article(
    body="Officials said the bridge will open in May. It is a crucial link.", **fields
):
    fields.setdefault("source", make_source())
    fields.setdefault("title", "A test article")
    return Article.objects.create(body=body, **fields)


def make_annotation(article, reviewer, label, quote, occurrence=1, **fields):
    start = -1
    for _ in range(occurrence):
        start = article.body.index(quote, start + 1)
    annotation = Annotation(
        article=article,
        reviewer=reviewer,
        label=label,
        start=start,
        end=start + len(quote),
        **fields,
    )
    annotation.anchor_and_check()
    annotation.save()
    return annotation


def logged_in(user):
    """A browser-like client with ``user``'s session."""
    client = Client()
    client.force_login(user)
    return client


def api_client(user):
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


SCRIPT = "<script>window.__xss = 1</script>"
ATTRIBUTE = '" onmouseover="window.__xss = 2'


def make_hostile_article(reviewer):
    """An article whose every user-written text tries to run script in a page."""
    from annotator.models import Speaker

    body = f"Officials said {SCRIPT} and {ATTRIBUTE} twice."
    article = make_article(body=body, title=f"Title {SCRIPT}", author=ATTRIBUTE)
    speaker = Speaker.objects.create(name=f"Speaker {SCRIPT}", aliases=[ATTRIBUTE])
    note = f"note {SCRIPT} {ATTRIBUTE}"
    make_annotation(article, reviewer, "attribution", "Officials said", speaker=speaker, note=note)
    make_annotation(article, reviewer, "claim", SCRIPT)
    make_annotation(article, reviewer, "opinion", ATTRIBUTE)
    return article


@pytest.fixture
def article(db):
    return make_article()


@pytest.fixture
def api_as():
    return api_client


CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium, headless, once per test session for every browser test module."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1300, "height": 900})
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    close_settled(context)
    assert errors == [], f"JavaScript errors: {errors}"


def close_settled(context):
    """Close a browser context once its pages wait for no answer: a request still running
    (an article page asks for its suggestions as it opens) would have the live server read
    the database while the test's is emptied ("database table is locked")."""
    for each in context.pages:
        each.wait_for_load_state("networkidle")
    context.close()
