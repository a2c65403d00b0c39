/* client.c - chat completions over libcurl's multi interface.
 *
 * One loop drives every request of a run: requests wait in a queue by
 * priority, each with the time it may start (now, or after its backoff);
 * while fewer than `concurrency` transfers are in flight the first ready
 * one starts; curl_multi_poll() sleeps until a transfer moves or the
 * next backoff ends, and not at all while the caller still has requests
 * to prepare (MdLlmFeed.more).  A finished attempt is classified once
 * (see attempt_end) into done, retried later, or failed; a transfer that
 * ends frees its slot for the next request before the loop waits again.
 * Nothing here knows about threads or prompts; see client.h for the
 * policy.
 */
#include <string.h>
#include <time.h>
#include <curl/curl.h>
#include <json-glib/json-glib.h>
#include "client.h"

#define ANSWER_MAX (8u << 20)        /* bytes: no summary is longer */
#define BACKOFF_MAX_MS 60000
#define ANSWER_RETRIES 1             /* unusable 2xx answers: one more try */
#define SERVER_MESSAGE_MAX 200       /* chars of a server's error text kept */
#define POLL_MAX_MS 1000
#define DOWN_AFTER 3                 /* requests failed in a row: server down */

typedef struct {
  MdLlmRequest *req;
  CURL *easy;
  char *body;                        /* the request's JSON */
  GString *answer;
  gint64 retry_after_s;              /* from the last answer, -1: none */
  gint64 not_before;                 /* monotonic µs */
  guint transport_retries, answer_retries;
  gboolean too_long;                 /* the answer passed ANSWER_MAX */
  gboolean ended;                    /* req's status is final */
  char errbuf[CURL_ERROR_SIZE];
} Job;

typedef struct {
  const MdLlmConfig *cfg;
  CURLM *multi;
  struct curl_slist *headers;        /* shared by every transfer */
  char *endpoint;
  GQueue waiting;                    /* Job*, not in flight: retries, then by priority */
  GPtrArray *jobs;                   /* Job*, owned: every request of the run */
  const MdLlmFeed *feed;
  gboolean feeding;                  /* feed->more may give more */
  GError *error;                     /* a feed callback's, stops the run */
  guint concurrency;                 /* cfg's, at least 1 */
  guint in_flight, done, total;
  gint64 hold_until;                 /* monotonic µs: no attempt starts before */
  guint down_streak;                 /* requests given up on transient errors in a row */
  char *down_reason;                 /* the last one's reason */
  MdLlmUsage *usage;
  GRand *rand;
} Run;

/* How an attempt ended. */
typedef enum {
  END_OK,
  END_TRANSIENT,                     /* transport, 429, 5xx: backoff, retry */
  END_BAD_ANSWER,                    /* 2xx but unusable: retry once */
  END_FATAL,                         /* other 4xx, too long a Retry-After */
} End;

/* ---- requests ---------------------------------------------------- */

MdLlmRequest *
md_llm_request_new (gpointer user_data)
{
  MdLlmRequest *req = g_new0 (MdLlmRequest, 1);

  req->messages = g_ptr_array_new ();
  req->user_data = user_data;
  return req;
}

void
md_llm_request_add (MdLlmRequest *req, const char *role, const char *content)
{
  MdLlmMessage *m = g_new (MdLlmMessage, 1);

  m->role = g_strdup (role);
  m->content = g_strdup (content);
  g_ptr_array_add (req->messages, m);
}

void
md_llm_request_free (MdLlmRequest *req)
{
  if (!req)
    return;
  for (guint i = 0; i < req->messages->len; i++) {
    MdLlmMessage *m = req->messages->pdata[i];
    g_free (m->role);
    g_free (m->content);
    g_free (m);
  }
  g_ptr_array_unref (req->messages);
  g_free (req->content);
  g_free (req->reason);
  g_free (req);
}

/* The request body: the four standard fields and nothing else, so that
 * every OpenAI-compatible server (vLLM, llama.cpp, Ollama) accepts it. */
