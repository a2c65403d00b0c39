/* history.c - summaries kept in the index across runs (see history.h). */
#include <string.h>
#include "error.h"
#include "history.h"

#define HISTORY_VERSION 1
#define HISTORY_TYPE "(uxxsssasa(us))"

MdHistory *
md_history_new (void)
{
  MdHistory *h = g_new0 (MdHistory, 1);
  h->covered = g_ptr_array_new_with_free_func (g_free);
  h->cites = g_ptr_array_new_with_free_func (md_citation_free);
  return h;
}

void
md_history_free (MdHistory *h)
{
  if (h == NULL)
    return;
  g_free (h->model);
  g_free (h->lang);
  g_free (h->text);
  g_ptr_array_unref (h->covered);
  g_ptr_array_unref (h->cites);
  g_free (h);
}

GVariant *
md_history_to_variant (const MdHistory *h)
{
  GVariantBuilder ids, cites;

  g_variant_builder_init (&ids, G_VARIANT_TYPE ("as"));
  for (guint i = 0; i < h->covered->len; i++)
    g_variant_builder_add (&ids, "s", h->covered->pdata[i]);
  g_variant_builder_init (&cites, G_VARIANT_TYPE ("a(us)"));
  for (guint i = 0; i < h->cites->len; i++)
    {
      const MdCitation *c = h->cites->pdata[i];
      g_variant_builder_add (&cites, "(us)", c->n, c->message_id);
    }
  return g_variant_new ("(uxxsss@as@a(us))", HISTORY_VERSION, h->since, h->until,
                        h->model ? h->model : "", h->lang ? h->lang : "",
                        h->text ? h->text : "",
                        g_variant_builder_end (&ids), g_variant_builder_end (&cites));
}

static gboolean
holds (GPtrArray *ids, const char *id)
{
  for (guint i = 0; i < ids->len; i++)
    if (strcmp (ids->pdata[i], id) == 0)
      return TRUE;
  return FALSE;
}

MdHistory *
md_history_from_variant (GVariant *v)
{
  g_autoptr (MdHistory) h = NULL;
  g_autoptr (GVariantIter) ids = NULL, cites = NULL;
  const char *model, *lang, *text, *id;
  guint32 version, n;

  if (v == NULL || !g_variant_is_of_type (v, G_VARIANT_TYPE (HISTORY_TYPE))
      || !g_variant_is_normal_form (v))
    return NULL;
  h = md_history_new ();
  g_variant_get (v, "(uxx&s&s&sasa(us))", &version, &h->since, &h->until,
                 &model, &lang, &text, &ids, &cites);
  if (version != HISTORY_VERSION || *text == '\0' || !g_utf8_validate (model, -1, NULL)
      || !g_utf8_validate (lang, -1, NULL) || !g_utf8_validate (text, -1, NULL))
    return NULL;
  h->model = g_strdup (model);
  h->lang = g_strdup (lang);
  h->text = g_strdup (text);
  while (g_variant_iter_next (ids, "&s", &id))
    g_ptr_array_add (h->covered, g_strdup (id));
  while (g_variant_iter_next (cites, "(u&s)", &n, &id))
    {
      if (!holds (h->covered, id))   /* a cite must name a covered message */
        return NULL;
      g_ptr_array_add (h->cites, md_citation_new (n, id));
    }
  return g_steal_pointer (&h);
}

char *
md_history_key (const char *list, const MdThread *t)
{
  return g_strdup_printf ("%s %s", list, t->id);
}

GHashTable *
md_history_load (MdIndex *idx, const MdWeek *week, guint *bad, GError **error)
{
  GHashTable *out = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                           (GDestroyNotify) md_history_free);

  for (guint i = 0; i < week->threads_v->len; i++)
    {
      const MdThread *t = week->threads_v->pdata[i];
      g_autofree char *key = md_history_key (week->list, t);
      g_autoptr (GError) local = NULL;
      g_autoptr (GVariant) v = md_index_state_get (idx, MD_HISTORY_NS, key,
                                                   G_VARIANT_TYPE (HISTORY_TYPE), &local);
      MdHistory *h = md_history_from_variant (v);
      if (h != NULL)
        g_hash_table_insert (out, g_strdup (t->id), h);
      else if (local && g_error_matches (local, MD_ERROR, MD_ERROR_NOT_FOUND))
        continue;
      else if (local && !g_error_matches (local, MD_ERROR, MD_ERROR_CORRUPT))
        {
          g_propagate_error (error, g_steal_pointer (&local));
          g_hash_table_unref (out);
          return NULL;
        }
      else if (bad)
        (*bad)++;
    }
  return out;
}

gboolean
md_history_store (MdIndex *idx, GHashTable *entries, GError **error)
{
  GHashTableIter it;
  gpointer key, value;

  if (g_hash_table_size (entries) == 0)
    return TRUE;
  if (!md_index_begin (idx, error))
    return FALSE;
  g_hash_table_iter_init (&it, entries);
  while (g_hash_table_iter_next (&it, &key, &value))
    if (!md_index_state_put (idx, MD_HISTORY_NS, key,
                             md_history_to_variant (value), error))
      {
        md_index_cancel (idx);
        return FALSE;
      }
  return md_index_commit (idx, error);
}

gboolean
md_history_reusable (const MdHistory *h, const MdThread *t, const char *model,
                     const char *lang)
{
  return g_strcmp0 (h->model, model) == 0 && g_strcmp0 (h->lang, lang) == 0
         && md_history_covers (h, t);
}

gboolean
md_history_covers (const MdHistory *h, const MdThread *t)
{
  g_autoptr (GHashTable) ids = g_hash_table_new (g_str_hash, g_str_equal);

  for (guint i = 0; i < h->covered->len; i++)
    g_hash_table_add (ids, h->covered->pdata[i]);
  for (guint i = 0; i < t->messages->len; i++)
    if (!g_hash_table_contains (ids, ((const MdRecord *) t->messages->pdata[i])->message_id))
      return FALSE;
  return t->messages->len > 0;
}
