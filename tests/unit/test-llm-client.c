/* Unit tests: aggregate/llm/client.c, llm-config.c and usage.c, against
 * tests/lib/llm-server.py started for each test on a free loopback port
 * in a temporary directory.  The server dies with this process
 * (PR_SET_PDEATHSIG) and is stopped in the teardown; assertions are
 * non-fatal so the teardown runs when one fails.
 */
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include "client.h"
#include "error.h"

#define KEY "sk-test-SECRET-4711"

static char *top;

typedef struct {
  char *dir;
  GSubprocess *server;
  char *url;
} Fixture;

static void
fx_setup (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) err = NULL;

  f->dir = g_dir_make_tmp ("mldigest-llm-XXXXXX", &err);
  g_assert_no_error (err);
}

static gboolean
rm_rf (const char *path)
{
  g_autoptr (GDir) d = g_dir_open (path, 0, NULL);
  const char *name;

  while (d && (name = g_dir_read_name (d))) {
    g_autofree char *p = g_build_filename (path, name, NULL);
    g_unlink (p);
  }
  return g_rmdir (path) == 0;
}

static void
fx_teardown (Fixture *f, gconstpointer data)
{
  if (f->server) {
    g_subprocess_send_signal (f->server, SIGTERM);
    g_subprocess_wait (f->server, NULL, NULL);
    g_object_unref (f->server);
  }
  rm_rf (f->dir);
  g_free (f->dir);
  g_free (f->url);
}

static void
die_with_parent (gpointer data)
{
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

static char *
fx_path (Fixture *f, const char *name)
{
  return g_build_filename (f->dir, name, NULL);
}

/* Start the server with SCRIPT (JSON text) and LATENCY; sets f->url. */
static gboolean
server_start (Fixture *f, const char *script, const char *latency)
{
  g_autoptr (GSubprocessLauncher) l = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_NONE);
  g_autofree char *py = g_build_filename (top, "tests", "lib", "llm-server.py", NULL);
  g_autofree char *sfile = fx_path (f, "script.json");
  g_autofree char *pfile = fx_path (f, "port");
  g_autofree char *log = fx_path (f, "log");
  g_autoptr (GError) err = NULL;
  g_autofree char *port = NULL;

  g_assert_true (g_file_set_contents (sfile, script, -1, NULL));
  g_subprocess_launcher_set_child_setup (l, die_with_parent, NULL, NULL);
  f->server = g_subprocess_launcher_spawn (l, &err, "/usr/bin/python3", py, "--port-file", pfile,
                                           "--log", log, "--script", sfile,
                                           "--latency", latency ? latency : "0", NULL);
  g_assert_no_error (err);
  for (int i = 0; f->server && i < 500 && !g_file_test (pfile, G_FILE_TEST_EXISTS); i++)
    g_usleep (20000);
  if (!g_file_get_contents (pfile, &port, NULL, NULL)) {
    g_test_fail_printf ("the test server did not start");
    return FALSE;
  }
  f->url = g_strdup_printf ("http://127.0.0.1:%s/v1", g_strstrip (port));
  return TRUE;
}

/* The request log: one JsonNode (an object) per request, in order. */
static GPtrArray *
server_log (Fixture *f)
{
  g_autofree char *path = fx_path (f, "log");
  g_autofree char *text = NULL;
  g_auto (GStrv) lines = NULL;
  GPtrArray *out = g_ptr_array_new_with_free_func ((GDestroyNotify) json_node_unref);

  if (!g_file_get_contents (path, &text, NULL, NULL))
    return out;
  lines = g_strsplit (text, "\n", -1);
  for (char **l = lines; *l; l++) {
    JsonNode *n = *l[0] ? json_from_string (*l, NULL) : NULL;
    if (n && JSON_NODE_HOLDS_OBJECT (n))
      g_ptr_array_add (out, n);
  }
  return out;
}

static JsonObject *
entry (GPtrArray *log, guint i)
{
  return json_node_get_object (log->pdata[i]);
}

static MdLlmConfig *
test_config (Fixture *f)
{
  MdLlmConfig *cfg = md_llm_config_new (f->url, "test-model");

  cfg->backoff_ms = 50;
  cfg->timeout_s = 5;
  return cfg;
}

#define PROMPT "Thread %s:\n[1] From: a\nthe first message\n[2] From: b\nthe second one\n"
#define ANSWER "Message 1 is part of this discussion [1]. Message 2 is part of this discussion [2]."

/* N requests, the I-th user message carrying MARKERS[I % n] when given. */
static GPtrArray *
requests (guint n, const char *const *markers)
{
  GPtrArray *reqs = g_ptr_array_new_with_free_func ((GDestroyNotify) md_llm_request_free);

  for (guint i = 0; i < n; i++) {
    MdLlmRequest *r = md_llm_request_new (GUINT_TO_POINTER (i));
    g_autofree char *tag = markers ? g_strdup_printf ("%s-%u", markers[i % g_strv_length ((char **) markers)], i)
                                   : g_strdup_printf ("%u", i);
    g_autofree char *user = g_strdup_printf (PROMPT, tag);
    md_llm_request_add (r, "system", "Summarise the thread.");
    md_llm_request_add (r, "user", user);
    g_ptr_array_add (reqs, r);
  }
  return reqs;
}

static MdLlmRequest *
req (GPtrArray *reqs, guint i)
{
  return reqs->pdata[i];
}

/* Run REQS under CFG; the seconds it took. */
static double
run (const MdLlmConfig *cfg, GPtrArray *reqs, MdLlmUsage *usage)
{
  g_autoptr (GError) err = NULL;
  gint64 t0 = g_get_monotonic_time ();

  g_assert_true (md_llm_run (cfg, reqs, usage, NULL, &err));
  g_assert_no_error (err);
  return (g_get_monotonic_time () - t0) / 1e6;
}

static gint64
max_in_flight (GPtrArray *log)
{
  gint64 m = 0;
  for (guint i = 0; i < log->len; i++)
    m = MAX (m, json_object_get_int_member (entry (log, i), "in_flight"));
  return m;
}

