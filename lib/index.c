/* index.c - opening the TDB index, transactions, the read/write primitives
 * and the aggregator's state (index-add.c records messages).
 *
 * Concurrency: procmail starts one filter per message, so many writers
 * race for the index while the aggregator reads it.  TDB gives us
 * fcntl() locks and transactions; a writer holds the transaction lock
 * from md_index_begin() (or the start of md_index_add()) to the commit.
 * TDB only offers a blocking or a non-blocking lock, and a mail filter
 * must neither hang forever nor give up at once, so we poll the
 * non-blocking call with a growing, jittered sleep until lock_timeout_ms
 * and then fail with MD_ERROR_TEMP: the MTA keeps the mail and retries.
 *
 * Durability: transactions are synced (no TDB_NOSYNC).  When
 * tdb_transaction_commit() returns 0 the data, and the recovery record
 * that makes a crash mid-commit harmless, are on disk; a new file's
 * directory entry is synced too.  So a filter that exits 0 has recorded
 * the message for good.  A commit costs four fdatasync() calls (recovery
 * data, its magic, the new data, the cleared magic), against one for a
 * plain file: each orders a write the next one relies on, so none can be
 * dropped or merged without making a crash mid-commit able to corrupt
 * the file; that is most of the filter's distance from a bare write +
 * fdatasync (bench/README, section 4).
 */
#include "index-private.h"

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <fcntl.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include <glib/gstdio.h>
#include "error.h"
#include "readcache.h"
#include "stored.h"


char *
md_index_default_path (void)
{
  const char *env = g_getenv ("MLDIGEST_INDEX");
  if (env != NULL && *env != '\0')
    return g_strdup (env);
  return g_build_filename (g_get_user_data_dir (), "mldigest", "index.tdb", NULL);
}

/* Set by the timer of a bounded wait (below). */
static volatile sig_atomic_t lock_expired;

void
md_index_set_error (MdIndex *idx, int err, const char *what, GError **error)
{
  MdErrorCode code;
  switch (tdb_error (idx->tdb))
    {
    case TDB_ERR_IO:
      code = err != 0 ? md_error_code_from_errno (err) : MD_ERROR_TEMP;
      break;
    case TDB_ERR_CORRUPT:  code = MD_ERROR_CORRUPT;   break;
    case TDB_ERR_NOEXIST:  code = MD_ERROR_NOT_FOUND; break;
    case TDB_ERR_EINVAL:
    case TDB_ERR_NESTING:
    case TDB_ERR_EXISTS:   code = MD_ERROR_IO;        break;
    default:               code = MD_ERROR_TEMP;      break; /* locks, OOM, read-only */
    }
  const char *reason = err != 0 ? g_strerror (err)
    : idx->tdb_log != NULL ? idx->tdb_log : tdb_errorstr (idx->tdb);
  if (lock_expired && tdb_error (idx->tdb) == TDB_ERR_LOCK)
    g_set_error (error, MD_ERROR, MD_ERROR_TEMP,
                 "%s '%s': a lock still held by another process after %u ms",
                 what, idx->path, idx->lock_timeout_ms);
  else
    g_set_error (error, MD_ERROR, code, "%s '%s': %s", what, idx->path, reason);
}

/* TDB reports some failures (posix_fallocate() running out of space) only
 * in its log, not in errno: keep the first error line, the cause, for
 * the message (cleared when a transaction starts). */
static void G_GNUC_PRINTF (3, 4)
log_tdb (struct tdb_context *tdb, enum tdb_debug_level level, const char *fmt, ...)
{
  MdIndex *idx = tdb_get_logging_private (tdb);
  if (level > TDB_DEBUG_ERROR || idx == NULL || idx->tdb_log != NULL)
    return;
  va_list ap;
  va_start (ap, fmt);
  g_free (idx->tdb_log);
  idx->tdb_log = g_strchomp (g_strdup_vprintf (fmt, ap));
  va_end (ap);
}

