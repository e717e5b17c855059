"""The manual clock (--manual-clock): time only moves through POST /v1/clock."""


def test_clock_starts_at_the_given_time(bo):
    r = bo.get("/v1/clock")
    assert r.status_code == 200
    assert r.json()["now"] == "2026-12-01T09:00:00Z"


def test_post_clock_moves_it_forward(bo):
    r = bo.post("/v1/clock", json={"now": "2026-12-05T00:00:00Z"})
    assert r.status_code == 200, r.text
    assert r.json()["now"] == "2026-12-05T00:00:00Z"
    assert bo.get("/v1/clock").json()["now"] == "2026-12-05T00:00:00Z"
    # writes are stamped with the manual time
    bo.create_sku("CLK-1", on_hand=1)
    o = bo.place([("CLK-1", 1)]).json()
    assert o["created_at"] == "2026-12-05T00:00:00Z"


def test_clock_does_not_move_by_itself(bo):
    import time
    first = bo.get("/v1/clock").json()["now"]
    time.sleep(1.2)
    assert bo.get("/v1/clock").json()["now"] == first


def test_moving_the_clock_backwards_is_422(bo):
    bo.set_clock("2026-12-05T00:00:00Z")
    before = bo.snapshot()
    r = bo.post("/v1/clock", json={"now": "2026-12-04T23:59:59Z"})
    assert r.status_code == 422, r.text
    assert set(r.json()["error"]) >= {"code", "message", "field"}
    assert bo.get("/v1/clock").json()["now"] == "2026-12-05T00:00:00Z"
    assert bo.snapshot() == before


def test_bad_clock_values_are_422(bo):
    for body in [{"now": "yesterday"}, {"now": "2026-12-05"}, {"now": 1764000000}, {},
                 {"now": "2026-12-05T00:00:00Z", "extra": 1}]:
        r = bo.post("/v1/clock", json=body)
        assert r.status_code == 422, f"{body}: {r.status_code} {r.text}"
    assert bo.get("/v1/clock").json()["now"] == "2026-12-01T09:00:00Z"


def test_clock_needs_the_token(bo):
    r = bo.post("/v1/clock", json={"now": "2026-12-05T00:00:00Z"}, token=None)
    assert r.status_code == 401
    assert bo.get("/v1/clock").json()["now"] == "2026-12-01T09:00:00Z"


def test_clock_does_not_go_back_after_a_restart(bo):
    bo.set_clock("2026-12-07T12:00:00Z")
    bo.restart("term")
    assert bo.get("/v1/clock").json()["now"] == "2026-12-07T12:00:00Z"
