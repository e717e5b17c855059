"""GET /v1/stats: the writer's group commits, the write-ahead log and the
availability cache, as an operator tunes them (--wal-mb, --cache-entries)."""


def test_stats_count_what_the_server_did(bo):
    assert bo.get("/v1/stats", token=None).status_code == 401
    before = bo.get("/v1/stats").json()
    bo.create_sku("ST-1", backorder_policy="allow", on_hand=2)
    for i in range(5):
        bo.place([("ST-1", 1)], customer={"id": f"c-{i}"})
    after = bo.get("/v1/stats").json()
    w0, w1 = before["writer"], after["writer"]
    assert w1["jobs"] - w0["jobs"] == 6            # the SKU and five orders
    assert 1 <= w1["batches"] - w0["batches"] <= 6
    assert w1["jobs_per_batch"] >= 1
    log = after["log"]
    assert log["checkpoint_at_frames"] == 1024 * 1024 * 1024 // 4096  # the default 1024 MiB
    assert log["pending_frames"] > before["log"]["pending_frames"]
    assert log["checkpoint_cycle"] is False

    # the first read of an availability misses, the next ones hit
    c0 = after["availability_cache"]
    for _ in range(3):
        assert bo.get("/v1/skus/ST-1/availability").status_code == 200
    c1 = bo.get("/v1/stats").json()["availability_cache"]
    assert (c1["misses"] - c0["misses"], c1["hits"] - c0["hits"]) == (1, 2)
    assert c1["entries"] >= 1 and c1["bytes"] > 0
    assert 0 < c1["hit_rate"] <= 1
    assert c1["configured_entries"] == 131072
    # a write to the SKU drops its answer: the next read misses again
    bo.place([("ST-1", 1)])
    bo.get("/v1/skus/ST-1/availability")
    c2 = bo.get("/v1/stats").json()["availability_cache"]
    assert c2["misses"] - c1["misses"] == 1


def test_stats_follow_the_options(bo):
    bo.extra_args = ["--wal-mb", "2", "--cache-entries", "0"]
    bo.restart("term")
    st = bo.get("/v1/stats").json()
    assert st["log"]["checkpoint_at_frames"] == 512
    assert st["availability_cache"] is None  # the cache is off
    assert st["writer"]["jobs"] == 0
