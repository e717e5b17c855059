"""Bad input gets a clear error, in the error shape of SPEC 5, and changes nothing."""
import json

import pytest


def assert_error(r, status, field=None, code=None):
    assert r.status_code == status, f"expected {status}, got {r.status_code}: {r.text}"
    assert r.headers.get("Content-Type", "").startswith("application/json")
    body = r.json()
    assert set(body) == {"error"}, body
    err = body["error"]
    assert {"code", "message", "field"} <= set(err), err
    assert isinstance(err["code"], str) and err["code"]
    assert isinstance(err["message"], str) and err["message"]
    assert isinstance(err["field"], str)
    if field is not None:
        assert err["field"] == field, f"expected field {field!r}, got {err!r}"
    if code is not None:
        assert err["code"] == code, err
    return err


@pytest.fixture
def seeded(bo):
    """Two SKUs and one order, so 'nothing changed' has something to compare."""
    bo.create_sku("DOLL-1", backorder_policy="notify", on_hand=15, low_stock_threshold=3)
    bo.create_sku("BEAR-1", backorder_policy="deny", on_hand=4)
    bo.place([("DOLL-1", 2)], id="A-1")
    before = bo.snapshot()
    yield bo
    assert bo.snapshot() == before, "a refused request changed the data"


def order_body(**over):
    body = {"customer": {"id": "c-1"}, "lines": [{"sku": "DOLL-1", "qty": 1}]}
    body.update(over)
    return body


def test_malformed_json_is_400(seeded):
    for raw in ['{"customer":', "not json", '{"lines": [1,]}', "\x00", '{"a":1}{"b":2}']:
        r = seeded.post("/v1/orders", data=raw, headers={"Content-Type": "application/json"})
        assert_error(r, 400)
    r = seeded.post("/v1/skus", data='{"sku": "X-1",', headers={"Content-Type": "application/json"})
    assert_error(r, 400)
    # the server is still fine
    assert seeded.get("/healthz").status_code == 200


def test_body_not_an_object_is_rejected(seeded):
    for raw in ["[]", "3", '"x"', "null"]:
        r = seeded.post("/v1/orders", data=raw, headers={"Content-Type": "application/json"})
        assert r.status_code in (400, 422), f"{raw!r} -> {r.status_code} {r.text}"
        assert_error(r, r.status_code)


def test_empty_body_is_rejected(seeded):
    r = seeded.post("/v1/orders", data="")
    assert r.status_code in (400, 422), r.text
    assert_error(r, r.status_code)


def test_missing_or_wrong_token_is_401(seeded):
    for token in [None, "wrong", seeded.token + "x", seeded.token[:-1], ""]:
        assert_error(seeded.get("/v1/skus", token=token), 401)
        assert_error(seeded.get("/v1/skus/DOLL-1/availability", token=token), 401)
        assert_error(seeded.post("/v1/orders", json=order_body(), token=token), 401)
        assert_error(seeded.post("/v1/skus", json={"sku": "NEW-1"}, token=token), 401)
    # not a bearer scheme
    r = seeded.get("/v1/skus", token=None, headers={"Authorization": f"Basic {seeded.token}"})
    assert_error(r, 401)
    r = seeded.get("/v1/skus", token=None, headers={"Authorization": seeded.token})
    assert_error(r, 401)


def test_healthz_needs_no_token(seeded):
    r = seeded.get("/healthz", token=None)
    assert r.status_code == 200
    assert r.json() == {"status": "ok"}
    assert seeded.get("/healthz", token="wrong").status_code == 200


def test_unknown_path_is_404(seeded):
    for path in ["/v1/nothing", "/v2/skus", "/v1/skus/DOLL-1/nothing", "/v1", "/v1/orders/A-1/x/y"]:
        assert_error(seeded.get(path), 404)


def test_unknown_resources_are_404(seeded):
    assert_error(seeded.get("/v1/skus/NOPE-1"), 404)
    assert_error(seeded.get("/v1/skus/NOPE-1/availability"), 404)
    assert_error(seeded.get("/v1/skus/NOPE-1/ledger"), 404)
    assert_error(seeded.get("/v1/orders/NOPE-1"), 404)
    assert_error(seeded.post("/v1/skus/NOPE-1/adjustments", json={"delta": 5, "reason": "x"}), 404)
    assert_error(seeded.patch("/v1/skus/NOPE-1", json={"name": "x"}), 404)


def test_order_for_unknown_sku_is_refused(seeded):
    r = seeded.post("/v1/orders", json=order_body(lines=[{"sku": "NOPE-1", "qty": 1}]))
    assert r.status_code in (404, 422), r.text
    assert_error(r, r.status_code)


def test_body_over_1_mib_is_413_and_server_still_answers(seeded):
    big = json.dumps(order_body(customer={"id": "c-1", "email": "a@b.c"}, pad="x" * (1024 * 1024 + 10)))
    assert len(big) > 1024 * 1024
    r = seeded.post("/v1/orders", data=big, headers={"Content-Type": "application/json"})
    assert_error(r, 413)
    r = seeded.post("/v1/skus", data=big, headers={"Content-Type": "application/json"})
    assert_error(r, 413)
    assert seeded.get("/healthz").status_code == 200
    assert seeded.get("/v1/skus/DOLL-1").status_code == 200


