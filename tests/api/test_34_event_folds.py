"""The event feed over commands that touch hundreds of lines at once (SPEC 4
"Communication", SPEC 5 `GET /v1/events`).

A re-promise or a receipt on a long queue emits two events per line; the
store may keep them folded in few rows. Whatever the storage, the feed must
give every event one by one: ids dense and increasing, every page size and
every `after` giving the same sequence, each event with its own data.order,
data.sku and line, the events in the order the command made them, and the
same after a restart and inside a simulation.
"""
from helpers_supply import S, D, last_event_id, patch_po, po, receive, supplier

N = 300  # lines: 2 events each, more than one stored row holds


def _queue(bo):
    supplier(bo, "S-1", 10)
    bo.create_sku("FOLD", supplier="S-1")
    bo.create_sku("OTHER", supplier="S-1")
    po(bo, "PO-F", "S-1", D("12-05"), [("FOLD", N + 5)])
    po(bo, "PO-G", "S-1", D("12-20"), [("FOLD", 10)])
    ids = []
    for i in range(N):
        oid = f"F-{i:04d}" + ("._x" if i == 7 else "")
        # tier 1 every 10th: those go first in the queue
        bo.place([("FOLD", 1)], id=oid, customer={"id": f"c-{i}", "tier": 1 if i % 10 == 0 else 0})
        ids.append(oid)
    # a bigger line across both POs: a two-part promise
    bo.place([("FOLD", 8), ("OTHER", 1)], id="F-BIG", customer={"id": "c-big"})
    queue = [oid for oid in ids if ids.index(oid) % 10 == 0] + \
            [oid for oid in ids if ids.index(oid) % 10 != 0] + ["F-BIG"]
    assert [x["order"] for x in bo.walk("/v1/backorders?sku=FOLD", limit=1000)] == queue
    return queue


def _feed(bo, after, limit):
    """The events after `after` with pages of `limit`."""
    out, cursor = [], after
    while True:
        r = bo.get(f"/v1/events?after={cursor}&limit={limit}")
        assert r.status_code == 200, r.text
        page = r.json()
        assert len(page["data"]) <= limit
        out.extend(page["data"])
        if page["next"] is None:
            return out
        assert int(page["next"]) == page["data"][-1]["id"]
        cursor = int(page["next"])


def _check_feed(bo, mark, evs):
    """Every page size and every starting point gives the same events."""
    ids = [e["id"] for e in evs]
    assert ids == list(range(mark + 1, mark + 1 + len(evs))), "ids must be dense and increasing"
    for limit in (1, 7, 512, 1000):
        assert _feed(bo, mark, limit) == evs, limit
    for k in (0, 1, 255, 511, 512, 513, len(evs) - 2, len(evs) - 1):
        r = bo.get(f"/v1/events?after={mark + k}&limit=3")
        assert r.status_code == 200, r.text
        assert r.json()["data"] == evs[k:k + 3], k


