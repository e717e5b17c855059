"""The rest of an order's life (SPEC 4 "Lifecycle"; issue 4): shipments,
the complete ship policy, cancellations and the reallocation chain, automatic
expiry exactly at its boundary, and substitutes.

Dates: the scenarios start on 2026-12-01 09:00Z; a SKU without supplier is
estimated at today + 14 days (the server default lead time).
"""
import pytest

from helpers_supply import (S, D, avail_counts, by_order, counts, events_after, last_event_id,
                            line, of_type, order, quote, state)


def _place(bo, oid, lines, tier=0, **fields):
    if isinstance(lines, tuple):
        lines = [lines]
    return bo.place(lines, id=oid, customer={"id": f"c-{oid}", "tier": tier}, **fields).json()


def _ship(bo, oid, lines=None, expect=201):
    body = {} if lines is None else {"lines": [{"sku": s, "qty": q} for s, q in lines]}
    r = bo.post(f"/v1/orders/{oid}/shipments", json=body)
    if expect is not None:
        assert r.status_code == expect, f"ship {oid} {body} -> {r.status_code} {r.text}"
    return r


def _cancel(bo, oid, lines=None, reason=None, expect=200):
    body = {}
    if lines is not None:
        body["lines"] = [{"sku": s, "qty": q} for s, q in lines]
    if reason is not None:
        body["reason"] = reason
    r = bo.post(f"/v1/orders/{oid}/cancel", json=body)
    if expect is not None:
        assert r.status_code == expect, f"cancel {oid} {body} -> {r.status_code} {r.text}"
    return r


# --- shipments ----------------------------------------------------------------

def test_shipments_partial_then_all(bo):
    bo.create_sku("L", on_hand=10)
    bo.create_sku("L2")
    o = _place(bo, "SH-1", [("L", 4), ("L2", 2)])
    assert [counts(l) for l in o["lines"]] == [(4, 0, 0, 0), (0, 2, 0, 0)]

    mark = last_event_id(bo)
    r = _ship(bo, "SH-1", [("L", 1)])
    body = r.json()
    first_id = body["shipment"]
    assert body["order"]["status"] == "partially_shipped"
    assert counts(line(bo, "SH-1", "L")) == (3, 0, 1, 0)
    assert avail_counts(bo.availability("L")) == (9, 3, 6, 0)
    ledger = bo.walk("/v1/skus/L/ledger")
    assert [(e["delta"], e["reason"], e["on_hand_after"]) for e in ledger] == \
        [(10, "initial_count", 10), (-1, "shipment", 9)]
    assert ledger[-1]["ref"] == first_id
    shipped = of_type(events_after(bo, mark), "order.shipped")
    assert len(shipped) == 1 and shipped[0]["data"]["order"] == "SH-1"
    assert shipped[0]["data"]["lines"] == [{"sku": "L", "qty": 1}]

    # more than is allocated: refused, nothing changes
    before = state(bo)
    assert _ship(bo, "SH-1", [("L", 4)], expect=409).json()["error"]["code"] == "conflict"
    _ship(bo, "SH-1", [("L2", 1)], expect=409)
    _ship(bo, "SH-1", [("L", 3), ("L2", 1)], expect=409)
    assert state(bo) == before

    # no lines: everything allocated ships
    second_id = _ship(bo, "SH-1").json()["shipment"]
    assert second_id != first_id
    o = order(bo, "SH-1")
    assert o["status"] == "partially_shipped"  # L2 still waits
    assert [counts(l) for l in o["lines"]] == [(0, 0, 4, 0), (0, 2, 0, 0)]
    assert avail_counts(bo.availability("L")) == (6, 0, 6, 0)
    before = state(bo)
    _ship(bo, "SH-1", expect=409)  # nothing allocated
    assert state(bo) == before

    mark = last_event_id(bo)
    bo.adjust("L2", 2)
    assert [e["data"]["order"] for e in of_type(events_after(bo, mark), "order.ready_to_ship")] == ["SH-1"]
    _ship(bo, "SH-1")
    o = order(bo, "SH-1")
    assert o["status"] == "shipped"
    assert [counts(l) for l in o["lines"]] == [(0, 0, 4, 0), (0, 0, 2, 0)]
    assert avail_counts(bo.availability("L2")) == (0, 0, 0, 0)

    sh = bo.get("/v1/orders/SH-1/shipments")
    assert sh.status_code == 200, sh.text
    items = sh.json()["data"]
    assert [x["lines"] for x in items] == [[{"sku": "L", "qty": 1}], [{"sku": "L", "qty": 3}],
                                           [{"sku": "L2", "qty": 2}]]
    assert [x["id"] for x in items][:2] == [first_id, second_id]
    assert bo.get("/v1/orders/NO-SUCH/shipments").status_code == 404
    before = state(bo)
    _ship(bo, "SH-1", expect=409)
    _cancel(bo, "SH-1", expect=409)  # shipped units cannot be cancelled
    assert state(bo) == before


