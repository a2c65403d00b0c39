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
 *   summary/          the summary of each thread (reports only)
 *   report/render.c   the report from a template (Markdown, HTML, text);
 *   report/json.c, report/textout.c  the facts as JSON or a compact dump
 *
 * main() is the outline: options, config, index, stages, output, and the
 * one place that turns an error into a message and an exit code.
 */
#include <errno.h>
#include <locale.h>
#include <stdio.h>
#include <string.h>
#include "category.h"
#include "check.h"
#include "facts.h"
#include "config.h"
#include "error.h"
#include "json.h"
#include "message.h"
#include "render.h"
#include "series.h"
#include "summarise.h"
#include "textout.h"
#include "thread.h"
#include "window.h"

#define PROG "mldigest-aggregate"
#define LOCK_TIMEOUT_MS 10000

static char *opt_index, *opt_config, *opt_list, *opt_since, *opt_until;
static char *opt_week, *opt_format, *opt_output, *opt_timezone;
static char *opt_lang, *opt_template;
static gboolean opt_check_config;

/* What --format asks for: a report (render.c) or the facts. */
typedef enum { OUT_REPORT, OUT_JSON, OUT_FACTS } OutputKind;
static OutputKind out_kind = OUT_REPORT;
static MdFormat report_format = MD_FORMAT_MD;

static const GOptionEntry entries[] = {
  { "index", 0, 0, G_OPTION_ARG_FILENAME, &opt_index, "the index (default $MLDIGEST_INDEX or $XDG_DATA_HOME/mldigest/index.tdb)", "PATH" },
  { "config", 0, 0, G_OPTION_ARG_FILENAME, &opt_config, "configuration file", "FILE" },
  { "list", 0, 0, G_OPTION_ARG_STRING, &opt_list, "the list: short name or List-Id", "NAME" },
  { "since", 0, 0, G_OPTION_ARG_STRING, &opt_since, "window start by Date (YYYY-MM-DD or ISO 8601)", "TIME" },
  { "until", 0, 0, G_OPTION_ARG_STRING, &opt_until, "window end by Date (a date includes that day)", "TIME" },
  { "week", 0, 0, G_OPTION_ARG_STRING, &opt_week, "an ISO week by Date, e.g. 2021-W30", "YYYY-Www" },
  { "format", 0, 0, G_OPTION_ARG_STRING, &opt_format, "md (the default), html, text: the report; json, facts: the facts", "FORMAT" },
  { "lang", 0, 0, G_OPTION_ARG_STRING, &opt_lang, "report language: zh-CN (default) or en", "LANG" },
  { "template", 0, 0, G_OPTION_ARG_STRING, &opt_template, "report template: weekly (default), update, or a path", "NAME|PATH" },
  { "output", 'o', 0, G_OPTION_ARG_FILENAME, &opt_output, "write to FILE (atomically) instead of stdout", "FILE" },
  { "timezone", 0, 0, G_OPTION_ARG_STRING, &opt_timezone, "time zone for human-readable times (default UTC)", "TZ" },
  { "check-config", 0, 0, G_OPTION_ARG_NONE, &opt_check_config, "check the configuration file and say what is wrong", NULL },
  { NULL }
};

static gboolean
parse_format (GError **error)
{
  if (opt_format == NULL || md_format_parse (opt_format, &report_format))
    return TRUE;
  if (strcmp (opt_format, "json") == 0 || strcmp (opt_format, "facts") == 0)
    {
      out_kind = opt_format[0] == 'j' ? OUT_JSON : OUT_FACTS;
      return TRUE;
    }
  g_set_error (error, MD_ERROR, MD_ERROR_USAGE,
               "unknown format '%s' (want md, html, text, json or facts)", opt_format);
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
  return parse_format (error);
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
  return TRUE;
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
render_report (MdWeek *week, GKeyFile *config, GTimeZone *tz, GError **error)
{
  g_autofree char *lang = opt_lang ? g_strdup (opt_lang)
                                   : md_config_list_string (config, week->list, "lang", NULL);
  g_autofree char *tmpl = opt_template ? g_strdup (opt_template)
                                       : md_config_list_string (config, week->list, "template", NULL);
  g_autofree char *archive = md_config_list_string (config, week->list, "archive_url", NULL);
  MdRenderOptions ro = { .format = report_format, .lang = lang, .template_name = tmpl,
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
                                        : render_report (week, config, tz, error)) == NULL)
    return FALSE;
  return write_output (out, len ? len : strlen (out), error);
}

static gboolean
open_week (MdIndex *idx, GKeyFile *config, MdWeek **week, GError **error)
{
  g_autofree char *list = resolve_list (idx, error);
  MdWindowSpec spec;
  gint64 now, days;

  if (list == NULL || !now_time (&now, error)
      || !md_window_resolve (opt_since, opt_until, opt_week, now, &spec, error))
    return FALSE;
  *week = md_week_new (list, spec.since, spec.until);
  (*week)->by_date = spec.by_date;
  (*week)->generated = now;
  days = md_config_list_int (config, list, "history_days", 28);
  (*week)->history_since = spec.since - CLAMP (days, 0, 3660) * 86400;
  return TRUE;
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

static gboolean
run (GError **error)
{
  g_autoptr (GKeyFile) config = md_config_load (opt_config, NULL, error);
  g_autofree char *path = opt_index ? g_strdup (opt_index) : md_index_default_path ();
  g_autoptr (MdWeek) week = NULL;
  MdIndex *idx;
  gboolean ok;

  if (config == NULL)
    return FALSE;
  if ((idx = md_index_open (path, MD_INDEX_READ, LOCK_TIMEOUT_MS, error)) == NULL)
    return FALSE;
  ok = open_week (idx, config, &week, error) && aggregate (week, idx, config, error);
  if (!md_index_close (idx, ok ? error : NULL))
    ok = FALSE;
  return ok && render_and_write (week, config, error);
}

int
main (int argc, char **argv)
{
  g_autoptr (GError) error = NULL;

  setlocale (LC_ALL, "");
  if (parse_options (&argc, &argv, &error)
      && (opt_check_config ? check_config (&error) : run (&error)))
    return 0;
  g_printerr ("%s: %s\n", PROG, error->message);
  if (error->domain == MD_ERROR && error->code == MD_ERROR_USAGE)
    g_printerr ("Try '%s --help' for more information.\n", PROG);
  return md_error_exit_code (error);
}
