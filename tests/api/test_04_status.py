"""Availability status and message as a storefront shows them (SPEC 4)."""
import pytest


def status(bo, sku):
    av = bo.availability(sku)
    assert av["status"] == bo.get(f"/v1/skus/{sku}").json()["status"], \
        "the SKU resource and availability disagree on the status"
    assert isinstance(av["message"], str) and av["message"]
    return av["status"], av["message"]


def test_in_stock_above_threshold(bo):
    bo.create_sku("S-1", backorder_policy="notify", on_hand=10, low_stock_threshold=3)
    st, _ = status(bo, "S-1")
    assert st == "in_stock"
    bo.place([("S-1", 6)])  # 4 left, threshold 3: still in stock
    assert bo.availability("S-1")["available"] == 4
    assert status(bo, "S-1")[0] == "in_stock"


@pytest.mark.parametrize("threshold", [3, 5])
def test_low_stock_says_only_n_left(bo, threshold):
    bo.create_sku("S-1", backorder_policy="notify", on_hand=10, low_stock_threshold=threshold)
    bo.place([("S-1", 7)])
    av = bo.availability("S-1")
    assert av["available"] == 3
    assert status(bo, "S-1") == ("low_stock", "Only 3 left")


def test_low_stock_from_opening_stock(bo):
    bo.create_sku("S-1", backorder_policy="deny", on_hand=1, low_stock_threshold=3)
    assert status(bo, "S-1") == ("low_stock", "Only 1 left")


def test_backorder_when_nothing_available_but_orderable(bo):
    bo.create_sku("S-1", backorder_policy="notify", on_hand=2, low_stock_threshold=3)
    bo.place([("S-1", 2)])
    st, msg = status(bo, "S-1")
    assert st == "backorder"
    assert msg.startswith("On backorder")
    bo.create_sku("S-2", backorder_policy="allow")
    st, msg = status(bo, "S-2")
    assert st == "backorder"
    assert msg.startswith("On backorder")


def test_out_of_stock_for_deny_with_nothing_available(bo):
    bo.create_sku("S-1", backorder_policy="deny", low_stock_threshold=3)
    assert status(bo, "S-1") == ("out_of_stock", "Out of stock – get notified")
    bo.create_sku("S-2", backorder_policy="deny", on_hand=2, low_stock_threshold=3)
    assert status(bo, "S-2")[0] == "low_stock"
    bo.place([("S-2", 2)])
    assert status(bo, "S-2") == ("out_of_stock", "Out of stock – get notified")
    assert bo.availability("S-2")["earliest_promise"] is None


def test_status_follows_adjustments(bo):
    bo.create_sku("S-1", backorder_policy="deny", low_stock_threshold=2)
    assert status(bo, "S-1")[0] == "out_of_stock"
    bo.adjust("S-1", 2)
    assert status(bo, "S-1") == ("low_stock", "Only 2 left")
    bo.adjust("S-1", 1)
    assert status(bo, "S-1")[0] == "in_stock"
    bo.adjust("S-1", -3)
    assert status(bo, "S-1")[0] == "out_of_stock"


def test_skus_list_filters_by_status(bo):
    bo.create_sku("IN-1", on_hand=10, low_stock_threshold=3)
    bo.create_sku("LOW-1", on_hand=2, low_stock_threshold=3)
    bo.create_sku("BO-1", backorder_policy="notify")
    bo.create_sku("OUT-1", backorder_policy="deny")
    for st, want in [("in_stock", ["IN-1"]), ("low_stock", ["LOW-1"]), ("backorder", ["BO-1"]),
                     ("out_of_stock", ["OUT-1"])]:
        got = [s["sku"] for s in bo.walk(f"/v1/skus?status={st}")]
        assert got == want, st