def test_complete_policy_refuses_until_fully_allocated(bo):
    bo.create_sku("C", on_hand=2)
    o = _place(bo, "CP", ("C", 3), ship_policy="complete")
    assert o["ship_policy"] == "complete" and counts(o["lines"][0]) == (2, 1, 0, 0)
    before = state(bo)
    r = _ship(bo, "CP", expect=409)
    assert r.json()["error"]["message"]
    _ship(bo, "CP", [("C", 1)], expect=409)
    assert state(bo) == before

    mark = last_event_id(bo)
    bo.adjust("C", 1)
    evs = events_after(bo, mark)
    assert [e["data"]["order"] for e in of_type(evs, "order.ready_to_ship")] == ["CP"]
    _ship(bo, "CP")
    o = order(bo, "CP")
    assert o["status"] == "shipped" and counts(o["lines"][0]) == (0, 0, 3, 0)
    assert avail_counts(bo.availability("C")) == (0, 0, 0, 0)


# --- cancellation -----------------------------------------------------------------

def test_cancel_releases_stock_down_the_queue(bo):
    bo.create_sku("RC", on_hand=5)
    _place(bo, "A", ("RC", 5))
    bo.set_clock("2026-12-01T09:01:00Z")
    assert _place(bo, "B", ("RC", 3))["lines"][0]["promises"] == S("3@12-15e")
    bo.set_clock("2026-12-01T09:02:00Z")
    _place(bo, "C", ("RC", 3))

    mark = last_event_id(bo)
    r = _cancel(bo, "A", reason="customer request")
    assert r.json()["status"] == "cancelled"
    assert counts(line(bo, "A")) == (0, 0, 0, 5)
    assert counts(line(bo, "B")) == (3, 0, 0, 0) and line(bo, "B")["promises"] == []
    assert counts(line(bo, "C")) == (2, 1, 0, 0) and line(bo, "C")["promises"] == S("1@12-15e")
    assert avail_counts(bo.availability("RC")) == (5, 5, 0, 1)
    evs = events_after(bo, mark)
    cancelled = by_order(evs, "order.cancelled")
    assert list(cancelled) == ["A"]
    c = cancelled["A"][0]
    assert (c["qty"], c["allocated"], c["backordered"], c["reason"]) == (5, 5, 0, "customer request")
    assert [(e["data"]["order"], e["data"]["qty"]) for e in of_type(evs, "order.allocated")] == \
        [("B", 3), ("C", 2)]
    assert [e["data"]["order"] for e in of_type(evs, "order.ready_to_ship")] == ["B"]
    # the units moved between orders, not in or out of the warehouse
    assert [e["delta"] for e in bo.walk("/v1/skus/RC/ledger")] == [5]

    # part of B: its released unit completes C
    mark = last_event_id(bo)
    r = _cancel(bo, "B", [("RC", 1)])
    assert counts(r.json()["lines"][0]) == (2, 0, 0, 1) and r.json()["status"] == "open"
    assert counts(line(bo, "C")) == (3, 0, 0, 0)
    assert [e["data"]["order"] for e in of_type(events_after(bo, mark), "order.ready_to_ship")] == ["C"]
    assert avail_counts(bo.availability("RC")) == (5, 5, 0, 0)

    # more than is open: refused, nothing changes
    before = state(bo)
    _cancel(bo, "B", [("RC", 3)], expect=409)
    _cancel(bo, "A", expect=409)  # already cancelled
    r = _cancel(bo, "B", [("NOT-ON-ORDER", 1)], expect=None)
    assert r.status_code == 422, r.text
    assert state(bo) == before