/* ---- what a commit must save ----
 *
 * TDB's commit first copies every page the transaction changed, as it
 * was, into the recovery area; an area too small for that is replaced by
 * a larger one at the end of the file, which a crash makes unsafe
 * (index-room.c).  So each write counts the most pages it can change
 * (TDB 1.4, tdb.c and freelist.c): its new record, which TDB makes a
 * quarter larger than asked, with header and tailer, and the page it may
 * straddle into; the free block it is cut from (its header and its new
 * tailer, or its predecessor on the free list); and when it replaces a
 * stored value (an append that does not fit in place rewrites the whole
 * value elsewhere), the link of its hash chain, the old record's header
 * and tailer, and the free neighbour it merges with.  Every transaction
 * may change the hash table and the header (the free list's head).
 * Measured, the real figure is under two thirds of this for a delivery
 * and under a third for a batch. */
#define PAGE_COST 4104u   /* a page and its offset and length in the area */
#define HEAD_COST (17u * PAGE_COST + 4)

static void
count_write (MdIndex *idx, gsize bytes, gboolean replaces)
{
  idx->txn_estimate += (guint64) bytes * 5 / 4 + 32 + (replaces ? 7u : 4u) * PAGE_COST;
}

/* Whether a write of KEY replaces a value: a single delivery takes it
 * does (its few writes fit anyway); a batch, whose many writes must
 * be counted closely to stay large, looks. */
static gboolean
replaces (MdIndex *idx, TDB_DATA key)
{
  return !idx->in_batch || tdb_exists (idx->tdb, key);
}

/* ---- bounded waits ----
 *
 * TDB waits for a lock either not at all (the _nonblock calls) or for
 * ever (F_SETLKW), and the non-blocking transaction start still takes
 * half of its all-record lock, and the commit its upgrade, waiting.  So
 * a process that holds a chain lock and stops (a reader suspended or
 * stuck mid-fetch, tdbtool or tdbbackup holding every chain) would make
 * the filter wait without end, and the MTA's delivery with it.  TDB's
 * own remedy: a signal interrupts the fcntl() wait and, with
 * tdb_setalarm_sigptr()'s flag set, the lock fails (TDB_ERR_LOCK, which
 * md_index_set_error() reports as worth retrying).  Each call into TDB
 * that may wait for a lock runs with a one-shot timer of lock_timeout_ms
 * armed, aimed at the calling thread (the handler has no SA_RESTART). */
static void
on_lock_timer (int sig)
{
  lock_expired = 1;
}

static gboolean
lock_timer_ready (timer_t *timer)
{
  static gsize ready;
  static timer_t t;
  static pid_t tid;
  static __thread pid_t self;   /* gettid() is a system call each time */
  if (g_once_init_enter (&ready))
    {
      struct sigaction sa = { .sa_handler = on_lock_timer };
      sigemptyset (&sa.sa_mask);
      sigaction (SIGALRM, &sa, NULL);
      g_once_init_leave (&ready, 1);
    }
  if (self == 0)
    self = gettid ();
  if (tid != self)
    {
      if (tid != 0)
        timer_delete (t);
      struct sigevent ev = { .sigev_notify = SIGEV_THREAD_ID, .sigev_signo = SIGALRM };
#ifdef sigev_notify_thread_id
      ev.sigev_notify_thread_id = self;
#else
      ev._sigev_un._tid = self;   /* glibc < 2.35 names no field */
#endif
      if (timer_create (CLOCK_MONOTONIC, &ev, &t) != 0)
        return FALSE;
      tid = self;
    }
  *timer = t;
  return TRUE;
}

/* Inside a transaction TDB takes no lock at all (its transaction and
 * all-record locks cover every chain and the free list; strace shows no
 * fcntl() between the start and the commit), so nothing there can wait
 * and the timer is not armed: two system calls saved per TDB call. */
void
md_index_wait_bound (MdIndex *idx, guint ms)
{
  timer_t timer;
  lock_expired = 0;
  if (idx->in_transaction || !lock_timer_ready (&timer))
    return;
  ms = MAX (ms, 1);   /* 0 would disarm */
  struct itimerspec at = { .it_value = { ms / 1000, (ms % 1000) * 1000000L } };
  timer_settime (timer, 0, &at, NULL);
}

