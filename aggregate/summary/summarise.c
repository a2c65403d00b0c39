/* summarise.c - the built-in extractive summariser (see summarise.h).
 *
 * Rationale: a reader of a weekly digest wants, per thread, what it is
 * about and what happened to it this week.  For a patch series the facts
 * (version, size, trailers, applied, robots) are already computed; what
 * is missing is prose, and the best prose available without a model is
 * the author's own first paragraph and each reviewer's first remark.  So
 * the summary is frames ("Reviews:", "评审意见：") around verbatim quotes,
 * chosen by mail convention (excerpt.h), never paraphrased.
 */
#include <string.h>
#include "says.h"
#include "error.h"
#include "escape.h"
#include "excerpt.h"
#include "lang.h"
#include "previous.h"
#include "reviews.h"
#include "summarise.h"

#define WHAT_MAX 300     /* characters quoted from a cover letter */
#define QUOTE_MAX 200    /* characters quoted from a reply */
#define ASKS_MAX 4       /* review remarks per summary */
#define NAMES_MAX 6      /* repliers named in a discussion */
#define REVIEWS_MAX 8    /* reviewers named in a series */

/* Sentence frames: {1} {2} {3} are filled by frame(), in the order each
 * language needs. */
typedef struct {
  const char *series;       /* version, author, size */
  const char *size_all, *size_part, *size_one;
  const char *what;         /* quote */
  const char *changes;      /* version, quote */
  const char *answers;      /* previous version, names */
  const char *unnamed;      /* names */
  const char *reviews;      /* items */
  const char *review_item;  /* who, kind, patches */
  const char *whole_series, *the_patch;
  const char *pull;         /* who, quote */
  const char *pull_bare;    /* who */
  const char *not_merged;
  const char *asks;
  const char *ask_patch;    /* who, patch, quote */
  const char *ask;          /* who, quote */
  const char *applied;      /* who, quote */
  const char *applied_bare; /* who */
  const char *not_applied;
  const char *robot;        /* who, patch, quote */
  const char *nak;          /* who, quote */
  const char *started;      /* who, earlier mark, quote */
  const char *started_bare; /* who, earlier mark */
  const char *earlier;
  const char *replies;      /* count, names */
  const char *no_replies;
  const char *self_only;    /* count */
  const char *more_names;   /* count */
  const char *latest;       /* who, quote */
  const char *list_sep, *item_sep, *stop;
} Phrases;

static const Phrases en = {
  .series = "- **Series**: {1} by {2}, {3}.",
  .size_all = "{1} patches, all received",
  .size_part = "{1} patches, {2} received (missing {3})",
  .size_one = "a single patch",
  .what = "- **What it does**: “{1}”",
  .answers = "- **Reviews of {1}**: the change log names {2}",
  .unnamed = "; it does not name {1}",
  .changes = "- **Changes in {1}**: “{2}”",
  .reviews = "- **Reviews**: {1}.",
  .review_item = "{1} gave {2} on {3}",
  .whole_series = "the series", .the_patch = "the patch",
  .pull = "- **Pull request** from {1}: “{2}”",
  .pull_bare = "- **Pull request** from {1}.",
  .not_merged = "- **Status**: not merged this week.",
  .asks = "- **Review comments**:",
  .ask_patch = "  - {1} on {2}: “{3}”",
  .ask = "  - {1}: “{2}”",
  .applied = "- **Applied**: {1}: “{2}”",
  .applied_bare = "- **Applied**: by {1}.",
  .not_applied = "- **Status**: no applied or merged reply this week.",
  .robot = "- **Build robot**: {1} on {2}: “{3}”",
  .nak = "- **NAK**: {1}: “{2}”",
  .started = "- **Started by** {1}{2}: “{3}”",
  .started_bare = "- **Started by** {1}{2}.",
  .earlier = " (before this period)",
  .replies = "- **Replies**: {1}, from {2}.",
  .no_replies = "- **Replies**: none yet.",
  .self_only = "- **Replies**: none; {1} follow-up from the starter.",
  .more_names = " and {1} more",
  .latest = "- **Latest**, from {1}: “{2}”",
  .list_sep = ", ", .item_sep = "; ", .stop = ".",
};

