#include "sent.h"
#include "error.h"

#define NS "sent"
#define TYPE "(sxs)"
#define LOCK_TIMEOUT_MS 10000
/* Recording a week the server accepted waits longer for the lock than a
 * read: giving up here means the week goes out a second time. */
#define PUT_LOCK_TIMEOUT_MS 120000

void
md_sent_record_clear (MdSentRecord *rec)
{
  g_clear_pointer (&rec->message_id, g_free);
  g_clear_pointer (&rec->sha256, g_free);
  rec->sent_at = 0;
}

static char *
state_key (const char *list, const char *week)
{
  return g_strdup_printf ("%s:%s", list, week);
}

gboolean
md_sent_get (MdIndex *idx, const char *list, const char *week,
             MdSentRecord *out, GError **error)
{
  g_autofree char *key = state_key (list, week);
  g_autoptr (GVariant) v = md_index_state_get (idx, NS, key, G_VARIANT_TYPE (TYPE), error);

  if (v == NULL)
    return FALSE;
  g_variant_get (v, "(sxs)", &out->message_id, &out->sent_at, &out->sha256);
  return TRUE;
}

gboolean
md_sent_lookup (const char *index_path, const char *list, const char *week,
                MdSentRecord *out, GError **error)
{
  MdIndex *idx = md_index_open (index_path, MD_INDEX_READ, LOCK_TIMEOUT_MS, error);
  gboolean ok;

  if (idx == NULL)
    return FALSE;
  ok = md_sent_get (idx, list, week, out, error);
  if (!md_index_close (idx, ok ? error : NULL))
    ok = FALSE;
  return ok;
}

gboolean
md_sent_put (const char *index_path, const char *list, const char *week,
             const MdSentRecord *rec, GError **error)
{
  g_autofree char *key = state_key (list, week);
  MdIndex *idx = md_index_open (index_path, MD_INDEX_WRITE, PUT_LOCK_TIMEOUT_MS, error);
  GVariant *v;
  gboolean ok;

  if (idx == NULL)
    return FALSE;
  v = g_variant_ref_sink (g_variant_new (TYPE, rec->message_id, rec->sent_at, rec->sha256));
  ok = md_index_state_put (idx, NS, key, v, error);
  g_variant_unref (v);
  if (!md_index_close (idx, ok ? error : NULL))
    ok = FALSE;
  return ok;
}
