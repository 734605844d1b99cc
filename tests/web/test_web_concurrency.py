"""hosim serve under many submissions at once: every answer is accepted (2xx) or the queue is full (429),
never a server error (issue 28: the fingerprint is computed once, not parsed in request threads)."""

from __future__ import annotations

import socket
import threading
import time

import json
import urllib.error
import urllib.request

import pytest
import uvicorn

from hosim.web.app import create_app

SUBMISSIONS = 40


@pytest.fixture()
def server(tmp_path):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    config = uvicorn.Config(create_app(tmp_path, max_jobs=8), host="127.0.0.1", port=port, log_level="warning")
    served = uvicorn.Server(config)
    thread = threading.Thread(target=served.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not served.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert served.started, "the server did not start"
    base = f"http://127.0.0.1:{port}"
    yield base
    with urllib.request.urlopen(f"{base}/api/jobs", timeout=30) as answer:
        for job in json.load(answer):
            _request(f"{base}/api/jobs/{job['id']}", method="DELETE")
    served.should_exit = True
    thread.join(timeout=30)


@pytest.mark.slow
def test_forty_concurrent_cohort_submissions_get_only_2xx_or_429(server):
    answers: list[int] = []

    def submit(k: int) -> None:
        answers.append(_request(f"{server}/api/cohorts", {"setting": "tha", "n": 20, "seed": k}))

    threads = [threading.Thread(target=submit, args=(k,)) for k in range(SUBMISSIONS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert len(answers) == SUBMISSIONS
    assert set(answers) <= {202, 429}, sorted(answers)
    assert answers.count(202) >= 1


def _request(url: str, body: dict | None = None, method: str = "POST") -> int:
    """The status code of one request (a JSON body, if given)."""
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method=method, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=60) as answer:
            return answer.status
    except urllib.error.HTTPError as error:
        return error.code
