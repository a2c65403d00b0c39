/* import.c - --mbox and --maildir: many messages in one process.
 *
 * Backfilling an archive one synced transaction per message would spend
 * most of its time in fdatasync(), so messages are recorded in batches of
 * IMPORT_BATCH per transaction.  Each batch is atomic: an interrupted
 * import leaves whole batches, and running it again records only what is
 * missing (duplicates change nothing).
 *
 * A message that can never be recorded (MD_ERROR_DATA, or a stored record
 * in the way that fails validation) is skipped with a warning and counted
 * as rejected; anything else (disk full, lock timeout) stops the import.
 *
 * Arrival: the mbox From_ line's date, the maildir file name's leading
 * timestamp or its mtime.  An mbox without From_ dates gives each message
 * its Date header as arrival, so that a backfill does not look like one
 * week's traffic.
 */
#include "filter.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <dirent.h>
#include <sys/stat.h>
#include "error.h"
#include "mbox.h"
#include "message.h"
#include "progress.h"

/* Larger batches cost less per message (each commit syncs four times
 * and copies the pages it changed) but hold the lock longer: 4,000 is a
 * few seconds at most.  A batch also ends early when its commit would no
 * longer fit TDB's recovery area (md_index_batch_full()), so batches are
 * smaller in a small file.  Once a second of batches, the importer
 * pauses a little longer than a waiting filter's longest nap, so that
 * deliveries waiting for the lock get it instead of timing out behind a
 * long import. */
#define IMPORT_BATCH 4000
#define YIELD_USEC 30000
#define YIELD_EVERY_USEC G_USEC_PER_SEC

typedef struct {
  const MdFilterOptions *o;
  MdIndex *idx;
  MdProgress progress;
  guint in_batch;        /* messages in the open transaction */
  gint64 yielded;        /* monotonic time of the last pause */
} Importer;

static const MdCount count_of_result[] = {
  [MD_ADD_NEW] = MD_COUNT_RECORDED,
  [MD_ADD_DUPLICATE] = MD_COUNT_DUPLICATES,
  [MD_ADD_MERGED] = MD_COUNT_MERGED,
};

static gboolean
is_per_message (const GError *e)
{
  return g_error_matches (e, MD_ERROR, MD_ERROR_DATA)
    || g_error_matches (e, MD_ERROR, MD_ERROR_CORRUPT);
}

static gboolean
add_to_batch (Importer *imp, MdRecord *rec, MdAddResult *result,
              GError **error)
{
  if (imp->in_batch == 0 && !md_index_begin (imp->idx, error))
    return FALSE;
  imp->in_batch++;
  return md_index_add (imp->idx, rec, result, error);
}

static gboolean
commit_batch (Importer *imp, gboolean only_if_full, GError **error)
{
  if (imp->in_batch == 0
      || (only_if_full && imp->in_batch < IMPORT_BATCH && !md_index_batch_full (imp->idx)))
    return TRUE;
  imp->in_batch = 0;
  if (!md_index_commit (imp->idx, error))
    return FALSE;
  if (only_if_full && g_get_monotonic_time () - imp->yielded >= YIELD_EVERY_USEC)
    {
      g_usleep (YIELD_USEC);
      imp->yielded = g_get_monotonic_time ();
    }
  return TRUE;
}

/* Parse and add one message: a per-message failure lands in REJECTED and
 * the call still succeeds. */
static gboolean
parse_and_add (Importer *imp, const char *data, gsize len, gint64 arrival,
               MdAddResult *result, GError **rejected, GError **error)
{
  MdParseOptions popts = { imp->o->list, arrival, FALSE };
  g_autoptr (MdRecord) rec = md_message_parse (data, len, &popts, rejected);
  if (rec == NULL)
    return TRUE;
  if (arrival == 0 && !md_record_has_flag (rec, MD_REC_DATE_FALLBACK))
    rec->arrival = rec->date;
  GError *local = NULL;
  if (add_to_batch (imp, rec, result, &local))
    return TRUE;
  if (is_per_message (local))
    {
      g_propagate_error (rejected, local);
      return TRUE;
    }
  g_propagate_error (error, local);
  return FALSE;
}

/* Record one message; WHERE names it in a warning, DONE is how far into
 * the input it ends. */
static gboolean
import_one (Importer *imp, const char *data, gsize len, gint64 arrival,
            const char *where, guint64 done, GError **error)
{
  MdAddResult result = MD_ADD_NEW;
  g_autoptr (GError) rejected = NULL;
  if (!parse_and_add (imp, data, len, arrival, &result, &rejected, error))
    return FALSE;
  if (rejected != NULL)
    {
      md_progress_warn (&imp->progress, "skipping %s: %s", where, rejected->message);
      md_progress_count (&imp->progress, MD_COUNT_REJECTED, done);
    }
  else
    md_progress_count (&imp->progress, count_of_result[result], done);
  return commit_batch (imp, TRUE, error);
}

/* ---- mbox ---- */

static FILE *
open_mbox (const char *path, guint64 *size, GError **error)
{
  FILE *f = strcmp (path, "-") == 0 ? stdin : fopen (path, "re");
  struct stat st;
  if (f == NULL)
    {
      int err = errno;
      g_set_error (error, MD_ERROR, err == ENOENT ? MD_ERROR_NOT_FOUND : MD_ERROR_IO,
                   "cannot open mbox '%s': %s", path, g_strerror (err));
      return NULL;
    }
  *size = fstat (fileno (f), &st) == 0 && S_ISREG (st.st_mode) ? (guint64) st.st_size : 0;
  return f;
}

