/* Unit tests: aggregate/facts/facts.c (counts, reviews, applied, robots,
 * people, patches) on hand-built records. */
#include "facts.h"
#include "says.h"
#include "records.h"
#include "category.h"
#include "thread.h"

static const char *A = "Alex Author <alex@example.org>";

static void
run_all (MdWeek *w, GKeyFile *kf)
{
  g_autoptr (MdCategoryRules) rules = md_category_rules_load (kf, w->list, NULL);
  MdThreadOptions o;

  md_thread_options_load (&o, kf, w->list);
  md_thread_run (w, &o);
  md_category_run (w, rules);
  md_facts_run (w, kf);
}

static MdRecord *
patch (const char *id, gint64 date, guint16 k, const char *title)
{
  g_autofree char *subject = g_strdup_printf ("[PATCH v2 %u/3] %s", k, title);
  MdRecord *r = as_patch (msg (id, A, date, subject), 2, k, 3, title);
  if (k > 0)
    {
      replying (r, "cover@a", "cover@a", NULL);
      with_diff (r, "arch/arm64/kvm/mmu.c", NULL);
    }
  return r;
}

static MdRecord *
reply (const char *id, const char *from, gint64 date, const char *to, const char *root)
{
  MdRecord *r = as_reply (msg (id, from, date, "Re: [PATCH v2] x"));
  return strcmp (to, root) == 0 ? replying (r, to, to, NULL)
                                : replying (r, to, root, to, NULL);
}

/* A series under review: who gave what to which patch. */
static MdWeek *
review_week (void)
{
  MdWeek *w = test_week ();
  const char *r1 = "Rita Reviewer <rita@example.org>", *r2 = "Ravi <ravi@kernel.org>";

  put (w, patch ("cover@a", T0 - DAY_, 0, "KVM: arm64: Things"), FALSE);
  put (w, patch ("p1@a", T0 - DAY_, 1, "one"), FALSE);
  put (w, patch ("p2@a", T0 - DAY_, 2, "two"), FALSE);
  put (w, with_trailer (patch ("p3@a", T0 + 10, 3, "three"),     /* carried from v1 */
                        MD_TRAILER_REVIEWED_BY, "Old", "old@example.org"), TRUE);
  put (w, with_trailer (reply ("old-review@r", r1, T0 - HOUR_, "p1@a", "cover@a"),
                        MD_TRAILER_REVIEWED_BY, "Rita Reviewer", "rita@example.org"), FALSE);
  put (w, with_trailer (reply ("rc1@r", r1, T0 + HOUR_, "cover@a", "cover@a"),
                        MD_TRAILER_REVIEWED_BY, "Rita Reviewer", "rita@example.org"), TRUE);
  put (w, with_trailer (reply ("rc2@r", r1, T0 + 2 * HOUR_, "cover@a", "cover@a"),
                        MD_TRAILER_REVIEWED_BY, "Rita Reviewer", "rita@example.org"), TRUE);
  put (w, with_trailer (with_trailer (reply ("r2@v", r2, T0 + 3 * HOUR_, "p2@a", "cover@a"),
                                      MD_TRAILER_ACKED_BY, "Ravi", "ravi@kernel.org"),
                        MD_TRAILER_TESTED_BY, "Tess", "tess@example.org"), TRUE);
  put (w, with_trailer (reply ("r3@r", r1, T0 + 4 * HOUR_, "r2@v", "cover@a"),
                        MD_TRAILER_REVIEWED_BY, "Rita Reviewer", "rita@example.org"), TRUE);
  put (w, with_trailer (with_trailer (reply ("own@a", A, T0 + 5 * HOUR_, "p3@a", "cover@a"),
                                      MD_TRAILER_REVIEWED_BY, "Alex Author", "alex@example.org"),
                        MD_TRAILER_SIGNED_OFF_BY, "Alex Author", "alex@example.org"), TRUE);
  put (w, with_trailer (reply ("nak@n", "Nick <nick@example.org>", T0 + 6 * HOUR_, "p1@a", "cover@a"),
                        MD_TRAILER_NACKED_BY, "Nick", "nick@example.org"), TRUE);
  put (w, with_body (reply ("nak2@n", "Nick <nick@example.org>", T0 + 7 * HOUR_, "p1@a", "cover@a"),
                     "> NAK from someone else, quoted\nNACK, this breaks pKVM.\n"), TRUE);
  return w;
}

