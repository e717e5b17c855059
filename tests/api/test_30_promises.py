"""Promises (SPEC 4 "Promises", "Keeping promises honest", "Allocation of
arriving stock"; issue 3): hand-computed time-phased schedules, re-promising
after supply changes with exactly one event per changed line, the delay rule,
need_by both ways, and protect_promises on and off.

Every scenario starts on Tuesday 2026-12-01 09:00Z. A unit covered by a PO is
promised max(eta, today) + handling_days; a unit no PO covers is estimated at
today + lead time + handling_days (estimate true) and keeps that estimate
while its date has not passed.
"""
from helpers_supply import (S, D, by_order, counts, events_after, last_event_id, line, of_type,
                            order, patch_po, po, quote, state, supplier, avail_counts)


def _place(bo, oid, sku, qty, tier=0, **fields):
    r = bo.place([(sku, qty)], id=oid, customer={"id": f"c-{oid}", "tier": tier}, **fields)
    return r.json()["lines"][0]


# --- hand-computed schedules ------------------------------------------------

def test_schedule_over_two_pos_with_estimated_tail(bo):
    supplier(bo, "S-1", 10)
    bo.create_sku("PA", supplier="S-1", handling_days=1, on_hand=2)
    po(bo, "PO-A1", "S-1", D("12-05"), [("PA", 4)])
    po(bo, "PO-A2", "S-1", D("12-10"), [("PA", 4)])

    # stock 2, then PO-A1 (4 units, 12-05 + 1 day handling = 12-06),
    # then PO-A2 (4 units, 12-10 + 1 = 12-11), then estimates 12-01 + 10 + 1 = 12-12
    l1 = _place(bo, "O-1", "PA", 4)
    assert counts(l1) == (2, 2, 0, 0)
    assert l1["promises"] == S("2@12-06")
    assert l1["promise_date"] == D("12-06") and l1["first_promise"] == D("12-06")

    bo.set_clock("2026-12-01T09:01:00Z")
    l2 = _place(bo, "O-2", "PA", 3)  # split over the two POs
    assert counts(l2) == (0, 3, 0, 0)
    assert l2["promises"] == S("2@12-06", "1@12-11")
    assert l2["promise_date"] == D("12-11") and l2["first_promise"] == D("12-11")

    bo.set_clock("2026-12-01T09:02:00Z")
    l3 = _place(bo, "O-3", "PA", 5)  # rest of PO-A2, then an estimate
    assert l3["promises"] == S("3@12-11", "2@12-12e")
    assert l3["promise_date"] == D("12-12") and l3["first_promise"] == D("12-12")

    bo.set_clock("2026-12-01T09:03:00Z")
    l4 = _place(bo, "O-4", "PA", 1)
    assert l4["promises"] == S("1@12-12e")

    # the stored orders say the same as the responses
    assert line(bo, "O-1")["promises"] == S("2@12-06")
    assert line(bo, "O-2")["promises"] == S("2@12-06", "1@12-11")
    assert line(bo, "O-3")["promises"] == S("3@12-11", "2@12-12e")
    assert line(bo, "O-4")["promises"] == S("1@12-12e")

    av = bo.availability("PA")
    assert avail_counts(av) == (2, 2, 0, 11)
    assert av["incoming"] == [{"purchase_order": "PO-A1", "qty": 4, "eta": D("12-05")},
                              {"purchase_order": "PO-A2", "qty": 4, "eta": D("12-10")}]
    assert av["status"] == "backorder"
    assert av["earliest_promise"] == D("12-12")
    assert "12 Dec 2026" in av["message"]

    # the queue view: queue order, with the schedules
    q = bo.walk("/v1/backorders?sku=PA")
    assert [(x["order"], x["backordered"]) for x in q] == [("O-1", 2), ("O-2", 3), ("O-3", 5),
                                                           ("O-4", 1)]
    assert [x["promises"] for x in q] == [S("2@12-06"), S("2@12-06", "1@12-11"),
                                          S("3@12-11", "2@12-12e"), S("1@12-12e")]

    # quotes commit nothing and date a new order the way placing it would
    before = state(bo)
    q0 = quote(bo, [("PA", 2)], customer={"id": "q", "tier": 0})["lines"][0]
    assert (q0["allocated"], q0["backordered"], q0["accepted"]) == (0, 2, True)
    assert q0["promises"] == S("2@12-12e")
    # a higher tier is served before everyone (protect_promises is off)
    q3 = quote(bo, [("PA", 3)], customer={"id": "q", "tier": 3})["lines"][0]
    assert q3["promises"] == S("3@12-06")
    q6 = quote(bo, [("PA", 6)], customer={"id": "q", "tier": 3})["lines"][0]
    assert q6["promises"] == S("4@12-06", "2@12-11")
    assert state(bo) == before


