/* attention.c - what needs a human (see attention.h).
 *
 * Every rule reads facts already computed (reviews, applied, NAKs, robot
 * failures, previous versions) or the index, never prose: the list is
 * the same however the summaries are made.  Bots do not count as an
 * answer: a build robot's report says nothing about whether a human
 * looked at a series.  "Answered by the author" means a message of the
 * author's that has the comment among its ancestors (In-Reply-To or
 * References), so a reply to another reviewer does not count.
 */
#include <string.h>
#include "attention.h"
#include "config.h"
#include "error.h"
#include "facts.h"
#include "subject.h"

#define DAY (G_GINT64_CONSTANT (86400))
#define QUESTION_WAIT (2 * DAY)   /* a question younger than this may yet be answered */
#define MAX_LINKS 3

typedef struct {
  MdWeek *week;
  const MdSource *src;
  char **bots;
  gint64 min_wait;          /* attention_days in seconds */
  GHashTable *notices;      /* casefolded titles applied notices name */
} Ctx;

/* ---- helpers ---- */

static MdAttention *
add (Ctx *c, MdAttentionKind kind, const MdRecord *posting, const MdThread *t,
     gint64 since)
{
  MdAttention *a = g_new0 (MdAttention, 1);

  a->kind = kind;
  a->posting = posting;
  a->thread = t;
  a->since = since;
  a->days = c->week->until > since ? (guint) ((c->week->until - since) / DAY) : 0;
  a->links = g_ptr_array_new ();
  g_ptr_array_add (c->week->attention, a);
  return a;
}

static gboolean
is_bot (const Ctx *c, const MdRecord *r)
{
  return md_facts_is_bot (c->bots, r->from_email);
}

static gboolean
same_sender (const MdRecord *a, const MdRecord *b)
{
  return *a->from_email ? strcmp (a->from_email, b->from_email) == 0
                        : strcmp (a->from_name, b->from_name) == 0;
}

/* REC refers to ID (In-Reply-To or References). */
static gboolean
refers_to (const MdRecord *rec, const char *id)
{
  if (g_strcmp0 (rec->in_reply_to, id) == 0)
    return TRUE;
  for (guint i = 0; i < rec->references->len; i++)
    if (strcmp (rec->references->pdata[i], id) == 0)
      return TRUE;
  return FALSE;
}

static gboolean
has_review_trailer_from_other (const MdRecord *r, const MdRecord *author)
{
  for (guint i = 0; i < r->trailers->len; i++)
    {
      const MdTrailer *tr = &g_array_index (r->trailers, MdTrailer, i);
      if (md_review_slot (tr->kind) >= 0 && strcmp (tr->email, author->from_email) != 0)
        return TRUE;
    }
  return FALSE;
}

/* Someone other than POSTING's author (and bots) wrote in RECS before
 * the window's end, or a later version of it was posted. */
static gboolean
answered_in (const Ctx *c, const MdRecord *posting, GPtrArray *recs)
{
  for (guint i = 0; i < recs->len; i++)
    {
      const MdRecord *r = recs->pdata[i];
      if (r == posting || r->date >= c->week->until)
        continue;
      if (!same_sender (r, posting) && !is_bot (c, r))
        return TRUE;
      if (!md_record_is_posting (r) && has_review_trailer_from_other (r, posting))
        return TRUE;
      if (md_record_is_posting (r) && r->tags.index == 0
          && r->tags.version > posting->tags.version && same_sender (r, posting))
        return TRUE;    /* superseded by a later version in the thread */
    }
  return FALSE;
}

/* A later version of POSTING among the week's records (same sender and
 * series key, higher version): it is no longer waiting. */
