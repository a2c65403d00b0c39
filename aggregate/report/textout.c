/* textout.c - the compact text output, --format text (see textout.h). */
#include <string.h>
#include "says.h"
#include "textout.h"

#define TOP_PEOPLE 10

typedef struct {
  GString *out;
  GTimeZone *tz;
} Out;

/* Append S with control characters (C0, DEL, C1) and invalid UTF-8
 * replaced by '?'. */
static void
put (Out *o, const char *s)
{
  g_autofree char *valid = g_utf8_make_valid (s ? s : "", -1);

  for (const char *p = valid; *p; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);
      if (c < 0x20 || (c >= 0x7f && c < 0xa0))
        g_string_append_c (o->out, '?');
      else
        g_string_append_unichar (o->out, c);
    }
}

static void
putf (Out *o, const char *fmt, ...) G_GNUC_PRINTF (2, 3);

/* Format text we made (numbers, our words): no mail-derived strings. */
static void
putf (Out *o, const char *fmt, ...)
{
  va_list ap;
  va_start (ap, fmt);
  g_string_append_vprintf (o->out, fmt, ap);
  va_end (ap);
}

static void
put_time (Out *o, gint64 t)
{
  g_autoptr (GDateTime) utc = g_date_time_new_from_unix_utc (t);
  g_autoptr (GDateTime) dt = utc ? g_date_time_to_timezone (utc, o->tz) : NULL;
  g_autofree char *s = dt ? g_date_time_format (dt, "%Y-%m-%d %H:%M") : NULL;

  g_string_append (o->out, s ? s : "(bad date)");
}

static void
put_person (Out *o, const char *name, const char *email)
{
  if (name && *name)
    {
      put (o, name);
      g_string_append_c (o->out, ' ');
    }
  g_string_append_c (o->out, '<');
  put (o, email);
  g_string_append_c (o->out, '>');
}

/* ---- head ---- */

static void
put_head (Out *o, const MdWeek *w)
{
  put (o, w->list);
  g_string_append (o->out, ": ");
  put_time (o, w->since);
  g_string_append (o->out, " .. ");
  put_time (o, w->until);
  g_string_append_c (o->out, ' ');
  put (o, g_time_zone_get_identifier (o->tz));
  putf (o, " (by %s)\n", w->by_date ? "Date" : "arrival");
  putf (o, "messages %u, threads %u, large threads %u\n", w->messages,
        w->threads, w->large_threads);
  if (w->skipped)
    putf (o, "records skipped (unreadable): %u\n", w->skipped);
  for (guint i = 0; i < w->categories->len; i++)
    {
      const MdCategoryCount *c = w->categories->pdata[i];
      g_string_append (o->out, "  ");
      put (o, c->name);
      putf (o, ": %u threads, %u messages\n", c->threads, c->messages);
    }
}

/* ---- threads ---- */

static void
put_series (Out *o, const MdThread *t)
{
  const MdSeriesInfo *s = &t->series;

  if (!t->is_series)
    return;
  g_string_append (o->out, "  series");
  if (s->project)
    {
      g_string_append_c (o->out, ' ');
      put (o, s->project);
    }
  g_string_append (o->out, " v");
  put (o, s->version_str ? s->version_str : "1");
  if (s->total && s->counted)
    putf (o, ", %u of %u received", s->received, s->total);
  else if (s->total)
    putf (o, ", %u patches", s->total);
  for (guint i = 0; s->missing && i < s->missing->len; i++)
    putf (o, "%s%u", i ? "," : " (missing ", g_array_index (s->missing, guint16, i));
  if (s->missing && s->missing->len)
    g_string_append_c (o->out, ')');
  putf (o, "%s%s%s", s->rfc ? ", RFC" : "", s->resend ? ", RESEND" : "",
        s->git_pull ? ", GIT PULL" : "");
  if (s->previous_id)
    {
      g_string_append (o->out, "; after v");
      put (o, s->previous_version_str);
      g_string_append (o->out, " of ");
      put_time (o, s->previous_date);
    }
  g_string_append_c (o->out, '\n');
}

static void
put_reviews (Out *o, const MdThread *t)
{
  for (guint i = 0; i < t->reviews->len; i++)
    {
      const MdReview *r = t->reviews->pdata[i];
      putf (o, "  %s: ", md_trailer_kind_name (r->kind));
      put_person (o, r->name, r->email);
      if (r->patch_index)
        putf (o, " (patch %u)", r->patch_index);
      g_string_append_c (o->out, '\n');
    }
}

static void
put_marked (Out *o, const char *what, GPtrArray *recs, gboolean with_line)
{
  for (guint i = 0; i < recs->len; i++)
    {
      const MdRecord *r = recs->pdata[i];
      g_autofree char *line = with_line ? md_record_applied_line (r) : NULL;

      putf (o, "  %s: ", what);
      put_time (o, r->date);
      g_string_append_c (o->out, ' ');
      put_person (o, r->from_name, r->from_email);
      if (line)
        {
          g_string_append (o->out, ": ");
          put (o, line);
        }
      g_string_append_c (o->out, '\n');
    }
}