/* The server started with SCRIPT and LATENCY, and a configuration for
 * it; NULL when the server did not start (the test has failed). */
static MdLlmConfig *
start (Fixture *f, const char *script, const char *latency)
{
  return server_start (f, script, latency) ? test_config (f) : NULL;
}

/* ---- concurrency ------------------------------------------------- */

static void
test_concurrency (Fixture *f, gconstpointer data)
{
  g_autoptr (MdLlmConfig) cfg = NULL;
  g_autoptr (GPtrArray) reqs = requests (8, NULL);
  g_autoptr (GPtrArray) log = NULL;
  MdLlmUsage usage = { 0 };
  double t;

  if (!(cfg = start (f, "[]", "0.4")))
    return;
  cfg->concurrency = 3;
  t = run (cfg, reqs, &usage);
  log = server_log (f);
  g_assert_cmpuint (log->len, ==, 8);
  g_assert_cmpint (max_in_flight (log), ==, 3);      /* bounded, and parallel */
  /* 8 requests of 0.4 s, 3 at a time: 3 rounds, not 8 (the bound is
   * loose: the machine may be busy; the server's count above is the
   * proof). */
  g_test_message ("8 requests x 0.4 s at concurrency 3: %.2f s", t);
  g_assert_cmpfloat (t, >=, 1.2);
  g_assert_cmpfloat (t, <, 3.2);          /* one at a time: 3.2 s and more */
  for (guint i = 0; i < reqs->len; i++) {
    g_assert_cmpint (req (reqs, i)->status, ==, MD_LLM_OK);
    g_assert_cmpstr (req (reqs, i)->content, ==, ANSWER);
    g_assert_cmpuint (req (reqs, i)->attempts, ==, 1);
    g_assert_true (req (reqs, i)->user_data == GUINT_TO_POINTER (i));
  }
}

static void
test_concurrency_one (Fixture *f, gconstpointer data)
{
  g_autoptr (MdLlmConfig) cfg = NULL;
  g_autoptr (GPtrArray) reqs = requests (4, NULL);
  g_autoptr (GPtrArray) log = NULL;
  MdLlmUsage usage = { 0 };

  if (!(cfg = start (f, "[]", "0.2")))
    return;
  cfg->concurrency = 0;                  /* a hand-made configuration: 1 */
  g_assert_cmpfloat (run (cfg, reqs, &usage), >=, 0.8);
  log = server_log (f);
  g_assert_cmpuint (log->len, ==, 4);
  g_assert_cmpint (max_in_flight (log), ==, 1);
}

/* ---- scheduling -------------------------------------------------- */

/* A request like requests()'s, its prompt naming "Thread TAG:". */
static MdLlmRequest *
request_tagged (const char *tag, guint64 priority)
{
  MdLlmRequest *r = md_llm_request_new (NULL);
  g_autofree char *user = g_strdup_printf (PROMPT, tag);

  md_llm_request_add (r, "system", "Summarise the thread.");
  md_llm_request_add (r, "user", user);
  r->priority = priority;
  return r;
}

/* The log entry of the request whose prompt names "Thread TAG:", or NULL. */
static JsonObject *
entry_of (GPtrArray *log, const char *tag)
{
  g_autofree char *needle = g_strdup_printf ("Thread %s:", tag);

  for (guint i = 0; i < log->len; i++) {
    g_autofree char *all = json_to_string (log->pdata[i], FALSE);
    if (strstr (all, needle))
      return entry (log, i);
  }
  g_test_fail_printf ("no request for thread %s in the log", tag);
  return NULL;
}

static double
entry_time (GPtrArray *log, const char *tag, const char *member)
{
  JsonObject *e = entry_of (log, tag);
  return e ? json_object_get_double_member (e, member) : 0;
}

/* How many client ports the requests came from: connections opened. */
static guint
ports (GPtrArray *log)
{
  g_autoptr (GHashTable) seen = g_hash_table_new (g_direct_hash, g_direct_equal);

  for (guint i = 0; i < log->len; i++)
    g_hash_table_add (seen, GINT_TO_POINTER (json_object_get_int_member (entry (log, i), "port")));
  return g_hash_table_size (seen);
}

/* Waiting requests start by priority, the highest first; equal ones in
 * the order given. */
static void
test_priority (Fixture *f, gconstpointer data)
{
  const guint64 prio[] = { 1, 5, 3, 5, 0, 2 };
  const char *const order[] = { "1", "3", "2", "5", "0", "4" };
  g_autoptr (MdLlmConfig) cfg = NULL;
  g_autoptr (GPtrArray) reqs = requests (G_N_ELEMENTS (prio), NULL);
  g_autoptr (GPtrArray) log = NULL;
  MdLlmUsage usage = { 0 };

  if (!(cfg = start (f, "[]", NULL)))
    return;
  cfg->concurrency = 1;
  for (guint i = 0; i < reqs->len; i++)
    req (reqs, i)->priority = prio[i];
  run (cfg, reqs, &usage);
  log = server_log (f);
  g_assert_cmpuint (log->len, ==, G_N_ELEMENTS (order));
  for (guint i = 0; i < log->len && i < G_N_ELEMENTS (order); i++)
    g_assert_true (entry_of (log, order[i]) == entry (log, i));
}

typedef struct {
  GPtrArray *mine;         /* the requests the feed made (owned) */
  guint calls, total, given, fail_at;
  guint progress_done, progress_total;
} Feed;

/* MdLlmFeed.more: one request a call, TOTAL in all; fails at call
 * FAIL_AT (0: never). */
static gboolean
feed_more (GPtrArray *out, gboolean *done, gpointer data, GError **error)
{
  Feed *fd = data;
  g_autofree char *tag = NULL;

  if (++fd->calls == fd->fail_at) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "no template");
    return FALSE;
  }
  if (fd->given < fd->total) {
    tag = g_strdup_printf ("fed-%u", fd->given++);
    g_ptr_array_add (fd->mine, request_tagged (tag, 0));
    g_ptr_array_add (out, fd->mine->pdata[fd->mine->len - 1]);
  }
  *done = fd->given == fd->total;
  return TRUE;
}

