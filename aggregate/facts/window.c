/* window.c - the window's records and their history (see window.h).
 *
 * Why history is loaded at all: a reply in this week to a patch from last
 * week belongs to the patch's thread, and the report must say the thread
 * continues rather than present the reply as a new conversation.  Two
 * sources give it cheaply: the ancestors named in References and
 * In-Reply-To (a lookup by Message-ID each), and the members of the
 * thread each message joined at ingest (one lookup per thread), which
 * also brings earlier replies that are not ancestors.  Both are bounded:
 * a hostile References header or a years-long thread cannot make one
 * week's report read the whole index.
 */
#include <string.h>
#include "window.h"
#include "error.h"

#define DAY (G_GINT64_CONSTANT (86400))
/* Ancestors followed per message: the first References entry (the
 * thread's root) and the last ones (the nearest parents). */
#define MAX_REFS_FOLLOWED 64

/* ---- parsing the options ---- */

/* The number in TEXT[0..LEN) when it is all ASCII digits, else -1. */
static int
digits (const char *text, gsize len)
{
  int v = 0;
  for (gsize i = 0; i < len; i++)
    {
      if (!g_ascii_isdigit (text[i]))
        return -1;
      v = v * 10 + (text[i] - '0');
    }
  return v;
}

static gboolean
parse_date_only (const char *text, gboolean is_end, gint64 *out)
{
  g_autoptr (GDateTime) dt = NULL;
  int y, m, d;

  if (strlen (text) != 10 || text[4] != '-' || text[7] != '-')
    return FALSE;
  y = digits (text, 4), m = digits (text + 5, 2), d = digits (text + 8, 2);
  if (y < 0 || m < 1 || m > 12 || d < 1 || d > g_date_get_days_in_month (m, y))
    return FALSE;
  dt = g_date_time_new_utc (y, m, d, 0, 0, 0);
  if (dt == NULL)
    return FALSE;
  *out = g_date_time_to_unix (dt) + (is_end ? DAY : 0);
  return TRUE;
}

gboolean
md_window_parse_time (const char *text, gboolean is_end, gint64 *out,
                      GError **error)
{
  g_autoptr (GTimeZone) utc = g_time_zone_new_utc ();
  g_autoptr (GDateTime) dt = NULL;

  if (parse_date_only (text, is_end, out))
    return TRUE;
  dt = g_date_time_new_from_iso8601 (text, utc);
  if (dt == NULL)
    {
      g_set_error (error, MD_ERROR, MD_ERROR_USAGE,
                   "invalid time '%s' (want YYYY-MM-DD or an ISO 8601 time)",
                   text);
      return FALSE;
    }
  *out = g_date_time_to_unix (dt);
  return TRUE;
}

/* ISO 8601 weeks: week 1 holds January 4th; a year has 53 weeks when
 * December 28th falls in week 53. */
static gint64
iso_week_monday (int year, int week)
{
  g_autoptr (GDateTime) jan4 = g_date_time_new_utc (year, 1, 4, 0, 0, 0);
  int dow = g_date_time_get_day_of_week (jan4);   /* 1 = Monday */
  return g_date_time_to_unix (jan4) + ((gint64) (week - 1) * 7 - (dow - 1)) * DAY;
}

static int
iso_weeks_in_year (int year)
{
  g_autoptr (GDateTime) dec28 = g_date_time_new_utc (year, 12, 28, 0, 0, 0);
  return g_date_time_get_week_of_year (dec28);
}

/* "YYYY-Www" or "YYYYWww" (one or two week digits): *YEAR and *WEEK. */
static gboolean
split_week (const char *text, int *year, int *week)
{
  const char *w = text + 4 + (text[4] == '-');
  gsize wlen;

  if (strlen (text) < 6 || (*year = digits (text, 4)) < 0
      || (*w != 'W' && *w != 'w'))
    return FALSE;
  wlen = strlen (w + 1);
  return (wlen == 1 || wlen == 2) && (*week = digits (w + 1, wlen)) >= 0;
}