static char *
request_body (const MdLlmConfig *cfg, const MdLlmRequest *req)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autoptr (JsonGenerator) gen = json_generator_new ();
  g_autoptr (JsonNode) root = NULL;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "model");
  json_builder_add_string_value (b, cfg->model);
  json_builder_set_member_name (b, "messages");
  json_builder_begin_array (b);
  for (guint i = 0; i < req->messages->len; i++) {
    const MdLlmMessage *m = req->messages->pdata[i];
    json_builder_begin_object (b);
    json_builder_set_member_name (b, "role");
    json_builder_add_string_value (b, m->role);
    json_builder_set_member_name (b, "content");
    json_builder_add_string_value (b, m->content ? m->content : "");
    json_builder_end_object (b);
  }
  json_builder_end_array (b);
  json_builder_set_member_name (b, "max_tokens");
  json_builder_add_int_value (b, cfg->max_output_tokens);
  if (cfg->temperature >= 0) {
    json_builder_set_member_name (b, "temperature");
    json_builder_add_double_value (b, cfg->temperature);
  }
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  json_generator_set_root (gen, root);
  return json_generator_to_data (gen, NULL);
}

/* ---- the server's answer ----------------------------------------- */

static JsonObject *
member_object (JsonObject *o, const char *name)
{
  JsonNode *n = o ? json_object_get_member (o, name) : NULL;
  return n && JSON_NODE_HOLDS_OBJECT (n) ? json_node_get_object (n) : NULL;
}

