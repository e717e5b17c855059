"""Purchase orders, receipts and simulations (SPEC 4 "Allocation of arriving
stock", SPEC 5 purchase orders and simulations; issue 3).

Receipts add stock through the ledger and hand it to the queue in order
(tier, then order time, then order id) in the same transaction; a receipt
beyond what is open is refused and changes nothing; PO statuses follow the
receipts; a cancelled PO re-promises its lines to estimates; a simulation
answers with exactly what the real change then does, and changes nothing.
"""
import pytest

from helpers_supply import (S, D, avail_counts, by_order, counts, events_after, get_po,
                            last_event_id, line, of_type, order, patch_po, po, receive, state,
                            supplier)


def _place(bo, oid, sku, qty, tier=0, **fields):
    r = bo.place([(sku, qty)], id=oid, customer={"id": f"c-{oid}", "tier": tier}, **fields)
    return r.json()["lines"][0]


def test_receipt_allocates_in_queue_order(bo):
    supplier(bo, "S-1", 10)
    bo.create_sku("RQ", supplier="S-1")
    po(bo, "PO-Q", "S-1", D("12-05"), [("RQ", 10)])
    _place(bo, "R-Z", "RQ", 2)
    _place(bo, "R-A", "RQ", 2)  # same time, same tier: the smaller id goes first
    bo.set_clock("2026-12-01T10:00:00Z")
    _place(bo, "VIP", "RQ", 2, tier=1)  # later, but a higher tier
    _place(bo, "R-L", "RQ", 2)
    q = bo.walk("/v1/backorders?sku=RQ")
    assert [x["order"] for x in q] == ["VIP", "R-A", "R-Z", "R-L"]
    for oid in ["VIP", "R-A", "R-Z", "R-L"]:
        assert line(bo, oid)["promises"] == S("2@12-05"), oid

    mark = last_event_id(bo)
    r = receive(bo, "PO-Q", [("RQ", 5)])
    body = r.json()
    assert body["status"] == "partially_received"
    assert [(l["sku"], l["qty"], l["received"]) for l in body["lines"]] == [("RQ", 10, 5)]
    evs = events_after(bo, mark)
    alloc = [(e["data"]["order"], e["data"]["qty"], e["data"]["allocated"], e["data"]["backordered"])
             for e in of_type(evs, "order.allocated")]
    assert alloc == [("VIP", 2, 2, 0), ("R-A", 2, 2, 0), ("R-Z", 1, 1, 1)]
    assert sorted(e["data"]["order"] for e in of_type(evs, "order.ready_to_ship")) == ["R-A", "VIP"]
    rec = of_type(evs, "po.received")
    assert len(rec) == 1 and rec[0]["data"]["purchase_order"] == "PO-Q"
    assert counts(line(bo, "VIP")) == (2, 0, 0, 0) and line(bo, "VIP")["promises"] == []
    assert counts(line(bo, "R-A")) == (2, 0, 0, 0)
    assert counts(line(bo, "R-Z")) == (1, 1, 0, 0) and line(bo, "R-Z")["promises"] == S("1@12-05")
    assert counts(line(bo, "R-L")) == (0, 2, 0, 0) and line(bo, "R-L")["promises"] == S("2@12-05")
    av = bo.availability("RQ")
    assert avail_counts(av) == (5, 5, 0, 3)
    assert av["incoming"] == [{"purchase_order": "PO-Q", "qty": 5, "eta": D("12-05")}]
    ledger = bo.walk("/v1/skus/RQ/ledger")
    assert [(e["delta"], e["reason"], e["ref"], e["on_hand_after"]) for e in ledger] == \
        [(5, "receipt", "PO-Q", 5)]

    # beyond what is open: refused, nothing changes
    before = state(bo)
    r = receive(bo, "PO-Q", [("RQ", 6)], expect=409)
    assert r.json()["error"]["code"] == "conflict"
    assert state(bo) == before
    # a SKU that is not on the PO: refused, nothing changes
    bo.create_sku("OTHER")
    before = state(bo)
    r = receive(bo, "PO-Q", [("OTHER", 1)], expect=None)
    assert r.status_code in (409, 422), r.text
    assert state(bo) == before

    r = receive(bo, "PO-Q", [("RQ", 5)])
    assert r.json()["status"] == "received"
    assert counts(line(bo, "R-Z")) == (2, 0, 0, 0)
    assert counts(line(bo, "R-L")) == (2, 0, 0, 0)
    av = bo.availability("RQ")
    assert avail_counts(av) == (10, 8, 2, 0) and av["incoming"] == []
    assert bo.walk("/v1/backorders?sku=RQ") == []

    before = state(bo)
    assert receive(bo, "PO-Q", [("RQ", 1)], expect=None).status_code == 409
    assert patch_po(bo, "PO-Q", expect=None, eta=D("12-20")).status_code == 409
    assert state(bo) == before


