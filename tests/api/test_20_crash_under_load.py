"""Issue 5: group commit is durable. Many clients place orders at once; the
server is killed with SIGKILL in the middle; every order that got a 2xx is
there after the restart, with the stock it took, and the invariants hold."""
import threading
import time

import requests


def test_sigkill_during_load_loses_no_acknowledged_order(bo):
    skus = [f"LOAD-{i}" for i in range(8)]
    for i, s in enumerate(skus):
        bo.create_sku(s, backorder_policy="allow" if i % 2 else "deny", on_hand=40)

    acked = {}            # order id -> lines as acknowledged
    lock = threading.Lock()
    stop = threading.Event()

    def client(n):
        session = requests.Session()
        k = 0
        while not stop.is_set():
            k += 1
            oid = f"L{n}-{k}"
            body = {"id": oid, "customer": {"id": f"c{n}"},
                    "lines": [{"sku": skus[(n + k) % len(skus)], "qty": 1 + k % 3}]}
            try:
                r = bo.post("/v1/orders", json=body, session=session, timeout=5)
            except requests.RequestException:
                return  # the server is gone
            if r.status_code == 201:
                with lock:
                    acked[oid] = r.json()["lines"]

    threads = [threading.Thread(target=client, args=(n,)) for n in range(16)]
    for t in threads:
        t.start()
    deadline = time.monotonic() + 20
    while len(acked) < 150 and time.monotonic() < deadline:
        time.sleep(0.02)
    bo.kill()             # SIGKILL while the clients are still sending
    stop.set()
    for t in threads:
        t.join()
    assert len(acked) >= 50, f"only {len(acked)} orders acknowledged before the kill"

    bo.start()
    for oid, lines in acked.items():
        r = bo.get(f"/v1/orders/{oid}")
        assert r.status_code == 200, f"acknowledged order {oid} lost: {r.status_code}"
        got = r.json()["lines"]
        assert [(l["sku"], l["qty"]) for l in got] == [(l["sku"], l["qty"]) for l in lines]
    # the stock taken by the surviving orders adds up on every SKU
    orders = bo.walk("/v1/orders", limit=1000)
    for s in skus:
        a = bo.availability(s)
        taken = sum(l["allocated"] for o in orders for l in o["lines"] if l["sku"] == s)
        waiting = sum(l["backordered"] for o in orders for l in o["lines"] if l["sku"] == s)
        assert a["allocated"] == taken and a["backordered"] == waiting
        assert a["on_hand"] == 40
    res = bo.check()
    assert res.returncode == 0, res.stdout + res.stderr
