"""POST /v1/orders with an Idempotency-Key (SPEC 5): a retry returns the first
result and changes nothing; the same key with another body is refused."""


def order_body(qty=4, **over):
    body = {"customer": {"id": "c-1", "email": "c1@example.com"},
            "lines": [{"sku": "DOLL-1", "qty": qty}]}
    body.update(over)
    return body


def test_retry_with_same_key_returns_the_first_result(bo):
    bo.create_sku("DOLL-1", backorder_policy="notify", on_hand=3)
    key = {"Idempotency-Key": "key-123"}
    first = bo.post("/v1/orders", json=order_body(), headers=key)
    assert first.status_code == 201, first.text
    events_after_first = bo.events()
    av_after_first = bo.availability("DOLL-1")
    second = bo.post("/v1/orders", json=order_body(), headers=key)
    assert second.status_code == 201, second.text
    assert second.json()["id"] == first.json()["id"]
    assert second.json() == first.json()
    orders = bo.walk("/v1/orders")
    assert [o["id"] for o in orders] == [first.json()["id"]]
    av = bo.availability("DOLL-1")
    assert av == av_after_first
    assert (av["on_hand"], av["allocated"], av["backordered"]) == (3, 3, 1)
    assert bo.events() == events_after_first
    assert len(bo.walk("/v1/backorders")) == 1


def test_same_key_with_a_different_body_is_422(bo):
    bo.create_sku("DOLL-1", backorder_policy="notify", on_hand=3)
    key = {"Idempotency-Key": "key-456"}
    first = bo.post("/v1/orders", json=order_body(), headers=key)
    assert first.status_code == 201
    before = bo.snapshot()
    r = bo.post("/v1/orders", json=order_body(qty=5), headers=key)
    assert r.status_code == 422, r.text
    assert set(r.json()["error"]) >= {"code", "message", "field"}
    assert bo.snapshot() == before


def test_different_keys_make_different_orders(bo):
    bo.create_sku("DOLL-1", backorder_policy="notify", on_hand=3)
    a = bo.post("/v1/orders", json=order_body(qty=1), headers={"Idempotency-Key": "k-a"})
    b = bo.post("/v1/orders", json=order_body(qty=1), headers={"Idempotency-Key": "k-b"})
    c = bo.post("/v1/orders", json=order_body(qty=1))
    assert a.status_code == b.status_code == c.status_code == 201
    assert len({a.json()["id"], b.json()["id"], c.json()["id"]}) == 3
    assert bo.availability("DOLL-1")["allocated"] == 3


def test_retry_survives_a_restart(bo):
    bo.create_sku("DOLL-1", backorder_policy="notify", on_hand=3)
    key = {"Idempotency-Key": "key-789"}
    first = bo.post("/v1/orders", json=order_body(), headers=key)
    assert first.status_code == 201
    bo.restart("kill")
    second = bo.post("/v1/orders", json=order_body(), headers=key)
    assert second.status_code == 201
    assert second.json()["id"] == first.json()["id"]
    assert len(bo.walk("/v1/orders")) == 1
    assert bo.availability("DOLL-1")["allocated"] == 3


def test_retry_of_a_refused_order_changes_nothing(bo):
    bo.create_sku("DOLL-1", backorder_policy="deny", on_hand=3)
    key = {"Idempotency-Key": "key-refused"}
    r = bo.post("/v1/orders", json=order_body(qty=4), headers=key)
    assert r.status_code == 409
    r = bo.post("/v1/orders", json=order_body(qty=4), headers=key)
    assert r.status_code == 409
    assert bo.walk("/v1/orders") == []
    assert bo.availability("DOLL-1")["allocated"] == 0
