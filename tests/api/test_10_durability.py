"""An acknowledged write survives a crash (SPEC 3.8)."""
from concurrent.futures import ThreadPoolExecutor


def test_orders_survive_kill_9(bo):
    bo.create_sku("DUR-1", backorder_policy="notify", on_hand=30)
    bo.create_sku("DUR-2", backorder_policy="allow")

    def place(i):
        lines = [{"sku": "DUR-1", "qty": 1}]
        if i % 2:
            lines.append({"sku": "DUR-2", "qty": 2})
        r = bo.post("/v1/orders", json={"id": f"D-{i:03d}", "customer": {"id": f"c-{i}"},
                                        "lines": lines})
        assert r.status_code == 201, r.text
        return r.json()

    # a few at a time, so acknowledged writes share group commits
    with ThreadPoolExecutor(max_workers=4) as pool:
        placed = list(pool.map(place, range(50)))
    assert len(placed) == 50
    av1 = bo.availability("DUR-1")
    av2 = bo.availability("DUR-2")
    assert (av1["on_hand"], av1["allocated"], av1["backordered"]) == (30, 30, 20)
    assert av2["backordered"] == 50

    bo.restart("kill")

    for o in placed:
        r = bo.get(f"/v1/orders/{o['id']}")
        assert r.status_code == 200, f"order {o['id']} lost after kill -9"
        assert r.json()["lines"] == o["lines"]
    assert len(bo.walk("/v1/orders")) == 50
    assert bo.availability("DUR-1") == av1
    assert bo.availability("DUR-2") == av2
    res = bo.check()
    assert res.returncode == 0, res.stdout + res.stderr


def test_sku_and_adjustment_survive_kill_9(bo):
    bo.create_sku("DUR-3", backorder_policy="deny", low_stock_threshold=2)
    bo.adjust("DUR-3", 9, reason="delivery")
    ledger = bo.walk("/v1/skus/DUR-3/ledger")
    events = bo.events()
    bo.restart("kill")
    assert bo.get("/v1/skus/DUR-3").json()["low_stock_threshold"] == 2
    assert bo.availability("DUR-3")["on_hand"] == 9
    assert bo.walk("/v1/skus/DUR-3/ledger") == ledger
    assert bo.events() == events
    # and the server keeps working on the recovered database
    bo.place([("DUR-3", 2)])
    assert bo.availability("DUR-3")["allocated"] == 2


def test_data_survives_a_clean_restart(bo):
    bo.create_sku("DUR-4", backorder_policy="notify", on_hand=1)
    o = bo.place([("DUR-4", 3)]).json()
    bo.restart("term")
    assert bo.get(f"/v1/orders/{o['id']}").json()["lines"] == o["lines"]
    assert bo.walk("/v1/backorders?sku=DUR-4")[0]["order"] == o["id"]
