/* facts.c - the facts stage (see facts.h).
 *
 * Rules a reader of the report should know, decided here:
 * - Reviews given this week are the Reviewed-by/Acked-by/Tested-by/
 *   Nacked-by trailers in the window's replies' own text (the parser
 *   already dropped quoted lines).  A trailer inside a patch mail itself
 *   (v3 carrying the Reviewed-by v2 got) is history and is not counted
 *   as given this week.  A trailer goes to the posting the reply answers
 *   (walking up past replies); given to a cover letter it covers the
 *   whole series (patch 0).  The patch author's own trailers are ignored;
 *   one person giving the same trailer to the same patch twice counts once.
 * - Applied: a reply to a posting with a line (not quoted) that starts
 *   "Applied", "Queued", "Pushed", "Merged", "Picked up" ("Thanks,
 *   applied", "I've applied") followed by punctuation or by a destination
 *   that looks like a tree ("to kvmarm/next", "for 5.12", "to fixes"),
 *   and that is not a test report ("applied on top of ... and tested");
 *   or pr-tracker-bot's "has been merged into".  Wrapped prose that
 *   happens to start a line with "queued on the old one" is not.
 *   A notice that names what it applied counts for that posting even
 *   when it is not a reply to it: 'Applied "<subject>" to the <tree>
 *   tree' (Mark Brown's form) names the patch's title, pr-tracker-bot's
 *   "Re: [GIT PULL] <title>" the pull request's; the posting with that
 *   title among the week's records (window and history) gets it.
 * - Robot failures: a message from a build robot that reports a build
 *   error or warning.
 * - Bots (config "bots", address globs) are counted apart among the
 *   contributors and left out of the e-mail domains.
 */
#include <string.h>
#include "says.h"
#include "subject.h"
#include "facts.h"
#include "config.h"

static const char *const default_bots[] = {
  "lkp@intel.com", "pr-tracker-bot@kernel.org", "patchwork-bot*@kernel.org",
  "syzbot*", "*-bot@*", "*+bot@*", "noreply@*", "no-reply@*", NULL
};

/* ---- reading replies ---- */

typedef struct {
  guint large_thread;
  char **bots;
} Options;

char **
md_facts_bots (GKeyFile *config, const char *list)
{
  char **bots = config ? md_config_list_strv (config, list, "bots") : NULL;
  return bots ? bots : g_strdupv ((char **) default_bots);
}

gboolean
md_facts_is_bot (char *const *bots, const char *email)
{
  for (guint i = 0; bots[i]; i++)
    if (*email && g_pattern_match_simple (bots[i], email))
      return TRUE;
  return FALSE;
}

static gboolean
is_bot (const Options *o, const MdRecord *r)
{
  return md_facts_is_bot (o->bots, r->from_email);
}

static gboolean
is_robot_failure (const Options *o, const MdRecord *rec)
{
  static GRegex *fail;
  GRegex *re = md_once_regex (&fail,
    "auto build test (error|warning)|build (errors?|warnings?|failures?|failed)"
    "|\\b(error|warning):");

  return is_bot (o, rec)
         && (g_regex_match (re, rec->subject, 0, NULL)
             || g_regex_match (re, rec->body, 0, NULL));
}

static gboolean
says_nak (const MdRecord *rec)
{
  static GRegex *nak;
  GRegex *re = md_once_regex (&nak, "^(nak|nack)(ed)?\\b");

  g_autofree char *line = NULL;

  for (guint i = 0; i < rec->trailers->len; i++)
    if (g_array_index (rec->trailers, MdTrailer, i).kind == MD_TRAILER_NACKED_BY)
      return TRUE;
  line = md_own_line_matching (rec->body, re);
  return line != NULL;
}

/* ---- reviews ---- */

/* The posting REC answers: up the thread past replies. */
static const MdRecord *
answered_posting (const MdWeek *w, const MdRecord *rec)
{
  const MdRecord *cur = rec;

  for (guint depth = 0; depth < 256; depth++)
    {
      const char *pid = md_thread_parent_id (w->records, cur);
      if (pid == NULL || (cur = g_hash_table_lookup (w->records, pid)) == NULL)
        return NULL;
      if (md_record_is_posting (cur))
        return cur;
    }
  return NULL;
}

