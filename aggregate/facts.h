/* facts.h - what one window of one list amounts to: the data model that
 * the aggregator's stages fill in order and the renderers read.
 *
 *   window.c   -> MdWeek.records (the window's messages + their ancestors)
 *   thread.c   -> MdWeek.threads (JWZ, series rejoining), MdThread.messages
 *   series.c   -> MdThread.series (tags, completeness, previous version)
 *   facts.c    -> categories, trailers, applied, robots, totals, people
 *   summarise.c-> MdThread.summary
 *   json.c / render.c read it all; nothing after facts.c changes a count.
 *
 * Every fact is computed in code; the summariser only adds prose.
 */
#pragma once
#include "record.h"

typedef struct {
  MdTrailerKind kind;      /* REVIEWED_BY, ACKED_BY, TESTED_BY or NACKED_BY */
  char *name;
  char *email;
  guint16 patch_index;     /* 0 = the whole series (cover letter) or an unnumbered patch */
  char *patch_subject;     /* the subject of the patch it was given to */
  const MdRecord *given_in;/* the message that carried it (borrowed) */
} MdReview;

typedef struct {
  guint16 version;
  char *version_str;       /* NULL when v1 without a tag */
  guint16 total;           /* N of k/N; 0 for a single patch */
  guint16 received;        /* how many of 1..N are in the thread */
  GArray *missing;         /* guint16 indexes of 1..N not received */
  char *project;           /* kvmtool, kvm-unit-tests, 6.1, ... or NULL */
  gboolean rfc, resend, git_pull;
  char *previous_id;       /* Message-ID of v(N-1)'s root, NULL when unknown */
  char *previous_version_str;
  gint64 previous_date;    /* 0 when unknown */
} MdSeriesInfo;

typedef struct {
  char *id;                /* root Message-ID (the placeholder's id when the root is missing) */
  char *subject;           /* root subject, one line */
  char *category;          /* "PATCH", "RFC", "GIT PULL", "Selftest", "Discussion", "Other" */
  GPtrArray *messages;     /* const MdRecord* in the window, UTC time order (borrowed) */
  GPtrArray *earlier;      /* const MdRecord* of this thread from before the window */
  guint participants;      /* distinct From addresses among messages */
  gint64 started;          /* Date of the root (earlier than the window if it continues) */
  gint64 last;             /* Date of the newest message */
  gboolean continues;      /* the thread has messages from before the window */
  gboolean root_missing;   /* the root is a placeholder: never seen */
  gboolean is_series;
  MdSeriesInfo series;
  GPtrArray *reviews;      /* MdReview*, given in the window */
  GPtrArray *applied;      /* const MdRecord*: "Applied to ...", "queued", pr-tracker-bot */
  GPtrArray *robot_failures; /* const MdRecord*: build-robot failure reports */
  GPtrArray *naks;         /* const MdRecord*: NAKs */
  char *summary;           /* Markdown prose, filled by summarise.c; NULL before */
  gboolean summary_builtin;/* TRUE when made by the built-in summariser */
} MdThread;

typedef struct {
  char *name;
  guint threads;
  guint messages;
} MdCategoryCount;

typedef struct {
  char *name;              /* decoded display name */
  char *email;
  char *domain;            /* for domains: the domain; name/email NULL */
  guint messages;
  gboolean bot;            /* build robots, pr-tracker-bot... counted apart */
} MdContributor;

typedef struct {
  char *list;              /* short name */
  gint64 since, until;     /* [since, until) in UTC seconds */
  gboolean by_date;        /* window by Date header (backfill) instead of arrival */
  gint64 generated;        /* when the report was made */
  guint messages;          /* window messages */
  guint threads;
  guint large_threads;     /* threads with more than 20 window messages */
  GPtrArray *categories;   /* MdCategoryCount*, in report order */
  GPtrArray *threads_v;    /* MdThread*, by category then first activity */
  GPtrArray *contributors; /* MdContributor*, most messages first */
  GPtrArray *domains;      /* MdContributor* with domain set */
  GPtrArray *patches;      /* const MdRecord*: new patches in the window, time order */
  GHashTable *records;     /* Message-ID -> MdRecord*: owns every record above */
} MdWeek;

/* A thread with empty arrays; owned by MdWeek.threads_v. */
MdThread *md_thread_new (const char *id);

MdWeek *md_week_new (const char *list, gint64 since, gint64 until);
void md_week_free (MdWeek *week);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (MdWeek, md_week_free)