void
md_index_wait_done (MdIndex *idx)
{
  timer_t timer;
  struct itimerspec off = { 0 };
  if (!idx->in_transaction && lock_timer_ready (&timer))
    timer_settime (timer, 0, &off, NULL);
}

gboolean
md_index_fetch (MdIndex *idx, const GString *key, GBytes **value,
                GError **error)
{
  errno = 0;
  md_index_wait_bound (idx, idx->lock_timeout_ms);
  TDB_DATA d = tdb_fetch (idx->tdb, md_key_data (key));
  md_index_wait_done (idx);
  *value = NULL;
  if (d.dptr != NULL)
    *value = g_bytes_new_with_free_func (d.dptr, d.dsize, free, d.dptr);
  else if (tdb_error (idx->tdb) != TDB_ERR_NOEXIST)
    {
      md_index_set_error (idx, errno, "cannot read index", error);
      return FALSE;
    }
  return TRUE;
}

gboolean
md_index_store (MdIndex *idx, const GString *key, const void *data, gsize len,
                GError **error)
{
  errno = 0;
  md_index_wait_bound (idx, idx->lock_timeout_ms);
  count_write (idx, key->len + len, replaces (idx, md_key_data (key)));
  int rc = tdb_store (idx->tdb, md_key_data (key),
                      (TDB_DATA) { (unsigned char *) data, len }, TDB_REPLACE);
  md_index_wait_done (idx);
  if (rc == 0)
    return TRUE;
  md_index_set_error (idx, errno, "cannot write index", error);
  return FALSE;
}

/* ---- lists that grow in place ----
 *
 * A value that no longer fits its record is written elsewhere by TDB: a
 * new record cut from the free list (a walk of the whole list, one
 * pread() per entry without a map), the old one freed (one more entry
 * for every later walk), and the pages of both, of the hash chain and of
 * the free list changed.  An id list grows by one entry per message and
 * TDB's own slack (a quarter) lasts one or two entries.  So a delivery
 * gives its lists room: an append that takes a list into a larger size
 * class (256 bytes, doubling) first stores the list padded to its class,
 * then stores it at its real length, which TDB does in place, keeping
 * the record's size; the appends that follow, up to the class, are
 * written in place too (tdb_storev(): the list's own pages, no walk).
 * Readers see the value's length only, never the padding.  A list
 * without room (written by a batch, or by an older mldigest) gets it at
 * its next class.  Batches append each list once and leave it as is. */
#define LIST_CLASS_MIN 256u

static gsize
list_class (gsize len)
{
  gsize c = LIST_CLASS_MIN;
  while (c < len && c <= G_MAXSIZE / 2)
    c *= 2;
  return MAX (c, len);
}

/* Store OLD (may be absent) followed by ADD under KEY, with room when it
 * crosses into a larger class; 0 or TDB's -1.  *WRITTEN: the bytes
 * written, for the commit's count. */
static int
store_with_room (struct tdb_context *tdb, TDB_DATA key, TDB_DATA old,
                 TDB_DATA add, gsize *written)
{
  TDB_DATA parts[2] = { old, add };
  gsize len = old.dsize + add.dsize;
  *written = len;
  if (old.dptr == NULL || list_class (len) != list_class (old.dsize))
    {
      gsize room = list_class (len);
      g_autofree unsigned char *padded = g_malloc0 (room);
      if (old.dsize > 0)
        memcpy (padded, old.dptr, old.dsize);
      memcpy (padded + old.dsize, add.dptr, add.dsize);
      *written = room;
      if (tdb_store (tdb, key, (TDB_DATA) { padded, room }, TDB_REPLACE) != 0)
        return -1;
    }
  return tdb_storev (tdb, key, old.dptr ? parts : parts + 1, old.dptr ? 2 : 1,
                     TDB_REPLACE);
}

static int
append_with_room (struct tdb_context *tdb, TDB_DATA key, TDB_DATA add,
                  gsize *written)
{
  TDB_DATA old = tdb_fetch (tdb, key);
  if (old.dptr == NULL && tdb_error (tdb) != TDB_ERR_NOEXIST)
    return -1;
  int rc = store_with_room (tdb, key, old, add, written);
  free (old.dptr);
  return rc;
}

