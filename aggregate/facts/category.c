/* category.c - rule-based thread categories (see category.h).
 *
 * The defaults reproduce the seed reports' sections and fix what they
 * got wrong: the subject parser reports [PATCH kvmtool ...],
 * [kvmtool PATCH ...], [kvm-unit-tests PATCH ...] and
 * [6.1 PATCH RESEND ...] as patches with a project, so the rule "patch"
 * files them under PATCH instead of Discussion/Other; a selftest series
 * is recognised by the files its patches touch as well as by its title;
 * and the root decides, so a "Re: [PATCH]" reply whose own root is a
 * question does not make the question a patch.
 *
 * Automatic mail comes first, by what it is rather than the diff or the
 * "[PATCH]" subject it quotes: build robots, kernelci's bisections,
 * pr-tracker-bot, linux-next's merge notices, 'Applied "<subject>" to
 * the <tree> tree' notices are Other, even when they are all a thread
 * holds of a patch posted elsewhere.
 */
#include <string.h>
#include "category.h"
#include "config.h"
#include "error.h"

typedef enum {
  T_ANY, T_PATCH, T_RFC, T_RESEND, T_GIT_PULL, T_REPLY, T_SERIES,
  T_HAS_DIFF, T_FILES, T_TITLE, T_SUBJECT, T_FROM, T_BODY,
} TestKind;

typedef struct {
  TestKind kind;
  gboolean negate;
  GRegex *re;        /* T_TITLE, T_SUBJECT, T_FROM, T_BODY */
  char **prefixes;   /* T_FILES */
} Test;

typedef struct {
  char *name;
  GArray *tests;     /* Test, all must hold */
} Rule;

struct _MdCategoryRules {
  GPtrArray *rules;  /* Rule* */
  GPtrArray *order;  /* char*: report order */
};

static const char *const default_order[] = {
  "PATCH", "RFC", "GIT PULL", "Selftest", "Discussion", "Other", NULL
};

static const char *const default_rules[] = {
  "Other: from~^(lkp@intel\\.com|bot@kernelci\\.org|pr-tracker-bot@|patchwork-bot|syzbot)",
  "Other: subject~\\bbisection:|\\bboot\\sbisection\\b",
  "Other: title~^linux-next:\\s",
  "Other: subject~^Applied\\s\"",
  "GIT PULL: git-pull",
  "Selftest: patch files=tools/testing/selftests/",
  "Selftest: title~(^|:\\s*)selftests?(/[^:\\s]*)?:",
  "RFC: rfc",
  "PATCH: patch",
  "PATCH: has-diff !reply",
  "Other: subject~\\[(bug|announce|ann|question|regression)\\]",
  "Other: title~^(bug|question|regression|announce(ment)?|call\\sfor|cfp|invitation)\\b",
  "Other: title~\\b(hangs?|hung|crash(es|ed)?|panics?|oops|splat|deadlocks?|lockup|regression|broken|fails?|failure)\\b",
  "Other: title~\\.[chS]:\\d+",
  "Discussion: any",
  NULL
};

static const struct { const char *word; TestKind kind; } flag_words[] = {
  { "any", T_ANY }, { "patch", T_PATCH }, { "rfc", T_RFC },
  { "resend", T_RESEND }, { "git-pull", T_GIT_PULL }, { "reply", T_REPLY },
  { "series", T_SERIES }, { "has-diff", T_HAS_DIFF },
};

static const struct { const char *prefix; TestKind kind; } regex_words[] = {
  { "title~", T_TITLE }, { "subject~", T_SUBJECT }, { "from~", T_FROM },
  { "body~", T_BODY },
};

/* ---- parsing ---- */

static void
test_clear (gpointer p)
{
  Test *t = p;
  if (t->re)
    g_regex_unref (t->re);
  g_strfreev (t->prefixes);
}

static void
rule_free (gpointer p)
{
  Rule *r = p;
  g_free (r->name);
  g_array_unref (r->tests);
  g_free (r);
}