def test_partial_receipts_and_po_statuses(bo):
    supplier(bo, "S-1", 10)
    bo.create_sku("MA")
    bo.create_sku("MB")
    p = po(bo, "PO-M", "S-1", D("12-07"), [("MA", 4), ("MB", 6)]).json()
    assert p["status"] == "open"
    assert [(l["sku"], l["qty"], l["received"]) for l in p["lines"]] == [("MA", 4, 0), ("MB", 6, 0)]
    assert bo.availability("MB")["incoming"] == [{"purchase_order": "PO-M", "qty": 6, "eta": D("12-07")}]

    assert receive(bo, "PO-M", [("MA", 4)]).json()["status"] == "partially_received"
    assert bo.availability("MA")["incoming"] == []
    assert bo.availability("MA")["on_hand"] == 4
    assert receive(bo, "PO-M", [("MB", 2)]).json()["status"] == "partially_received"
    assert bo.availability("MB")["incoming"] == [{"purchase_order": "PO-M", "qty": 4, "eta": D("12-07")}]
    # MA is complete: another MA unit is beyond what is open
    before = state(bo)
    assert receive(bo, "PO-M", [("MA", 1)], expect=None).status_code == 409
    # the whole receipt is refused when one of its lines is: MB 1 is not booked either
    assert receive(bo, "PO-M", [("MB", 1), ("MA", 1)], expect=None).status_code == 409
    assert state(bo) == before
    p = receive(bo, "PO-M", [("MB", 4)]).json()
    assert p["status"] == "received"
    assert [(l["sku"], l["received"]) for l in p["lines"]] == [("MA", 4), ("MB", 6)]
    assert get_po(bo, "PO-M")["status"] == "received"
    assert avail_counts(bo.availability("MB")) == (6, 0, 6, 0)

    # two lines in one receipt
    po(bo, "PO-N", "S-1", D("12-08"), [("MA", 2), ("MB", 3)])
    p = receive(bo, "PO-N", [("MA", 2), ("MB", 3)]).json()
    assert p["status"] == "received"
    assert bo.availability("MA")["on_hand"] == 6 and bo.availability("MB")["on_hand"] == 9
    assert [e["ref"] for e in bo.walk("/v1/skus/MB/ledger")] == ["PO-M", "PO-M", "PO-N"]


def test_short_receipt_closes_the_po_and_re_promises(bo):
    supplier(bo, "S-1", 10)
    bo.create_sku("SH", supplier="S-1")
    po(bo, "PO-S", "S-1", D("12-05"), [("SH", 6)])
    _place(bo, "O-1", "SH", 4)
    bo.set_clock("2026-12-01T09:01:00Z")
    assert _place(bo, "O-2", "SH", 4)["promises"] == S("2@12-05", "2@12-11e")
    mark = last_event_id(bo)
    p = receive(bo, "PO-S", [("SH", 3)], close=True).json()
    assert p["status"] == "received"
    assert [(l["qty"], l["received"], l["open"]) for l in p["lines"]] == [(6, 3, 0)]
    av = bo.availability("SH")
    assert avail_counts(av) == (3, 3, 0, 5) and av["incoming"] == []
    assert counts(line(bo, "O-1")) == (3, 1, 0, 0)
    assert line(bo, "O-1")["promises"] == S("1@12-11e")
    assert line(bo, "O-2")["promises"] == S("4@12-11e")
    evs = events_after(bo, mark)
    changed = by_order(evs, "order.promise_changed")
    assert sorted(changed) == ["O-1", "O-2"]
    assert changed["O-2"][0]["old"] == S("2@12-05", "2@12-11e")
    assert changed["O-2"][0]["new"] == S("4@12-11e")
    assert list(by_order(evs, "order.delay_notice")) == ["O-1"]  # O-2 still ends 12-11
    assert receive(bo, "PO-S", [("SH", 1)], expect=None).status_code == 409