/* MdLlmFeed.ended: thread 0's answer asks for "follow-up"; a failed
 * request or a failing callback stops nothing else. */
static gboolean
feed_ended (MdLlmRequest *r, GPtrArray *out, gpointer data, GError **error)
{
  Feed *fd = data;
  const MdLlmMessage *m = r->messages->pdata[1];

  if (strstr (m->content, "Thread 0:")) {
    g_ptr_array_add (fd->mine, request_tagged ("follow-up", 0));
    g_ptr_array_add (out, fd->mine->pdata[fd->mine->len - 1]);
  }
  return TRUE;
}

static void
feed_progress (guint done, guint total, const MdLlmUsage *usage, gpointer data)
{
  Feed *fd = data;

  fd->progress_done = done;
  fd->progress_total = total;
}

static void
feed_clear (Feed *fd)
{
  g_clear_pointer (&fd->mine, g_ptr_array_unref);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Feed, feed_clear)

#define FEED_INIT .mine = g_ptr_array_new_with_free_func ((GDestroyNotify) md_llm_request_free)

/* REQS and what FEED gives, against the server with SCRIPT and 0.2 s of
 * latency, at CONCURRENCY; md_llm_run()'s verdict in *OK.  The server's
 * log, or NULL when it did not start (the test has failed). */
static GPtrArray *
run_fed (Fixture *f, const char *script, guint concurrency, GPtrArray *reqs,
         const MdLlmFeed *feed, gboolean *ok, GError **err)
{
  g_autoptr (MdLlmConfig) cfg = start (f, script, "0.2");
  MdLlmUsage usage = { 0 };

  if (!cfg)
    return NULL;
  cfg->concurrency = concurrency;
  *ok = md_llm_run (cfg, reqs, &usage, feed, err);
  return server_log (f);
}

/* Requests prepared while others run join them; never more than
 * `concurrency` in flight; one kept-alive connection per slot for the
 * whole run. */
static void
test_feed (Fixture *f, gconstpointer data)
{
  g_autoptr (GPtrArray) reqs = requests (2, NULL);
  g_autoptr (GPtrArray) log = NULL;
  g_autoptr (GError) err = NULL;
  g_auto (Feed) fd = { FEED_INIT, .total = 7 };
  MdLlmFeed feed = { feed_more, NULL, &fd, feed_progress, &fd };
  gboolean ok = FALSE;

  if (!(log = run_fed (f, "[]", 3, reqs, &feed, &ok, &err)))
    return;
  g_assert_true (ok);
  g_assert_no_error (err);
  g_assert_cmpuint (log->len, ==, 9);
  g_assert_cmpint (max_in_flight (log), ==, 3);
  g_assert_cmpuint (ports (log), <=, 3);
  g_assert_cmpuint (fd.calls, ==, 7);          /* not called again once done */
  g_assert_cmpuint (fd.progress_done, ==, 9);
  g_assert_cmpuint (fd.progress_total, ==, 9);
  for (guint i = 0; i < fd.mine->len; i++)
    g_assert_cmpint (((MdLlmRequest *) fd.mine->pdata[i])->status, ==, MD_LLM_OK);
}

/* A request that follows from an answer starts as soon as that answer
 * is in, not after the slow request beside it. */
static void
test_follow_up (Fixture *f, gconstpointer data)
{
  g_autoptr (GPtrArray) reqs = requests (2, NULL);
  g_autoptr (GPtrArray) log = NULL;
  g_autoptr (GError) err = NULL;
  g_auto (Feed) fd = { FEED_INIT };
  MdLlmFeed feed = { NULL, feed_ended, &fd, feed_progress, &fd };
  gboolean ok = FALSE;

  if (!(log = run_fed (f, "{\"markers\": {\"Thread 1:\": {\"kind\": \"answer\", \"delay\": 1.5}}}",
                       2, reqs, &feed, &ok, &err)))
    return;
  g_assert_true (ok);
  g_assert_no_error (err);
  g_assert_cmpuint (log->len, ==, 3);
  g_assert_cmpint (max_in_flight (log), ==, 2);
  g_assert_cmpuint (fd.mine->len, ==, 1);
  g_assert_cmpfloat (entry_time (log, "follow-up", "start"), >=, entry_time (log, "0", "end"));
  g_assert_cmpfloat (entry_time (log, "follow-up", "start"), <, entry_time (log, "1", "end"));
  g_assert_cmpint (((MdLlmRequest *) fd.mine->pdata[0])->status, ==, MD_LLM_OK);
  g_assert_cmpuint (fd.progress_total, ==, 3);
}

