"""A randomized scenario (issue 4, point 6): 1500 mixed operations
from a fixed seed — orders, adjustments, purchase orders, receipts, ETA
moves and PO cancellations, shipments, cancellations, consents and clock
moves — driven through the API against a simple model kept by the test.

The model predicts every split at placement, every refusal (deny, backorder
limit, receipts beyond what is open, shipping or cancelling more than there
is), the hand-out of arriving or released stock in queue order (tier, then
order time, then order id) and every expiry. The only thing it takes from
the server is which backordered units the delay rule and need_by cancelled
(events order.cancelled with reason "delayed" or "need_by", and the split of a
new order with need_by), which it checks against its own counters. Every few
steps the availability counters, every order and `backorder check` are
compared with the model.
"""
import datetime as dt
import random

from helpers_supply import supplier

SEED = 1234
STEPS = 1500
START = dt.datetime(2026, 12, 1, 9, 0, 0, tzinfo=dt.timezone.utc)
EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)

# sku -> (fields at creation, opening stock)
SKUS = {
    "R-A": ({"supplier": "S-1"}, 5),
    "R-B": ({"supplier": "S-1", "max_backorder_days": 4}, 0),
    "R-C": ({"backorder_policy": "deny"}, 10),
    "R-D": ({"supplier": "S-1", "backorder_limit": 8, "handling_days": 1}, 3),
    "R-E": ({"backorder_policy": "notify", "lead_time_days": 2, "max_backorder_days": 9}, 0),
}
POLICY = {"R-C": "deny"}
LIMIT = {"R-D": 8}
MAX_DAYS = {"R-B": 4, "R-E": 9}


class Line:
    def __init__(self, oid, no, sku, qty, tier, t):
        self.oid, self.no, self.sku, self.qty, self.tier, self.t = oid, no, sku, qty, tier, t
        self.alloc = self.bo = self.shipped = self.cancelled = 0

    def key(self):
        return (-self.tier, self.t, self.oid, self.no)

    def counts(self):
        return (self.alloc, self.bo, self.shipped, self.cancelled)


class Model:
    def __init__(self):
        self.on_hand = {s: oh for s, (_, oh) in SKUS.items()}
        self.orders = {}  # oid -> {"lines": [Line], "complete": bool}
        self.pos = {}  # pid -> {"lines": {sku: [qty, received, open]}, "status": str}

    def lines(self, sku=None):
        for o in self.orders.values():
            for l in o["lines"]:
                if sku is None or l.sku == sku:
                    yield l

    def allocated(self, sku):
        return sum(l.alloc for l in self.lines(sku))

    def backordered(self, sku):
        return sum(l.bo for l in self.lines(sku))

    def available(self, sku):
        return self.on_hand[sku] - self.allocated(sku)

    def incoming(self, sku):
        return sum(q - r for p in self.pos.values() for s, (q, r, op) in p["lines"].items()
                   if s == sku and op)

    def hand_out(self, sku):
        """Gives available units to the queue in order; returns [(oid, qty)]."""
        got = []
        free = self.available(sku)
        for l in sorted((l for l in self.lines(sku) if l.bo > 0), key=Line.key):
            if free == 0:
                break
            take = min(free, l.bo)
            l.bo -= take
            l.alloc += take
            free -= take
            got.append((l.oid, take))
        return got

    def status(self, oid):
        ls = self.orders[oid]["lines"]
        qty = sum(l.qty for l in ls)
        cancelled = sum(l.cancelled for l in ls)
        shipped = sum(l.shipped for l in ls)
        if cancelled == qty:
            return "cancelled"
        if shipped + cancelled == qty:
            return "shipped"
        if shipped > 0:
            return "partially_shipped"
        return "open"

    def line(self, oid, sku):
        return next(l for l in self.orders[oid]["lines"] if l.sku == sku)


def _iso(t):
    return (EPOCH + dt.timedelta(seconds=t)).strftime("%Y-%m-%dT%H:%M:%SZ")


def _day(t):
    return t // 86400


def _date(day):
    return (EPOCH + dt.timedelta(days=day)).date().isoformat()


