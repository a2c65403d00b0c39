/* records.h - hand-built records and an in-memory record source for the
 * aggregator's unit tests (thread, series, category, facts, window...).
 *
 * Records are built field by field, tags included, so a test states
 * exactly what the parser would have produced and does not depend on it.
 * The table source answers like the index: by list and time, by id, by
 * ingest thread (here: the record's thread_id), by sender and series key.
 */
#pragma once
#include <string.h>
#include "week.h"
#include "source.h"
#include "subject.h"
#include "error.h"

#define T0 G_GINT64_CONSTANT (1614556800)   /* 2021-03-01T00:00:00Z, a Monday */
#define MIN_ (G_GINT64_CONSTANT (60))
#define HOUR_ (G_GINT64_CONSTANT (3600))
#define DAY_ (G_GINT64_CONSTANT (86400))

/* A message: id, sender ("Name <addr>" or a bare address), Date, subject
 * (the title is the subject unless tags say otherwise). */
G_GNUC_UNUSED static MdRecord *
msg (const char *id, const char *from, gint64 date, const char *subject)
{
  MdRecord *r = md_record_new ();
  const char *lt = strchr (from, '<');

  r->message_id = g_strdup (id);
  g_free (r->from_name);
  g_free (r->from_email);
  if (lt)
    {
      r->from_name = g_strstrip (g_strndup (from, lt - from));
      r->from_email = g_strndup (lt + 1, strcspn (lt + 1, ">"));
    }
  else
    {
      r->from_name = g_strdup ("");
      r->from_email = g_strdup (from);
    }
  r->date = r->arrival = date;
  g_free (r->subject);
  r->subject = g_strdup (subject);
  r->tags.title = g_strdup (subject);
  g_ptr_array_add (r->lists, g_strdup ("kvmarm"));
  return r;
}

/* A message whose tags are what the subject parser makes of SUBJECT. */
G_GNUC_UNUSED static MdRecord *
parsed (const char *id, const char *from, gint64 date, const char *subject)
{
  MdRecord *r = msg (id, from, date, subject);

  md_subject_tags_clear (&r->tags);
  md_subject_parse (subject, &r->tags);
  return r;
}

/* In-Reply-To IRT (may be NULL) and References, oldest first, NULL-ended. */
G_GNUC_UNUSED static MdRecord *
replying (MdRecord *r, const char *irt, ...)
{
  va_list ap;
  const char *ref;

  g_free (r->in_reply_to);
  r->in_reply_to = g_strdup (irt);
  va_start (ap, irt);
  while ((ref = va_arg (ap, const char *)) != NULL)
    g_ptr_array_add (r->references, g_strdup (ref));
  va_end (ap);
  return r;
}

/* A reply's subject tags: "Re:" over the replied-to posting's tags. */
G_GNUC_UNUSED static MdRecord *
as_reply (MdRecord *r)
{
  r->tags.reply = TRUE;
  return r;
}

/* Patch tags: [PATCH vVERSION INDEX/TOTAL] TITLE (VERSION 1: no vN;
 * TOTAL 0: no numbering). */
G_GNUC_UNUSED static MdRecord *
as_patch (MdRecord *r, guint16 version, guint16 index, guint16 total,
          const char *title)
{
  r->tags.patch = TRUE;
  r->tags.version = version;
  g_free (r->tags.version_str);
  r->tags.version_str = version > 1 ? g_strdup_printf ("%u", version) : NULL;
  r->tags.index = index;
  r->tags.total = total;
  g_free (r->tags.title);
  r->tags.title = g_strdup (title);
  return r;
}

/* Set the tags' title (what the subject says after its prefixes). */
G_GNUC_UNUSED static MdRecord *
titled (MdRecord *r, const char *title)
{
  g_free (r->tags.title);
  r->tags.title = g_strdup (title);
  return r;
}

G_GNUC_UNUSED static MdRecord *
with_diff (MdRecord *r, const char *file, ...)
{
  va_list ap;

  r->flags |= MD_REC_HAS_PATCH;
  va_start (ap, file);
  for (; file; file = va_arg (ap, const char *))
    g_ptr_array_add (r->files, g_strdup (file));
  va_end (ap);
  g_free (r->commit_msg);
  r->commit_msg = g_strdup ("Fix it.\n\nSigned-off-by: A <a@example.org>");
  g_free (r->diffstat);
  r->diffstat = g_strdup (" x.c | 2 +-\n 1 file changed");
  return r;
}

G_GNUC_UNUSED static MdRecord *
with_body (MdRecord *r, const char *body)
{
  g_free (r->body);
  r->body = g_strdup (body);
  return r;
}

G_GNUC_UNUSED static MdRecord *
with_trailer (MdRecord *r, MdTrailerKind kind, const char *name, const char *email)
{
  md_record_add_trailer (r, kind, name, email);
  return r;
}

/* ---- a deep copy (the source hands out records the caller owns) ---- */

