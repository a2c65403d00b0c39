/* index-add.c - recording a message: its record, the thread it joins,
 * its time-index entries, its series entry; duplicates and cross-posts.
 *
 * Everything one message writes happens in one transaction (or in the
 * open batch), reads first and writes last, so that a failure leaves no
 * half-recorded message.  The layout is in docs/index-format.md.
 */
#include "index-private.h"

#include <string.h>
#include "subject.h"

#define MAX_REFERENCE_LOOKUPS 64

/* The thread a message joins at ingest: the thread of the first message
 * it refers to that is already recorded (In-Reply-To, then References
 * newest first); else its oldest reference, the root it names, so that a
 * root arriving later starts the very thread its replies joined; else
 * itself.  The aggregator refines threads later; this is only the
 * membership that lets it find a thread's earlier messages. */
static char *
stored_thread_of (MdIndex *idx, const char *id)
{
  /* A referenced record that cannot be read is as good as absent: it
   * must not stop this message from being recorded. */
  g_autoptr (GString) key = md_key_message (id);
  g_autoptr (GBytes) value = NULL;
  if (!md_index_fetch (idx, key, &value, NULL) || value == NULL)
    return NULL;
  gsize len;
  const guint8 *data = g_bytes_get_data (value, &len);
  return md_record_peek_thread_id (data, len);
}

static char *
thread_for (MdIndex *idx, const MdRecord *rec)
{
  char *tid = NULL;
  if (rec->in_reply_to != NULL)
    tid = stored_thread_of (idx, rec->in_reply_to);
  guint n = rec->references->len;
  guint stop = n > MAX_REFERENCE_LOOKUPS ? n - MAX_REFERENCE_LOOKUPS : 0;
  for (guint i = n; tid == NULL && i > stop; i--)
    tid = stored_thread_of (idx, rec->references->pdata[i - 1]);
  if (tid != NULL)
    return tid;
  if (rec->references->len > 0)
    return g_strdup (rec->references->pdata[0]);
  return g_strdup (rec->in_reply_to ? rec->in_reply_to : rec->message_id);
}

/* Cover letters and patches sent alone: what a later version's cover
 * letter is matched against. */
static gboolean
starts_series (const MdRecord *rec)
{
  const MdSubjectTags *t = &rec->tags;
  return (t->patch || t->git_pull) && !t->reply && !t->forward && t->index == 0;
}

static gboolean
write_time_entries (MdIndex *idx, const MdRecord *rec, const char *list,
                    GError **error)
{
  g_autoptr (GString) a = md_key_time (MD_TIME_ARRIVAL, list, rec->arrival);
  g_autoptr (GString) d = md_key_time (MD_TIME_DATE, list, rec->date);
  return md_index_append_id (idx, a, rec->message_id, error)
    && md_index_append_id (idx, d, rec->message_id, error);
}

static gboolean
write_record (MdIndex *idx, const MdRecord *rec, GError **error)
{
  g_autoptr (GString) key = md_key_message (rec->message_id);
  g_autoptr (GBytes) value = md_record_to_bytes (rec);
  gsize len;
  const void *data = g_bytes_get_data (value, &len);
  return md_index_store (idx, key, data, len, error);
}