static guint
count_reviews (MdThread *t, MdTrailerKind kind, const char *email, guint16 patch_index)
{
  guint n = 0;
  for (guint i = 0; i < t->reviews->len; i++)
    {
      MdReview *r = t->reviews->pdata[i];
      n += r->kind == kind && strcmp (r->email, email) == 0 && r->patch_index == patch_index;
    }
  return n;
}

static void
test_reviews (void)
{
  g_autoptr (MdWeek) w = review_week ();
  MdThread *t;

  run_all (w, NULL);
  g_assert_cmpuint (w->threads, ==, 1);
  t = w->threads_v->pdata[0];
  /* rc1/rc2 to the cover: the whole series, once; r3 answers r2's reply
   * to patch 2, so it is patch 2's */
  g_assert_cmpuint (count_reviews (t, MD_TRAILER_REVIEWED_BY, "rita@example.org", 0), ==, 1);
  g_assert_cmpuint (count_reviews (t, MD_TRAILER_REVIEWED_BY, "rita@example.org", 2), ==, 1);
  g_assert_cmpuint (count_reviews (t, MD_TRAILER_ACKED_BY, "ravi@kernel.org", 2), ==, 1);
  g_assert_cmpuint (count_reviews (t, MD_TRAILER_TESTED_BY, "tess@example.org", 2), ==, 1);
  g_assert_cmpuint (count_reviews (t, MD_TRAILER_NACKED_BY, "nick@example.org", 1), ==, 1);
  /* history, the author's own, and a trailer inside a patch: not given this week */
  g_assert_cmpuint (count_reviews (t, MD_TRAILER_REVIEWED_BY, "rita@example.org", 1), ==, 0);
  g_assert_cmpuint (count_reviews (t, MD_TRAILER_REVIEWED_BY, "alex@example.org", 3), ==, 0);
  g_assert_cmpuint (count_reviews (t, MD_TRAILER_REVIEWED_BY, "old@example.org", 3), ==, 0);
  g_assert_cmpuint (t->reviews->len, ==, 5);
  g_assert_cmpuint (t->naks->len, ==, 2);
  /* per person */
  g_assert_cmpuint (w->reviewers->len, ==, 4);
  MdReviewer *top = w->reviewers->pdata[0];
  g_assert_cmpstr (top->email, ==, "rita@example.org");
  g_assert_cmpuint (top->given[0], ==, 2);
}

static void
assert_applied (const char *body, gboolean want)
{
  g_autoptr (MdRecord) r = with_body (as_reply (msg ("x@y", "maz@kernel.org", T0, "Re: x")), body);
  g_autofree char *line = md_record_applied_line (r);

  if (want != (line != NULL))
    g_error ("applied line for '%s': got '%s'", body, line ? line : "(none)");
}

static void
test_applied (void)
{
  g_autoptr (MdRecord) bot = NULL;
  g_autofree char *line = NULL;

  assert_applied ("Applied to kvmarm/next, thanks!\n\n[1/3] KVM: arm64: one\n", TRUE);
  assert_applied ("Hi,\n\nThanks, applied.\n\nM.\n", TRUE);
  assert_applied ("Queued for 5.12, thanks.\n", TRUE);
  assert_applied ("I've applied it to fixes.\n", TRUE);
  assert_applied ("applied, thanks\n", TRUE);
  assert_applied ("> Applied to kvmarm/next, thanks!\nWhy?\n", FALSE);
  assert_applied ("I applied this on top of 5.10 and tested it.\n", FALSE);
  assert_applied ("Applied on top of kvmarm/next and booted fine.\n", FALSE);
  assert_applied ("This doesn't apply cleanly on 5.11.\n", FALSE);
  assert_applied ("Applied and tested on my Ampere box.\n", FALSE);
  assert_applied ("The timer is still\nqueued on the old one, and it fires there after the vCPU has gone.\n", FALSE);
  assert_applied ("Now queued up, thanks.\n", TRUE);
  assert_applied ("Applied to the kvm-arm64 tree.\n", TRUE);
  bot = with_body (as_reply (msg ("pr@k", "pr-tracker-bot@kernel.org", T0, "Re: [GIT PULL] x")),
                   "The pull request you sent on Fri:\n\n> git://x tags/kvmarm-5.9\n\n"
                   "has been merged into torvalds/linux.git:\nhttps://git.kernel.org/x\n");
  line = md_record_applied_line (bot);
  g_assert_cmpstr (line, ==, "has been merged into torvalds/linux.git:");
}

