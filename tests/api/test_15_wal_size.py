"""`serve --wal-mb N` bounds the write-ahead log beside the database: once N
MiB wait in it they are copied into the database and the log starts over
from its beginning, so the file stays near N MiB however much is written."""
import os
import struct
from concurrent.futures import ThreadPoolExecutor


def wal_restarts(path):
    """The log header's checkpoint sequence number: how often it started over."""
    with open(path, "rb") as f:
        header = f.read(32)
    assert len(header) == 32 and header[:3] == b"\x37\x7f\x06", "not a write-ahead log"
    return struct.unpack(">I", header[12:16])[0]


def test_small_wal_mb_keeps_the_log_small(bo):
    bo.extra_args = ["--wal-mb", "1"]
    bo.restart("term")
    skus = [f"WAL-{i}" for i in range(40)]
    for s in skus:
        bo.create_sku(s, backorder_policy="allow", on_hand=5)
    wal = bo.db + "-wal"

    def place(i):
        r = bo.post("/v1/orders", json={"customer": {"id": f"c-{i}"},
                                        "lines": [{"sku": skus[(i * 7 + j) % len(skus)], "qty": 1}
                                                  for j in range(3)]})
        assert r.status_code == 201, r.text

    largest = 0
    with ThreadPoolExecutor(max_workers=4) as pool:
        for k in range(8):  # ~30 KiB of log an order: some 30 MiB in all
            list(pool.map(place, range(k * 125, (k + 1) * 125)))
            largest = max(largest, os.path.getsize(wal))
    assert wal_restarts(wal) >= 1, "the log never started over"
    assert largest < 8 * 1024 * 1024, f"the log grew to {largest} bytes with --wal-mb 1"
    assert len(bo.walk("/v1/orders")) == 1000


def test_wal_mb_is_checked(bo):
    assert bo.stop() == 0
    for bad in ("0", "-1", "16385", "1x", ""):
        bo.extra_args = ["--wal-mb", bad]
        try:
            bo.start()
        except AssertionError as e:
            assert "is not valid" in str(e), str(e)
        else:
            raise AssertionError(f"--wal-mb {bad!r} was accepted")
    bo.extra_args = []
    bo.start()
