"""The doll example of SPEC 4/5: 15 on hand, an order for 20 splits 15 + 5."""


def test_doll_order_splits_into_allocated_and_backordered(bo):
    sku = bo.create_sku("DOLL-1", name="Doll", backorder_policy="notify", on_hand=15)
    assert sku["sku"] == "DOLL-1"
    assert sku["backorder_policy"] == "notify"
    assert sku["on_hand"] == 15

    r = bo.place([("DOLL-1", 20)], customer={"id": "c-9", "email": "c9@example.com", "tier": 0})
    order = r.json()
    oid = order["id"]
    assert isinstance(oid, str) and oid
    assert order["status"] == "open"
    assert order["created_at"] == "2026-12-01T09:00:00Z"
    assert order["customer"]["id"] == "c-9"
    assert order["customer"]["email"] == "c9@example.com"
    assert order["customer"]["tier"] == 0
    assert order["ship_policy"] == "partial"
    assert len(order["lines"]) == 1
    line = order["lines"][0]
    assert line["sku"] == "DOLL-1"
    assert line["qty"] == 20
    assert line["allocated"] == 15
    assert line["backordered"] == 5
    assert line["shipped"] == 0
    assert line["cancelled"] == 0
    # the 5 waiting units are promised: the quantities of the schedule cover them
    assert isinstance(line["promises"], list)
    assert sum(p["qty"] for p in line["promises"]) == 5
    for p in line["promises"]:
        assert set(p) >= {"qty", "date", "estimate"}
    assert "first_promise" in line

    av = bo.availability("DOLL-1")
    assert av["sku"] == "DOLL-1"
    assert av["on_hand"] == 15
    assert av["allocated"] == 15
    assert av["available"] == 0
    assert av["backordered"] == 5
    assert av["status"] == "backorder"
    assert av["message"].startswith("On backorder")
    assert av["incoming"] == []

    got = bo.get(f"/v1/orders/{oid}")
    assert got.status_code == 200
    g = got.json()
    assert g["id"] == oid
    assert g["lines"] == order["lines"]
    assert g["customer"] == order["customer"]
    assert g["status"] == order["status"]

    # the SKU resource agrees with availability
    s = bo.get("/v1/skus/DOLL-1").json()
    assert (s["on_hand"], s["allocated"], s["backordered"]) == (15, 15, 5)


def test_doll_backorder_listed_and_events_recorded(bo):
    bo.create_sku("DOLL-1", backorder_policy="notify", on_hand=15)
    events_before = bo.events()
    oid = bo.place([("DOLL-1", 20)], id="A-1001").json()["id"]
    assert oid == "A-1001"

    q = bo.get("/v1/backorders")
    assert q.status_code == 200
    data = q.json()["data"]
    assert len(data) == 1
    assert data[0]["order"] == "A-1001"
    assert data[0]["sku"] == "DOLL-1"
    assert data[0]["backordered"] == 5
    assert q.json()["next"] is None

    q2 = bo.get("/v1/backorders?sku=DOLL-1").json()["data"]
    assert [(x["order"], x["backordered"]) for x in q2] == [("A-1001", 5)]
    assert bo.get("/v1/backorders?sku=OTHER").json()["data"] == []

    events = bo.events()
    ids = [e["id"] for e in events]
    assert ids == sorted(ids) and len(set(ids)) == len(ids), "event ids increase in commit order"
    new = events[len(events_before):]
    assert [e["id"] for e in events[:len(events_before)]] == [e["id"] for e in events_before]
    types = [e["type"] for e in new]
    assert "order.created" in types
    assert "order.backordered" in types
    created = next(e for e in new if e["type"] == "order.created")
    backordered = next(e for e in new if e["type"] == "order.backordered")
    assert created["data"]["order"] == "A-1001"
    assert backordered["data"]["order"] == "A-1001"
    assert created["id"] < backordered["id"]
    assert created["at"] == "2026-12-01T09:00:00Z"
    for e in new:
        assert set(e) >= {"id", "type", "at", "data"}


def test_fully_allocated_order_is_not_backordered(bo):
    bo.create_sku("DOLL-1", backorder_policy="notify", on_hand=15)
    n0 = len(bo.events())
    order = bo.place([("DOLL-1", 15)], id="A-1").json()
    line = order["lines"][0]
    assert (line["allocated"], line["backordered"]) == (15, 0)
    assert line["promises"] == []
    new = bo.events()[n0:]
    assert "order.created" in [e["type"] for e in new]
    assert "order.backordered" not in [e["type"] for e in new]
    assert bo.get("/v1/backorders").json()["data"] == []
    av = bo.availability("DOLL-1")
    assert (av["on_hand"], av["allocated"], av["available"], av["backordered"]) == (15, 15, 0, 0)