static gboolean
parse_regex_test (Test *t, const char *pattern, GError **error)
{
  g_autoptr (GError) local = NULL;

  t->re = g_regex_new (pattern, G_REGEX_CASELESS | G_REGEX_OPTIMIZE, 0, &local);
  if (t->re == NULL)
    g_set_error (error, MD_ERROR, MD_ERROR_CONFIG, "bad regular expression '%s': %s",
                 pattern, local->message);
  return t->re != NULL;
}

static gboolean
parse_test (const char *word, Test *t, GError **error)
{
  t->negate = word[0] == '!';
  word += t->negate;
  for (guint i = 0; i < G_N_ELEMENTS (flag_words); i++)
    if (strcmp (word, flag_words[i].word) == 0)
      {
        t->kind = flag_words[i].kind;
        return TRUE;
      }
  if (g_str_has_prefix (word, "files=") && word[6])
    {
      t->kind = T_FILES;
      t->prefixes = g_strsplit (word + 6, ",", -1);
      return TRUE;
    }
  for (guint i = 0; i < G_N_ELEMENTS (regex_words); i++)
    if (g_str_has_prefix (word, regex_words[i].prefix))
      {
        t->kind = regex_words[i].kind;
        return parse_regex_test (t, word + strlen (regex_words[i].prefix), error);
      }
  g_set_error (error, MD_ERROR, MD_ERROR_CONFIG, "unknown test '%s'", word);
  return FALSE;
}

static Rule *
parse_rule (const char *text, GError **error)
{
  const char *colon = strchr (text, ':');
  g_autofree char *name = colon ? g_strstrip (g_strndup (text, colon - text)) : NULL;
  g_auto (GStrv) words = NULL;
  Rule *r;

  if (name == NULL || *name == '\0')
    {
      g_set_error (error, MD_ERROR, MD_ERROR_CONFIG, "want 'NAME: TEST...'");
      return NULL;
    }
  r = g_new0 (Rule, 1);
  r->name = g_steal_pointer (&name);
  r->tests = g_array_new (FALSE, TRUE, sizeof (Test));
  g_array_set_clear_func (r->tests, test_clear);
  words = g_strsplit_set (colon + 1, " \t", -1);
  for (guint i = 0; words[i]; i++)
    {
      Test t = { 0 };
      if (*words[i] == '\0')
        continue;
      g_array_append_val (r->tests, t);
      if (!parse_test (words[i], &g_array_index (r->tests, Test, r->tests->len - 1), error))
        {
          rule_free (r);
          return NULL;
        }
    }
  return r;
}

static void
add_to_order (MdCategoryRules *rules, const char *name)
{
  if (!g_ptr_array_find_with_equal_func (rules->order, name, g_str_equal, NULL))
    g_ptr_array_add (rules->order, g_strdup (name));
}

static gboolean
load_rules (MdCategoryRules *rules, const char *const *texts, const char *list,
            GError **error)
{
  for (guint i = 0; texts[i]; i++)
    {
      g_autoptr (GError) local = NULL;
      Rule *r = parse_rule (texts[i], &local);
      if (r == NULL)
        {
          g_set_error (error, MD_ERROR, MD_ERROR_CONFIG,
                       "bad category rule '%s' for list '%s': %s", texts[i],
                       list ? list : "(defaults)", local->message);
          return FALSE;
        }
      g_ptr_array_add (rules->rules, r);
    }
  return TRUE;
}

MdCategoryRules *
md_category_rules_load (GKeyFile *config, const char *list, GError **error)
{
  g_autoptr (MdCategoryRules) rules = g_new0 (MdCategoryRules, 1);
  g_auto (GStrv) texts = config ? md_config_list_strv (config, list, "category_rules") : NULL;
  g_auto (GStrv) order = config ? md_config_list_strv (config, list, "categories") : NULL;
  const char *const *o = order ? (const char *const *) order : default_order;

  rules->rules = g_ptr_array_new_with_free_func (rule_free);
  rules->order = g_ptr_array_new_with_free_func (g_free);
  if (!load_rules (rules, texts ? (const char *const *) texts : default_rules,
                   list, error))
    return NULL;
  for (guint i = 0; o[i]; i++)
    {
      g_autofree char *name = g_strstrip (g_strdup (o[i]));
      if (*name)
        add_to_order (rules, name);
    }
  for (guint i = 0; i < rules->rules->len; i++)
    add_to_order (rules, ((Rule *) rules->rules->pdata[i])->name);
  add_to_order (rules, "Other");
  return g_steal_pointer (&rules);
}