static gboolean
append_bytes (MdIndex *idx, TDB_DATA key, const void *data, gsize len,
              GError **error)
{
  TDB_DATA add = { (unsigned char *) data, len };
  gsize written = 0;
  int rc;
  errno = 0;
  md_index_wait_bound (idx, idx->lock_timeout_ms);
  if (idx->in_batch)   /* it counted its lists as they filled */
    rc = tdb_append (idx->tdb, key, add);
  else
    {
      rc = append_with_room (idx->tdb, key, add, &written);
      count_write (idx, key.dsize + written, TRUE);
    }
  md_index_wait_done (idx);
  if (rc == 0)
    return TRUE;
  md_index_set_error (idx, errno, "cannot write index", error);
  return FALSE;
}

static int
take_length (TDB_DATA key, TDB_DATA value, void *data)
{
  *(gsize *) data = value.dsize;
  return 0;
}

/* The length of the value under KEY, 0 when absent or unreadable. */
static gsize
stored_length (MdIndex *idx, TDB_DATA key)
{
  gsize len = 0;
  md_index_wait_bound (idx, idx->lock_timeout_ms);
  if (tdb_parse_record (idx->tdb, key, take_length, &len) != 0)
    len = 0;
  md_index_wait_done (idx);
  return len;
}

/* Add one NUL-terminated entry to a list value.  In a batch the entries
 * wait in memory and each list is appended to once, at the commit: a
 * list that grows by one entry per message would otherwise be copied to
 * a new place in the file each time, which costs time and leaves the
 * file full of small free blocks that later deliveries must walk. */
gboolean
md_index_append_id (MdIndex *idx, const GString *key, const char *id,
                    GError **error)
{
  if (!idx->in_batch)
    return append_bytes (idx, md_key_data (key), id, strlen (id) + 1, error);
  g_autoptr (GBytes) k = g_bytes_new (key->str, key->len);
  GString *entries = g_hash_table_lookup (idx->pending, k);
  if (entries == NULL)
    {
      /* The append rewrites the whole list elsewhere. */
      entries = g_string_new (NULL);
      g_hash_table_insert (idx->pending, g_bytes_ref (k), entries);
      gsize stored = stored_length (idx, md_key_data (key));
      count_write (idx, key->len + stored, stored > 0);
    }
  g_string_append_len (entries, id, strlen (id) + 1);
  idx->txn_estimate += (strlen (id) + 1) * 5 / 4;
  return TRUE;
}

gboolean
md_index_batch_full (MdIndex *idx)
{
  /* Half of what the commit may use: the next message fits too. */
  return idx->in_batch && idx->txn_estimate * 2 > idx->txn_capacity;
}

static void
free_string (gpointer s)
{
  g_string_free (s, TRUE);
}

static gint
cmp_bytes (gconstpointer a, gconstpointer b)
{
  return g_bytes_compare (*(GBytes *const *) a, *(GBytes *const *) b);
}

/* Append what the batch collected, key by key in a fixed order. */
static gboolean
flush_pending (MdIndex *idx, GError **error)
{
  g_autoptr (GPtrArray) keys = g_ptr_array_new ();
  GHashTableIter it;
  gpointer k;
  g_hash_table_iter_init (&it, idx->pending);
  while (g_hash_table_iter_next (&it, &k, NULL))
    g_ptr_array_add (keys, k);
  g_ptr_array_sort (keys, cmp_bytes);
  for (guint i = 0; i < keys->len; i++)
    {
      gsize klen;
      const void *kdata = g_bytes_get_data (keys->pdata[i], &klen);
      const GString *entries = g_hash_table_lookup (idx->pending, keys->pdata[i]);
      if (!append_bytes (idx, (TDB_DATA) { (unsigned char *) kdata, klen },
                         entries->str, entries->len, error))
        return FALSE;
    }
  return TRUE;
}

