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