def test_po_cancellation_re_promises_to_estimates(bo):
    supplier(bo, "S-1", 10)
    bo.create_sku("PX", supplier="S-1", handling_days=1)
    po(bo, "PO-X1", "S-1", D("12-04"), [("PX", 3)])
    po(bo, "PO-X2", "S-1", D("12-08"), [("PX", 2)])
    _place(bo, "O-1", "PX", 2)
    bo.set_clock("2026-12-01T09:01:00Z")
    assert _place(bo, "O-2", "PX", 3)["promises"] == S("1@12-05", "2@12-09")
    bo.set_clock("2026-12-01T09:02:00Z")
    assert _place(bo, "O-3", "PX", 1)["promises"] == S("1@12-12e")

    mark = last_event_id(bo)
    r = patch_po(bo, "PO-X1", status="cancelled")
    assert r.json()["status"] == "cancelled"
    evs = events_after(bo, mark)
    assert [e["data"]["purchase_order"] for e in of_type(evs, "po.cancelled")] == ["PO-X1"]
    assert line(bo, "O-1")["promises"] == S("2@12-09")
    assert line(bo, "O-2")["promises"] == S("3@12-12e")
    assert line(bo, "O-3")["promises"] == S("1@12-12e")
    changed = by_order(evs, "order.promise_changed")
    assert sorted(changed) == ["O-1", "O-2"]
    assert all(len(v) == 1 for v in changed.values())
    assert changed["O-2"][0]["old"] == S("1@12-05", "2@12-09")
    assert changed["O-2"][0]["new"] == S("3@12-12e")
    assert sorted(by_order(evs, "order.delay_notice")) == ["O-1", "O-2"]
    assert bo.availability("PX")["incoming"] == [{"purchase_order": "PO-X2", "qty": 2, "eta": D("12-08")}]
    assert get_po(bo, "PO-X1")["status"] == "cancelled"

    before = state(bo)
    assert patch_po(bo, "PO-X1", expect=None, eta=D("12-06")).status_code == 409
    assert patch_po(bo, "PO-X1", expect=None, status="cancelled").status_code == 409
    assert receive(bo, "PO-X1", [("PX", 1)], expect=None).status_code == 409
    assert state(bo) == before

    # O-1 confirms; cancelling the other PO too leaves estimates for everyone
    assert bo.post("/v1/orders/O-1/consent").status_code == 200
    mark = last_event_id(bo)
    patch_po(bo, "PO-X2", status="cancelled")
    assert line(bo, "O-1")["promises"] == S("2@12-12e")
    assert counts(line(bo, "O-1")) == (0, 2, 0, 0)
    assert line(bo, "O-2")["promises"] == S("3@12-12e")
    evs = events_after(bo, mark)
    assert list(by_order(evs, "order.promise_changed")) == ["O-1"]
    assert of_type(evs, "order.cancelled") == []
    assert bo.availability("PX")["incoming"] == []


def test_backorder_limit_incoming_follows_the_open_purchase_orders(bo):
    supplier(bo, "S-1", 10)
    bo.create_sku("LI", supplier="S-1", backorder_limit="incoming")
    assert bo.availability("LI")["status"] == "out_of_stock"
    before = state(bo)
    assert bo.place([("LI", 1)], expect=409).json()["error"]["code"] == "backorder_limit_reached"
    assert state(bo) == before
    po(bo, "PO-L", "S-1", D("12-06"), [("LI", 3)])
    assert bo.availability("LI")["status"] == "backorder"
    assert bo.place([("LI", 4)], expect=409).json()["error"]["code"] == "backorder_limit_reached"
    _place(bo, "O-1", "LI", 3)
    assert line(bo, "O-1")["promises"] == S("3@12-06")
    assert bo.availability("LI")["status"] == "out_of_stock"
    bo.place([("LI", 1)], expect=409)


def test_supply_from_many_purchase_orders_is_all_counted(bo):
    """70 open POs of one unit each: every unit is known supply, none is estimated."""
    supplier(bo, "S-1", 10)
    bo.create_sku("MANY", supplier="S-1")
    for i in range(70):
        po(bo, f"PO-{i:02d}", "S-1", D("12-05"), [("MANY", 1)])
    l = _place(bo, "O-1", "MANY", 66)
    assert l["promises"] == S("66@12-05")
    av = bo.availability("MANY")
    assert sum(x["qty"] for x in av["incoming"]) == 70
    assert len(av["incoming"]) == 70
    assert av["earliest_promise"] == D("12-05")  # 4 units are still free on the POs