static gboolean
same_review (const MdReview *r, MdTrailerKind kind, const MdTrailer *tr,
             const MdRecord *target)
{
  return r->kind == kind && strcmp (r->email, tr->email) == 0
         && (*tr->email || strcmp (r->name, tr->name) == 0)
         && g_strcmp0 (r->patch_subject, target ? target->subject : NULL) == 0;
}

static void
add_review (MdThread *t, const MdRecord *given_in, const MdTrailer *tr,
            const MdRecord *target)
{
  MdReview *r;

  for (guint i = 0; i < t->reviews->len; i++)
    if (same_review (t->reviews->pdata[i], tr->kind, tr, target))
      return;
  r = g_new0 (MdReview, 1);
  r->kind = tr->kind;
  r->name = g_strdup (tr->name);
  r->email = g_strdup (tr->email);
  r->patch_index = target ? target->tags.index : 0;
  r->patch_subject = g_strdup (target ? target->subject : t->subject);
  r->given_in = given_in;
  g_ptr_array_add (t->reviews, r);
}

static void
collect_reviews (const MdWeek *w, MdThread *t, const MdRecord *m)
{
  const MdRecord *target = NULL;
  gboolean looked = FALSE;

  for (guint i = 0; i < m->trailers->len; i++)
    {
      const MdTrailer *tr = &g_array_index (m->trailers, MdTrailer, i);
      if (md_review_slot (tr->kind) < 0 || (*tr->email == '\0' && *tr->name == '\0'))
        continue;
      if (!looked)
        {
          target = answered_posting (w, m);
          looked = TRUE;
        }
      if (target && *tr->email && strcmp (tr->email, target->from_email) == 0)
        continue;   /* the author's own */
      add_review (t, m, tr, target);
    }
}

/* ---- per thread ---- */

static void
thread_facts (const MdWeek *w, const Options *o, MdThread *t)
{
  g_autoptr (GHashTable) people = g_hash_table_new (g_str_hash, g_str_equal);

  for (guint i = 0; i < t->messages->len; i++)
    {
      const MdRecord *m = t->messages->pdata[i];
      g_autofree char *applied = NULL;

      g_hash_table_add (people, *m->from_email ? m->from_email : m->from_name);
      if (md_record_is_posting (m))
        continue;
      collect_reviews (w, t, m);
      /* only a patch or a pull request gets applied */
      if ((applied = md_record_applied_line (m)) != NULL && answered_posting (w, m))
        g_ptr_array_add (t->applied, (gpointer) m);
      if (is_robot_failure (o, m))
        g_ptr_array_add (t->robot_failures, (gpointer) m);
      if (says_nak (m))
        g_ptr_array_add (t->naks, (gpointer) m);
    }
  t->participants = g_hash_table_size (people);
  t->large = t->messages->len > o->large_thread;
}

/* ---- applied notices that are not replies ---- */

char *
md_facts_notice_title (const MdRecord *rec)
{
  static GRegex *applied;
  GRegex *re = md_once_regex (&applied, "^Applied\\s+\"(.+)\"\\s+to\\s+the\\s+\\S+\\s+tree\\s*$");
  g_autoptr (GMatchInfo) m = NULL;
  g_autofree char *quoted = NULL;
  MdSubjectTags tags = { 0 };
  char *title;

  if (g_str_has_prefix (rec->from_email, "pr-tracker-bot@") && rec->tags.git_pull)
    return g_utf8_casefold (rec->tags.title ? rec->tags.title : rec->subject, -1);
  if (!g_regex_match (re, rec->subject, 0, &m))
    return NULL;
  quoted = g_match_info_fetch (m, 1);
  md_subject_parse (quoted, &tags);
  title = g_utf8_casefold (tags.title ? tags.title : quoted, -1);
  md_subject_tags_clear (&tags);
  return title;
}

/* Casefolded title -> the latest posting (cover letter or patch) with it. */
static GHashTable *
postings_by_title (const MdWeek *w)
{
  GHashTable *h = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  GHashTableIter it;
  gpointer v;

  g_hash_table_iter_init (&it, w->records);
  while (g_hash_table_iter_next (&it, NULL, &v))
    {
      const MdRecord *r = v, *had;
      char *key;
      if (!md_record_is_posting (r) || r->tags.title == NULL)
        continue;
      key = g_utf8_casefold (r->tags.title, -1);
      had = g_hash_table_lookup (h, key);
      if (had == NULL || had->date < r->date)
        g_hash_table_insert (h, key, (gpointer) r);
      else
        g_free (key);
    }
  return h;
}

