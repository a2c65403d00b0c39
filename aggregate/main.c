/* mldigest-aggregate - a window of a list's index -> threads, series, facts.
 *
 * The program is a pipeline of stages, one source file each, grouped by
 * part, each filling one MdWeek (model/week.h) and depending on that
 * model only:
 *
 *   facts/window.c    which records: the window, their ancestors, thread history
 *   facts/thread.c    JWZ threads, series rejoined to their cover letters
 *   facts/series.c    series completeness and the previous version
 *   facts/category.c  the report section of each thread (configurable rules)
 *   facts/facts.c     counts, reviews, applied, robots, people, new patches
 *   facts/attention.c what needs a human: waiting series, NAKs, questions
 *   summary/          the summary of each thread: a model's (llm-summary.c,
 *                     over llm/client.c), checked, kept in the index; the
 *                     built-in one (summarise.c) for the rest
 *   report/render.c   the report from a template (Markdown, HTML, text);
 *   report/json.c, report/textout.c  the facts as JSON or a compact dump
 *   send/             the report as a MIME message (--format mail), mailed
 *                     exactly once per (list, ISO week) (--send; send.h)
 *
 * main() is the outline: options, config, index, stages, output, and the
 * one place that turns an error into a message and an exit code.
 */
#include <errno.h>
#include <locale.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "attention.h"
#include "category.h"
#include "check.h"
#include "expire.h"
#include "facts.h"
#include "identity.h"
#include "lang.h"
#include "config.h"
#include "error.h"
#include "history.h"
#include "json.h"
#include "llm-summary.h"
#include "message.h"
#include "previous.h"
#include "render.h"
#include "send.h"
#include "sent.h"
#include "series.h"
#include "summarise.h"
#include "textout.h"
#include "thread.h"
#include "window.h"

#define PROG "mldigest-aggregate"
#define LOCK_TIMEOUT_MS 10000

static char *opt_index, *opt_config, *opt_list, *opt_since, *opt_until;
static char *opt_week, *opt_format, *opt_output, *opt_timezone;
static char *opt_lang, *opt_template, *opt_summariser;
static gboolean opt_send, opt_force;
static gboolean opt_check_config, opt_expire;

/* What --format asks for: a report (render.c) or the facts. */
typedef enum { OUT_REPORT, OUT_JSON, OUT_FACTS, OUT_MAIL } OutputKind;
static OutputKind out_kind = OUT_REPORT;
static MdFormat report_format = MD_FORMAT_MD;

static const GOptionEntry entries[] = {
  { "index", 0, 0, G_OPTION_ARG_FILENAME, &opt_index, "the index (default $MLDIGEST_INDEX, else [index] path, else $XDG_DATA_HOME/mldigest/index.tdb); {list} is --list", "PATH" },
  { "config", 0, 0, G_OPTION_ARG_FILENAME, &opt_config, "configuration file", "FILE" },
  { "list", 0, 0, G_OPTION_ARG_STRING, &opt_list, "the list: short name or List-Id", "NAME" },
  { "since", 0, 0, G_OPTION_ARG_STRING, &opt_since, "window start by Date (YYYY-MM-DD or ISO 8601)", "TIME" },
  { "until", 0, 0, G_OPTION_ARG_STRING, &opt_until, "window end by Date (a date includes that day)", "TIME" },
  { "week", 0, 0, G_OPTION_ARG_STRING, &opt_week, "an ISO week by Date, e.g. 2021-W30", "YYYY-Www" },
  { "format", 0, 0, G_OPTION_ARG_STRING, &opt_format, "md (the default), html, text: the report; json, facts: the facts; mail: the message --send would send", "FORMAT" },
  { "lang", 0, 0, G_OPTION_ARG_STRING, &opt_lang, "report language: zh-CN (default) or en", "LANG" },
  { "template", 0, 0, G_OPTION_ARG_STRING, &opt_template, "report template: weekly (default), update, or a path", "NAME|PATH" },
  { "output", 'o', 0, G_OPTION_ARG_FILENAME, &opt_output, "write to FILE (atomically) instead of stdout", "FILE" },
  { "timezone", 0, 0, G_OPTION_ARG_STRING, &opt_timezone, "time zone for human-readable times (default UTC)", "TZ" },
  { "send", 0, 0, G_OPTION_ARG_NONE, &opt_send, "mail the report to the list (the last complete ISO week unless a window is given)", NULL },
  { "force", 0, 0, G_OPTION_ARG_NONE, &opt_force, "with --send: send a week that was already sent", NULL },
  { "summariser", 0, 0, G_OPTION_ARG_STRING, &opt_summariser, "llm (the default with an [llm] group in the config) or builtin", "NAME" },
  { "check-config", 0, 0, G_OPTION_ARG_NONE, &opt_check_config, "check the configuration file and say what is wrong", NULL },
  { "expire", 0, 0, G_OPTION_ARG_NONE, &opt_expire, "remove messages older than [index] keep_days and shrink the index", NULL },
  { NULL }
};