def test_overdue_eta_lead_time_override_and_multi_line_order(bo):
    supplier(bo, "S-1", 10)
    bo.create_sku("PB", supplier="S-1", lead_time_days=5)  # overrides the supplier's 10
    bo.create_sku("PC", supplier="S-1", handling_days=2, on_hand=1)
    bo.create_sku("PD", on_hand=4)  # in stock, handling 0
    # an ETA already past: the units are promised today (max(eta, today))
    po(bo, "PO-B1", "S-1", D("11-28"), [("PB", 2)])
    po(bo, "PO-B2", "S-1", D("12-03"), [("PB", 1), ("PC", 2)])

    r = bo.place([("PB", 4), ("PC", 4), ("PD", 3)], id="O-M", customer={"id": "c-m"})
    lines = {l["sku"]: l for l in r.json()["lines"]}
    assert lines["PB"]["promises"] == S("2@12-01", "1@12-03", "1@12-06e")  # 12-01 + 5
    assert counts(lines["PC"]) == (1, 3, 0, 0)
    assert lines["PC"]["promises"] == S("2@12-05", "1@12-13e")  # 12-03 + 2; 12-01 + 10 + 2
    assert counts(lines["PD"]) == (3, 0, 0, 0)
    assert lines["PD"]["promises"] == [] and lines["PD"]["promise_date"] is None

    assert bo.availability("PB")["earliest_promise"] == D("12-06")
    assert bo.availability("PC")["earliest_promise"] == D("12-13")
    # one unit available now: promised today
    assert bo.availability("PD")["earliest_promise"] == D("12-01")
    qd = quote(bo, [("PD", 3)])["lines"][0]
    assert (qd["allocated"], qd["backordered"], qd["promises"]) == (1, 2, S("2@12-15e"))  # default 14


def test_estimate_lead_time_comes_from_sku_then_supplier_then_default(bo):
    supplier(bo, "S-7", 7)
    bo.create_sku("E-SKU", supplier="S-7", lead_time_days=3, handling_days=2)
    bo.create_sku("E-SUP", supplier="S-7")
    bo.create_sku("E-DEF")  # no supplier: the server default of 14 days
    assert _place(bo, "O-1", "E-SKU", 1)["promises"] == S("1@12-06e")
    assert _place(bo, "O-2", "E-SUP", 1)["promises"] == S("1@12-08e")
    assert _place(bo, "O-3", "E-DEF", 1)["promises"] == S("1@12-15e")


def test_estimate_does_not_slide_until_its_date_passes(bo):
    bo.create_sku("EP", lead_time_days=3)
    assert _place(bo, "O-1", "EP", 2)["promises"] == S("2@12-04e")
    mark = last_event_id(bo)
    bo.set_clock("2026-12-02T09:00:00Z")  # a fresh estimate would be 12-05: kept at 12-04
    bo.set_clock("2026-12-04T20:00:00Z")  # on the day itself: not passed yet
    assert line(bo, "O-1")["promises"] == S("2@12-04e")
    assert of_type(events_after(bo, mark), "order.promise_changed") == []

    bo.set_clock("2026-12-05T08:00:00Z")  # passed with no supply: a new estimate, a delay
    l = line(bo, "O-1")
    assert l["promises"] == S("2@12-08e")
    assert l["first_promise"] == D("12-04") and l["delay_notices"] == 1
    evs = events_after(bo, mark)
    changed = by_order(evs, "order.promise_changed")
    assert list(changed) == ["O-1"] and len(changed["O-1"]) == 1
    assert changed["O-1"][0]["old"] == S("2@12-04e")
    assert changed["O-1"][0]["new"] == S("2@12-08e")
    assert list(by_order(evs, "order.delay_notice")) == ["O-1"]


