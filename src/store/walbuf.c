/*
 * walbuf.c — see walbuf.h.
 *
 * Every file is the default VFS's file with this layer around it. A "-wal"
 * file keeps a run of consecutive writes [off, off + len) in memory. SQLite
 * writes a frame as its header (24 bytes, bytes 4..7 the database size in
 * pages on a commit frame, else 0) and then its page, so the write after a
 * commit header is the last of the commit: the run is written there and its
 * result is the result of that write. Every other method of the log file,
 * and the database file's xShmBarrier and xShmLock (the points where the
 * connection publishes frames to others or gives up the write lock), write
 * the run first, so no one can see a frame that is not in the file.
 *
 * Through the paced VFS (the same methods; its pAppData is set) a log is
 * passed through untouched and a database file is opened a second time,
 * read-only, for sync_file_range: its writes mark 1 MiB slices dirty and its
 * sync writes those back a few at a time before the real sync.
 */
#include "walbuf.h"

#include <fcntl.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define WAL_FRAME_HEADER_BYTES 24
#define WRITE_CHUNK_BYTES (124 * 1024) /* the unix VFS writes at most 0x1ffff bytes a call */

typedef struct wb_file wb_file;
struct wb_file {
  sqlite3_file base;
  sqlite3_file *real; /* the default VFS's file, allocated right after this one */
  bool is_log;
  wb_file *log; /* on a database file: its open log, if through this VFS */
  wb_file *db;  /* on a log: its database file */
  /* on a log: the run not yet written */
  unsigned char *buf;
  size_t len;
  sqlite3_int64 off;
  bool commit_next;           /* the last write was the header of a commit frame */
  sqlite3_int64 commit_at;    /* where its page goes */
  /* on a database file opened through the paced VFS: the slices written
   * since its last sync, one bit each, and a descriptor to write them back */
  int fd;
  unsigned char *dirty;
  size_t dirty_bytes, dirty_slices;
};

static sqlite3_vfs *g_real;
static _Atomic long long g_writes, g_slices;

/* Writes the pending run; it is dropped even if that fails (the commit that
 * wrote it fails, and its frames are written again by the next one). */
static int run_write(wb_file *p) {
  int rc = SQLITE_OK;
  for (size_t done = 0; done < p->len && rc == SQLITE_OK; done += WRITE_CHUNK_BYTES) {
    const size_t n = p->len - done < WRITE_CHUNK_BYTES ? p->len - done : WRITE_CHUNK_BYTES;
    rc = p->real->pMethods->xWrite(p->real, p->buf + done, (int)n, p->off + (sqlite3_int64)done);
    atomic_fetch_add(&g_writes, 1);
  }
  p->len = 0;
  return rc;
}

static int log_write(wb_file *p, const void *data, int amt, sqlite3_int64 at) {
  const bool header = amt == WAL_FRAME_HEADER_BYTES;
  const bool commit_header = header && memcmp((const unsigned char *)data + 4, "\0\0\0\0", 4) != 0;
  const bool last_of_commit = p->commit_next && !header && at == p->commit_at;
  p->commit_next = commit_header;
  p->commit_at = at + WAL_FRAME_HEADER_BYTES;
  int rc = SQLITE_OK;
  if (p->len > 0 && (at != p->off + (sqlite3_int64)p->len || p->len + (size_t)amt > BO_WALBUF_BYTES_MAX))
    rc = run_write(p);
  if (rc) return rc;
  if (!p->buf && !(p->buf = malloc(BO_WALBUF_BYTES_MAX))) return SQLITE_IOERR_NOMEM;
  if ((size_t)amt > WRITE_CHUNK_BYTES) {
    atomic_fetch_add(&g_writes, 1);
    return p->real->pMethods->xWrite(p->real, data, amt, at);
  }
  if (p->len == 0) p->off = at;
  memcpy(p->buf + p->len, data, (size_t)amt);
  p->len += (size_t)amt;
  return last_of_commit ? run_write(p) : SQLITE_OK;
}

/* --- the database file's paced write-back ---------------------------------- */

#define SLICE_SHIFT 20 /* 1 MiB */
#define SLICE_BYTES ((off_t)1 << SLICE_SHIFT)

/* Marks the slices [at, at + amt) touches. If the map cannot grow the
 * slice simply goes out with the final sync, unpaced. */