/* A feed that fails stops the run with its error. */
static void
test_feed_error (Fixture *f, gconstpointer data)
{
  g_autoptr (GPtrArray) reqs = requests (1, NULL);
  g_autoptr (GPtrArray) log = NULL;
  g_autoptr (GError) err = NULL;
  g_auto (Feed) fd = { FEED_INIT, .total = 5, .fail_at = 3 };
  MdLlmFeed feed = { feed_more, NULL, &fd, NULL, NULL };
  gboolean ok = TRUE;

  if (!(log = run_fed (f, "[]", 4, reqs, &feed, &ok, &err)))
    return;
  g_assert_false (ok);
  g_assert_error (err, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  g_assert_cmpuint (fd.calls, ==, 3);
}

/* A slot that frees is filled at once, not when some other transfer
 * next moves: with request 0 slow, 1, 2 and 3 follow one another on the
 * other slot. */
static void
test_refill (Fixture *f, gconstpointer data)
{
  g_autoptr (GPtrArray) reqs = requests (4, NULL);
  g_autoptr (GPtrArray) log = NULL;
  g_autoptr (GError) err = NULL;
  gboolean ok = FALSE;

  if (!(log = run_fed (f, "{\"markers\": {\"Thread 0:\": {\"kind\": \"answer\", \"delay\": 1.5}}}",
                       2, reqs, NULL, &ok, &err)))
    return;
  g_assert_true (ok);
  g_assert_cmpuint (log->len, ==, 4);
  g_assert_cmpint (max_in_flight (log), ==, 2);
  g_assert_cmpfloat (entry_time (log, "3", "start"), <, entry_time (log, "0", "end"));
  for (guint i = 0; i < reqs->len; i++)
    g_assert_cmpint (req (reqs, i)->status, ==, MD_LLM_OK);
}

/* ---- retries ----------------------------------------------------- */

static void
test_retry_after_seconds (Fixture *f, gconstpointer data)
{
  g_autoptr (MdLlmConfig) cfg = NULL;
  g_autoptr (GPtrArray) reqs = requests (1, NULL);
  MdLlmUsage usage = { 0 };

  if (!(cfg = start (f, "[{\"kind\": \"429\", \"retry_after\": \"1\"}]", NULL)))
    return;
  g_assert_cmpfloat (run (cfg, reqs, &usage), >=, 1.0);   /* not the 50 ms backoff */
  g_assert_cmpint (req (reqs, 0)->status, ==, MD_LLM_OK);
  g_assert_cmpuint (req (reqs, 0)->attempts, ==, 2);
  g_assert_cmpuint (usage.retries, ==, 1);
  g_assert_cmpuint (usage.requests, ==, 2);
}

static void
test_retry_after_date (Fixture *f, gconstpointer data)
{
  g_autoptr (MdLlmConfig) cfg = NULL;
  g_autoptr (GPtrArray) reqs = requests (1, NULL);
  g_autoptr (GDateTime) when = g_date_time_add_seconds (g_date_time_new_now_utc (), 2);
  g_autofree char *date = g_date_time_format (when, "%a, %d %b %Y %H:%M:%S GMT");
  g_autofree char *script = g_strdup_printf ("[{\"kind\": \"429\", \"retry_after\": \"%s\"}]", date);
  MdLlmUsage usage = { 0 };

  if (!(cfg = start (f, script, NULL)))
    return;
  /* A date 2 s ahead, to the second: at least 1 s of wait. */
  g_assert_cmpfloat (run (cfg, reqs, &usage), >=, 1.0);
  g_assert_cmpint (req (reqs, 0)->status, ==, MD_LLM_OK);
  g_assert_cmpuint (req (reqs, 0)->attempts, ==, 2);
}

static void
test_retry_after_cap (Fixture *f, gconstpointer data)
{
  g_autoptr (MdLlmConfig) cfg = NULL;
  g_autoptr (GPtrArray) reqs = requests (1, NULL);
  MdLlmUsage usage = { 0 };

  if (!(cfg = start (f, "[{\"kind\": \"429\", \"retry_after\": \"86400\"}]", NULL)))
    return;
  cfg->retry_after_max_s = 10;
  g_assert_cmpfloat (run (cfg, reqs, &usage), <, 1.0);
  g_assert_cmpint (req (reqs, 0)->status, ==, MD_LLM_FAILED);
  g_assert_nonnull (strstr (req (reqs, 0)->reason, "HTTP 429"));
  g_assert_nonnull (strstr (req (reqs, 0)->reason, "86400 s"));
  g_assert_cmpuint (usage.failed, ==, 1);
}

static void
test_server_errors (Fixture *f, gconstpointer data)
{
  const char *const markers[] = { "FLAKY", "BROKEN", NULL };
  g_autoptr (MdLlmConfig) cfg = NULL;
  g_autoptr (GPtrArray) reqs = requests (2, markers);
  MdLlmUsage usage = { 0 };

  if (!(cfg = start (f, "{\"markers\": {\"FLAKY\": [{\"kind\": \"drop\"}, {\"kind\": \"500\"},"
                        " {\"kind\": \"error\", \"status\": 503}], \"BROKEN\": {\"kind\": \"500\"}}}", NULL)))
    return;
  cfg->max_retries = 3;
  /* The dropped connection comes first: on a connection kept alive,
   * libcurl itself resends a request the server closed without answer. */
  run (cfg, reqs, &usage);
  g_assert_cmpint (req (reqs, 0)->status, ==, MD_LLM_OK);
  g_assert_cmpuint (req (reqs, 0)->attempts, ==, 4);
  g_assert_cmpint (req (reqs, 1)->status, ==, MD_LLM_FAILED);
  g_assert_cmpuint (req (reqs, 1)->attempts, ==, 4);          /* 1 + max_retries */
  g_assert_cmpstr (req (reqs, 1)->reason, ==, "HTTP 500: test server error 500 (after 4 attempts)");
  g_assert_cmpuint (usage.retries, ==, 6);
  g_assert_cmpuint (usage.requests, ==, 8);
  g_assert_cmpuint (usage.failed, ==, 1);
}

/* A server that is down holds the run up for three requests' retries,
 * not for every request's. */
static void
test_server_down (Fixture *f, gconstpointer data)
{
  g_autoptr (MdLlmConfig) cfg = NULL;
  g_autoptr (GPtrArray) reqs = requests (10, NULL);
  g_autoptr (GPtrArray) log = NULL;
  MdLlmUsage usage = { 0 };

  if (!(cfg = start (f, "{\"default\": {\"kind\": \"500\"}}", NULL)))
    return;
  cfg->concurrency = 1;
  cfg->max_retries = 2;
  run (cfg, reqs, &usage);
  log = server_log (f);
  g_assert_cmpuint (log->len, ==, 9);               /* 3 requests x 3 attempts */
  g_assert_cmpuint (usage.failed, ==, 10);
  g_assert_cmpstr (req (reqs, 9)->reason, ==, "not sent: 3 requests in a row failed after "
                   "every retry (last: HTTP 500: test server error 500)");
  g_assert_cmpuint (req (reqs, 9)->attempts, ==, 0);
}

static void
test_client_error_not_retried (Fixture *f, gconstpointer data)
{
  g_autoptr (MdLlmConfig) cfg = NULL;
  g_autoptr (GPtrArray) reqs = requests (1, NULL);
  MdLlmUsage usage = { 0 };

  if (!(cfg = start (f, "[{\"kind\": \"error\", \"status\": 404, \"message\": \"no such model\"}]", NULL)))
    return;
  run (cfg, reqs, &usage);
  g_assert_cmpint (req (reqs, 0)->status, ==, MD_LLM_FAILED);
  g_assert_cmpstr (req (reqs, 0)->reason, ==, "HTTP 404: no such model (after 1 attempt)");
}

static void
test_timeout (Fixture *f, gconstpointer data)
{
  g_autoptr (MdLlmConfig) cfg = NULL;
  g_autoptr (GPtrArray) reqs = requests (1, NULL);
  MdLlmUsage usage = { 0 };
  double t;

  if (!(cfg = start (f, "[{\"kind\": \"slow\", \"delay\": 4}]", NULL)))
    return;
  cfg->timeout_s = 1;
  t = run (cfg, reqs, &usage);
  g_assert_cmpfloat (t, >=, 1.0);
  g_assert_cmpfloat (t, <, 3.5);
  g_assert_cmpint (req (reqs, 0)->status, ==, MD_LLM_OK);
  g_assert_cmpstr (req (reqs, 0)->content, ==, ANSWER);
  g_assert_cmpuint (req (reqs, 0)->attempts, ==, 2);
  g_assert_cmpuint (usage.retries, ==, 1);
}

/* Unusable answers: each retried once, then failed with its reason;
 * one bad answer followed by a good one succeeds. */
static void
test_bad_answers (Fixture *f, gconstpointer data)
{
  static const struct { const char *marker, *reason; } cases[] = {
    { "MALFORMED", "malformed answer: not a JSON object (after 2 attempts)" },
    { "LENGTH", "answer cut at max_output_tokens (finish_reason length) (after 2 attempts)" },
    { "REFUSAL", "the model refused to answer (after 2 attempts)" },
    { "FILTERED", "the model refused to answer (after 2 attempts)" },
    { "EMPTY", "empty answer (after 2 attempts)" },
    { "THINKING", "empty answer (after 2 attempts)" },
    { "ONCE", NULL },
  };
  const char *const markers[] = { "MALFORMED", "LENGTH", "REFUSAL", "FILTERED", "EMPTY",
                                  "THINKING", "ONCE", NULL };
  g_autoptr (MdLlmConfig) cfg = NULL;
  g_autoptr (GPtrArray) reqs = requests (G_N_ELEMENTS (cases), markers);
  MdLlmUsage usage = { 0 };

  if (!(cfg = start (f, "{\"markers\": {"
                        "\"MALFORMED\": {\"kind\": \"malformed\"}, \"LENGTH\": {\"kind\": \"length\"},"
                        "\"REFUSAL\": {\"kind\": \"refusal\"},"
                        "\"FILTERED\": {\"kind\": \"refusal\", \"style\": \"content_filter\"},"
                        "\"EMPTY\": {\"kind\": \"empty\"},"
                        "\"THINKING\": {\"kind\": \"answer\", \"content\": \"<think>hmm</think>\\n \"},"
                        "\"ONCE\": [{\"kind\": \"malformed\"}]}}", NULL)))
    return;
  run (cfg, reqs, &usage);
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
    MdLlmRequest *r = req (reqs, i);
    g_test_message ("%s: %s", cases[i].marker, r->reason ? r->reason : "ok");
    g_assert_cmpuint (r->attempts, ==, 2);
    g_assert_cmpint (r->status, ==, cases[i].reason ? MD_LLM_FAILED : MD_LLM_OK);
    g_assert_cmpstr (r->reason, ==, cases[i].reason);
  }
  g_assert_cmpstr (req (reqs, 6)->content, ==, ANSWER);
  g_assert_cmpuint (usage.failed, ==, 6);
  g_assert_cmpuint (usage.retries, ==, 7);
}