def test_new_po_re_promises_estimated_lines_earlier(bo):
    supplier(bo, "S-1", 10)
    bo.create_sku("NP", supplier="S-1", handling_days=1)
    _place(bo, "O-1", "NP", 3)
    bo.set_clock("2026-12-01T09:01:00Z")
    _place(bo, "O-2", "NP", 2)
    assert line(bo, "O-1")["promises"] == S("3@12-12e")
    mark = last_event_id(bo)
    po(bo, "PO-1", "S-1", D("12-04"), [("NP", 4)])
    assert line(bo, "O-1")["promises"] == S("3@12-05")
    assert line(bo, "O-2")["promises"] == S("1@12-05", "1@12-12e")
    evs = events_after(bo, mark)
    changed = by_order(evs, "order.promise_changed")
    assert sorted(changed) == ["O-1", "O-2"]
    assert [len(v) for v in changed.values()] == [1, 1]
    assert changed["O-1"][0]["old"] == S("3@12-12e") and changed["O-1"][0]["new"] == S("3@12-05")
    assert changed["O-2"][0]["old"] == S("2@12-12e")
    assert changed["O-2"][0]["new"] == S("1@12-05", "1@12-12e")
    assert of_type(evs, "order.delay_notice") == []
    # first promises stay what they were
    assert line(bo, "O-1")["first_promise"] == D("12-12")


# --- re-promising after a delay ---------------------------------------------

def _delay_setup(bo):
    supplier(bo, "S-1", 10)
    bo.create_sku("DL", supplier="S-1", handling_days=1)
    bo.create_sku("DX", supplier="S-1")
    bo.create_sku("DZ", supplier="S-1")
    po(bo, "PO-1", "S-1", D("12-05"), [("DL", 4)])
    po(bo, "PO-2", "S-1", D("12-10"), [("DL", 4), ("DX", 5)])
    po(bo, "PO-3", "S-1", D("12-05"), [("DZ", 5)])
    t = 0
    for oid, sku, qty in [("O-1", "DL", 3), ("O-2", "DL", 3), ("O-3", "DL", 2), ("O-4", "DL", 3),
                          ("O-5", "DX", 2), ("O-7", "DZ", 2)]:
        bo.set_clock(f"2026-12-01T09:{t:02d}:00Z")
        t += 1
        _place(bo, oid, sku, qty)
    expect = {"O-1": S("3@12-06"), "O-2": S("1@12-06", "2@12-11"), "O-3": S("2@12-11"),
              "O-4": S("3@12-12e"), "O-5": S("2@12-10"), "O-7": S("2@12-05")}
    for oid, sched in expect.items():
        assert line(bo, oid)["promises"] == sched, oid
    return expect


