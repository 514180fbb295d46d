"""A catalogue of bad input per entry point: a clear error naming the field, nothing changed."""

import hashlib
import json

import pytest
from django.apps import apps
from django.core import serializers
from django.core.management import CommandError, call_command

from .conftest import api_client, logged_in, make_annotation, make_article

pytestmark = pytest.mark.django_db


def database_fingerprint():
    """A hash of every row the app stores, to prove a refusal changed nothing."""
    digest = hashlib.sha256()
    for model in apps.get_app_config("annotator").get_models():
        digest.update(serializers.serialize("json", model.objects.order_by("pk")).encode())
    return digest.hexdigest()


@pytest.fixture
def unchanged():
    """Yields nothing; fails the test if the database changed meanwhile."""
    before = None

    def snapshot():
        nonlocal before
        before = database_fingerprint()

    yield snapshot
    assert before is not None, "the test never took its snapshot"
    assert database_fingerprint() == before


@pytest.fixture
def scene(alice, bob):
    article = make_article()
    other = make_article(body="Another article where the ministry said nothing.")
    alices = make_annotation(article, alice, "attribution", "Officials said", note="kept")
    bobs = make_annotation(article, bob, "attribution", "It is")
    elsewhere = make_annotation(other, alice, "attribution", "the ministry said")
    return {"article": article, "alices": alices, "bobs": bobs, "elsewhere": elsewhere}


def post_raw(client, url, body, content_type="application/json"):
    return client.post(url, data=body, content_type=content_type)


HUGE = 2**40
API_CASES = [
    ("malformed JSON", "{label: claim", "application/json", "detail", "JSON parse error"),
    (
        "wrong content type",
        "label=claim&start=0&end=9",
        "text/plain",
        "detail",
        "Unsupported media type",
    ),
    ("a list, not an object", "[]", "application/json", "non_field_errors", "JSON object"),
    ("wrong type", {"label": "claim", "start": "zero", "end": 9}, None, "start", "valid integer"),
    ("missing field", {"label": "claim", "start": 0}, None, "end", "required"),
    (
        "negative offset",
        {"label": "claim", "start": -5, "end": 9},
        None,
        "start",
        "greater than or equal to 0",
    ),
    (
        "huge offset",
        {"label": "claim", "start": 0, "end": HUGE},
        None,
        "end",
        "less than or equal to 2147483647",
    ),
    (
        "start past the body",
        {"label": "claim", "start": 5000, "end": 5001},
        None,
        "start",
        "past the body",
    ),
    ("start equals end", {"label": "claim", "start": 9, "end": 9}, None, "end", "after the start"),
    ("start after end", {"label": "claim", "start": 12, "end": 9}, None, "end", "after the start"),
    (
        "quote mismatch",
        {"label": "claim", "start": 0, "end": 9, "quote": "Officers!"},
        None,
        "quote",
        "does not match",
    ),
    (
        "unknown label",
        {"label": "rumour", "start": 0, "end": 9},
        None,
        "label",
        "not a valid choice",
    ),
    (
        "field of another label",
        {"label": "claim", "start": 0, "end": 9, "cue_stance": "neutral"},
        None,
        "cue_stance",
        "not a field of a claim",
    ),
    (
        "unknown choice",
        {"label": "attribution", "start": 0, "end": 9, "cue_stance": "sneering"},
        None,
        "cue_stance",
        "not a valid choice",
    ),
    (
        "oversized note",
        {"label": "claim", "start": 0, "end": 9, "note": "x" * 2001},
        None,
        "note",
        "no more than 2000",
    ),
    (
        "unknown field",
        {"label": "claim", "start": 0, "end": 9, "colour": "red"},
        None,
        "colour",
        "Unknown",
    ),
]


@pytest.mark.parametrize(
    ("case", "body", "content_type", "field", "reason"), API_CASES, ids=[c[0] for c in API_CASES]
)
def test_api_create_refuses_bad_input(
    scene, alice, unchanged, case, body, content_type, field, reason
):
    client = api_client(alice)
    url = f"/api/articles/{scene['article'].pk}/annotations/"
    unchanged()
    if content_type is None:
        response = client.post(url, body, format="json")
    else:
        response = post_raw(client, url, body, content_type)
    assert response.status_code in (400, 415)
    assert reason in " ".join(
        map(
            str,
            response.json()[field]
            if isinstance(response.json()[field], list)
            else [response.json()[field]],
        )
    )