/* Mark Brown's 'Applied "<title>" to the <tree> tree' and pr-tracker-bot's
 * merge notice count for the posting they name, replies or not; a
 * notice naming nothing the week holds counts for nothing. */
static void
test_applied_notices (void)
{
  g_autoptr (MdWeek) w = test_week ();
  MdThread *t;

  put (w, with_diff (parsed ("p@a", A, T0, "[PATCH] KVM: arm64: Fix the thing"),
                     "arch/arm64/kvm/x.c", NULL), TRUE);
  put (w, with_body (parsed ("n@b", "Mark Brown <broonie@kernel.org>", T0 + DAY_,
                             "Applied \"KVM: arm64: Fix the thing\" to the kvm-arm tree"),
                     "The patch\n\n   KVM: arm64: Fix the thing\n\nhas been applied to the kvm-arm tree\n"),
       TRUE);
  put (w, parsed ("n2@b", "Mark Brown <broonie@kernel.org>", T0 + DAY_,
                  "Applied \"spi: something else\" to the spi tree"), TRUE);
  put (w, parsed ("pull@m", "Marc <maz@kernel.org>", T0, "[GIT PULL] KVM/arm64 updates for 5.9"),
       TRUE);
  put (w, with_body (as_reply (parsed ("bot@k", "pr-tracker-bot@kernel.org", T0 + 2 * DAY_,
                                       "Re: [GIT PULL] KVM/arm64 updates for 5.9")),
                     "The pull request you sent has been merged into torvalds/linux.git:\n"),
       TRUE);
  run_all (w, NULL);

  t = thread_of (w, "p@a");
  g_assert_cmpuint (t->applied->len, ==, 1);
  g_assert_cmpstr (((MdRecord *) t->applied->pdata[0])->message_id, ==, "n@b");
  g_assert_cmpstr (thread_of (w, "n@b")->category, ==, "Other");
  g_assert_true (thread_of (w, "n@b") != t);
  g_assert_cmpuint (thread_of (w, "n2@b")->applied->len, ==, 0);
  t = thread_of (w, "pull@m");
  g_assert_cmpuint (t->applied->len, ==, 1);
  g_assert_cmpstr (((MdRecord *) t->applied->pdata[0])->message_id, ==, "bot@k");
}