static gboolean
superseded (const Ctx *c, const MdRecord *posting)
{
  g_autofree char *key = md_subject_series_key (&posting->tags);
  GHashTableIter it;
  gpointer v;

  g_hash_table_iter_init (&it, c->week->records);
  while (g_hash_table_iter_next (&it, NULL, &v))
    {
      const MdRecord *r = v;
      g_autofree char *k = NULL;
      if (!md_record_is_posting (r) || r->tags.index != 0 || !same_sender (r, posting)
          || r->tags.version <= posting->tags.version)
        continue;
      k = md_subject_series_key (&r->tags);
      if (g_strcmp0 (k, key) == 0)
        return TRUE;
    }
  return FALSE;
}

/* ---- this week's threads ---- */

static gboolean
thread_waits (const Ctx *c, const MdThread *t, const MdRecord *p)
{
  return p->date <= c->week->until - c->min_wait && t->reviews->len == 0
         && t->applied->len == 0 && t->naks->len == 0
         && !answered_in (c, p, t->earlier) && !answered_in (c, p, t->messages)
         && !superseded (c, p);
}

/* The first robot failure of T its series' author wrote nothing after. */
static const MdRecord *
unanswered_robot (const Ctx *c, const MdThread *t, const MdRecord *p)
{
  for (guint i = 0; i < t->robot_failures->len; i++)
    {
      const MdRecord *rb = t->robot_failures->pdata[i];
      gboolean answered = FALSE;
      for (guint j = 0; j < t->messages->len && !answered; j++)
        {
          const MdRecord *m = t->messages->pdata[j];
          answered = same_sender (m, p) && m->date >= rb->date && m != p;
        }
      if (!answered && !superseded (c, p))
        return rb;
    }
  return NULL;
}

static void
series_thread (Ctx *c, const MdThread *t)
{
  const MdRecord *p = t->series.posting, *rb;

  if (t->naks->len > 0 && !superseded (c, p))
    {
      MdAttention *a = add (c, MD_ATTN_NAK, p, t, ((MdRecord *) t->naks->pdata[0])->date);
      for (guint i = 0; i < t->naks->len && i < MAX_LINKS; i++)
        g_ptr_array_add (a->links, t->naks->pdata[i]);
    }
  if ((rb = unanswered_robot (c, t, p)) != NULL)
    g_ptr_array_add (add (c, MD_ATTN_ROBOT, p, t, rb->date)->links, (gpointer) rb);
  if (thread_waits (c, t, p))
    add (c, MD_ATTN_WAITING, p, t, p->date);
}

/* A line of TEXT's own words that asks something. */
static gboolean
asks (const char *text)
{
  g_auto (GStrv) lines = g_strsplit (text ? text : "", "\n", -1);

  for (guint i = 0; lines[i]; i++)
    {
      g_strchomp (lines[i]);
      if (lines[i][0] != '>' && g_str_has_suffix (lines[i], "?"))
        return TRUE;
    }
  return FALSE;
}

static void
question_thread (Ctx *c, const MdThread *t)
{
  const MdRecord *q = t->root_rec;

  if (t->root_missing || q->tags.reply || q->tags.patch || q->tags.git_pull
      || is_bot (c, q) || q->date > c->week->until - QUESTION_WAIT)
    return;
  if (!asks (q->body) && !g_str_has_suffix (q->subject, "?"))
    return;
  if (!answered_in (c, q, t->earlier) && !answered_in (c, q, t->messages))
    add (c, MD_ATTN_QUESTION, q, t, q->date);
}

/* ---- the index: v(N-1)'s thread, earlier weeks' series ---- */

/* The records of the ingest thread THREAD_ID: from the week when loaded,
 * else read (kept in WEEK.attention_records). */
