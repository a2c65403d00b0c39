/* client.h - an OpenAI-compatible chat-completions client: many requests
 * in flight over libcurl's multi interface, retried, accounted.
 *
 * The caller (summary/llm-summary.c) builds one request per thread (or
 * per part of a thread too big for one request) as a list of chat
 * messages and hands them to md_llm_run(), at once or one after another
 * while earlier ones run (MdLlmFeed.more); when a request ends the caller
 * hears of it (MdLlmFeed.ended) and may add requests that follow from its
 * answer (a thread's merge once its parts are answered).  The client
 * knows nothing of threads or prompts; it owns the HTTP side only:
 *
 *   - POST {url}/chat/completions with {"model", "messages",
 *     "max_tokens", "temperature"} and nothing vendor-specific, at most
 *     `concurrency` transfers at once;
 *   - the API key only in an "Authorization: Bearer" header, never in a
 *     URL, a log line or an error message;
 *   - connection errors, timeouts, 429 and 5xx retried with exponential
 *     backoff and jitter, honouring Retry-After (seconds or HTTP date);
 *   - an answer that is empty, cut (finish_reason "length"), malformed
 *     JSON or a refusal is retried once, then reported as failed with
 *     its reason;
 *   - the server's "usage" summed over the run;
 *   - the pipe kept full: a slot that frees is given the next request at
 *     once, the waiting request of highest priority first, over
 *     connections kept alive for the whole run.
 *
 * Every field of the server's JSON is checked before use (style habit 7).
 *
 * A refusal is an answer whose message carries a non-empty "refusal"
 * string (how OpenAI's API reports one) or whose finish_reason is
 * "content_filter" (OpenAI, Azure, vLLM guardrails).  Refusals written
 * as ordinary text are not guessed at: the summariser's citation check
 * drops a text that cites nothing.
 *
 * Retries: an attempt that fails in transport (connection, timeout) or
 * with HTTP 429/5xx is tried again up to max_retries times, after
 * backoff_ms * 2^(n-1) (at most 60 s) with "equal jitter" (a random wait
 * in [d/2, d]) so that concurrent requests spread out, or after the
 * server's Retry-After when that is longer; no other attempt starts
 * meanwhile (an overloaded or unreachable server is one for every
 * request, and backing off is meant to lighten its load).  A Retry-After beyond
 * retry_after_max_s fails the request at once: a server that asks for an
 * hour is not going to answer this run.  Other 4xx (bad key, unknown
 * model) fail at once.  A 2xx answer that is unusable (empty, cut,
 * malformed, refused) is tried once more.  Every attempt is an HTTP
 * request and counts against budget_requests.  Once 3 requests in a row
 * have failed after all their retries on transient errors, the server
 * is taken for down: the requests not yet sent fail at once.
 *
 * Budget: an attempt starts only while the run's requests made are
 * below budget_requests and the tokens the server reported are below
 * budget_tokens; otherwise its request ends MD_LLM_SKIPPED.  Tokens are
 * only known when answers arrive, so the requests in flight when the
 * token budget runs out (at most `concurrency`) may overshoot it.
 */
#pragma once
#include <glib.h>

/* The [llm] group of the configuration, resolved (see md_llm_config_load). */
typedef struct {
  char *url;               /* base URL; requests go to {url}/chat/completions */
  char *model;
  char *api_key;           /* from api_key_file (0600) or api_key_env; NULL: none */
  guint concurrency;       /* default 4 */
  guint timeout_s;         /* per request, default 120 */
  guint max_output_tokens; /* default 1024 */
  double temperature;      /* default 0.2; < 0: not sent */
  guint context_tokens;    /* input budget per thread, default 6000 */
  guint64 budget_requests; /* per run, 0 = unlimited */
  guint64 budget_tokens;   /* per run (prompt + completion), 0 = unlimited */
  guint max_retries;       /* transport/429/5xx retries per request, default 4
                            * (key max_retries, not named by the issue) */
  /* Not configuration keys: fixed defaults the tests shorten. */
  guint backoff_ms;        /* first retry's wait before jitter, default 1000 */
  guint retry_after_max_s; /* longest Retry-After honoured, default 120 */
} MdLlmConfig;

/* NULL with no error when CONFIG has no [llm] group; NULL with an error
 * for a bad value or a key file readable by group or others. */
