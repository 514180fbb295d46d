"""Schema-driven fuzzing of the API: no 5xx, and every response matches /api/schema/.

Schemathesis reads the schema the app serves at /api/schema/, generates
requests for every operation (ones the schema allows and ones it does not),
sends them to the WSGI app in process as a reviewer with a token, and checks
each answer. Examples per operation are few, so the whole run stays short.
"""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from rest_framework.authtoken.models import Token
from schemathesis import GenerationMode, checks

from .conftest import make_annotation, make_article

pytestmark = pytest.mark.django_db

EXAMPLES_PER_OPERATION = 20
# Whether the API accepts exactly what the schema allows is the serializers' strictness
# (they refuse unknown keys, which the schema does not say); the answers are checked here.
NOT_CHECKED = [checks.positive_data_acceptance, checks.negative_data_rejection]


@pytest.fixture
def wsgi_app():
    """The WSGI app, served within the test's transaction, as Django's test client does:
    the handler would otherwise close the connection (and the test's transaction with it)
    around each request, which PostgreSQL reports as "the connection is closed"."""
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    yield get_wsgi_application()
    for signal in (request_started, request_finished):
        signal.connect(close_old_connections)


@pytest.fixture
def alices_token(alice, bob):
    article = make_article()
    make_annotation(article, alice, "attribution", "Officials said")
    make_annotation(article, bob, "claim", "the bridge")
    return {"Authorization": f"Token {Token.objects.create(user=alice).key}"}


def has_input(operation):
    return bool(operation.path_parameters or operation.query or operation.body)


def check_operation(operation, mode, headers):
    @given(case=operation.as_strategy(mode))
    @settings(
        max_examples=EXAMPLES_PER_OPERATION,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def answers(case):
        case.call_and_validate(headers=headers, excluded_checks=NOT_CHECKED)

    answers()


@pytest.mark.parametrize("mode", list(GenerationMode))
def test_every_operation_answers_generated_requests(wsgi_app, alices_token, mode):
    schema = schemathesis.openapi.from_wsgi(
        "/api/schema/?format=json", wsgi_app, headers=alices_token
    )
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 10
    for operation in operations:
        if mode.is_negative and not has_input(operation):
            continue  # nothing in the request to get wrong
        check_operation(operation, mode, alices_token)