static void mark_dirty(wb_file *p, sqlite3_int64 at, int amt) {
  const size_t first = (size_t)(at >> SLICE_SHIFT);
  const size_t last = (size_t)((at + amt - 1) >> SLICE_SHIFT);
  if (last / 8 >= p->dirty_bytes) {
    size_t n = p->dirty_bytes ? p->dirty_bytes : 64;
    while (last / 8 >= n) n *= 2;
    unsigned char *grown = realloc(p->dirty, n);
    if (!grown) return;
    memset(grown + p->dirty_bytes, 0, n - p->dirty_bytes);
    p->dirty = grown;
    p->dirty_bytes = n;
  }
  for (size_t i = first; i <= last; i++) {
    const unsigned char bit = (unsigned char)(1u << (i % 8));
    p->dirty_slices += !(p->dirty[i / 8] & bit);
    p->dirty[i / 8] |= bit;
  }
}

/* Writes the dirty slices back in order with at most SLICES_IN_FLIGHT of
 * them under way, so the device sees a stream of small writes that the
 * log's flushes can pass, instead of the burst of one fsync of them all.
 * (One at a time paced as well but slowed the checkpointer: under a
 * steady load the log started over half as often.) A pass that dirtied
 * fewer than PACE_MIN_SLICES is left to the sync: its burst is short, and
 * pacing it only slows the checkpointer. The caller's real sync follows
 * and makes them, and anything missed here, durable. */
#define SLICES_IN_FLIGHT 4
#define PACE_MIN_SLICES 16

static void write_back_slices(wb_file *p) {
  off_t started[SLICES_IN_FLIGHT];
  size_t n = 0;
  const bool pace = p->dirty_slices >= PACE_MIN_SLICES;
  p->dirty_slices = 0;
  if (!pace) {
    memset(p->dirty, 0, p->dirty_bytes);
    return;
  }
  for (size_t b = 0; b < p->dirty_bytes; b++) {
    for (unsigned bit = 0; p->dirty[b] && bit < 8; bit++) {
      if (!(p->dirty[b] & (1u << bit))) continue;
      if (n >= SLICES_IN_FLIGHT) /* the oldest under way is done first */
        (void)sync_file_range(p->fd, started[n % SLICES_IN_FLIGHT], SLICE_BYTES,
                              SYNC_FILE_RANGE_WAIT_BEFORE);
      const off_t at = (off_t)(b * 8 + bit) << SLICE_SHIFT;
      (void)sync_file_range(p->fd, at, SLICE_BYTES, SYNC_FILE_RANGE_WRITE);
      started[n++ % SLICES_IN_FLIGHT] = at;
      atomic_fetch_add(&g_slices, 1);
    }
    p->dirty[b] = 0;
  }
}

/* --- methods: the log's write, then everything else passed through --------- */

#define REAL(f) (((wb_file *)(f))->real)
/* a log's pending run goes out before anything else touches the file */
#define FLUSHED(f)                                      \
  do {                                                  \
    wb_file *fl_ = (wb_file *)(f);                      \
    if (fl_->is_log && fl_->len > 0) {                  \
      const int frc_ = run_write(fl_);                  \
      if (frc_) return frc_;                            \
    }                                                   \
  } while (0)

static int wb_close(sqlite3_file *f) {
  wb_file *p = (wb_file *)f;
  int rc = p->is_log ? run_write(p) : SQLITE_OK;
  if (p->is_log && p->db) p->db->log = NULL;
  if (!p->is_log && p->log) p->log->db = NULL;
  const int crc = p->real->pMethods->xClose(p->real);
  free(p->buf);
  free(p->dirty);
  if (p->fd >= 0) close(p->fd);
  return rc ? rc : crc;
}

static int wb_read(sqlite3_file *f, void *out, int amt, sqlite3_int64 at) {
  FLUSHED(f);
  return REAL(f)->pMethods->xRead(REAL(f), out, amt, at);
}

static int wb_write(sqlite3_file *f, const void *data, int amt, sqlite3_int64 at) {
  wb_file *p = (wb_file *)f;
  if (p->is_log) return log_write(p, data, amt, at);
  if (p->fd >= 0 && amt > 0) mark_dirty(p, at, amt);
  return p->real->pMethods->xWrite(p->real, data, amt, at);
}

static int wb_truncate(sqlite3_file *f, sqlite3_int64 size) {
  FLUSHED(f);
  return REAL(f)->pMethods->xTruncate(REAL(f), size);
}

static int wb_sync(sqlite3_file *f, int flags) {
  FLUSHED(f);
  wb_file *p = (wb_file *)f;
  if (p->fd >= 0) write_back_slices(p);
  return REAL(f)->pMethods->xSync(REAL(f), flags);
}