MdLlmConfig *md_llm_config_load (GKeyFile *config, GError **error);
/* A configuration with every default and URL and MODEL (tests, tools). */
MdLlmConfig *md_llm_config_new (const char *url, const char *model);
void md_llm_config_free (MdLlmConfig *cfg);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (MdLlmConfig, md_llm_config_free)

typedef struct {
  char *role;              /* "system", "user", "assistant" */
  char *content;
} MdLlmMessage;

typedef enum {
  MD_LLM_OK,
  MD_LLM_FAILED,           /* gave up: see reason */
  MD_LLM_SKIPPED,          /* not sent: the run's budget was spent */
} MdLlmStatus;

typedef struct {
  /* in */
  GPtrArray *messages;     /* MdLlmMessage*, owned */
  gpointer user_data;      /* the caller's, untouched */
  guint64 priority;        /* waiting requests start highest first (equal:
                            * in the order given); retries before all */
  /* out */
  MdLlmStatus status;
  char *content;           /* the answer's text (status OK) */
  char *reason;            /* why it failed or was skipped (never holds the key) */
  guint64 prompt_tokens, completion_tokens;  /* this request's usage, 0 if unknown */
  guint attempts;
} MdLlmRequest;

MdLlmRequest *md_llm_request_new (gpointer user_data);
void md_llm_request_add (MdLlmRequest *req, const char *role, const char *content);
void md_llm_request_free (MdLlmRequest *req);

typedef struct {
  guint64 requests;        /* HTTP requests made, retries included */
  guint64 prompt_tokens, completion_tokens;
  guint64 retries;
  guint64 failed;          /* requests that ended MD_LLM_FAILED */
  guint64 skipped;         /* MD_LLM_SKIPPED by the budget */
  guint64 fallbacks;       /* set by the caller: threads that got the
                            * built-in summary instead (the client never
                            * touches it; md_llm_usage_print prints it) */
} MdLlmUsage;

typedef void (*MdLlmProgress) (guint done, guint total,
                               const MdLlmUsage *usage, gpointer data);

/* What md_llm_run() asks of its caller while it runs; every member may
 * be NULL.  Requests the callbacks append to OUT stay the caller's (it
 * frees them after the run, as those it gave at first); they wait with
 * the others by priority.  A callback that fails stops the run: the
 * transfers in flight are dropped and md_llm_run() returns its error. */
typedef struct {
  /* The next requests, appended to OUT; *DONE set once there are no
   * more.  Called again and again, between transfers' events, until
   * *DONE: the caller prepares requests while earlier ones run. */
  gboolean (*more) (GPtrArray *out, gboolean *done, gpointer data, GError **error);
  /* REQ has ended (its out fields are final); requests that follow from
   * its answer may be appended to OUT. */
  gboolean (*ended) (MdLlmRequest *req, GPtrArray *out, gpointer data, GError **error);
  gpointer data;
  MdLlmProgress progress;  /* after each request ends */
  gpointer progress_data;
} MdLlmFeed;

/* Run every request of REQUESTS (MdLlmRequest*) and every one FEED gives
 * to an end, at most cfg->concurrency at once, filling their out fields
 * and adding to *USAGE.  Fails (FALSE) when the client cannot run at all
 * (libcurl could not be set up) or a FEED callback fails; a request
 * that fails is reported in its status. */
gboolean md_llm_run (const MdLlmConfig *cfg, GPtrArray *requests,
                     MdLlmUsage *usage, const MdLlmFeed *feed, GError **error);

/* An MdLlmProgress for a terminal: when stderr is a tty, one line on
 * stderr rewritten in place ("summaries: 12/40 requests, 34567 tokens"),
 * ended with a newline when done == total; nothing otherwise.  DATA is
 * unused. */
void md_llm_progress_tty (guint done, guint total, const MdLlmUsage *usage,
                          gpointer data);

/* The run's usage as one line (no newline):
 * "model: 42 requests, 120345 prompt + 8012 completion tokens,
 *  3 retries, 2 fallbacks (1 failed, 1 skipped by the budget)". */
char *md_llm_usage_format (const MdLlmUsage *usage);
/* That line on stderr, for main() at the end of a run. */
void md_llm_usage_print (const MdLlmUsage *usage);