static gboolean
parse_format (GError **error)
{
  if (opt_format == NULL || md_format_parse (opt_format, &report_format))
    return TRUE;
  if (strcmp (opt_format, "json") == 0 || strcmp (opt_format, "facts") == 0
      || strcmp (opt_format, "mail") == 0)
    {
      out_kind = opt_format[0] == 'j' ? OUT_JSON : opt_format[0] == 'f' ? OUT_FACTS : OUT_MAIL;
      return TRUE;
    }
  g_set_error (error, MD_ERROR, MD_ERROR_USAGE,
               "unknown format '%s' (want md, html, text, json, facts or mail)", opt_format);
  return FALSE;
}

static gboolean
parse_options (int *argc, char ***argv, GError **error)
{
  g_autoptr (GOptionContext) ctx = g_option_context_new ("- a week of a mailing list's threads, series and facts");
  g_autoptr (GError) local = NULL;

  g_option_context_add_main_entries (ctx, entries, NULL);
  if (!g_option_context_parse (ctx, argc, argv, &local))
    {
      g_set_error (error, MD_ERROR, MD_ERROR_USAGE, "%s", local->message);
      return FALSE;
    }
  if (*argc > 1)
    {
      g_set_error (error, MD_ERROR, MD_ERROR_USAGE, "unexpected argument '%s'", (*argv)[1]);
      return FALSE;
    }
  if (opt_force && !opt_send)
    g_set_error (error, MD_ERROR, MD_ERROR_USAGE, "--force goes with --send");
  else if (opt_summariser && strcmp (opt_summariser, "llm") != 0
           && strcmp (opt_summariser, "builtin") != 0)
    g_set_error (error, MD_ERROR, MD_ERROR_USAGE,
                 "unknown summariser '%s' (want llm or builtin)", opt_summariser);
  else if (opt_send && (opt_format || opt_output))
    g_set_error (error, MD_ERROR, MD_ERROR_USAGE,
                 "--send mails the report: --format mail shows the message instead");
  else
    return parse_format (error);
  return FALSE;
}

/* Now, or $MLDIGEST_NOW (a time as --since takes, or Unix seconds) for
 * reproducible runs. */
static gboolean
now_time (gint64 *now, GError **error)
{
  const char *env = g_getenv ("MLDIGEST_NOW");
  char *end = NULL;

  *now = g_get_real_time () / G_USEC_PER_SEC;
  if (env == NULL || *env == '\0')
    return TRUE;
  *now = g_ascii_strtoll (env, &end, 10);
  if (end && *end == '\0' && end != env)
    return TRUE;
  return md_window_parse_time (env, FALSE, now, error);
}

/* --list, or the only list the index holds. */
static char *
resolve_list (MdIndex *idx, GError **error)
{
  g_autoptr (GPtrArray) lists = NULL;
  g_autofree char *names = NULL;

  if (opt_list)
    return md_list_short_name (opt_list);
  if ((lists = md_index_lists (idx, error)) == NULL)
    return NULL;
  if (lists->len == 1)
    return g_strdup (lists->pdata[0]);
  g_ptr_array_add (lists, NULL);
  names = g_strjoinv (", ", (char **) lists->pdata);
  g_ptr_array_remove_index (lists, lists->len - 1);
  g_set_error (error, MD_ERROR, MD_ERROR_USAGE,
               lists->len ? "the index holds several lists (%s): choose one with --list"
                          : "the index holds no list yet%s", names);
  return NULL;
}