def test_request_headers_of_12_kb_are_answered_and_of_64_kb_refused(seeded):
    # the connection's memory pool (server.c) bounds what a request's headers
    # may take: 12 KB of them are answered, 64 KB refused with 431, and the
    # server goes on answering
    r = seeded.post("/v1/quotes", json={"lines": [{"sku": "DOLL-1", "qty": 1}]},
                    headers={"X-Pad": "x" * 12000})
    assert r.status_code == 200, r.text[:300]
    r = seeded.get("/v1/skus/DOLL-1", headers={"X-Pad": "x" * 65536})
    assert r.status_code == 431
    assert seeded.get("/v1/skus/DOLL-1").status_code == 200


def test_body_of_exactly_1_mib_is_not_413(seeded):
    # a valid quote padded with whitespace to exactly 1 MiB is answered normally
    text = json.dumps({"lines": [{"sku": "DOLL-1", "qty": 1}]}).ljust(1024 * 1024)
    assert len(text) == 1024 * 1024
    r = seeded.post("/v1/quotes", data=text, headers={"Content-Type": "application/json"})
    assert r.status_code == 200, r.text[:300]
    assert r.json()["lines"][0]["allocated"] == 1


@pytest.mark.parametrize("raw", ["0", "-1", "-5", "1e12", "1000000000000", "1.5", '"3"', "true",
                                 "null", "[]", "{}"])
def test_bad_qty_is_422_naming_the_field(seeded, raw):
    text = '{"customer":{"id":"c-1"},"lines":[{"sku":"DOLL-1","qty":%s}]}' % raw
    r = seeded.post("/v1/orders", data=text, headers={"Content-Type": "application/json"})
    assert_error(r, 422, field="lines[0].qty")
    r = seeded.post("/v1/quotes", data='{"lines":[{"sku":"DOLL-1","qty":%s}]}' % raw,
                    headers={"Content-Type": "application/json"})
    assert_error(r, 422, field="lines[0].qty")


def test_bad_qty_in_second_line_names_it(seeded):
    r = seeded.post("/v1/orders", json=order_body(lines=[{"sku": "DOLL-1", "qty": 1},
                                                         {"sku": "BEAR-1", "qty": 0}]))
    assert_error(r, 422, field="lines[1].qty")


def test_missing_qty_is_422(seeded):
    r = seeded.post("/v1/orders", json=order_body(lines=[{"sku": "DOLL-1"}]))
    assert_error(r, 422, field="lines[0].qty")


def test_unknown_fields_are_422_naming_them(seeded):
    assert_error(seeded.post("/v1/orders", json=order_body(colour="red")), 422, field="colour")
    assert_error(seeded.post("/v1/orders", json=order_body(lines=[{"sku": "DOLL-1", "qty": 1, "price": 3}])),
                 422, field="lines[0].price")
    assert_error(seeded.post("/v1/orders", json=order_body(customer={"id": "c-1", "tierr": 2})),
                 422, field="customer.tierr")
    assert_error(seeded.post("/v1/skus", json={"sku": "NEW-1", "polcy": "deny"}), 422, field="polcy")
    assert_error(seeded.patch("/v1/skus/DOLL-1", json={"on_hnd": 3}), 422, field="on_hnd")
    assert_error(seeded.post("/v1/skus/DOLL-1/adjustments", json={"delta": 1, "reason": "x", "why": 1}),
                 422, field="why")
    assert_error(seeded.post("/v1/quotes", json={"lines": [{"sku": "DOLL-1", "qty": 1}], "x": 1}),
                 422, field="x")


@pytest.mark.parametrize("bad", ["", "A" * 65, "a b", "é", "DOLL/1", "DOLL-1\n", "x;y"])
def test_bad_sku_ids_are_422(seeded, bad):
    assert_error(seeded.post("/v1/orders", json=order_body(lines=[{"sku": bad, "qty": 1}])),
                 422, field="lines[0].sku")
    assert_error(seeded.post("/v1/skus", json={"sku": bad}), 422, field="sku")
    assert_error(seeded.post("/v1/quotes", json={"lines": [{"sku": bad, "qty": 1}]}),
                 422, field="lines[0].sku")


def test_sku_id_of_64_characters_is_fine(bo):
    sku = "A" * 64
    bo.create_sku(sku, on_hand=1)
    assert bo.get(f"/v1/skus/{sku}").status_code == 200
    assert bo.place([(sku, 1)]).json()["lines"][0]["allocated"] == 1