# --- simulations ------------------------------------------------------------

def _sim_setup(bo):
    supplier(bo, "S-1", 10)
    bo.create_sku("SA", supplier="S-1", handling_days=1)
    bo.create_sku("SB", supplier="S-1")
    po(bo, "PO-1", "S-1", D("12-05"), [("SA", 4)])
    po(bo, "PO-2", "S-1", D("12-10"), [("SA", 4), ("SB", 5)])
    t = 0
    for oid, sku, qty in [("O-1", "SA", 3), ("O-2", "SA", 3), ("O-3", "SA", 2), ("O-4", "SA", 3),
                          ("O-5", "SB", 2)]:
        bo.set_clock(f"2026-12-01T09:{t:02d}:00Z")
        t += 1
        bo.place([(sku, qty)], id=oid, customer={"id": f"c-{oid}", "email": f"{oid.lower()}@example.com"})
    expect = {"O-1": S("3@12-06"), "O-2": S("1@12-06", "2@12-11"), "O-3": S("2@12-11"),
              "O-4": S("3@12-12e"), "O-5": S("2@12-10")}
    for oid, sched in expect.items():
        assert line(bo, oid)["promises"] == sched, oid


def _real(bo, change):
    t = change["type"]
    pid = change["purchase_order"]
    if t == "delay":
        eta = get_po(bo, pid)["eta"]
        import datetime
        new = datetime.date.fromisoformat(eta) + datetime.timedelta(days=change["days"])
        patch_po(bo, pid, eta=new.isoformat())
    elif t == "eta":
        patch_po(bo, pid, eta=change["eta"])
    elif t == "cancel":
        patch_po(bo, pid, status="cancelled")
    elif t == "short":
        receive(bo, pid, [(l["sku"], l["qty"]) for l in change["lines"]], close=True)
    else:
        raise ValueError(t)


AFFECTING = ("order.promise_changed", "order.delay_notice", "order.cancelled")

# change(s) -> (orders with promise_changed, orders with delay_notice), hand-computed
SIM_CASES = {
    "delay": ([{"type": "delay", "purchase_order": "PO-2", "days": 3}],
              ["O-2", "O-3", "O-5"], ["O-2", "O-3", "O-5"],
              {"O-2": S("1@12-06", "2@12-14"), "O-3": S("2@12-14"), "O-5": S("2@12-13")}),
    "eta": ([{"type": "eta", "purchase_order": "PO-1", "eta": D("12-03")}],
            ["O-1", "O-2"], [],
            {"O-1": S("3@12-04"), "O-2": S("1@12-04", "2@12-11")}),
    "cancel": ([{"type": "cancel", "purchase_order": "PO-1"}],
               ["O-1", "O-2", "O-3"], ["O-1", "O-2", "O-3"],
               {"O-1": S("3@12-11"), "O-2": S("1@12-11", "2@12-12e"), "O-3": S("2@12-12e")}),
    "short": ([{"type": "short", "purchase_order": "PO-2", "lines": [{"sku": "SA", "qty": 2}]}],
              ["O-1", "O-2", "O-3", "O-5"], ["O-3", "O-5"],
              {"O-1": S("1@12-06"), "O-2": S("3@12-06"), "O-3": S("2@12-12e"), "O-5": S("2@12-11e")}),
}


@pytest.mark.parametrize("case", sorted(SIM_CASES))
def test_simulation_predicts_the_real_change_and_changes_nothing(bo, case):
    changes, promise_orders, notice_orders, new_promises = SIM_CASES[case]
    _sim_setup(bo)
    before = state(bo)
    r = bo.post("/v1/simulations", json={"changes": changes})
    assert r.status_code == 200, r.text
    sim = r.json()
    assert state(bo) == before, "a simulation must commit nothing"

    affected = sim["affected"]
    assert sorted({a["order"] for a in affected if a["change"] == "order.promise_changed"}) == promise_orders
    assert sorted({a["order"] for a in affected if a["change"] == "order.delay_notice"}) == notice_orders
    for a in affected:
        assert a["customer"]["id"] == f"c-{a['order']}"
        assert a["customer"]["email"] == f"{a['order'].lower()}@example.com"
        if a["change"] == "order.promise_changed" and a["order"] in new_promises:
            assert a["new"] == new_promises[a["order"]], a

    # now for real: the same changes produce exactly the simulated events
    mark = last_event_id(bo)
    for c in changes:
        _real(bo, c)
    real = events_after(bo, mark)
    assert [(e["type"], e["data"]) for e in real] == [(e["type"], e["data"]) for e in sim["events"]]
    real_affected = sorted((e["type"], e["data"]["order"], e["data"]["line"]) for e in real
                           if e["type"] in AFFECTING)
    # one change: each line whose promise changed has exactly one event
    pc = [(t, o, n) for t, o, n in real_affected if t == "order.promise_changed"]
    assert len(pc) == len(set(pc)) == len(promise_orders)
    assert real_affected == sorted((a["change"], a["order"], a["line"]) for a in affected)
    for oid, sched in new_promises.items():
        assert line(bo, oid)["promises"] == sched, oid