/* --timezone, else the list's "timezone", else UTC. */
static GTimeZone *
time_zone (GKeyFile *config, const char *list, GError **error)
{
  g_autofree char *name = opt_timezone ? g_strdup (opt_timezone)
                                       : md_config_list_string (config, list, "timezone", NULL);
  GTimeZone *tz;

  if (name == NULL)
    return g_time_zone_new_utc ();
  if ((tz = g_time_zone_new_identifier (name)) == NULL)
    g_set_error (error, MD_ERROR, MD_ERROR_USAGE, "unknown time zone '%s'", name);
  return tz;
}

/* The stages, in order, on an open index. */
static gboolean
aggregate (MdWeek *week, MdIndex *idx, GKeyFile *config, GError **error)
{
  g_autoptr (MdCategoryRules) rules = NULL;
  MdThreadOptions topts;
  MdSource src;

  md_source_init_index (&src, idx);
  if (!md_window_load (week, &src, MD_WINDOW_HISTORY_MAX, error))
    return FALSE;
  md_thread_options_load (&topts, config, week->list);
  md_thread_run (week, &topts);
  if (!md_series_run (week, &src, error))
    return FALSE;
  if ((rules = md_category_rules_load (config, week->list, error)) == NULL)
    return FALSE;
  md_category_run (week, rules);
  md_facts_run (week, config);
  return md_attention_run (week, &src, config, error);
}

static gboolean
io_error (GError **error, const char *what, const char *path, int err)
{
  g_set_error (error, MD_ERROR, md_error_code_from_errno (err),
               "cannot %s '%s': %s", what, path, g_strerror (err));
  return FALSE;
}

/* stdout, or a device or pipe named by -o (/dev/stdout, a FIFO): written
 * as it is; renaming over it would replace the device node. */
static gboolean
write_stream (FILE *f, const char *path, const char *data, gsize len,
              GError **error)
{
  int err = 0;

  if (fwrite (data, 1, len, f) != len)
    err = errno ? errno : EIO;
  if ((f == stdout ? fflush (f) : fclose (f)) != 0 && err == 0)
    err = errno;
  return err == 0 || io_error (error, "write to", path, err);
}

static gboolean
write_output (const char *data, gsize len, GError **error)
{
  g_autoptr (GError) local = NULL;
  FILE *f;

  if (opt_output == NULL)
    return write_stream (stdout, "stdout", data, len, error);
  if (g_file_test (opt_output, G_FILE_TEST_EXISTS)
      && !g_file_test (opt_output, G_FILE_TEST_IS_REGULAR))
    {
      if ((f = fopen (opt_output, "w")) == NULL)
        return io_error (error, "open", opt_output, errno);
      return write_stream (f, opt_output, data, len, error);
    }
  /* temp file in the same directory, fsync, rename, fsync the directory */
  if (g_file_set_contents_full (opt_output, data, len,
                                G_FILE_SET_CONTENTS_CONSISTENT | G_FILE_SET_CONTENTS_DURABLE,
                                0666, &local))
    return TRUE;
  g_set_error (error, MD_ERROR, MD_ERROR_IO, "%s", local->message);
  return FALSE;
}

/* The report: built-in summaries for threads that have none, then the
 * template.  Options win over the list's config keys lang, template and
 * archive_url; zh-CN "weekly" when nothing is set. */
static char *
render_report (MdWeek *week, GKeyFile *config, GTimeZone *tz, MdFormat format,
               GError **error)
{
  g_autofree char *lang = opt_lang ? g_strdup (opt_lang)
                                   : md_config_list_string (config, week->list, "lang", NULL);
  g_autofree char *tmpl = opt_template ? g_strdup (opt_template)
                                       : md_config_list_string (config, week->list, "template", NULL);
  g_autofree char *archive = md_config_list_string (config, week->list, "archive_url", NULL);
  MdRenderOptions ro = { .format = format, .lang = lang, .template_name = tmpl,
                         .tz = tz, .archive_url = archive };

  if (!md_summarise_builtin (week, lang, error))
    return NULL;
  return md_render (week, &ro, error);
}

