"""Clean stop on SIGTERM/SIGINT (SPEC 5)."""
import signal
import time


def test_sigterm_exits_0_quickly(bo):
    bo.create_sku("STOP-1", on_hand=1)
    t0 = time.monotonic()
    code = bo.stop(signal.SIGTERM, timeout=5)
    assert code == 0
    assert time.monotonic() - t0 < 5
    # the database is consistent and usable again
    res = bo.check()
    assert res.returncode == 0, res.stdout + res.stderr
    bo.start()
    assert bo.get("/v1/skus/STOP-1").json()["on_hand"] == 1


def test_sigint_exits_0(bo):
    code = bo.stop(signal.SIGINT, timeout=5)
    assert code == 0
    bo.start()


def test_sigterm_with_an_idle_keep_alive_connection(bo):
    # an open keep-alive connection must not hold the stop up
    assert bo.get("/v1/skus").status_code == 200
    import requests
    s = requests.Session()
    assert bo.get("/v1/skus", session=s).status_code == 200
    t0 = time.monotonic()
    code = bo.stop(signal.SIGTERM, timeout=5)
    s.close()
    assert code == 0
    assert time.monotonic() - t0 < 5
    bo.start()


def _log_lines(bo, needle):
    return [l for l in bo.stderr_text().splitlines() if needle in l]


def test_access_log_lines_come_out_while_running_and_all_at_stop(bo):
    # one line per request, written in blocks: a line is out within a moment
    # without a stop, and a stop writes every line still buffered
    bo.create_sku("LOG-1", on_hand=1)
    assert bo.get("/v1/skus/LOG-1").status_code == 200
    deadline = time.monotonic() + 10
    while not _log_lines(bo, "GET /v1/skus/LOG-1 200") and time.monotonic() < deadline:
        time.sleep(0.02)
    assert len(_log_lines(bo, "GET /v1/skus/LOG-1 200")) == 1
    for _ in range(300):
        assert bo.get("/v1/skus/LOG-2").status_code == 404
    assert bo.stop(signal.SIGTERM, timeout=5) == 0
    lines = _log_lines(bo, "GET /v1/skus/LOG-2 404")
    assert len(lines) == 300
    assert all(l.startswith("GET /v1/skus/LOG-2 404 ") for l in lines)  # whole lines
    bo.start()


def test_a_second_server_on_the_same_port_is_refused(bo, tmp_path):
    # a second server on the port of a running one fails to start (it must
    # not share the port, answering half the requests from another database)
    import subprocess
    other = tmp_path / "other.db"
    res = subprocess.run([bo.binary, "serve", "--db", str(other), "--listen",
                          f"127.0.0.1:{bo.port}", "--admin-token", "x"],
                         capture_output=True, text=True, timeout=30)
    assert res.returncode != 0
    assert "cannot listen" in res.stderr
    assert bo.get("/healthz").status_code == 200
