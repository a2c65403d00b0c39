/* window.h - which messages a report covers, and the history it needs.
 *
 * The window is [since, until) in UTC seconds, cut by arrival time (the
 * default weekly run: the last 7 days ending now) or by the Date header
 * (--since/--until/--week, for backfills).  Loading reads the window's
 * Message-IDs from the index's time index, then each record, then what
 * threading needs around them: their ancestors and the earlier messages
 * of the threads they joined at ingest that arrived after the week's
 * history horizon (MdWeek.history_since) (history, never counted as the
 * window's).  The cost follows the window and its threads, not the index.
 */
#pragma once
#include "week.h"
#include "source.h"

typedef struct {
  gint64 since, until;
  gboolean by_date;
} MdWindowSpec;

#define MD_WINDOW_DEFAULT_DAYS 7
/* History records loaded per thread (ancestors are always loaded). */
#define MD_WINDOW_HISTORY_MAX 500

/* "2021-03-01" (midnight UTC; as an end, the day is included: the next
 * midnight) or an ISO 8601 time ("2021-03-01T12:00:00+02:00", UTC when
 * no zone is given).  MD_ERROR_USAGE when it is neither. */
gboolean md_window_parse_time (const char *text, gboolean is_end,
                               gint64 *out, GError **error);

/* "2021-W30" or "2021W30": Monday 00:00 UTC to the next Monday. */
gboolean md_window_parse_week (const char *text, gint64 *since,
                               gint64 *until, GError **error);

/* The window the options ask for (any of them may be NULL): --week alone,
 * or --since/--until (a missing end is NOW, a missing start 7 days before
 * the end), or neither: the 7 days before NOW by arrival. */
gboolean md_window_resolve (const char *since, const char *until,
                            const char *week, gint64 now,
                            MdWindowSpec *spec, GError **error);

/* Fill WEEK.records and WEEK.window_ids from SRC for WEEK's list and
 * window.  Records that cannot be read (corrupt) are left out and
 * counted in WEEK.skipped; a failing source (lock, I/O) fails the load. */
gboolean md_window_load (MdWeek *week, const MdSource *src,
                         guint history_max, GError **error);
