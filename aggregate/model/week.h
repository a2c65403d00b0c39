/* week.h - the week model: what one window of one list amounts to.
 *
 * Every stage of the aggregator fills part of one MdWeek, in order, and
 * depends on this model only, never on another stage:
 *
 *   facts/window.c   -> MdWeek.records (the window's messages + their ancestors)
 *   facts/thread.c   -> MdWeek.threads (JWZ, series rejoining), MdThread.messages
 *   facts/series.c   -> MdThread.series (tags, completeness, previous version)
 *   facts/category.c -> MdThread.category, MdWeek.categories (report order)
 *   facts/facts.c    -> counts, trailers, applied, robots, totals, people, patches
 *   facts/attention.c -> MdWeek.attention (what needs a human, from the index)
 *   summary/         -> MdThread.summary
 *   report/ reads it all; nothing after facts.c changes a count.
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
  const MdRecord *posting; /* the cover letter or patch these facts are about (borrowed) */
  guint16 version;
  char *version_str;       /* NULL when v1 without a tag */
  guint16 total;           /* N of k/N; 0 for a single patch */
  guint16 received;        /* how many of 1..N are in the thread (see counted) */
  GArray *missing;         /* guint16 indexes of 1..N not received */
  char *project;           /* kvmtool, kvm-unit-tests, 6.1, ... or NULL */
  gboolean rfc, resend, git_pull;
  gboolean counted;        /* received/missing are known: the posting is
                            * recent enough for its patches to be loaded */
  char *previous_id;       /* Message-ID of v(N-1)'s root, NULL when unknown */
  char *previous_version_str; /* "1" when v(N-1) had no version tag */
  guint16 previous_version;
  gint64 previous_date;    /* 0 when unknown */
  const char *previous_how;/* "change-id", "link", "thread" or "subject": how it was found */
} MdSeriesInfo;

/* A message put in a thread by one of thread.c's rules rather than by
 * its own References/In-Reply-To (a report says so; the tests check it). */
typedef struct {
  const MdRecord *rec;     /* the message (or, for a placeholder subtree, its first message) */
  const char *rule;        /* "series" (patch rejoined to its cover letter or
                            * to its series' first patch) or "subject" */
  char *to;                /* Message-ID it was attached under */
} MdJoin;

/* [n] of a model's summary: the message it names. */
typedef struct {
  guint n;
  char *message_id;
} MdCitation;

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
  char *summary_text;      /* a model's summary as checked: plain text, its
                            * section heads and [n] marks (escaped only when
                            * rendered); NULL for the built-in one */
  char *summary_model;     /* the model that wrote it; NULL for the built-in one */
  char *summary_fallback;  /* why the built-in summary stands in for the
                            * model's (no mail text in it); NULL when none */
  GPtrArray *summary_cites;/* MdCitation*: what the [n] marks name */
  guint summary_dropped;   /* sentences the citation check dropped */
  gboolean summary_reused; /* taken from the index's history, no request */
  GPtrArray *previous_replies; /* MdRecord* (owned): replies given on
                            * v(N-1) (series.previous_id), from the index */
  const MdRecord *root_rec;/* the root's record; for a placeholder root the
                            * oldest message present (borrowed, never NULL) */
  gboolean large;          /* more than the large-thread limit of window messages */
  GPtrArray *joins;        /* MdJoin*: rule-made links inside this thread */
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

/* Trailers one person gave in the window, over all threads. */
typedef struct {
  char *name;
  char *email;
  guint given[4];          /* reviewed, acked, tested, nacked: see md_review_slot() */
} MdReviewer;

/* Why something needs attention (facts/attention.c). */
typedef enum {
  MD_ATTN_WAITING,         /* a series no one but its author answered */
  MD_ATTN_NAK,             /* a series NAKed */
  MD_ATTN_ROBOT,           /* a build-robot failure its author never answered */
  MD_ATTN_REVIEW,          /* vN posted with review comments on v(N-1) unanswered */
  MD_ATTN_QUESTION,        /* a question to the list no one answered */
} MdAttentionKind;

typedef struct {
  MdAttentionKind kind;
  const MdRecord *posting; /* the series' posting or the question (borrowed) */
  const MdThread *thread;  /* its thread this week, NULL for a series of an
                            * earlier week that got no message in this one */
  gint64 since;            /* when the wait began */
  guint days;              /* whole days from since to the window's end */
  GPtrArray *links;        /* const MdRecord*: the NAKs, robot reports or
                            * unanswered comments behind it (borrowed) */
} MdAttention;

typedef struct {
  char *list;              /* short name */
  gint64 since, until;     /* [since, until) in UTC seconds */
  gint64 history_since;    /* thread history that arrived before is not
                            * loaded (md_week_new: 28 days before since) */
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
  GHashTable *window_ids;  /* set of the Message-IDs read from the time index:
                            * the window's own messages (keys borrowed from records) */
  GPtrArray *reviewers;    /* MdReviewer*, most trailers given first */
  guint skipped;           /* window records that could not be read (corrupt) */
  GPtrArray *attention;    /* MdAttention*, the oldest wait first */
  GPtrArray *attention_records; /* MdRecord* loaded for attention only (owned) */
} MdWeek;

/* Reason words of MD_ATTN_*: "waiting", "nak", "robot", "review", "question". */
const char *md_attention_reason (MdAttentionKind kind);

/* A thread with empty arrays; owned by MdWeek.threads_v. */
MdThread *md_thread_new (const char *id);
void md_thread_free (MdThread *thread);
MdCitation *md_citation_new (guint n, const char *message_id);
void md_citation_free (gpointer citation);

MdWeek *md_week_new (const char *list, gint64 since, gint64 until);
void md_week_free (MdWeek *week);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (MdWeek, md_week_free)

/* Take REC into WEEK.records (IN_WINDOW: also into window_ids).  Returns
 * the record kept: REC, or the one already there (REC is then freed). */
MdRecord *md_week_add (MdWeek *week, MdRecord *rec, gboolean in_window);
gboolean md_week_in_window (const MdWeek *week, const MdRecord *rec);
/* Every record of WEEK (borrowed), in no particular order. */
GPtrArray *md_week_records (const MdWeek *week);
/* The time the window is cut by: Date when by_date, else arrival. */
gint64 md_week_time (const MdWeek *week, const MdRecord *rec);
/* A patch or cover letter as sent, not a reply to one. */
gboolean md_record_is_posting (const MdRecord *rec);

/* 0..3 for Reviewed-by, Acked-by, Tested-by, Nacked-by; -1 otherwise. */
int md_review_slot (MdTrailerKind kind);

/* T as UTC ISO 8601, "2021-03-01T12:00:00Z". */
char *md_time_iso8601 (gint64 t);

/* The Message-ID of REC's parent among RECORDS by the rule threading
 * follows (In-Reply-To when present, else the last References entry
 * present), or NULL when none of them is there. */
const char *md_thread_parent_id (GHashTable *records, const MdRecord *rec);

/* Sort order of messages in a thread: Date, then arrival, then id. */
int md_thread_cmp_time (gconstpointer a, gconstpointer b);
