/* summarise.h - the built-in summariser: a summary for every thread
 * without a language model.
 *
 * Extractive: each summary is a short Markdown list whose sentence frames
 * are fixed text in the report's language and whose content is quoted
 * verbatim (in “ ”) from the thread's own messages, or is a fact the
 * aggregator computed (versions, counts, names, trailers).  It never
 * invents: every quoted fragment is a run of some message's text.
 *
 *   series:      author, version and size; what it does (first paragraph
 *                of the cover letter or commit message); the change log
 *                of this version; who gave which trailer to which patch;
 *                what reviewers said (first substantive unquoted lines of
 *                each review reply); applied or not; build-robot
 *                failures; NAKs.
 *   discussion:  who started it and the question; who answered; the
 *                latest state (the newest message's first lines).
 *
 * Quoted mail text is escaped for Markdown (escape.h); each fragment and
 * the whole summary are bounded.
 */
#pragma once
#include "week.h"

/* Longest summary, in bytes, before items are dropped. */
#define MD_SUMMARY_MAX 3000

/* Fill MdThread.summary (and summary_builtin = TRUE) for every thread of
 * WEEK that has no summary.  LANG as md_lang_canonical() accepts; an
 * unsupported one is MD_ERROR_USAGE. */
gboolean md_summarise_builtin (MdWeek *week, const char *lang, GError **error);

/* The built-in summary of one thread (LANG canonical: "zh-CN" or "en");
 * NULL when the thread has no message at all. */
char *md_summarise_thread (const MdWeek *week, const MdThread *thread,
                           const char *lang);