static int wb_file_size(sqlite3_file *f, sqlite3_int64 *size) {
  FLUSHED(f);
  return REAL(f)->pMethods->xFileSize(REAL(f), size);
}

static int wb_lock(sqlite3_file *f, int level) {
  FLUSHED(f);
  return REAL(f)->pMethods->xLock(REAL(f), level);
}

static int wb_unlock(sqlite3_file *f, int level) {
  FLUSHED(f);
  return REAL(f)->pMethods->xUnlock(REAL(f), level);
}

static int wb_check_reserved(sqlite3_file *f, int *out) {
  return REAL(f)->pMethods->xCheckReservedLock(REAL(f), out);
}

static int wb_file_control(sqlite3_file *f, int op, void *arg) {
  FLUSHED(f);
  return REAL(f)->pMethods->xFileControl(REAL(f), op, arg);
}

static int wb_sector_size(sqlite3_file *f) { return REAL(f)->pMethods->xSectorSize(REAL(f)); }

static int wb_device_characteristics(sqlite3_file *f) {
  return REAL(f)->pMethods->xDeviceCharacteristics(REAL(f));
}

static int wb_shm_map(sqlite3_file *f, int page, int page_bytes, int extend, void volatile **pp) {
  return REAL(f)->pMethods->xShmMap(REAL(f), page, page_bytes, extend, pp);
}

/* The log's run goes out before the connection takes or gives up a lock of
 * the shared index, and before it publishes a new index header. */
static int wb_shm_lock(sqlite3_file *f, int offset, int n, int flags) {
  wb_file *p = (wb_file *)f;
  if (p->log) FLUSHED(p->log);
  return p->real->pMethods->xShmLock(p->real, offset, n, flags);
}

static void wb_shm_barrier(sqlite3_file *f) {
  wb_file *p = (wb_file *)f;
  /* a failure here has no way back and drops the run; it can only be a
   * rewritten header of a commit whose own write (which fails the commit)
   * came first */
  if (p->log && p->log->len > 0) (void)run_write(p->log);
  p->real->pMethods->xShmBarrier(p->real);
}

static int wb_shm_unmap(sqlite3_file *f, int delete_flag) {
  return REAL(f)->pMethods->xShmUnmap(REAL(f), delete_flag);
}

static int wb_fetch(sqlite3_file *f, sqlite3_int64 at, int amt, void **pp) {
  FLUSHED(f);
  return REAL(f)->pMethods->xFetch(REAL(f), at, amt, pp);
}

static int wb_unfetch(sqlite3_file *f, sqlite3_int64 at, void *pp) {
  return REAL(f)->pMethods->xUnfetch(REAL(f), at, pp);
}

static const sqlite3_io_methods wb_methods = {
    .iVersion = 3,
    .xClose = wb_close,
    .xRead = wb_read,
    .xWrite = wb_write,
    .xTruncate = wb_truncate,
    .xSync = wb_sync,
    .xFileSize = wb_file_size,
    .xLock = wb_lock,
    .xUnlock = wb_unlock,
    .xCheckReservedLock = wb_check_reserved,
    .xFileControl = wb_file_control,
    .xSectorSize = wb_sector_size,
    .xDeviceCharacteristics = wb_device_characteristics,
    .xShmMap = wb_shm_map,
    .xShmLock = wb_shm_lock,
    .xShmBarrier = wb_shm_barrier,
    .xShmUnmap = wb_shm_unmap,
    .xFetch = wb_fetch,
    .xUnfetch = wb_unfetch,
};

/* --- the VFS: xOpen wraps, the rest is the default VFS's -------------------- */

static int wb_open(sqlite3_vfs *vfs, const char *name, sqlite3_file *f, int flags, int *out_flags) {
  const bool paced = vfs->pAppData != NULL;
  wb_file *p = (wb_file *)f;
  memset(p, 0, sizeof *p);
  p->fd = -1;
  p->real = (sqlite3_file *)(p + 1);
  int rc = g_real->xOpen(g_real, name, p->real, flags, out_flags);
  if (rc == SQLITE_OK && (!p->real->pMethods || p->real->pMethods->iVersion < 3))
    rc = SQLITE_CANTOPEN; /* not a file of the default unix VFS: nothing to wrap */
  if (rc != SQLITE_OK) {
    if (p->real->pMethods) p->real->pMethods->xClose(p->real);
    p->base.pMethods = NULL;
    return rc;
  }
  p->base.pMethods = &wb_methods;
  if (paced) {
    /* without its own descriptor the file is simply not paced */
    if ((flags & SQLITE_OPEN_MAIN_DB) && name) p->fd = open(name, O_RDONLY | O_CLOEXEC);
  } else if ((flags & SQLITE_OPEN_WAL) && name) {
    p->is_log = true;
    sqlite3_file *db = sqlite3_database_file_object(name);
    if (db && db->pMethods == &wb_methods) {
      p->db = (wb_file *)db;
      p->db->log = p;
    }
  }
  return SQLITE_OK;
}