def test_delay_moves_exactly_the_lines_it_covers(bo):
    expect = _delay_setup(bo)

    # PO-1 two days late: O-1 moves past its first promise (a delay notice);
    # O-2 changes only in its first part, its date stays 12-11 (no notice)
    mark = last_event_id(bo)
    r = patch_po(bo, "PO-1", eta=D("12-07"))
    assert r.json()["eta"] == D("12-07") and r.json()["status"] == "open"
    evs = events_after(bo, mark)
    delayed = of_type(evs, "po.delayed")
    assert len(delayed) == 1
    assert delayed[0]["data"]["purchase_order"] == "PO-1"
    assert delayed[0]["data"]["old_eta"] == D("12-05") and delayed[0]["data"]["eta"] == D("12-07")
    changed = by_order(evs, "order.promise_changed")
    assert sorted(changed) == ["O-1", "O-2"]
    assert all(len(v) == 1 for v in changed.values())
    assert (changed["O-1"][0]["old"], changed["O-1"][0]["new"]) == (S("3@12-06"), S("3@12-08"))
    assert (changed["O-2"][0]["old"], changed["O-2"][0]["new"]) == (S("1@12-06", "2@12-11"),
                                                                    S("1@12-08", "2@12-11"))
    assert changed["O-1"][0]["sku"] == "DL" and changed["O-1"][0]["line"] == 1
    notices = by_order(evs, "order.delay_notice")
    assert list(notices) == ["O-1"] and len(notices["O-1"]) == 1
    assert of_type(evs, "order.cancelled") == []
    expect["O-1"], expect["O-2"] = S("3@12-08"), S("1@12-08", "2@12-11")
    for oid, sched in expect.items():
        assert line(bo, oid)["promises"] == sched, oid
    l1 = line(bo, "O-1")
    assert (l1["first_promise"], l1["promise_date"], l1["delay_notices"]) == (D("12-06"), D("12-08"), 1)
    l2 = line(bo, "O-2")
    assert (l2["first_promise"], l2["delay_notices"]) == (D("12-11"), 0)

    # PO-2 (two SKUs) two days late: O-2, O-3 (DL) and O-5 (DX) move past their
    # first promise; O-4's estimate (12-12) and everything else stay
    mark = last_event_id(bo)
    patch_po(bo, "PO-2", eta=D("12-12"))
    evs = events_after(bo, mark)
    changed = by_order(evs, "order.promise_changed")
    assert sorted(changed) == ["O-2", "O-3", "O-5"]
    assert all(len(v) == 1 for v in changed.values())
    assert changed["O-2"][0]["new"] == S("1@12-08", "2@12-13")
    assert (changed["O-3"][0]["old"], changed["O-3"][0]["new"]) == (S("2@12-11"), S("2@12-13"))
    assert (changed["O-5"][0]["old"], changed["O-5"][0]["new"]) == (S("2@12-10"), S("2@12-12"))
    assert changed["O-5"][0]["sku"] == "DX"
    assert sorted(by_order(evs, "order.delay_notice")) == ["O-2", "O-3", "O-5"]
    expect.update({"O-2": S("1@12-08", "2@12-13"), "O-3": S("2@12-13"), "O-5": S("2@12-12")})
    for oid, sched in expect.items():
        assert line(bo, oid)["promises"] == sched, oid

    # an earlier ETA is good news: promises move earlier, no notice
    mark = last_event_id(bo)
    patch_po(bo, "PO-3", eta=D("12-03"))
    evs = events_after(bo, mark)
    changed = by_order(evs, "order.promise_changed")
    assert list(changed) == ["O-7"]
    assert changed["O-7"][0]["new"] == S("2@12-03")
    assert of_type(evs, "order.delay_notice") == [] and of_type(evs, "po.delayed") == []
    # back to the first date: not later than the first promise, so still no notice
    mark = last_event_id(bo)
    patch_po(bo, "PO-3", eta=D("12-05"))
    evs = events_after(bo, mark)
    assert list(by_order(evs, "order.promise_changed")) == ["O-7"]
    assert of_type(evs, "order.delay_notice") == []
    assert line(bo, "O-7")["delay_notices"] == 0


def test_second_delay_cancels_unless_the_customer_consented(bo):
    supplier(bo, "S-1", 10)
    bo.create_sku("DR", supplier="S-1")
    po(bo, "PO-R", "S-1", D("12-05"), [("DR", 4)])
    _place(bo, "O-A", "DR", 2)
    bo.set_clock("2026-12-01T09:01:00Z")
    _place(bo, "O-B", "DR", 2)
    assert line(bo, "O-A")["promises"] == S("2@12-05") == line(bo, "O-B")["promises"]
    # consent before any delay notice: nothing to consent to
    before = state(bo)
    assert bo.post("/v1/orders/O-A/consent").status_code == 409
    assert state(bo) == before

    mark = last_event_id(bo)
    patch_po(bo, "PO-R", eta=D("12-08"))  # first delay: notices to both
    evs = events_after(bo, mark)
    assert sorted(by_order(evs, "order.delay_notice")) == ["O-A", "O-B"]
    assert of_type(evs, "order.cancelled") == []
    for oid in ["O-A", "O-B"]:
        l = line(bo, oid)
        assert (l["promises"], l["first_promise"], l["delay_notices"]) == (S("2@12-08"), D("12-05"), 1)

    r = bo.post("/v1/orders/O-B/consent")
    assert r.status_code == 200, r.text
    assert bo.post("/v1/orders/NO-SUCH/consent").status_code == 404
    # promises, first promises, notices and the consent survive a crash
    before = state(bo)
    bo.restart()
    assert state(bo) == before

    mark = last_event_id(bo)
    patch_po(bo, "PO-R", eta=D("12-10"))  # second delay
    evs = events_after(bo, mark)
    cancelled = by_order(evs, "order.cancelled")
    assert list(cancelled) == ["O-A"]
    assert cancelled["O-A"][0]["reason"] == "delayed" and cancelled["O-A"][0]["qty"] == 2
    a = order(bo, "O-A")
    assert a["status"] == "cancelled"
    assert counts(a["lines"][0]) == (0, 0, 0, 2) and a["lines"][0]["promises"] == []
    # O-B confirmed after the first notice: kept, with a second notice
    b = line(bo, "O-B")
    assert counts(b) == (0, 2, 0, 0)
    assert (b["promises"], b["delay_notices"]) == (S("2@12-10"), 2)
    assert list(by_order(evs, "order.delay_notice")) == ["O-B"]
    assert order(bo, "O-B")["status"] == "open"
    av = bo.availability("DR")
    assert av["backordered"] == 2

    # consent counts for the notice it answers: another delay without a new one cancels
    mark = last_event_id(bo)
    patch_po(bo, "PO-R", eta=D("12-11"))
    cancelled = by_order(events_after(bo, mark), "order.cancelled")
    assert list(cancelled) == ["O-B"] and cancelled["O-B"][0]["reason"] == "delayed"
    assert counts(line(bo, "O-B")) == (0, 0, 0, 2)
    assert bo.availability("DR")["backordered"] == 0