static GPtrArray *
thread_records (Ctx *c, const char *thread_id, GError **error)
{
  g_autoptr (GPtrArray) ids = NULL;
  GPtrArray *out = g_ptr_array_new ();

  if (thread_id == NULL)
    return out;
  if ((ids = c->src->thread_members (c->src->data, thread_id, error)) == NULL)
    {
      g_ptr_array_unref (out);
      return NULL;
    }
  for (guint i = 0; i < ids->len; i++)
    {
      const MdRecord *r = g_hash_table_lookup (c->week->records, ids->pdata[i]);
      if (r == NULL)
        {
          MdRecord *got = c->src->get (c->src->data, ids->pdata[i], NULL);
          if (got == NULL)
            continue;   /* absent or damaged: as if never sent */
          g_ptr_array_add (c->week->attention_records, got);
          r = got;
        }
      g_ptr_array_add (out, (gpointer) r);
    }
  return out;
}

/* "Reviewed-by: ...", "Acked-by: ...": a trailer line. */
static gboolean
is_trailer_line (const char *l)
{
  gsize n = strspn (l, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-");
  return n > 3 && l[n] == ':' && g_ascii_strncasecmp (l + n - 3, "-by", 3) == 0;
}

/* A comment of someone else's that needs an answer: a reply with a line
 * of its own that is not a trailer. */
static gboolean
is_comment (const Ctx *c, const MdRecord *r, const MdRecord *author)
{
  g_auto (GStrv) lines = NULL;

  if (md_record_is_posting (r) || same_sender (r, author) || is_bot (c, r))
    return FALSE;
  lines = g_strsplit (r->body ? r->body : "", "\n", -1);
  for (guint i = 0; lines[i]; i++)
    {
      const char *l = g_strstrip (lines[i]);
      if (*l != '\0' && *l != '>' && !is_trailer_line (l))
        return TRUE;
    }
  return FALSE;
}

static gboolean
author_answered (const MdRecord *comment, const MdRecord *author, GPtrArray *recs)
{
  for (guint i = 0; i < recs->len; i++)
    {
      const MdRecord *r = recs->pdata[i];
      if (same_sender (r, author) && refers_to (r, comment->message_id))
        return TRUE;
    }
  return FALSE;
}

static gboolean
previous_unanswered (Ctx *c, const MdThread *t, GError **error)
{
  const MdRecord *p = t->series.posting;
  g_autoptr (MdRecord) owned = NULL;
  g_autoptr (GPtrArray) recs = NULL;
  const MdRecord *prev = g_hash_table_lookup (c->week->records, t->series.previous_id);
  MdAttention *a = NULL;

  if (prev == NULL && (prev = owned = c->src->get (c->src->data, t->series.previous_id, NULL)) == NULL)
    return TRUE;
  if ((recs = thread_records (c, prev->thread_id, error)) == NULL)
    return FALSE;
  for (guint i = 0; i < recs->len; i++)
    {
      const MdRecord *r = recs->pdata[i];
      if (r->date >= p->date || !is_comment (c, r, prev) || author_answered (r, prev, recs)
          || (a && a->links->len >= MAX_LINKS))
        continue;
      if (a == NULL)
        a = add (c, MD_ATTN_REVIEW, p, t, r->date);
      a->since = MIN (a->since, r->date);
      g_ptr_array_add (a->links, (gpointer) r);
    }
  if (a)
    a->days = c->week->until > a->since ? (guint) ((c->week->until - a->since) / DAY) : 0;
  return TRUE;
}

/* The titles the week's applied notices name (facts.c counts them for
 * this week's threads; a series of an earlier week needs them here, and
 * those of the lookback's notices: earlier_series()). */
static GHashTable *
notice_titles (const MdWeek *w)
{
  GHashTable *h = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  GHashTableIter it;
  gpointer v;

  g_hash_table_iter_init (&it, w->window_ids);
  while (g_hash_table_iter_next (&it, &v, NULL))
    {
      const MdRecord *r = g_hash_table_lookup (w->records, v);
      char *title = r ? md_facts_notice_title (r) : NULL;
      if (title)
        g_hash_table_add (h, title);
    }
  return h;
}

static gboolean
applied_by_notice (const Ctx *c, const MdRecord *p)
{
  g_autofree char *title = NULL;

  if (g_hash_table_size (c->notices) == 0 || p->tags.title == NULL)
    return FALSE;
  title = g_utf8_casefold (p->tags.title, -1);
  return g_hash_table_contains (c->notices, title);
}

/* Postings of the lookback before the window that no week thread holds. */
static gboolean
earlier_series (Ctx *c, GError **error)
{
  MdWeek *w = c->week;
  MdTimeKind kind = w->by_date ? MD_TIME_DATE : MD_TIME_ARRIVAL;
  g_autoptr (GPtrArray) recs = NULL;
  guint unreadable = 0;     /* a damaged record is as if never sent */

  if (w->history_since >= w->since)
    return TRUE;
  recs = c->src->window (c->src->data, w->list, kind, w->history_since, w->since,
                         &unreadable, error);
  if (recs == NULL)
    return FALSE;
  /* a notice of the lookback applied its series as surely as one of
   * this week: such a series is not waiting */
  for (guint i = 0; i < recs->len; i++)
    {
      char *title = md_facts_notice_title (recs->pdata[i]);
      if (title)
        g_hash_table_add (c->notices, title);
    }
  for (guint i = 0; i < recs->len; i++)
    {
      MdRecord *p = recs->pdata[i];
      g_autoptr (GPtrArray) members = NULL;
      gboolean keep = FALSE;

      if (md_record_is_posting (p) && p->tags.index == 0 && !p->tags.git_pull
          && p->tags.patch && !is_bot (c, p)
          && !g_hash_table_contains (w->records, p->message_id)
          && p->date <= w->until - c->min_wait)
        {
          if ((members = thread_records (c, p->thread_id, error)) == NULL)
            return FALSE;
          keep = !answered_in (c, p, members) && !superseded (c, p)
                 && !applied_by_notice (c, p);
        }
      if (keep)
        {
          recs->pdata[i] = NULL;    /* now the week's */
          g_ptr_array_add (w->attention_records, p);
          add (c, MD_ATTN_WAITING, p, NULL, p->date);
        }
    }
  return TRUE;
}

/* ---- the list ---- */

static int
cmp_since (gconstpointer a, gconstpointer b)
{
  const MdAttention *x = *(MdAttention *const *) a;
  const MdAttention *y = *(MdAttention *const *) b;

  if (x->since != y->since)
    return x->since < y->since ? -1 : 1;
  if (x->kind != y->kind)
    return x->kind < y->kind ? -1 : 1;
  return strcmp (x->posting->message_id, y->posting->message_id);
}

gboolean
md_attention_run (MdWeek *week, const MdSource *src, GKeyFile *config,
                  GError **error)
{
  g_auto (GStrv) bots = md_facts_bots (config, week->list);
  gint64 days = config ? md_config_list_int (config, week->list, "attention_days", 7) : 7;
  gint64 max = config ? md_config_list_int (config, week->list, "attention_max", 10) : 10;
  g_autoptr (GHashTable) notices = notice_titles (week);
  Ctx c = { week, src, bots, CLAMP (days, 0, 3660) * DAY, notices };

  g_ptr_array_set_size (week->attention, 0);
  for (guint i = 0; i < week->threads_v->len; i++)
    {
      const MdThread *t = week->threads_v->pdata[i];
      if (t->is_series && !t->series.git_pull && t->series.posting
          && !is_bot (&c, t->series.posting))
        {
          series_thread (&c, t);
          if (t->series.previous_id && md_week_in_window (week, t->series.posting)
              && !previous_unanswered (&c, t, error))
            return FALSE;
        }
      else if (!t->is_series)
        question_thread (&c, t);
    }
  if (!earlier_series (&c, error))
    return FALSE;
  g_ptr_array_sort (week->attention, cmp_since);
  if (week->attention->len > (guint) CLAMP (max, 0, G_MAXINT))
    g_ptr_array_set_size (week->attention, (guint) CLAMP (max, 0, G_MAXINT));
  return TRUE;
}