/* NAME's string, NULL when absent, null or not a string. */
static const char *
member_string (JsonObject *o, const char *name)
{
  JsonNode *n = o ? json_object_get_member (o, name) : NULL;
  if (!n || !JSON_NODE_HOLDS_VALUE (n) || json_node_get_value_type (n) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (n);
}

/* NAME as a count: a non-negative integer, else FALSE. */
static gboolean
member_count (JsonObject *o, const char *name, guint64 *out)
{
  JsonNode *n = o ? json_object_get_member (o, name) : NULL;
  if (!n || !JSON_NODE_HOLDS_VALUE (n) || json_node_get_value_type (n) != G_TYPE_INT64 ||
      json_node_get_int (n) < 0)
    return FALSE;
  *out = (guint64) json_node_get_int (n);
  return TRUE;
}

static JsonObject *
parse_object (const char *text, gsize len, JsonParser *parser)
{
  JsonNode *root;

  if (!json_parser_load_from_data (parser, text, (gssize) len, NULL))
    return NULL;
  root = json_parser_get_root (parser);
  return root && JSON_NODE_HOLDS_OBJECT (root) ? json_node_get_object (root) : NULL;
}

/* "usage": counted when both figures are sound, whatever the answer. */
static void
add_usage (Run *run, Job *job, JsonObject *top)
{
  JsonObject *u = member_object (top, "usage");
  guint64 p, c;

  if (!member_count (u, "prompt_tokens", &p) || !member_count (u, "completion_tokens", &c))
    return;
  job->req->prompt_tokens += p;
  job->req->completion_tokens += c;
  run->usage->prompt_tokens += p;
  run->usage->completion_tokens += c;
}

/* Reasoning models served by llama.cpp, Ollama or vLLM may start their
 * content with a <think>...</think> block: that is not the answer. */
static char *
strip_thinking (const char *content)
{
  const char *s = content + strspn (content, " \t\r\n");
  const char *end;

  if (g_str_has_prefix (s, "<think>") && (end = strstr (s, "</think>")))
    s = end + strlen ("</think>");
  return g_strstrip (g_strdup (s));
}

/* The answer's text into *CONTENT, or END_BAD_ANSWER with *WHY. */
static End
read_answer (JsonObject *top, char **content, char **why)
{
  JsonNode *choices = top ? json_object_get_member (top, "choices") : NULL;
  JsonArray *arr = choices && JSON_NODE_HOLDS_ARRAY (choices) ? json_node_get_array (choices) : NULL;
  JsonNode *first = arr && json_array_get_length (arr) > 0 ? json_array_get_element (arr, 0) : NULL;
  JsonObject *choice = first && JSON_NODE_HOLDS_OBJECT (first) ? json_node_get_object (first) : NULL;
  JsonObject *msg = member_object (choice, "message");
  const char *finish = member_string (choice, "finish_reason");
  const char *refusal = member_string (msg, "refusal");
  const char *text = member_string (msg, "content");
  g_autofree char *answer = NULL;

  if (!top)
    return *why = g_strdup ("malformed answer: not a JSON object"), END_BAD_ANSWER;
  if (!msg)
    return *why = g_strdup ("malformed answer: no choices[0].message"), END_BAD_ANSWER;
  if ((refusal && *refusal) || g_strcmp0 (finish, "content_filter") == 0)
    return *why = g_strdup ("the model refused to answer"), END_BAD_ANSWER;
  if (g_strcmp0 (finish, "length") == 0)
    return *why = g_strdup ("answer cut at max_output_tokens (finish_reason length)"),
           END_BAD_ANSWER;
  if (json_object_has_member (msg, "content") && !text &&
      !JSON_NODE_HOLDS_NULL (json_object_get_member (msg, "content")))
    return *why = g_strdup ("malformed answer: content is not a string"), END_BAD_ANSWER;
  answer = strip_thinking (text ? text : "");
  /* JSON may escape a lone surrogate ("\ud800"), which json-glib turns
   * into bytes that are not UTF-8: what follows needs text. */
  if (!g_utf8_validate (answer, -1, NULL))
    {
      char *valid = g_utf8_make_valid (answer, -1);
      g_free (answer);
      answer = valid;
    }
  if (!*answer)
    return *why = g_strdup ("empty answer"), END_BAD_ANSWER;
  *content = g_steal_pointer (&answer);
  return END_OK;
}

/* A short, printable excerpt of the error text a server sent, if any:
 * {"error": {"message": ...}}, {"error": "..."} or {"message": ...}. */
static char *
server_message (JsonObject *top)
{
  const char *m = member_string (member_object (top, "error"), "message");
  GString *out;

  if (!m)
    m = member_string (top, "error");
  if (!m)
    m = member_string (top, "message");
  if (!m || !*m)
    return NULL;
  out = g_string_new (NULL);
  for (const char *p = m; *p && g_utf8_strlen (out->str, -1) < SERVER_MESSAGE_MAX;
       p = g_utf8_next_char (p)) {
    gunichar c = g_utf8_get_char_validated (p, -1);
    if (c == (gunichar) -1 || c == (gunichar) -2)
      break;
    if (g_unichar_iscntrl (c))
      c = ' ';
    g_string_append_unichar (out, c);
  }
  return g_string_free (out, FALSE);
}

/* ---- one attempt ------------------------------------------------- */

static size_t
on_body (char *data, size_t size, size_t n, void *user)
{
  Job *job = user;

  if (job->answer->len + size * n > ANSWER_MAX) {
    job->too_long = TRUE;
    return 0;                        /* CURLE_WRITE_ERROR */
  }
  g_string_append_len (job->answer, data, (gssize) (size * n));
  return size * n;
}

/* Retry-After: delay-seconds or an HTTP date (RFC 9110 10.2.3). */
static gint64
parse_retry_after (const char *v)
{
  time_t when;

  if (g_ascii_isdigit (*v)) {
    guint64 s;
    return g_ascii_string_to_unsigned (v, 10, 0, G_MAXINT32, &s, NULL) ? (gint64) s : -1;
  }
  when = curl_getdate (v, NULL);
  if (when == (time_t) -1)
    return -1;
  return MAX ((gint64) when - (gint64) time (NULL), 0);
}

static size_t
on_header (char *data, size_t size, size_t n, void *user)
{
  Job *job = user;
  size_t len = size * n;
  const char *name = "retry-after:";

  if (len > strlen (name) && g_ascii_strncasecmp (data, name, strlen (name)) == 0) {
    g_autofree char *v = g_strndup (data + strlen (name), len - strlen (name));
    job->retry_after_s = parse_retry_after (g_strstrip (v));
  }
  return len;
}

static gboolean
attempt_start (Run *run, Job *job)
{
  const MdLlmConfig *cfg = run->cfg;
  CURL *e = curl_easy_init ();

  if (!e)
    return FALSE;
  g_string_truncate (job->answer, 0);
  job->retry_after_s = -1;
  job->too_long = FALSE;
  job->errbuf[0] = '\0';
  curl_easy_setopt (e, CURLOPT_URL, run->endpoint);
  curl_easy_setopt (e, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt (e, CURLOPT_HTTPHEADER, run->headers);
  curl_easy_setopt (e, CURLOPT_POSTFIELDS, job->body);
  curl_easy_setopt (e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t) strlen (job->body));
  curl_easy_setopt (e, CURLOPT_USERAGENT, "mldigest");
  curl_easy_setopt (e, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt (e, CURLOPT_WRITEDATA, job);
  curl_easy_setopt (e, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt (e, CURLOPT_HEADERDATA, job);
  curl_easy_setopt (e, CURLOPT_ERRORBUFFER, job->errbuf);
  curl_easy_setopt (e, CURLOPT_PRIVATE, job);
  curl_easy_setopt (e, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt (e, CURLOPT_TIMEOUT_MS, (long) cfg->timeout_s * 1000);
  curl_easy_setopt (e, CURLOPT_CONNECTTIMEOUT_MS, (long) MIN (cfg->timeout_s, 30) * 1000);
  curl_easy_setopt (e, CURLOPT_ACCEPT_ENCODING, "");
  if (curl_multi_add_handle (run->multi, e) != CURLM_OK) {
    curl_easy_cleanup (e);
    return FALSE;
  }
  job->easy = e;
  job->req->attempts++;
  run->usage->requests++;
  run->in_flight++;
  return TRUE;
}

/* Classify a finished transfer; *WHY says what went wrong. */
static End
attempt_classify (Run *run, Job *job, CURLcode code, char **why)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  JsonObject *top;
  g_autofree char *msg = NULL;
  long status = 0;

  if (job->too_long)
    return *why = g_strdup ("answer too long"), END_BAD_ANSWER;
  if (code == CURLE_OPERATION_TIMEDOUT)
    return *why = g_strdup_printf ("no answer within %u s", run->cfg->timeout_s), END_TRANSIENT;
  if (code != CURLE_OK)
    return *why = g_strdup_printf ("connection failed: %s",
                                   *job->errbuf ? job->errbuf : curl_easy_strerror (code)),
           END_TRANSIENT;
  curl_easy_getinfo (job->easy, CURLINFO_RESPONSE_CODE, &status);
  top = parse_object (job->answer->str, job->answer->len, parser);
  add_usage (run, job, top);
  if (status >= 200 && status < 300)
    return read_answer (top, &job->req->content, why);
  msg = server_message (top);
  *why = msg ? g_strdup_printf ("HTTP %ld: %s", status, msg) : g_strdup_printf ("HTTP %ld", status);
  return status == 429 || status >= 500 ? END_TRANSIENT : END_FATAL;
}

/* ---- the batch ----------------------------------------------------- */

/* Never let the key out through a reason: a server may echo it back. */
static char *
scrub (const MdLlmConfig *cfg, char *text)
{
  g_auto (GStrv) parts = NULL;

  if (!text || !cfg->api_key || !*cfg->api_key || !strstr (text, cfg->api_key))
    return text;
  parts = g_strsplit (text, cfg->api_key, -1);
  g_free (text);
  return g_strjoinv ("[api key]", parts);
}

static void enqueue_all (Run *run, GPtrArray *reqs);

/* The caller hears of the end and may add requests that follow from it. */
static void
job_end (Run *run, Job *job, MdLlmStatus status, char *reason)
{
  const MdLlmFeed *feed = run->feed;

  job->ended = TRUE;
  job->req->status = status;
  job->req->reason = scrub (run->cfg, reason);
  if (status == MD_LLM_FAILED)
    run->usage->failed++;
  else if (status == MD_LLM_SKIPPED)
    run->usage->skipped++;
  run->done++;
  if (feed && feed->ended && !run->error) {
    g_autoptr (GPtrArray) more = g_ptr_array_new ();
    if (feed->ended (job->req, more, feed->data, &run->error))
      enqueue_all (run, more);
  }
  if (feed && feed->progress)
    feed->progress (run->done, run->total, run->usage, feed->progress_data);
}

/* Exponential backoff with equal jitter, or the server's Retry-After
 * when that is longer, jittered too: requests told to come back in
 * one second should not all come back at the same instant. */
static gint64
backoff_us (Run *run, Job *job)
{
  guint n = MIN (job->transport_retries, 16);
  guint64 d = MIN ((guint64) run->cfg->backoff_ms << (n ? n - 1 : 0), BACKOFF_MAX_MS);
  guint64 wait_ms = d / 2 + (guint64) g_rand_double_range (run->rand, 0, (double) d / 2 + 1);

  if (job->retry_after_s >= 0)
    wait_ms = MAX (wait_ms, (guint64) job->retry_after_s * 1000 +
                   (guint64) g_rand_double_range (run->rand, 0, (double) d / 2 + 1));
  return (gint64) wait_ms * 1000;
}

/* A transient error holds back every attempt, not only this request's
 * retry: when the server is overloaded (429, 503) or unreachable, the
 * other requests would meet the same, and the backoff is meant to
 * lighten its load.  An unusable answer is retried at once. */
static void
retry_later (Run *run, Job *job, gint64 delay_us)
{
  job->not_before = g_get_monotonic_time () + delay_us;
  if (delay_us > 0)
    run->hold_until = MAX (run->hold_until, job->not_before);
  run->usage->retries++;
  g_queue_push_head (&run->waiting, job);     /* before requests not yet tried */
}

static void
attempt_end (Run *run, Job *job, CURLcode code)
{
  char *why = NULL;
  End end = attempt_classify (run, job, code, &why);
  guint max = run->cfg->max_retries;

  curl_multi_remove_handle (run->multi, job->easy);
  curl_easy_cleanup (job->easy);
  job->easy = NULL;
  run->in_flight--;
  if (end == END_OK) {
    run->down_streak = 0;
    job_end (run, job, MD_LLM_OK, NULL);
  } else if (end == END_TRANSIENT && job->retry_after_s > (gint64) run->cfg->retry_after_max_s) {
    job_end (run, job, MD_LLM_FAILED,
             g_strdup_printf ("%s; the server asks to wait %" G_GINT64_FORMAT
                              " s, more than %u s", why, job->retry_after_s,
                              run->cfg->retry_after_max_s));
  } else if (end == END_TRANSIENT && job->transport_retries < max) {
    job->transport_retries++;
    retry_later (run, job, backoff_us (run, job));
  } else if (end == END_BAD_ANSWER && job->answer_retries < ANSWER_RETRIES) {
    job->answer_retries++;
    retry_later (run, job, 0);
  } else {
    if (end == END_TRANSIENT) {
      run->down_streak++;
      g_free (run->down_reason);
      run->down_reason = g_strdup (why);
    }
    job_end (run, job, MD_LLM_FAILED,
             g_strdup_printf ("%s (after %u attempt%s)", why, job->req->attempts,
                              job->req->attempts == 1 ? "" : "s"));
  }
  g_free (why);
}

/* A server that failed DOWN_AFTER requests in a row, each after every
 * retry, is down: the rest fail at once rather than each spending its
 * retries, so that the report is not held up for long. */
static char *
server_down (Run *run)
{
  if (run->down_streak < DOWN_AFTER)
    return NULL;
  return g_strdup_printf ("not sent: %u requests in a row failed after every retry (last: %s)",
                          run->down_streak, run->down_reason);
}

/* Spent when the requests made or the tokens reported reach a limit;
 * the figures are the caller's running totals, so the budget holds over
 * every md_llm_run() of a program run that shares one MdLlmUsage. */
static char *
budget_spent (Run *run)
{
  const MdLlmConfig *cfg = run->cfg;
  const MdLlmUsage *u = run->usage;

  if (cfg->budget_requests && u->requests >= cfg->budget_requests)
    return g_strdup_printf ("the run's budget of %" G_GUINT64_FORMAT " requests is spent",
                            cfg->budget_requests);
  if (cfg->budget_tokens && u->prompt_tokens + u->completion_tokens >= cfg->budget_tokens)
    return g_strdup_printf ("the run's budget of %" G_GUINT64_FORMAT " tokens is spent",
                            cfg->budget_tokens);
  return NULL;
}

/* The first waiting job allowed to start at NOW, or NULL. */
static Job *
take_ready (Run *run, gint64 now)
{
  if (now < run->hold_until)
    return NULL;
  for (GList *l = run->waiting.head; l; l = l->next) {
    Job *job = l->data;
    if (job->not_before <= now) {
      g_queue_delete_link (&run->waiting, l);
      return job;
    }
  }
  return NULL;
}

/* Start what may start.  Returns the µs until a waiting job may start
 * (its backoff ends), -1 when only a transfer ending can change
 * anything, -2 on error. */
static gint64
start_ready (Run *run, GError **error)
{
  gint64 now = g_get_monotonic_time (), next = G_MAXINT64;
  Job *job;

  while (run->in_flight < run->concurrency && (job = take_ready (run, now))) {
    char *spent = budget_spent (run), *down = spent ? NULL : server_down (run);
    if (spent) {
      job_end (run, job, MD_LLM_SKIPPED, spent);
    } else if (down) {
      job_end (run, job, MD_LLM_FAILED, down);
    } else if (!attempt_start (run, job)) {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "cannot start a transfer (libcurl)");
      return -2;
    }
  }
  if (run->in_flight >= run->concurrency)
    return -1;
  for (GList *l = run->waiting.head; l; l = l->next)
    next = MIN (next, MAX (((Job *) l->data)->not_before, run->hold_until));
  return next == G_MAXINT64 ? -1 : MAX (next - now, 0);
}

/* The transfers that ended, classified; how many. */
static guint
collect_done (Run *run)
{
  CURLMsg *m;
  int left;
  guint n = 0;

  while ((m = curl_multi_info_read (run->multi, &left))) {
    Job *job = NULL;
    if (m->msg != CURLMSG_DONE)
      continue;
    curl_easy_getinfo (m->easy_handle, CURLINFO_PRIVATE, (char **) &job);
    attempt_end (run, job, m->data.result);
    n++;
  }
  return n;
}

/* One call of feed->more: what it gives joins the queue. */
static gboolean
feed_more (Run *run, GError **error)
{
  g_autoptr (GPtrArray) more = g_ptr_array_new ();
  gboolean done = FALSE;

  if (!run->feeding)
    return TRUE;
  if (!run->feed->more (more, &done, run->feed->data, error))
    return FALSE;
  run->feeding = !done;
  enqueue_all (run, more);
  return TRUE;
}

/* A feed callback's error, moved to ERROR: FALSE when there is one. */
static gboolean
run_ok (Run *run, GError **error)
{
  if (!run->error)
    return TRUE;
  g_propagate_error (error, g_steal_pointer (&run->error));
  return FALSE;
}

/* Start what may start, prepare one more step of requests while the
 * caller has some, move the transfers, and wait only when nothing else
 * can be done: a transfer that ends is followed at once by the next
 * request (no poll in between), and no wait while requests are still
 * being prepared. */
static gboolean
run_loop (Run *run, GError **error)
{
  for (;;) {
    int running, ms;
    gint64 wait_us = start_ready (run, error);
    if (wait_us == -2 || !run_ok (run, error))
      return FALSE;
    if (run->feeding) {
      if (!feed_more (run, error))
        return FALSE;
      if ((wait_us = start_ready (run, error)) == -2 || !run_ok (run, error))
        return FALSE;
    }
    if (run->in_flight == 0) {
      if (g_queue_is_empty (&run->waiting) && !run->feeding)
        return TRUE;
      if (!run->feeding && wait_us > 0)
        g_usleep ((gulong) wait_us);
      continue;
    }
    curl_multi_perform (run->multi, &running);
    if (collect_done (run) > 0)
      continue;
    if (!run_ok (run, error))
      return FALSE;
    ms = run->feeding ? 0 : wait_us < 0 ? POLL_MAX_MS : (int) MIN (wait_us / 1000 + 1, POLL_MAX_MS);
    curl_multi_poll (run->multi, NULL, 0, ms, NULL);
  }
}

static struct curl_slist *
make_headers (const MdLlmConfig *cfg)
{
  struct curl_slist *h = NULL;

  h = curl_slist_append (h, "Content-Type: application/json");
  h = curl_slist_append (h, "Accept: application/json");
  h = curl_slist_append (h, "Expect:");  /* no 100-continue round trip */
  if (cfg->api_key && *cfg->api_key) {
    g_autofree char *auth = g_strconcat ("Authorization: Bearer ", cfg->api_key, NULL);
    h = curl_slist_append (h, auth);
    explicit_bzero (auth, strlen (auth));
  }
  return h;
}

static void
free_headers (struct curl_slist *h)
{
  for (struct curl_slist *l = h; l; l = l->next)
    explicit_bzero (l->data, strlen (l->data));
  curl_slist_free_all (h);
}

static gpointer
global_init (gpointer data)
{
  return GINT_TO_POINTER (curl_global_init (CURL_GLOBAL_DEFAULT) == CURLE_OK);
}

static Job *
job_new (const MdLlmConfig *cfg, MdLlmRequest *req)
{
  Job *job = g_new0 (Job, 1);

  job->req = req;
  job->body = request_body (cfg, req);
  job->answer = g_string_new (NULL);
  g_clear_pointer (&req->content, g_free);
  g_clear_pointer (&req->reason, g_free);
  req->status = MD_LLM_FAILED;       /* until it ends otherwise */
  req->prompt_tokens = req->completion_tokens = 0;
  req->attempts = 0;
  return job;
}

static void
job_free (Job *job)
{
  g_free (job->body);
  g_string_free (job->answer, TRUE);
  g_free (job);
}

/* REQ into the queue: after the retries and every request of its
 * priority or higher, before the rest. */
static void
enqueue (Run *run, MdLlmRequest *req)
{
  Job *job = job_new (run->cfg, req);
  GList *l;

  g_ptr_array_add (run->jobs, job);
  run->total++;
  for (l = run->waiting.head; l; l = l->next) {
    const Job *w = l->data;
    if (w->req->attempts == 0 && w->req->priority < req->priority)
      break;
  }
  if (l)
    g_queue_insert_before (&run->waiting, l, job);
  else
    g_queue_push_tail (&run->waiting, job);
}

static void
enqueue_all (Run *run, GPtrArray *reqs)
{
  for (guint i = 0; i < reqs->len; i++)
    enqueue (run, reqs->pdata[i]);
}

gboolean
md_llm_run (const MdLlmConfig *cfg, GPtrArray *requests, MdLlmUsage *usage,
            const MdLlmFeed *feed, GError **error)
{
  static GOnce once = G_ONCE_INIT;
  Run run = { .cfg = cfg, .usage = usage, .feed = feed,
              .feeding = feed && feed->more,
              .concurrency = MAX (cfg->concurrency, 1) };
  gboolean ok;

  if (!GPOINTER_TO_INT (g_once (&once, global_init, NULL)) || !(run.multi = curl_multi_init ())) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "cannot set up libcurl");
    return FALSE;
  }
  /* One kept-alive connection per slot, for the whole run. */
  curl_multi_setopt (run.multi, CURLMOPT_MAXCONNECTS, (long) run.concurrency);
  run.headers = make_headers (cfg);
  run.endpoint = g_strconcat (cfg->url, "/chat/completions", NULL);
  run.rand = g_rand_new ();
  run.jobs = g_ptr_array_new_with_free_func ((GDestroyNotify) job_free);
  g_queue_init (&run.waiting);
  enqueue_all (&run, requests);
  ok = run_loop (&run, error);
  for (guint i = 0; i < run.jobs->len; i++) {
    Job *job = run.jobs->pdata[i];
    if (job->easy) {
      curl_multi_remove_handle (run.multi, job->easy);
      curl_easy_cleanup (job->easy);
    }
    if (!job->ended)
      job->req->reason = g_strdup ("not sent: the client could not run");
  }
  g_queue_clear (&run.waiting);
  g_ptr_array_unref (run.jobs);
  g_clear_error (&run.error);
  curl_multi_cleanup (run.multi);
  free_headers (run.headers);
  g_free (run.endpoint);
  g_free (run.down_reason);
  g_rand_free (run.rand);
  return ok;
}