/* Totals, categories, large threads, people, bots, domains, patches. */
static void
test_counts (void)
{
  g_autoptr (MdWeek) w = review_week ();
  g_autoptr (GKeyFile) kf = keyfile ("[list kvmarm]\nlarge_thread = 5\n");
  guint sum_t = 0, sum_m = 0, sum_c = 0, sum_d = 0;
  MdContributor *bot = NULL;

  put (w, msg ("q@c", "Carl <carl@example.com>", T0 + DAY_, "Thoughts on nested virt"), TRUE);
  put (w, with_body (reply ("lkp@i", "kernel test robot <lkp@intel.com>", T0 + DAY_, "q@c", "q@c"),
                     "Hi Carl,\n\nI love your patch! Yet something to improve:\n\n"
                     "[auto build test ERROR on kvm/queue]\n"), TRUE);
  put (w, with_diff (as_patch (msg ("s@d", "Dee <dee@example.com>", T0 + 2 * DAY_, "[PATCH] KVM: fix"),
                               1, 0, 0, "KVM: fix"), "virt/kvm/kvm_main.c", NULL), TRUE);
  put (w, with_body (reply ("ap@m", "Marc <maz@kernel.org>", T0 + 3 * DAY_, "s@d", "s@d"),
                     "Applied to next, thanks.\n"), TRUE);
  run_all (w, kf);

  g_assert_cmpuint (w->threads, ==, 3);
  g_assert_cmpuint (w->messages, ==, g_hash_table_size (w->window_ids));
  g_assert_cmpuint (w->messages, ==, 12);
  g_assert_cmpuint (w->large_threads, ==, 1);
  for (guint i = 0; i < w->categories->len; i++)
    {
      MdCategoryCount *c = w->categories->pdata[i];
      sum_t += c->threads, sum_m += c->messages;
    }
  g_assert_cmpuint (sum_t, ==, w->threads);
  g_assert_cmpuint (sum_m, ==, w->messages);
  /* report order: PATCH threads first, by first message; Discussion after */
  g_assert_cmpstr (((MdThread *) w->threads_v->pdata[0])->id, ==, "cover@a");
  g_assert_cmpstr (((MdThread *) w->threads_v->pdata[1])->id, ==, "s@d");
  g_assert_cmpstr (((MdThread *) w->threads_v->pdata[2])->category, ==, "Discussion");
  g_assert_cmpuint (((MdThread *) w->threads_v->pdata[1])->applied->len, ==, 1);
  g_assert_cmpuint (((MdThread *) w->threads_v->pdata[2])->robot_failures->len, ==, 1);
  g_assert_cmpuint (((MdThread *) w->threads_v->pdata[0])->participants, ==, 4);
  for (guint i = 0; i < w->contributors->len; i++)
    {
      MdContributor *c = w->contributors->pdata[i];
      sum_c += c->messages;
      if (c->bot)
        bot = c;
    }
  g_assert_cmpuint (sum_c, ==, w->messages);
  g_assert_nonnull (bot);
  g_assert_cmpstr (bot->email, ==, "lkp@intel.com");
  g_assert_cmpstr (bot->name, ==, "kernel test robot");
  g_assert_cmpstr (((MdContributor *) w->contributors->pdata[0])->email, ==, "rita@example.org");
  for (guint i = 0; i < w->domains->len; i++)
    {
      MdContributor *d = w->domains->pdata[i];
      g_assert_cmpstr (d->domain, !=, "intel.com");
      sum_d += d->messages;
    }
  g_assert_cmpuint (sum_d, ==, w->messages - 1);
  /* new patches: p3 and the single patch, not the cover, not history */
  g_assert_cmpuint (w->patches->len, ==, 2);
  g_assert_cmpstr (((MdRecord *) w->patches->pdata[0])->message_id, ==, "p3@a");
  g_assert_cmpstr (((MdRecord *) w->patches->pdata[1])->message_id, ==, "s@d");
}

static void
test_custom_bots (void)
{
  g_autoptr (MdWeek) w = test_week ();
  g_autoptr (GKeyFile) kf = keyfile ("[defaults]\nbots = ci@example.org\n");

  put (w, msg ("a@x", "ci@example.org", T0, "ci report"), TRUE);
  put (w, msg ("b@x", "lkp@intel.com", T0, "lkp report"), TRUE);
  run_all (w, kf);
  for (guint i = 0; i < w->contributors->len; i++)
    {
      MdContributor *c = w->contributors->pdata[i];
      g_assert_cmpint (c->bot, ==, strcmp (c->email, "ci@example.org") == 0);
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/facts/reviews", test_reviews);
  g_test_add_func ("/facts/applied", test_applied);
  g_test_add_func ("/facts/applied-notices", test_applied_notices);
  g_test_add_func ("/facts/counts", test_counts);
  g_test_add_func ("/facts/custom-bots", test_custom_bots);
  return g_test_run ();
}