static const Phrases zh = {
  .series = "- **系列**：{2} 的 {1}，{3}。",
  .size_all = "共 {1} 个补丁，已全部收到",
  .size_part = "共 {1} 个补丁，已收到 {2} 个（缺 {3}）",
  .size_one = "单个补丁",
  .what = "- **内容**：“{1}”",
  .answers = "- **{1} 的评审**：变更日志提到了 {2}",
  .unnamed = "；未提到 {1}",
  .changes = "- **{1} 改动**：“{2}”",
  .reviews = "- **评审**：{1}。",
  .review_item = "{1} 对 {3} 给出 {2}",
  .whole_series = "整个系列", .the_patch = "该补丁",
  .pull = "- **拉取请求**：{1}：“{2}”",
  .pull_bare = "- **拉取请求**：{1}。",
  .not_merged = "- **状态**：本周尚未合并。",
  .asks = "- **评审意见**：",
  .ask_patch = "  - {1}（{2}）：“{3}”",
  .ask = "  - {1}：“{2}”",
  .applied = "- **已合入**：{1}：“{2}”",
  .applied_bare = "- **已合入**：{1}。",
  .not_applied = "- **状态**：本周尚无合入回复。",
  .robot = "- **构建机器人**：{1}（{2}）：“{3}”",
  .nak = "- **NAK**：{1}：“{2}”",
  .started = "- **发起**：{1}{2}：“{3}”",
  .started_bare = "- **发起**：{1}{2}。",
  .earlier = "（本周期之前）",
  .replies = "- **回复**：{2}，共 {1} 封。",
  .no_replies = "- **回复**：暂无。",
  .self_only = "- **回复**：暂无；发起人跟进 {1} 封。",
  .more_names = " 等另外 {1} 人",
  .latest = "- **最新进展**：{1}：“{2}”",
  .list_sep = "、", .item_sep = "；", .stop = "。",
};

typedef struct {
  const MdWeek *week;
  const MdThread *t;
  const Phrases *ph;
  GString *out;
} Summary;

/* Fill {1}..{3} of FRAME with A1..A3 (NULL = ""): the frames are ours,
 * the arguments escaped mail text; no printf format ever sees either. */
static char *
frame (const char *tmpl, const char *a1, const char *a2, const char *a3)
{
  const char *args[] = { a1, a2, a3 };
  GString *out = g_string_new (NULL);

  for (const char *p = tmpl; *p; p++)
    {
      if (p[0] == '{' && p[1] >= '1' && p[1] <= '3' && p[2] == '}')
        {
          const char *a = args[p[1] - '1'];
          g_string_append (out, a ? a : "");
          p += 2;
        }
      else
        g_string_append_c (out, *p);
    }
  return g_string_free (out, FALSE);
}

static char *
num (guint n)
{
  return g_strdup_printf ("%u", n);
}

/* Add one line unless the summary would pass its bound. */
static void
add_line (Summary *s, char *line)
{
  if (s->out->len + strlen (line) + 1 <= MD_SUMMARY_MAX)
    g_string_append_printf (s->out, "%s\n", line);
  g_free (line);
}

static char *
who (const MdRecord *r)
{
  return md_escape_md (*r->from_name ? r->from_name : r->from_email);
}

/* The first substantive lines of TEXT, verbatim, escaped; or NULL. */
static char *
quote (const char *text, guint max_lines, gsize max_chars)
{
  g_autofree char *ex = md_excerpt (text, max_lines, max_chars);
  return ex ? md_escape_md (ex) : NULL;
}

static gboolean
holds (GPtrArray *records, const MdRecord *r)
{
  for (guint i = 0; i < records->len; i++)
    if (records->pdata[i] == r)
      return TRUE;
  return FALSE;
}

