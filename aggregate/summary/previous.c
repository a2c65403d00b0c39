/* previous.c - replies given on v(N-1), from the index (see previous.h). */
#include <string.h>
#include "error.h"
#include "previous.h"

static gboolean
is_reply_of_other (const MdRecord *r, const MdRecord *root)
{
  return !md_record_is_posting (r)
         && g_strcmp0 (r->from_email, root->from_email) != 0;
}

static int
by_date (gconstpointer a, gconstpointer b)
{
  return md_thread_cmp_time (a, b);
}

/* Records of the thread REC joined at ingest, but REC's author's. */
static gboolean
load_replies (MdThread *t, const MdSource *src, const MdRecord *prev,
              GError **error)
{
  g_autoptr (GPtrArray) ids = NULL;
  g_autoptr (GError) local = NULL;

  if (prev->thread_id == NULL)
    return TRUE;
  if ((ids = src->thread_members (src->data, prev->thread_id, error)) == NULL)
    return FALSE;
  for (guint i = 0; i < ids->len && t->previous_replies->len < MD_PREVIOUS_MAX; i++)
    {
      MdRecord *r = src->get (src->data, ids->pdata[i], &local);
      if (r == NULL)
        {
          if (!g_error_matches (local, MD_ERROR, MD_ERROR_NOT_FOUND)
              && !g_error_matches (local, MD_ERROR, MD_ERROR_CORRUPT))
            return g_propagate_error (error, g_steal_pointer (&local)), FALSE;
          g_clear_error (&local);
          continue;
        }
      if (is_reply_of_other (r, prev) && r->body && *r->body)
        g_ptr_array_add (t->previous_replies, r);
      else
        md_record_free (r);
    }
  g_ptr_array_sort (t->previous_replies, by_date);
  return TRUE;
}

gboolean
md_previous_load (MdWeek *week, const MdSource *src, GError **error)
{
  for (guint i = 0; i < week->threads_v->len; i++)
    {
      MdThread *t = week->threads_v->pdata[i];
      g_autoptr (MdRecord) prev = NULL;
      g_autoptr (GError) local = NULL;
      if (t->series.previous_id == NULL || t->previous_replies->len > 0)
        continue;
      prev = src->get (src->data, t->series.previous_id, &local);
      if (prev == NULL && (g_error_matches (local, MD_ERROR, MD_ERROR_NOT_FOUND)
                           || g_error_matches (local, MD_ERROR, MD_ERROR_CORRUPT)))
        continue;
      if (prev == NULL)
        return g_propagate_error (error, g_steal_pointer (&local)), FALSE;
      if (!load_replies (t, src, prev, error))
        return FALSE;
    }
  return TRUE;
}

/* CHANGELOG mentions WHO: the whole display name, its first word (the
 * "(Marc)" of "- fix the walk (Marc)") or the address. */
static gboolean
mentions (const char *changelog, const MdRecord *who)
{
  g_autofree char *first = NULL;
  const char *sp;

  if (*who->from_email && strstr (changelog, who->from_email))
    return TRUE;
  if (*who->from_name == '\0')
    return FALSE;
  if (strstr (changelog, who->from_name))
    return TRUE;
  sp = strchr (who->from_name, ' ');
  first = g_strndup (who->from_name, sp ? (gsize) (sp - who->from_name) : strlen (who->from_name));
  if (g_utf8_strlen (first, -1) < 2)
    return FALSE;
  /* as a word: "Marc" in "(Marc)", not in "Marcus" */
  for (const char *p = strstr (changelog, first); p; p = strstr (p + 1, first))
    {
      gsize n = strlen (first);
      gboolean before = p == changelog || !g_ascii_isalnum (p[-1]);
      gboolean after = !g_ascii_isalnum (p[n]);
      if (before && after)
        return TRUE;
    }
  return FALSE;
}

void
md_previous_reviewers (const MdThread *t, const char *changelog,
                       GPtrArray *named, GPtrArray *unnamed)
{
  g_autoptr (GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);

  for (guint i = 0; i < t->previous_replies->len; i++)
    {
      const MdRecord *r = t->previous_replies->pdata[i];
      if (!g_hash_table_add (seen, r->from_email))
        continue;
      g_ptr_array_add (changelog && mentions (changelog, r) ? named : unnamed, (gpointer) r);
    }
}
