"""Backorder policies (SPEC 4): deny, allow, notify, backorder_limit, discontinued;
a refused order changes nothing, across all its lines."""


def stock(av):
    return (av["on_hand"], av["allocated"], av["available"], av["backordered"])


def test_deny_without_stock_is_409_out_of_stock_and_changes_nothing(bo):
    bo.create_sku("BEAR-1", backorder_policy="deny")
    av_before = bo.availability("BEAR-1")
    before = bo.snapshot()
    r = bo.place([("BEAR-1", 1)], id="D-1", expect=409)
    err = r.json()["error"]
    assert err["code"] == "out_of_stock"
    assert err["message"]
    assert err["field"].startswith("lines[0]")
    assert bo.availability("BEAR-1") == av_before
    assert bo.snapshot() == before
    assert len(bo.events()) == len(before["events"])
    assert bo.get("/v1/orders/D-1").status_code == 404


def test_deny_beyond_available_is_409_and_within_is_fine(bo):
    bo.create_sku("BEAR-1", backorder_policy="deny", on_hand=3)
    r = bo.place([("BEAR-1", 4)], expect=409)
    assert r.json()["error"]["code"] == "out_of_stock"
    assert stock(bo.availability("BEAR-1")) == (3, 0, 3, 0)
    line = bo.place([("BEAR-1", 3)]).json()["lines"][0]
    assert (line["allocated"], line["backordered"]) == (3, 0)
    av = bo.availability("BEAR-1")
    assert stock(av) == (3, 3, 0, 0)
    assert av["status"] == "out_of_stock"
    r = bo.place([("BEAR-1", 1)], expect=409)
    assert r.json()["error"]["code"] == "out_of_stock"
    assert bo.get("/v1/backorders?sku=BEAR-1").json()["data"] == []


def test_backorder_limit(bo):
    bo.create_sku("LIM-1", backorder_policy="notify", backorder_limit=5)
    assert bo.get("/v1/skus/LIM-1").json()["backorder_limit"] == 5
    before = bo.snapshot()
    r = bo.place([("LIM-1", 6)], expect=409)
    assert r.json()["error"]["code"] == "backorder_limit_reached"
    assert bo.snapshot() == before
    line = bo.place([("LIM-1", 5)]).json()["lines"][0]
    assert (line["allocated"], line["backordered"]) == (0, 5)
    av = bo.availability("LIM-1")
    assert stock(av) == (0, 0, 0, 5)
    # the limit is reached: nothing more can wait, so it cannot be ordered now
    assert av["status"] == "out_of_stock"
    r = bo.place([("LIM-1", 1)], expect=409)
    assert r.json()["error"]["code"] == "backorder_limit_reached"
    assert stock(bo.availability("LIM-1")) == (0, 0, 0, 5)


def test_backorder_limit_counts_only_the_backordered_part(bo):
    bo.create_sku("LIM-2", backorder_policy="allow", backorder_limit=5, on_hand=2)
    r = bo.place([("LIM-2", 8)], expect=409)  # 2 now + 6 waiting > 5
    assert r.json()["error"]["code"] == "backorder_limit_reached"
    assert stock(bo.availability("LIM-2")) == (2, 0, 2, 0)
    line = bo.place([("LIM-2", 7)]).json()["lines"][0]  # 2 now + 5 waiting
    assert (line["allocated"], line["backordered"]) == (2, 5)
    assert stock(bo.availability("LIM-2")) == (2, 2, 0, 5)


def test_backorder_limit_is_shared_by_orders(bo):
    bo.create_sku("LIM-3", backorder_policy="notify", backorder_limit=5)
    bo.place([("LIM-3", 3)])
    r = bo.place([("LIM-3", 3)], expect=409)
    assert r.json()["error"]["code"] == "backorder_limit_reached"
    bo.place([("LIM-3", 2)])
    assert stock(bo.availability("LIM-3")) == (0, 0, 0, 5)