# --- the customer's deadline --------------------------------------------------

def test_need_by_cancel_backorder_and_keep(bo):
    supplier(bo, "S-1", 10)
    bo.create_sku("NB", supplier="S-1", on_hand=1)
    po(bo, "PO-N1", "S-1", D("12-04"), [("NB", 3)])
    po(bo, "PO-N2", "S-1", D("12-09"), [("NB", 3)])

    mark = last_event_id(bo)
    # 1 now, 3 by 12-04, 2 by 12-09 > need_by: those 2 are cancelled at placement
    k1 = _place(bo, "K-1", "NB", 6, need_by=D("12-05"), if_late="cancel_backorder")
    assert counts(k1) == (1, 3, 0, 2)
    assert k1["promises"] == S("3@12-04")
    cancelled = by_order(events_after(bo, mark), "order.cancelled")
    assert list(cancelled) == ["K-1"]
    assert cancelled["K-1"][0]["reason"] == "need_by" and cancelled["K-1"][0]["qty"] == 2
    assert order(bo, "K-1")["status"] == "open"

    bo.set_clock("2026-12-01T09:01:00Z")
    k2 = _place(bo, "K-2", "NB", 2, need_by=D("12-05"), if_late="keep")  # late, kept
    assert counts(k2) == (0, 2, 0, 0) and k2["promises"] == S("2@12-09")
    assert order(bo, "K-2")["if_late"] == "keep"

    bo.set_clock("2026-12-01T09:02:00Z")
    k3 = _place(bo, "K-3", "NB", 2, need_by=D("12-10"), if_late="cancel_backorder")
    assert counts(k3) == (0, 1, 0, 1) and k3["promises"] == S("1@12-09")  # the estimate (12-11) goes

    bo.set_clock("2026-12-01T09:03:00Z")
    mark = last_event_id(bo)
    r = bo.place([("NB", 2)], id="K-4", customer={"id": "c-k4"}, need_by=D("12-03"),
                 if_late="cancel_backorder")
    k4 = r.json()
    assert counts(k4["lines"][0]) == (0, 0, 0, 2) and k4["lines"][0]["promises"] == []
    assert k4["status"] == "cancelled", "every unit was cancelled at placement"
    assert order(bo, "K-4")["status"] == "cancelled"
    assert list(by_order(events_after(bo, mark), "order.cancelled")) == ["K-4"]

    av = bo.availability("NB")
    assert avail_counts(av) == (1, 1, 0, 6)  # 3 + 2 + 1

    # PO-N2 three days late: K-2 (keep) is moved, K-3's unit now falls after
    # its need_by and is cancelled; K-1 is not touched
    mark = last_event_id(bo)
    patch_po(bo, "PO-N2", eta=D("12-12"))
    evs = events_after(bo, mark)
    assert line(bo, "K-2")["promises"] == S("2@12-12")
    assert counts(line(bo, "K-2")) == (0, 2, 0, 0)
    cancelled = by_order(evs, "order.cancelled")
    assert list(cancelled) == ["K-3"]
    assert cancelled["K-3"][0]["reason"] == "need_by" and cancelled["K-3"][0]["qty"] == 1
    assert counts(line(bo, "K-3")) == (0, 0, 0, 2)
    assert order(bo, "K-3")["status"] == "cancelled"
    assert line(bo, "K-1")["promises"] == S("3@12-04") and counts(line(bo, "K-1")) == (1, 3, 0, 2)
    assert "K-1" not in by_order(evs, "order.promise_changed")
    assert list(by_order(evs, "order.delay_notice")) == ["K-2"]
    assert bo.availability("NB")["backordered"] == 5