static gboolean
is_bot (const Summary *s, const MdRecord *r)
{
  GPtrArray *people = s->week->contributors;

  if (holds (s->t->robot_failures, r))
    return TRUE;
  for (guint i = 0; i < people->len; i++)
    {
      const MdContributor *c = people->pdata[i];
      if (c->bot && c->email && g_strcmp0 (c->email, r->from_email) == 0)
        return TRUE;
    }
  return FALSE;
}

/* The thread's first message: its root, or the oldest present. */
static const MdRecord *
root_of (const MdThread *t)
{
  if (t->root_rec != NULL)
    return t->root_rec;
  if (t->earlier->len > 0)
    return t->earlier->pdata[0];
  return t->messages->len > 0 ? t->messages->pdata[0] : NULL;
}

/* ---- series ---- */

static gboolean
is_cover (const MdRecord *r)
{
  return r->tags.patch && !r->tags.reply && r->tags.index == 0;
}

/* The cover letter (or the single patch); else the lowest-numbered
 * patch; from this week or, for a continuing thread, before. */
static const MdRecord *
find_cover (const MdThread *t)
{
  GPtrArray *sets[] = { t->messages, t->earlier };
  const MdRecord *best = NULL;

  for (guint s = 0; s < G_N_ELEMENTS (sets); s++)
    for (guint i = 0; i < sets[s]->len; i++)
      {
        const MdRecord *r = sets[s]->pdata[i];
        if (is_cover (r))
          return r;
        if (r->tags.patch && !r->tags.reply
            && (best == NULL || r->tags.index < best->tags.index))
          best = r;
      }
  return best;
}

static char *
size_phrase (const Summary *s)
{
  const MdSeriesInfo *si = &s->t->series;
  g_autofree char *total = num (si->total), *received = num (si->received);
  g_autofree char *missing = NULL;

  if (si->total == 0)
    return g_strdup (s->ph->size_one);
  if (si->received >= si->total)
    return frame (s->ph->size_all, total, NULL, NULL);
  if (si->missing)
    {
      g_autoptr (GArray) copy = g_array_copy (si->missing);
      missing = md_patch_refs (copy, si->total, s->ph->list_sep);
    }
  return frame (s->ph->size_part, total, received, missing);
}

static char *
version_of (const MdThread *t)
{
  g_autofree char *v = t->series.version_str
    ? g_strdup_printf ("v%s", t->series.version_str)
    : g_strdup_printf ("v%u", t->series.version);
  return md_escape_md (v);
}

static void
series_head (Summary *s, const MdRecord *cover)
{
  const MdRecord *by = cover ? cover : root_of (s->t);
  g_autofree char *version = version_of (s->t);
  g_autofree char *author = by ? who (by) : g_strdup ("?");
  g_autofree char *size = size_phrase (s);

  add_line (s, frame (s->ph->series, version, author, size));
}

/* A single patch says what it does in its commit message; a series in
 * its cover letter. */
static void
series_what (Summary *s, const MdRecord *cover)
{
  gboolean single = cover->tags.total == 0 && cover->commit_msg && *cover->commit_msg;
  g_autofree char *what = quote (single ? cover->commit_msg : cover->body, 0, WHAT_MAX);

  if (what != NULL)
    add_line (s, frame (s->ph->what, what, NULL, NULL));
}

static void
series_changes (Summary *s, const MdRecord *cover)
{
  g_autofree char *log = md_excerpt_changes (cover->body, s->t->series.version_str,
                                             4, QUOTE_MAX);
  g_autofree char *changes = NULL, *version = NULL;

  if (log == NULL)
    return;
  changes = md_escape_md (log);
  version = version_of (s->t);
  add_line (s, frame (s->ph->changes, version, changes, NULL));
}

