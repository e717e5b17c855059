"""Concurrent orders never oversell (SPEC 3, 6)."""
import threading

import requests


def test_forty_concurrent_orders_for_ten_units(bo):
    bo.create_sku("HOT-1", backorder_policy="deny", on_hand=10)
    n = 40
    barrier = threading.Barrier(n)
    results = [None] * n

    def worker(i):
        with requests.Session() as s:
            barrier.wait(timeout=30)
            try:
                r = bo.post("/v1/orders", json={"customer": {"id": f"c-{i}"},
                                                "lines": [{"sku": "HOT-1", "qty": 1}]}, session=s)
                results[i] = (r.status_code, r.json())
            except Exception as e:  # recorded and reported below
                results[i] = ("exception", repr(e))

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in threads)
    codes = [r[0] for r in results]
    assert codes.count(201) == 10, codes
    assert codes.count(409) == 30, codes
    for code, body in results:
        if code == 409:
            assert body["error"]["code"] == "out_of_stock"
        else:
            assert body["lines"][0]["allocated"] == 1
    ids = {body["id"] for code, body in results if code == 201}
    assert len(ids) == 10
    av = bo.availability("HOT-1")
    assert (av["on_hand"], av["allocated"], av["available"], av["backordered"]) == (10, 10, 0, 0)
    assert {o["id"] for o in bo.walk("/v1/orders")} == ids
    created = [e for e in bo.events() if e["type"] == "order.created"]
    assert sorted(e["data"]["order"] for e in created) == sorted(ids)
    res = bo.check()
    assert res.returncode == 0, res.stdout + res.stderr


def test_concurrent_backorders_respect_the_limit_and_queue(bo):
    bo.create_sku("HOT-2", backorder_policy="notify", backorder_limit=7, on_hand=5)
    n = 20
    barrier = threading.Barrier(n)
    codes = [None] * n

    def worker(i):
        with requests.Session() as s:
            barrier.wait(timeout=30)
            r = bo.post("/v1/orders", json={"customer": {"id": f"c-{i}", "tier": i % 3},
                                            "lines": [{"sku": "HOT-2", "qty": 1}]}, session=s)
            codes[i] = r.status_code

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert codes.count(201) == 12, codes
    assert codes.count(409) == 8, codes
    av = bo.availability("HOT-2")
    assert (av["on_hand"], av["allocated"], av["available"], av["backordered"]) == (5, 5, 0, 7)
    q = bo.walk("/v1/backorders?sku=HOT-2")
    assert sum(x["backordered"] for x in q) == 7
    tiers = [x["tier"] for x in q]
    assert tiers == sorted(tiers, reverse=True), "queue is not in tier order"


def test_a_change_refused_after_writing_among_concurrent_orders(bo):
    """The writer runs a batch's requests without a savepoint each and runs
    the batch again with savepoints when one fails after writing (writer.h).
    A receipt whose second line would overflow its SKU's stock is refused
    after the first line was booked: nothing of it stays, and the orders
    committed beside it all stand, each answered once with its own order."""
    bo.post("/v1/suppliers", json={"id": "S-R", "name": "S-R", "lead_time_days": 5})
    bo.create_sku("RA")
    bo.create_sku("RB", on_hand=10**9 - 5)
    with requests.Session() as s:  # up to 5 units under the most one SKU can hold
        for _ in range(999):
            r = bo.post("/v1/skus/RB/adjustments", json={"delta": 10**9, "reason": "count"}, session=s)
            assert r.status_code == 201, r.text
    bo.create_sku("RC", on_hand=100)
    r = bo.post("/v1/purchase-orders", json={"id": "PO-R", "supplier": "S-R", "eta": "2026-12-20",
                                              "lines": [{"sku": "RA", "qty": 10},
                                                        {"sku": "RB", "qty": 10}]})
    assert r.status_code == 201, r.text
    n = 24
    barrier = threading.Barrier(n + 1)
    results = [None] * (n + 1)

    def worker(i):
        with requests.Session() as s:
            barrier.wait(timeout=30)
            try:
                if i == n:
                    r = bo.post("/v1/purchase-orders/PO-R/receipts",
                                json={"lines": [{"sku": "RA", "qty": 10}, {"sku": "RB", "qty": 10}]},
                                session=s)
                else:
                    r = bo.post("/v1/orders", json={"id": f"RO-{i}", "customer": {"id": f"c-{i}"},
                                                    "lines": [{"sku": "RC", "qty": 1}]},
                                headers={"Idempotency-Key": f"k-{i}"}, session=s)
                results[i] = (r.status_code, r.json())
            except Exception as e:  # recorded and reported below
                results[i] = ("exception", repr(e))

    for _ in range(3):  # rounds, so that the receipt meets orders in its batch
        results = [None] * (n + 1)
        threads = [threading.Thread(target=worker, args=(i,)) for i in range(n + 1)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=120)
        assert not any(t.is_alive() for t in threads)
        code, body = results[n]
        assert code == 422 and "would exceed" in body["error"]["message"], results[n]
        for i in range(n):
            code, body = results[i]
            assert code in (200, 201), results[i]  # 200: the same order again (idempotent)
            assert body["id"] == f"RO-{i}" and body["lines"][0]["allocated"] == 1, body

    assert bo.availability("RA")["on_hand"] == 0
    assert bo.walk("/v1/skus/RA/ledger") == []
    assert bo.availability("RB")["on_hand"] == 10**12 - 5
    got = bo.get("/v1/purchase-orders/PO-R").json()
    assert got["status"] == "open" and [l["received"] for l in got["lines"]] == [0, 0], got
    av = bo.availability("RC")
    assert (av["on_hand"], av["allocated"]) == (100, n)
    check = bo.check()
    assert check.returncode == 0, check.stdout + check.stderr
