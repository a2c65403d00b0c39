/* index.h - the TDB thread index shared by the filter and the aggregator.
 *
 * One TDB file holds every list.  The key/value layout is documented in
 * docs/index-format.md.  Writers take TDB's transaction lock with a
 * bounded wait (MD_ERROR_TEMP on timeout); readers see committed data
 * only.  A message is recorded in one transaction together with its
 * thread membership and its time-index entries, so the index is never
 * half-updated.  Unless said otherwise, returned arrays hold char* and
 * are owned by the caller.
 */
#pragma once
#include "record.h"

typedef struct _MdIndex MdIndex;

#define MD_INDEX_UNLISTED "unlisted"   /* list of mail with no List-Id and no --list */

typedef enum {
  MD_INDEX_READ,
  MD_INDEX_WRITE,   /* creates the file (mode 0600) and its directory */
  MD_INDEX_BULK,    /* WRITE, tuned for many md_index_add() calls in batches
                     * (imports): maps the file, which one message does
                     * not pay for */
} MdIndexMode;

/* $MLDIGEST_INDEX, else $XDG_DATA_HOME/mldigest/index.tdb. */
char *md_index_default_path (void);

MdIndex *md_index_open (const char *path, MdIndexMode mode,
                        guint lock_timeout_ms, GError **error);
/* Cancels an open batch; fails when the file could not be closed cleanly. */
gboolean md_index_close (MdIndex *idx, GError **error);

/* Refuse (MD_ERROR_TEMP, nothing written) a transaction that would grow
 * the file past MAX_SIZE bytes (the file grows by being rewritten with
 * its room and recovery area: the size of that new file counts); 0: no
 * limit but TDB's own (4 GiB). */
void md_index_set_max_size (MdIndex *idx, guint64 max_size);

/* A batch makes many md_index_add() calls one transaction (bulk import).
 * Without one, each md_index_add() is its own synced transaction. */
gboolean md_index_begin (MdIndex *idx, GError **error);
gboolean md_index_commit (MdIndex *idx, GError **error);
void md_index_cancel (MdIndex *idx);
/* TRUE when the open batch should be committed before more is added:
 * beyond that its commit no longer fits TDB's recovery area and has to
 * copy the whole file into a larger one (index-room.c). */
gboolean md_index_batch_full (MdIndex *idx);

typedef enum {
  MD_ADD_NEW,        /* recorded */
  MD_ADD_DUPLICATE,  /* already there, nothing changed */
  MD_ADD_MERGED,     /* already there; a new list was added to it */
} MdAddResult;

/* Record REC: its record, its thread membership and its time-index
 * entries.  Sets rec->thread_id. */
gboolean md_index_add (MdIndex *idx, MdRecord *rec, MdAddResult *result,
                       GError **error);

/* NULL with MD_ERROR_NOT_FOUND when absent, MD_ERROR_CORRUPT when bad. */
MdRecord *md_index_get (MdIndex *idx, const char *message_id, GError **error);
gboolean md_index_contains (MdIndex *idx, const char *message_id);

typedef enum { MD_TIME_ARRIVAL, MD_TIME_DATE } MdTimeKind;

/* The records of LIST whose arrival (or Date) is in [since, until), in
 * bucket (hour) order, read from the time index: cost is proportional to
 * the window, not the index.  Records that cannot be decoded are left out
 * and counted in *UNREADABLE (may be NULL); only a failing read (lock,
 * I/O) fails the call. */
GPtrArray *md_index_window (MdIndex *idx, const char *list, MdTimeKind kind,
                            gint64 since, gint64 until, guint *unreadable,
                            GError **error);

/* Message-IDs that joined THREAD_ID at ingest, in arrival order. */
GPtrArray *md_index_thread_members (MdIndex *idx, const char *thread_id,
                                    GError **error);

/* Message-IDs of cover letters and single patches sent by FROM_EMAIL
 * whose md_subject_series_key() is KEY: earlier versions of a series. */
GPtrArray *md_index_series_lookup (MdIndex *idx, const char *from_email,
                                   const char *key, GError **error);

/* Message-IDs of the cover letters and single patches whose text holds
 * b4's "change-id: CHANGE_ID": every version of that series. */
GPtrArray *md_index_change_id_lookup (MdIndex *idx, const char *change_id,
                                      GError **error);

/* Short names of the lists the index holds. */
GPtrArray *md_index_lists (MdIndex *idx, GError **error);

/* Aggregator state (per-thread summaries, series history, reports sent):
 * a GVariant under NAMESPACE/KEY, written in its own transaction.  get
 * returns NULL with MD_ERROR_NOT_FOUND when absent. */
gboolean md_index_state_put (MdIndex *idx, const char *ns, const char *key,
                             GVariant *value, GError **error);
GVariant *md_index_state_get (MdIndex *idx, const char *ns, const char *key,
                              const GVariantType *type, GError **error);

/* Retention (index-expire.c): the messages of the file at PATH that
 * arrived before CUTOFF (UTC seconds) are removed with their thread,
 * time-index and series entries; the aggregator's state (x:) and
 * meta: keys are kept.  The live keys are written to a new file that
 * replaces the old one, so the space comes back to the file system;
 * writers may keep delivering meanwhile (they wait for the lock, at most
 * their timeout, and then write to the new file). */
typedef struct {
  guint64 messages, removed;       /* messages before, and removed */
  guint64 size_before, size_after; /* bytes of the file */
} MdExpireStats;

gboolean md_index_expire (const char *path, gint64 cutoff, guint lock_timeout_ms,
                          MdExpireStats *stats, GError **error);