gboolean
md_index_read_ids (MdIndex *idx, const GString *key, GPtrArray *out,
                   GError **error)
{
  g_autoptr (GBytes) value = NULL;
  if (!md_index_fetch (idx, key, &value, error)
      || (value != NULL && !md_id_list_split (value, out, error)))
    return FALSE;
  if (!idx->in_batch)
    return TRUE;
  g_autoptr (GBytes) k = g_bytes_new (key->str, key->len);
  const GString *entries = g_hash_table_lookup (idx->pending, k);
  if (entries == NULL)
    return TRUE;
  g_autoptr (GBytes) waiting = g_bytes_new (entries->str, entries->len);
  return md_id_list_split (waiting, out, error);
}

/* ---- a file replaced under us ---- */

/* mldigest-aggregate --expire writes the live records to a new file and
 * renames it over the index while it holds the old file's transaction
 * lock (index-expire.c says why that is safe).  A writer that gets the
 * lock of a file that is no longer at its path must not write there: it
 * would write into a file nobody reads again.  So every transaction
 * starts by checking that the file is still the one at the path, and a
 * writer that finds another reopens the path and tries again. */
#define MAX_REOPEN 8

static gboolean open_tdb (MdIndex *idx, gboolean *created, GPtrArray *new_dirs, GError **error);
static gboolean check_format (MdIndex *idx, GError **error);
static gboolean sync_new_entries (const char *path, GPtrArray *new_dirs, GError **error);

static gboolean
is_current (MdIndex *idx)
{
  struct stat held, now;

  if (fstat (tdb_fd (idx->tdb), &held) != 0)
    return TRUE;  /* let the transaction report it */
  if (stat (idx->path, &now) != 0)
    return errno != ENOENT;
  return held.st_dev == now.st_dev && held.st_ino == now.st_ino;
}

static gboolean
reopen (MdIndex *idx, GError **error)
{
  g_autoptr (GPtrArray) new_dirs = g_ptr_array_new_with_free_func (g_free);
  gboolean created;

  tdb_close (idx->tdb);
  idx->tdb = NULL;
  return open_tdb (idx, &created, new_dirs, error) && check_format (idx, error)
    && (!created || sync_new_entries (idx->path, new_dirs, error));
}

/* ---- transactions ---- */

/* Between a transaction's start and its commit or cancel nothing can
 * change the file (readcache.h): small reads of it may come from memory,
 * and no TDB call waits for a lock. */
static void
transaction_began (MdIndex *idx)
{
  idx->in_transaction = TRUE;
  md_read_cache_begin (tdb_fd (idx->tdb));
}

static void
transaction_ended (MdIndex *idx)
{
  idx->in_transaction = FALSE;
  md_read_cache_end ();
}

static void
transaction_cancel (MdIndex *idx)
{
  transaction_ended (idx);
  tdb_transaction_cancel (idx->tdb);
}

static gboolean
transaction_start (MdIndex *idx, GError **error)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) idx->lock_timeout_ms * 1000;
  gulong nap = 200;
  guint reopened = 0;
  g_clear_pointer (&idx->tdb_log, g_free);
  for (;;)
    {
      errno = 0;
      gint64 left_ms = (deadline - g_get_monotonic_time ()) / 1000;
      md_index_wait_bound (idx, CLAMP (left_ms, 1, G_MAXUINT));
      int rc = tdb_transaction_start_nonblock (idx->tdb);
      int err = errno;
      md_index_wait_done (idx);
      if (rc == 0)
        {
          if (is_current (idx))
            {
              idx->txn_size = tdb_map_size (idx->tdb);
              idx->txn_capacity = md_index_area_capacity (idx->tdb);
              idx->txn_estimate = HEAD_COST;
              transaction_began (idx);
              return TRUE;
            }
          /* replaced by --expire: write to the file that is there now */
          tdb_transaction_cancel (idx->tdb);
          if (++reopened > MAX_REOPEN || !reopen (idx, error))
            {
              if (reopened > MAX_REOPEN)
                g_set_error (error, MD_ERROR, MD_ERROR_TEMP,
                             "index '%s' keeps being replaced", idx->path);
              return FALSE;
            }
          continue;
        }
      if (tdb_error (idx->tdb) != TDB_ERR_NOLOCK)
        {
          md_index_set_error (idx, err, "cannot lock index", error);
          return FALSE;
        }
      if (g_get_monotonic_time () >= deadline)
        {
          g_set_error (error, MD_ERROR, MD_ERROR_TEMP,
                       "cannot lock index '%s': still busy after %u ms",
                       idx->path, idx->lock_timeout_ms);
          return FALSE;
        }
      /* Jitter keeps a crowd of waiting filters from polling in step. */
      g_usleep (nap + g_random_int_range (0, nap));
      nap = MIN (nap * 2, 20000);
    }
}

