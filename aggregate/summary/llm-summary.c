/* llm-summary.c - the model summariser's outline (see llm-summary.h). */
#include <string.h>
#include <unistd.h>
#include "cite.h"
#include "escape.h"
#include "history.h"
#include "input.h"
#include "llm-summary.h"
#include "prompt.h"

#define BUDGET_MARGIN 64     /* tokens kept free of a request's budget */
#define BUDGET_MIN 200       /* below this, no message can be given */

/* One thread's way through the run. */
typedef struct {
  MdThread *t;
  const MdHistory *h;
  MdInput *in;
  char *facts;
  char *history;            /* renumbered, NULL when none */
  char *history_since;
  GArray *history_ns;       /* numbers the history cites: citable too */
  char *system;
  guint64 guess;            /* size_guess(): which input to build first */
  GPtrArray *answers;       /* char*: each part's checked text by part,
                             * NULL until answered (several parts) */
  guint answered;           /* parts answered and checked */
  char *fail;               /* why the model's summary will not stand */
} Job;

/* A request's user_data: its job and part (-1: the merge). */
typedef struct {
  Job *job;
  int part;
} Ref;

typedef struct {
  MdWeek *week;
  const MdLlmSummaryOptions *o;
  MdLlmSummaryRun *run;
  GPtrArray *jobs;          /* Job*, largest guess first */
  guint built;              /* jobs whose input and requests are made */
  GPtrArray *refs;          /* Ref* */
  GPtrArray *reqs;          /* MdLlmRequest*, owned: every request made */
} Run;

/* Request priorities (MdLlmRequest.priority): the class in the high
 * bits, the request's size in bytes below.  A merge first: it finishes
 * a thread whose parts are paid for (were the budget to run out, parts
 * without their merge would be spent for nothing).  Then the parts of
 * split threads, whose merge must follow them, then threads in one
 * request; the larger first within a class.  That is
 * longest-processing-time-first: the longest chains start first, so
 * that the run does not end waiting on one started late. */
#define PRIORITY_MERGE 3
#define PRIORITY_PART 2
#define PRIORITY_WHOLE 1

static void
job_free (gpointer p)
{
  Job *j = p;
  md_input_free (j->in);
  g_free (j->facts);
  g_free (j->history);
  g_free (j->history_since);
  g_array_unref (j->history_ns);
  g_free (j->system);
  g_ptr_array_unref (j->answers);
  g_free (j->fail);
  g_free (j);
}

void
md_llm_summary_run_init (MdLlmSummaryRun *run)
{
  memset (run, 0, sizeof *run);
  run->store = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                      (GDestroyNotify) md_history_free);
}

void
md_llm_summary_run_clear (MdLlmSummaryRun *run)
{
  g_clear_pointer (&run->store, g_hash_table_unref);
}

/* ---- links ---- */

typedef struct {
  const MdWeek *week;
  const MdThread *t;
  const char *pattern;
} Links;

static char *
cite_url (guint n, gpointer data)
{
  Links *l = data;

  for (guint i = 0; i < l->t->summary_cites->len; i++)
    {
      const MdCitation *c = l->t->summary_cites->pdata[i];
      if (c->n == n)
        return md_archive_url (l->pattern, l->week->list, c->message_id);
    }
  return NULL;
}

void
md_llm_summary_render (const MdWeek *week, MdThread *t, const char *lang,
                       const char *archive_url)
{
  Links l = { week, t, archive_url };

  g_free (t->summary);
  t->summary = md_cite_render (t->summary_text, lang,
                               t->is_series && !t->series.git_pull, cite_url, &l);
  t->summary_builtin = FALSE;
}

/* ---- planning ---- */

static void
reuse (Run *r, MdThread *t, const MdHistory *h)
{
  t->summary_text = g_strdup (h->text);
  t->summary_model = g_strdup (h->model);
  for (guint i = 0; i < h->cites->len; i++)
    {
      const MdCitation *c = h->cites->pdata[i];
      g_ptr_array_add (t->summary_cites, md_citation_new (c->n, c->message_id));
    }
  t->summary_reused = TRUE;
  r->run->reused++;
}

static guint
history_number (guint n, gpointer data)
{
  Job *j = data;
  const MdInputMsg *m;

  for (guint i = 0; i < j->h->cites->len; i++)
    {
      const MdCitation *c = j->h->cites->pdata[i];
      if (c->n == n && (m = md_input_find (j->in, c->message_id)) != NULL)
        return m->n;
    }
  return 0;
}