def test_partial_cancel_takes_backordered_units_first(bo):
    bo.create_sku("PC", on_hand=2)
    bo.create_sku("PD", on_hand=1)
    _place(bo, "X", [("PC", 5), ("PD", 1)])
    bo.set_clock("2026-12-01T09:01:00Z")
    _place(bo, "Y", [("PC", 2), ("PD", 2)])
    assert counts(line(bo, "X", "PC")) == (2, 3, 0, 0)

    mark = last_event_id(bo)
    _cancel(bo, "X", [("PC", 2)])
    assert counts(line(bo, "X", "PC")) == (2, 1, 0, 2)
    assert line(bo, "X", "PC")["promises"] == S("1@12-15e")
    assert counts(line(bo, "Y", "PC")) == (0, 2, 0, 0)  # nothing was released
    c = by_order(events_after(bo, mark), "order.cancelled")["X"]
    assert len(c) == 1 and (c[0]["qty"], c[0]["backordered"], c[0]["allocated"]) == (2, 2, 0)

    mark = last_event_id(bo)
    _cancel(bo, "X", [("PC", 2)])  # 1 backordered, then 1 allocated
    assert counts(line(bo, "X", "PC")) == (1, 0, 0, 4)
    assert counts(line(bo, "Y", "PC")) == (1, 1, 0, 0)
    c = by_order(events_after(bo, mark), "order.cancelled")["X"]
    assert (c[0]["qty"], c[0]["backordered"], c[0]["allocated"]) == (2, 1, 1)
    assert avail_counts(bo.availability("PC")) == (2, 2, 0, 1)

    # the whole order: both lines, PD's unit goes to Y
    r = _cancel(bo, "X")
    assert r.json()["status"] == "cancelled"
    assert [counts(l) for l in r.json()["lines"]] == [(0, 0, 0, 5), (0, 0, 0, 1)]
    assert counts(line(bo, "Y", "PC")) == (2, 0, 0, 0)
    assert counts(line(bo, "Y", "PD")) == (1, 1, 0, 0)
    assert avail_counts(bo.availability("PD")) == (1, 1, 0, 1)


def test_shipped_units_cannot_be_cancelled(bo):
    bo.create_sku("SC", on_hand=3)
    _place(bo, "Z", ("SC", 3))
    _ship(bo, "Z", [("SC", 2)])
    before = state(bo)
    _cancel(bo, "Z", [("SC", 2)], expect=409)  # only 1 is still open
    assert state(bo) == before
    r = _cancel(bo, "Z", [("SC", 1)])
    assert counts(r.json()["lines"][0]) == (0, 0, 2, 1)
    assert r.json()["status"] == "shipped"
    assert avail_counts(bo.availability("SC")) == (1, 0, 1, 0)
    before = state(bo)
    _cancel(bo, "Z", expect=409)
    assert state(bo) == before


# --- expiry -----------------------------------------------------------------------

def test_expiry_exactly_at_the_boundary(bo):
    bo.create_sku("X", on_hand=2, max_backorder_days=3)
    bo.create_sku("W", max_backorder_days=1)
    bo.create_sku("Y")  # no limit
    _place(bo, "E-1", ("X", 5))  # ordered 12-01: expires on 12-05 (12-05 - 12-01 = 4 > 3)
    _place(bo, "W-1", ("W", 1))
    _place(bo, "F-1", ("Y", 2))
    bo.set_clock("2026-12-02T09:00:00Z")
    _place(bo, "E-2", ("X", 2))  # ordered 12-02: expires on 12-06

    mark = last_event_id(bo)
    bo.set_clock("2026-12-04T23:59:59Z")  # a 3-day jump; 3 days is not more than 3
    assert counts(line(bo, "E-1")) == (2, 3, 0, 0)
    assert counts(line(bo, "E-2")) == (0, 2, 0, 0)
    # W-1 waited 3 days > 1 (the tick after a jump of several days catches up)
    assert counts(line(bo, "W-1")) == (0, 0, 0, 1)
    assert order(bo, "W-1")["status"] == "cancelled"
    c = by_order(events_after(bo, mark), "order.cancelled")
    assert list(c) == ["W-1"] and c["W-1"][0]["reason"] == "expired"
    q = {x["order"]: x for x in bo.walk("/v1/backorders?sku=X")}
    assert (q["E-1"]["age_days"], q["E-2"]["age_days"]) == (3, 2)

    mark = last_event_id(bo)
    bo.set_clock("2026-12-05T00:00:00Z")
    assert counts(line(bo, "E-1")) == (2, 0, 0, 3)  # the allocated units stay
    assert line(bo, "E-1")["promises"] == []
    assert order(bo, "E-1")["status"] == "open"
    assert counts(line(bo, "E-2")) == (0, 2, 0, 0)
    c = by_order(events_after(bo, mark), "order.cancelled")
    assert list(c) == ["E-1"]
    assert (c["E-1"][0]["reason"], c["E-1"][0]["qty"]) == ("expired", 3)
    assert avail_counts(bo.availability("X")) == (2, 2, 0, 2)

    mark = last_event_id(bo)
    bo.set_clock("2026-12-05T23:00:00Z")  # same day: nothing more
    assert counts(line(bo, "E-2")) == (0, 2, 0, 0)
    bo.set_clock("2026-12-06T00:00:01Z")
    assert counts(line(bo, "E-2")) == (0, 0, 0, 2)
    assert order(bo, "E-2")["status"] == "cancelled"
    c = by_order(events_after(bo, mark), "order.cancelled")
    assert list(c) == ["E-2"] and c["E-2"][0]["reason"] == "expired"
    assert counts(line(bo, "F-1")) == (0, 2, 0, 0)  # no max_backorder_days: waits on
    assert bo.availability("X")["backordered"] == 0
    assert [x["order"] for x in bo.walk("/v1/backorders")] == ["F-1"]


