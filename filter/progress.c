/* progress.c - the progress bar, warnings and summary of an import. */
#include "progress.h"

#include <stdio.h>

#define REDRAW_USEC (G_USEC_PER_SEC / 10)

void
md_progress_start (MdProgress *p, gboolean bar, gboolean quiet, guint64 total)
{
  *p = (MdProgress) { .bar = bar && !quiet, .quiet = quiet, .total = total };
  p->start = g_get_monotonic_time ();
}

guint
md_progress_total (const MdProgress *p)
{
  guint n = 0;
  for (int i = 0; i < MD_COUNT_N; i++)
    n += p->counts[i];
  return n;
}

static void
clear_bar (MdProgress *p)
{
  if (p->drawn)
    fputs ("\r\033[K", stderr);
  p->drawn = FALSE;
}

static void
draw (MdProgress *p, gint64 now)
{
  double secs = (now - p->start) / (double) G_USEC_PER_SEC;
  guint n = md_progress_total (p);
  double rate = secs > 0 ? n / secs : 0;
  fprintf (stderr, "\r\033[K%u messages  %.0f/s", n, rate);
  if (p->total > 0 && p->done > 0 && p->done <= p->total)
    {
      double left = secs * (p->total - p->done) / p->done;
      fprintf (stderr, "  %3.0f%%  ETA %d:%02d", 100.0 * p->done / p->total,
               (int) left / 60, (int) left % 60);
    }
  fflush (stderr);
  p->drawn = TRUE;
  p->last_draw = now;
}

void
md_progress_count (MdProgress *p, MdCount what, guint64 done)
{
  p->counts[what]++;
  p->done = done;
  if (!p->bar)
    return;
  gint64 now = g_get_monotonic_time ();
  if (now - p->last_draw >= REDRAW_USEC)
    draw (p, now);
}

void
md_progress_warn (MdProgress *p, const char *fmt, ...)
{
  if (p->quiet)
    return;
  va_list ap;
  va_start (ap, fmt);
  g_autofree char *msg = g_strdup_vprintf (fmt, ap);
  va_end (ap);
  clear_bar (p);
  fprintf (stderr, "%s: warning: %s\n", g_get_prgname (), msg);
}

void
md_progress_finish (MdProgress *p, gboolean summary)
{
  clear_bar (p);
  if (p->quiet || !summary)
    return;
  fprintf (stderr, "recorded %u, duplicates %u, merged %u, rejected %u\n",
           p->counts[MD_COUNT_RECORDED], p->counts[MD_COUNT_DUPLICATES],
           p->counts[MD_COUNT_MERGED], p->counts[MD_COUNT_REJECTED]);
}
