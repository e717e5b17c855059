"""Black-box API tests of the backorder service.

Every test gets a fresh server on a fresh SQLite file (fixture ``bo``). The
fixture starts ``$BACKORDER_BIN serve`` with a manual clock, waits for
``GET /healthz``, and on teardown stops the server with SIGTERM (which must
exit 0) and runs ``backorder check`` on the database, so the invariants of
SPEC section 3 are verified after every scenario.
"""
import json as _json
import os
import secrets
import signal
import socket
import subprocess
import time

import pytest
import requests

START_TIME = "2026-12-01T09:00:00Z"
HTTP_TIMEOUT = 60  # seconds per request; generous for sanitizer builds
START_TIMEOUT = 10  # seconds for /healthz to answer 200
STOP_TIMEOUT = 15  # seconds for a SIGTERM to end the process

_MISSING = object()


def _bin():
    path = os.environ.get("BACKORDER_BIN")
    if not path:
        pytest.exit("BACKORDER_BIN is not set: point it at the backorder binary", returncode=2)
    if not os.access(path, os.X_OK):
        pytest.exit(f"BACKORDER_BIN={path} is not an executable", returncode=2)
    return path


def free_port():
    """A port nobody listens on right now (bind to port 0, read it, close)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """A running `backorder serve` and an HTTP client for it.

    get/post/patch/request return `requests.Response` objects and send the
    admin bearer token unless told otherwise (token=None sends no header,
    token="x" sends that token).
    """

    def __init__(self, binary, tmp_path):
        self.binary = binary
        self.tmp_path = tmp_path
        self.db = str(tmp_path / "bo.db")
        self.token = secrets.token_hex(16)
        self.stderr_path = tmp_path / "server.stderr"
        self.proc = None
        self.port = None
        self.base = None
        self.session = requests.Session()
        self.starts = 0
        self.extra_args = []  # more `serve` options, taken at the next start

    # --- process control -------------------------------------------------

    def start(self):
        assert self.proc is None, "server already running"
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.starts += 1
        with open(self.stderr_path, "ab") as err:
            err.write(f"---- start #{self.starts} on port {self.port} ----\n".encode())
            err.flush()
            self.proc = subprocess.Popen(
                [self.binary, "serve", "--db", self.db, "--listen", f"127.0.0.1:{self.port}",
                 "--admin-token", self.token, f"--manual-clock={START_TIME}", *self.extra_args],
                stdin=subprocess.DEVNULL, stdout=err, stderr=err)
        self.session = requests.Session()
        deadline = time.monotonic() + START_TIMEOUT
        last = None
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                code = self.proc.returncode
                self.proc = None
                raise AssertionError(f"server exited with code {code} during start-up:\n"
                                     + self.stderr_text())
            try:
                r = requests.get(self.base + "/healthz", timeout=1)
                if r.status_code == 200:
                    return self
                last = f"status {r.status_code}"
            except requests.RequestException as e:
                last = repr(e)
            time.sleep(0.05)
        self.kill()
        raise AssertionError(f"/healthz did not answer 200 within {START_TIMEOUT}s ({last}):\n"
                             + self.stderr_text())

    def running(self):
        return self.proc is not None and self.proc.poll() is None

    def stop(self, sig=signal.SIGTERM, timeout=STOP_TIMEOUT):
        """Sends `sig` and waits for the process; returns its exit code."""
        assert self.proc is not None, "server is not running"
        self.session.close()
        proc, self.proc = self.proc, None
        if proc.poll() is None:
            proc.send_signal(sig)
        try:
            return proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
            raise AssertionError(f"server did not exit within {timeout}s of signal {sig!r}")

    def kill(self):
        """kill -9: the process gets no chance to clean up."""
        return self.stop(sig=signal.SIGKILL)

    def restart(self, how="kill"):
        """Stops the server ("kill": SIGKILL, "term": SIGTERM) and starts it
        again on the same database. A SIGTERM stop must exit 0."""
        if how == "kill":
            self.kill()
        elif how == "term":
            code = self.stop()
            assert code == 0, f"SIGTERM stop exited {code}:\n" + self.stderr_text()
        else:
            raise ValueError(how)
        return self.start()

    def check(self):
        """Runs `backorder check --db DB`; returns CompletedProcess."""
        return subprocess.run([self.binary, "check", "--db", self.db], capture_output=True,
                              text=True, timeout=120)

    def stderr_text(self):
        try:
            return self.stderr_path.read_text(errors="replace")
        except FileNotFoundError:
            return ""

    # --- HTTP --------------------------------------------------------------

    def request(self, method, path, json=_MISSING, data=None, headers=None, token=_MISSING,
                session=None, **kw):
        h = {}
        tok = self.token if token is _MISSING else token
        if tok is not None:
            h["Authorization"] = f"Bearer {tok}"
        if json is not _MISSING:
            data = _json.dumps(json)
            h["Content-Type"] = "application/json"
        if headers:
            h.update(headers)
        s = session or self.session
        return s.request(method, self.base + path, data=data, headers=h,
                         timeout=kw.pop("timeout", HTTP_TIMEOUT), **kw)

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def post(self, path, json=_MISSING, **kw):
        return self.request("POST", path, json=json, **kw)

    def patch(self, path, json=_MISSING, **kw):
        return self.request("PATCH", path, json=json, **kw)

    # --- helpers for scenarios ---------------------------------------------

    def create_sku(self, sku, **fields):
        body = {"sku": sku, **fields}
        r = self.post("/v1/skus", json=body)
        assert r.status_code == 201, f"POST /v1/skus {body} -> {r.status_code} {r.text}"
        return r.json()

    def place(self, lines, customer=None, expect=201, **fields):
        """POST /v1/orders; lines as [(sku, qty), ...] or dicts."""
        body = {"customer": customer or {"id": "c-1"},
                "lines": [l if isinstance(l, dict) else {"sku": l[0], "qty": l[1]}
                          for l in lines], **fields}
        r = self.post("/v1/orders", json=body)
        if expect is not None:
            assert r.status_code == expect, f"POST /v1/orders {body} -> {r.status_code} {r.text}"
        return r

    def availability(self, sku):
        r = self.get(f"/v1/skus/{sku}/availability")
        assert r.status_code == 200, r.text
        return r.json()

    def adjust(self, sku, delta, reason="count", expect=201):
        r = self.post(f"/v1/skus/{sku}/adjustments", json={"delta": delta, "reason": reason})
        if expect is not None:
            assert r.status_code == expect, f"adjust {sku} {delta} -> {r.status_code} {r.text}"
        return r

    def set_clock(self, now):
        r = self.post("/v1/clock", json={"now": now})
        assert r.status_code == 200, r.text
        return r.json()

    def walk(self, path, limit=None):
        """Every item of a paginated list, following `next`."""
        items, cursor, seen = [], None, set()
        sep = "&" if "?" in path else "?"
        for _ in range(100000):
            q = []
            if limit is not None:
                q.append(f"limit={limit}")
            if cursor is not None:
                q.append("cursor=" + requests.utils.quote(str(cursor), safe=""))
            url = path + (sep + "&".join(q) if q else "")
            r = self.get(url)
            assert r.status_code == 200, f"GET {url} -> {r.status_code} {r.text}"
            page = r.json()
            assert set(page) >= {"data", "next"}, page
            if limit is not None:
                assert len(page["data"]) <= limit
            items.extend(page["data"])
            cursor = page["next"]
            if cursor is None:
                return items
            assert cursor not in seen, f"cursor {cursor!r} repeats"
            seen.add(cursor)
        raise AssertionError("pagination does not end")

    def events(self):
        return self.walk("/v1/events", limit=1000)

    def snapshot(self):
        """The observable state: SKUs, orders, events and the backorder queue."""
        return {"skus": self.walk("/v1/skus", limit=1000),
                "orders": self.walk("/v1/orders", limit=1000),
                "events": self.events(),
                "backorders": self.walk("/v1/backorders", limit=1000)}


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    rep = outcome.get_result()
    server = getattr(item, "_bo_server", None)
    if server is not None and rep.failed and rep.when != "teardown":
        rep.sections.append((f"server stderr ({server.stderr_path})", server.stderr_text()[-20000:]))


@pytest.fixture
def bo(request, tmp_path):
    server = Server(_bin(), tmp_path)
    request.node._bo_server = server
    server.start()
    yield server
    # Teardown: a clean stop, then the invariant checker on the database.
    problems = []
    if server.proc is not None:
        if server.proc.poll() is not None:
            problems.append(f"server died during the test with exit code {server.proc.returncode}")
            server.proc = None
        else:
            code = server.stop()
            if code != 0:
                problems.append(f"SIGTERM stop exited with code {code}, expected 0")
    res = server.check()
    if res.returncode != 0:
        problems.append(f"`backorder check --db {server.db}` exited {res.returncode}:\n"
                        f"{res.stdout}{res.stderr}")
    if problems:
        pytest.fail("\n".join(problems) + "\n---- server stderr ----\n" + server.stderr_text()[-20000:],
                    pytrace=False)