class Driver:
    def __init__(self, bo):
        self.bo = bo
        self.rng = random.Random(SEED)
        self.m = Model()
        self.now = int((START - EPOCH).total_seconds())
        self.mark = 0
        self.n_orders = 0
        self.n_pos = 0
        self.log = []
        self.stats = {}

    def note(self, what):
        self.log.append(what)
        self.stats[what.split()[0]] = self.stats.get(what.split()[0], 0) + 1

    def fail(self, msg):
        raise AssertionError(f"{msg}\nlast steps:\n  " + "\n  ".join(self.log[-15:]))

    def expect(self, cond, msg):
        if not cond:
            self.fail(msg)

    # --- events the model does not predict: the delay rule ------------------

    def new_events(self):
        evs = self.bo.walk(f"/v1/events?after={self.mark}", limit=1000)
        if evs:
            self.mark = evs[-1]["id"]
        return evs

    def apply_auto_cancels(self, evs, expired_expected=None, placed=None):
        expired_seen = {}
        for e in evs:
            if e["type"] != "order.cancelled":
                continue
            d = e["data"]
            reason = d["reason"]
            if reason not in ("delayed", "expired", "need_by"):
                continue  # the explicit cancellations the model made itself
            if d["order"] == placed:
                continue  # the new order's state came with its response
            l = self.m.line(d["order"], d["sku"])
            self.expect(d["qty"] == l.bo if reason == "expired" else 0 < d["qty"] <= l.bo,
                        f"{reason} cancellation {d} but the model has {l.counts()} for {l.oid}")
            if reason == "expired":
                expired_seen[(l.oid, l.sku)] = d["qty"]
            l.bo -= d["qty"]
            l.cancelled += d["qty"]
            self.note(f"auto-cancel {reason} {l.oid} {l.sku} {d['qty']}")
        if expired_expected is not None:
            self.expect(expired_seen == expired_expected,
                        f"expired {expired_seen}, expected {expired_expected}")
        elif expired_seen:
            self.fail(f"units expired without a clock move: {expired_seen}")

    # --- operations ----------------------------------------------------------

    def op_place(self):
        rng, m = self.rng, self.m
        skus = rng.sample(sorted(SKUS), rng.choice([1, 1, 2]))
        lines = [(s, rng.randint(1, 5)) for s in skus]
        tier = rng.choice([0, 0, 0, 1, 2])
        complete = rng.random() < 0.2
        fields = {"ship_policy": "complete" if complete else "partial"}
        if rng.random() < 0.2:
            fields["need_by"] = _date(_day(self.now) + rng.randint(0, 15))
            fields["if_late"] = rng.choice(["keep", "cancel_backorder"])
        self.n_orders += 1
        oid = f"R{self.n_orders:04d}"
        # the model's verdict
        split, refused = [], None
        for s, q in lines:
            a = min(q, m.available(s))
            b = q - a
            if b > 0 and POLICY.get(s) == "deny":
                refused = "out_of_stock"
            elif b > 0 and s in LIMIT and b > LIMIT[s] - m.backordered(s):
                refused = refused or "backorder_limit_reached"
            split.append((a, b))
        r = self.bo.place(lines, id=oid, customer={"id": f"c{tier}", "tier": tier}, expect=None,
                          **fields)
        self.note(f"place {oid} {lines} tier {tier} {fields} -> {r.status_code}")
        if refused:
            self.expect(r.status_code == 409, f"place {lines}: expected 409 {refused}, got {r.status_code} {r.text}")
            return
        self.expect(r.status_code == 201, f"place {lines}: expected 201, got {r.status_code} {r.text}")
        got = r.json()["lines"]
        o = {"lines": [], "complete": complete}
        for i, ((s, q), (a, b)) in enumerate(zip(lines, split)):
            l = Line(oid, i + 1, s, q, tier, self.now)
            g = got[i]
            # what need_by cancelled at once is the server's to say (the model keeps no dates)
            l.alloc, l.bo, l.cancelled = a, g["backordered"], g["cancelled"]
            o["lines"].append(l)
            self.expect((g["allocated"], g["backordered"] + g["cancelled"], g["shipped"]) == (a, b, 0),
                        f"place {oid} {s}: got {g}, expected allocated {a} backordered {b}")
            self.expect(g["cancelled"] == 0 or fields.get("if_late") == "cancel_backorder",
                        f"place {oid} {s}: {g['cancelled']} cancelled without cancel_backorder")
            self.expect(sum(p["qty"] for p in g["promises"]) == g["backordered"],
                        f"place {oid} {s}: promises {g['promises']} do not cover {g['backordered']}")
            if "need_by" in fields and fields["if_late"] == "cancel_backorder":
                self.expect(all(p["date"] <= fields["need_by"] for p in g["promises"]),
                            f"place {oid} {s}: promises {g['promises']} after need_by {fields['need_by']}")
        m.orders[oid] = o
        return oid

    def op_adjust(self):
        s = self.rng.choice(sorted(SKUS))
        delta = self.rng.choice([-3, -2, -1, 1, 2, 3, 4, 6])
        r = self.bo.adjust(s, delta, expect=None)
        self.note(f"adjust {s} {delta} -> {r.status_code}")
        if delta < 0 and -delta > self.m.available(s):
            self.expect(r.status_code == 409, f"adjust {s} {delta}: expected 409, got {r.status_code}")
            return
        self.expect(r.status_code == 201, f"adjust {s} {delta}: {r.status_code} {r.text}")
        self.m.on_hand[s] += delta
        if delta > 0:
            self.m.hand_out(s)

    def op_po(self):
        rng = self.rng
        skus = rng.sample(["R-A", "R-B", "R-D", "R-E"], rng.choice([1, 1, 2]))
        self.n_pos += 1
        pid = f"PO-{self.n_pos:03d}"
        eta = _date(_day(self.now) + rng.randint(0, 8))
        lines = [(s, rng.randint(1, 8)) for s in skus]
        r = self.bo.post("/v1/purchase-orders", json={"id": pid, "supplier": "S-1", "eta": eta,
                                                      "lines": [{"sku": s, "qty": q} for s, q in lines]})
        self.note(f"po {pid} {lines} eta {eta} -> {r.status_code}")
        self.expect(r.status_code == 201, f"po {pid}: {r.status_code} {r.text}")
        self.m.pos[pid] = {"lines": {s: [q, 0, True] for s, q in lines}, "status": "open"}

    def _open_pos(self):
        return sorted(p for p, v in self.m.pos.items() if v["status"] in ("open", "partially_received"))

    def op_receive(self):
        pids = self._open_pos()
        if not pids:
            return self.op_po()
        pid = self.rng.choice(pids)
        p = self.m.pos[pid]
        s = self.rng.choice(sorted(p["lines"]))
        q, rec, is_open = p["lines"][s]
        left = q - rec if is_open else 0
        qty = self.rng.randint(1, left + 2)
        close = self.rng.random() < 0.2
        body = {"lines": [{"sku": s, "qty": qty}], "close": close}
        r = self.bo.post(f"/v1/purchase-orders/{pid}/receipts", json=body)
        self.note(f"receive {pid} {s} {qty} close={close} (open {left}) -> {r.status_code}")
        if qty > left:
            self.expect(r.status_code == 409, f"receipt beyond open: {r.status_code} {r.text}")
            return
        self.expect(r.status_code == 201, f"receipt {pid}: {r.status_code} {r.text}")
        p["lines"][s][1] += qty
        p["lines"][s][2] = p["lines"][s][1] < q
        if close:
            for v in p["lines"].values():
                v[2] = False
        any_open = any(v[2] for v in p["lines"].values())
        any_rec = any(v[1] > 0 for v in p["lines"].values())
        p["status"] = ("partially_received" if any_rec else "open") if any_open else "received"
        self.expect(r.json()["status"] == p["status"], f"PO {pid} status {r.json()['status']}, expected {p['status']}")
        self.m.on_hand[s] += qty
        self.m.hand_out(s)

    def op_patch_po(self):
        pids = self._open_pos()
        if not pids:
            return self.op_po()
        pid = self.rng.choice(pids)
        if self.rng.random() < 0.3:
            r = self.bo.patch(f"/v1/purchase-orders/{pid}", json={"status": "cancelled"})
            self.note(f"cancel {pid} -> {r.status_code}")
            self.expect(r.status_code == 200, f"cancel {pid}: {r.status_code} {r.text}")
            p = self.m.pos[pid]
            for v in p["lines"].values():
                v[2] = False
            p["status"] = "received" if any(v[1] for v in p["lines"].values()) else "cancelled"
            self.expect(r.json()["status"] in ("cancelled", p["status"]), r.text)
            p["status"] = r.json()["status"]
            return
        cur = self.bo.get(f"/v1/purchase-orders/{pid}").json()["eta"]
        days = self.rng.choice([-2, -1, 1, 2, 3, 5])
        eta = (dt.date.fromisoformat(cur) + dt.timedelta(days=days)).isoformat()
        r = self.bo.patch(f"/v1/purchase-orders/{pid}", json={"eta": eta})
        self.note(f"eta {pid} {cur} -> {eta} -> {r.status_code}")
        self.expect(r.status_code == 200, f"eta {pid}: {r.status_code} {r.text}")

    def _orders(self, pred):
        return sorted(o for o in self.m.orders if pred(o))

    def op_ship(self):
        m, rng = self.m, self.rng
        cands = self._orders(lambda o: any(l.alloc for l in m.orders[o]["lines"]))
        if not cands:
            return
        oid = rng.choice(cands)
        ls = m.orders[oid]["lines"]
        if rng.random() < 0.5:
            req = None
            want = {l.sku: l.alloc for l in ls}
        else:
            l = rng.choice(ls)
            want = {l.sku: rng.randint(1, l.alloc + 1)}
            req = [{"sku": l.sku, "qty": want[l.sku]}]
        ok = (m.status(oid) not in ("shipped", "cancelled")
              and not (m.orders[oid]["complete"] and any(l.bo for l in ls))
              and all(want[l.sku] <= l.alloc for l in ls if l.sku in want)
              and sum(want.values()) > 0)
        r = self.bo.post(f"/v1/orders/{oid}/shipments", json={} if req is None else {"lines": req})
        self.note(f"ship {oid} {want} -> {r.status_code}")
        if not ok:
            self.expect(r.status_code == 409, f"ship {oid} {want}: expected 409, got {r.status_code} {r.text}")
            return
        self.expect(r.status_code == 201, f"ship {oid} {want}: {r.status_code} {r.text}")
        for l in ls:
            q = want.get(l.sku, 0)
            l.alloc -= q
            l.shipped += q
            m.on_hand[l.sku] -= q
        self.expect(r.json()["order"]["status"] == m.status(oid), f"status after ship {r.text}")

    def op_cancel(self):
        m, rng = self.m, self.rng
        cands = self._orders(lambda o: m.status(o) not in ("shipped", "cancelled"))
        if not cands:
            return
        oid = rng.choice(cands)
        ls = m.orders[oid]["lines"]
        if rng.random() < 0.4:
            body, want = {"reason": "rnd"}, {l.sku: l.alloc + l.bo for l in ls}
        else:
            l = rng.choice(ls)
            want = {l.sku: rng.randint(1, l.alloc + l.bo + 1)}
            body = {"lines": [{"sku": l.sku, "qty": want[l.sku]}], "reason": "rnd"}
        ok = all(want[l.sku] <= l.alloc + l.bo for l in ls if l.sku in want)
        r = self.bo.post(f"/v1/orders/{oid}/cancel", json=body)
        self.note(f"cancel {oid} {want} -> {r.status_code}")
        if not ok:
            self.expect(r.status_code == 409, f"cancel {oid} {want}: expected 409, got {r.status_code} {r.text}")
            return
        self.expect(r.status_code == 200, f"cancel {oid} {want}: {r.status_code} {r.text}")
        for l in ls:
            q = want.get(l.sku, 0)
            if q == 0:
                continue
            from_bo = min(q, l.bo)
            l.bo -= from_bo
            l.alloc -= q - from_bo
            l.cancelled += q
            m.hand_out(l.sku)

    def op_consent(self):
        cands = self._orders(lambda o: any(l.bo for l in self.m.orders[o]["lines"]))
        if not cands:
            return
        oid = self.rng.choice(cands)
        r = self.bo.post(f"/v1/orders/{oid}/consent")
        self.note(f"consent {oid} -> {r.status_code}")
        self.expect(r.status_code in (200, 409), f"consent {oid}: {r.status_code} {r.text}")

    def op_clock(self):
        hours = self.rng.choice([1, 3, 8, 15, 24, 30, 50])
        old_day = _day(self.now)
        self.now += hours * 3600
        new_day = _day(self.now)
        expected = {}
        if new_day > old_day:
            for l in self.m.lines():
                if l.sku in MAX_DAYS and l.bo > 0 and new_day - _day(l.t) > MAX_DAYS[l.sku]:
                    expected[(l.oid, l.sku)] = l.bo
        self.bo.set_clock(_iso(self.now))
        self.note(f"clock +{hours}h -> {_iso(self.now)} (expect expiry {sorted(expected)})")
        return expected

    # --- verification ----------------------------------------------------------

    def verify_counters(self):
        for s in sorted(SKUS):
            av = self.bo.availability(s)
            m = self.m
            want = (m.on_hand[s], m.allocated(s), m.available(s), m.backordered(s), m.incoming(s))
            got = (av["on_hand"], av["allocated"], av["available"], av["backordered"],
                   sum(x["qty"] for x in av["incoming"]))
            self.expect(got == want, f"{s}: availability (on_hand, allocated, available, backordered, "
                                     f"incoming) {got}, model {want}")

    def verify_orders(self):
        orders = {o["id"]: o for o in self.bo.walk("/v1/orders", limit=1000)}
        self.expect(sorted(orders) == sorted(self.m.orders), "the set of orders differs from the model")
        for oid, mo in self.m.orders.items():
            o = orders[oid]
            got = [(l["sku"], l["allocated"], l["backordered"], l["shipped"], l["cancelled"]) for l in o["lines"]]
            want = [(l.sku,) + l.counts() for l in mo["lines"]]
            self.expect(got == want, f"order {oid}: lines {got}, model {want}")
            self.expect(o["status"] == self.m.status(oid), f"order {oid}: status {o['status']}, model {self.m.status(oid)}")
            for l in o["lines"]:
                self.expect(sum(p["qty"] for p in l["promises"]) == l["backordered"],
                            f"order {oid} {l['sku']}: promises {l['promises']} vs backordered {l['backordered']}")

    def verify_check(self):
        res = self.bo.check()
        self.expect(res.returncode == 0, f"backorder check --db failed:\n{res.stdout}{res.stderr}")


