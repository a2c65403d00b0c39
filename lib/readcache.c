/* readcache.c - small reads of the index file served from memory while
 * a write transaction holds it (readcache.h says when that is safe).
 *
 * The file is cached in granules of 256 bytes, read on first use: one
 * pread() brings the one or two granules a small read touches, so a
 * free-list entry, the tailer left of it and the header of its left
 * neighbour mostly cost one system call together, and the next walk of
 * the same list costs none.  Reads larger than a granule (values, whole
 * pages) are left to pread(): they are few and rarely repeated.  At most
 * 255 granules (64 KiB) are kept; past that, reads go to pread() again.
 * A system call costs far more than a page fault's worth of copying
 * here; granules (not pages) keep the memory, and so the page faults of
 * filling it, small.
 */
#include "readcache.h"

#include <glib.h>
#include <string.h>

#define GRANULE   256
#define GRANULES  255          /* kept at most */
#define SLOTS     512          /* open addressing, at most half full */

/* Small: every page of it that is touched costs a page fault, and a
 * delivery touches about 70 granules.  TDB offsets are 32-bit, so a
 * granule number fits a guint32. */
typedef struct {
  guint used;                  /* granules in data[] */
  guint32 key[SLOTS];          /* granule number + 1; 0: empty slot */
  guint8 at[SLOTS];            /* its place in data[] */
  guint16 len[GRANULES];       /* bytes known of each (short at the end of the file) */
  unsigned char data[GRANULES][GRANULE];
} Cache;

/* Per thread: a reader on another thread never sees this one's window.
 * The window is a file descriptor and a flag; the cache itself is made,
 * and emptied, at the first read inside a window, so that where nothing
 * reads through it (shared builds, the aggregator) begin and end cost
 * nothing more. */
static __thread int window_fd = -1;
static __thread gboolean window_fresh;   /* nothing read in it yet */
static __thread Cache *cache;

void
md_read_cache_begin (int fd)
{
  window_fd = fd;
  window_fresh = TRUE;
}

void
md_read_cache_end (void)
{
  window_fd = -1;
}

void
md_read_cache_written (int fd)
{
  if (window_fd == fd)
    window_fd = -1;
}

/* The cache of the open window, empty at its first read. */
static Cache *
window_cache (void)
{
  if (window_fresh)
    {
      if (cache == NULL)
        cache = g_new (Cache, 1);
      memset (cache->key, 0, sizeof cache->key);
      cache->used = 0;
      window_fresh = FALSE;
    }
  return cache;
}

static guint
slot_of (gint64 g)
{
  return (guint) (((guint64) g * G_GUINT64_CONSTANT (0x9E3779B97F4A7C15)) >> 40) & (SLOTS - 1);
}

/* Granule G's place in data[], or -1. */
static int
find (const Cache *c, gint64 g)
{
  for (guint s = slot_of (g);; s = (s + 1) & (SLOTS - 1))
    {
      if (c->key[s] == 0)
        return -1;
      if (c->key[s] == g + 1)
        return c->at[s];
    }
}

static void
keep (Cache *c, gint64 g, const unsigned char *bytes, gsize len)
{
  if (c->used == GRANULES || find (c, g) >= 0)
    return;
  guint s = slot_of (g);
  while (c->key[s] != 0)
    s = (s + 1) & (SLOTS - 1);
  c->key[s] = g + 1;
  c->at[s] = c->used;
  c->len[c->used] = len;
  memcpy (c->data[c->used], bytes, len);
  c->used++;
}

/* Read granules FIRST..LAST (one or two) with one call of REAL and keep
 * what came back; FALSE when the call failed. */
static gboolean
fill (Cache *c, int fd, gint64 first, gint64 last, MdPreadFn real)
{
  unsigned char span[2 * GRANULE];
  ssize_t r = real (fd, span, (last - first + 1) * GRANULE, first * GRANULE);
  if (r < 0)
    return FALSE;
  for (gint64 g = first; g <= last && r > (g - first) * GRANULE; g++)
    keep (c, g, span + (g - first) * GRANULE, MIN (r - (g - first) * GRANULE, GRANULE));
  return TRUE;
}

/* Copy [OFF, OFF + N) out of the cache; FALSE when any of it is not
 * there (not cached, or past the end of what the file had). */
static gboolean
copy_out (const Cache *c, unsigned char *buf, size_t n, off_t off)
{
  while (n > 0)
    {
      gint64 g = off / GRANULE;
      int i = find (c, g);
      gsize from = off - g * GRANULE;
      gsize take = MIN (n, GRANULE - from);
      if (i < 0 || c->len[i] < from + take)
        return FALSE;
      memcpy (buf, c->data[i] + from, take);
      buf += take;
      off += take;
      n -= take;
    }
  return TRUE;
}

ssize_t
md_read_cache_pread (int fd, void *buf, size_t n, off_t off, MdPreadFn real)
{
  if (fd < 0 || fd != window_fd || n == 0 || n > GRANULE || off < 0
      || off + (off_t) n > G_MAXUINT32)
    return real (fd, buf, n, off);
  Cache *c = window_cache ();
  if (copy_out (c, buf, n, off))
    return n;
  if (c->used == GRANULES)
    return real (fd, buf, n, off);
  gint64 first = off / GRANULE, last = (off + (off_t) n - 1) / GRANULE;
  if (fill (c, fd, first, last, real) && copy_out (c, buf, n, off))
    return n;
  /* a failure, the end of the file, or no room: as pread() itself says */
  return real (fd, buf, n, off);
}