/* ---- usage and budget -------------------------------------------- */

static void
test_usage_summed (Fixture *f, gconstpointer data)
{
  g_autoptr (MdLlmConfig) cfg = NULL;
  g_autoptr (GPtrArray) reqs = requests (5, NULL);
  g_autoptr (GPtrArray) log = NULL;
  MdLlmUsage usage = { .requests = 10, .prompt_tokens = 100 };  /* added to */
  guint64 p = 0, c = 0, rp = 0, rc = 0;

  if (!(cfg = start (f, "[{\"kind\": \"length\"}]", NULL)))
    return;
  run (cfg, reqs, &usage);
  log = server_log (f);
  g_assert_cmpuint (log->len, ==, 6);
  for (guint i = 0; i < log->len; i++) {
    JsonObject *u = json_object_get_object_member (entry (log, i), "usage");
    p += json_object_get_int_member (u, "prompt_tokens");
    c += json_object_get_int_member (u, "completion_tokens");
  }
  for (guint i = 0; i < reqs->len; i++) {
    rp += req (reqs, i)->prompt_tokens;
    rc += req (reqs, i)->completion_tokens;
  }
  g_assert_cmpuint (p, >, 0);
  g_assert_cmpuint (usage.prompt_tokens, ==, 100 + p);
  g_assert_cmpuint (usage.completion_tokens, ==, c);
  g_assert_cmpuint (rp, ==, p);                 /* the cut answer's tokens count too */
  g_assert_cmpuint (rc, ==, c);
  g_assert_cmpuint (usage.requests, ==, 16);
}

