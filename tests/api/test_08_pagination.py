"""Lists come as {"data": [...], "next": CURSOR_OR_NULL} (SPEC 5)."""


def walk_pages(bo, path, limit):
    pages, cursor = [], None
    sep = "&" if "?" in path else "?"
    while True:
        url = f"{path}{sep}limit={limit}" + (f"&cursor={cursor}" if cursor is not None else "")
        r = bo.get(url)
        assert r.status_code == 200, f"{url}: {r.text}"
        page = r.json()
        assert set(page) >= {"data", "next"}
        pages.append(page["data"])
        cursor = page["next"]
        if cursor is None:
            return pages
        assert len(pages) < 50, "pagination does not end"


def test_orders_pagination_walks_all_orders_once(bo):
    bo.create_sku("P-1", backorder_policy="allow", on_hand=3)
    ids = set()
    for i in range(5):
        ids.add(bo.place([("P-1", 1)]).json()["id"])
    bo.place([("P-1", 1)], id="X-named")
    ids.add("X-named")
    assert len(ids) == 6
    pages = walk_pages(bo, "/v1/orders", 2)
    assert all(1 <= len(p) <= 2 for p in pages[:-1])
    assert len(pages) >= 3
    got = [o["id"] for p in pages for o in p]
    assert len(got) == len(set(got)), f"duplicates: {got}"
    assert set(got) == ids
    # the default page holds them all
    r = bo.get("/v1/orders").json()
    assert {o["id"] for o in r["data"]} == ids and r["next"] is None
    # each listed order carries its lines
    for p in pages:
        for o in p:
            assert o["lines"][0]["sku"] == "P-1"


def test_skus_pagination_walks_all_skus_once(bo):
    skus = {f"SKU-{i:02d}" for i in range(7)}
    for s in sorted(skus, reverse=True):
        bo.create_sku(s)
    pages = walk_pages(bo, "/v1/skus", 2)
    assert all(len(p) == 2 for p in pages[:-1])
    got = [s["sku"] for p in pages for s in p]
    assert len(got) == len(set(got)), f"duplicates: {got}"
    assert set(got) == skus
    one = walk_pages(bo, "/v1/skus", 1)
    assert [s["sku"] for p in one for s in p] == got


def test_limit_of_exactly_the_count_ends_with_null(bo):
    for i in range(4):
        bo.create_sku(f"E-{i}")
    pages = walk_pages(bo, "/v1/skus", 4)
    got = [s["sku"] for p in pages for s in p]
    assert sorted(got) == ["E-0", "E-1", "E-2", "E-3"]
    assert pages[-1] == [] or len(pages) == 1
    assert bo.get("/v1/skus?limit=1000").json()["next"] is None


def test_empty_lists(bo):
    for path in ["/v1/orders", "/v1/skus", "/v1/backorders"]:
        assert bo.get(path).json() == {"data": [], "next": None}


def test_events_pagination_with_after(bo):
    bo.create_sku("EV-1", backorder_policy="notify")
    for _ in range(3):
        bo.place([("EV-1", 1)])
    everything = bo.get("/v1/events?limit=1000").json()["data"]
    assert len(everything) >= 7
    got, after = [], 0
    while True:
        page = bo.get(f"/v1/events?after={after}&limit=3").json()
        assert len(page["data"]) <= 3
        got.extend(page["data"])
        if not page["data"]:
            break
        after = page["data"][-1]["id"]
    assert got == everything
    first_id = everything[0]["id"]
    assert bo.get(f"/v1/events?after={first_id}").json()["data"] == everything[1:]


def test_backorders_pagination(bo):
    bo.create_sku("BQ-1", backorder_policy="notify")
    for i in range(5):
        bo.place([("BQ-1", 1)], id=f"BQ-O{i}")
    pages = walk_pages(bo, "/v1/backorders?sku=BQ-1", 2)
    got = [x["order"] for p in pages for x in p]
    assert got == [f"BQ-O{i}" for i in range(5)]
