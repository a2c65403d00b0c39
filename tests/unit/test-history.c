/* Unit tests: aggregate/summary/history.c - summaries kept in the index. */
#include <glib/gstdio.h>
#include <string.h>
#include "error.h"
#include "history.h"
#include "fixture-week.h"

static MdHistory *
sample (const MdThread *t)
{
  MdHistory *h = md_history_new ();

  h->since = FX_SINCE;
  h->until = FX_UNTIL;
  h->model = g_strdup ("test-model");
  h->lang = g_strdup ("en");
  h->text = g_strdup ("## this week\nApplied. [2]\n");
  for (guint i = 0; i < t->messages->len; i++)
    g_ptr_array_add (h->covered, g_strdup (((MdRecord *) t->messages->pdata[i])->message_id));
  g_ptr_array_add (h->cites, md_citation_new (2, h->covered->pdata[1]));
  return h;
}

static void
test_variant (void)
{
  g_autoptr (MdWeek) w = fx_week ();
  const MdThread *t = w->threads_v->pdata[0];
  g_autoptr (MdHistory) h = sample (t);
  g_autoptr (GVariant) v = g_variant_ref_sink (md_history_to_variant (h));
  g_autoptr (MdHistory) back = md_history_from_variant (v);
  g_autoptr (GVariant) bad = NULL;
  g_autoptr (MdHistory) none = NULL;

  g_assert_nonnull (back);
  g_assert_cmpint (back->since, ==, FX_SINCE);
  g_assert_cmpstr (back->model, ==, "test-model");
  g_assert_cmpstr (back->text, ==, h->text);
  g_assert_cmpuint (back->covered->len, ==, t->messages->len);
  g_assert_cmpuint (((MdCitation *) back->cites->pdata[0])->n, ==, 2);
  g_assert_true (md_history_covers (back, t));
  g_assert_cmpstr (back->lang, ==, "en");
  g_assert_true (md_history_reusable (back, t, "test-model", "en"));
  g_assert_false (md_history_reusable (back, t, "test-model", "zh-CN"));
  g_assert_false (md_history_reusable (back, t, "other-model", "en"));
  /* a cite of a message it did not cover: not to be trusted */
  g_ptr_array_set_size (h->covered, 1);
  bad = g_variant_ref_sink (md_history_to_variant (h));
  none = md_history_from_variant (bad);
  g_assert_null (none);
  g_assert_null (md_history_from_variant (NULL));
}

static void
test_covers (void)
{
  g_autoptr (MdWeek) w = fx_week ();
  const MdThread *t = w->threads_v->pdata[0];
  g_autoptr (MdHistory) h = sample (t);

  g_assert_true (md_history_covers (h, t));
  g_free (g_ptr_array_steal_index (h->covered, h->covered->len - 1));
  g_assert_false (md_history_covers (h, t));   /* a new message since */
}

static void
test_index (void)
{
  g_autoptr (MdWeek) w = fx_week ();
  const MdThread *t = w->threads_v->pdata[0];
  g_autofree char *dir = g_dir_make_tmp ("mldigest-history-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "index.tdb", NULL);
  g_autoptr (GHashTable) store = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                        (GDestroyNotify) md_history_free);
  g_autoptr (GHashTable) got = NULL;
  g_autoptr (GError) error = NULL;
  guint bad = 0;
  MdIndex *idx = md_index_open (path, MD_INDEX_WRITE, 1000, &error);

  g_assert_no_error (error);
  g_hash_table_insert (store, md_history_key (w->list, t), sample (t));
  g_assert_true (md_history_store (idx, store, &error));
  g_assert_true (md_index_close (idx, &error));
  idx = md_index_open (path, MD_INDEX_READ, 1000, &error);
  got = md_history_load (idx, w, &bad, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_hash_table_size (got), ==, 1);
  g_assert_cmpuint (bad, ==, 0);
  g_assert_cmpstr (((MdHistory *) g_hash_table_lookup (got, t->id))->text, ==,
                   "## this week\nApplied. [2]\n");
  g_assert_true (md_index_close (idx, &error));
  g_unlink (path);
  g_rmdir (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/history/variant", test_variant);
  g_test_add_func ("/history/covers", test_covers);
  g_test_add_func ("/history/index", test_index);
  return g_test_run ();
}
