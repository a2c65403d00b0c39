/* thread.h - threading one window: MdWeek.records -> MdWeek.threads_v.
 *
 * JWZ threading over the window's messages and the history loaded with
 * them, plus two rules for what headers miss: patches of a series that
 * lost their parent rejoin their cover letter, and a message with no
 * parent headers joins an earlier one only when subject, series tags,
 * sender and time all agree.  See thread.c for the rationale.
 */
#pragma once
#include "week.h"

typedef struct {
  gint64 subject_merge_secs;   /* same subject/tags/sender within: 48 h */
  gint64 series_join_secs;     /* patch to its cover letter within: 48 h */
  gint64 series_sibling_secs;  /* patches of a coverless series within: 1 h */
} MdThreadOptions;

/* Defaults, overridden by the list's config keys subject_merge_hours,
 * series_join_hours and series_sibling_minutes (CONFIG may be NULL). */
void md_thread_options_load (MdThreadOptions *opts, GKeyFile *config,
                             const char *list);

/* Build WEEK's threads: one MdThread per tree holding a window message,
 * its window messages in time order, its earlier messages apart. */
void md_thread_run (MdWeek *week, const MdThreadOptions *opts);
