/* Unit tests: aggregate/summary/summarise.c - the built-in summariser. */
#include "error.h"
#include "summarise.h"
#include "fixture-week.h"

/* ---- the "never invents" check ---- */

/* Whitespace runs (any Unicode space: mail has NBSPs) to one space;
 * control characters dropped, as escape.c drops them. */
static char *
normalise (const char *s)
{
  GString *out = g_string_new (NULL);

  for (const char *p = s; *p; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);
      if (g_unichar_isspace (c))
        {
          if (out->len && out->str[out->len - 1] != ' ')
            g_string_append_c (out, ' ');
          continue;
        }
      if (!g_unichar_iscntrl (c))
        g_string_append_unichar (out, c);
    }
  return g_strstrip (g_string_free (out, FALSE));
}

/* Undo Markdown backslash escapes and a trailing cut mark. */
static char *
unescape_fragment (const char *frag)
{
  GString *out = g_string_new (NULL);

  for (const char *p = frag; *p; p++)
    {
      if (*p == '\\' && g_ascii_ispunct (p[1]))
        p++;
      g_string_append_c (out, *p);
    }
  if (g_str_has_suffix (out->str, "…"))
    g_string_truncate (out, out->len - strlen ("…"));
  return g_string_free (out, FALSE);
}

/* Every “quoted” run of SUMMARY occurs in some text of THREAD; returns
 * how many fragments were checked. */
static guint
assert_quotes_from_thread (const char *summary, const MdThread *t)
{
  g_autoptr (GPtrArray) texts = fx_thread_texts (t);
  g_autoptr (GPtrArray) norm = g_ptr_array_new_with_free_func (g_free);
  const char *p = summary;
  guint n = 0;

  for (guint i = 0; i < texts->len; i++)
    g_ptr_array_add (norm, normalise (texts->pdata[i]));
  while ((p = strstr (p, "“")) != NULL)
    {
      const char *end = strstr (p, "”");
      g_autofree char *raw = NULL, *frag = NULL, *nfrag = NULL;
      gboolean found = FALSE;
      g_assert_nonnull (end);
      raw = g_strndup (p + strlen ("“"), (gsize) (end - p) - strlen ("“"));
      frag = unescape_fragment (raw);
      nfrag = normalise (frag);
      g_assert_cmpuint (strlen (nfrag), >, 0);
      for (guint i = 0; i < norm->len && !found; i++)
        found = strstr (norm->pdata[i], nfrag) != NULL;
      if (!found)
        g_error ("invented: “%s” in thread %s", nfrag, t->id);
      n++;
      p = end;
    }
  return n;
}

static void
test_never_invents (void)
{
  static const char *const langs[] = { "zh-CN", "en" };

  for (gsize l = 0; l < G_N_ELEMENTS (langs); l++)
    {
      g_autoptr (MdWeek) w = fx_week ();
      guint quotes = 0;
      g_assert_true (md_summarise_builtin (w, langs[l], NULL));
      for (guint i = 0; i < w->threads_v->len; i++)
        {
          const MdThread *t = w->threads_v->pdata[i];
          g_assert_nonnull (t->summary);
          g_assert_true (t->summary_builtin);
          g_assert_true (g_utf8_validate (t->summary, -1, NULL));
          quotes += assert_quotes_from_thread (t->summary, t);
        }
      /* The fixture's summaries quote: cover, change log, a review remark,
       * applied, robot (ITS); cover, change log, NAK (PMU); commit message
       * (single); question and latest (two discussions): 5 + 3 + 1 + 4. */
      g_assert_cmpuint (quotes, ==, 13);
    }
}

/* The check itself must catch an invented sentence. */
/* Quotes are verbatim up to whitespace, which the check folds like the
 * summariser does (a no-break space is a space). */
static void
test_never_invents_nbsp (void)
{
  g_autoptr (MdWeek) w = fx_week ();
  MdThread *t = w->threads_v->pdata[4];
  MdRecord *r = (MdRecord *) t->messages->pdata[0];
  g_autofree char *s = NULL;

  g_free (r->body);
  r->body = g_strdup ("Yes,\xc2\xa0 see the\tcomment\nat the top.\n");
  s = md_summarise_thread (w, t, "en");
  g_assert_nonnull (strstr (s, "“Yes, see the comment at the top.”"));
  g_assert_cmpuint (assert_quotes_from_thread (s, t), ==, 2);
}