def test_clock_cancels_units_an_overdue_po_pushes_past_need_by(bo):
    r = bo.post("/v1/suppliers", json={"id": "S-1", "name": "S", "lead_time_days": 10})
    assert r.status_code == 201, r.text
    bo.create_sku("OD", supplier="S-1")
    r = bo.post("/v1/purchase-orders", json={"id": "PO-1", "supplier": "S-1", "eta": D("12-05"),
                                             "lines": [{"sku": "OD", "qty": 4}]})
    assert r.status_code == 201, r.text
    assert _place(bo, "N-C", ("OD", 2), need_by=D("12-06"),
                  if_late="cancel_backorder")["lines"][0]["promises"] == S("2@12-05")
    bo.set_clock("2026-12-01T09:01:00Z")
    assert _place(bo, "N-K", ("OD", 2), need_by=D("12-06"),
                  if_late="keep")["lines"][0]["promises"] == S("2@12-05")

    bo.set_clock("2026-12-05T12:00:00Z")  # due today: nothing moves
    assert line(bo, "N-C")["promises"] == S("2@12-05")
    # two days overdue: the earliest the units can come is today, 12-07 > need_by
    mark = last_event_id(bo)
    bo.set_clock("2026-12-07T08:00:00Z")
    assert counts(line(bo, "N-C")) == (0, 0, 0, 2)
    assert order(bo, "N-C")["status"] == "cancelled"
    evs = events_after(bo, mark)
    c = by_order(evs, "order.cancelled")
    assert list(c) == ["N-C"] and c["N-C"][0]["reason"] == "need_by"
    # keep: the units wait, re-dated, and the customer gets a delay notice
    k = line(bo, "N-K")
    assert counts(k) == (0, 2, 0, 0) and k["promises"] == S("2@12-07")
    assert list(by_order(evs, "order.delay_notice")) == ["N-K"]


def test_lines_expiring_on_the_same_day_each_get_one_expiry(bo):
    """Two lines expire on the same tick. Both had a delay notice the day
    before (their PO is overdue), so re-dating on the new day would count as a
    second delay; expiry is evaluated first and each line is cancelled once,
    for the reason that it expired, and no event reports 0 units."""
    r = bo.post("/v1/suppliers", json={"id": "S-1", "name": "S", "lead_time_days": 10})
    assert r.status_code == 201, r.text
    bo.create_sku("XX", supplier="S-1", max_backorder_days=2)
    r = bo.post("/v1/purchase-orders", json={"id": "PO-1", "supplier": "S-1", "eta": D("12-02"),
                                             "lines": [{"sku": "XX", "qty": 5}]})
    assert r.status_code == 201, r.text
    _place(bo, "A", ("XX", 1))
    _place(bo, "B", ("XX", 1))
    bo.set_clock("2026-12-03T09:00:00Z")  # PO overdue: both re-dated to 12-03, a notice each
    for oid in ["A", "B"]:
        l = line(bo, oid)
        assert (l["promises"], l["delay_notices"], counts(l)) == (S("1@12-03"), 1, (0, 1, 0, 0))

    mark = last_event_id(bo)
    bo.set_clock("2026-12-04T09:00:00Z")  # 12-04 - 12-01 = 3 > 2: both expire
    evs = events_after(bo, mark)
    cancelled = [(e["data"]["order"], e["data"]["qty"], e["data"]["reason"])
                 for e in of_type(evs, "order.cancelled")]
    assert all(q > 0 for _, q, _ in cancelled), cancelled
    assert sorted(cancelled) == [("A", 1, "expired"), ("B", 1, "expired")]
    for oid in ["A", "B"]:
        assert counts(line(bo, oid)) == (0, 0, 0, 1)
        assert order(bo, oid)["status"] == "cancelled"


