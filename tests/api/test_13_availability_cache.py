"""Availability answers are kept in memory (--cache-entries) and never go
stale: every kind of write shows at once in the next read, including reads
that race the write (SPEC 3 invariant 8, SPEC 5 availability)."""
import threading

import pytest
import requests

from helpers_supply import D, patch_po, po, receive, supplier


def counts(av):
    return (av["on_hand"], av["allocated"], av["available"], av["backordered"])


@pytest.fixture(params=["cache", "no-cache"])
def server(bo, request):
    if request.param == "no-cache":
        bo.stop()
        bo.extra_args = ["--cache-entries", "0"]
        bo.start()
    return bo


def test_every_write_shows_in_the_next_availability_read(server):
    bo = server
    bo.create_sku("C-1", on_hand=5, low_stock_threshold=2, supplier="S-LATE")
    # read twice: the second read is the kept answer
    assert counts(bo.availability("C-1")) == (5, 0, 5, 0)
    assert bo.availability("C-1")["status"] == "in_stock"

    o = bo.place([("C-1", 4)]).json()
    av = bo.availability("C-1")
    assert counts(av) == (5, 4, 1, 0) and av["status"] == "low_stock"

    bo.adjust("C-1", 2)
    assert counts(bo.availability("C-1")) == (7, 4, 3, 0)

    r = bo.post(f"/v1/orders/{o['id']}/shipments", json={})
    assert r.status_code == 201, r.text
    assert counts(bo.availability("C-1")) == (3, 0, 3, 0)

    bo.place([("C-1", 5)])  # 3 allocated, 2 wait for an estimate: no supplier yet
    av = bo.availability("C-1")
    assert counts(av) == (3, 3, 0, 2) and av["status"] == "backorder"
    assert av["earliest_promise"] == D("12-15") and av["earliest_promise_estimate"] is True

    # the supplier named by the SKU appears: its lead time replaces the default
    supplier(bo, "S-LATE", 3)
    av = bo.availability("C-1")
    assert av["earliest_promise"] == D("12-04") and av["earliest_promise_estimate"] is True

    po(bo, "PO-C", "S-LATE", D("12-10"), [("C-1", 10)])
    av = bo.availability("C-1")
    assert av["incoming"] == [{"purchase_order": "PO-C", "qty": 10, "eta": D("12-10")}]
    assert av["earliest_promise"] == D("12-10") and av["earliest_promise_estimate"] is False

    patch_po(bo, "PO-C", eta=D("12-08"))
    av = bo.availability("C-1")
    assert av["incoming"][0]["eta"] == D("12-08") and av["earliest_promise"] == D("12-08")

    receive(bo, "PO-C", [("C-1", 10)])
    av = bo.availability("C-1")
    assert counts(av) == (13, 5, 8, 0) and av["incoming"] == [] and av["status"] == "in_stock"

    r = bo.patch("/v1/skus/C-1", json={"low_stock_threshold": 10})
    assert r.status_code == 200, r.text
    assert bo.availability("C-1")["status"] == "low_stock"

    # a new day: an estimate is made from the new today
    bo.create_sku("C-2", lead_time_days=5)
    assert bo.availability("C-2")["earliest_promise"] == D("12-06")
    bo.set_clock("2026-12-03T09:00:00Z")
    assert bo.availability("C-2")["earliest_promise"] == D("12-08")


def test_substitutes_shown_with_availability_follow_their_own_stock(server):
    bo = server
    bo.create_sku("SUB-A")
    bo.create_sku("MAIN-A", substitutes=["SUB-A"])
    assert bo.availability("MAIN-A")["substitutes"] == []
    assert bo.availability("MAIN-A")["substitutes"] == []
    bo.adjust("SUB-A", 4)  # a write to the substitute only
    subs = bo.availability("MAIN-A")["substitutes"]
    assert [(s["sku"], s["available"]) for s in subs] == [("SUB-A", 4)]


def test_reads_racing_writes_never_see_an_answer_older_than_an_acknowledged_write(server):
    """Readers hammer one SKU while orders and adjustments change it: after
    each acknowledged write, the next read shows it."""
    bo = server
    bo.create_sku("RACE-1", on_hand=20)
    stop = threading.Event()
    errors = []

    def reader():
        with requests.Session() as s:
            while not stop.is_set():
                r = bo.get("/v1/skus/RACE-1/availability", session=s)
                if r.status_code != 200:
                    errors.append(r.text)

    readers = [threading.Thread(target=reader) for _ in range(3)]
    for t in readers:
        t.start()
    try:
        on_hand, ordered = 20, 0
        for i in range(1, 121):
            if i % 10 == 0:
                bo.adjust("RACE-1", 1)
                on_hand += 1
            else:
                bo.place([("RACE-1", 1)], customer={"id": f"c-{i}"})
                ordered += 1
            av = bo.availability("RACE-1")
            assert av["on_hand"] == on_hand, (i, av)
            assert av["allocated"] + av["backordered"] == ordered, (i, av)
    finally:
        stop.set()
        for t in readers:
            t.join(timeout=30)
    assert errors == []