def test_simulation_of_several_changes_and_refused_simulations(bo):
    _sim_setup(bo)
    changes = [{"type": "delay", "purchase_order": "PO-1", "days": 2},
               {"type": "cancel", "purchase_order": "PO-2"}]
    before = state(bo)
    r = bo.post("/v1/simulations", json={"changes": changes})
    assert r.status_code == 200, r.text
    sim = r.json()
    assert state(bo) == before
    # delay PO-1: O-1 3@12-08 (notice), O-2 1@12-08 + 2@12-11;
    # then cancel PO-2: O-2 1@12-08 + 2@12-12e (notice), O-3 2@12-12e (notice), O-5 2@12-11e (notice)
    pc = [(a["order"], a["new"]) for a in sim["affected"] if a["change"] == "order.promise_changed"]
    assert pc == [("O-1", S("3@12-08")), ("O-2", S("1@12-08", "2@12-11")),
                  ("O-2", S("1@12-08", "2@12-12e")), ("O-3", S("2@12-12e")), ("O-5", S("2@12-11e"))]

    mark = last_event_id(bo)
    for c in changes:
        _real(bo, c)
    real = events_after(bo, mark)
    assert [(e["type"], e["data"]) for e in real] == [(e["type"], e["data"]) for e in sim["events"]]

    # refused simulations change nothing either
    before = state(bo)
    r = bo.post("/v1/simulations", json={"changes": [{"type": "delay", "purchase_order": "NOPE", "days": 1}]})
    assert r.status_code == 422, r.text
    r = bo.post("/v1/simulations", json={"changes": [{"type": "delay", "purchase_order": "PO-1", "days": 1},
                                                     {"type": "teleport", "purchase_order": "PO-1"}]})
    assert r.status_code == 422, r.text
    # PO-2 is cancelled now: simulating anything on it conflicts
    r = bo.post("/v1/simulations", json={"changes": [{"type": "delay", "purchase_order": "PO-2", "days": 1}]})
    assert r.status_code == 409, r.text
    assert state(bo) == before


def test_simulation_shows_the_cancellation_a_second_delay_would_cause(bo):
    supplier(bo, "S-1", 10)
    bo.create_sku("SD", supplier="S-1")
    po(bo, "PO-D", "S-1", D("12-05"), [("SD", 4)])
    bo.place([("SD", 2)], id="O-1", customer={"id": "c-1", "email": "one@example.com"})
    bo.set_clock("2026-12-01T09:01:00Z")
    bo.place([("SD", 2)], id="O-2", customer={"id": "c-2"})
    patch_po(bo, "PO-D", eta=D("12-07"))  # the first delay: notices
    assert bo.post("/v1/orders/O-2/consent").status_code == 200

    before = state(bo)
    r = bo.post("/v1/simulations", json={"changes": [{"type": "delay", "purchase_order": "PO-D", "days": 2}]})
    assert r.status_code == 200, r.text
    sim = r.json()
    assert state(bo) == before
    cancels = [a for a in sim["affected"] if a["change"] == "order.cancelled"]
    assert [(a["order"], a["qty"], a["reason"], a["customer"]["email"]) for a in cancels] == \
        [("O-1", 2, "delayed", "one@example.com")]
    notices = [a["order"] for a in sim["affected"] if a["change"] == "order.delay_notice"]
    assert notices == ["O-2"]

    mark = last_event_id(bo)
    patch_po(bo, "PO-D", eta=D("12-09"))
    real = events_after(bo, mark)
    assert [(e["type"], e["data"]) for e in real] == [(e["type"], e["data"]) for e in sim["events"]]
    assert counts(line(bo, "O-1")) == (0, 0, 0, 2)
    assert line(bo, "O-2")["promises"] == S("2@12-09")
