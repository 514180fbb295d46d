"""Login lockouts behind the HTTPS proxy count per client, not per proxy.

Every request reaches the app from the proxy's address (the test client's
REMOTE_ADDR, 127.0.0.1); the proxy appends the address its client connected
from to X-Forwarded-For.
"""

import subprocess

import pytest
from django.test import Client, RequestFactory

from annotator.accounts import client_address

from .conftest import PASSWORD
from .test_production import MANAGE, ROOT, production_env

pytestmark = pytest.mark.django_db

ATTACKER = "198.51.100.7"
COLLEAGUE = "203.0.113.9"


@pytest.fixture(autouse=True)
def behind_one_proxy(settings):
    settings.TRUSTED_PROXIES = 1


def through_proxy(client_sent=None, *, client):
    """The X-Forwarded-For the proxy passes on: what the client sent, then its address."""
    return ", ".join(entry for entry in (client_sent, client) if entry)


def login(forwarded_for, password):
    browser = Client(enforce_csrf_checks=True, HTTP_X_FORWARDED_FOR=forwarded_for)
    browser.get("/accounts/login/")
    return browser.post(
        "/accounts/login/",
        {
            "username": "alice",
            "password": password,
            "csrfmiddlewaretoken": browser.cookies["csrftoken"].value,
        },
    )


def lock_out_the_attacker():
    for _ in range(5):
        login(through_proxy(client=ATTACKER), "wrong")
    assert login(through_proxy(client=ATTACKER), PASSWORD).status_code == 429


def test_one_clients_failures_do_not_lock_out_another(alice):
    lock_out_the_attacker()
    response = login(through_proxy(client=COLLEAGUE), PASSWORD)
    assert response.status_code == 302 and response["Location"] == "/articles/"


def test_a_forged_forwarded_for_does_not_escape_the_lockout(alice):
    lock_out_the_attacker()
    for forged in (COLLEAGUE, f"{COLLEAGUE}, 192.0.2.1", "not-an-address"):
        assert login(through_proxy(forged, client=ATTACKER), PASSWORD).status_code == 429


@pytest.mark.parametrize(
    ("proxies", "forwarded_for", "address"),
    [
        (0, f"{COLLEAGUE}, {ATTACKER}", "127.0.0.1"),
        (1, None, "127.0.0.1"),
        (1, ATTACKER, ATTACKER),
        (1, f"{COLLEAGUE},{ATTACKER}", ATTACKER),
        (2, f"{COLLEAGUE}, {ATTACKER}, 10.0.0.5", ATTACKER),
        (2, ATTACKER, ATTACKER),
        (1, "garbage", "127.0.0.1"),
        (1, "2001:db8::1", "2001:db8::1"),
    ],
)
def test_client_address_counts_trusted_proxies_from_the_right(
    settings, proxies, forwarded_for, address
):
    settings.TRUSTED_PROXIES = proxies
    headers = {"HTTP_X_FORWARDED_FOR": forwarded_for} if forwarded_for else {}
    assert client_address(RequestFactory().get("/", **headers)) == address


def test_production_trusts_one_proxy_unless_told(tmp_path):
    show = [
        *MANAGE,
        "shell",
        "--no-imports",
        "-c",
        "from django.conf import settings; print(settings.TRUSTED_PROXIES)",
    ]
    default = subprocess.run(
        show, env=production_env(tmp_path), capture_output=True, text=True, cwd=ROOT
    )
    assert default.stdout.strip() == "1", default.stderr
    two = production_env(tmp_path, DJANGO_TRUSTED_PROXIES="2")
    assert subprocess.run(show, env=two, capture_output=True, text=True, cwd=ROOT).stdout == "2\n"
    wrong = production_env(tmp_path, DJANGO_TRUSTED_PROXIES="-1")
    result = subprocess.run(show, env=wrong, capture_output=True, text=True, cwd=ROOT)
    assert result.returncode != 0
    assert "DJANGO_TRUSTED_PROXIES must be a whole number (0 or more), not '-1'" in result.stderr
