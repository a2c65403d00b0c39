/* source.h - where the aggregator reads records from.
 *
 * In the program it is the TDB index (md_source_init_index()); the unit
 * tests give a table of hand-built records instead, so window, thread and
 * series logic is tested without a file.  Every call follows the
 * contract of its lib/index.h namesake: returned arrays and records are
 * owned by the caller, a missing record is MD_ERROR_NOT_FOUND.
 */
#pragma once
#include "index.h"

typedef struct {
  /* records, as md_index_window() */
  GPtrArray *(*window) (gpointer data, const char *list, MdTimeKind kind,
                        gint64 since, gint64 until, guint *unreadable,
                        GError **error);
  MdRecord *(*get) (gpointer data, const char *message_id, GError **error);
  GPtrArray *(*thread_members) (gpointer data, const char *thread_id,
                                GError **error);
  GPtrArray *(*series_lookup) (gpointer data, const char *from_email,
                               const char *key, GError **error);
  GPtrArray *(*change_id_lookup) (gpointer data, const char *change_id,
                                  GError **error);
  gpointer data;
} MdSource;

/* SRC reads IDX (borrowed: it must outlive SRC's use). */
void md_source_init_index (MdSource *src, MdIndex *idx);
