/* index-room.c - the file only grows by being rewritten.
 *
 * TDB's crash recovery (tdb_transaction_recover(), run by whoever opens
 * the file next) writes back the pages a killed commit was overwriting,
 * but never truncates the file to the size it had before that commit.
 * So a commit that extends the file and is killed leaves bytes past the
 * old end that nothing refers to: TDB's fill, a new free record not on
 * the free list, a record whose tailer was not yet written.  tdb_check()
 * rejects them ("Hashes do not match records", "invalid tailer"), or,
 * when they are only fill, calls them dead space, and as its dead_space()
 * reads one byte over and over it takes everything to the end of the file
 * for dead: fine until the file grows again and live records land after
 * it.  TDB also never reuses that space, and sizes its next growth from
 * the larger file.  The same holds for a commit that moves the recovery
 * area to a new, larger one at the end of the file (tdb_recovery_allocate()
 * writes the new area's offset into the header before the commit is
 * safe, so a recovery then leaves the old area unreferenced).
 *
 * So no commit is allowed to extend the file.  Every file is made with
 * room (a large free block) and a recovery area already in it, in a file
 * no one else sees yet, which then appears at the index's path in one
 * step (link() for a new index, rename() for a bigger one).  A
 * transaction that finds the room too small (TDB extended the file in
 * memory, tdb_map_size() says so), or that may save more old data than
 * the recovery area holds, is not committed in place: its whole view
 * (the committed keys and its own writes) is copied into a new file with
 * more room, which replaces the index under the transaction lock, as
 * --expire does (index-expire.c).  That copy is the one-time cost of
 * growing; ordinary commits write only inside the file and into an area
 * that fits them, which TDB's recovery undoes completely.
 */
#include "index-private.h"

#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "error.h"

/* TDB's on-disk layout (tdb_private.h, stable since TDB 1.0): the header
 * holds the offset of the recovery area; a record starts with six 32-bit
 * words, the second its length, the last its magic. */
#define TDB_HEADER_RECOVERY_START 44
#define TDB_RECOVERY_MAGIC_VALUE 0xf53bc0e7U
#define TDB_RECOVERY_INVALID_VALUE 0U

/* Room of a new file; room of a grown one is a quarter of its live
 * bytes (so growing costs one copy per quarter of growth), and at least
 * four times what the transaction that asked for it needs. */
#define MIN_ROOM (2u << 20)
#define ROOM_KEY "meta:room"

static gboolean
fail_errno (GError **error, const char *what, const char *path, int err)
{
  g_set_error (error, MD_ERROR, md_error_code_from_errno (err),
               "cannot %s '%s': %s", what, path, g_strerror (err));
  return FALSE;
}

guint64
md_index_area_capacity (struct tdb_context *tdb)
{
  guint32 start, rec[6];
  int fd = tdb_fd (tdb);

  if (pread (fd, &start, sizeof start, TDB_HEADER_RECOVERY_START) != sizeof start
      || start == 0
      || pread (fd, rec, sizeof rec, start) != sizeof rec)
    return 0;
  /* TDB ignores an area with any other magic and makes a new one. */
  if (rec[5] != TDB_RECOVERY_MAGIC_VALUE && rec[5] != TDB_RECOVERY_INVALID_VALUE)
    return 0;
  return rec[1];
}

/* The room and the recovery area, made in OUT (a file no one else has
 * open): a ballast record of half the room, stored, rewritten in place
 * inside a transaction so that TDB sizes the recovery area for saving
 * all of it (twice that, tdb_expand_adjust()), then deleted.  Storing it
 * extended the file by about twice its size, so the free block left is
 * about the room asked for. */
static gboolean
make_room (struct tdb_context *out, guint64 room, const char *what, const char *path,
           GError **error)
{
  gsize half = MAX (room / 2, 128u << 10);
  g_autofree guint8 *ballast = g_malloc0 (half);
  TDB_DATA key = { (unsigned char *) ROOM_KEY, strlen (ROOM_KEY) };
  TDB_DATA value = { ballast, half };

  errno = 0;
  if (tdb_store (out, key, value, TDB_REPLACE) != 0
      || tdb_transaction_start (out) != 0)
    return fail_errno (error, what, path, errno ? errno : EIO);
  ballast[0] = 1;
  if (tdb_store (out, key, value, TDB_REPLACE) != 0)
    {
      tdb_transaction_cancel (out);
      return fail_errno (error, what, path, errno ? errno : EIO);
    }
  if (tdb_transaction_commit (out) != 0 || tdb_delete (out, key) != 0)
    return fail_errno (error, what, path, errno ? errno : EIO);
  return TRUE;
}