static char *
names_of (const Summary *s, GPtrArray *records)
{
  g_autoptr (GString) out = g_string_new (NULL);

  for (guint i = 0; i < records->len && i < NAMES_MAX; i++)
    {
      g_autofree char *name = who (records->pdata[i]);
      g_string_append_printf (out, "%s%s", i ? s->ph->list_sep : "", name);
    }
  return g_string_free (g_steal_pointer (&out), FALSE);
}

/* Which reviewers of v(N-1) this version's change log names: the
 * code-only answer to "which review comments does it address". */
static void
series_answers (Summary *s, const MdRecord *cover)
{
  g_autofree char *log = md_excerpt_changes (cover->body, s->t->series.version_str,
                                             0, 0);   /* all of it */
  g_autoptr (GPtrArray) named = g_ptr_array_new (), unnamed = g_ptr_array_new ();
  g_autofree char *prev = NULL, *names = NULL, *line = NULL, *tail = NULL;

  md_previous_reviewers (s->t, log, named, unnamed);
  if (log == NULL || named->len == 0)
    return;
  prev = g_strdup_printf ("v%s", s->t->series.previous_version_str
                                 ? s->t->series.previous_version_str : "?");
  names = names_of (s, named);
  line = frame (s->ph->answers, prev, names, NULL);
  if (unnamed->len)
    {
      g_autofree char *others = names_of (s, unnamed);
      tail = frame (s->ph->unnamed, others, NULL, NULL);
    }
  add_line (s, g_strconcat (line, tail ? tail : "", s->ph->stop, NULL));
}

static char *
review_item (const Summary *s, const MdReviewGroup *g)
{
  g_autofree char *name = md_escape_md (*g->first->name ? g->first->name : g->first->email);
  g_autofree char *refs = md_patch_refs (g->patches, s->t->series.total, s->ph->list_sep);
  gboolean whole = g_array_index (g->patches, guint16, 0) == 0;   /* sorted */
  const char *none = s->t->series.total == 0 ? s->ph->the_patch : s->ph->whole_series;
  g_autofree char *what = *refs == '\0' ? g_strdup (none)
    : whole ? g_strconcat (s->ph->whole_series, s->ph->list_sep, refs, NULL)
    : g_strdup (refs);

  return frame (s->ph->review_item, name, md_trailer_kind_name (g->first->kind), what);
}

static void
series_reviews (Summary *s)
{
  g_autoptr (GPtrArray) groups = md_review_groups (s->t->reviews);
  g_autoptr (GString) items = g_string_new (NULL);
  guint shown = 0, given = 0;

  /* NAKs have their own line. */
  for (guint i = 0; i < groups->len; i++)
    {
      const MdReviewGroup *g = groups->pdata[i];
      g_autofree char *item = NULL;
      if (g->first->kind == MD_TRAILER_NACKED_BY || given++ >= REVIEWS_MAX)
        continue;
      item = review_item (s, g);
      g_string_append_printf (items, "%s%s", shown++ ? s->ph->item_sep : "", item);
    }
  if (shown == 0)
    return;
  if (given > shown)
    {
      g_autofree char *more = num (given - shown);
      g_autofree char *tail = frame (s->ph->more_names, more, NULL, NULL);
      g_string_append (items, tail);
    }
  add_line (s, frame (s->ph->reviews, items->str, NULL, NULL));
}

/* A reply by someone other than the author, not a robot and not one of
 * the applied/NAK notices, is a review remark. */
static gboolean
is_review_reply (const Summary *s, const MdRecord *r, const MdRecord *cover)
{
  if (!r->tags.reply || is_bot (s, r))
    return FALSE;
  if (cover && g_strcmp0 (r->from_email, cover->from_email) == 0)
    return FALSE;
  return !holds (s->t->applied, r) && !holds (s->t->naks, r);
}

static char *
ask_line (const Summary *s, const MdRecord *r, const char *said)
{
  g_autofree char *name = who (r);
  g_autofree char *ref = md_patch_ref (r->tags.index, r->tags.total);

  if (*ref)
    return frame (s->ph->ask_patch, name, r->tags.index ? ref : s->ph->whole_series, said);
  return frame (s->ph->ask, name, said, NULL);
}