static void
put_thread (Out *o, const MdThread *t)
{
  g_string_append (o->out, "\n* ");
  put (o, t->subject);
  putf (o, "\n  %u messages, %u participants, started ", t->messages->len,
        t->participants);
  put_time (o, t->started);
  g_string_append (o->out, ", last ");
  put_time (o, t->last);
  putf (o, "%s%s\n", t->continues ? ", continues" : "", t->large ? ", large" : "");
  put_series (o, t);
  put_reviews (o, t);
  put_marked (o, "applied", t->applied, TRUE);
  put_marked (o, "build robot", t->robot_failures, FALSE);
  put_marked (o, "NAK", t->naks, FALSE);
  for (guint i = 0; i < t->messages->len; i++)
    {
      const MdRecord *r = t->messages->pdata[i];
      g_string_append (o->out, "    ");
      put_time (o, r->date);
      g_string_append (o->out, "  ");
      put_person (o, r->from_name, r->from_email);
      g_string_append (o->out, "  ");
      put (o, r->subject);
      g_string_append_c (o->out, '\n');
    }
}

/* ---- needs attention ---- */

static void
put_attention (Out *o, const MdWeek *w)
{
  putf (o, "\nneeds attention: %u\n", w->attention ? w->attention->len : 0);
  for (guint i = 0; w->attention && i < w->attention->len; i++)
    {
      const MdAttention *a = w->attention->pdata[i];
      putf (o, "  %-8s %3u d  ", md_attention_reason (a->kind), a->days);
      put (o, a->posting->subject);
      g_string_append (o->out, " (");
      put_person (o, a->posting->from_name, a->posting->from_email);
      g_string_append (o->out, ", since ");
      put_time (o, a->since);
      g_string_append (o->out, ")\n");
    }
}

static void
put_threads (Out *o, const MdWeek *w)
{
  const char *section = NULL;

  for (guint i = 0; i < w->threads_v->len; i++)
    {
      const MdThread *t = w->threads_v->pdata[i];
      if (g_strcmp0 (section, t->category) != 0)
        {
          section = t->category;
          g_string_append (o->out, "\n== ");
          put (o, section);
          g_string_append (o->out, " ==\n");
        }
      put_thread (o, t);
    }
}

/* ---- people and patches ---- */

static void
put_people (Out *o, const MdWeek *w)
{
  guint shown = 0;

  g_string_append (o->out, "\ntop contributors:\n");
  for (guint i = 0; i < w->contributors->len && shown < TOP_PEOPLE; i++)
    {
      const MdContributor *c = w->contributors->pdata[i];
      if (c->bot)
        continue;
      putf (o, "  %4u  ", c->messages);
      put_person (o, c->name, c->email);
      g_string_append_c (o->out, '\n');
      shown++;
    }
  g_string_append (o->out, "bots:\n");
  for (guint i = 0; i < w->contributors->len; i++)
    {
      const MdContributor *c = w->contributors->pdata[i];
      if (!c->bot)
        continue;
      putf (o, "  %4u  ", c->messages);
      put_person (o, c->name, c->email);
      g_string_append_c (o->out, '\n');
    }
  g_string_append (o->out, "top domains:\n");
  for (guint i = 0; i < w->domains->len && i < TOP_PEOPLE; i++)
    {
      const MdContributor *c = w->domains->pdata[i];
      putf (o, "  %4u  ", c->messages);
      put (o, c->domain);
      g_string_append_c (o->out, '\n');
    }
}

static void
put_reviewers (Out *o, const MdWeek *w)
{
  g_string_append (o->out, "reviewers (reviewed/acked/tested/nacked):\n");
  for (guint i = 0; i < w->reviewers->len && i < TOP_PEOPLE; i++)
    {
      const MdReviewer *r = w->reviewers->pdata[i];
      putf (o, "  %u/%u/%u/%u  ", r->given[0], r->given[1], r->given[2], r->given[3]);
      put_person (o, r->name, r->email);
      g_string_append_c (o->out, '\n');
    }
}

static void
put_patches (Out *o, const MdWeek *w)
{
  putf (o, "\nnew patches: %u\n", w->patches->len);
  for (guint i = 0; i < w->patches->len; i++)
    {
      const MdRecord *r = w->patches->pdata[i];
      g_string_append (o->out, "  ");
      put_time (o, r->date);
      g_string_append (o->out, "  ");
      put (o, r->subject);
      putf (o, " (%u files)\n", r->files->len);
    }
}

char *
md_text_render (const MdWeek *week, GTimeZone *tz)
{
  g_autoptr (GTimeZone) utc = g_time_zone_new_utc ();
  Out o = { g_string_new (NULL), tz ? tz : utc };

  put_head (&o, week);
  put_attention (&o, week);
  put_threads (&o, week);
  put_people (&o, week);
  put_reviewers (&o, week);
  put_patches (&o, week);
  return g_string_free (o.out, FALSE);
}