@pytest.mark.parametrize(
    ("link", "reason"),
    [("bobs", "object does not exist"), ("elsewhere", "another article")],
)
def test_api_refuses_links_across_reviewers_and_articles(scene, alice, unchanged, link, reason):
    unchanged()
    response = api_client(alice).post(
        f"/api/articles/{scene['article'].pk}/annotations/",
        {"label": "claim", "start": 15, "end": 42, "attribution": scene[link].pk},
        format="json",
    )
    assert response.status_code == 400
    assert reason in response.json()["attribution"][0]


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"note": "x" * 2001}, "note"),
        ({"start": 9999}, "start"),
        ({"label": "nope"}, "label"),
        ({"speaker": 424242}, "speaker"),
        ({"quote": "not the quote"}, "quote"),
    ],
)
def test_api_patch_refuses_bad_input(scene, alice, unchanged, payload, field):
    unchanged()
    response = api_client(alice).patch(
        f"/api/annotations/{scene['alices'].pk}/", payload, format="json"
    )
    assert response.status_code == 400
    assert field in response.json()


@pytest.mark.parametrize(
    "url",
    [
        "/api/annotations/987654/",
        "/api/articles/987654/",
        "/api/articles/987654/annotations/",
        "/api/sources/987654/summary/",
    ],
)
def test_unknown_ids_are_404(scene, alice, unchanged, url):
    unchanged()
    assert api_client(alice).get(url).status_code == 404
    assert api_client(alice).delete("/api/annotations/987654/").status_code == 404


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({"label": "claim", "quote": "", "occurrence": 1}, "This field is required"),
        ({"label": "claim", "quote": "not there at all", "occurrence": 1}, "does not appear"),
        ({"label": "claim", "quote": "Officials", "occurrence": 0}, "greater than or equal to 1"),
        ({"label": "claim", "quote": "Officials", "occurrence": 7}, "appears 1 time(s), not 7"),
        ({"label": "gossip", "quote": "Officials", "occurrence": 1}, "Select a valid choice"),
        (
            {"label": "claim", "quote": "Officials", "occurrence": 1, "note": "x" * 2001},
            "at most 2000",
        ),
        ({"label": "attribution", "quote": "Officials said", "occurrence": 1}, "already marked"),
    ],
)
def test_add_by_quote_form_refuses_bad_input(scene, alice, unchanged, form, message):
    unchanged()
    response = logged_in(alice).post(f"/articles/{scene['article'].pk}/annotations/add/", form)
    assert response.status_code == 400
    assert message in response.content.decode()


def test_review_form_refuses_bad_choices(scene, alice, unchanged):
    unchanged()
    response = logged_in(alice).post(
        f"/articles/{scene['article'].pk}/review/", {"genre": "satire", "headline_fidelity": "?"}
    )
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"\xff\xfe\xfa not text", "not UTF-8"),
        (b"{ nope", "not JSON"),
        (b'{"schema": "something/else"}', "neither a native export"),
        (
            json.dumps(
                {
                    "schema": "newsroom-annotator/export",
                    "articles": [{"body_sha256": "x", "annotations": [{"label": "claim"}]}],
                }
            ).encode(),
            "invalid",
        ),
    ],
)
def test_import_annotations_refuses_bad_files(scene, unchanged, tmp_path, content, message):
    path = tmp_path / "bad.json"
    path.write_bytes(content)
    unchanged()
    with pytest.raises(CommandError, match=message):
        call_command("import_annotations", str(path), quiet=True)


def test_import_articles_refuses_non_utf8(scene, unchanged, tmp_path):
    path = tmp_path / "latin1.txt"
    path.write_bytes("Caf\xe9 owners said prices rose.".encode("latin-1"))
    unchanged()
    with pytest.raises(CommandError, match="is not UTF-8 text"):
        call_command("import_articles", str(path))


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"since": "tomorrow-ish"}, "not an ISO 8601"),
        ({"reviewer": "nobody"}, "no reviewer called"),
    ],
)
def test_export_refuses_bad_options(scene, unchanged, options, message):
    unchanged()
    with pytest.raises(CommandError, match=message):
        call_command("export_annotations", **options)