/* Whether the commit must not happen in place: TDB found no free block
 * large enough and extended the file (in memory, so far), or the old
 * data it must save may not fit the recovery area.  Then the
 * transaction's view goes to a new, larger file instead (index-room.c). */
static gboolean
must_grow (MdIndex *idx)
{
  return tdb_map_size (idx->tdb) > idx->txn_size
    || idx->txn_estimate > idx->txn_capacity;
}

static gboolean
commit_by_copy (MdIndex *idx, GError **error)
{
  gboolean ok = md_index_grow_locked (idx, idx->txn_estimate, error);
  transaction_cancel (idx);
  return ok && reopen (idx, error);
}

static gboolean
transaction_commit (MdIndex *idx, GError **error)
{
  if (must_grow (idx))
    return commit_by_copy (idx, error);
  transaction_ended (idx);
  errno = 0;
  md_index_wait_bound (idx, idx->lock_timeout_ms);
  int rc = tdb_transaction_commit (idx->tdb);
  md_index_wait_done (idx);
  if (rc == 0)
    return TRUE;
  /* A failed commit has already cancelled the transaction. */
  md_index_set_error (idx, errno, "cannot commit to index", error);
  return FALSE;
}

gboolean
md_index_begin (MdIndex *idx, GError **error)
{
  g_return_val_if_fail (!idx->in_batch, FALSE);
  if (!transaction_start (idx, error))
    return FALSE;
  idx->in_batch = TRUE;
  idx->pending = g_hash_table_new_full (g_bytes_hash, g_bytes_equal,
                                        (GDestroyNotify) g_bytes_unref, free_string);
  return TRUE;
}

static void
end_batch (MdIndex *idx)
{
  idx->in_batch = FALSE;
  g_clear_pointer (&idx->pending, g_hash_table_unref);
}

gboolean
md_index_commit (MdIndex *idx, GError **error)
{
  g_return_val_if_fail (idx->in_batch, FALSE);
  gboolean flushed = flush_pending (idx, error);
  end_batch (idx);
  if (!flushed)
    {
      transaction_cancel (idx);
      return FALSE;
    }
  return transaction_commit (idx, error);
}

void
md_index_cancel (MdIndex *idx)
{
  if (!idx->in_batch)
    return;
  end_batch (idx);
  transaction_cancel (idx);
}

gboolean
md_index_in_transaction (MdIndex *idx, MdIndexWriteFn fn, gpointer data,
                         GError **error)
{
  if (idx->in_batch)
    return fn (idx, data, error);
  if (!transaction_start (idx, error))
    return FALSE;
  if (!fn (idx, data, error))
    {
      transaction_cancel (idx);
      return FALSE;
    }
  return transaction_commit (idx, error);
}

/* ---- opening ---- */

static gboolean
write_format (MdIndex *idx, gpointer data, GError **error)
{
  g_autoptr (GString) key = md_key_meta ("format");
  g_autoptr (GBytes) have = NULL;
  if (!md_index_fetch (idx, key, &have, error))
    return FALSE;
  return have != NULL  /* another writer got there first */
    || md_index_store (idx, key, MD_INDEX_FORMAT, strlen (MD_INDEX_FORMAT), error);
}

static gboolean
index_is_empty (MdIndex *idx)
{
  md_index_wait_bound (idx, idx->lock_timeout_ms);
  TDB_DATA first = tdb_firstkey (idx->tdb);
  md_index_wait_done (idx);
  free (first.dptr);
  return first.dptr == NULL;
}

