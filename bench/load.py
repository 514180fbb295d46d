"""Concurrent reviewers against gunicorn on loopback: shared by tests/test_load.py and bench/run.py.

Each writer is a thread with its own keep-alive connection and token, posting,
patching and deleting spans on one article as fast as the server answers, or
pausing between requests as a person would.
"""

import http.client
import json
import random
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_gunicorn(env, log, workers=4):
    """gunicorn serving the project on a free loopback port, as the README's production
    command does (synchronous workers, one request at a time each); returns (process, port).

    Threaded workers answered worse: one process accepted every keep-alive
    connection that arrived while it was awake, and served them all on one core.
    """
    port = free_port()
    gunicorn = Path(sys.executable).parent / "gunicorn"
    process = subprocess.Popen(
        [
            str(gunicorn),
            "project.wsgi",
            "-b",
            f"127.0.0.1:{port}",
            "-w",
            str(workers),
            "--error-logfile",
            str(log),
            "--capture-output",
            # Each process loads the app before it serves, so none answers its first
            # request while still importing.
            "--preload",
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
    return process, port


class Writer(threading.Thread):
    """One reviewer: create, and now and then edit a note or delete one of its spans.

    With a ``pause``, it waits a random time between requests (uniform, ``pause``
    on average), and before its first: people do not click in step, and eight
    writers pausing exactly alike sent every request in bursts of eight.
    """

    def __init__(self, port, token, article, body_length, seconds, seed, pause=0.0):
        super().__init__()
        self.port, self.token, self.article = port, token, article
        self.body_length, self.seconds, self.pause = body_length, seconds, pause
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
        stop = time.monotonic() + self.seconds
        operation = 0
        self.wait()
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
                start = self.rng.randrange(0, self.body_length - 40)
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
            self.wait()
        connection.close()

    def wait(self):
        if self.pause:
            time.sleep(self.rng.uniform(0, 2 * self.pause))


def run_writers(port, tokens, article, body_length, seconds, pause=0.0):
    """Every token writes at once for ``seconds``, ``pause`` seconds on average between its
    requests; returns the writers and a summary."""
    writers = [
        Writer(port, token, article, body_length, seconds, seed, pause)
        for seed, token in enumerate(tokens)
    ]
    started = time.monotonic()
    for writer in writers:
        writer.start()
    for writer in writers:
        writer.join()
    elapsed = time.monotonic() - started
    statuses = [s for w in writers for s in w.statuses]
    latencies = sorted(latency for w in writers for latency in w.latencies)
    summary = {
        "requests": len(statuses),
        "per_second": len(statuses) / elapsed,
        "p50_ms": 1000 * statistics.median(latencies),
        "p95_ms": 1000 * latencies[int(0.95 * len(latencies))],
        "refused": sum(1 for s in statuses if 400 <= s < 500),
        "server_errors": sum(1 for s in statuses if s >= 500),
        "locked": sum(w.locked for w in writers),
    }
    return writers, summary