@pytest.fixture
def bo_max2(monkeypatch, request):
    """A server started with the global default max_backorder_days = 2
    (BACKORDER_MAX_BACKORDER_DAYS, the environment form of --max-backorder-days)."""
    monkeypatch.setenv("BACKORDER_MAX_BACKORDER_DAYS", "2")
    return request.getfixturevalue("bo")


def test_global_max_backorder_days_and_the_per_sku_override(bo_max2):
    bo = bo_max2
    bo.create_sku("G")  # null: the global 2 days
    bo.create_sku("P", max_backorder_days=5)
    _place(bo, "G-1", ("G", 2))
    _place(bo, "P-1", ("P", 2))
    bo.set_clock("2026-12-03T23:59:59Z")
    assert counts(line(bo, "G-1")) == (0, 2, 0, 0)
    bo.set_clock("2026-12-04T00:00:00Z")
    assert counts(line(bo, "G-1")) == (0, 0, 0, 2)
    assert counts(line(bo, "P-1")) == (0, 2, 0, 0)
    bo.set_clock("2026-12-06T12:00:00Z")
    assert counts(line(bo, "P-1")) == (0, 2, 0, 0)
    mark = last_event_id(bo)
    bo.set_clock("2026-12-07T00:00:00Z")
    assert counts(line(bo, "P-1")) == (0, 0, 0, 2)
    c = by_order(events_after(bo, mark), "order.cancelled")
    assert list(c) == ["P-1"] and c["P-1"][0]["reason"] == "expired"


# --- substitutes ------------------------------------------------------------------

def test_substitutes_of_a_sku_that_cannot_ship(bo):
    bo.create_sku("SUB-1", name="Doll blue", on_hand=5)
    bo.create_sku("SUB-2", name="Doll green")  # nothing available
    bo.create_sku("SUB-3", name="Doll pink", on_hand=2, low_stock_threshold=3)
    bo.create_sku("MAIN", name="Doll red", substitutes=["SUB-1", "SUB-2", "SUB-3"])
    bo.create_sku("MAIN-D", backorder_policy="deny", substitutes=["SUB-3"])
    assert bo.get("/v1/skus/MAIN").json()["substitutes"] == ["SUB-1", "SUB-2", "SUB-3"]

    av = bo.availability("MAIN")
    subs = av["substitutes"]
    assert [(s["sku"], s["available"], s["status"]) for s in subs] == \
        [("SUB-1", 5, "in_stock"), ("SUB-3", 2, "low_stock")]
    assert "2" in subs[1]["message"]

    q = quote(bo, [("MAIN", 3)])["lines"][0]
    assert q["accepted"] is True and q["backordered"] == 3
    assert [s["sku"] for s in q["substitutes"]] == ["SUB-1"]  # only SUB-1 can ship 3 now
    q = quote(bo, [("MAIN", 6)])["lines"][0]
    assert q["substitutes"] == []

    av = bo.availability("MAIN-D")
    assert av["status"] == "out_of_stock" and av["earliest_promise"] is None
    assert [s["sku"] for s in av["substitutes"]] == ["SUB-3"]
    q = quote(bo, [("MAIN-D", 2)])["lines"][0]
    assert q["accepted"] is False
    assert [s["sku"] for s in q["substitutes"]] == ["SUB-3"]

    # once the SKU itself can ship, no substitutes are offered
    bo.adjust("MAIN", 3)
    assert bo.availability("MAIN").get("substitutes", []) == []
    q = quote(bo, [("MAIN", 2)])["lines"][0]
    assert q.get("substitutes", []) == [] and q["backordered"] == 0
