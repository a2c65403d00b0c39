/* llm-summary.h - every thread summarised by a model, checked, kept.
 *
 * The model summariser's outline, per thread of a week:
 *   1. history (history.h): a stored summary that covers every message
 *      of this week is reused, no request;
 *   2. input (input.h): the numbered messages within context_tokens, in
 *      one part or several, the facts, the stored summary as history, the
 *      replies on v(N-1);
 *   3. prompt (prompt.h): the templates expanded into chat messages;
 *   4. the client (llm/client.h) runs every request, at most
 *      `concurrency` at once, the first while the other threads' inputs
 *      are still being built (largest first), the longest chains of
 *      requests first; a thread in parts gets a second request that
 *      merges the parts' checked summaries, asked as soon as its own
 *      parts are answered;
 *   5. citations (cite.h): the answer checked; a summary that fails, and
 *      a request that failed or was not sent, leave the thread to the
 *      built-in summariser with MdThread.summary_fallback saying why.
 * Model summaries are rendered to Markdown here (links to the archive);
 * the caller stores MdLlmSummaryRun.store in the index.
 */
#pragma once
#include "client.h"
#include "week.h"

typedef struct {
  const MdLlmConfig *cfg;
  const char *lang;          /* "zh-CN" or "en" */
  const char *archive_url;   /* the list's archive pattern, NULL: no links */
  GHashTable *history;       /* thread id -> MdHistory* (md_history_load), may be NULL */
  gboolean progress;         /* a progress line on stderr */
} MdLlmSummaryOptions;

typedef struct {
  MdLlmUsage usage;
  guint threads;             /* threads with messages */
  guint reused;              /* from the history, no request */
  guint summarised;          /* a model's summary stands */
  guint fallbacks;           /* the built-in one stands in */
  guint dropped;             /* sentences the citation check dropped */
  GHashTable *store;         /* history key -> MdHistory*: what to keep */
} MdLlmSummaryRun;

void md_llm_summary_run_init (MdLlmSummaryRun *run);
void md_llm_summary_run_clear (MdLlmSummaryRun *run);

/* Summarise every thread of WEEK that has messages.  Fails only when the
 * prompt templates cannot be read or the client cannot run at all; what
 * goes wrong with one thread is that thread's fallback. */
gboolean md_llm_summarise (MdWeek *week, const MdLlmSummaryOptions *opts,
                           MdLlmSummaryRun *run, GError **error);

/* THREAD's model summary (summary_text, summary_cites) as Markdown in
 * MdThread.summary, marks linked to the archive by ARCHIVE_URL. */
void md_llm_summary_render (const MdWeek *week, MdThread *thread,
                            const char *lang, const char *archive_url);