static gboolean
render_and_write (MdWeek *week, GKeyFile *config, GError **error)
{
  g_autoptr (GTimeZone) tz = time_zone (config, week->list, error);
  g_autofree char *out = NULL;
  gsize len = 0;

  if (tz == NULL)
    return FALSE;
  if (out_kind == OUT_JSON)
    out = md_json_render (week, &len);
  else if ((out = out_kind == OUT_FACTS ? md_text_render (week, tz)
                                        : render_report (week, config, tz, report_format, error)) == NULL)
    return FALSE;
  return write_output (out, len ? len : strlen (out), error);
}

/* --lang, else the list's "lang", else zh-CN; checked. */
static const char *
report_lang (GKeyFile *config, const char *list, GError **error)
{
  g_autofree char *lang = opt_lang ? g_strdup (opt_lang)
                                   : md_config_list_string (config, list, "lang", NULL);
  const char *canon = md_lang_canonical (lang);

  if (canon == NULL)
    g_set_error (error, MD_ERROR, MD_ERROR_USAGE,
                 "unsupported language '%s' (zh-CN or en)", lang);
  return canon;
}

/* ---- summaries ---- */

/* The [llm] group when the model summarises: --summariser llm, or by
 * default when the config has the group; NULL (no error) for the
 * built-in summariser. */
static gboolean
load_llm (GKeyFile *config, MdLlmConfig **llm, GError **error)
{
  g_autoptr (GError) local = NULL;

  *llm = NULL;
  if (out_kind == OUT_FACTS || g_strcmp0 (opt_summariser, "builtin") == 0)
    return TRUE;
  if ((*llm = md_llm_config_load (config, &local)) != NULL)
    return TRUE;
  if (local)
    {
      g_set_error (error, MD_ERROR, MD_ERROR_CONFIG, "[llm]: %s", local->message);
      return FALSE;
    }
  if (opt_summariser == NULL)
    return TRUE;
  g_set_error (error, MD_ERROR, MD_ERROR_USAGE,
               "--summariser llm needs an [llm] group in the configuration");
  return FALSE;
}

/* What the summarisers read from the index while it is open: the replies
 * on v(N-1) and, for the model, the stored summaries. */
static gboolean
summary_inputs (MdWeek *week, MdIndex *idx, const MdLlmConfig *llm,
                GHashTable **history, GError **error)
{
  MdSource src;
  guint bad = 0;

  if (out_kind == OUT_FACTS)
    return TRUE;
  md_source_init_index (&src, idx);
  if (!md_previous_load (week, &src, error))
    return FALSE;
  if (llm && (*history = md_history_load (idx, week, &bad, error)) == NULL)
    return FALSE;
  if (bad)
    g_printerr ("%s: %u stored summaries could not be read: asking again\n", PROG, bad);
  return TRUE;
}

/* The run's new summaries into the index, in one transaction of their
 * own.  The report does not depend on it: a failure is a warning. */
static void
store_history (const char *path, GHashTable *store)
{
  g_autoptr (GError) local = NULL;
  MdIndex *idx;

  if (g_hash_table_size (store) == 0)
    return;
  if ((idx = md_index_open (path, MD_INDEX_WRITE, LOCK_TIMEOUT_MS, &local)) != NULL)
    {
      gboolean ok = md_history_store (idx, store, &local);
      md_index_close (idx, ok ? &local : NULL);
    }
  if (local)
    g_printerr ("%s: warning: summaries not kept for next run: %s\n", PROG, local->message);
}

