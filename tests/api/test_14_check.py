"""`backorder check` finds a queue that disagrees with the lines (SPEC 3).

The SQLite store keeps each waiting line in its SKU's queue chunks as well
as in order_lines; the checker must notice when the two part ways. The database
is damaged behind the stopped server's back, checked, then mended, so the
fixture's own check at teardown passes again.
"""
import sqlite3


def _damage(db, *sql):
    con = sqlite3.connect(db)
    with con:
        for s in sql:
            con.execute(s)
    con.close()


def test_check_names_a_queue_out_of_step(bo):
    bo.create_sku("CHK-1", backorder_policy="allow", on_hand=1)
    bo.create_sku("CHK-2", backorder_policy="allow", on_hand=5)
    bo.place([{"sku": "CHK-1", "qty": 3}], customer={"id": "c-1"}, id="O-1")
    bo.place([{"sku": "CHK-2", "qty": 1}], customer={"id": "c-2"}, id="O-2")
    assert bo.stop() == 0
    assert bo.check().returncode == 0

    # the waiting line's queue chunk lost: two units backordered, none queued
    _damage(bo.db, "CREATE TABLE saved AS SELECT * FROM queue_chunks",
            "DELETE FROM queue_chunks")
    res = bo.check()
    assert res.returncode != 0
    assert 'sku "CHK-1": its queue holds 0 units, its counter says 2 backordered' in res.stdout

    # a queue chunk for a SKU with nothing backordered
    _damage(bo.db, "INSERT INTO queue_chunks SELECT * FROM saved",
            "UPDATE queue_chunks SET sku='CHK-2' WHERE sku='CHK-1'")
    res = bo.check()
    assert res.returncode != 0
    assert 'sku "CHK-2": lines wait in its queue, none backordered' in res.stdout

    _damage(bo.db, "DELETE FROM queue_chunks", "INSERT INTO queue_chunks SELECT * FROM saved",
            "DROP TABLE saved")
    res = bo.check()
    assert res.returncode == 0, res.stdout + res.stderr


def test_a_damaged_queue_chunk_is_reported_not_read(bo):
    """Bytes of a queue chunk that are not whole lines: `check` says it
    cannot read the database, the server answers 500 for what needs the
    chunk and keeps serving; mended, all is well again."""
    bo.create_sku("CHK-3", backorder_policy="allow", on_hand=0)
    bo.place([{"sku": "CHK-3", "qty": 2}], customer={"id": "c-3"}, id="O-3")
    assert bo.stop() == 0
    _damage(bo.db, "CREATE TABLE saved AS SELECT * FROM queue_chunks",
            "UPDATE queue_chunks SET lines=x'01ff'")
    res = bo.check()
    assert res.returncode == 2, res.stdout + res.stderr
    assert "cannot read the database" in res.stderr
    assert 'a queue chunk of sku "CHK-3" cannot be read' in res.stderr

    bo.start()
    r = bo.get("/v1/orders/O-3")
    assert r.status_code == 500, r.text
    assert bo.get("/healthz").status_code == 200
    assert bo.get("/v1/skus/CHK-3").status_code == 200
    assert bo.stop() == 0

    _damage(bo.db, "DELETE FROM queue_chunks", "INSERT INTO queue_chunks SELECT * FROM saved",
            "DROP TABLE saved")
    assert bo.check().returncode == 0
    bo.start()
    r = bo.get("/v1/orders/O-3")
    assert r.status_code == 200, r.text
    assert r.json()["lines"][0]["backordered"] == 2