static void
test_budget_requests (Fixture *f, gconstpointer data)
{
  g_autoptr (MdLlmConfig) cfg = NULL;
  g_autoptr (GPtrArray) reqs = requests (5, NULL);
  g_autoptr (GPtrArray) log = NULL;
  MdLlmUsage usage = { 0 };
  guint done = 0;

  if (!(cfg = start (f, "[{\"kind\": \"500\"}]", NULL)))
    return;
  cfg->concurrency = 1;
  cfg->budget_requests = 3;            /* the retry of the first counts */
  run (cfg, reqs, &usage);
  log = server_log (f);
  g_assert_cmpuint (log->len, ==, 3);
  /* The 500's retry goes before the requests not yet tried. */
  for (guint i = 0; i < reqs->len; i++) {
    MdLlmRequest *r = req (reqs, i);
    g_assert_cmpint (r->status, ==, i < 2 ? MD_LLM_OK : MD_LLM_SKIPPED);
    if (r->status == MD_LLM_OK) {
      done++;
    } else {
      g_assert_cmpstr (r->reason, ==, "the run's budget of 3 requests is spent");
      g_assert_cmpuint (r->attempts, ==, 0);
    }
  }
  g_assert_cmpuint (usage.skipped, ==, 3);
  g_assert_cmpuint (usage.requests, ==, 3);
  g_assert_cmpuint (done, ==, 2);
}

static void
test_budget_tokens (Fixture *f, gconstpointer data)
{
  g_autoptr (MdLlmConfig) cfg = NULL;
  g_autoptr (GPtrArray) reqs = requests (4, NULL);
  g_autoptr (GPtrArray) more = requests (2, NULL);
  g_autoptr (GPtrArray) log = NULL;
  MdLlmUsage usage = { 0 };

  if (!(cfg = start (f, "[]", NULL)))
    return;
  cfg->concurrency = 1;
  cfg->budget_tokens = 1;              /* spent by the first answer */
  run (cfg, reqs, &usage);
  g_assert_cmpint (req (reqs, 0)->status, ==, MD_LLM_OK);
  for (guint i = 1; i < reqs->len; i++) {
    g_assert_cmpint (req (reqs, i)->status, ==, MD_LLM_SKIPPED);
    g_assert_cmpstr (req (reqs, i)->reason, ==, "the run's budget of 1 tokens is spent");
  }
  /* The budget is the run's: a second batch with the same usage is
   * skipped whole. */
  run (cfg, more, &usage);
  g_assert_cmpint (req (more, 0)->status, ==, MD_LLM_SKIPPED);
  log = server_log (f);
  g_assert_cmpuint (log->len, ==, 1);
  g_assert_cmpuint (usage.skipped, ==, 5);
}

/* ---- what is sent ------------------------------------------------ */

/* The key only in the Authorization header, never in a reason, even
 * when the server echoes it in an error. */
static void
test_key_only_in_header (Fixture *f, gconstpointer data)
{
  const char *const markers[] = { "OK", "ECHO", "ECHO5XX", NULL };
  g_autoptr (MdLlmConfig) cfg = NULL;
  g_autoptr (GPtrArray) reqs = requests (3, markers);
  g_autoptr (GPtrArray) log = NULL;
  MdLlmUsage usage = { 0 };

  if (!(cfg = start (f, "{\"markers\": {\"ECHO5XX\": {\"kind\": \"500\", \"echo_auth\": true},"
                        " \"ECHO\": {\"kind\": \"error\", \"status\": 401, \"echo_auth\": true}}}", NULL)))
    return;
  cfg->api_key = g_strdup (KEY);
  cfg->max_retries = 1;
  run (cfg, reqs, &usage);
  g_assert_cmpint (req (reqs, 0)->status, ==, MD_LLM_OK);
  for (guint i = 1; i < reqs->len; i++) {
    g_assert_cmpint (req (reqs, i)->status, ==, MD_LLM_FAILED);
    g_assert_null (strstr (req (reqs, i)->reason, KEY));
    g_assert_nonnull (strstr (req (reqs, i)->reason, "Bearer [api key]"));
  }
  log = server_log (f);
  g_assert_cmpuint (log->len, ==, 4);
  for (guint i = 0; i < log->len; i++) {
    JsonObject *e = entry (log, i);
    JsonObject *h = json_object_get_object_member (e, "headers");
    g_autofree char *all = NULL;
    g_assert_cmpstr (json_object_get_string_member_with_default (h, "Authorization", ""), ==,
                     "Bearer " KEY);
    json_object_remove_member (h, "Authorization");
    all = json_to_string (log->pdata[i], FALSE);
    g_assert_null (strstr (all, KEY));
    g_assert_null (strstr (all, "4711"));
  }
}

/* Only the standard fields, so that no common server refuses the body. */
static void
test_body_fields (Fixture *f, gconstpointer data)
{
  g_autoptr (MdLlmConfig) cfg = NULL;
  g_autoptr (GPtrArray) reqs = requests (2, NULL);
  g_autoptr (GPtrArray) log = NULL;
  MdLlmUsage usage = { 0 };

  if (!(cfg = start (f, "[]", NULL)))
    return;
  cfg->concurrency = 1;
  cfg->max_output_tokens = 321;
  run (cfg, reqs, &usage);
  cfg->temperature = -1;                 /* temperature=none */
  run (cfg, reqs, &usage);
  log = server_log (f);
  g_assert_cmpuint (log->len, ==, 4);
  for (guint i = 0; i < log->len; i++) {
    JsonObject *e = entry (log, i);
    JsonObject *body = json_object_get_object_member (e, "body");
    JsonObject *h = json_object_get_object_member (e, "headers");
    JsonArray *msgs = json_object_get_array_member (body, "messages");
    g_autoptr (GList) names = json_object_get_members (body);
    g_assert_cmpstr (json_object_get_string_member (e, "path"), ==, "/v1/chat/completions");
    g_assert_cmpstr (json_object_get_string_member (h, "Content-Type"), ==, "application/json");
    g_assert_false (json_object_has_member (h, "Authorization"));   /* no key configured */
    for (GList *l = names; l; l = l->next)
      g_assert_true (g_strv_contains ((const char *const[]) { "model", "messages", "max_tokens",
                                                              "temperature", NULL }, l->data));
    g_assert_cmpstr (json_object_get_string_member (body, "model"), ==, "test-model");
    g_assert_cmpint (json_object_get_int_member (body, "max_tokens"), ==, 321);
    g_assert_cmpuint (json_object_get_size (body), ==, i < 2 ? 4 : 3);
    if (i < 2)
      g_assert_cmpfloat (json_object_get_double_member (body, "temperature"), ==, 0.2);
    g_assert_cmpuint (json_array_get_length (msgs), ==, 2);
    for (guint j = 0; j < json_array_get_length (msgs); j++) {
      JsonObject *m = json_array_get_object_element (msgs, j);
      g_assert_cmpuint (json_object_get_size (m), ==, 2);
      g_assert_cmpstr (json_object_get_string_member (m, "role"), ==, j ? "user" : "system");
    }
  }
}