static gint
cmp_str (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

static gboolean
strv_contains (const GPtrArray *arr, const char *s)
{
  for (guint i = 0; i < arr->len; i++)
    if (strcmp (arr->pdata[i], s) == 0)
      return TRUE;
  return FALSE;
}

/* meta:lists names every list the index holds, so that the aggregator
 * finds them without a traverse; rewritten (sorted) when one is new. */
static gboolean
register_lists (MdIndex *idx, const GPtrArray *lists, GError **error)
{
  g_autoptr (GString) key = md_key_meta ("lists");
  g_autoptr (GPtrArray) known = g_ptr_array_new_with_free_func (g_free);
  if (!md_index_read_ids (idx, key, known, error))
    return FALSE;
  guint before = known->len;
  for (guint i = 0; i < lists->len; i++)
    if (!strv_contains (known, lists->pdata[i]))
      g_ptr_array_add (known, g_strdup (lists->pdata[i]));
  if (known->len == before)
    return TRUE;
  g_ptr_array_sort (known, cmp_str);
  g_autoptr (GString) value = g_string_new (NULL);
  for (guint i = 0; i < known->len; i++)
    g_string_append_len (value, known->pdata[i], strlen (known->pdata[i]) + 1);
  return md_index_store (idx, key, value->str, value->len, error);
}

/* A b4 series' change-id finds its other versions whatever their titles
 * and senders: one more write, for a cover letter (or single patch)
 * that carries one. */
static gboolean
write_change_id_entry (MdIndex *idx, const MdRecord *rec, GError **error)
{
  g_autofree char *cid = md_record_change_id (rec);
  if (cid == NULL)
    return TRUE;
  g_autoptr (GString) key = md_key_change_id (cid);
  return md_index_append_id (idx, key, rec->message_id, error);
}

static gboolean
write_series_entry (MdIndex *idx, const MdRecord *rec, GError **error)
{
  if (!starts_series (rec))
    return TRUE;
  g_autofree char *skey = md_subject_series_key (&rec->tags);
  if (skey != NULL && *skey != '\0')
    {
      g_autoptr (GString) key = md_key_series (rec->from_email, skey);
      if (!md_index_append_id (idx, key, rec->message_id, error))
        return FALSE;
    }
  return write_change_id_entry (idx, rec, error);
}

static gboolean
add_new (MdIndex *idx, MdRecord *rec, GError **error)
{
  if (rec->lists->len == 0)
    g_ptr_array_add (rec->lists, g_strdup (MD_INDEX_UNLISTED));
  g_free (rec->thread_id);
  rec->thread_id = thread_for (idx, rec);
  g_autoptr (GString) tkey = md_key_thread (rec->thread_id);
  if (!register_lists (idx, rec->lists, error)
      || !write_record (idx, rec, error)
      || !md_index_append_id (idx, tkey, rec->message_id, error)
      || !write_series_entry (idx, rec, error))
    return FALSE;
  for (guint i = 0; i < rec->lists->len; i++)
    if (!write_time_entries (idx, rec, rec->lists->pdata[i], error))
      return FALSE;
  return TRUE;
}

/* Lists of REC that STORED lacks, added to STORED (kept sorted) along with
 * REC's List-Ids; returns the names added. */
static GPtrArray *
merge_lists (MdRecord *stored, const MdRecord *rec)
{
  GPtrArray *added = g_ptr_array_new ();
  for (guint i = 0; i < rec->lists->len; i++)
    if (!strv_contains (stored->lists, rec->lists->pdata[i]))
      {
        g_ptr_array_add (stored->lists, g_strdup (rec->lists->pdata[i]));
        g_ptr_array_add (added, stored->lists->pdata[stored->lists->len - 1]);
      }
  for (guint i = 0; added->len > 0 && i < rec->list_ids->len; i++)
    if (!strv_contains (stored->list_ids, rec->list_ids->pdata[i]))
      g_ptr_array_add (stored->list_ids, g_strdup (rec->list_ids->pdata[i]));
  g_ptr_array_sort (stored->lists, cmp_str);
  g_ptr_array_sort (stored->list_ids, cmp_str);
  return added;
}

/* A message seen before on another list (cross-posting): the new lists
 * join the record and get time entries at the record's own times, so
 * that a window over either list finds it at the same moment. */
static gboolean
add_merged (MdIndex *idx, MdRecord *stored, const GPtrArray *added,
            GError **error)
{
  if (!register_lists (idx, added, error) || !write_record (idx, stored, error))
    return FALSE;
  for (guint i = 0; i < added->len; i++)
    if (!write_time_entries (idx, stored, added->pdata[i], error))
      return FALSE;
  return TRUE;
}

typedef struct {
  MdRecord *rec;
  MdAddResult result;
} AddJob;

static gboolean
add_in_transaction (MdIndex *idx, gpointer data, GError **error)
{
  AddJob *job = data;
  g_autoptr (MdRecord) stored = NULL;
  /* Most messages are new: a cheap existence test before any decoding. */
  if (md_index_contains (idx, job->rec->message_id)
      && !md_index_fetch_record (idx, job->rec->message_id, &stored, error))
    return FALSE;
  if (stored == NULL)
    {
      job->result = MD_ADD_NEW;
      return add_new (idx, job->rec, error);
    }
  g_free (job->rec->thread_id);
  job->rec->thread_id = g_strdup (stored->thread_id);
  g_autoptr (GPtrArray) added = merge_lists (stored, job->rec);
  job->result = added->len > 0 ? MD_ADD_MERGED : MD_ADD_DUPLICATE;
  return added->len == 0 || add_merged (idx, stored, added, error);
}

gboolean
md_index_add (MdIndex *idx, MdRecord *rec, MdAddResult *result,
              GError **error)
{
  g_return_val_if_fail (idx->mode != MD_INDEX_READ, FALSE);
  g_return_val_if_fail (rec->message_id != NULL && *rec->message_id != '\0', FALSE);
  AddJob job = { rec, MD_ADD_DUPLICATE };
  if (!md_index_in_transaction (idx, add_in_transaction, &job, error))
    return FALSE;
  if (result != NULL)
    *result = job.result;
  return TRUE;
}

