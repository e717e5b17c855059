/*
 * walbuf.h — an SQLite VFS that gathers a commit's log writes into one.
 *
 * SQLite writes each frame of the write-ahead log with two pwrite calls (its
 * 24-byte header, then the page), so a batch of orders that dirties 240
 * pages costs 480 system calls; on this VM a system call costs more than the
 * copy it does. This VFS, a thin layer over the default one, keeps
 * consecutive writes to a "-wal" file in a buffer and writes them with one
 * call when the commit frame is complete, when anything else touches the
 * file, or before the connection publishes new frames to other connections
 * (xShmBarrier). Durability does not change: nothing is synced here, and a
 * commit's frames are all in the file before its commit returns; a failed
 * write fails the commit.
 *
 * Only the writer's connection uses it; readers use the default VFS on the
 * same files.
 *
 * A second VFS name, BO_WALBUF_PACED_VFS, is the checkpointer's: it leaves
 * the log alone and paces the database file's flush instead. A checkpoint
 * copies thousands of pages into the database and then syncs it; one fsync
 * of all of them is a burst of writes that holds up the writer's log
 * flushes (and with them every answer) for tens of milliseconds. Through
 * this VFS the sync first writes the 1 MiB slices the connection dirtied
 * back a few at a time (sync_file_range), so log flushes pass between them,
 * then syncs as before. Pacing the writer's own connection (its short
 * catch-up checkpoints) made those slower: only the checkpointer uses it.
 */
#ifndef BO_STORE_WALBUF_H
#define BO_STORE_WALBUF_H

#define BO_WALBUF_VFS "bo-walbuf"
#define BO_WALBUF_PACED_VFS "bo-walbuf-paced"
#define BO_WALBUF_BYTES_MAX (1024 * 1024) /* larger runs are written as they come */

/* Registers both VFSes (not as the default); safe to call more than once and
 * from any thread. Returns an SQLite result code. */
int bo_walbuf_register(void);

/* Write calls that reached the file system through the VFS so far (for tests
 * and benchmarks). */
long long bo_walbuf_writes(void);

/* Slices of database files written back by the paced VFS so far (for tests and benchmarks). */
long long bo_walbuf_paced_slices(void);

#endif
