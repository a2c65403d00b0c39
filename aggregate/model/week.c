/* week.c - the week model's lifetime and the small helpers every stage
 * shares (see week.h). */
#include <string.h>
#include "week.h"

/* ---- lifetime ---- */

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
join_free (gpointer p)
{
  MdJoin *j = p;
  g_free (j->to);
  g_free (j);
}

void
md_thread_free (MdThread *t)
{
  if (t == NULL)
    return;
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
  g_ptr_array_unref (t->joins);
  g_free (t->summary);
  g_free (t->summary_text);
  g_free (t->summary_model);
  g_free (t->summary_fallback);
  g_ptr_array_unref (t->summary_cites);
  g_ptr_array_unref (t->previous_replies);
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

static void
reviewer_free (gpointer p)
{
  MdReviewer *r = p;
  g_free (r->name);
  g_free (r->email);
  g_free (r);
}

MdCitation *
md_citation_new (guint n, const char *message_id)
{
  MdCitation *c = g_new0 (MdCitation, 1);
  c->n = n;
  c->message_id = g_strdup (message_id);
  return c;
}

void
md_citation_free (gpointer p)
{
  MdCitation *c = p;
  if (c == NULL)
    return;
  g_free (c->message_id);
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
  t->joins = g_ptr_array_new_with_free_func (join_free);
  t->summary_cites = g_ptr_array_new_with_free_func (md_citation_free);
  t->previous_replies = g_ptr_array_new_with_free_func ((GDestroyNotify) md_record_free);
  t->series.version = 1;
  return t;
}

static void
attention_free (gpointer p)
{
  MdAttention *a = p;
  g_ptr_array_unref (a->links);
  g_free (a);
}

const char *
md_attention_reason (MdAttentionKind kind)
{
  static const char *const words[] = { "waiting", "nak", "robot", "review", "question" };
  return kind < G_N_ELEMENTS (words) ? words[kind] : "waiting";
}

MdWeek *
md_week_new (const char *list, gint64 since, gint64 until)
{
  MdWeek *w = g_new0 (MdWeek, 1);
  w->list = g_strdup (list);
  w->since = since;
  w->until = until;
  w->history_since = since - 28 * G_GINT64_CONSTANT (86400);
  w->categories = g_ptr_array_new_with_free_func (count_free);
  w->threads_v = g_ptr_array_new_with_free_func ((GDestroyNotify) md_thread_free);
  w->contributors = g_ptr_array_new_with_free_func (contributor_free);
  w->domains = g_ptr_array_new_with_free_func (contributor_free);
  w->patches = g_ptr_array_new ();
  w->records = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                      (GDestroyNotify) md_record_free);
  w->window_ids = g_hash_table_new (g_str_hash, g_str_equal);
  w->reviewers = g_ptr_array_new_with_free_func (reviewer_free);
  w->attention = g_ptr_array_new_with_free_func (attention_free);
  w->attention_records = g_ptr_array_new_with_free_func ((GDestroyNotify) md_record_free);
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
  g_ptr_array_unref (w->reviewers);
  g_ptr_array_unref (w->attention);
  g_ptr_array_unref (w->attention_records);
  g_hash_table_unref (w->window_ids);
  g_hash_table_unref (w->records);
  g_free (w);
}

MdRecord *
md_week_add (MdWeek *week, MdRecord *rec, gboolean in_window)
{
  MdRecord *kept = g_hash_table_lookup (week->records, rec->message_id);

  if (kept == NULL)
    g_hash_table_insert (week->records, rec->message_id, kept = rec);
  else
    md_record_free (rec);
  if (in_window)
    g_hash_table_add (week->window_ids, kept->message_id);
  return kept;
}

gboolean
md_week_in_window (const MdWeek *week, const MdRecord *rec)
{
  return g_hash_table_contains (week->window_ids, rec->message_id);
}

GPtrArray *
md_week_records (const MdWeek *week)
{
  GPtrArray *all = g_ptr_array_sized_new (g_hash_table_size (week->records));
  GHashTableIter it;
  gpointer rec;

  g_hash_table_iter_init (&it, week->records);
  while (g_hash_table_iter_next (&it, NULL, &rec))
    g_ptr_array_add (all, rec);
  return all;
}

gint64
md_week_time (const MdWeek *week, const MdRecord *rec)
{
  return week->by_date ? rec->date : rec->arrival;
}

gboolean
md_record_is_posting (const MdRecord *rec)
{
  return !rec->tags.reply && !rec->tags.forward
         && (rec->tags.patch || rec->tags.git_pull);
}

int
md_review_slot (MdTrailerKind kind)
{
  switch (kind)
    {
    case MD_TRAILER_REVIEWED_BY: return 0;
    case MD_TRAILER_ACKED_BY:    return 1;
    case MD_TRAILER_TESTED_BY:   return 2;
    case MD_TRAILER_NACKED_BY:   return 3;
    default:                     return -1;
    }
}

char *
md_time_iso8601 (gint64 t)
{
  g_autoptr (GDateTime) dt = g_date_time_new_from_unix_utc (t);
  /* out of GDateTime's range (years 1..9999): an absurd Date header */
  return dt ? g_date_time_format (dt, "%Y-%m-%dT%H:%M:%SZ")
            : g_strdup ("0001-01-01T00:00:00Z");
}

int
md_thread_cmp_time (gconstpointer a, gconstpointer b)
{
  const MdRecord *x = *(const MdRecord *const *) a;
  const MdRecord *y = *(const MdRecord *const *) b;

  if (x->date != y->date)
    return x->date < y->date ? -1 : 1;
  if (x->arrival != y->arrival)
    return x->arrival < y->arrival ? -1 : 1;
  return strcmp (x->message_id, y->message_id);
}

/* ---- the parent rule ---- */

static const char *
last_present_ref (GHashTable *records, const MdRecord *rec)
{
  for (guint i = rec->references->len; i-- > 0;)
    {
      const char *ref = rec->references->pdata[i];
      if (strcmp (ref, rec->message_id) != 0
          && g_hash_table_contains (records, ref))
        return ref;
    }
  return NULL;
}

const char *
md_thread_parent_id (GHashTable *records, const MdRecord *rec)
{
  const char *irt = rec->in_reply_to;

  if (irt && strcmp (irt, rec->message_id) != 0
      && g_hash_table_contains (records, irt))
    return irt;
  return last_present_ref (records, rec);
}