def test_discontinued_is_never_backordered(bo):
    bo.create_sku("OLD-1", backorder_policy="notify", on_hand=3, discontinued=True)
    assert bo.get("/v1/skus/OLD-1").json()["discontinued"] is True
    before = bo.snapshot()
    r = bo.place([("OLD-1", 4)], expect=409)
    assert r.json()["error"]["code"] == "discontinued"
    assert bo.snapshot() == before
    # what is on hand still sells
    line = bo.place([("OLD-1", 3)]).json()["lines"][0]
    assert (line["allocated"], line["backordered"]) == (3, 0)
    av = bo.availability("OLD-1")
    assert stock(av) == (3, 3, 0, 0)
    assert av["status"] == "out_of_stock"
    r = bo.place([("OLD-1", 1)], expect=409)
    assert r.json()["error"]["code"] == "discontinued"


def test_allow_and_notify_both_accept_backorders(bo):
    for sku, policy in [("ALW-1", "allow"), ("NTF-1", "notify")]:
        bo.create_sku(sku, backorder_policy=policy, on_hand=1)
        line = bo.place([(sku, 4)]).json()["lines"][0]
        assert (line["allocated"], line["backordered"]) == (1, 3), policy
        av = bo.availability(sku)
        assert stock(av) == (1, 1, 0, 3), policy
        assert av["status"] == "backorder", policy
    q = [(x["sku"], x["backordered"]) for x in bo.walk("/v1/backorders")]
    assert sorted(q) == [("ALW-1", 3), ("NTF-1", 3)]


def test_refused_second_line_leaves_first_line_untouched(bo):
    bo.create_sku("A-1", backorder_policy="notify", on_hand=5)
    bo.create_sku("B-1", backorder_policy="deny")
    av_a = bo.availability("A-1")
    ledger_a = bo.get("/v1/skus/A-1/ledger").json()
    before = bo.snapshot()
    r = bo.place([("A-1", 3), ("B-1", 1)], id="MULTI-1", expect=409)
    err = r.json()["error"]
    assert err["code"] == "out_of_stock"
    assert err["field"].startswith("lines[1]")
    assert bo.availability("A-1") == av_a
    assert bo.get("/v1/skus/A-1/ledger").json() == ledger_a
    assert bo.snapshot() == before
    assert bo.get("/v1/orders/MULTI-1").status_code == 404
    # the same order without the refused line goes through
    order = bo.place([("A-1", 3)], id="MULTI-1").json()
    assert order["lines"][0]["allocated"] == 3
    assert stock(bo.availability("A-1")) == (5, 3, 2, 0)


def test_refused_line_among_backordered_lines_changes_nothing(bo):
    bo.create_sku("A-1", backorder_policy="notify", on_hand=1)
    bo.create_sku("B-1", backorder_policy="allow")
    bo.create_sku("C-1", backorder_policy="notify", backorder_limit=2)
    before = bo.snapshot()
    r = bo.place([("A-1", 3), ("B-1", 2), ("C-1", 3)], expect=409)
    assert r.json()["error"]["code"] == "backorder_limit_reached"
    assert bo.snapshot() == before
    assert stock(bo.availability("A-1")) == (1, 0, 1, 0)
    assert stock(bo.availability("B-1")) == (0, 0, 0, 0)


def test_patching_policy_changes_what_is_accepted(bo):
    bo.create_sku("P-1", backorder_policy="deny")
    bo.place([("P-1", 1)], expect=409)
    r = bo.patch("/v1/skus/P-1", json={"backorder_policy": "notify"})
    assert r.status_code == 200, r.text
    assert r.json()["backorder_policy"] == "notify"
    assert bo.get("/v1/skus/P-1").json()["backorder_policy"] == "notify"
    line = bo.place([("P-1", 2)]).json()["lines"][0]
    assert line["backordered"] == 2
