"""Eight reviewers write at once through gunicorn on loopback, against a real SQLite file.

Zero 5xx, zero "database is locked", and every acknowledged write is there
afterwards. The figures it prints are for reading, not asserted.
"""

import http.client
import json
import os
import random
import socket
import sqlite3
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
WRITERS = 8
SECONDS = 6
BODY = " ".join(f"Word{n} said the minister about item {n}." for n in range(400))

SETUP = f"""
from django.contrib.auth.models import Group, User
from rest_framework.authtoken.models import Token
from annotator.models import Article, Source
import json
group = Group.objects.create(name="Reviewers")
tokens = []
for n in range({WRITERS}):
    user = User.objects.create_user(f"writer{{n}}")
    user.groups.add(group)
    tokens.append(Token.objects.create(user=user).key)
article = Article.objects.create(source=Source.objects.create(name="Load"), body={BODY!r})
print(json.dumps({{"tokens": tokens, "article": article.pk}}))
"""


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def server(tmp_path):
    database = tmp_path / "load.sqlite3"
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{database}",
        "DJANGO_SETTINGS_MODULE": "project.settings.test",
    }
    manage = [sys.executable, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "-v0"], env=env, check=True, cwd=ROOT)
    setup = subprocess.run(
        [*manage, "shell", "-v0", "-c", SETUP],
        env=env,
        check=True,
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    world = json.loads(setup.stdout.strip().splitlines()[-1])
    port = free_port()
    log = tmp_path / "gunicorn.log"
    gunicorn = Path(sys.executable).parent / "gunicorn"
    process = subprocess.Popen(
        [
            str(gunicorn),
            "project.wsgi",
            "-b",
            f"127.0.0.1:{port}",
            "-w",
            "4",
            "--threads",
            "2",
            "--error-logfile",
            str(log),
            "--capture-output",
        ],
        env=env,
        cwd=ROOT,
    )
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.1)
    yield {**world, "port": port, "database": database, "log": log}
    process.terminate()
    process.wait(timeout=10)


class Writer(threading.Thread):
    def __init__(self, port, token, article, seed):
        super().__init__()
        self.port, self.token, self.article = port, token, article
        self.rng = random.Random(seed)
        self.created, self.deleted, self.notes = set(), set(), {}
        self.statuses, self.latencies, self.locked = [], [], 0

    def call(self, connection, method, path, payload=None):
        body = json.dumps(payload) if payload is not None else None
        headers = {"Authorization": f"Token {self.token}", "Content-Type": "application/json"}
        started = time.perf_counter()
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        text = response.read().decode()
        self.latencies.append(time.perf_counter() - started)
        self.statuses.append(response.status)
        self.locked += "database is locked" in text
        return response.status, (json.loads(text) if text and response.status < 500 else {})

    def run(self):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        stop = time.monotonic() + SECONDS
        operation = 0
        while time.monotonic() < stop:
            operation += 1
            live = sorted(self.created - self.deleted)
            if live and operation % 5 == 0:
                target = self.rng.choice(live)
                status, _ = self.call(connection, "DELETE", f"/api/annotations/{target}/")
                if status == 204:
                    self.deleted.add(target)
            elif live and operation % 3 == 0:
                target, note = self.rng.choice(live), f"note {operation}"
                status, _ = self.call(
                    connection, "PATCH", f"/api/annotations/{target}/", {"note": note}
                )
                if status == 200:
                    self.notes[target] = note
            else:
                start = self.rng.randrange(0, len(BODY) - 40)
                payload = {
                    "label": self.rng.choice(["claim", "opinion", "attribution"]),
                    "start": start,
                    "end": start + self.rng.randint(5, 40),
                }
                status, body = self.call(
                    connection, "POST", f"/api/articles/{self.article}/annotations/", payload
                )
                if status == 201:
                    self.created.add(body["id"])
        connection.close()


def test_eight_concurrent_writers_lose_nothing(server):
    writers = [
        Writer(server["port"], token, server["article"], seed)
        for seed, token in enumerate(server["tokens"])
    ]
    started = time.monotonic()
    for writer in writers:
        writer.start()
    for writer in writers:
        writer.join()
    elapsed = time.monotonic() - started

    statuses = [s for w in writers for s in w.statuses]
    latencies = sorted(latency for w in writers for latency in w.latencies)
    print(
        f"\n{len(statuses)} requests by {WRITERS} writers in {elapsed:.1f} s: "
        f"{len(statuses) / elapsed:.0f} req/s, p50 {1000 * statistics.median(latencies):.1f} ms, "
        f"p95 {1000 * latencies[int(0.95 * len(latencies))]:.1f} ms"
    )
    assert [s for s in statuses if s >= 500] == []
    assert sum(w.locked for w in writers) == 0
    assert "database is locked" not in server["log"].read_text()

    database = sqlite3.connect(server["database"])
    assert database.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    stored = dict(database.execute("SELECT id, note FROM annotator_annotation").fetchall())
    acknowledged = set().union(*(w.created - w.deleted for w in writers))
    assert set(stored) == acknowledged
    assert len(acknowledged) > 100
    for writer in writers:
        for annotation_id, note in writer.notes.items():
            if annotation_id not in writer.deleted:
                assert stored[annotation_id] == note
