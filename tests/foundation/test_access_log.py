"""`make run`'s gunicorn access log records the route, never the query string (issue 15: a
household search ``?q=<name>`` was written to stdout). Runs the Makefile's own command."""
import os
import shlex
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SECRET = "张小三"


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _run_command(port):
    bin_dir = Path(sys.executable).parent
    dry = subprocess.run(["make", "-n", "run", f"BIN={bin_dir}", f"PORT={port}"], cwd=ROOT,
                         capture_output=True, text=True, check=True).stdout
    return shlex.split(next(line for line in dry.splitlines() if "gunicorn" in line and "--bind" in line))


def _get(url):
    try:
        return urllib.request.urlopen(url, timeout=5).status
    except urllib.error.HTTPError as exc:
        return exc.code


@pytest.mark.skipif(not (Path(sys.executable).parent / "gunicorn").exists(), reason="gunicorn not installed")
def test_make_run_access_log_has_the_route_but_no_query_string(tmp_path):
    port = _free_port()
    env = {**os.environ, "APP_ENV": "development", "DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}"}
    server = subprocess.Popen(_run_command(port), cwd=ROOT, env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, start_new_session=True)
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                _get(base + "/healthz")
                break
            except OSError:
                time.sleep(0.1)
        query = urllib.parse.urlencode({"q": SECRET, "id_number": "51178119800101001X"})
        assert _get(f"{base}/api/v1/households?{query}") == 401
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        output = server.communicate(timeout=30)[0].decode("utf-8", "replace")
    assert "/api/v1/households" in output
    assert "q=" not in output and "%E5%BC%A0" not in output and SECRET not in output
    assert "1980" not in output
