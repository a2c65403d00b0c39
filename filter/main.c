/* mldigest-filter - record mailing-list messages into the mldigest index.
 *
 * Run once per incoming message by procmail, sieve or a maildir watcher,
 * or once over an archive (--mbox, --maildir).  It is an MDA, so its exit
 * status is its interface (sysexits): 0 when the message is recorded or
 * was already there, 75 for anything worth retrying, 65 only for input
 * that can never be recorded.  It says nothing when it succeeds.
 *
 * It runs for every message of a list's life, so it does the least it
 * can: start, parse once with GMime, one synced TDB transaction, exit.
 * See filter/mldigest-filter.1 and docs/index-format.md.
 */
#include <signal.h>
#include <stdio.h>
#include <sysexits.h>
#include "error.h"
#include "filter.h"
#include "message.h"

static gboolean G_GNUC_PRINTF (2, 3)
usage (GError **error, const char *fmt, ...)
{
  va_list ap;
  va_start (ap, fmt);
  g_autofree char *msg = g_strdup_vprintf (fmt, ap);
  va_end (ap);
  g_set_error_literal (error, MD_ERROR, MD_ERROR_USAGE, msg);
  return FALSE;
}

/* The configuration and the index file.  With {list} in the index path
 * the one-message mode picks the file of each message's list; the other
 * modes work on one list's file and need --list. */
static gboolean
load_config (MdFilterOptions *o, gboolean whole_files, GError **error)
{
  g_autofree char *list = md_list_short_name (o->list);

  if ((o->config = md_config_load (o->config_path, NULL, error)) == NULL
      || !md_config_index_max_size (o->config, &o->max_size, error))
    return FALSE;
  if (md_config_index_per_list (o->config, o->index_option) && list == NULL)
    return !whole_files
      || usage (error, "the index path holds {list}: --mbox, --maildir and --show need --list");
  o->index_path = md_config_index_path (o->config, o->index_option, list);
  return TRUE;
}

static gboolean
check_options (MdFilterOptions *o, int argc, char **argv, GError **error)
{
  int modes = (o->mbox != NULL) + (o->maildir != NULL) + (o->show != NULL);
  if (argc > 1)
    return usage (error, "unexpected argument '%s' (see --help)", argv[1]);
  if (modes > 1 || (o->pass && modes > 0))
    return usage (error, "--mbox, --maildir, --show and --pass exclude each other");
  if (o->lock_timeout_ms < 0)
    return usage (error, "--lock-timeout must not be negative");
  if (o->list != NULL && !g_utf8_validate (o->list, -1, NULL))
    return usage (error, "--list must be UTF-8");
  return load_config (o, modes > 0, error);
}

static gboolean
parse_options (MdFilterOptions *o, int *argc, char ***argv, GError **error)
{
  GOptionEntry entries[] = {
    { "index", 'i', 0, G_OPTION_ARG_FILENAME, &o->index_option, "The index (default $MLDIGEST_INDEX, else [index] path, else $XDG_DATA_HOME/mldigest/index.tdb); {list} is the list's name", "PATH" },
    { "config", 'c', 0, G_OPTION_ARG_FILENAME, &o->config_path, "The configuration file (default $MLDIGEST_CONFIG, $XDG_CONFIG_HOME/mldigest/config, /etc/mldigest.conf)", "FILE" },
    /* Taken as bytes and checked for UTF-8 here: a STRING argument is
     * converted from the locale's charset, which opens iconv (and its
     * module cache) at every delivery. */
    { "list", 'l', 0, G_OPTION_ARG_FILENAME, &o->list, "The list the mail belongs to (short name or List-Id)", "NAME" },
    { "pass", 'p', 0, G_OPTION_ARG_NONE, &o->pass, "Copy the message to stdout unchanged", NULL },
    { "mbox", 0, 0, G_OPTION_ARG_FILENAME, &o->mbox, "Import an mbox (- for stdin)", "FILE" },
    { "maildir", 0, 0, G_OPTION_ARG_FILENAME, &o->maildir, "Import a maildir", "DIR" },
    { "show", 0, 0, G_OPTION_ARG_STRING_ARRAY, &o->show, "Print the stored record of a message (repeatable)", "MSGID" },
    { "progress", 0, 0, G_OPTION_ARG_NONE, &o->progress, "Show a progress bar even when stderr is not a terminal", NULL },
    { "quiet", 'q', 0, G_OPTION_ARG_NONE, &o->quiet, "No progress bar, warnings or summary", NULL },
    { "lock-timeout", 0, 0, G_OPTION_ARG_INT, &o->lock_timeout_ms, "How long to wait for the index lock (default 30000)", "MS" },
    { NULL },
  };
  g_autoptr (GOptionContext) ctx = g_option_context_new (NULL);
  g_option_context_set_summary (ctx, "Record mailing-list messages into the mldigest index:\n"
                                "one message on stdin, or an archive with --mbox/--maildir.");
  g_option_context_add_main_entries (ctx, entries, NULL);
  GError *local = NULL;
  if (!g_option_context_parse (ctx, argc, argv, &local))
    {
      g_set_error (error, MD_ERROR, MD_ERROR_USAGE, "%s", local->message);
      g_error_free (local);
      return FALSE;
    }
  return check_options (o, *argc, *argv, error);
}

static gboolean
run (const MdFilterOptions *o, GError **error)
{
  if (o->show != NULL)
    return md_filter_show (o, error);
  if (o->mbox != NULL || o->maildir != NULL)
    return md_filter_import (o, error);
  return md_filter_deliver (o, error);
}

/* The MDA contract of the one-message mode: the MTA bounces on anything
 * but 0 and 75, so everything except unrecordable input and a bad command
 * line is worth retrying (a broken index gets fixed; the mail must wait
 * for that, not be lost).  The other modes report the error's own code. */
static int
exit_code (const MdFilterOptions *o, const GError *error)
{
  int code = md_error_exit_code (error);
  gboolean deliver = o->show == NULL && o->mbox == NULL && o->maildir == NULL;
  if (deliver && code != EX_OK && code != EX_DATAERR && code != EX_USAGE)
    return EX_TEMPFAIL;
  return code;
}

static void
free_options (MdFilterOptions *o)
{
  g_free (o->index_path);
  g_free (o->index_option);
  g_free (o->config_path);
  g_clear_pointer (&o->config, g_key_file_unref);
  g_free (o->list);
  g_free (o->mbox);
  g_free (o->maildir);
  g_strfreev (o->show);
}

int
main (int argc, char **argv)
{
  MdFilterOptions o = { .lock_timeout_ms = MD_FILTER_DEFAULT_LOCK_TIMEOUT_MS };
  g_autoptr (GError) error = NULL;

  /* Failed writes must come back as errors we can turn into exit 75:
   * a closed pipe (EPIPE), a file size limit (EFBIG). */
  signal (SIGPIPE, SIG_IGN);
  signal (SIGXFSZ, SIG_IGN);
  g_set_prgname ("mldigest-filter");

  if (parse_options (&o, &argc, &argv, &error))
    run (&o, &error);
  if (error != NULL)
    fprintf (stderr, "mldigest-filter: %s\n", error->message);
  int code = exit_code (&o, error);
  free_options (&o);
  return code;
}