static GPtrArray *
copy_strv (GPtrArray *a)
{
  GPtrArray *c = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; i < a->len; i++)
    g_ptr_array_add (c, g_strdup (a->pdata[i]));
  return c;
}

G_GNUC_UNUSED static MdRecord *
rec_copy (const MdRecord *r)
{
  MdRecord *c = md_record_new ();

#define REPLACE(field) do { g_free (c->field); c->field = g_strdup (r->field); } while (0)
  REPLACE (message_id); REPLACE (in_reply_to); REPLACE (subject);
  REPLACE (from_name); REPLACE (from_email); REPLACE (thread_id);
  REPLACE (body); REPLACE (commit_msg); REPLACE (diffstat);
#undef REPLACE
#define COPYV(field) do { g_ptr_array_unref (c->field); c->field = copy_strv (r->field); } while (0)
  COPYV (references); COPYV (lists); COPYV (list_ids); COPYV (recipients); COPYV (files);
#undef COPYV
  c->flags = r->flags;
  c->date = r->date;
  c->arrival = r->arrival;
  for (guint i = 0; i < r->trailers->len; i++)
    {
      const MdTrailer *t = &g_array_index (r->trailers, MdTrailer, i);
      md_record_add_trailer (c, t->kind, t->name, t->email);
    }
  c->tags = r->tags;
  c->tags.version_str = g_strdup (r->tags.version_str);
  c->tags.project = g_strdup (r->tags.project);
  c->tags.title = g_strdup (r->tags.title);
  return c;
}

/* ---- the table source ---- */

typedef struct {
  GHashTable *recs;       /* id -> MdRecord* (owned) */
  GHashTable *corrupt;    /* ids that read back as MD_ERROR_CORRUPT */
  guint gets;             /* how many get() calls: the cost of a load */
  gboolean fail;          /* every call fails with MD_ERROR_TEMP */
} Table;

G_GNUC_UNUSED static Table *
table_new (void)
{
  Table *t = g_new0 (Table, 1);
  t->recs = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                   (GDestroyNotify) md_record_free);
  t->corrupt = g_hash_table_new (g_str_hash, g_str_equal);
  return t;
}

G_GNUC_UNUSED static void
table_free (Table *t)
{
  g_hash_table_unref (t->recs);
  g_hash_table_unref (t->corrupt);
  g_free (t);
}

/* Take REC; its ingest thread is THREAD_ID (NULL: its own id). */
G_GNUC_UNUSED static void
table_add (Table *t, MdRecord *rec, const char *thread_id)
{
  g_free (rec->thread_id);
  rec->thread_id = g_strdup (thread_id ? thread_id : rec->message_id);
  g_hash_table_replace (t->recs, rec->message_id, rec);
}

static gboolean
table_failing (Table *t, GError **error)
{
  if (t->fail)
    g_set_error (error, MD_ERROR, MD_ERROR_TEMP, "table locked");
  return t->fail;
}

static int
cmp_arrival (gconstpointer a, gconstpointer b)
{
  const MdRecord *x = *(MdRecord *const *) a, *y = *(MdRecord *const *) b;
  return x->arrival < y->arrival ? -1 : x->arrival > y->arrival;
}

/* Records matching KEEP, in arrival order, as an array of ids. */
static GPtrArray *
table_select (Table *t, gboolean (*keep) (const MdRecord *, gconstpointer),
              gconstpointer data)
{
  g_autoptr (GPtrArray) recs = g_ptr_array_new ();
  GPtrArray *ids = g_ptr_array_new_with_free_func (g_free);
  GHashTableIter it;
  gpointer v;

  g_hash_table_iter_init (&it, t->recs);
  while (g_hash_table_iter_next (&it, NULL, &v))
    if (keep (v, data))
      g_ptr_array_add (recs, v);
  g_ptr_array_sort (recs, cmp_arrival);
  for (guint i = 0; i < recs->len; i++)
    g_ptr_array_add (ids, g_strdup (((MdRecord *) recs->pdata[i])->message_id));
  return ids;
}

typedef struct { const char *list; MdTimeKind kind; gint64 since, until; } WindowQuery;

static gboolean
in_window (const MdRecord *r, gconstpointer data)
{
  const WindowQuery *q = data;
  gint64 t = q->kind == MD_TIME_DATE ? r->date : r->arrival;
  return t >= q->since && t < q->until
         && g_ptr_array_find_with_equal_func (r->lists, q->list, g_str_equal, NULL);
}

/* Copies of the window's records, as the index gives them; those marked
 * corrupt are counted in *UNREADABLE instead. */
static GPtrArray *
table_window (gpointer data, const char *list, MdTimeKind kind, gint64 since,
              gint64 until, guint *unreadable, GError **error)
{
  Table *t = data;
  WindowQuery q = { list, kind, since, until };
  g_autoptr (GPtrArray) ids = NULL;
  GPtrArray *recs;

  if (table_failing (t, error))
    return NULL;
  ids = table_select (t, in_window, &q);
  recs = g_ptr_array_new_with_free_func ((GDestroyNotify) md_record_free);
  *unreadable = 0;
  for (guint i = 0; i < ids->len; i++)
    if (g_hash_table_contains (t->corrupt, ids->pdata[i]))
      (*unreadable)++;
    else
      g_ptr_array_add (recs, rec_copy (g_hash_table_lookup (t->recs, ids->pdata[i])));
  return recs;
}