static void
print_usage (MdLlmSummaryRun *run)
{
  g_autofree char *usage = NULL;

  run->usage.fallbacks = run->fallbacks;
  usage = md_llm_usage_format (&run->usage);
  g_printerr ("%s: %s; %u of %u threads summarised (%u from earlier runs),"
              " %u sentences dropped\n", PROG, usage,
              run->summarised, run->threads, run->reused, run->dropped);
  if (run->fallbacks)
    g_printerr ("%s: %u thread summaries fell back to the built-in summariser"
                " (marked in the report); the report is complete\n", PROG, run->fallbacks);
}

static gboolean
summarise_llm (MdWeek *week, GKeyFile *config, const char *lang, const MdLlmConfig *llm,
               GHashTable *history, const char *path, GError **error)
{
  g_autofree char *archive = md_config_list_string (config, week->list, "archive_url",
                                                    MD_ARCHIVE_URL_DEFAULT);
  MdLlmSummaryOptions o = { llm, lang, *archive ? archive : NULL, history, isatty (2) };
  MdLlmSummaryRun run;
  gboolean ok;

  md_llm_summary_run_init (&run);
  ok = md_llm_summarise (week, &o, &run, error);
  if (ok)
    {
      print_usage (&run);
      store_history (path, run.store);
    }
  md_llm_summary_run_clear (&run);
  return ok;
}

/* Every thread's summary: the model's where it stands, the built-in one
 * for the rest. */
static gboolean
summarise (MdWeek *week, GKeyFile *config, const MdLlmConfig *llm,
           GHashTable *history, const char *path, GError **error)
{
  const char *lang;

  if (out_kind == OUT_FACTS)
    return TRUE;
  if ((lang = report_lang (config, week->list, error)) == NULL)
    return FALSE;
  if (llm && !summarise_llm (week, config, lang, llm, history, path, error))
    return FALSE;
  return md_summarise_builtin (week, lang, error);
}

/* What --send and --format mail add to a week: its identity (list, ISO
 * week) and where it stands. */
typedef struct {
  char *label;             /* "2021-W10" */
  MdSentRecord sent;       /* when it was sent before (message_id NULL: never) */
  char *in_reply_to;       /* the previous week's digest, when it was sent */
} Identity;

static void
identity_clear (Identity *id)
{
  g_free (id->label);
  md_sent_record_clear (&id->sent);
  g_free (id->in_reply_to);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Identity, identity_clear)

static gboolean
mailing (void)
{
  return opt_send || out_kind == OUT_MAIL;
}

/* The window the options ask for; with --send or --format mail and no
 * window option, the last complete ISO week in the list's time zone, so
 * that a timer firing twice or late names the same week. */
static gboolean
resolve_window (GKeyFile *config, const char *list, gint64 now,
                MdWindowSpec *spec, char **label, GError **error)
{
  g_autoptr (GTimeZone) tz = time_zone (config, list, error);
  g_autoptr (GTimeZone) utc = g_time_zone_new_utc ();

  if (tz == NULL)
    return FALSE;
  if (!mailing () || opt_since || opt_until || opt_week)
    {
      if (!md_window_resolve (opt_since, opt_until, opt_week, now, spec, error))
        return FALSE;
    }
  else
    {
      spec->by_date = FALSE;
      md_identity_last_week (now, tz, &spec->since, &spec->until);
    }
  /* --week names its week; else the week of the window's start, locally */
  *label = md_identity_week (spec->since, opt_week ? utc : tz);
  return TRUE;
}

static gboolean
open_week (MdIndex *idx, GKeyFile *config, MdWeek **week, char **label,
           GError **error)
{
  g_autofree char *list = resolve_list (idx, error);
  MdWindowSpec spec;
  gint64 now, days;

  if (list == NULL || !now_time (&now, error)
      || !resolve_window (config, list, now, &spec, label, error))
    return FALSE;
  *week = md_week_new (list, spec.since, spec.until);
  (*week)->by_date = spec.by_date;
  (*week)->generated = now;
  days = md_config_list_int (config, list, "history_days", 28);
  (*week)->history_since = spec.since - CLAMP (days, 0, 3660) * 86400;
  return TRUE;
}