/* ---- configuration ----------------------------------------------- */

static GKeyFile *
keyfile (const char *text)
{
  GKeyFile *kf = g_key_file_new ();
  g_assert_true (g_key_file_load_from_data (kf, text, -1, G_KEY_FILE_NONE, NULL));
  return kf;
}

/* The error loading TEXT: it must name WANT and never hold the key. */
static void
config_error (const char *text, const char *want)
{
  g_autoptr (GKeyFile) kf = keyfile (text);
  g_autoptr (GError) err = NULL;
  g_autoptr (MdLlmConfig) cfg = md_llm_config_load (kf, &err);

  g_assert_null (cfg);
  g_assert_error (err, MD_ERROR, MD_ERROR_CONFIG);
  if (!err)
    return;
  g_test_message ("%s", err->message);
  g_assert_nonnull (strstr (err->message, want));
  g_assert_null (strstr (err->message, KEY));
}

static void
test_config_values (void)
{
  g_autoptr (GKeyFile) none = keyfile ("[defaults]\nlang=en\n");
  g_autoptr (GKeyFile) min = keyfile ("[llm]\nurl=http://127.0.0.1:8000/v1/\nmodel=m\n");
  g_autoptr (GKeyFile) all = keyfile ("[llm]\nurl=https://api.example.com/v1\nmodel=gpt\n"
                                      "concurrency=8\ntimeout=30\nmax_output_tokens=500\n"
                                      "temperature=0\ncontext_tokens=12000\nbudget_requests=100\n"
                                      "budget_tokens=2000000\napi_key_env=MD_TEST_KEY\nmax_retries=1\n");
  g_autoptr (GError) err = NULL;
  g_autoptr (MdLlmConfig) a = NULL, b = NULL;

  g_assert_null (md_llm_config_load (none, &err));
  g_assert_no_error (err);
  a = md_llm_config_load (min, &err);
  g_assert_no_error (err);
  g_assert_cmpstr (a->url, ==, "http://127.0.0.1:8000/v1");
  g_assert_cmpstr (a->model, ==, "m");
  g_assert_null (a->api_key);
  g_assert_cmpuint (a->concurrency, ==, 4);
  g_assert_cmpuint (a->timeout_s, ==, 120);
  g_assert_cmpfloat (a->temperature, ==, 0.2);
  g_assert_cmpuint (a->budget_requests, ==, 0);
  b = md_llm_config_load (all, &err);
  g_assert_no_error (err);
  g_assert_cmpstr (b->api_key, ==, KEY);
  g_assert_cmpuint (b->concurrency, ==, 8);
  g_assert_cmpuint (b->timeout_s, ==, 30);
  g_assert_cmpuint (b->max_output_tokens, ==, 500);
  g_assert_cmpfloat (b->temperature, ==, 0);
  g_assert_cmpuint (b->context_tokens, ==, 12000);
  g_assert_cmpuint (b->budget_requests, ==, 100);
  g_assert_cmpuint (b->budget_tokens, ==, 2000000);
  g_assert_cmpuint (b->max_retries, ==, 1);
  g_assert_cmpuint (a->max_retries, ==, 4);
}

static void
test_config_errors (void)
{
  config_error ("[llm]\nmodel=m\n", "url");
  config_error ("[llm]\nurl=http://h/v1\n", "model");
  config_error ("[llm]\nurl=ftp://h/v1\nmodel=m\n", "url");
  config_error ("[llm]\nurl=http://user:" KEY "@h/v1\nmodel=m\n", "url");
  config_error ("[llm]\nurl=http://h/v1\nmodel=m\nconcurrency=0\napi_key_env=MD_TEST_KEY\n", "concurrency");
  config_error ("[llm]\nurl=http://h/v1\nmodel=m\nconcurrency=lots\n", "concurrency");
  config_error ("[llm]\nurl=http://h/v1\nmodel=m\ntimeout=-1\n", "timeout");
  config_error ("[llm]\nurl=http://h/v1\nmodel=m\nmax_output_tokens=x\n", "max_output_tokens");
  config_error ("[llm]\nurl=http://h/v1\nmodel=m\ntemperature=3\napi_key_env=MD_TEST_KEY\n", "temperature");
  config_error ("[llm]\nurl=http://h/v1\nmodel=m\ncontext_tokens=1\n", "context_tokens");
  config_error ("[llm]\nurl=http://h/v1\nmodel=m\nbudget_requests=-5\n", "budget_requests");
  config_error ("[llm]\nurl=http://h/v1\nmodel=m\nbudget_tokens=1e6\n", "budget_tokens");
  config_error ("[llm]\nurl=http://h/v1\nmodel=m\nmax_retries=11\n", "max_retries");
  config_error ("[llm]\nurl=http://h/v1\nmodel=m\napi_key_env=MD_TEST_UNSET\n", "MD_TEST_UNSET");
  config_error ("[llm]\nurl=http://h/v1\nmodel=m\napi_key_env=MD_TEST_KEY\n"
                "api_key_file=/nonexistent\n", "api_key_file");
  config_error ("[llm]\nurl=http://h/v1\nmodel=m\napi_key_file=/nonexistent/key\n", "api_key_file");
}