def test_need_by_units_pushed_back_by_a_higher_tier_are_cancelled(bo):
    supplier(bo, "S-1", 10)
    bo.create_sku("NT", supplier="S-1")
    po(bo, "PO-1", "S-1", D("12-04"), [("NT", 2)])
    assert _place(bo, "K-1", "NT", 2, need_by=D("12-06"),
                  if_late="cancel_backorder")["promises"] == S("2@12-04")
    bo.set_clock("2026-12-01T09:01:00Z")
    mark = last_event_id(bo)
    # protect_promises is off: the tier-2 order takes PO-1, K-1 would wait until 12-11 > need_by
    assert _place(bo, "V-1", "NT", 1, tier=2)["promises"] == S("1@12-04")
    evs = events_after(bo, mark)
    cancelled = by_order(evs, "order.cancelled")
    assert list(cancelled) == ["K-1"]
    assert (cancelled["K-1"][0]["qty"], cancelled["K-1"][0]["reason"]) == (1, "need_by")
    k = line(bo, "K-1")
    assert counts(k) == (0, 1, 0, 1) and k["promises"] == S("1@12-04")
    assert bo.availability("NT")["backordered"] == 2


# --- protected promises ---------------------------------------------------------

def _protect_setup(bo, sku, protect):
    supplier(bo, "S-1", 10)
    bo.create_sku(sku, supplier="S-1", protect_promises=protect)
    po(bo, "PO-P", "S-1", D("12-05"), [(sku, 4)])
    assert _place(bo, "E-1", sku, 3)["promises"] == S("3@12-05")
    bo.set_clock("2026-12-01T09:10:00Z")
    assert _place(bo, "E-2", sku, 3)["promises"] == S("1@12-05", "2@12-11e")
    bo.set_clock("2026-12-01T09:20:00Z")


def test_protect_promises_on_a_higher_tier_queues_behind_promised_supply(bo):
    _protect_setup(bo, "PR-ON", True)
    assert quote(bo, [("PR-ON", 2)], customer={"id": "q", "tier": 5})["lines"][0]["promises"] == \
        S("2@12-11e")
    mark = last_event_id(bo)
    v = _place(bo, "V-1", "PR-ON", 2, tier=5)
    assert v["promises"] == S("2@12-11e")
    evs = events_after(bo, mark)
    assert of_type(evs, "order.promise_changed") == []
    assert of_type(evs, "order.delay_notice") == []
    assert line(bo, "E-1")["promises"] == S("3@12-05")
    assert line(bo, "E-2")["promises"] == S("1@12-05", "2@12-11e")
    q = bo.walk("/v1/backorders?sku=PR-ON")
    assert [x["order"] for x in q] == ["E-1", "E-2", "V-1"]

    # arriving stock follows the same order: the protected lines get their supply
    from helpers_supply import receive
    receive(bo, "PO-P", [("PR-ON", 4)])
    assert counts(line(bo, "E-1")) == (3, 0, 0, 0)
    assert counts(line(bo, "E-2")) == (1, 2, 0, 0)
    assert counts(line(bo, "V-1")) == (0, 2, 0, 0)
    bo.adjust("PR-ON", 2)
    assert counts(line(bo, "E-2")) == (3, 0, 0, 0)
    assert counts(line(bo, "V-1")) == (0, 2, 0, 0)
    assert line(bo, "V-1")["promises"] == S("2@12-11e")