/* The sent-week records of this week and the one before. */
static gboolean
look_up_sent (MdIndex *idx, const char *list, Identity *id, GError **error)
{
  g_autofree char *prev = md_identity_previous_week (id->label);
  g_auto (MdSentRecord) before = { 0 };
  g_autoptr (GError) local = NULL;

  if (!md_sent_get (idx, list, id->label, &id->sent, &local)
      && !g_error_matches (local, MD_ERROR, MD_ERROR_NOT_FOUND))
    goto failed;
  g_clear_error (&local);
  if (prev && !md_sent_get (idx, list, prev, &before, &local)
      && !g_error_matches (local, MD_ERROR, MD_ERROR_NOT_FOUND))
    goto failed;
  id->in_reply_to = g_steal_pointer (&before.message_id);
  return TRUE;
failed:
  g_propagate_error (error, g_steal_pointer (&local));
  return FALSE;
}

static gboolean
already_sent (const MdWeek *week, const Identity *id)
{
  g_autoptr (GDateTime) t = NULL;
  g_autofree char *when = NULL;

  if (!opt_send || opt_force || id->sent.message_id == NULL)
    return FALSE;
  t = g_date_time_new_from_unix_utc (id->sent.sent_at);
  when = g_date_time_format_iso8601 (t);
  g_print ("%s %s: already sent on %s as <%s> (--force sends it again)\n",
           week->list, id->label, when, id->sent.message_id);
  return TRUE;
}

/* The week's message: the text and HTML renderings (and the Markdown
 * when archive_dir keeps it). */
static MdOutboxEntry *
compose (MdWeek *week, MdSender *s, const Identity *id, GError **error)
{
  g_autoptr (GTimeZone) tz = time_zone (s->config, week->list, error);
  g_autofree char *lang = opt_lang ? g_strdup (opt_lang)
                                   : md_config_list_string (s->config, week->list, "lang", NULL);
  g_autofree char *archive = md_config_list_string (s->config, week->list, "archive_dir", NULL);
  g_autofree char *text = NULL, *html = NULL, *md = NULL;
  MdDigest d = { .list = week->list, .week = id->label, .now = week->generated,
                 .in_reply_to = id->in_reply_to };

  if (tz == NULL
      || (text = render_report (week, s->config, tz, MD_FORMAT_TEXT, error)) == NULL
      || (html = render_report (week, s->config, tz, MD_FORMAT_HTML, error)) == NULL
      || (opt_send && archive && *archive
          && (md = render_report (week, s->config, tz, MD_FORMAT_MD, error)) == NULL))
    return NULL;
  d.lang = md_lang_canonical (lang);
  d.text = text, d.html = html, d.md = md;
  return md_send_compose (s->config, &s->smtp, &d, error);
}

/* Queue the week, then send it, unless the outbox already failed to go
 * out in this run (PENDING): the server is down, the week waits. */
static gboolean
send_week (MdSender *s, MdWeek *week, const Identity *id, GError **pending,
           GError **error)
{
  g_autoptr (MdOutboxEntry) e = compose (week, s, id, error);

  if (e == NULL || !md_send_queue (s, e, error))
    return FALSE;
  if (*pending == NULL && md_send_deliver (s, e, pending))
    return TRUE;
  g_printerr ("%s: %s %s: queued in '%s' for the next --send\n", PROG, week->list,
              id->label, e->path);
  g_propagate_error (error, g_steal_pointer (pending));
  return FALSE;
}

static gboolean
mail_week (MdSender *s, MdWeek *week, const Identity *id, GError **pending,
           GError **error)
{
  g_autoptr (MdOutboxEntry) e = NULL;

  if (opt_send)
    return send_week (s, week, id, pending, error);
  if ((e = compose (week, s, id, error)) == NULL)
    return FALSE;
  return write_output (g_bytes_get_data (e->message, NULL), g_bytes_get_size (e->message), error);
}

/* Open the index read-only, find the week (and for mail, where it
 * stands), aggregate it unless it was sent already, read what the
 * summarisers need, close. */