/* A key file group or others can read is refused; 0600 is read. */
static void
test_config_key_file (Fixture *f, gconstpointer data)
{
  g_autofree char *path = fx_path (f, "key");
  g_autofree char *text = g_strdup_printf ("[llm]\nurl=http://h/v1\nmodel=m\napi_key_file=%s\n", path);
  g_autoptr (GKeyFile) kf = keyfile (text);
  g_autoptr (GError) err = NULL;
  g_autoptr (MdLlmConfig) cfg = NULL;

  g_assert_true (g_file_set_contents (path, KEY "\n", -1, NULL));
  g_chmod (path, 0644);
  config_error (text, "api_key_file");
  config_error (text, "chmod 600");
  g_chmod (path, 0640);
  config_error (text, "api_key_file");
  g_chmod (path, 0600);
  cfg = md_llm_config_load (kf, &err);
  g_assert_no_error (err);
  if (cfg)
    g_assert_cmpstr (cfg->api_key, ==, KEY);
  g_assert_true (g_file_set_contents (path, "two words\n", -1, NULL));
  g_chmod (path, 0600);
  config_error (text, "api_key_file");
}

static void
test_usage_line (void)
{
  MdLlmUsage u = { .requests = 42, .prompt_tokens = 120345, .completion_tokens = 8012,
                   .retries = 3, .failed = 1, .skipped = 1, .fallbacks = 2 };
  g_autofree char *line = md_llm_usage_format (&u);

  g_assert_cmpstr (line, ==, "model: 42 requests, 120345 prompt + 8012 completion tokens, "
                   "3 retries, 2 fallbacks (1 failed, 1 skipped by the budget)");
}

/* Everything written to the pseudo-terminal whose slave side is closed.
 * The kernel hands what the slave wrote to the master later, from a
 * work queue: one read() may return the first write only, so read to
 * the end (EIO once the slave is closed and its data drained). */
static ssize_t
read_all (int master, char *buf, size_t size)
{
  size_t got = 0;
  ssize_t n;
  struct pollfd p = { .fd = master, .events = POLLIN };

  while (got < size && poll (&p, 1, 10000) > 0 && (n = read (master, buf + got, size - got)) > 0)
    got += (size_t) n;
  buf[got] = '\0';
  return (ssize_t) got;
}

/* On a terminal: one line rewritten in place, ended when all are done. */
static void
test_progress_tty (void)
{
  MdLlmUsage u = { .prompt_tokens = 25, .completion_tokens = 5 };
  int master, slave, saved = dup (STDERR_FILENO);
  char buf[512] = "";
  ssize_t n;

  if (openpty (&master, &slave, NULL, NULL, NULL) != 0) {
    g_test_skip ("no pseudo-terminal here");
    close (saved);
    return;
  }
  fflush (stderr);
  dup2 (slave, STDERR_FILENO);
  md_llm_progress_tty (1, 2, &u, NULL);
  u.prompt_tokens = 50;
  md_llm_progress_tty (2, 2, &u, NULL);
  fflush (stderr);
  dup2 (saved, STDERR_FILENO);
  close (saved);
  close (slave);
  n = read_all (master, buf, sizeof buf - 1);
  close (master);
  g_assert_cmpint (n, >, 0);
  g_assert_cmpstr (buf, ==, "\rsummaries: 1/2 requests, 30 tokens\033[K"
                   "\rsummaries: 2/2 requests, 55 tokens\033[K\r\n");
}

#define ADD(path, fn) g_test_add (path, Fixture, NULL, fx_setup, fn, fx_teardown)

int
main (int argc, char **argv)
{
  const char *build = g_getenv ("MLDIGEST_BUILD");

  g_test_init (&argc, &argv, NULL);
  g_test_set_nonfatal_assertions ();
  top = build ? g_path_get_dirname (build) : g_get_current_dir ();
  g_setenv ("MD_TEST_KEY", KEY, TRUE);        /* before any thread starts */
  g_unsetenv ("MD_TEST_UNSET");
  if (!g_file_test ("/usr/bin/python3", G_FILE_TEST_IS_EXECUTABLE)) {
    g_test_skip ("/usr/bin/python3 is not installed");
    return 77;
  }
  ADD ("/llm/concurrency/bounded-and-parallel", test_concurrency);
  ADD ("/llm/concurrency/one", test_concurrency_one);
  ADD ("/llm/schedule/priority", test_priority);
  ADD ("/llm/schedule/refill-at-once", test_refill);
  ADD ("/llm/schedule/feed", test_feed);
  ADD ("/llm/schedule/follow-up", test_follow_up);
  ADD ("/llm/schedule/feed-error", test_feed_error);
  ADD ("/llm/retry/retry-after-seconds", test_retry_after_seconds);
  ADD ("/llm/retry/retry-after-date", test_retry_after_date);
  ADD ("/llm/retry/retry-after-cap", test_retry_after_cap);
  ADD ("/llm/retry/server-errors", test_server_errors);
  ADD ("/llm/retry/client-error", test_client_error_not_retried);
  ADD ("/llm/retry/server-down", test_server_down);
  ADD ("/llm/retry/timeout", test_timeout);
  ADD ("/llm/retry/bad-answers", test_bad_answers);
  ADD ("/llm/usage/summed", test_usage_summed);
  ADD ("/llm/budget/requests", test_budget_requests);
  ADD ("/llm/budget/tokens", test_budget_tokens);
  ADD ("/llm/sent/key-only-in-header", test_key_only_in_header);
  ADD ("/llm/sent/body-fields", test_body_fields);
  ADD ("/llm/config/key-file", test_config_key_file);
  g_test_add_func ("/llm/config/values", test_config_values);
  g_test_add_func ("/llm/config/errors", test_config_errors);
  g_test_add_func ("/llm/usage/line", test_usage_line);
  g_test_add_func ("/llm/usage/progress-tty", test_progress_tty);
  return g_test_run ();
}
