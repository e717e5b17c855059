"""Helpers for the supply, promise and lifecycle scenarios (test_10 .. test_13).

Only thin wrappers over the HTTP API: every expected value stays written out
in the scenarios themselves.
"""

YEAR = "2026"


def S(*parts):
    """A promise schedule written compactly: S("3@12-06", "2@12-12e") is
    [{"qty":3,"date":"2026-12-06","estimate":False},
     {"qty":2,"date":"2026-12-12","estimate":True}]."""
    out = []
    for p in parts:
        qty, day = p.split("@")
        est = day.endswith("e")
        day = day.rstrip("e")
        if len(day) == 5:
            day = f"{YEAR}-{day}"
        out.append({"qty": int(qty), "date": day, "estimate": est})
    return out


def D(mmdd):
    """A date of the test year: D("12-06") == "2026-12-06"."""
    return f"{YEAR}-{mmdd}"


def supplier(bo, sid, lead_time_days, name=None):
    r = bo.post("/v1/suppliers", json={"id": sid, "name": name or sid, "lead_time_days": lead_time_days})
    assert r.status_code == 201, f"POST /v1/suppliers {sid} -> {r.status_code} {r.text}"
    return r.json()


def po(bo, pid, sup, eta, lines, expect=201):
    """POST /v1/purchase-orders; lines as [(sku, qty), ...]."""
    body = {"supplier": sup, "eta": eta, "lines": [{"sku": s, "qty": q} for s, q in lines]}
    if pid is not None:
        body["id"] = pid
    r = bo.post("/v1/purchase-orders", json=body)
    if expect is not None:
        assert r.status_code == expect, f"POST /v1/purchase-orders {body} -> {r.status_code} {r.text}"
    return r


def get_po(bo, pid):
    r = bo.get(f"/v1/purchase-orders/{pid}")
    assert r.status_code == 200, r.text
    return r.json()


def patch_po(bo, pid, expect=200, **body):
    r = bo.patch(f"/v1/purchase-orders/{pid}", json=body)
    if expect is not None:
        assert r.status_code == expect, f"PATCH /v1/purchase-orders/{pid} {body} -> {r.status_code} {r.text}"
    return r


def receive(bo, pid, lines, close=None, expect=201):
    body = {"lines": [{"sku": s, "qty": q} for s, q in lines]}
    if close is not None:
        body["close"] = close
    r = bo.post(f"/v1/purchase-orders/{pid}/receipts", json=body)
    if expect is not None:
        assert r.status_code == expect, f"receipt {pid} {body} -> {r.status_code} {r.text}"
    return r


def order(bo, oid):
    r = bo.get(f"/v1/orders/{oid}")
    assert r.status_code == 200, r.text
    return r.json()


def line(bo, oid, sku=None):
    """The order's line for sku (its only line when sku is None)."""
    lines = order(bo, oid)["lines"]
    if sku is None:
        assert len(lines) == 1, lines
        return lines[0]
    found = [l for l in lines if l["sku"] == sku]
    assert len(found) == 1, (sku, lines)
    return found[0]


def counts(l):
    """(allocated, backordered, shipped, cancelled) of a line."""
    return (l["allocated"], l["backordered"], l["shipped"], l["cancelled"])


def avail_counts(av):
    return (av["on_hand"], av["allocated"], av["available"], av["backordered"])


def last_event_id(bo):
    evs = bo.events()
    return evs[-1]["id"] if evs else 0


def events_after(bo, mark):
    return [e for e in bo.events() if e["id"] > mark]


def of_type(evs, typ):
    return [e for e in evs if e["type"] == typ]


def by_order(evs, typ):
    """{order id: [data, ...]} of the events of one type."""
    out = {}
    for e in evs:
        if e["type"] == typ:
            out.setdefault(e["data"]["order"], []).append(e["data"])
    return out


def state(bo):
    """Everything observable that a refused or simulated change must leave as it was."""
    snap = bo.snapshot()
    snap["purchase_orders"] = bo.walk("/v1/purchase-orders", limit=1000)
    snap["ledgers"] = {s["sku"]: bo.walk(f"/v1/skus/{s['sku']}/ledger", limit=1000) for s in snap["skus"]}
    snap["availability"] = {s["sku"]: bo.availability(s["sku"]) for s in snap["skus"]}
    return snap


def quote(bo, lines, customer=None):
    body = {"lines": [{"sku": s, "qty": q} for s, q in lines]}
    if customer is not None:
        body["customer"] = customer
    r = bo.post("/v1/quotes", json=body)
    assert r.status_code == 200, f"POST /v1/quotes {body} -> {r.status_code} {r.text}"
    return r.json()
