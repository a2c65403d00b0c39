/* index-query.c - reading the index: records, windows, threads, series,
 * lists and aggregator state.
 *
 * Every lookup is by key (docs/index-format.md); nothing here traverses
 * the database, so a reader's cost follows what it asks for, not the
 * size of the index, and it never holds a lock writers wait on for long.
 * Values come from a file other processes write and are checked as they
 * are read (record.c, stored.c, md_id_list_split()).
 */
#include "index-private.h"

#include <string.h>
#include "error.h"
#include "stored.h"

gboolean
md_index_fetch_record (MdIndex *idx, const char *message_id, MdRecord **rec,
                       GError **error)
{
  g_autoptr (GString) key = md_key_message (message_id);
  g_autoptr (GBytes) value = NULL;
  *rec = NULL;
  if (!md_index_fetch (idx, key, &value, error))
    return FALSE;
  if (value == NULL)
    return TRUE;
  gsize len;
  const guint8 *data = g_bytes_get_data (value, &len);
  GError *local = NULL;
  *rec = md_record_from_bytes (data, len, &local);
  if (*rec != NULL)
    return TRUE;
  g_propagate_prefixed_error (error, local, "index '%s', message '%s': ",
                              idx->path, message_id);
  return FALSE;
}

MdRecord *
md_index_get (MdIndex *idx, const char *message_id, GError **error)
{
  MdRecord *rec = NULL;
  if (!md_index_fetch_record (idx, message_id, &rec, error))
    return NULL;
  if (rec == NULL)
    g_set_error (error, MD_ERROR, MD_ERROR_NOT_FOUND,
                 "no message '%s' in index '%s'", message_id, idx->path);
  return rec;
}

gboolean
md_index_contains (MdIndex *idx, const char *message_id)
{
  g_autoptr (GString) key = md_key_message (message_id);
  md_index_wait_bound (idx, idx->lock_timeout_ms);
  int found = tdb_exists (idx->tdb, md_key_data (key));
  md_index_wait_done (idx);
  return found == 1;
}

static GPtrArray *
id_list_or_null (MdIndex *idx, GString *key, GError **error)
{
  g_autoptr (GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);
  if (!md_index_read_ids (idx, key, ids, error))
    return NULL;
  return g_steal_pointer (&ids);
}

GPtrArray *
md_index_thread_members (MdIndex *idx, const char *thread_id, GError **error)
{
  g_autoptr (GString) key = md_key_thread (thread_id);
  return id_list_or_null (idx, key, error);
}

GPtrArray *
md_index_series_lookup (MdIndex *idx, const char *from_email, const char *key,
                        GError **error)
{
  g_autoptr (GString) k = md_key_series (from_email, key);
  return id_list_or_null (idx, k, error);
}

GPtrArray *
md_index_change_id_lookup (MdIndex *idx, const char *change_id, GError **error)
{
  g_autoptr (GString) k = md_key_change_id (change_id);
  return id_list_or_null (idx, k, error);
}

GPtrArray *
md_index_lists (MdIndex *idx, GError **error)
{
  g_autoptr (GString) key = md_key_meta ("lists");
  return id_list_or_null (idx, key, error);
}

/* ---- time windows ---- */

/* Keep the records of BUCKET whose exact time is in [since, until): a
 * bucket is an hour, the window's ends need not be.  A record that cannot
 * be read is counted in *UNREADABLE and left out: one damaged value must
 * not cost the whole week its report. */
static gboolean
filter_bucket (MdIndex *idx, GPtrArray *bucket, MdTimeKind kind, gint64 since,
               gint64 until, GHashTable *seen, GPtrArray *out,
               guint *unreadable, GError **error)
{
  for (guint i = 0; i < bucket->len; i++)
    {
      const char *id = bucket->pdata[i];
      g_autoptr (MdRecord) rec = NULL;
      g_autoptr (GError) local = NULL;
      if (g_hash_table_contains (seen, id))
        continue;
      if (!md_index_fetch_record (idx, id, &rec, &local))
        {
          if (!g_error_matches (local, MD_ERROR, MD_ERROR_CORRUPT))
            {
              g_propagate_error (error, g_steal_pointer (&local));
              return FALSE;
            }
          g_hash_table_add (seen, g_strdup (id));
          (*unreadable)++;
          continue;
        }
      if (rec == NULL)
        continue;  /* listed but not recorded: nothing to show */
      gint64 t = kind == MD_TIME_ARRIVAL ? rec->arrival : rec->date;
      if (t < since || t >= until)
        continue;
      g_hash_table_add (seen, g_strdup (id));
      g_ptr_array_add (out, g_steal_pointer (&rec));
    }
  return TRUE;
}

GPtrArray *
md_index_window (MdIndex *idx, const char *list, MdTimeKind kind,
                 gint64 since, gint64 until, guint *unreadable, GError **error)
{
  g_autoptr (GPtrArray) out = g_ptr_array_new_with_free_func ((GDestroyNotify) md_record_free);
  g_autoptr (GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  guint bad = 0;
  if (unreadable == NULL)
    unreadable = &bad;
  *unreadable = 0;
  if (until <= since)
    return g_steal_pointer (&out);
  gint64 last = md_time_bucket (until - 1);
  for (gint64 hour = md_time_bucket (since); hour <= last; hour += 3600)
    {
      g_autoptr (GString) key = md_key_time (kind, list, hour);
      g_autoptr (GPtrArray) bucket = g_ptr_array_new_with_free_func (g_free);
      if (!md_index_read_ids (idx, key, bucket, error)
          || !filter_bucket (idx, bucket, kind, since, until, seen, out,
                             unreadable, error))
        return NULL;
    }
  return g_steal_pointer (&out);
}

/* ---- aggregator state ---- */

GVariant *
md_index_state_get (MdIndex *idx, const char *ns, const char *key,
                    const GVariantType *type, GError **error)
{
  g_autoptr (GString) k = md_key_state (ns, key);
  g_autoptr (GBytes) value = NULL;
  if (!md_index_fetch (idx, k, &value, error))
    return NULL;
  if (value == NULL)
    {
      g_set_error (error, MD_ERROR, MD_ERROR_NOT_FOUND,
                   "no state '%s:%s' in index '%s'", ns, key, idx->path);
      return NULL;
    }
  gsize len;
  const guint8 *data = g_bytes_get_data (value, &len);
  g_autoptr (GVariant) boxed = md_stored_unpack (data, len, MD_STATE_VERSION,
                                                 G_VARIANT_TYPE_VARIANT,
                                                 "state", error);
  if (boxed == NULL)
    return NULL;
  g_autoptr (GVariant) inner = g_variant_get_variant (boxed);
  if (!g_variant_is_of_type (inner, type))
    {
      g_set_error (error, MD_ERROR, MD_ERROR_CORRUPT,
                   "state '%s:%s' has type %s, expected %.*s", ns, key,
                   g_variant_get_type_string (inner),
                   (int) g_variant_type_get_string_length (type),
                   g_variant_type_peek_string (type));
      return NULL;
    }
  return g_steal_pointer (&inner);
}
