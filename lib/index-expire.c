/* index-expire.c - retention: old messages out, the space given back.
 *
 * TDB never shrinks a file: a deleted record only joins the free list.
 * So expiry copies what stays into a new file and renames it over the
 * index.  The steps, and why filters delivering meanwhile lose nothing:
 *
 *  1. Take the old file's transaction lock (md_index_begin()).  From now
 *     on no writer can commit to the old file, so the copy is complete.
 *     Writers wait for the lock (polling, up to their --lock-timeout,
 *     then exit 75 and the MTA retries): they never see an error.
 *  2. Copy the live keys into PATH.expire, a file no one else opens,
 *     without transactions (TDB_NOSYNC), then fsync() it: a crash here
 *     leaves only that file, removed by the next expiry.
 *  3. Take the new file's transaction lock too, rename it over PATH and
 *     fsync() the directory.  A writer that opens PATH from now on gets
 *     the new file but waits for its lock until the rename is durable, so
 *     nothing is committed to a file a crash could unname.
 *  4. Release both locks.  Every writer that still holds the old file
 *     (opened before the rename) gets its lock, sees that the file at
 *     PATH is no longer the one it holds (is_current() in index.c, checked
 *     at the start of every transaction), reopens PATH and records there.
 *     The old file is freed when its last reader closes it.
 *
 * A crash after the rename and before step 4 releases the locks with the
 * process: the same check sends the waiting writers to the new file.
 * Two expiries at once are serialised by the same locks.
 */
#include "index-private.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "error.h"

typedef struct {
  MdIndex *idx;
  gint64 cutoff;
  GHashTable *dropped;        /* Message-IDs removed */
  struct tdb_context *out;
  MdExpireStats *stats;
  int err;                    /* errno of a failed store, -1 for TDB's own */
} Expiry;

/* Pass 1: which messages go, by the arrival field alone.  A record that
 * cannot be read is kept: expiry judges age, not validity. */
static int
find_old (struct tdb_context *tdb, TDB_DATA key, TDB_DATA value, void *data)
{
  Expiry *e = data;
  gint64 arrival;

  if (key.dsize < 2 || memcmp (key.dptr, "m:", 2) != 0)
    return 0;
  e->stats->messages++;
  if (md_record_peek_arrival (value.dptr, value.dsize, &arrival) && arrival < e->cutoff)
    g_hash_table_add (e->dropped, g_strndup ((char *) key.dptr + 2, key.dsize - 2));
  return 0;
}

/* The entries of an id list that stay; NULL when none does or the value
 * is not a well-formed list (kept as it is then). */
static GString *
live_entries (Expiry *e, TDB_DATA value, gboolean *malformed)
{
  GString *out = g_string_new (NULL);
  const char *p = (const char *) value.dptr, *end = p + value.dsize;

  *malformed = value.dsize == 0 || end[-1] != '\0';
  while (!*malformed && p < end)
    {
      gsize n = strlen (p) + 1;
      if (!g_hash_table_contains (e->dropped, p))
        g_string_append_len (out, p, n);
      p += n;
    }
  if (*malformed || out->len > 0)
    return out;
  g_string_free (out, TRUE);
  return NULL;
}

static gboolean
is_id_list (TDB_DATA key)
{
  static const char *const prefixes[] = { "t:", "a:", "d:", "s:", "c:" };
  for (guint i = 0; i < G_N_ELEMENTS (prefixes); i++)
    if (key.dsize > 2 && memcmp (key.dptr, prefixes[i], 2) == 0)
      return TRUE;
  return FALSE;
}

static int
store (Expiry *e, TDB_DATA key, TDB_DATA value)
{
  errno = 0;
  if (tdb_store (e->out, key, value, TDB_INSERT) == 0)
    return 0;
  e->err = errno ? errno : -1;
  return -1;
}

/* Pass 2: everything that stays, into the new file.  meta:, x: (the
 * aggregator's state: summaries, sent digests) and any key this code
 * does not know are copied as they are. */
static int
copy_live (struct tdb_context *tdb, TDB_DATA key, TDB_DATA value, void *data)
{
  Expiry *e = data;
  g_autoptr (GString) live = NULL;
  gboolean malformed;

  if (key.dsize > 2 && memcmp (key.dptr, "m:", 2) == 0)
    {
      g_autofree char *id = g_strndup ((char *) key.dptr + 2, key.dsize - 2);
      return g_hash_table_contains (e->dropped, id) ? 0 : store (e, key, value);
    }
  if (!is_id_list (key))
    return store (e, key, value);
  if ((live = live_entries (e, value, &malformed)) == NULL)
    return 0;
  if (malformed)
    return store (e, key, value);
  return store (e, key, (TDB_DATA) { (unsigned char *) live->str, live->len });
}

static gboolean
fail_errno (GError **error, const char *what, const char *path, int err)
{
  g_set_error (error, MD_ERROR, md_error_code_from_errno (err),
               "cannot %s '%s': %s", what, path, g_strerror (err));
  return FALSE;
}

/* Steps 2 and 3: the copy, durable, renamed into place under its lock
 * (with its room and recovery area: index-room.c). */
static gboolean
write_and_swap (Expiry *e, const char *tmp, GError **error)
{
  if (tdb_traverse_read (e->idx->tdb, copy_live, e) < 0)
    {
      if (e->err > 0)
        return fail_errno (error, "write", tmp, e->err);
      md_index_set_error (e->idx, 0, "cannot read index", error);
      return FALSE;
    }
  return md_index_copy_install (e->idx, e->out, tmp, 0, &e->stats->size_after, error);
}

static gboolean
expire_locked (Expiry *e, GError **error)
{
  g_autofree char *tmp = g_strconcat (e->idx->path, ".expire", NULL);
  struct stat st;
  gboolean ok;

  if (fstat (tdb_fd (e->idx->tdb), &st) == 0)
    e->stats->size_before = st.st_size;
  if (tdb_traverse_read (e->idx->tdb, find_old, e) < 0)
    {
      md_index_set_error (e->idx, 0, "cannot read index", error);
      return FALSE;
    }
  if ((e->out = md_index_copy_create (tmp, error)) == NULL)
    return FALSE;
  ok = write_and_swap (e, tmp, error);
  if (tdb_close (e->out) != 0 && ok)
    ok = fail_errno (error, "close", tmp, errno ? errno : EIO);
  if (!ok)
    unlink (tmp);
  return ok;
}

gboolean
md_index_expire (const char *path, gint64 cutoff, guint lock_timeout_ms,
                 MdExpireStats *stats, GError **error)
{
  g_autoptr (GHashTable) dropped = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  MdIndex *idx = md_index_open (path, MD_INDEX_BULK, lock_timeout_ms, error);
  Expiry e = { idx, cutoff, dropped, NULL, stats, 0 };
  gboolean ok;

  memset (stats, 0, sizeof *stats);
  if (idx == NULL || !md_index_begin (idx, error))
    {
      md_index_close (idx, NULL);
      return FALSE;
    }
  ok = expire_locked (&e, error);
  stats->removed = g_hash_table_size (dropped);
  md_index_cancel (idx);
  return md_index_close (idx, ok ? error : NULL) && ok;
}