static gboolean
import_mbox_stream (Importer *imp, MdMbox *mbox, const char *path,
                    GError **error)
{
  g_autoptr (GString) msg = g_string_sized_new (65536);
  gint64 arrival;
  guint64 line;
  gboolean truncated;
  GError *local = NULL;
  while (md_mbox_next (mbox, msg, &arrival, &line, MD_FILTER_MAX_MESSAGE,
                       &truncated, &local))
    {
      g_autofree char *where = g_strdup_printf ("'%s' line %" G_GUINT64_FORMAT,
                                                path, line);
      if (truncated)
        {
          md_progress_warn (&imp->progress, "skipping %s: larger than %u MiB",
                            where, MD_FILTER_MAX_MESSAGE >> 20);
          md_progress_count (&imp->progress, MD_COUNT_REJECTED, md_mbox_offset (mbox));
          continue;
        }
      if (!import_one (imp, msg->str, msg->len, arrival, where,
                       md_mbox_offset (mbox), error))
        return FALSE;
    }
  if (local == NULL)
    return TRUE;
  g_prefix_error (&local, "'%s': ", path);
  g_propagate_error (error, local);
  return FALSE;
}

static gboolean
import_mbox (Importer *imp, const char *path, GError **error)
{
  guint64 size;
  FILE *f = open_mbox (path, &size, error);
  if (f == NULL)
    return FALSE;
  imp->progress.total = size;
  g_autoptr (MdMbox) mbox = md_mbox_new (f);
  gboolean ok = import_mbox_stream (imp, mbox, path, error);
  if (f != stdin)
    fclose (f);
  return ok;
}

/* ---- maildir ---- */

static gboolean
list_dir (const char *sub, GPtrArray *files, GError **error)
{
  DIR *d = opendir (sub);
  if (d == NULL)
    {
      int err = errno;
      g_set_error (error, MD_ERROR, err == ENOENT ? MD_ERROR_NOT_FOUND : MD_ERROR_IO,
                   "cannot read maildir '%s': %s", sub, g_strerror (err));
      return FALSE;
    }
  struct dirent *e;
  while ((e = readdir (d)) != NULL)
    if (e->d_name[0] != '.')
      g_ptr_array_add (files, g_build_filename (sub, e->d_name, NULL));
  closedir (d);
  return TRUE;
}

/* The files of DIR/cur and DIR/new, sorted: maildir names start with the
 * delivery time, so this is roughly arrival order, and always the same. */
static GPtrArray *
maildir_files (const char *dir, GError **error)
{
  g_autoptr (GPtrArray) files = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *cur = g_build_filename (dir, "cur", NULL);
  g_autofree char *new = g_build_filename (dir, "new", NULL);
  if (!list_dir (cur, files, error) || !list_dir (new, files, error))
    return NULL;
  g_ptr_array_sort (files, (GCompareFunc) g_strcmp0);
  return g_steal_pointer (&files);
}

/* "1614600000.M1P2.host:2,S": the delivery time maildir names start with;
 * else the file's mtime. */
static gint64
maildir_arrival (const char *path, const struct stat *st)
{
  g_autofree char *base = g_path_get_basename (path);
  char *end;
  gint64 t = g_ascii_strtoll (base, &end, 10);
  if (end != base && *end == '.' && t > 0)
    return t;
  return st->st_mtime;
}

static gboolean
import_file (Importer *imp, const char *path, guint64 done, GError **error)
{
  struct stat st;
  g_autofree char *data = NULL;
  gsize len = 0;
  g_autofree char *where = g_strdup_printf ("'%s'", path);
  if (stat (path, &st) != 0 || !S_ISREG (st.st_mode))
    return TRUE;  /* moved away since the listing: another reader's now */
  if (st.st_size > MD_FILTER_MAX_MESSAGE)
    {
      md_progress_warn (&imp->progress, "skipping %s: larger than %u MiB",
                        where, MD_FILTER_MAX_MESSAGE >> 20);
      md_progress_count (&imp->progress, MD_COUNT_REJECTED, done);
      return TRUE;
    }
  GError *local = NULL;
  if (!g_file_get_contents (path, &data, &len, &local))
    {
      g_set_error (error, MD_ERROR, MD_ERROR_IO, "%s", local->message);
      g_error_free (local);
      return FALSE;
    }
  return import_one (imp, data, len, maildir_arrival (path, &st), where, done,
                     error);
}

static gboolean
import_maildir (Importer *imp, const char *dir, GError **error)
{
  g_autoptr (GPtrArray) files = maildir_files (dir, error);
  if (files == NULL)
    return FALSE;
  imp->progress.total = files->len;
  for (guint i = 0; i < files->len; i++)
    if (!import_file (imp, files->pdata[i], i + 1, error))
      return FALSE;
  return TRUE;
}

gboolean
md_filter_import (const MdFilterOptions *o, GError **error)
{
  Importer imp = { .o = o, .yielded = g_get_monotonic_time () };
  md_progress_start (&imp.progress, o->progress || isatty (STDERR_FILENO),
                     o->quiet, 0);
  imp.idx = md_index_open (o->index_path, MD_INDEX_BULK, o->lock_timeout_ms, error);
  if (imp.idx == NULL)
    return FALSE;
  md_index_set_max_size (imp.idx, o->max_size);
  gboolean ok = o->mbox != NULL ? import_mbox (&imp, o->mbox, error)
                                : import_maildir (&imp, o->maildir, error);
  ok = ok && commit_batch (&imp, FALSE, error);
  /* md_index_close() cancels a batch left open by a failure, so the
   * counts would overstate what was kept: no summary then. */
  ok = md_index_close (imp.idx, ok ? error : NULL) && ok;
  md_progress_finish (&imp.progress, ok);
  return ok;
}