static void
test_never_invents_catches (void)
{
  if (g_test_subprocess ())
    {
      g_autoptr (MdWeek) w = fx_week ();
      assert_quotes_from_thread ("- **内容**：“This series rewrites the GIC.”",
                                 w->threads_v->pdata[0]);
      return;
    }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_failed ();
  g_test_trap_assert_stderr ("*invented*rewrites the GIC*");
}

/* ---- series ---- */

static char *
summary_of (guint thread, const char *lang)
{
  g_autoptr (MdWeek) w = fx_week ();
  return md_summarise_thread (w, w->threads_v->pdata[thread], lang);
}

static void
test_series_zh (void)
{
  g_autofree char *s = summary_of (0, "zh-CN");

  g_assert_cmpstr (s, ==,
    "- **系列**：Alice Example 的 v3，共 3 个补丁，已全部收到。\n"
    "- **内容**：“This series tidies up the save/restore path of the vgic ITS tables so "
    "that a VMM can migrate a guest with pending LPIs without losing them.”\n"
    "- **v3 改动**：“\\- Drop the lock before walking the device table (Bob) - Rebased on kvmarm/next”\n"
    "- **评审**：Bob Reviewer 对 2/3 给出 Reviewed-by；Carol Acker 对 整个系列 给出 Acked-by。\n"
    "- **评审意见**：\n"
    "  - Bob Reviewer（2/3）：“This needs a comment explaining why the lock is dropped here. "
    "Otherwise looks fine.”\n"
    "- **已合入**：Marc Maintainer：“Applied to next, thanks!”\n"
    "- **构建机器人**：kernel test robot（3/3）：“kernel test robot noticed the following build errors:”");
}

static void
test_series_en (void)
{
  g_autofree char *pmu = summary_of (1, "en");
  g_autofree char *single = summary_of (2, "en");

  g_assert_cmpstr (pmu, ==,
    "- **Series**: v2 by Colton Lewis, 4 patches, 3 received (missing 4/4).\n"
    "- **What it does**: “The PMU event filter is only applied when a counter is programmed. "
    "Apply it at vcpu_load() as well so a filter change takes effect at once.”\n"
    "- **Changes in v2**: “\\- Split the selftest out”\n"
    "- **Status**: no applied or merged reply this week.\n"
    "- **NAK**: Dave Nack: “NAK. This changes the ABI for existing VMMs that set the filter "
    "after the first run.”");
  /* A single patch: the commit message, not the (empty) body. */
  g_assert_cmpstr (single, ==,
    "- **Series**: v1 by Will Deacon, a single patch.\n"
    "- **What it does**: “The \\*_el2 accessors must be inlined in the nVHE object; mark them "
    "__always_inline.”\n"
    "- **Status**: no applied or merged reply this week.");
}

/* ---- discussions ---- */

static void
test_discussion (void)
{
  g_autofree char *zh = summary_of (3, "zh-CN");
  g_autofree char *en = summary_of (4, "en");

  g_assert_cmpstr (zh, ==,
    "- **发起**：Quentin Perret：“While testing pKVM I noticed that udelay() returns early "
    "when a vcpu is loaded, because CNTVOFF_EL2 is still applied on the host.”\n"
    "- **回复**：Marc Maintainer、Will Deacon，共 2 封。\n"
    "- **最新进展**：Will Deacon：“The vcpu mutex keeps this safe, so the patch is fine by me.”");
  /* The root is from before the window. */
  g_assert_cmpstr (en, ==,
    "- **Started by** Paolo Bonzini (before this period): “Is the its_lock always taken "
    "before the lpi_list_lock?”\n"
    "- **Replies**: 1, from Oliver Upton.\n"
    "- **Latest**, from Oliver Upton: “Yes, see the comment at the top of vgic.c.”");
}