/* A new file gets meta:format; an existing one must have ours. */
static gboolean
check_format (MdIndex *idx, GError **error)
{
  g_autoptr (GString) key = md_key_meta ("format");
  g_autoptr (GBytes) have = NULL;
  if (!md_index_fetch (idx, key, &have, error))
    return FALSE;
  if (have == NULL && idx->mode != MD_INDEX_READ)
    return md_index_in_transaction (idx, write_format, NULL, error);
  if (have == NULL && index_is_empty (idx))
    return TRUE;
  gsize len = have ? g_bytes_get_size (have) : 0;
  if (have != NULL && len == strlen (MD_INDEX_FORMAT)
      && memcmp (g_bytes_get_data (have, NULL), MD_INDEX_FORMAT, len) == 0)
    return TRUE;
  g_set_error (error, MD_ERROR, MD_ERROR_CORRUPT,
               "index '%s' is not an mldigest index of format %s",
               idx->path, MD_INDEX_FORMAT);
  return FALSE;
}

gboolean
md_index_sync_dir (const char *dir, GError **error)
{
  int fd = open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd >= 0 && fsync (fd) == 0 && close (fd) == 0)
    return TRUE;
  int err = errno;
  if (fd >= 0)
    close (fd);
  g_set_error (error, MD_ERROR, md_error_code_from_errno (err),
               "cannot sync directory '%s': %s", dir, g_strerror (err));
  return FALSE;
}

/* A new index must survive a crash: sync the directory that holds it and,
 * up to the first directory that existed before, each directory we made
 * (NEW_DIRS, innermost first) in its parent. */
static gboolean
sync_new_entries (const char *path, GPtrArray *new_dirs, GError **error)
{
  g_autofree char *dir = g_path_get_dirname (path);
  if (!md_index_sync_dir (dir, error))
    return FALSE;
  for (guint i = 0; new_dirs != NULL && i < new_dirs->len; i++)
    {
      g_autofree char *parent = g_path_get_dirname (new_dirs->pdata[i]);
      if (!md_index_sync_dir (parent, error))
        return FALSE;
    }
  return TRUE;
}

/* Create the index's directory and any missing parents, mode 0700;
 * NEW_DIRS gets the ones made, innermost first. */
static gboolean
make_parent_dir (const char *path, GPtrArray *new_dirs, GError **error)
{
  g_autofree char *dir = g_path_get_dirname (path);
  char *d = g_strdup (dir);
  while (!g_file_test (d, G_FILE_TEST_EXISTS))
    {
      char *up = g_path_get_dirname (d);
      if (strcmp (up, d) == 0)
        {
          g_free (up);
          break;
        }
      g_ptr_array_add (new_dirs, d);
      d = up;
    }
  g_free (d);
  if (g_mkdir_with_parents (dir, 0700) == 0)
    return TRUE;
  int err = errno;
  g_set_error (error, MD_ERROR, md_error_code_from_errno (err),
               "cannot create index directory '%s': %s", dir, g_strerror (err));
  return FALSE;
}

/* A writer of one message touches a few records: reading them with
 * pread() is cheaper than mapping the file, and writing without a map
 * spares the kernel write-protecting the mapped pages at every sync
 * (measured: with the map a delivery costs 5% more CPU and 60 more page
 * faults).  The price is a pread() for every header TDB looks at, the
 * same ones again at each free-list walk; the read cache (readcache.h)
 * answers those inside a transaction.  Imports and readers touch much
 * of the file and want the map. */
static int
tdb_flags_for (MdIndexMode mode)
{
  return MD_INDEX_TDB_FLAGS | (mode == MD_INDEX_WRITE ? TDB_NOMMAP : 0);
}

static struct tdb_context *
tdb_open_with (MdIndex *idx, int open_flags)
{
  struct tdb_logging_context log = { log_tdb, idx };
  errno = 0;
  return tdb_open_ex (idx->path, MD_INDEX_HASH_SIZE, tdb_flags_for (idx->mode),
                      open_flags | O_CLOEXEC, 0600, &log, NULL);
}