def test_sku_wrong_types_are_422(seeded):
    for body, field in [({"sku": 5}, "sku"),
                        ({"sku": "N-1", "backorder_policy": "maybe"}, "backorder_policy"),
                        ({"sku": "N-1", "backorder_policy": 1}, "backorder_policy"),
                        ({"sku": "N-1", "on_hand": -1}, "on_hand"),
                        ({"sku": "N-1", "on_hand": 1.5}, "on_hand"),
                        ({"sku": "N-1", "on_hand": "3"}, "on_hand"),
                        ({"sku": "N-1", "backorder_limit": -1}, "backorder_limit"),
                        ({"sku": "N-1", "backorder_limit": "lots"}, "backorder_limit"),
                        ({"sku": "N-1", "low_stock_threshold": -1}, "low_stock_threshold"),
                        ({"sku": "N-1", "discontinued": "yes"}, "discontinued")]:
        assert_error(seeded.post("/v1/skus", json=body), 422, field=field)


def test_duplicate_sku_is_409(seeded):
    r = seeded.post("/v1/skus", json={"sku": "DOLL-1", "on_hand": 99})
    assert_error(r, 409)


def test_lines_empty_or_too_many_is_422(seeded):
    assert_error(seeded.post("/v1/orders", json=order_body(lines=[])), 422, field="lines")
    lines = [{"sku": f"S-{i}", "qty": 1} for i in range(101)]
    assert_error(seeded.post("/v1/orders", json=order_body(lines=lines)), 422, field="lines")
    assert_error(seeded.post("/v1/quotes", json={"lines": []}), 422, field="lines")
    assert_error(seeded.post("/v1/quotes", json={"lines": lines}), 422, field="lines")
    assert_error(seeded.post("/v1/orders", json=order_body(lines={"sku": "DOLL-1", "qty": 1})),
                 422, field="lines")
    body = order_body()
    del body["lines"]
    assert_error(seeded.post("/v1/orders", json=body), 422, field="lines")


def test_duplicate_sku_in_lines_is_422(seeded):
    r = seeded.post("/v1/orders", json=order_body(lines=[{"sku": "DOLL-1", "qty": 1},
                                                         {"sku": "DOLL-1", "qty": 2}]))
    assert_error(r, 422, field="lines[1].sku")


@pytest.mark.parametrize("tier", ["1", 1.5, True, [], {}])
def test_wrong_customer_tier_is_422(seeded, tier):
    r = seeded.post("/v1/orders", json=order_body(customer={"id": "c-1", "tier": tier}))
    assert_error(r, 422, field="customer.tier")


def test_bad_customer_is_422(seeded):
    body = order_body()
    del body["customer"]
    assert_error(seeded.post("/v1/orders", json=body), 422)
    assert_error(seeded.post("/v1/orders", json=order_body(customer="c-1")), 422)
    assert_error(seeded.post("/v1/orders", json=order_body(customer={})), 422)
    assert_error(seeded.post("/v1/orders", json=order_body(customer={"id": 7})), 422, field="customer.id")
    assert_error(seeded.post("/v1/orders", json=order_body(customer={"id": "c-1", "email": "no-at-sign"})),
                 422, field="customer.email")


@pytest.mark.parametrize("need_by", ["2026-13-01", "2026-02-30", "2026-12-1", "12/01/2026", "", 20261201, "2026-12-01T00:00:00Z"])
def test_bad_need_by_is_422(seeded, need_by):
    r = seeded.post("/v1/orders", json=order_body(need_by=need_by))
    assert_error(r, 422, field="need_by")


def test_bad_enums_are_422(seeded):
    assert_error(seeded.post("/v1/orders", json=order_body(ship_policy="whenever")), 422, field="ship_policy")
    assert_error(seeded.post("/v1/orders", json=order_body(if_late="panic")), 422, field="if_late")
    assert_error(seeded.post("/v1/orders", json=order_body(id="has space")), 422, field="id")


def test_duplicate_order_id_is_409(seeded):
    r = seeded.post("/v1/orders", json=order_body(id="A-1"))
    assert_error(r, 409)


def test_bad_list_parameters_are_422(seeded):
    for path in ["/v1/orders?limit=0", "/v1/orders?limit=1001", "/v1/orders?limit=abc",
                 "/v1/skus?limit=-1", "/v1/events?limit=0", "/v1/events?after=-3",
                 "/v1/events?after=x"]:
        assert_error(seeded.get(path), 422)


def test_bad_adjustments_are_422(seeded):
    for body, field in [({"delta": 0, "reason": "x"}, "delta"),
                        ({"delta": 1.5, "reason": "x"}, "delta"),
                        ({"delta": "3", "reason": "x"}, "delta"),
                        ({"reason": "x"}, "delta"),
                        ({"delta": 3}, "reason"),
                        ({"delta": 3, "reason": ""}, "reason"),
                        ({"delta": 3, "reason": 5}, "reason")]:
        assert_error(seeded.post("/v1/skus/DOLL-1/adjustments", json=body), 422, field=field)


def test_wrong_method_is_an_error(seeded):
    r = seeded.request("DELETE", "/v1/skus/DOLL-1")
    assert r.status_code in (404, 405), r.text
    assert_error(r, r.status_code)
