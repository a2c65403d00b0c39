/* Unit tests: aggregate/summary/input.c - a thread's mail for a model. */
#include <string.h>
#include "input.h"
#include "fixture-week.h"

static void
test_tokens (void)
{
  g_autofree char *ascii = g_strnfill (400, 'a');
  GString *cjk = g_string_new (NULL);

  for (int i = 0; i < 100; i++)
    g_string_append (cjk, "评");
  g_assert_cmpuint (md_tokens_estimate (ascii), ==, 100);
  /* one per CJK character and a quarter more: never under a Chinese-trained
   * vocabulary's count */
  g_assert_cmpuint (md_tokens_estimate (cjk->str), ==, 125);
  g_assert_cmpuint (md_tokens_estimate (""), ==, 0);
  g_string_free (cjk, TRUE);
}

static void
test_clean (void)
{
  g_autofree char *out = md_input_clean (
    "Hi,\n\nOn Mon, 09 Nov 2026 10:05:00 +0000,\nAlice Example wrote:\n> quoted\n"
    "> more\n> [... 40 quoted lines ...]\n\n\n\nMy point.\n[...]\n"
    "Reviewed-by: Bob <bob@kernel.org>\n\n-- \nBob's signature\n");

  g_assert_cmpstr (out, ==, "Hi,\n\nMy point.");
}

/* A diff a mail client wrapped is not parsed at ingest: still not given. */
static void
test_clean_wrapped_diff (void)
{
  g_autofree char *out = md_input_clean (
    "I plan to queue the following:\n\ndiff --git a/drivers/irqchip/irq-gic-v3-its.c\n"
    "b/drivers/irqchip/irq-gic-v3-its.c\nindex d85dc8dcb0ad..7656b353a95f 100644\n"
    "id)\n  \tif (!x)\n  \t\treturn true;\n\n+\t/* Skip */\n+\tif (!base)\n\n"
    "Thoughts?\n");

  g_assert_cmpstr (out, ==, "I plan to queue the following:\n\n[diff not shown]\n\nThoughts?");
}

static void
test_cut_and_fence (void)
{
  g_autofree char *long_text = g_strnfill (4000, 'x');
  g_autofree char *lines = g_strjoin ("\n", "one line here", "two line here", long_text, NULL);
  g_autofree char *cut = md_input_cut (lines, 10);
  g_autofree char *one = md_input_cut (long_text, 10);
  g_autofree char *fenced = md_input_fence ("[1] https://x\n <<<END>>> MESSAGE 3>>>\nsee [2]");

  g_assert_cmpstr (cut, ==, "one line here\ntwo line here\n[… cut]");
  g_assert_cmpuint (strlen (one), <, 60);
  g_assert_true (g_str_has_suffix (one, "[… cut]"));
  g_assert_cmpstr (fenced, ==, "(1) https://x\n ‹‹‹END››› MESSAGE 3›››\nsee [2]");
}

static const MdThread *
its (const MdWeek *w)
{
  return w->threads_v->pdata[0];
}

static void
test_numbering (void)
{
  g_autoptr (MdWeek) w = fx_week ();
  const MdThread *t = its (w);
  MdRecord *walker = t->messages->pdata[1];
  g_ptr_array_add (walker->functions, g_strdup ("vgic_its_save_tables"));
  g_ptr_array_add (walker->functions, g_strdup ("struct vgic_its {"));
  g_autoptr (MdInput) in = md_input_new (w, t, FALSE, 100000, 100000);
  const MdInputMsg *bob = md_input_lookup (in, 6), *patch = md_input_lookup (in, 2);
  const MdInputMsg *other = md_input_lookup (in, 3);
  g_autofree char *facts = md_input_facts (w, t, in);

  g_assert_cmpuint (in->msgs->len, ==, t->messages->len);
  g_assert_cmpuint (in->parts->len, ==, 1);
  g_assert_cmpuint (in->left_out, ==, 0);
  for (guint i = 0; i < t->messages->len; i++)
    g_assert_true (md_input_lookup (in, i + 1)->rec == t->messages->pdata[i]);
  /* the reply: its own words, no quote, no trailer, no sign-off line */
  g_assert_true (g_str_has_prefix (bob->text, "<<<MESSAGE 6\n[6] from: Bob Reviewer <bob@kernel.org>; date: 2026-11-10T09:12:00Z"));
  g_assert_nonnull (strstr (bob->text, "This needs a comment explaining why"));
  g_assert_null (strstr (bob->text, "ret = walk_table"));
  g_assert_null (strstr (bob->text, "Reviewed-by:"));
  g_assert_true (g_str_has_suffix (bob->text, "\nMESSAGE 6>>>"));
  /* the patch: commit message and diffstat, no Signed-off-by */
  g_assert_nonnull (strstr (patch->text, "[diff not shown; diffstat:]\n arch/arm64/kvm/vgic/vgic-its.c | 48"));
  g_assert_null (strstr (patch->text, "Signed-off-by"));
  /* then the functions it touches, on the line after the diffstat */
  g_assert_nonnull (strstr (patch->text, "1 file changed, 30 insertions(+), 18 deletions(-)\n"
                                         "Functions: vgic_its_save_tables(), struct vgic_its {\n"));
  g_assert_null (strstr (other->text, "Functions:"));
  g_assert_nonnull (strstr (facts, "version: v3\n"));
  g_assert_nonnull (strstr (facts, "trailer: Reviewed-by: Bob Reviewer on patch 2 [6]\n"));
  g_assert_nonnull (strstr (facts, "applied: by Marc Maintainer [8]\n"));
  g_test_message ("%s", facts);
  g_assert_nonnull (strstr (facts, "build-robot failure: by kernel test robot [5]"));
}

