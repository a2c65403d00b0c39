/* source.c - the index as the aggregator's record source (see source.h). */
#include "source.h"

static GPtrArray *
index_window (gpointer data, const char *list, MdTimeKind kind,
              gint64 since, gint64 until, guint *unreadable, GError **error)
{
  return md_index_window (data, list, kind, since, until, unreadable, error);
}

static MdRecord *
index_get (gpointer data, const char *message_id, GError **error)
{
  return md_index_get (data, message_id, error);
}

static GPtrArray *
index_thread_members (gpointer data, const char *thread_id, GError **error)
{
  return md_index_thread_members (data, thread_id, error);
}

static GPtrArray *
index_series_lookup (gpointer data, const char *from_email, const char *key,
                     GError **error)
{
  return md_index_series_lookup (data, from_email, key, error);
}

static GPtrArray *
index_change_id_lookup (gpointer data, const char *change_id, GError **error)
{
  return md_index_change_id_lookup (data, change_id, error);
}

void
md_source_init_index (MdSource *src, MdIndex *idx)
{
  src->window = index_window;
  src->get = index_get;
  src->thread_members = index_thread_members;
  src->series_lookup = index_series_lookup;
  src->change_id_lookup = index_change_id_lookup;
  src->data = idx;
}