/* Readers open the file read-write too (and never write): TDB's locks
 * need it.  A read-only handle cannot wait out another process's commit
 * (it sees the recovery record, takes the writer for crashed and fails);
 * a read-write one waits for the commit's locks.  Only when the file is
 * not writable for us do we read it read-only. */
static gboolean
open_tdb (MdIndex *idx, gboolean *created, GPtrArray *new_dirs, GError **error)
{
  gboolean writer = idx->mode != MD_INDEX_READ;
  *created = writer && !g_file_test (idx->path, G_FILE_TEST_EXISTS);
  if (*created && (!make_parent_dir (idx->path, new_dirs, error)
                   || !md_index_create (idx->path, error)))
    return FALSE;
  idx->tdb = tdb_open_with (idx, writer ? O_RDWR | O_CREAT : O_RDWR);
  if (idx->tdb == NULL && !writer && (errno == EACCES || errno == EROFS))
    idx->tdb = tdb_open_with (idx, O_RDONLY);
  if (idx->tdb != NULL)
    {
      tdb_setalarm_sigptr (idx->tdb, &lock_expired);
      return TRUE;
    }
  int err = errno;
  MdErrorCode code = err == ENOENT && !writer
    ? MD_ERROR_NOT_FOUND : md_error_code_from_errno (err);
  g_set_error (error, MD_ERROR, err != 0 ? code : MD_ERROR_TEMP,
               "cannot open index '%s': %s", idx->path,
               err != 0 ? g_strerror (err) : idx->tdb_log ? idx->tdb_log : "failed");
  return FALSE;
}

MdIndex *
md_index_open (const char *path, MdIndexMode mode, guint lock_timeout_ms,
               GError **error)
{
  MdIndex *idx = g_new0 (MdIndex, 1);
  idx->path = g_strdup (path);
  idx->mode = mode;
  idx->lock_timeout_ms = lock_timeout_ms;
  gboolean created;
  g_autoptr (GPtrArray) new_dirs = g_ptr_array_new_with_free_func (g_free);
  if (!open_tdb (idx, &created, new_dirs, error)
      || !check_format (idx, error)
      || (created && !sync_new_entries (path, new_dirs, error)))
    {
      md_index_close (idx, NULL);
      return NULL;
    }
  return idx;
}

gboolean
md_index_close (MdIndex *idx, GError **error)
{
  if (idx == NULL)
    return TRUE;
  md_index_cancel (idx);
  errno = 0;
  int rc = idx->tdb != NULL ? tdb_close (idx->tdb) : 0;
  int err = errno;
  if (rc != 0)
    g_set_error (error, MD_ERROR, md_error_code_from_errno (err),
                 "cannot close index '%s': %s", idx->path, g_strerror (err));
  g_free (idx->path);
  g_free (idx->tdb_log);
  g_free (idx);
  return rc == 0;
}

void
md_index_set_max_size (MdIndex *idx, guint64 max_size)
{
  idx->max_size = max_size;
}

/* ---- aggregator state ---- */

typedef struct {
  const GString *key;
  GBytes *value;
} PutJob;

static gboolean
put_in_transaction (MdIndex *idx, gpointer data, GError **error)
{
  PutJob *job = data;
  gsize len;
  const void *bytes = g_bytes_get_data (job->value, &len);
  return md_index_store (idx, job->key, bytes, len, error);
}

gboolean
md_index_state_put (MdIndex *idx, const char *ns, const char *key,
                    GVariant *value, GError **error)
{
  g_return_val_if_fail (idx->mode != MD_INDEX_READ, FALSE);
  g_return_val_if_fail (strchr (ns, ':') == NULL, FALSE);
  g_autoptr (GString) k = md_key_state (ns, key);
  g_autoptr (GBytes) v = md_stored_pack (MD_STATE_VERSION, g_variant_new_variant (value));
  PutJob job = { k, v };
  return md_index_in_transaction (idx, put_in_transaction, &job, error);
}