/* Every record of the week's threads -> its thread. */
static GHashTable *
threads_by_record (const MdWeek *w)
{
  GHashTable *h = g_hash_table_new (g_direct_hash, g_direct_equal);

  for (guint i = 0; i < w->threads_v->len; i++)
    {
      MdThread *t = w->threads_v->pdata[i];
      GPtrArray *lists[] = { t->earlier, t->messages };
      for (guint l = 0; l < G_N_ELEMENTS (lists); l++)
        for (guint j = 0; j < lists[l]->len; j++)
          g_hash_table_insert (h, lists[l]->pdata[j], t);
    }
  return h;
}

static void
credit_notice (const MdRecord *m, GHashTable *titles, GHashTable *threads)
{
  g_autofree char *title = md_facts_notice_title (m);
  const MdRecord *target = title ? g_hash_table_lookup (titles, title) : NULL;
  MdThread *t = target ? g_hash_table_lookup (threads, target) : NULL;

  if (t && target->date <= m->date
      && !g_ptr_array_find (t->applied, m, NULL))
    g_ptr_array_add (t->applied, (gpointer) m);
}

static void
applied_notices (MdWeek *w)
{
  g_autoptr (GHashTable) titles = NULL;
  g_autoptr (GHashTable) threads = NULL;

  for (guint i = 0; i < w->threads_v->len; i++)
    {
      MdThread *t = w->threads_v->pdata[i];
      for (guint j = 0; j < t->messages->len; j++)
        {
          const MdRecord *m = t->messages->pdata[j];
          g_autofree char *title = md_facts_notice_title (m);
          if (title == NULL)
            continue;
          if (titles == NULL)
            titles = postings_by_title (w), threads = threads_by_record (w);
          credit_notice (m, titles, threads);
        }
    }
}

/* ---- the week ---- */

static MdCategoryCount *
category_count (MdWeek *w, const char *name)
{
  MdCategoryCount *c;

  for (guint i = 0; i < w->categories->len; i++)
    if (strcmp (((MdCategoryCount *) w->categories->pdata[i])->name, name) == 0)
      return w->categories->pdata[i];
  c = g_new0 (MdCategoryCount, 1);
  c->name = g_strdup (name);
  g_ptr_array_add (w->categories, c);
  return c;
}

static void
count_totals (MdWeek *w)
{
  w->messages = w->large_threads = 0;
  w->threads = w->threads_v->len;
  for (guint i = 0; i < w->threads_v->len; i++)
    {
      MdThread *t = w->threads_v->pdata[i];
      MdCategoryCount *c = category_count (w, t->category ? t->category : "Other");
      c->threads++;
      c->messages += t->messages->len;
      w->messages += t->messages->len;
      w->large_threads += t->large;
    }
}

static int
cmp_people (gconstpointer a, gconstpointer b)
{
  const MdContributor *x = *(MdContributor *const *) a;
  const MdContributor *y = *(MdContributor *const *) b;

  if (x->messages != y->messages)
    return x->messages > y->messages ? -1 : 1;
  return g_strcmp0 (x->email ? x->email : x->domain, y->email ? y->email : y->domain);
}

static void
count_sender (MdWeek *w, const Options *o, GHashTable *by_email,
              GHashTable *by_domain, const MdRecord *m)
{
  MdContributor *c = g_hash_table_lookup (by_email, m->from_email);
  const char *at = strrchr (m->from_email, '@');

  if (c == NULL)
    {
      c = g_new0 (MdContributor, 1);
      c->email = g_strdup (m->from_email);
      c->bot = is_bot (o, m);
      g_ptr_array_add (w->contributors, c);
      g_hash_table_insert (by_email, c->email, c);
    }
  if ((c->name == NULL || *c->name == '\0') && *m->from_name)
    {
      g_free (c->name);
      c->name = g_strdup (m->from_name);
    }
  c->messages++;
  if (c->bot || at == NULL || at[1] == '\0')
    return;
  if ((c = g_hash_table_lookup (by_domain, at + 1)) == NULL)
    {
      c = g_new0 (MdContributor, 1);
      c->domain = g_strdup (at + 1);
      g_ptr_array_add (w->domains, c);
      g_hash_table_insert (by_domain, c->domain, c);
    }
  c->messages++;
}