def test_random_operations_against_a_model(bo):
    supplier(bo, "S-1", 7)
    for s, (fields, oh) in SKUS.items():
        if oh:
            bo.create_sku(s, on_hand=oh, **fields)
        else:
            bo.create_sku(s, **fields)
    d = Driver(bo)
    d.mark = d.new_events()[-1]["id"]
    ops = [(d.op_place, 30), (d.op_adjust, 10), (d.op_po, 7), (d.op_receive, 10), (d.op_patch_po, 6),
           (d.op_ship, 12), (d.op_cancel, 12), (d.op_consent, 3), (d.op_clock, 10)]
    fns = [f for f, _ in ops]
    weights = [w for _, w in ops]
    for step in range(1, STEPS + 1):
        op = d.rng.choices(fns, weights)[0]
        res = op()
        d.apply_auto_cancels(d.new_events(), res if op == d.op_clock else None,
                             res if op == d.op_place else None)
        if step % 5 == 0 or (d.log and d.log[-1].endswith("-> 409")):  # a refusal must change nothing
            d.verify_counters()
        if step % 20 == 0:
            d.verify_orders()
            d.verify_check()
    d.verify_counters()
    d.verify_orders()
    d.verify_check()
    # the run exercised every kind of operation, refusals and automatic cancellations included
    for kind in ["place", "adjust", "po", "receive", "ship", "cancel", "clock", "eta"]:
        assert d.stats.get(kind, 0) > 0, (kind, d.stats)
    print("random run:", d.stats)