def test_protect_promises_off_the_tier_wins_and_pushed_lines_are_told(bo):
    _protect_setup(bo, "PR-OFF", False)
    assert quote(bo, [("PR-OFF", 2)], customer={"id": "q", "tier": 5})["lines"][0]["promises"] == \
        S("2@12-05")
    mark = last_event_id(bo)
    v = _place(bo, "V-1", "PR-OFF", 2, tier=5)
    assert v["promises"] == S("2@12-05")
    evs = events_after(bo, mark)
    changed = by_order(evs, "order.promise_changed")
    assert sorted(changed) == ["E-1", "E-2"]
    assert all(len(x) == 1 for x in changed.values())
    assert (changed["E-1"][0]["old"], changed["E-1"][0]["new"]) == (S("3@12-05"),
                                                                    S("2@12-05", "1@12-11e"))
    assert (changed["E-2"][0]["old"], changed["E-2"][0]["new"]) == (S("1@12-05", "2@12-11e"),
                                                                    S("3@12-11e"))
    # E-1 now ends later than its first promise (12-05): a notice; E-2 still ends 12-11
    assert list(by_order(evs, "order.delay_notice")) == ["E-1"]
    q = bo.walk("/v1/backorders?sku=PR-OFF")
    assert [x["order"] for x in q] == ["V-1", "E-1", "E-2"]
    from helpers_supply import receive
    receive(bo, "PO-P", [("PR-OFF", 4)])
    assert counts(line(bo, "V-1")) == (2, 0, 0, 0)
    assert counts(line(bo, "E-1")) == (2, 1, 0, 0)
    assert counts(line(bo, "E-2")) == (0, 3, 0, 0)


# --- re-promising after queue and policy changes -------------------------------

def test_adjustment_and_cancellation_re_promise_the_lines_behind(bo):
    supplier(bo, "S-1", 10)
    bo.create_sku("QC", supplier="S-1")
    po(bo, "PO-1", "S-1", D("12-05"), [("QC", 2)])
    _place(bo, "O-1", "QC", 2)
    bo.set_clock("2026-12-01T09:01:00Z")
    _place(bo, "O-2", "QC", 2)
    bo.set_clock("2026-12-01T09:02:00Z")
    _place(bo, "O-3", "QC", 3)
    assert [line(bo, o)["promises"] for o in ["O-1", "O-2", "O-3"]] == \
        [S("2@12-05"), S("2@12-11e"), S("3@12-11e")]

    # two units found: O-1 is served now, O-2 moves up onto the PO
    mark = last_event_id(bo)
    bo.adjust("QC", 2)
    assert counts(line(bo, "O-1")) == (2, 0, 0, 0) and line(bo, "O-1")["promises"] == []
    assert line(bo, "O-2")["promises"] == S("2@12-05")
    assert line(bo, "O-3")["promises"] == S("3@12-11e")
    evs = events_after(bo, mark)
    changed = by_order(evs, "order.promise_changed")
    assert "O-2" in changed and "O-3" not in changed
    assert (changed["O-2"][0]["old"], changed["O-2"][0]["new"]) == (S("2@12-11e"), S("2@12-05"))
    assert [e["data"]["order"] for e in of_type(evs, "order.allocated")] == ["O-1"]

    # O-2 cancelled: O-3 takes the PO's units
    mark = last_event_id(bo)
    r = bo.post("/v1/orders/O-2/cancel", json={"reason": "changed my mind"})
    assert r.status_code == 200, r.text
    assert line(bo, "O-3")["promises"] == S("2@12-05", "1@12-11e")
    changed = by_order(events_after(bo, mark), "order.promise_changed")
    assert list(changed) == ["O-3"]
    assert changed["O-3"][0]["new"] == S("2@12-05", "1@12-11e")
    assert of_type(events_after(bo, mark), "order.delay_notice") == []


def test_handling_days_change_re_dates_promises(bo):
    supplier(bo, "S-1", 10)
    bo.create_sku("HD", supplier="S-1")
    po(bo, "PO-1", "S-1", D("12-05"), [("HD", 5)])
    _place(bo, "O-1", "HD", 2)
    assert line(bo, "O-1")["promises"] == S("2@12-05")
    assert bo.availability("HD")["earliest_promise"] == D("12-05")
    mark = last_event_id(bo)
    r = bo.patch("/v1/skus/HD", json={"handling_days": 2})
    assert r.status_code == 200, r.text
    assert line(bo, "O-1")["promises"] == S("2@12-07")
    assert bo.availability("HD")["earliest_promise"] == D("12-07")
    evs = events_after(bo, mark)
    changed = by_order(evs, "order.promise_changed")
    assert list(changed) == ["O-1"] and changed["O-1"][0]["new"] == S("2@12-07")
    assert list(by_order(evs, "order.delay_notice")) == ["O-1"]