static void
count_people (MdWeek *w, const Options *o)
{
  g_autoptr (GHashTable) by_email = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr (GHashTable) by_domain = g_hash_table_new (g_str_hash, g_str_equal);

  for (guint i = 0; i < w->threads_v->len; i++)
    {
      MdThread *t = w->threads_v->pdata[i];
      for (guint j = 0; j < t->messages->len; j++)
        count_sender (w, o, by_email, by_domain, t->messages->pdata[j]);
    }
  for (guint i = 0; i < w->contributors->len; i++)
    {
      MdContributor *c = w->contributors->pdata[i];
      if (c->name == NULL)
        c->name = g_strdup ("");
    }
  g_ptr_array_sort (w->contributors, cmp_people);
  g_ptr_array_sort (w->domains, cmp_people);
}

static int
cmp_reviewers (gconstpointer a, gconstpointer b)
{
  const MdReviewer *x = *(MdReviewer *const *) a;
  const MdReviewer *y = *(MdReviewer *const *) b;
  guint nx = x->given[0] + x->given[1] + x->given[2] + x->given[3];
  guint ny = y->given[0] + y->given[1] + y->given[2] + y->given[3];

  if (nx != ny)
    return nx > ny ? -1 : 1;
  return strcmp (*x->email ? x->email : x->name, *y->email ? y->email : y->name);
}

static void
count_reviewers (MdWeek *w)
{
  g_autoptr (GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);

  for (guint i = 0; i < w->threads_v->len; i++)
    {
      MdThread *t = w->threads_v->pdata[i];
      for (guint j = 0; j < t->reviews->len; j++)
        {
          const MdReview *r = t->reviews->pdata[j];
          const char *key = *r->email ? r->email : r->name;
          MdReviewer *p = g_hash_table_lookup (seen, key);
          if (p == NULL)
            {
              p = g_new0 (MdReviewer, 1);
              p->name = g_strdup (r->name);
              p->email = g_strdup (r->email);
              g_ptr_array_add (w->reviewers, p);
              g_hash_table_insert (seen, *p->email ? p->email : p->name, p);
            }
          p->given[md_review_slot (r->kind)]++;
        }
    }
  g_ptr_array_sort (w->reviewers, cmp_reviewers);
}

static void
collect_patches (MdWeek *w)
{
  for (guint i = 0; i < w->threads_v->len; i++)
    {
      MdThread *t = w->threads_v->pdata[i];
      for (guint j = 0; j < t->messages->len; j++)
        {
          const MdRecord *m = t->messages->pdata[j];
          if (!m->tags.reply && md_record_has_flag (m, MD_REC_HAS_PATCH))
            g_ptr_array_add (w->patches, (gpointer) m);
        }
    }
  g_ptr_array_sort (w->patches, md_thread_cmp_time);
}

/* Report order: by category (the categories' order), then by the
 * thread's first message this week. */
static int
cmp_report_order (gconstpointer a, gconstpointer b, gpointer rank)
{
  const MdThread *x = *(const MdThread *const *) a;
  const MdThread *y = *(const MdThread *const *) b;
  int rx = GPOINTER_TO_INT (g_hash_table_lookup (rank, x->category));
  int ry = GPOINTER_TO_INT (g_hash_table_lookup (rank, y->category));

  if (rx != ry)
    return rx < ry ? -1 : 1;
  return md_thread_cmp_time (&x->messages->pdata[0], &y->messages->pdata[0]);
}

static void
sort_threads (MdWeek *w)
{
  g_autoptr (GHashTable) rank = g_hash_table_new (g_str_hash, g_str_equal);

  for (guint i = 0; i < w->categories->len; i++)
    g_hash_table_insert (rank, ((MdCategoryCount *) w->categories->pdata[i])->name,
                         GINT_TO_POINTER (i + 1));
  g_ptr_array_sort_with_data (w->threads_v, cmp_report_order, rank);
}

void
md_facts_run (MdWeek *week, GKeyFile *config)
{
  g_auto (GStrv) bots = md_facts_bots (config, week->list);
  gint64 large = config ? md_config_list_int (config, week->list, "large_thread", 20) : 20;
  Options o = { CLAMP (large, 0, G_MAXUINT), bots };

  for (guint i = 0; i < week->threads_v->len; i++)
    {
      MdThread *t = week->threads_v->pdata[i];
      if (t->category == NULL)
        t->category = g_strdup ("Other");
      thread_facts (week, &o, t);
    }
  applied_notices (week);
  count_totals (week);
  count_people (week, &o);
  count_reviewers (week);
  collect_patches (week);
  sort_threads (week);
}
