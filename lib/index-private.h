/* index-private.h - what index.c (opening, transactions, primitives),
 * index-add.c (recording messages) and index-query.c (reading) share: the
 * handle, the key builders, the read/write primitives, error mapping.
 * The key layout itself is documented in docs/index-format.md; every key
 * is built here and nowhere else.
 */
#pragma once
#include <sys/types.h>  /* tdb.h needs mode_t */
#include <tdb.h>
#include "index.h"

#define MD_INDEX_FORMAT "1"            /* value of meta:format */
#define MD_STATE_VERSION 1             /* version byte of x: values */

/* Fixed when the file is created.  A bigger hash table keeps chains short
 * (each message adds about five keys) but costs a copy of it per
 * transaction; 16411 buckets (64 KiB) keeps chains under ten keys up to
 * about 30,000 messages and the per-message transaction cheap. */
#define MD_INDEX_HASH_SIZE 16411
#define MD_INDEX_TDB_FLAGS (TDB_INCOMPATIBLE_HASH | TDB_DISALLOW_NESTING)

struct _MdIndex {
  struct tdb_context *tdb;
  char *path;
  MdIndexMode mode;
  guint lock_timeout_ms;
  gboolean in_batch;
  gboolean in_transaction;  /* between a transaction's start and its end */
  GHashTable *pending;    /* in a batch: list entries to append at commit,
                           * GBytes key -> GString entries */
  char *tdb_log;          /* TDB's last error message: the reason when errno has none */
  guint64 max_size;       /* md_index_set_max_size(), 0: none */
  /* The open transaction (index-room.c says why): the file's size and
   * its recovery area's capacity when it started, and an upper estimate
   * of the old data its commit must save there. */
  guint64 txn_size, txn_capacity, txn_estimate;
};

/* Keys.  Each returns a new GString whose bytes (without a terminating
 * NUL) are the TDB key. */
GString *md_key_message (const char *message_id);
GString *md_key_thread (const char *thread_id);
GString *md_key_time (MdTimeKind kind, const char *list, gint64 t);
GString *md_key_series (const char *from_email, const char *series_key);
GString *md_key_change_id (const char *change_id);
GString *md_key_state (const char *ns, const char *key);
GString *md_key_meta (const char *name);

static inline TDB_DATA
md_key_data (const GString *key)
{
  return (TDB_DATA) { (unsigned char *) key->str, key->len };
}

/* The hour bucket of time T (UTC seconds), clamped to years 1970-9999. */
gint64 md_time_bucket (gint64 t);

/* Set ERROR from the last failure of IDX's TDB (ERR is the errno saved
 * right after the failing call, 0 if none): "WHAT 'path': reason". */
void md_index_set_error (MdIndex *idx, int err, const char *what,
                         GError **error);

/* Around a TDB call that may wait for a lock: a wait longer than MS
 * makes the call fail (TDB_ERR_LOCK).  See index.c. */
void md_index_wait_bound (MdIndex *idx, guint ms);
void md_index_wait_done (MdIndex *idx);

/* The value under KEY in *VALUE, NULL when absent; FALSE on a failure. */
gboolean md_index_fetch (MdIndex *idx, const GString *key, GBytes **value,
                         GError **error);

/* Split a list value ("id\0id\0...") into OUT, checking each entry is
 * non-empty UTF-8. */
gboolean md_id_list_split (GBytes *value, GPtrArray *out, GError **error);

gboolean md_index_store (MdIndex *idx, const GString *key, const void *data,
                         gsize len, GError **error);
/* Add one entry to the list under KEY (in a batch: at the commit). */
gboolean md_index_append_id (MdIndex *idx, const GString *key, const char *id,
                             GError **error);

/* Run FN in its own synced transaction, or in the open batch.  FN reads
 * first and writes last, so that a failure leaves a batch without half
 * an operation in it. */
typedef gboolean (*MdIndexWriteFn) (MdIndex *idx, gpointer data, GError **error);
gboolean md_index_in_transaction (MdIndex *idx, MdIndexWriteFn fn,
                                  gpointer data, GError **error);

/* The entries of the list under KEY, appended to OUT: those stored and,
 * in a batch, those still waiting for the commit. */
gboolean md_index_read_ids (MdIndex *idx, const GString *key, GPtrArray *out,
                            GError **error);

/* The stored record of MESSAGE_ID in *REC, NULL when absent; FALSE on a
 * failure (MD_ERROR_CORRUPT for a bad record). */
gboolean md_index_fetch_record (MdIndex *idx, const char *message_id,
                                MdRecord **rec, GError **error);

/* index-room.c: the file never grows at a commit.  The capacity of the
 * recovery area of TDB (0: none, or one TDB would not reuse). */
guint64 md_index_area_capacity (struct tdb_context *tdb);
/* Inside IDX's transaction: copy its whole view into a new file with
 * room for NEED bytes more (and its recovery area), which replaces the
 * file at IDX's path; the caller then cancels and reopens. */
gboolean md_index_grow_locked (MdIndex *idx, guint64 need, GError **error);
/* A new file for a copy at TMP (removing a stale one), and its
 * installation at IDX's path under IDX's transaction lock: room and
 * recovery area made, [index] max_size checked, synced, renamed. */
struct tdb_context *md_index_copy_create (const char *tmp, GError **error);
gboolean md_index_copy_install (MdIndex *idx, struct tdb_context *out,
                                const char *tmp, guint64 need,
                                guint64 *size_after, GError **error);
/* A new index at PATH, complete before it appears there. */
gboolean md_index_create (const char *path, GError **error);

/* fsync() the directory DIR (after a file in it was created or renamed). */
gboolean md_index_sync_dir (const char *dir, GError **error);