gboolean
md_window_parse_week (const char *text, gint64 *since, gint64 *until,
                      GError **error)
{
  int year = 0, week = 0;

  if (!split_week (text, &year, &week) || year < 1970 || year > 9998
      || week < 1 || week > iso_weeks_in_year (year))
    {
      g_set_error (error, MD_ERROR, MD_ERROR_USAGE,
                   "invalid week '%s' (want an ISO week like 2021-W30)", text);
      return FALSE;
    }
  *since = iso_week_monday (year, week);
  *until = *since + 7 * DAY;
  return TRUE;
}

static gboolean
resolve_range (const char *since, const char *until, gint64 now,
               MdWindowSpec *spec, GError **error)
{
  spec->by_date = TRUE;
  spec->until = now;
  if (until && !md_window_parse_time (until, TRUE, &spec->until, error))
    return FALSE;
  spec->since = spec->until - MD_WINDOW_DEFAULT_DAYS * DAY;
  if (since && !md_window_parse_time (since, FALSE, &spec->since, error))
    return FALSE;
  if (spec->since >= spec->until)
    {
      g_set_error (error, MD_ERROR, MD_ERROR_USAGE,
                   "empty window: --since is not before --until");
      return FALSE;
    }
  return TRUE;
}

gboolean
md_window_resolve (const char *since, const char *until, const char *week,
                   gint64 now, MdWindowSpec *spec, GError **error)
{
  if (week && (since || until))
    {
      g_set_error (error, MD_ERROR, MD_ERROR_USAGE,
                   "--week cannot be combined with --since or --until");
      return FALSE;
    }
  if (week)
    {
      spec->by_date = TRUE;
      return md_window_parse_week (week, &spec->since, &spec->until, error);
    }
  if (since || until)
    return resolve_range (since, until, now, spec, error);
  spec->by_date = FALSE;
  spec->until = now;
  spec->since = now - MD_WINDOW_DEFAULT_DAYS * DAY;
  return TRUE;
}

/* ---- loading ---- */

typedef struct {
  MdWeek *week;
  const MdSource *src;
  GHashTable *absent;     /* ids looked up and not found: ask once */
} Loader;

/* Read ID from the source.  Returns FALSE only when the source failed;
 * *OUT is NULL when the record is absent or unreadable (remembered, so
 * it is asked for once).  Only history is read by id: the window's own
 * records come whole from the source, which counts the unreadable ones. */
static gboolean
fetch (Loader *l, const char *id, MdRecord **out, GError **error)
{
  g_autoptr (GError) local = NULL;

  *out = NULL;
  if (g_hash_table_contains (l->absent, id))
    return TRUE;
  *out = l->src->get (l->src->data, id, &local);
  if (*out != NULL)
    return TRUE;
  if (g_error_matches (local, MD_ERROR, MD_ERROR_NOT_FOUND)
      || g_error_matches (local, MD_ERROR, MD_ERROR_CORRUPT))
    {
      g_hash_table_add (l->absent, g_strdup (id));
      return TRUE;
    }
  g_propagate_error (error, g_steal_pointer (&local));
  return FALSE;
}

/* Read ID into the week as history; *GOT is the record kept or NULL. */
static gboolean
load_history_one (Loader *l, const char *id, MdRecord **got, GError **error)
{
  MdRecord *rec;

  *got = NULL;
  if (!fetch (l, id, &rec, error))
    return FALSE;
  if (rec != NULL)
    *got = md_week_add (l->week, rec, FALSE);
  return TRUE;
}

/* The window's records come whole from the source: reading them by id
 * again would decode each one twice. */
static gboolean
load_window (Loader *l, GPtrArray *out, GError **error)
{
  MdWeek *w = l->week;
  MdTimeKind kind = w->by_date ? MD_TIME_DATE : MD_TIME_ARRIVAL;
  guint unreadable = 0;
  g_autoptr (GPtrArray) recs = l->src->window (l->src->data, w->list, kind,
                                               w->since, w->until, &unreadable,
                                               error);
  if (recs == NULL)
    return FALSE;
  w->skipped += unreadable;
  g_ptr_array_set_free_func (recs, NULL);  /* the week owns them now */
  for (guint i = 0; i < recs->len; i++)
    g_ptr_array_add (out, md_week_add (w, recs->pdata[i], TRUE));
  return TRUE;
}