static void
job_history (Job *j)
{
  g_autoptr (GDateTime) since = NULL;

  g_clear_pointer (&j->history, g_free);
  g_array_set_size (j->history_ns, 0);
  if (j->h == NULL)
    return;
  j->history = md_cite_renumber (j->h->text, history_number, j);
  g_array_unref (j->history_ns);
  j->history_ns = md_cite_numbers (j->history);
  since = g_date_time_new_from_unix_utc (j->h->since);
  g_free (j->history_since);
  j->history_since = since ? g_date_time_format (since, "%Y-%m-%d") : g_strdup ("?");
}

static void
vars_init (const Run *r, const Job *j, MdPromptVars *v)
{
  memset (v, 0, sizeof *v);
  v->lang = r->o->lang;
  v->list = r->week->list;
  v->facts = j->facts;
  v->history = j->history;
  v->history_since = j->history_since;
  v->previous_version = j->t->series.previous_version_str;
  v->max_n = j->in ? j->in->msgs->len : 0;
}

/* Tokens of the prompt around the messages: the system text, the facts,
 * the history and the template's own words. */
static gboolean
overhead (const Run *r, Job *j, guint *tokens, GError **error)
{
  MdPromptVars v;
  g_autofree char *frame = NULL;

  vars_init (r, j, &v);
  v.parts = 2;                 /* the longer wording */
  v.part = 1;
  if ((frame = md_prompt_render ("thread", &v, error)) == NULL)
    return FALSE;
  *tokens = md_tokens_estimate (j->system) + md_tokens_estimate (frame) + BUDGET_MARGIN;
  return TRUE;
}

/* The input of J within context_tokens: a first pass finds the facts'
 * size, the second the messages that fit beside them. */
static gboolean
job_input (const Run *r, Job *j, GError **error)
{
  guint context = r->o->cfg->context_tokens, over = 0, budget;

  for (int pass = 0; pass < 2; pass++)
    {
      budget = pass == 0 ? context : (over < context ? context - over : 0);
      if (budget < BUDGET_MIN)
        budget = BUDGET_MIN;
      md_input_free (j->in);
      j->in = md_input_new (r->week, j->t, j->h != NULL, budget, MAX (budget / 6, BUDGET_MIN));
      g_free (j->facts);
      j->facts = md_input_facts (r->week, j->t, j->in);
      job_history (j);
      if (pass == 0 && !overhead (r, j, &over, error))
        return FALSE;
    }
  if (over + BUDGET_MIN > context)
    j->fail = g_strdup_printf ("context_tokens (%u) leaves no room for messages", context);
  else if (j->in->parts->len == 0)
    j->fail = g_strdup ("no message fits context_tokens");
  return TRUE;
}

static Job *
job_new (Run *r, MdThread *t, const MdHistory *h)
{
  Job *j = g_new0 (Job, 1);

  j->t = t;
  j->h = h;
  j->history_ns = g_array_new (FALSE, FALSE, sizeof (guint));
  j->answers = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (r->jobs, j);
  return j;
}

/* A request for part PART of J (-1: the merge), into OUT and R's list. */
static void
request (Run *r, Job *j, int part, const char *user, GPtrArray *out)
{
  Ref *ref = g_new0 (Ref, 1);
  guint64 class = part < 0 ? PRIORITY_MERGE : j->in->parts->len > 1 ? PRIORITY_PART
                                                                    : PRIORITY_WHOLE;
  MdLlmRequest *req;

  ref->job = j;
  ref->part = part;
  g_ptr_array_add (r->refs, ref);
  req = md_llm_request_new (ref);
  md_llm_request_add (req, "system", j->system);
  md_llm_request_add (req, "user", user);
  req->priority = class << 40 | MIN (strlen (user), (gsize) 1 << 39);
  g_ptr_array_add (r->reqs, req);
  g_ptr_array_add (out, req);
}

static gboolean
part_requests (Run *r, Job *j, GPtrArray *reqs, GError **error)
{
  for (guint p = 0; p < j->in->parts->len; p++)
    {
      GPtrArray *part = j->in->parts->pdata[p];
      g_autofree char *msgs = md_input_block (part, MD_INPUT_WINDOW);
      g_autofree char *earlier = md_input_block (part, MD_INPUT_EARLIER);
      g_autofree char *prev = md_input_block (part, MD_INPUT_PREVIOUS);
      g_autofree char *user = NULL;
      MdPromptVars v;
      vars_init (r, j, &v);
      v.messages = msgs;
      v.earlier = earlier;
      v.previous = prev;
      v.part = p + 1;
      v.parts = j->in->parts->len;
      if ((user = md_prompt_render ("thread", &v, error)) == NULL)
        return FALSE;
      request (r, j, p, user, reqs);
    }
  return TRUE;
}

static guint64
recs_size (GPtrArray *recs, guint64 cap)
{
  guint64 n = 0;

  for (guint i = 0; recs && i < recs->len; i++)
    {
      const MdRecord *rec = recs->pdata[i];
      guint64 len = strlen (rec->commit_msg ? rec->commit_msg : rec->body ? rec->body : "")
                    + (rec->diffstat ? strlen (rec->diffstat) : 0);
      n += MIN (len, cap);
    }
  return n;
}

