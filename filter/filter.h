/* filter.h - the pieces of mldigest-filter behind main.c's outline.
 *
 *   deliver.c   one message on stdin (the MDA path), --pass
 *   import.c    --mbox and --maildir: many messages, batched transactions
 *   progress.c  the progress bar and the summary line of an import
 *   show.c      --show: print stored records
 *
 * Like lib/, these return gboolean + GError (MD_ERROR); main.c alone
 * prints errors and chooses the exit status.
 */
#pragma once
#include "index.h"
#include "config.h"

/* Bigger input is refused (MD_ERROR_DATA): no list sends such mail, and
 * the filter must not be made to allocate without bound. */
#define MD_FILTER_MAX_MESSAGE (64u << 20)
#define MD_FILTER_DEFAULT_LOCK_TIMEOUT_MS 30000

typedef struct {
  char *index_path;       /* the index: --index, $MLDIGEST_INDEX, [index] path
                           * or the default (md_config_index_path()); NULL
                           * when it holds {list} and the one-message mode
                           * chooses the file by the message's list */
  char *config_path;      /* --config */
  GKeyFile *config;       /* the configuration (empty when there is none) */
  char *index_option;     /* --index as given, for md_config_index_path() */
  guint64 max_size;       /* [index] max_size */
  char *list;             /* --list: short name or List-Id */
  gboolean pass;          /* --pass: copy stdin to stdout */
  char *mbox;             /* --mbox FILE or "-" */
  char *maildir;          /* --maildir DIR */
  char **show;            /* --show MSGID, repeatable */
  gboolean progress;      /* --progress: a bar even when stderr is no tty */
  gboolean quiet;         /* --quiet: no bar, summary or warnings */
  gint lock_timeout_ms;   /* --lock-timeout */
} MdFilterOptions;

/* One message from stdin, recorded in its own synced transaction. */
gboolean md_filter_deliver (const MdFilterOptions *o, GError **error);

/* --mbox / --maildir. */
gboolean md_filter_import (const MdFilterOptions *o, GError **error);

/* --show: each record as "field: value" lines, records separated by a
 * blank line; fails (after printing the others) if one is missing. */
gboolean md_filter_show (const MdFilterOptions *o, GError **error);
