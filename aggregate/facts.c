/* facts.c - MdWeek lifetime; the fact computations follow. */
#include "facts.h"

static void
review_free (gpointer p)
{
  MdReview *r = p;
  g_free (r->name);
  g_free (r->email);
  g_free (r->patch_subject);
  g_free (r);
}

static void
thread_free (gpointer p)
{
  MdThread *t = p;
  g_free (t->id);
  g_free (t->subject);
  g_free (t->category);
  g_ptr_array_unref (t->messages);
  g_ptr_array_unref (t->earlier);
  g_free (t->series.version_str);
  if (t->series.missing)
    g_array_unref (t->series.missing);
  g_free (t->series.project);
  g_free (t->series.previous_id);
  g_free (t->series.previous_version_str);
  g_ptr_array_unref (t->reviews);
  g_ptr_array_unref (t->applied);
  g_ptr_array_unref (t->robot_failures);
  g_ptr_array_unref (t->naks);
  g_free (t->summary);
  g_free (t);
}

static void
count_free (gpointer p)
{
  MdCategoryCount *c = p;
  g_free (c->name);
  g_free (c);
}

static void
contributor_free (gpointer p)
{
  MdContributor *c = p;
  g_free (c->name);
  g_free (c->email);
  g_free (c->domain);
  g_free (c);
}

MdThread *
md_thread_new (const char *id)
{
  MdThread *t = g_new0 (MdThread, 1);
  t->id = g_strdup (id);
  t->messages = g_ptr_array_new ();
  t->earlier = g_ptr_array_new ();
  t->reviews = g_ptr_array_new_with_free_func (review_free);
  t->applied = g_ptr_array_new ();
  t->robot_failures = g_ptr_array_new ();
  t->naks = g_ptr_array_new ();
  t->series.version = 1;
  return t;
}

MdWeek *
md_week_new (const char *list, gint64 since, gint64 until)
{
  MdWeek *w = g_new0 (MdWeek, 1);
  w->list = g_strdup (list);
  w->since = since;
  w->until = until;
  w->categories = g_ptr_array_new_with_free_func (count_free);
  w->threads_v = g_ptr_array_new_with_free_func (thread_free);
  w->contributors = g_ptr_array_new_with_free_func (contributor_free);
  w->domains = g_ptr_array_new_with_free_func (contributor_free);
  w->patches = g_ptr_array_new ();
  w->records = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                      (GDestroyNotify) md_record_free);
  return w;
}

void
md_week_free (MdWeek *w)
{
  if (w == NULL)
    return;
  g_free (w->list);
  g_ptr_array_unref (w->categories);
  g_ptr_array_unref (w->threads_v);
  g_ptr_array_unref (w->contributors);
  g_ptr_array_unref (w->domains);
  g_ptr_array_unref (w->patches);
  g_hash_table_unref (w->records);
  g_free (w);
}
