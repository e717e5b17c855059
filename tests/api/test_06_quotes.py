"""Quotes (SPEC 4/5): what an order would get, committing nothing."""


def test_quote_splits_like_an_order_and_commits_nothing(bo):
    bo.create_sku("DOLL-1", backorder_policy="notify", on_hand=15)
    av = bo.availability("DOLL-1")
    before = bo.snapshot()
    r = bo.post("/v1/quotes", json={"lines": [{"sku": "DOLL-1", "qty": 20}]})
    assert r.status_code == 200, r.text
    q = r.json()
    assert len(q["lines"]) == 1
    ql = q["lines"][0]
    assert ql["sku"] == "DOLL-1"
    assert ql["qty"] == 20
    assert (ql["allocated"], ql["backordered"]) == (15, 5)
    assert ql["accepted"] is True
    assert sum(p["qty"] for p in ql["promises"]) == 5
    # nothing committed
    assert bo.availability("DOLL-1") == av
    assert bo.snapshot() == before
    # the order placed right after gets what the quote said
    line = bo.place([("DOLL-1", 20)]).json()["lines"][0]
    assert (line["allocated"], line["backordered"]) == (ql["allocated"], ql["backordered"])
    assert line["promises"] == ql["promises"]


def test_quoting_twice_gives_the_same_answer(bo):
    bo.create_sku("DOLL-1", backorder_policy="allow", on_hand=2)
    body = {"lines": [{"sku": "DOLL-1", "qty": 3}], "customer": {"id": "c-1", "tier": 1}}
    a = bo.post("/v1/quotes", json=body)
    b = bo.post("/v1/quotes", json=body)
    assert a.status_code == b.status_code == 200
    assert a.json() == b.json()
    assert bo.availability("DOLL-1")["allocated"] == 0


def test_quote_for_deny_sku_is_not_accepted_with_a_reason(bo):
    bo.create_sku("BEAR-1", backorder_policy="deny", on_hand=1)
    before = bo.snapshot()
    r = bo.post("/v1/quotes", json={"lines": [{"sku": "BEAR-1", "qty": 2}]})
    assert r.status_code == 200, r.text
    ql = r.json()["lines"][0]
    assert ql["accepted"] is False
    assert isinstance(ql["reason"], str) and ql["reason"]
    assert bo.snapshot() == before
    # within stock it is accepted
    ql = bo.post("/v1/quotes", json={"lines": [{"sku": "BEAR-1", "qty": 1}]}).json()["lines"][0]
    assert ql["accepted"] is True
    assert (ql["allocated"], ql["backordered"]) == (1, 0)


def test_quote_reports_each_line(bo):
    bo.create_sku("A-1", backorder_policy="notify", on_hand=1)
    bo.create_sku("B-1", backorder_policy="deny")
    bo.create_sku("C-1", backorder_policy="notify", backorder_limit=1)
    before = bo.snapshot()
    r = bo.post("/v1/quotes", json={"lines": [{"sku": "A-1", "qty": 3}, {"sku": "B-1", "qty": 1},
                                              {"sku": "C-1", "qty": 2}]})
    assert r.status_code == 200, r.text
    q = r.json()
    assert [l["sku"] for l in q["lines"]] == ["A-1", "B-1", "C-1"]
    assert [l["accepted"] for l in q["lines"]] == [True, False, False]
    assert (q["lines"][0]["allocated"], q["lines"][0]["backordered"]) == (1, 2)
    assert q["lines"][1]["reason"] and q["lines"][2]["reason"]
    assert q["lines"][1]["reason"] != q["lines"][2]["reason"]
    assert bo.snapshot() == before


def test_quote_of_discontinued_and_limit(bo):
    bo.create_sku("OLD-1", backorder_policy="notify", discontinued=True)
    ql = bo.post("/v1/quotes", json={"lines": [{"sku": "OLD-1", "qty": 1}]}).json()["lines"][0]
    assert ql["accepted"] is False and ql["reason"]