def test_repromise_and_receipt_events_of_long_queues(bo):
    queue = _queue(bo)
    before = bo.events()
    mark = last_event_id(bo)

    patch_po(bo, "PO-F", eta=D("12-09"))
    evs = _feed(bo, mark, 1000)
    assert len(evs) == 1 + 2 * N + 1
    assert evs[0]["type"] == "po.delayed"
    _check_feed(bo, mark, evs)
    assert bo.events() == before + evs
    # per line, in queue order: promise_changed then delay_notice
    for k, oid in enumerate(queue[:-1]):
        pc, dn = evs[1 + 2 * k], evs[2 + 2 * k]
        assert pc["data"] == {"order": oid, "sku": "FOLD", "line": 1, "old": S("1@12-05"),
                              "new": S("1@12-09"), "first_promise": D("12-05")}, pc
        assert dn["data"] == {"order": oid, "sku": "FOLD", "line": 1, "first_promise": D("12-05"),
                              "promises": S("1@12-09"), "delays": 1, "can_cancel": True}, dn
        assert (pc["type"], dn["type"]) == ("order.promise_changed", "order.delay_notice")
        assert pc["at"] == evs[0]["at"] == dn["at"]
    # the big line's date stays that of the later PO: a new promise, no delay notice
    assert evs[-1]["type"] == "order.promise_changed"
    assert evs[-1]["data"] == {"order": "F-BIG", "sku": "FOLD", "line": 1,
                               "old": S("5@12-05", "3@12-20"), "new": S("5@12-09", "3@12-20"),
                               "first_promise": D("12-20")}

    # what is stored, not only what the events say
    lines = {o["id"]: o["lines"][0] for o in bo.walk("/v1/orders", limit=1000) if o["id"] != "F-BIG"}
    assert len(lines) == N
    for oid, l in lines.items():
        assert (l["promises"], l["first_promise"], l["delay_notices"]) == \
            (S("1@12-09"), D("12-05"), 1), (oid, l)

    # a second delay: lines whose customer consented keep waiting, the others are cancelled
    consenting = set(queue[5:40]) | set(queue[100:101]) | set(queue[250:N:3])
    for oid in sorted(consenting):
        assert bo.post(f"/v1/orders/{oid}/consent", json={}).status_code == 200, oid
    mark1 = last_event_id(bo)
    patch_po(bo, "PO-F", eta=D("12-11"))
    evs2 = _feed(bo, mark1, 1000)
    _check_feed(bo, mark1, evs2)
    lines = {o["id"]: o["lines"][0] for o in bo.walk("/v1/orders", limit=1000) if o["id"] != "F-BIG"}
    for oid, l in lines.items():
        if oid in consenting:
            assert (l["backordered"], l["promises"], l["first_promise"], l["delay_notices"]) == \
                (1, S("1@12-11"), D("12-05"), 2), (oid, l)
        else:
            assert (l["backordered"], l["cancelled"], l["promises"]) == (0, 1, []), (oid, l)
    cancelled = [e["data"]["order"] for e in evs2 if e["type"] == "order.cancelled"]
    assert cancelled == [oid for oid in queue[:-1] if oid not in consenting]
    queue = [oid for oid in queue if oid in consenting] + ["F-BIG"]
    assert [x["order"] for x in bo.walk("/v1/backorders?sku=FOLD", limit=1000)] == queue

    # a consent covers one delay: the same lines moved again (as a simulation
    # shows, committing nothing) would be cancelled
    r = bo.post("/v1/simulations",
                json={"changes": [{"type": "delay", "purchase_order": "PO-F", "days": 1}]})
    assert r.status_code == 200, r.text
    sim_cancelled = [a["order"] for a in r.json()["affected"] if a["change"] == "order.cancelled"]
    assert sim_cancelled == queue[:-1]

    mark2 = evs2[-1]["id"]
    receive(bo, "PO-F", [("FOLD", len(queue) + 4)])
    got = _feed(bo, mark2, 1000)
    _check_feed(bo, mark2, got)
    alloc = [e for e in got if e["type"] == "order.allocated"]
    ready = [e for e in got if e["type"] == "order.ready_to_ship"]
    assert [e["data"]["order"] for e in alloc] == queue
    assert [e["data"]["order"] for e in ready] == queue[:-1]  # F-BIG still waits for 3
    for e in alloc[:-1]:
        assert e["data"] == {"order": e["data"]["order"], "sku": "FOLD", "line": 1, "qty": 1,
                             "allocated": 1, "backordered": 0}
    assert alloc[-1]["data"] == {"order": "F-BIG", "sku": "FOLD", "line": 1, "qty": 5,
                                 "allocated": 5, "backordered": 3}
    assert got[-1]["type"] == "po.received"
    for o in bo.walk("/v1/orders", limit=1000):
        l = o["lines"][0]
        if o["id"] in queue[:-1]:
            assert (l["allocated"], l["backordered"], l["promises"]) == (1, 0, []), o
    assert [(x["order"], x["backordered"]) for x in bo.walk("/v1/backorders?sku=FOLD")] == \
        [("F-BIG", 3)]

    # folded or not, the same feed after a restart
    everything = bo.events()
    bo.restart("kill")
    assert bo.events() == everything
    _check_feed(bo, mark, everything[mark:])


def test_simulation_reports_every_line_of_a_long_queue(bo):
    queue = _queue(bo)
    r = bo.post("/v1/simulations",
                json={"changes": [{"type": "delay", "purchase_order": "PO-F", "days": 4}]})
    assert r.status_code == 200, r.text
    sim = r.json()
    changed = [a for a in sim["affected"] if a["change"] == "order.promise_changed"]
    notices = [a for a in sim["affected"] if a["change"] == "order.delay_notice"]
    assert [a["order"] for a in changed] == queue
    assert [a["order"] for a in notices] == queue[:-1]
    for a in changed[:-1]:
        assert a["new"] == S("1@12-09") and a["sku"] == "FOLD"
        assert a["customer"]["id"] == f"c-{int(a['order'][2:6])}", a
    assert len(sim["events"]) == 1 + len(changed) + len(notices)


def test_ready_to_ship_only_once_no_line_of_the_order_waits(bo):
    supplier(bo, "S-1", 10)
    bo.create_sku("RA", supplier="S-1")
    bo.create_sku("RB", supplier="S-1")             # nothing in stock: its lines wait
    bo.create_sku("RC", supplier="S-1", on_hand=5)  # in stock: its lines are allocated at once
    po(bo, "PO-R", "S-1", D("12-05"), [("RA", 3)])
    bo.place([("RA", 1), ("RB", 1)], id="R-1", customer={"id": "c-1"})
    bo.place([("RA", 1)], id="R-2", customer={"id": "c-2"})
    bo.place([("RC", 1), ("RA", 1)], id="R-3", customer={"id": "c-3"})
    mark = last_event_id(bo)
    receive(bo, "PO-R", [("RA", 3)])
    evs = _feed(bo, mark, 1000)
    assert [e["data"]["order"] for e in evs if e["type"] == "order.allocated"] == ["R-1", "R-2", "R-3"]
    assert [(e["data"]["order"], e["data"]["line"]) for e in evs
            if e["type"] == "order.ready_to_ship"] == [("R-2", 1), ("R-3", 2)]
