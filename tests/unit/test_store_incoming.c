/*
 * test_store_incoming.c — a SKU's open supply as the SQLite store gives it.
 *
 * incoming_load must list the open purchase-order lines of one SKU by ETA,
 * then PO id, then PO line, whatever order they were written in, leave out
 * closed lines and other SKUs, and sum their open units; a database of
 * schema 2 (PO lines without their ETA) is migrated with the ETAs.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

#include "../../src/store/schema_sqlite.h"
#include "../../src/store/store.h"
#include "unit_db.h"

static char db_path[64];

static int setup(void **state) {
  (void)state;
  snprintf(db_path, sizeof db_path, "/tmp/bo-incoming-XXXXXX");
  return unit_db_temp_name(db_path) ? 0 : -1;
}

static int teardown(void **state) {
  (void)state;
  unit_db_remove(db_path);
  return 0;
}

typedef struct po_line_spec {
  const char *sku;
  int64_t qty, received;
  bool open;
} po_line_spec;

static void add_po(bo_store *st, const char *id, bo_day eta, const po_line_spec *l, int n) {
  bo_po po = {.eta = eta, .n_lines = n};
  snprintf(po.id, sizeof po.id, "%s", id);
  snprintf(po.supplier, sizeof po.supplier, "S");
  for (int i = 0; i < n; i++) {
    po.lines[i] = (bo_po_line){.line_no = i + 1, .qty = l[i].qty, .received = l[i].received,
                               .open = l[i].open};
    snprintf(po.lines[i].sku, sizeof po.lines[i].sku, "%s", l[i].sku);
  }
  assert_int_equal(st->ops->po_insert(st, &po), BO_OK);
}

static void test_open_supply_in_order(void **state) {
  (void)state;
  bo_store *st = NULL;
  bo_err err = {0};
  assert_int_equal(bo_store_sqlite_open(db_path, BO_STORE_WRITER, &st, &err), BO_OK);
  assert_int_equal(st->ops->begin(st), BO_OK);
  /* written latest first, ids against their ETAs */
  add_po(st, "PO-A", 300, (po_line_spec[]){{"X", 5, 0, true}}, 1);
  add_po(st, "PO-C", 100, (po_line_spec[]){{"X", 4, 1, true}, {"Y", 9, 0, true}}, 2);
  add_po(st, "PO-B", 100,
         (po_line_spec[]){{"X", 7, 0, true}, {"X", 2, 0, false}, {"X", 6, 0, true}}, 3);
  add_po(st, "PO-D", 200, (po_line_spec[]){{"Y", 1, 0, true}}, 1);

  bo_incomings in;
  assert_int_equal(st->ops->incoming_load(st, "X", &in), BO_OK);
  const struct {
    const char *po;
    int64_t qty;
    bo_day eta;
  } want[] = {{"PO-B", 7, 100}, {"PO-B", 6, 100}, {"PO-C", 3, 100}, {"PO-A", 5, 300}};
  assert_int_equal(in.n, 4);
  for (int i = 0; i < 4; i++) {
    assert_string_equal(in.v[i].po, want[i].po);
    assert_int_equal(in.v[i].qty, want[i].qty);
    assert_int_equal(in.v[i].eta, want[i].eta);
  }
  assert_int_equal(in.total, 21);
  assert_int_equal(st->ops->incoming_load(st, "Y", &in), BO_OK);
  assert_int_equal(in.n, 2);
  assert_string_equal(in.v[0].po, "PO-C");
  assert_string_equal(in.v[1].po, "PO-D");
  assert_int_equal(st->ops->incoming_load(st, "Z", &in), BO_OK);
  assert_int_equal(in.n, 0);
  assert_int_equal(in.total, 0);
  assert_int_equal(st->ops->commit(st), BO_OK);
  st->ops->close(st);
}

static void test_migration_copies_etas(void **state) {
  (void)state;
  sqlite3 *db;
  assert_int_equal(sqlite3_open(db_path, &db), SQLITE_OK);
  assert_true(unit_db_exec(db, bo__sqlite_migrations[0]));
  assert_true(unit_db_exec(db, bo__sqlite_migrations[1]));
  assert_true(unit_db_exec(db, "PRAGMA user_version=2;"
              "INSERT INTO purchase_orders VALUES('PO-1',1,'S',500,0,1,1);"
              "INSERT INTO purchase_orders VALUES('PO-2',2,'S',400,0,1,1);"
              "INSERT INTO po_lines VALUES('PO-1',1,'X',5,0,1);"
              "INSERT INTO po_lines VALUES('PO-2',1,'X',3,1,1);"
              "INSERT INTO po_lines VALUES('PO-2',2,'X',9,9,0);"));
  sqlite3_close(db);
  bo_store *st = NULL;
  bo_err err = {0};
  assert_int_equal(bo_store_sqlite_open(db_path, BO_STORE_WRITER, &st, &err), BO_OK);
  bo_incomings in;
  assert_int_equal(st->ops->incoming_load(st, "X", &in), BO_OK);
  assert_int_equal(in.n, 2);
  assert_string_equal(in.v[0].po, "PO-2");
  assert_int_equal(in.v[0].eta, 400);
  assert_int_equal(in.v[0].qty, 2);
  assert_string_equal(in.v[1].po, "PO-1");
  assert_int_equal(in.v[1].eta, 500);
  assert_int_equal(in.total, 7);
  st->ops->close(st);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_open_supply_in_order, setup, teardown),
      cmocka_unit_test_setup_teardown(test_migration_copies_etas, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