struct tdb_context *
md_index_copy_create (const char *tmp, GError **error)
{
  struct tdb_context *out;

  if (unlink (tmp) != 0 && errno != ENOENT)
    {
      fail_errno (error, "remove", tmp, errno);
      return NULL;
    }
  errno = 0;
  out = tdb_open (tmp, MD_INDEX_HASH_SIZE, MD_INDEX_TDB_FLAGS | TDB_NOSYNC,
                  O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (out == NULL)
    fail_errno (error, "create", tmp, errno ? errno : EIO);
  return out;
}

/* About the bytes in use in OUT: a fresh copy has little free space. */
static guint64
live_bytes (struct tdb_context *out)
{
  struct stat st;
  return fstat (tdb_fd (out), &st) == 0 ? (guint64) st.st_size : 0;
}

gboolean
md_index_copy_install (MdIndex *idx, struct tdb_context *out, const char *tmp,
                       guint64 need, guint64 *size_after, GError **error)
{
  g_autofree char *dir = g_path_get_dirname (idx->path);
  guint64 room = MAX (MAX ((guint64) MIN_ROOM, live_bytes (out) / 4), need * 4);
  struct stat st;

  if (!make_room (out, room, "write", tmp, error))
    return FALSE;
  if (fstat (tdb_fd (out), &st) != 0)
    return fail_errno (error, "stat", tmp, errno);
  if (size_after != NULL)
    *size_after = st.st_size;
  if (idx->max_size != 0 && (guint64) st.st_size > idx->max_size)
    {
      g_set_error (error, MD_ERROR, MD_ERROR_TEMP,
                   "index '%s' would grow to about %" G_GUINT64_FORMAT " bytes, past its limit of %"
                   G_GUINT64_FORMAT " ([index] max_size; a TDB file cannot pass 4 GiB): "
                   "remove old messages with [index] keep_days and mldigest-aggregate --expire, "
                   "or give each list a file of its own with {list} in [index] path",
                   idx->path, (guint64) st.st_size, idx->max_size);
      return FALSE;
    }
  if (fsync (tdb_fd (out)) != 0)
    return fail_errno (error, "sync", tmp, errno);
  /* Writers that open the path from now on get the new file and wait for
   * its lock until the rename is durable (index-expire.c, step 3). */
  if (tdb_transaction_start (out) != 0)
    return fail_errno (error, "lock", tmp, errno ? errno : EIO);
  if (rename (tmp, idx->path) != 0)
    {
      tdb_transaction_cancel (out);
      return fail_errno (error, "rename to", idx->path, errno);
    }
  gboolean ok = md_index_sync_dir (dir, error);
  tdb_transaction_cancel (out);
  return ok;
}

typedef struct {
  struct tdb_context *out;
  int err;
} Copy;

static int
copy_one (struct tdb_context *tdb, TDB_DATA key, TDB_DATA value, void *data)
{
  Copy *c = data;
  errno = 0;
  if (tdb_store (c->out, key, value, TDB_INSERT) == 0)
    return 0;
  c->err = errno ? errno : EIO;
  return -1;
}

gboolean
md_index_grow_locked (MdIndex *idx, guint64 need, GError **error)
{
  g_autofree char *tmp = g_strconcat (idx->path, ".expire", NULL);
  Copy c = { md_index_copy_create (tmp, error), 0 };
  gboolean ok;

  if (c.out == NULL)
    return FALSE;
  /* Inside the transaction the traverse sees its writes too. */
  if (tdb_traverse_read (idx->tdb, copy_one, &c) < 0)
    ok = c.err != 0 ? fail_errno (error, "write", tmp, c.err)
      : (md_index_set_error (idx, 0, "cannot read index", error), FALSE);
  else
    ok = md_index_copy_install (idx, c.out, tmp, need, NULL, error);
  if (tdb_close (c.out) != 0 && ok)
    ok = fail_errno (error, "close", tmp, errno ? errno : EIO);
  if (!ok)
    unlink (tmp);
  return ok;
}

/* A new index: made under a name no one opens (an unnamed file where
 * the file system has them), with its format key, room and recovery
 * area, synced, then linked to PATH; if another process linked its own
 * first, that one is the index. */
static gboolean
link_new (gboolean unnamed, const char *tmp, const char *path, GError **error)
{
  if (linkat (AT_FDCWD, tmp, AT_FDCWD, path, unnamed ? AT_SYMLINK_FOLLOW : 0) == 0
      || errno == EEXIST)
    return TRUE;
  return fail_errno (error, "create index", path, errno);
}

gboolean
md_index_create (const char *path, GError **error)
{
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *tmp = NULL;
  /* TDB opens files by name: an unnamed one through /proc. */
  int fd = access ("/proc/self/fd", X_OK) == 0
    ? open (dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600) : -1;
  g_autoptr (GString) format = md_key_meta ("format");
  TDB_DATA value = { (unsigned char *) MD_INDEX_FORMAT, strlen (MD_INDEX_FORMAT) };
  struct tdb_context *out;
  gboolean ok;

  if (fd >= 0)
    tmp = g_strdup_printf ("/proc/self/fd/%d", fd);
  else
    tmp = g_strdup_printf ("%s.new.%d", path, (int) getpid ());
  errno = 0;
  out = tdb_open (tmp, MD_INDEX_HASH_SIZE, MD_INDEX_TDB_FLAGS | TDB_NOSYNC,
                  O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (out == NULL)
    ok = fail_errno (error, "create index", path, errno ? errno : EIO);
  else
    {
      ok = tdb_store (out, md_key_data (format), value, TDB_INSERT) == 0
        || fail_errno (error, "create index", path, errno ? errno : EIO);
      ok = ok && make_room (out, MIN_ROOM, "create index", path, error);
      if (ok && fsync (tdb_fd (out)) != 0)
        ok = fail_errno (error, "create index", path, errno);
      ok = ok && link_new (fd >= 0, tmp, path, error);
      if (tdb_close (out) != 0 && ok)
        ok = fail_errno (error, "create index", path, errno ? errno : EIO);
    }
  if (fd >= 0)
    close (fd);
  else
    unlink (tmp);
  return ok;
}
