/* history.h - the summaries a thread got in earlier runs, kept in the
 * index (aggregator state, namespace "summary": docs/index-format.md).
 *
 * One entry per list and thread: the model's checked summary (cite.h's
 * canonical text), the window it was made for, the model and language,
 * the messages it covered and what its [n] marks named.  A thread none
 * of whose messages is new since (same model, same language) reuses it
 * without a request; a thread with new
 * messages gives it to the model as history.  Only a model's summary is
 * kept: a fallback is tried again next run.
 */
#pragma once
#include "index.h"
#include "week.h"

#define MD_HISTORY_NS "summary"

typedef struct {
  gint64 since, until;     /* the window it was made for */
  char *model;
  char *lang;              /* the report language it was written in */
  char *text;              /* canonical text (cite.h) */
  GPtrArray *covered;      /* char*: Message-IDs it covered */
  GPtrArray *cites;        /* MdCitation*: its [n] marks */
} MdHistory;

MdHistory *md_history_new (void);
void md_history_free (MdHistory *h);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (MdHistory, md_history_free)

/* The stored form, "(uxxsssasa(us))", and back: NULL for a value that
 * does not hold together (a wrong version, a cite of no covered
 * message...), which is then as good as absent. */
GVariant *md_history_to_variant (const MdHistory *h);
MdHistory *md_history_from_variant (GVariant *v);

/* The key of THREAD of LIST: "<list> <thread id>". */
char *md_history_key (const char *list, const MdThread *thread);

/* Thread id -> MdHistory* for every thread of WEEK that has one; an
 * entry that cannot be read is skipped (counted in *BAD, may be NULL). */
GHashTable *md_history_load (MdIndex *idx, const MdWeek *week, guint *bad,
                             GError **error);

/* Store ENTRIES (thread key -> MdHistory*) in one transaction. */
gboolean md_history_store (MdIndex *idx, GHashTable *entries, GError **error);

/* TRUE when every message of THREAD this week is in H's covered set. */
gboolean md_history_covers (const MdHistory *h, const MdThread *thread);
/* ... and H was written by MODEL in LANG: it stands with no request. */
gboolean md_history_reusable (const MdHistory *h, const MdThread *thread,
                              const char *model, const char *lang);