/* A pull request: what it brings and whether it was merged. */
static void
test_pull (void)
{
  g_autoptr (MdWeek) w = fx_week ();
  g_autoptr (GPtrArray) m = g_ptr_array_new ();
  MdThread *t;
  g_autofree char *s = NULL;

  FX_ADD (m, w, "pull-1@example.net", "[GIT PULL] KVM/arm64 fixes for 6.19", "Marc Maintainer",
          "maz@kernel.org", fx_at (14, 9, 0),
          "Paolo,\n\nHere's the second set of fixes for 6.19.\n\nPlease pull,\n\n\tM.\n\n"
          "The following changes since commit 0f4a2d9e1b7c:\n");
  FX_ADD (m, w, "pull-2@kernel.org", "Re: [GIT PULL] KVM/arm64 fixes for 6.19", "pr-tracker-bot",
          "pr-tracker-bot@kernel.org", fx_at (15, 23, 10),
          "The pull request you sent on Sat:\n\n> git://git.example.org/kvmarm.git tags/fixes\n\n"
          "has been merged into torvalds/linux.git:\nhttps://git.example.org/torvalds/c/7d3e9a0b\n");
  t = fx_thread (w, "GIT PULL", m);
  t->is_series = TRUE;
  t->series.git_pull = TRUE;
  g_ptr_array_add (t->applied, m->pdata[1]);
  s = md_summarise_thread (w, t, "en");
  g_assert_cmpstr (s, ==,
    "- **Pull request** from Marc Maintainer: “Here's the second set of fixes for 6.19.”\n"
    "- **Applied**: pr-tracker-bot: “has been merged into torvalds/linux.git: "
    "https://git.example.org/torvalds/c/7d3e9a0b”");
  assert_quotes_from_thread (s, t);
  g_ptr_array_set_size (t->applied, 0);
  g_free (s);
  s = md_summarise_thread (w, t, "zh-CN");
  g_assert_nonnull (strstr (s, "\n- **状态**：本周尚未合并。"));
}

/* ---- bounds, escaping, existing summaries, errors ---- */

static void
flood (MdWeek *w, MdThread *t, guint n, const char *body)
{
  static guint serial;

  for (guint i = 0; i < n; i++)
    {
      g_autofree char *id = g_strdup_printf ("flood-%u@example.org", serial++);
      g_autofree char *name = g_strdup_printf ("Person %u", i);
      g_autofree char *email = g_strdup_printf ("p%u@example.org", i);
      MdRecord *r = fx_record (w, &(FxMsg) { id, "Re: [PATCH v3 2/3] x", name, email,
                                             fx_at (15, 0, 0), body });
      fx_tags (r, TRUE, "3", 2, 3, "x");
      g_ptr_array_add (t->messages, r);
      fx_review (t, MD_TRAILER_TESTED_BY, name, email, 1 + i % 3, r);
    }
}

static void
test_bounded (void)
{
  g_autoptr (MdWeek) w = fx_week ();
  MdThread *disc = w->threads_v->pdata[3], *series = w->threads_v->pdata[0];
  g_autoptr (GString) longtext = g_string_new (NULL);
  g_autofree char *d = NULL, *s = NULL;

  for (guint i = 0; i < 400; i++)
    g_string_append (longtext, "The quick brown fox jumps over the lazy dog again. ");
  flood (w, disc, 300, longtext->str);
  flood (w, series, 300, longtext->str);
  d = md_summarise_thread (w, disc, "en");
  s = md_summarise_thread (w, series, "en");
  g_assert_cmpuint (strlen (d), <=, MD_SUMMARY_MAX);
  g_assert_cmpuint (strlen (s), <=, MD_SUMMARY_MAX);
  g_assert_nonnull (strstr (d, "- **Replies**: 302, from Marc Maintainer, Will Deacon, Person 0, "
                               "Person 1, Person 2, Person 3 and 296 more."));
  g_assert_nonnull (strstr (d, "jumps over the lazy dog…”"));
  g_assert_nonnull (strstr (s, "Person 5 gave Tested-by on 3/3 and 294 more."));
  g_assert_nonnull (strstr (s, "  - Person 2 on 2/3: “The quick brown fox"));
  g_assert_null (strstr (s, "Person 3 on 2/3"));   /* four remarks at most */
  assert_quotes_from_thread (d, disc);
  assert_quotes_from_thread (s, series);
}