static int wb_delete(sqlite3_vfs *v, const char *name, int sync_dir) {
  (void)v;
  return g_real->xDelete(g_real, name, sync_dir);
}
static int wb_access(sqlite3_vfs *v, const char *name, int flags, int *out) {
  (void)v;
  return g_real->xAccess(g_real, name, flags, out);
}
static int wb_full_pathname(sqlite3_vfs *v, const char *name, int n, char *out) {
  (void)v;
  return g_real->xFullPathname(g_real, name, n, out);
}
static void *wb_dl_open(sqlite3_vfs *v, const char *name) {
  (void)v;
  return g_real->xDlOpen(g_real, name);
}
static void wb_dl_error(sqlite3_vfs *v, int n, char *out) {
  (void)v;
  g_real->xDlError(g_real, n, out);
}
static void (*wb_dl_sym(sqlite3_vfs *v, void *lib, const char *sym))(void) {
  (void)v;
  return g_real->xDlSym(g_real, lib, sym);
}
static void wb_dl_close(sqlite3_vfs *v, void *lib) {
  (void)v;
  g_real->xDlClose(g_real, lib);
}
static int wb_randomness(sqlite3_vfs *v, int n, char *out) {
  (void)v;
  return g_real->xRandomness(g_real, n, out);
}
static int wb_sleep(sqlite3_vfs *v, int us) {
  (void)v;
  return g_real->xSleep(g_real, us);
}
static int wb_current_time(sqlite3_vfs *v, double *out) {
  (void)v;
  return g_real->xCurrentTime(g_real, out);
}
static int wb_last_error(sqlite3_vfs *v, int n, char *out) {
  (void)v;
  return g_real->xGetLastError ? g_real->xGetLastError(g_real, n, out) : 0;
}
static int wb_current_time_i64(sqlite3_vfs *v, sqlite3_int64 *out) {
  (void)v;
  return g_real->xCurrentTimeInt64(g_real, out);
}

static sqlite3_vfs g_vfs = {
    .iVersion = 2,
    .zName = BO_WALBUF_VFS,
    .xOpen = wb_open,
    .xDelete = wb_delete,
    .xAccess = wb_access,
    .xFullPathname = wb_full_pathname,
    .xDlOpen = wb_dl_open,
    .xDlError = wb_dl_error,
    .xDlSym = wb_dl_sym,
    .xDlClose = wb_dl_close,
    .xRandomness = wb_randomness,
    .xSleep = wb_sleep,
    .xCurrentTime = wb_current_time,
    .xGetLastError = wb_last_error,
    .xCurrentTimeInt64 = wb_current_time_i64,
};

static sqlite3_vfs g_paced_vfs;
static int g_register_rc = SQLITE_ERROR;

static void register_once(void) {
  g_real = sqlite3_vfs_find(NULL);
  if (!g_real || g_real->iVersion < 2) return;
  g_vfs.szOsFile = (int)sizeof(wb_file) + g_real->szOsFile;
  g_vfs.mxPathname = g_real->mxPathname;
  g_paced_vfs = g_vfs;
  g_paced_vfs.zName = BO_WALBUF_PACED_VFS;
  g_paced_vfs.pAppData = &g_paced_vfs; /* non-NULL: wb_open paces database files */
  g_register_rc = sqlite3_vfs_register(&g_vfs, 0);
  if (g_register_rc == SQLITE_OK) g_register_rc = sqlite3_vfs_register(&g_paced_vfs, 0);
}

int bo_walbuf_register(void) {
  static pthread_once_t once = PTHREAD_ONCE_INIT;
  pthread_once(&once, register_once);
  return g_register_rc;
}

long long bo_walbuf_writes(void) { return atomic_load(&g_writes); }
long long bo_walbuf_paced_slices(void) { return atomic_load(&g_slices); }
