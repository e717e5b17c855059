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