static MdRecord *
table_get (gpointer data, const char *id, GError **error)
{
  Table *t = data;
  const MdRecord *r;

  if (table_failing (t, error))
    return NULL;
  t->gets++;
  if (g_hash_table_contains (t->corrupt, id))
    {
      g_set_error (error, MD_ERROR, MD_ERROR_CORRUPT, "bad record '%s'", id);
      return NULL;
    }
  if ((r = g_hash_table_lookup (t->recs, id)) == NULL)
    {
      g_set_error (error, MD_ERROR, MD_ERROR_NOT_FOUND, "no message '%s'", id);
      return NULL;
    }
  return rec_copy (r);
}

static gboolean
in_thread (const MdRecord *r, gconstpointer thread_id)
{
  return g_strcmp0 (r->thread_id, thread_id) == 0;
}

static GPtrArray *
table_thread_members (gpointer data, const char *thread_id, GError **error)
{
  return table_failing (data, error) ? NULL : table_select (data, in_thread, thread_id);
}

typedef struct { const char *from, *key; } SeriesQuery;

static gboolean
in_series (const MdRecord *r, gconstpointer data)
{
  const SeriesQuery *q = data;
  g_autofree char *key = NULL;

  if (!md_record_is_posting (r) || r->tags.index != 0 || strcmp (r->from_email, q->from))
    return FALSE;
  key = md_subject_series_key (&r->tags);
  return strcmp (key, q->key) == 0;
}

static GPtrArray *
table_series_lookup (gpointer data, const char *from, const char *key,
                     GError **error)
{
  SeriesQuery q = { from, key };
  return table_failing (data, error) ? NULL : table_select (data, in_series, &q);
}

static gboolean
has_change_id (const MdRecord *r, gconstpointer cid)
{
  g_autofree char *own = NULL;

  if (!md_record_is_posting (r) || r->tags.index != 0)
    return FALSE;
  own = md_record_change_id (r);
  return g_strcmp0 (own, cid) == 0;
}

static GPtrArray *
table_change_id_lookup (gpointer data, const char *cid, GError **error)
{
  return table_failing (data, error) ? NULL : table_select (data, has_change_id, cid);
}

G_GNUC_UNUSED static void
table_source (MdSource *src, Table *t)
{
  src->window = table_window;
  src->get = table_get;
  src->thread_members = table_thread_members;
  src->series_lookup = table_series_lookup;
  src->change_id_lookup = table_change_id_lookup;
  src->data = t;
}

/* A configuration from TEXT (GKeyFile syntax). */
G_GNUC_UNUSED static GKeyFile *
keyfile (const char *text)
{
  GKeyFile *kf = g_key_file_new ();
  g_assert_true (g_key_file_load_from_data (kf, text, -1, G_KEY_FILE_NONE, NULL));
  return kf;
}

/* ---- a week straight from records (no window stage) ---- */

/* The week of T0 (Monday 2021-03-01), cut by Date. */
G_GNUC_UNUSED static MdWeek *
test_week (void)
{
  MdWeek *w = md_week_new ("kvmarm", T0, T0 + 7 * DAY_);
  w->by_date = TRUE;
  return w;
}

/* A g_test fixture: a table of records as the index, and the week of T0
 * read from it (g_test_add (..., Fixture, NULL, setup, test, teardown)). */
typedef struct {
  Table *tab;
  MdSource src;
  MdWeek *week;
} Fixture;

G_GNUC_UNUSED static void
setup (Fixture *f, gconstpointer data)
{
  f->tab = table_new ();
  table_source (&f->src, f->tab);
  f->week = test_week ();
}

G_GNUC_UNUSED static void
teardown (Fixture *f, gconstpointer data)
{
  md_week_free (f->week);
  table_free (f->tab);
}

/* Add REC to WEEK as a window message (IN_WINDOW) or as history. */
G_GNUC_UNUSED static MdRecord *
put (MdWeek *w, MdRecord *rec, gboolean in_window)
{
  return md_week_add (w, rec, in_window);
}

/* The thread holding message ID, or NULL. */
G_GNUC_UNUSED static MdThread *
thread_of (MdWeek *w, const char *id)
{
  for (guint i = 0; i < w->threads_v->len; i++)
    {
      MdThread *t = w->threads_v->pdata[i];
      GPtrArray *lists[] = { t->messages, t->earlier };
      for (guint l = 0; l < 2; l++)
        for (guint j = 0; j < lists[l]->len; j++)
          if (strcmp (((MdRecord *) lists[l]->pdata[j])->message_id, id) == 0)
            return t;
    }
  return NULL;
}