def test_protect_promises_keeps_time_order_among_lines_queued_behind(bo):
    """Two tier-5 orders both queue behind the promised supply; between
    themselves the earlier one still goes first (tier, then order time)."""
    supplier(bo, "S-1", 10)
    bo.create_sku("PT", supplier="S-1", protect_promises=True)
    po(bo, "PO-1", "S-1", D("12-05"), [("PT", 3)])
    _place(bo, "E-1", "PT", 3)
    bo.set_clock("2026-12-01T09:20:00Z")
    _place(bo, "ZZ", "PT", 1, tier=5)
    bo.set_clock("2026-12-01T09:30:00Z")
    _place(bo, "AA", "PT", 1, tier=5)  # later, same tier, smaller id
    q = bo.walk("/v1/backorders?sku=PT")
    assert [x["order"] for x in q] == ["E-1", "ZZ", "AA"]
    bo.adjust("PT", 4)
    assert counts(line(bo, "E-1")) == (3, 0, 0, 0)
    assert counts(line(bo, "ZZ")) == (1, 0, 0, 0)
    assert counts(line(bo, "AA")) == (0, 1, 0, 0)


def test_protect_promises_a_higher_tier_still_goes_before_estimated_lines(bo):
    """Protection keeps a new higher-tier order behind the lines promised from
    known supply only; a line that only has an estimate is not protected, so
    the tier rule puts the new order ahead of it (its estimate stays)."""
    _protect_setup(bo, "PE", True)  # E-1 3@12-05, E-2 1@12-05 + 2@12-11e; now 09:20
    assert _place(bo, "E-3", "PE", 2)["promises"] == S("2@12-11e")  # estimate only
    bo.set_clock("2026-12-01T09:30:00Z")
    mark = last_event_id(bo)
    assert _place(bo, "V-1", "PE", 2, tier=5)["promises"] == S("2@12-11e")
    assert of_type(events_after(bo, mark), "order.promise_changed") == []
    q = bo.walk("/v1/backorders?sku=PE")
    assert [x["order"] for x in q] == ["E-1", "E-2", "V-1", "E-3"]
    bo.adjust("PE", 8)  # E-1 3, E-2 3, then V-1 before E-3
    assert counts(line(bo, "V-1")) == (2, 0, 0, 0)
    assert counts(line(bo, "E-3")) == (0, 2, 0, 0)


def test_supply_is_walked_by_eta_not_by_creation(bo):
    supplier(bo, "S-1", 10)
    bo.create_sku("ET", supplier="S-1")
    po(bo, "P-LATE", "S-1", D("12-08"), [("ET", 2)])
    po(bo, "P-EARLY", "S-1", D("12-05"), [("ET", 2)])
    assert [x["purchase_order"] for x in bo.availability("ET")["incoming"]] == ["P-EARLY", "P-LATE"]
    _place(bo, "O-1", "ET", 2)
    bo.set_clock("2026-12-01T09:01:00Z")
    _place(bo, "O-2", "ET", 2)
    assert line(bo, "O-1")["promises"] == S("2@12-05")
    assert line(bo, "O-2")["promises"] == S("2@12-08")
    # P-EARLY slips past P-LATE: the queue now takes P-LATE first
    mark = last_event_id(bo)
    patch_po(bo, "P-EARLY", eta=D("12-10"))
    assert line(bo, "O-1")["promises"] == S("2@12-08")
    assert line(bo, "O-2")["promises"] == S("2@12-10")
    assert [x["purchase_order"] for x in bo.availability("ET")["incoming"]] == ["P-LATE", "P-EARLY"]
    assert sorted(by_order(events_after(bo, mark), "order.delay_notice")) == ["O-1", "O-2"]
    # P-LATE arrives: the first in the queue gets it
    from helpers_supply import receive
    receive(bo, "P-LATE", [("ET", 2)])
    assert counts(line(bo, "O-1")) == (2, 0, 0, 0)
    assert line(bo, "O-2")["promises"] == S("2@12-10")