/* A cheap guess at the size of T's input, before it is built: the bytes
 * of the text of the messages it may be given, each capped about as
 * md_input_new() cuts a message (four bytes a token). */
static guint64
size_guess (const Run *r, const MdThread *t, gboolean has_history)
{
  guint64 cap = 4 * (guint64) MAX (r->o->cfg->context_tokens / 6, BUDGET_MIN);

  return recs_size (t->messages, cap) + (has_history ? 0 : recs_size (t->earlier, cap))
         + recs_size (t->previous_replies, cap);
}

static int
by_guess (gconstpointer a, gconstpointer b)
{
  const Job *x = *(Job *const *) a, *y = *(Job *const *) b;
  return x->guess < y->guess ? 1 : x->guess > y->guess ? -1 : 0;
}

/* A job for every thread that needs a request, the stored summary for
 * the others; the jobs ordered by size_guess(), largest first, which is
 * the order their inputs are built in (see more()). */
static gboolean
plan (Run *r, GError **error)
{
  MdPromptVars sv = { .lang = r->o->lang, .list = r->week->list };
  g_autofree char *system = md_prompt_render ("system", &sv, error);

  if (system == NULL)
    return FALSE;
  for (guint i = 0; i < r->week->threads_v->len; i++)
    {
      MdThread *t = r->week->threads_v->pdata[i];
      const MdHistory *h = r->o->history ? g_hash_table_lookup (r->o->history, t->id) : NULL;
      Job *j;
      if (t->messages->len == 0)
        continue;
      r->run->threads++;
      if (h && md_history_reusable (h, t, r->o->cfg->model, r->o->lang))
        {
          reuse (r, t, h);
          continue;
        }
      j = job_new (r, t, h);
      j->system = g_strdup (system);
      j->guess = size_guess (r, t, h != NULL);
    }
  g_ptr_array_sort (r->jobs, by_guess);      /* stable: ties in report order */
  return TRUE;
}

/* MdLlmFeed.more: the next job's input and requests.  One job a call, so
 * that the first requests are out while the other inputs are built. */
static gboolean
more (GPtrArray *out, gboolean *done, gpointer data, GError **error)
{
  Run *r = data;
  Job *j;

  if (r->built < r->jobs->len)
    {
      j = r->jobs->pdata[r->built++];
      if (!job_input (r, j, error))
        return FALSE;
      g_ptr_array_set_size (j->answers, j->in->parts->len);
      if (j->fail == NULL && !part_requests (r, j, out, error))
        return FALSE;
    }
  *done = r->built == r->jobs->len;
  return TRUE;
}

/* ---- answers ---- */

typedef struct {
  const Job *job;
  GPtrArray *part;          /* the part answered; NULL: every given message */
} Scope;

static gboolean
in_part (GPtrArray *part, const MdInputMsg *m)
{
  for (guint i = 0; i < part->len; i++)
    if (part->pdata[i] == m)
      return TRUE;
  return FALSE;
}

static const char *
cite_lookup (guint n, gpointer data)
{
  const Scope *s = data;
  const MdInputMsg *m = md_input_lookup (s->job->in, n);

  if (m == NULL)
    return NULL;
  for (guint i = 0; i < s->job->history_ns->len; i++)
    if (g_array_index (s->job->history_ns, guint, i) == n)
      return m->text;
  if (!m->given || (s->part && !in_part (s->part, m)))
    return NULL;
  return m->text;
}

static char *
request_problem (const MdLlmRequest *req)
{
  const char *why = req->reason ? req->reason : "no reason given";

  if (req->status == MD_LLM_SKIPPED)
    return g_strdup_printf ("not sent: %s", why);
  return g_strdup_printf ("the model's answer failed: %s", why);
}

static void
keep (Run *r, Job *j, MdCiteResult *res)
{
  MdThread *t = j->t;
  MdHistory *h = md_history_new ();

  t->summary_text = g_strdup (res->text);
  t->summary_model = g_strdup (r->o->cfg->model);
  t->summary_dropped = res->dropped;
  for (guint i = 0; i < res->cited->len; i++)
    {
      guint n = g_array_index (res->cited, guint, i);
      const MdInputMsg *m = md_input_lookup (j->in, n);
      g_ptr_array_add (t->summary_cites, md_citation_new (n, m->rec->message_id));
      g_ptr_array_add (h->cites, md_citation_new (n, m->rec->message_id));
    }
  h->since = r->week->since;
  h->until = r->week->until;
  h->model = g_strdup (t->summary_model);
  h->lang = g_strdup (r->o->lang);
  h->text = g_strdup (res->text);
  for (guint i = 0; i < j->in->msgs->len; i++)
    {
      const MdInputMsg *m = j->in->msgs->pdata[i];
      g_ptr_array_add (h->covered, g_strdup (m->rec->message_id));
    }
  g_hash_table_insert (r->run->store, md_history_key (r->week->list, t), h);
}