/* The ids REC points at, the root and the nearest parents first. */
static void
parent_ids (const MdRecord *rec, GPtrArray *out)
{
  GPtrArray *refs = rec->references;
  guint tail = MIN (refs->len, MAX_REFS_FOLLOWED - 1);

  if (rec->in_reply_to)
    g_ptr_array_add (out, rec->in_reply_to);
  for (guint i = refs->len - tail; i < refs->len; i++)
    g_ptr_array_add (out, refs->pdata[i]);
  if (refs->len > tail)
    g_ptr_array_add (out, refs->pdata[0]);
}

/* Breadth-first up the References of QUEUE's records: an ancestor whose
 * own References reach further back (a truncated header below it) is
 * followed too. */
static gboolean
load_ancestors (Loader *l, GPtrArray *queue, GError **error)
{
  for (guint i = 0; i < queue->len; i++)
    {
      g_autoptr (GPtrArray) ids = g_ptr_array_new ();
      parent_ids (queue->pdata[i], ids);
      for (guint j = 0; j < ids->len; j++)
        {
          MdRecord *rec;
          if (g_hash_table_contains (l->week->records, ids->pdata[j]))
            continue;
          if (!load_history_one (l, ids->pdata[j], &rec, error))
            return FALSE;
          if (rec != NULL)
            g_ptr_array_add (queue, rec);
        }
    }
  return TRUE;
}

/* Where the last window message of an ingest thread sits in its
 * arrival-ordered member list; -1 when none does. */
static int
last_window_member (const MdWeek *w, GPtrArray *members)
{
  int last = -1;
  for (guint i = 0; i < members->len; i++)
    if (g_hash_table_contains (w->window_ids, members->pdata[i]))
      last = i;
  return last;
}

/* Members of one ingest thread that arrived before its last window
 * message, newest first, back to the week's history horizon and at most
 * HISTORY_MAX of them; those the window cuts off at its end are not
 * history.  The list is in arrival order, so the first member older than
 * the horizon ends the walk: a thread's years of history cost nothing. */
static gboolean
load_members (Loader *l, GPtrArray *members, guint history_max,
              GError **error)
{
  MdWeek *w = l->week;
  guint loaded = 0;

  for (int i = last_window_member (w, members); i >= 0 && loaded < history_max; i--)
    {
      const char *id = members->pdata[i];
      MdRecord *rec;

      if (g_hash_table_contains (w->records, id))
        continue;
      if (!fetch (l, id, &rec, error))
        return FALSE;
      if (rec == NULL)
        continue;
      if (rec->arrival < w->history_since)
        {
          md_record_free (rec);
          break;
        }
      loaded++;
      if (md_week_time (w, rec) < w->until)
        md_week_add (w, rec, FALSE);
      else
        md_record_free (rec);
    }
  return TRUE;
}

static gboolean
load_history (Loader *l, GPtrArray *window, guint history_max, GError **error)
{
  g_autoptr (GHashTable) done = g_hash_table_new (g_str_hash, g_str_equal);

  for (guint i = 0; i < window->len; i++)
    {
      const MdRecord *rec = window->pdata[i];
      g_autoptr (GPtrArray) members = NULL;

      if (rec->thread_id == NULL || !g_hash_table_add (done, rec->thread_id))
        continue;
      members = l->src->thread_members (l->src->data, rec->thread_id, error);
      if (members == NULL)
        return FALSE;
      if (!load_members (l, members, history_max, error))
        return FALSE;
    }
  return TRUE;
}

gboolean
md_window_load (MdWeek *week, const MdSource *src, guint history_max,
                GError **error)
{
  g_autoptr (GHashTable) absent = g_hash_table_new_full (g_str_hash, g_str_equal,
                                                         g_free, NULL);
  g_autoptr (GPtrArray) window = g_ptr_array_new ();
  g_autoptr (GPtrArray) queue = NULL;
  Loader l = { week, src, absent };

  if (!load_window (&l, window, error))
    return FALSE;
  if (!load_history (&l, window, history_max, error))
    return FALSE;
  /* Ancestors last: earlier replies loaded as history may name parents
   * that no window message names. */
  queue = md_week_records (week);
  return load_ancestors (&l, queue, error);
}
