/*
 * gen.h — writes a benchmark database directly with SQL, fast.
 *
 * The schema is created by opening the file with bo_store_sqlite_open in
 * writer mode (the real migrations); the rows are then inserted in big
 * transactions with the journal off, and the file is put back in WAL mode.
 *
 * What it holds, for `skus` SKUs "SKU-0000000".. and `lines` order lines:
 *   - one supplier SUP-1 (lead time 14 days);
 *   - even SKUs in stock: on_hand = stock + what open lines hold allocated,
 *     one "initial_count" ledger entry each;
 *   - odd SKUs on backorder: on_hand 0, policy allow, each on a purchase
 *     order line of `po_qty` units (100 lines per PO, ETAs 7..34 days out);
 *   - orders "H-00000001".. of 3 lines on distinct random SKUs, 1..3 units:
 *     90% of lines shipped, 10% open (allocated on in-stock SKUs,
 *     backordered on the others, promised exactly as placing them would:
 *     the walk of the core against the SKU's supply, behind the units ahead);
 *   - meta: admin_token, tick_day (today, so no start-up tick), bench_gen.
 * Invariants 1-6 hold (`backorder check` passes), except that shipped lines
 * have no shipment rows or ledger entries and no events are written: the
 * tables the start-up path and the hot paths read are the ones filled.
 */
#ifndef BENCH_GEN_H
#define BENCH_GEN_H

#include <stdbool.h>
#include <stdint.h>

typedef struct bench_gen {
  int64_t skus;
  int64_t lines;
  int64_t now;        /* seconds since the epoch: "today" of the promises */
  int64_t stock;      /* available units of each in-stock SKU */
  int64_t po_qty;     /* units on the PO line of each backordered SKU */
  const char *token;  /* admin token kept in meta */
  bool progress;      /* progress lines on stderr */
} bench_gen;

/* The SKU id of index i ("SKU-0000042"); buf needs 32 bytes. */
void bench_sku_id(int64_t i, char *buf);

/* Writes the database at path (replacing any file there). 0 on success. */
int bench_gen_db(const char *path, const bench_gen *g);

/* Whether path holds a database generated with the same sizes (to reuse it). */
bool bench_gen_matches(const char *path, const bench_gen *g);

#endif