/* The final answer of J: its summary stands, or J fails. */
static void
finish (Run *r, Job *j, const char *answer)
{
  Scope s = { j, NULL };
  g_autoptr (MdCiteResult) res = md_cite_check (answer, cite_lookup, &s);
  char *why = NULL;

  r->run->dropped += res->dropped;
  j->t->summary_dropped = res->dropped;
  if (!md_cite_acceptable (res, &why))
    {
      j->fail = why;
      return;
    }
  keep (r, j, res);
}

/* A part's answer, checked against that part alone, kept for the merge. */
static void
part_answer (Run *r, Job *j, int part, const char *answer)
{
  Scope s = { j, j->in->parts->pdata[part] };
  g_autoptr (MdCiteResult) res = md_cite_check (answer, cite_lookup, &s);

  r->run->dropped += res->dropped;
  if (res->kept == 0)
    {
      g_free (j->fail);
      j->fail = g_strdup_printf ("part %d of %u: no sentence passed the citation check",
                                 part + 1, j->in->parts->len);
      return;
    }
  g_free (j->answers->pdata[part]);
  j->answers->pdata[part] = g_strdup_printf ("(part %d)\n%s", part + 1, res->text);
  j->answered++;
}

/* The request that merges J's parts' summaries, in part order, into OUT. */
static gboolean
merge_request (Run *r, Job *j, GPtrArray *out, GError **error)
{
  g_autofree char *parts = NULL, *user = NULL;
  MdPromptVars v;

  g_ptr_array_add (j->answers, NULL);
  parts = g_strjoinv ("\n", (char **) j->answers->pdata);
  g_ptr_array_remove_index (j->answers, j->answers->len - 1);
  vars_init (r, j, &v);
  v.parts = j->in->parts->len;
  v.part_summaries = parts;
  if ((user = md_prompt_render ("merge", &v, error)) == NULL)
    return FALSE;
  request (r, j, -1, user, out);
  return TRUE;
}

/* MdLlmFeed.ended: an answer checked as it comes; the last part of a
 * split thread answered asks for its merge at once, whatever the other
 * threads' requests are doing. */
static gboolean
ended (MdLlmRequest *req, GPtrArray *out, gpointer data, GError **error)
{
  Run *r = data;
  Ref *ref = req->user_data;
  Job *j = ref->job;

  if (j->fail)
    return TRUE;
  if (req->status != MD_LLM_OK)
    j->fail = request_problem (req);
  else if (ref->part < 0 || j->in->parts->len == 1)
    finish (r, j, req->content);
  else
    {
      part_answer (r, j, ref->part, req->content);
      if (j->fail == NULL && j->answered == j->in->parts->len)
        return merge_request (r, j, out, error);
    }
  return TRUE;
}

/* ---- running ---- */

static gboolean
send (Run *r, GError **error)
{
  MdLlmFeed feed = { more, ended, r, r->o->progress ? md_llm_progress_tty : NULL, NULL };
  g_autoptr (GPtrArray) none = g_ptr_array_new ();

  if (r->jobs->len == 0)
    return TRUE;
  return md_llm_run (r->o->cfg, none, &r->run->usage, &feed, error);
}

static void
conclude (Run *r)
{
  for (guint i = 0; i < r->jobs->len; i++)
    {
      Job *j = r->jobs->pdata[i];
      if (j->fail && j->t->summary_text == NULL)
        {
          j->t->summary_fallback = g_strdup (j->fail);
          r->run->fallbacks++;
        }
    }
  for (guint i = 0; i < r->week->threads_v->len; i++)
    {
      MdThread *t = r->week->threads_v->pdata[i];
      if (t->summary_text == NULL)
        continue;
      md_llm_summary_render (r->week, t, r->o->lang, r->o->archive_url);
      r->run->summarised++;
    }
}

gboolean
md_llm_summarise (MdWeek *week, const MdLlmSummaryOptions *o,
                  MdLlmSummaryRun *run, GError **error)
{
  Run r = { week, o, run, g_ptr_array_new_with_free_func (job_free), 0,
            g_ptr_array_new_with_free_func (g_free),
            g_ptr_array_new_with_free_func ((GDestroyNotify) md_llm_request_free) };
  gboolean ok;

  ok = plan (&r, error) && send (&r, error);
  if (ok)
    conclude (&r);
  g_ptr_array_unref (r.reqs);
  g_ptr_array_unref (r.jobs);
  g_ptr_array_unref (r.refs);
  return ok;
}