/* One remark per reviewer, so four remarks are four voices. */
static void
series_asks (Summary *s, const MdRecord *cover)
{
  GPtrArray *msgs = s->t->messages;
  g_autoptr (GHashTable) heard = g_hash_table_new (g_str_hash, g_str_equal);
  guint n = 0;

  for (guint i = 0; i < msgs->len && n < ASKS_MAX; i++)
    {
      const MdRecord *r = msgs->pdata[i];
      g_autofree char *said = NULL;
      if (!is_review_reply (s, r, cover) || g_hash_table_contains (heard, r->from_email)
          || (said = quote (r->body, 2, QUOTE_MAX)) == NULL)
        continue;
      g_hash_table_add (heard, r->from_email);
      if (n++ == 0)
        add_line (s, g_strdup (s->ph->asks));
      add_line (s, ask_line (s, r, said));
    }
}

/* The applied notice quotes the line facts.c recognised, verbatim. */
static void
series_applied (Summary *s, const char *none)
{
  GPtrArray *applied = s->t->applied;

  if (applied->len == 0)
    {
      add_line (s, g_strdup (none));
      return;
    }
  for (guint i = 0; i < applied->len && i < 2; i++)
    {
      const MdRecord *r = applied->pdata[i];
      g_autofree char *name = who (r);
      g_autofree char *line = md_record_applied_line (r);
      g_autofree char *ex = md_excerpt_from (r->body, line, 2, QUOTE_MAX);
      g_autofree char *said = ex ? md_escape_md (ex) : NULL;
      add_line (s, said ? frame (s->ph->applied, name, said, NULL)
                        : frame (s->ph->applied_bare, name, NULL, NULL));
    }
}

/* Robot reports and NAKs: who, on which patch, their first lines. */
static void
series_notices (Summary *s, GPtrArray *records, const char *tmpl, guint max)
{
  for (guint i = 0; i < records->len && i < max; i++)
    {
      const MdRecord *r = records->pdata[i];
      g_autofree char *name = who (r);
      g_autofree char *ref = md_patch_ref (r->tags.index, r->tags.total);
      g_autofree char *said = quote (r->body, 2, QUOTE_MAX);
      if (said == NULL)
        continue;
      if (tmpl == s->ph->robot)
        add_line (s, frame (tmpl, name, *ref ? ref : s->ph->whole_series, said));
      else
        add_line (s, frame (tmpl, name, said, NULL));
    }
}

static void
summarise_series (Summary *s)
{
  const MdRecord *cover = find_cover (s->t);

  series_head (s, cover);
  if (cover != NULL)
    {
      series_what (s, cover);
      series_changes (s, cover);
      series_answers (s, cover);
    }
  series_reviews (s);
  series_asks (s, cover);
  series_applied (s, s->ph->not_applied);
  series_notices (s, s->t->robot_failures, s->ph->robot, 3);
  series_notices (s, s->t->naks, s->ph->nak, 3);
}

/* ---- pull requests ---- */

static void
summarise_pull (Summary *s)
{
  const MdRecord *root = root_of (s->t);
  g_autofree char *name = root ? who (root) : g_strdup ("?");
  g_autofree char *said = root ? quote (root->body, 0, WHAT_MAX) : NULL;

  add_line (s, said ? frame (s->ph->pull, name, said, NULL)
                    : frame (s->ph->pull_bare, name, NULL, NULL));
  series_applied (s, s->ph->not_merged);
  series_notices (s, s->t->naks, s->ph->nak, 3);
}

/* ---- discussion ---- */


static void
discussion_start (Summary *s, const MdRecord *root)
{
  g_autofree char *name = who (root);
  g_autofree char *said = quote (root->body, 3, WHAT_MAX);
  const char *mark = holds (s->t->messages, root) ? "" : s->ph->earlier;

  add_line (s, said ? frame (s->ph->started, name, mark, said)
                    : frame (s->ph->started_bare, name, mark, NULL));
}