static void
test_hostile_escaped (void)
{
  g_autoptr (MdWeek) w = fx_week ();
  MdThread *t = w->threads_v->pdata[3];
  MdRecord *root = (MdRecord *) t->messages->pdata[0];
  g_autofree char *s = NULL;

  g_free (root->body);
  root->body = g_strdup ("# <script>alert(1)</script> [x](javascript:alert(1)) *b* `c`\r\nsecond\x01 line\n");
  assert_quotes_from_thread ("“second line”", t);
  g_free (root->from_name);
  root->from_name = g_strdup ("<b>Mallory</b>\n# heading");
  s = md_summarise_thread (w, t, "zh-CN");
  g_assert_true (g_str_has_prefix (s,
    "- **发起**：\\<b>Mallory\\</b> # heading：“\\# \\<script>alert(1)\\</script> "
    "\\[x](javascript:alert(1)) \\*b\\* \\`c\\` second line”\n"));
  g_assert_null (strchr (s, '\r'));
  g_assert_null (strchr (s, '\x01'));
}

static void
test_keeps_model_summary (void)
{
  g_autoptr (MdWeek) w = fx_week ();
  MdThread *t = w->threads_v->pdata[0];
  g_autoptr (GError) err = NULL;

  t->summary = g_strdup ("A model wrote this.");
  g_assert_true (md_summarise_builtin (w, "en_US", &err));
  g_assert_cmpstr (t->summary, ==, "A model wrote this.");
  g_assert_false (t->summary_builtin);
  g_assert_true (((MdThread *) w->threads_v->pdata[1])->summary_builtin);
  g_assert_false (md_summarise_builtin (w, "de", &err));
  g_assert_error (err, MD_ERROR, MD_ERROR_USAGE);
}

static MdRecord *
v2_reply (const char *id, const char *name, const char *email)
{
  MdRecord *r = md_record_new ();

  r->message_id = g_strdup (id);
  g_free (r->from_name), r->from_name = g_strdup (name);
  g_free (r->from_email), r->from_email = g_strdup (email);
  g_free (r->body), r->body = g_strdup ("A remark on v2.");
  r->tags.reply = TRUE;
  return r;
}

/* vN's change log names some of v(N-1)'s reviewers: the built-in summary
 * says which, and which it does not name. */
static void
test_previous_reviewers (void)
{
  g_autoptr (MdWeek) w = fx_week ();
  MdThread *t = w->threads_v->pdata[0];
  g_autofree char *en = NULL, *zh = NULL, *none = NULL;

  none = md_summarise_thread (w, t, "en");
  g_assert_null (strstr (none, "Reviews of v2"));
  g_ptr_array_add (t->previous_replies, v2_reply ("v2-1@x", "Bob Reviewer", "bob@kernel.org"));
  g_ptr_array_add (t->previous_replies, v2_reply ("v2-2@x", "Dana Other", "dana@example.com"));
  g_ptr_array_add (t->previous_replies, v2_reply ("v2-3@x", "Bob Reviewer", "bob@kernel.org"));
  en = md_summarise_thread (w, t, "en");
  zh = md_summarise_thread (w, t, "zh-CN");
  g_assert_nonnull (strstr (en, "- **Reviews of v2**: the change log names Bob Reviewer; it does not name Dana Other.\n"));
  g_assert_nonnull (strstr (zh, "- **v2 的评审**：变更日志提到了 Bob Reviewer；未提到 Dana Other。\n"));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/summarise/never-invents", test_never_invents);
  g_test_add_func ("/summarise/never-invents-catches", test_never_invents_catches);
  g_test_add_func ("/summarise/never-invents-nbsp", test_never_invents_nbsp);
  g_test_add_func ("/summarise/series-zh", test_series_zh);
  g_test_add_func ("/summarise/previous-reviewers", test_previous_reviewers);
  g_test_add_func ("/summarise/series-en", test_series_en);
  g_test_add_func ("/summarise/discussion", test_discussion);
  g_test_add_func ("/summarise/pull", test_pull);
  g_test_add_func ("/summarise/bounded", test_bounded);
  g_test_add_func ("/summarise/hostile-escaped", test_hostile_escaped);
  g_test_add_func ("/summarise/keeps-model-summary", test_keeps_model_summary);
  return g_test_run ();
}
