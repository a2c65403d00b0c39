/* deliver.c - the MDA path: one message on stdin, one transaction.
 *
 * With --pass the bytes go to stdout as they are read, before anything
 * else can go wrong, so a `:0 fw` procmail recipe gets its message back
 * whatever happens to the index (too big, unparsable, index locked or
 * full).  Recording comes after; its failure is reported by the exit
 * status only.
 */
#include "filter.h"

#include <errno.h>
#include <unistd.h>
#include "error.h"
#include "message.h"

typedef struct {
  char *data;
  gsize len, cap;
  gboolean too_big;   /* more than MD_FILTER_MAX_MESSAGE: kept passing, not kept */
} Input;

static gboolean
write_all (int fd, const char *p, gsize len, GError **error)
{
  while (len > 0)
    {
      ssize_t n = write (fd, p, len);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          int err = errno;
          g_set_error (error, MD_ERROR, MD_ERROR_TEMP,
                       "cannot write to standard output: %s", g_strerror (err));
          return FALSE;
        }
      p += n;
      len -= n;
    }
  return TRUE;
}

/* Room for the next read, straight into the buffer (the message is
 * copied nowhere on its way in): it doubles from 64 KiB up to one byte
 * past the limit, enough to see that a message is over it.
 * g_try_realloc: a message that does not fit in memory today may fit
 * tomorrow (TEMP). */
static gboolean
make_room (Input *in, GError **error)
{
  const gsize limit = (gsize) MD_FILTER_MAX_MESSAGE + 1;
  if (in->len < in->cap && (in->cap - in->len >= 4096 || in->cap == limit))
    return TRUE;
  gsize cap = MIN (MAX (in->cap * 2, 65536), limit);
  char *grown = g_try_realloc (in->data, cap);
  if (grown == NULL)
    {
      g_set_error (error, MD_ERROR, MD_ERROR_TEMP, "out of memory");
      return FALSE;
    }
  in->data = grown;
  in->cap = cap;
  return TRUE;
}

/* Read all of stdin; with PASS copy it to stdout on the way.  Past the
 * limit the rest is still read (and passed on) into the buffer's start:
 * a message too big is not recorded.  A failed copy stops neither the
 * reading nor the recording: it is reported in PASS_ERROR. */
static gboolean
read_input (Input *in, gboolean pass, GError **pass_error, GError **error)
{
  for (;;)
    {
      if (!in->too_big && !make_room (in, error))
        return FALSE;
      char *to = in->too_big ? in->data : in->data + in->len;
      gsize room = in->too_big ? in->cap : in->cap - in->len;
      ssize_t n = read (STDIN_FILENO, to, room);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          int err = errno;
          g_set_error (error, MD_ERROR, MD_ERROR_TEMP,
                       "cannot read standard input: %s", g_strerror (err));
          return FALSE;
        }
      if (n == 0)
        return TRUE;
      if (pass && *pass_error == NULL)
        write_all (STDOUT_FILENO, to, n, pass_error);
      if (!in->too_big && (in->len += n) > MD_FILTER_MAX_MESSAGE)
        in->too_big = TRUE;
    }
}

static gboolean
record_in (const MdFilterOptions *o, const char *path, MdRecord *rec,
           GError **error)
{
  MdIndex *idx = md_index_open (path, MD_INDEX_WRITE, o->lock_timeout_ms, error);
  if (idx == NULL)
    return FALSE;
  md_index_set_max_size (idx, o->max_size);
  gboolean ok = md_index_add (idx, rec, NULL, error);
  return md_index_close (idx, ok ? error : NULL) && ok;
}

/* {list} in the index path: the message goes into the file of each of
 * its lists, as a message of that list only.  Each file is its own
 * transaction; when one fails the MTA retries the message and the files
 * that already have it count it as a duplicate. */
static gboolean
record_per_list (const MdFilterOptions *o, MdRecord *rec, GError **error)
{
  g_autoptr (GPtrArray) lists = g_steal_pointer (&rec->lists);
  gboolean ok = TRUE;

  if (lists->len == 0)
    g_ptr_array_add (lists, g_strdup (MD_INDEX_UNLISTED));
  rec->lists = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; ok && i < lists->len; i++)
    {
      g_autofree char *path = md_config_index_path (o->config, o->index_option, lists->pdata[i]);
      g_ptr_array_set_size (rec->lists, 0);
      g_ptr_array_add (rec->lists, g_strdup (lists->pdata[i]));
      ok = record_in (o, path, rec, error);
    }
  return ok;
}

static gboolean
record (const MdFilterOptions *o, const Input *in, GError **error)
{
  if (in->too_big)
    {
      g_set_error (error, MD_ERROR, MD_ERROR_DATA,
                   "cannot record message: larger than %u MiB",
                   MD_FILTER_MAX_MESSAGE >> 20);
      return FALSE;
    }
  MdParseOptions popts = { o->list, 0, TRUE };
  g_autoptr (MdRecord) rec = md_message_parse (in->data, in->len, &popts, error);
  if (rec == NULL)
    {
      g_prefix_error (error, "cannot record message: ");
      return FALSE;
    }
  if (o->index_path != NULL)
    return record_in (o, o->index_path, rec, error);
  return record_per_list (o, rec, error);
}

gboolean
md_filter_deliver (const MdFilterOptions *o, GError **error)
{
  Input in = { 0 };
  g_autoptr (GError) pass_error = NULL;
  gboolean ok = read_input (&in, o->pass, &pass_error, error)
    && record (o, &in, error);
  g_free (in.data);
  /* Losing the message on its way back to procmail is worse than not
   * recording it: that failure is the one to report. */
  if (pass_error != NULL)
    {
      g_clear_error (error);
      g_propagate_error (error, g_steal_pointer (&pass_error));
      return FALSE;
    }
  return ok;
}