void
md_category_rules_free (MdCategoryRules *rules)
{
  if (rules == NULL)
    return;
  if (rules->rules)
    g_ptr_array_unref (rules->rules);
  if (rules->order)
    g_ptr_array_unref (rules->order);
  g_free (rules);
}

/* ---- matching ---- */

typedef struct {
  const MdThread *thread;
  const MdRecord *root;
  GPtrArray *files;   /* the thread's postings' files, computed when asked */
} Subject;

static void
add_posting_files (GPtrArray *files, GPtrArray *recs)
{
  for (guint i = 0; i < recs->len; i++)
    {
      const MdRecord *r = recs->pdata[i];
      if (!md_record_is_posting (r))
        continue;
      for (guint j = 0; j < r->files->len; j++)
        g_ptr_array_add (files, r->files->pdata[j]);
    }
}

static GPtrArray *
subject_files (Subject *s)
{
  if (s->files == NULL)
    {
      s->files = g_ptr_array_new ();
      add_posting_files (s->files, s->thread->earlier);
      add_posting_files (s->files, s->thread->messages);
    }
  return s->files;
}

/* Every file under one of PREFIXES (and at least one file). */
static gboolean
files_under (GPtrArray *files, char **prefixes)
{
  for (guint i = 0; i < files->len; i++)
    {
      gboolean under = FALSE;
      for (guint j = 0; prefixes[j] && !under; j++)
        under = g_str_has_prefix (files->pdata[i], prefixes[j]);
      if (!under)
        return FALSE;
    }
  return files->len > 0;
}

static gboolean
test_holds (const Test *t, Subject *s)
{
  const MdRecord *r = s->root;
  const MdSubjectTags *tags = &r->tags;

  switch (t->kind)
    {
    case T_ANY:      return TRUE;
    case T_PATCH:    return tags->patch;
    case T_RFC:      return tags->rfc;
    case T_RESEND:   return tags->resend;
    case T_GIT_PULL: return tags->git_pull;
    case T_REPLY:    return tags->reply;
    case T_SERIES:   return tags->total > 0;
    case T_HAS_DIFF: return md_record_has_flag (r, MD_REC_HAS_PATCH);
    case T_FILES:    return files_under (subject_files (s), t->prefixes);
    case T_TITLE:    return g_regex_match (t->re, tags->title ? tags->title : r->subject, 0, NULL);
    case T_SUBJECT:  return g_regex_match (t->re, r->subject, 0, NULL);
    case T_FROM:     return g_regex_match (t->re, r->from_email, 0, NULL);
    case T_BODY:     return g_regex_match (t->re, r->body, 0, NULL);
    }
  return FALSE;
}

static gboolean
rule_holds (const Rule *rule, Subject *s)
{
  for (guint i = 0; i < rule->tests->len; i++)
    {
      const Test *t = &g_array_index (rule->tests, Test, i);
      if (test_holds (t, s) == t->negate)
        return FALSE;
    }
  return TRUE;
}

const char *
md_category_classify (const MdCategoryRules *rules, const MdThread *thread)
{
  Subject s = { thread, thread->root_rec, NULL };
  const char *name = "Other";

  for (guint i = 0; i < rules->rules->len; i++)
    {
      const Rule *r = rules->rules->pdata[i];
      if (rule_holds (r, &s))
        {
          name = r->name;
          break;
        }
    }
  if (s.files)
    g_ptr_array_unref (s.files);
  return name;
}

void
md_category_run (MdWeek *week, const MdCategoryRules *rules)
{
  for (guint i = 0; i < week->threads_v->len; i++)
    {
      MdThread *t = week->threads_v->pdata[i];
      g_free (t->category);
      t->category = g_strdup (md_category_classify (rules, t));
    }
  g_ptr_array_set_size (week->categories, 0);
  for (guint i = 0; i < rules->order->len; i++)
    {
      MdCategoryCount *c = g_new0 (MdCategoryCount, 1);
      c->name = g_strdup (rules->order->pdata[i]);
      g_ptr_array_add (week->categories, c);
    }
}
