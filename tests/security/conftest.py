"""Fixtures of the security tests: a grader per isolation backend, and a web server on 127.0.0.1."""

import functools
import http.server
import os
import sys
import threading

import pytest

from autograder.authoring.bundle import extract_bundle, write_bundle
from autograder.grading import isolation
from autograder.runtime.manifest import REPO_ROOT
from tests.security.graders import SANDBOX_VENV, Grader, gradescope_like, privilege_drop_problem


@pytest.fixture(scope="module", params=["bubblewrap", "privilege-drop"])
def grader(request, tmp_path_factory):
    if request.param == "bubblewrap":
        problem = isolation.bubblewrap_problem()
        if problem:
            pytest.skip(f"bubblewrap cannot run here: {problem}")
        env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
        return Grader("bubblewrap", [sys.executable], REPO_ROOT, env)
    keep = tmp_path_factory.getbasetemp().resolve()
    problem = privilege_drop_problem(keep)
    if problem:
        pytest.skip(problem)
    unpacked = tmp_path_factory.mktemp("gradescope-like")  # under pytest's root-only (0700) directory
    root = extract_bundle(write_bundle(unpacked / "grader.tar.gz"), unpacked / "source")
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(root), "HOME": str(unpacked)}
    prefix = [*gradescope_like(keep), str(SANDBOX_VENV / "bin" / "python")]
    return Grader("privilege-drop", prefix, root, env, ["--sandbox-user", "nobody"])


@pytest.fixture
def local_web_server():
    """An HTTP server on 127.0.0.1 serving the course checkout (an instructor's ``python -m http.server``)."""
    requests = []

    class Handler(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            requests.append(args)

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Handler, directory=str(REPO_ROOT)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server.server_address[1], requests
    server.shutdown()
