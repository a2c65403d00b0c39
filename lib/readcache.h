/* readcache.h - a read cache for the index file while a writer holds it.
 *
 * The one-message writer opens TDB without a map (TDB_NOMMAP, index.c
 * says why), so every read TDB makes is a pread() of a few bytes: a
 * record header, a tailer, a key.  One delivery makes several hundred,
 * most of them the same ones again (each allocation walks the free list
 * and looks left of every entry for a neighbour to merge).  Between the
 * start of a write transaction and its commit the file cannot change:
 * the writer holds TDB's transaction lock and its all-record lock, and
 * TDB itself writes nothing to the file before the commit.  So, in that
 * window only, small reads of the file can be served from memory.
 *
 * The cache answers through md_read_cache_pread(), which the static
 * filter puts in front of the pread() that libtdb.a calls (ld --wrap,
 * filter/static/pread.c).  Where nothing does (shared builds, the
 * aggregator) begin/end only set a thread-local flag.
 */
#pragma once
#include <sys/types.h>

typedef ssize_t (*MdPreadFn) (int fd, void *buf, size_t n, off_t off);

/* From now until md_read_cache_end(), FD's contents do not change: reads
 * of it on this thread may be served from memory.  Forgets anything
 * cached before. */
void md_read_cache_begin (int fd);
/* FD may change again (the commit writes it): forget everything. */
void md_read_cache_end (void);
/* FD was written on this thread: if it is the cached file, the window
 * ends there (TDB writes nothing inside it; this only makes sure). */
void md_read_cache_written (int fd);

/* pread() through the cache: REAL does the reading (one call per run of
 * granules not yet cached).  Anything the cache cannot answer exactly as
 * REAL would (another file, another thread, a large or failing read, the
 * end of the file) goes to REAL as it is. */
ssize_t md_read_cache_pread (int fd, void *buf, size_t n, off_t off,
                             MdPreadFn real);