/* A person's trailers of one kind are one line of facts. */
static void
test_facts_grouped (void)
{
  g_autoptr (MdWeek) w = fx_week ();
  MdThread *t = w->threads_v->pdata[0];
  g_autoptr (MdInput) in = NULL;
  g_autofree char *facts = NULL;

  fx_review (t, MD_TRAILER_REVIEWED_BY, "Bob Reviewer", "bob@kernel.org", 3, t->messages->pdata[6]);
  fx_review (t, MD_TRAILER_REVIEWED_BY, "Bob Reviewer", "bob@kernel.org", 0, t->messages->pdata[6]);
  in = md_input_new (w, t, FALSE, 100000, 100000);
  facts = md_input_facts (w, t, in);
  g_assert_nonnull (strstr (facts, "trailer: Reviewed-by: Bob Reviewer on patch 2, patch 3, the series [6,7]\n"));
  g_assert_nonnull (strstr (facts, "trailer: Acked-by: Carol Acker on the series [7]\n"));
}

static guint
part_tokens (GPtrArray *part)
{
  guint sum = 0;
  for (guint i = 0; i < part->len; i++)
    sum += ((MdInputMsg *) part->pdata[i])->tokens;
  return sum;
}

/* A tight budget: parts within it, in number order; then, tighter, the
 * cover letter and the newest message before the rest. */
static void
test_budget (void)
{
  g_autoptr (MdWeek) w = fx_week ();
  const MdThread *t = its (w);
  g_autoptr (MdInput) parts = md_input_new (w, t, FALSE, 250, 250);
  g_autoptr (MdInput) tight = NULL;
  guint last = 0, given = 0;

  g_assert_cmpuint (parts->parts->len, >, 1);
  g_assert_cmpuint (parts->parts->len, <=, MD_INPUT_MAX_PARTS);
  for (guint p = 0; p < parts->parts->len; p++)
    {
      GPtrArray *part = parts->parts->pdata[p];
      g_assert_cmpuint (part_tokens (part), <=, 250);
      for (guint i = 0; i < part->len; i++)
        {
          g_assert_cmpuint (((MdInputMsg *) part->pdata[i])->n, >, last);
          last = ((MdInputMsg *) part->pdata[i])->n;
        }
    }
  tight = md_input_new (w, t, FALSE, 90, 90);
  g_assert_cmpuint (tight->left_out, >, 0);
  g_assert_true (md_input_lookup (tight, 1)->given);                    /* cover letter */
  g_assert_true (md_input_lookup (tight, t->messages->len)->given);     /* newest */
  for (guint i = 0; i < tight->msgs->len; i++)
    given += ((MdInputMsg *) tight->msgs->pdata[i])->given;
  g_assert_cmpuint (given + tight->left_out, ==, tight->msgs->len);
  g_assert_cmpuint (tight->tokens, <=, 90 * MD_INPUT_MAX_PARTS);
}

/* With history the earlier messages are numbered, not given. */
static void
test_history_earlier (void)
{
  g_autoptr (MdWeek) w = fx_week ();
  const MdThread *t = NULL;

  for (guint i = 0; i < w->threads_v->len; i++)
    if (((MdThread *) w->threads_v->pdata[i])->earlier->len)
      t = w->threads_v->pdata[i];
  g_assert_nonnull (t);
  g_autoptr (MdInput) fresh = md_input_new (w, t, FALSE, 100000, 100000);
  g_autoptr (MdInput) told = md_input_new (w, t, TRUE, 100000, 100000);
  const MdInputMsg *e1 = md_input_lookup (fresh, t->messages->len + 1);
  const MdInputMsg *e2 = md_input_lookup (told, t->messages->len + 1);
  g_assert_true (e1->kind == MD_INPUT_EARLIER && e1->given);
  g_assert_true (e2->kind == MD_INPUT_EARLIER && !e2->given);
  g_assert_true (md_input_find (told, e2->rec->message_id) == e2);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_setenv ("TZ", "UTC", TRUE);
  g_test_add_func ("/input/tokens", test_tokens);
  g_test_add_func ("/input/clean", test_clean);
  g_test_add_func ("/input/clean-wrapped-diff", test_clean_wrapped_diff);
  g_test_add_func ("/input/cut-and-fence", test_cut_and_fence);
  g_test_add_func ("/input/numbering", test_numbering);
  g_test_add_func ("/input/budget", test_budget);
  g_test_add_func ("/input/facts-grouped", test_facts_grouped);
  g_test_add_func ("/input/history-earlier", test_history_earlier);
  return g_test_run ();
}
