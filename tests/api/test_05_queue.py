"""The backorder queue and allocation of arriving stock (SPEC 4): stock goes
to the queue in order of customer tier (higher first), then order time
(earlier first), then order id; positive adjustments allocate at once."""


def queue(bo, sku):
    return [(x["order"], x["backordered"]) for x in bo.walk(f"/v1/backorders?sku={sku}")]


def line_of(bo, oid):
    r = bo.get(f"/v1/orders/{oid}")
    assert r.status_code == 200, r.text
    return r.json()["lines"][0]


def ledger_sum(bo, sku):
    entries = bo.walk(f"/v1/skus/{sku}/ledger")
    for e in entries:
        assert e["sku"] == sku
        assert isinstance(e["reason"], str) and e["reason"]
    return sum(e["delta"] for e in entries), entries


def test_adjustment_goes_to_the_queue_by_tier_then_time(bo):
    bo.create_sku("Q-1", backorder_policy="notify")
    # ids sort against time: the earlier order has the larger id
    bo.place([("Q-1", 2)], id="Z-EARLY", customer={"id": "c-1", "tier": 0})
    bo.set_clock("2026-12-01T09:05:00Z")
    bo.place([("Q-1", 2)], id="A-LATE", customer={"id": "c-2", "tier": 0})
    bo.set_clock("2026-12-01T09:10:00Z")
    bo.place([("Q-1", 2)], id="M-VIP", customer={"id": "c-3", "tier": 2})
    assert queue(bo, "Q-1") == [("M-VIP", 2), ("Z-EARLY", 2), ("A-LATE", 2)]
    q = bo.walk("/v1/backorders?sku=Q-1")
    assert [x["tier"] for x in q] == [2, 0, 0]

    r = bo.adjust("Q-1", 3, reason="found in back room")
    body = r.json()
    assert body["entry"]["delta"] == 3
    assert body["availability"]["on_hand"] == 3
    # tier 2 first (2 units), then the earlier tier-0 order (1 of 2)
    assert line_of(bo, "M-VIP")["allocated"] == 2
    assert line_of(bo, "M-VIP")["backordered"] == 0
    assert (line_of(bo, "Z-EARLY")["allocated"], line_of(bo, "Z-EARLY")["backordered"]) == (1, 1)
    assert (line_of(bo, "A-LATE")["allocated"], line_of(bo, "A-LATE")["backordered"]) == (0, 2)
    assert queue(bo, "Q-1") == [("Z-EARLY", 1), ("A-LATE", 2)]
    av = bo.availability("Q-1")
    assert (av["on_hand"], av["allocated"], av["available"], av["backordered"]) == (3, 3, 0, 3)

    bo.adjust("Q-1", 4, reason="supplier drop-in")
    assert (line_of(bo, "Z-EARLY")["allocated"], line_of(bo, "Z-EARLY")["backordered"]) == (2, 0)
    assert (line_of(bo, "A-LATE")["allocated"], line_of(bo, "A-LATE")["backordered"]) == (2, 0)
    assert queue(bo, "Q-1") == []
    av = bo.availability("Q-1")
    assert (av["on_hand"], av["allocated"], av["available"], av["backordered"]) == (7, 6, 1, 0)

    total, entries = ledger_sum(bo, "Q-1")
    assert total == av["on_hand"] == 7
    assert [e["delta"] for e in entries] == [3, 4]
    assert [e["reason"] for e in entries] == ["found in back room", "supplier drop-in"]


def test_same_time_same_tier_goes_by_order_id(bo):
    bo.create_sku("Q-2", backorder_policy="allow")
    for oid in ["ORD-C", "ORD-A", "ORD-B"]:  # all at the same clock time
        bo.place([("Q-2", 1)], id=oid)
    assert queue(bo, "Q-2") == [("ORD-A", 1), ("ORD-B", 1), ("ORD-C", 1)]
    bo.adjust("Q-2", 1)
    assert line_of(bo, "ORD-A")["allocated"] == 1
    assert line_of(bo, "ORD-B")["allocated"] == 0
    assert queue(bo, "Q-2") == [("ORD-B", 1), ("ORD-C", 1)]


def test_higher_tier_placed_later_jumps_the_queue(bo):
    bo.create_sku("Q-3", backorder_policy="notify")
    bo.place([("Q-3", 5)], id="O-1", customer={"id": "c-1", "tier": 1})
    bo.set_clock("2026-12-01T10:00:00Z")
    bo.place([("Q-3", 5)], id="O-2", customer={"id": "c-2", "tier": 0})
    bo.set_clock("2026-12-01T11:00:00Z")
    bo.place([("Q-3", 5)], id="O-3", customer={"id": "c-3", "tier": 5})
    bo.place([("Q-3", 5)], id="O-4", customer={"id": "c-4", "tier": -1})
    assert [o for o, _ in queue(bo, "Q-3")] == ["O-3", "O-1", "O-2", "O-4"]
    bo.adjust("Q-3", 12)
    assert [line_of(bo, o)["allocated"] for o in ["O-3", "O-1", "O-2", "O-4"]] == [5, 5, 2, 0]
    assert queue(bo, "Q-3") == [("O-2", 3), ("O-4", 5)]


def test_ledger_entries_sum_to_on_hand(bo):
    bo.create_sku("L-1", backorder_policy="notify", on_hand=15)
    bo.place([("L-1", 20)])
    bo.adjust("L-1", 5, reason="recount")
    total, entries = ledger_sum(bo, "L-1")
    av = bo.availability("L-1")
    assert total == av["on_hand"] == 20
    assert entries[0]["delta"] == 15
    ids = [e["id"] for e in entries]
    assert ids == sorted(ids)
    assert entries[-1]["on_hand_after"] == 20


def test_negative_adjustment_beyond_available_is_409_and_changes_nothing(bo):
    bo.create_sku("N-1", backorder_policy="notify", on_hand=10)
    bo.place([("N-1", 4)], id="O-1")
    av = bo.availability("N-1")
    assert av["available"] == 6
    ledger = bo.get("/v1/skus/N-1/ledger").json()
    before = bo.snapshot()
    r = bo.adjust("N-1", -7, expect=409)
    err = r.json()["error"]
    assert err["message"]
    assert bo.availability("N-1") == av
    assert bo.get("/v1/skus/N-1/ledger").json() == ledger
    assert bo.snapshot() == before
    assert line_of(bo, "O-1")["allocated"] == 4
    # exactly what is available may go
    r = bo.adjust("N-1", -6, reason="damaged")
    assert r.json()["availability"]["on_hand"] == 4
    av = bo.availability("N-1")
    assert (av["on_hand"], av["allocated"], av["available"]) == (4, 4, 0)
    total, _ = ledger_sum(bo, "N-1")
    assert total == 4
    r = bo.adjust("N-1", -1, expect=409)
    assert bo.availability("N-1")["on_hand"] == 4


def test_negative_adjustment_below_zero_on_empty_sku_is_409(bo):
    bo.create_sku("N-2", backorder_policy="deny")
    before = bo.snapshot()
    bo.adjust("N-2", -1, expect=409)
    assert bo.snapshot() == before
    assert bo.walk("/v1/skus/N-2/ledger") == []