/* Distinct repliers other than the starter, in order of first reply,
 * named up to NAMES_MAX; *REPLIES gets the number of replies (the
 * starter's follow-ups included). */
static char *
replier_names (const Summary *s, const MdRecord *root, guint *replies)
{
  g_autoptr (GString) names = g_string_new (NULL);
  g_autoptr (GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  guint shown = 0;

  *replies = 0;
  for (guint i = 0; i < s->t->messages->len; i++)
    {
      const MdRecord *r = s->t->messages->pdata[i];
      g_autofree char *name = NULL;
      if (r == root)
        continue;
      (*replies)++;
      if (g_strcmp0 (r->from_email, root->from_email) == 0   /* not an answer */
          || !g_hash_table_add (seen, r->from_email) || shown == NAMES_MAX)
        continue;
      name = who (r);
      g_string_append_printf (names, "%s%s", shown++ ? s->ph->list_sep : "", name);
    }
  if (g_hash_table_size (seen) > shown)
    {
      g_autofree char *more = num (g_hash_table_size (seen) - shown);
      g_autofree char *tail = frame (s->ph->more_names, more, NULL, NULL);
      g_string_append (names, tail);
    }
  return g_string_free (g_steal_pointer (&names), FALSE);
}

static void
discussion_replies (Summary *s, const MdRecord *root)
{
  guint replies;
  g_autofree char *names = replier_names (s, root, &replies);
  g_autofree char *count = num (replies);

  if (replies == 0)
    add_line (s, g_strdup (s->ph->no_replies));
  else if (*names == '\0')
    add_line (s, frame (s->ph->self_only, count, NULL, NULL));
  else
    add_line (s, frame (s->ph->replies, count, names, NULL));
}

static void
discussion_latest (Summary *s, const MdRecord *root)
{
  GPtrArray *msgs = s->t->messages;
  const MdRecord *last = msgs->len ? msgs->pdata[msgs->len - 1] : NULL;
  g_autofree char *name = NULL, *said = NULL;

  if (last == NULL || last == root || (said = quote (last->body, 2, QUOTE_MAX)) == NULL)
    return;
  name = who (last);
  add_line (s, frame (s->ph->latest, name, said, NULL));
}

static void
summarise_discussion (Summary *s)
{
  const MdRecord *root = root_of (s->t);

  discussion_start (s, root);
  discussion_replies (s, root);
  discussion_latest (s, root);
  series_notices (s, s->t->naks, s->ph->nak, 3);
}

char *
md_summarise_thread (const MdWeek *week, const MdThread *thread,
                     const char *lang)
{
  Summary s = { week, thread, g_strcmp0 (lang, "en") == 0 ? &en : &zh, NULL };

  if (thread->messages->len == 0 && thread->earlier->len == 0)
    return NULL;
  s.out = g_string_new (NULL);
  if (thread->series.git_pull)
    summarise_pull (&s);
  else if (thread->is_series)
    summarise_series (&s);
  else
    summarise_discussion (&s);
  if (s.out->len > 0)
    g_string_truncate (s.out, s.out->len - 1);
  return g_string_free (s.out, FALSE);
}

gboolean
md_summarise_builtin (MdWeek *week, const char *lang, GError **error)
{
  const char *canon = md_lang_canonical (lang);

  if (canon == NULL)
    {
      g_set_error (error, MD_ERROR, MD_ERROR_USAGE,
                   "unsupported language '%s' (zh-CN or en)", lang);
      return FALSE;
    }
  for (guint i = 0; i < week->threads_v->len; i++)
    {
      MdThread *t = week->threads_v->pdata[i];
      if (t->summary != NULL && *t->summary != '\0')
        continue;
      g_free (t->summary);
      t->summary = md_summarise_thread (week, t, canon);
      t->summary_builtin = t->summary != NULL;
    }
  return TRUE;
}