static gboolean
read_week (GKeyFile *config, const char *path, const MdLlmConfig *llm,
           GHashTable **history, MdWeek **week, Identity *id, gboolean *skip,
           GError **error)
{
  MdIndex *idx = md_index_open (path, MD_INDEX_READ, LOCK_TIMEOUT_MS, error);
  gboolean ok;

  if (idx == NULL)
    return FALSE;
  ok = open_week (idx, config, week, &id->label, error)
       && (!mailing () || look_up_sent (idx, (*week)->list, id, error))
       && ((*skip = already_sent (*week, id))
           || (aggregate (*week, idx, config, error)
               && summary_inputs (*week, idx, llm, history, error)));
  if (!md_index_close (idx, ok ? error : NULL))
    ok = FALSE;
  return ok;
}

/* --check-config: the problems on stdout, an error when there is one. */
static gboolean
check_config (GError **error)
{
  MdCheckReport report = { 0, 0, g_string_new (NULL) };

  md_check_config (opt_config, opt_index, &report);
  fputs (report.out->str, stdout);
  g_string_free (report.out, TRUE);
  if (report.problems == 0)
    return TRUE;
  g_set_error (error, MD_ERROR, MD_ERROR_CONFIG, "the configuration has %u problem%s",
               report.problems, report.problems == 1 ? "" : "s");
  return FALSE;
}

/* --index, $MLDIGEST_INDEX, [index] path or the default; the file of
 * --list when the path holds {list}. */
static char *
index_path (GKeyFile *config, GError **error)
{
  g_autofree char *list = md_list_short_name (opt_list);

  if (list == NULL && md_config_index_per_list (config, opt_index))
    {
      g_set_error (error, MD_ERROR, MD_ERROR_USAGE,
                   "the index path holds {list}: choose the list with --list");
      return NULL;
    }
  return md_config_index_path (config, opt_index, list);
}

/* --expire: retention, one line per index file on stdout. */
static gboolean
expire (GError **error)
{
  g_autoptr (GKeyFile) config = md_config_load (opt_config, NULL, error);
  g_autofree char *list = md_list_short_name (opt_list);
  g_autoptr (GString) out = g_string_new (NULL);
  gint64 now;
  gboolean ok;

  if (config == NULL || !now_time (&now, error))
    return FALSE;
  ok = md_expire_run (config, opt_index, list, now, out, error);
  fputs (out->str, stdout);
  return ok;
}

static gboolean
run (GError **error)
{
  g_autoptr (GKeyFile) config = md_config_load (opt_config, NULL, error);
  g_autofree char *path = config ? index_path (config, error) : NULL;
  g_autoptr (MdWeek) week = NULL;
  g_auto (Identity) id = { 0 };
  g_auto (MdSender) sender = { .lock_fd = -1 };
  g_autoptr (GError) pending = NULL;   /* the outbox could not be emptied */
  g_autoptr (MdLlmConfig) llm = NULL;
  g_autoptr (GHashTable) history = NULL;
  gboolean skip = FALSE;

  if (path == NULL || !load_llm (config, &llm, error))
    return FALSE;
  if (mailing () && !md_sender_init (&sender, config, path, opt_index, opt_send, error))
    return FALSE;
  if (opt_send)
    md_send_outbox (&sender, &pending);
  if (!read_week (config, path, llm, &history, &week, &id, &skip, error))
    return FALSE;
  if (!skip && !summarise (week, config, llm, history, path, error))
    return FALSE;
  if (skip || !mailing ())
    {
      if (!skip && !render_and_write (week, config, error))
        return FALSE;
      return pending == NULL || (g_propagate_error (error, g_steal_pointer (&pending)), FALSE);
    }
  return mail_week (&sender, week, &id, &pending, error);
}

int
main (int argc, char **argv)
{
  g_autoptr (GError) error = NULL;

  setlocale (LC_ALL, "");
  if (parse_options (&argc, &argv, &error)
      && (opt_check_config ? check_config (&error)
          : opt_expire ? expire (&error) : run (&error)))
    return 0;
  g_printerr ("%s: %s\n", PROG, error->message);
  if (error->domain == MD_ERROR && error->code == MD_ERROR_USAGE)
    g_printerr ("Try '%s --help' for more information.\n", PROG);
  return md_error_exit_code (error);
}
