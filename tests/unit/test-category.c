/* Unit tests: aggregate/facts/category.c (default rules, config rules). */
#include <glib/gstdio.h>
#include "records.h"
#include "category.h"
#include "thread.h"

static MdWeek *
threaded (MdRecord **recs)
{
  MdWeek *w = test_week ();
  MdThreadOptions o;

  for (guint i = 0; recs[i]; i++)
    put (w, recs[i], TRUE);
  md_thread_options_load (&o, NULL, NULL);
  md_thread_run (w, &o);
  return w;
}

static MdRecord *
patch (const char *id, const char *subject, const char *project, const char *title)
{
  MdRecord *r = as_patch (msg (id, "a@example.org", T0 + 1, subject), 1, 0, 0, title);
  r->tags.project = g_strdup (project);
  return r;
}

static const char *
category_of (MdWeek *w, const MdCategoryRules *rules, const char *id)
{
  return md_category_classify (rules, thread_of (w, id));
}

/* The seed reports' misfiled subjects, and the sections they belong in. */
static void
test_defaults (void)
{
  g_autoptr (MdCategoryRules) rules = md_category_rules_load (NULL, "kvmarm", NULL);
  MdRecord *pull = msg ("pull@m", "maz@kernel.org", T0, "[GIT PULL] KVM/arm64 updates for 5.9");
  MdRecord *rfc = patch ("rfc@a", "[RFC PATCH 0/16] arm64/insn", NULL, "arm64/insn: inline");
  MdRecord *resend = patch ("r61@a", "[6.1 PATCH RESEND] KVM: fix", "6.1", "KVM: fix");
  MdRecord *bug = msg ("bug@a", "b@example.org", T0, "[BUG] arm64: KVM: boot hang");
  MdRecord *recs[] = {
    pull,
    patch ("kt@a", "[PATCH kvmtool v3 00/22] Unify I/O port and MMIO trap handling", "kvmtool", "Unify I/O port and MMIO trap handling"),
    patch ("kt2@a", "[kvmtool PATCH v2 1/3] arm: pmu", "kvmtool", "arm: pmu"),
    patch ("kut@a", "[kvm-unit-tests PATCH v3 00/11] GIC fixes", "kvm-unit-tests", "GIC fixes"),
    resend, rfc,
    with_diff (patch ("st@a", "[PATCH] KVM: arm64: vgic_lpi_stress fix", NULL, "KVM: arm64: vgic_lpi_stress fix"),
               "tools/testing/selftests/kvm/arm64/vgic_lpi_stress.c", NULL),
    patch ("st2@a", "[PATCH v2] KVM: selftests: fix MAPC", NULL, "KVM: selftests: fix MAPC"),
    msg ("st3@a", "a@example.org", T0, "RFC KVM: arm64: selftest: stage 2 mapping helpers"),
    with_diff (patch ("mixed@a", "[PATCH] KVM: arm64: fix and test", NULL, "KVM: arm64: fix and test"),
               "arch/arm64/kvm/mmu.c", "tools/testing/selftests/kvm/x.c", NULL),
    bug,
    msg ("q@a", "c@example.org", T0, "Question about stage-2 faults?"),
    msg ("w@a", "c@example.org", T0, "linux-6.18-rc2/arch/arm64/kvm/vgic/vgic-v3.c:728: Possible || and |"),
    msg ("talk@a", "c@example.org", T0, "Thoughts on nested virt"),
    as_reply (replying (titled (msg ("re@a", "c@example.org", T0 + 5, "Re: [PATCH] lost"), "lost"),
                        "gone@x", "gone@x", NULL)),
    NULL
  };
  g_autoptr (MdWeek) w = NULL;

  pull->tags.git_pull = TRUE;
  rfc->tags.rfc = TRUE;
  resend->tags.resend = TRUE;
  recs[14]->tags.patch = TRUE;   /* Re: [PATCH] */
  g_free (bug->tags.title);
  bug->tags.title = g_strdup ("arm64: KVM: boot hang");
  w = threaded (recs);

  g_assert_cmpstr (category_of (w, rules, "pull@m"), ==, "GIT PULL");
  g_assert_cmpstr (category_of (w, rules, "kt@a"), ==, "PATCH");
  g_assert_cmpstr (category_of (w, rules, "kt2@a"), ==, "PATCH");
  g_assert_cmpstr (category_of (w, rules, "kut@a"), ==, "PATCH");
  g_assert_cmpstr (category_of (w, rules, "r61@a"), ==, "PATCH");
  g_assert_cmpstr (category_of (w, rules, "rfc@a"), ==, "RFC");
  g_assert_cmpstr (category_of (w, rules, "st@a"), ==, "Selftest");
  g_assert_cmpstr (category_of (w, rules, "st2@a"), ==, "Selftest");
  g_assert_cmpstr (category_of (w, rules, "st3@a"), ==, "Selftest");
  g_assert_cmpstr (category_of (w, rules, "mixed@a"), ==, "PATCH");
  g_assert_cmpstr (category_of (w, rules, "bug@a"), ==, "Other");
  g_assert_cmpstr (category_of (w, rules, "q@a"), ==, "Other");
  g_assert_cmpstr (category_of (w, rules, "w@a"), ==, "Other");
  g_assert_cmpstr (category_of (w, rules, "talk@a"), ==, "Discussion");
  /* a placeholder root: the oldest message present decides */
  g_assert_cmpstr (category_of (w, rules, "re@a"), ==, "PATCH");
}

/* The root decides, not a reply. */
static void
test_root_decides (void)
{
  g_autoptr (MdCategoryRules) rules = md_category_rules_load (NULL, NULL, NULL);
  MdRecord *recs[] = {
    msg ("talk@a", "c@example.org", T0, "Thoughts on nested virt"),
    as_patch (replying (msg ("p@b", "b@example.org", T0 + 1, "[PATCH] a fix for it"), "talk@a", "talk@a", NULL),
              1, 0, 0, "a fix for it"),
    NULL
  };
  g_autoptr (MdWeek) w = threaded (recs);

  g_assert_cmpuint (w->threads, ==, 1);
  g_assert_cmpstr (category_of (w, rules, "p@b"), ==, "Discussion");
}

static void
test_configured (void)
{
  g_autoptr (GKeyFile) kf = keyfile (
    "[defaults]\n"
    "categories = Patches;Chat\n"
    "category_rules = Patches: patch !rfc;Bots: from~^lkp@;Chat: title~^\\\\w+\\\\s+on\\\\b\n"
    "[list kvm]\n"
    "category_rules = Everything: any\n");
  g_autoptr (MdCategoryRules) rules = md_category_rules_load (kf, "kvmarm", NULL);
  g_autoptr (MdCategoryRules) kvm = md_category_rules_load (kf, "kvm", NULL);
  MdRecord *recs[] = {
    patch ("p@a", "[PATCH] x", NULL, "x"),
    msg ("lkp@a", "lkp@intel.com", T0, "[kvmarm:next] build error"),
    msg ("talk@a", "c@example.org", T0, "Thoughts on nested virt"),
    msg ("x@a", "c@example.org", T0, "whatever"),
    NULL
  };
  g_autoptr (MdWeek) w = threaded (recs);
  const char *order[] = { "Patches", "Chat", "Bots", "Other" };

  g_assert_cmpstr (category_of (w, rules, "p@a"), ==, "Patches");
  g_assert_cmpstr (category_of (w, rules, "lkp@a"), ==, "Bots");
  g_assert_cmpstr (category_of (w, rules, "talk@a"), ==, "Chat");
  g_assert_cmpstr (category_of (w, rules, "x@a"), ==, "Other");
  g_assert_cmpstr (category_of (w, kvm, "p@a"), ==, "Everything");
  md_category_run (w, rules);
  g_assert_cmpuint (w->categories->len, ==, 4);
  for (guint i = 0; i < 4; i++)
    g_assert_cmpstr (((MdCategoryCount *) w->categories->pdata[i])->name, ==, order[i]);
  g_assert_cmpstr (thread_of (w, "talk@a")->category, ==, "Chat");
}

static void
test_bad_rules (void)
{
  const char *bad[] = {
    "[defaults]\ncategory_rules = PATCH patch\n",
    "[defaults]\ncategory_rules = PATCH: pach\n",
    "[defaults]\ncategory_rules = X: title~(unclosed\n",
    "[defaults]\ncategory_rules = : any\n",
    NULL
  };

  for (guint i = 0; bad[i]; i++)
    {
      g_autoptr (GKeyFile) kf = keyfile (bad[i]);
      g_autoptr (GError) err = NULL;
      g_autoptr (MdCategoryRules) rules = md_category_rules_load (kf, "kvmarm", &err);

      g_assert_null (rules);
      g_assert_error (err, MD_ERROR, MD_ERROR_CONFIG);
      g_assert_nonnull (strstr (err->message, "kvmarm"));
    }
}

/* Automatic mail is filed by what it is, not by the "[PATCH]" or the
 * diff it quotes, even when it is all a thread holds. */
static void
test_automatic (void)
{
  g_autoptr (MdCategoryRules) rules = md_category_rules_load (NULL, "kvmarm", NULL);
  MdRecord *recs[] = {
    with_diff (as_reply (parsed ("lkp@i", "kernel test robot <lkp@intel.com>", T0,
                                 "Re: [PATCH v2 3/5] KVM: arm64: Fix the thing")),
               "arch/arm64/kvm/x.c", NULL),
    parsed ("bisect@k", "KernelCI bot <bot@kernelci.org>", T0,
            "next/master bisection: baseline.login on rk3399-gru-kevin"),
    parsed ("boot@k", "kernelci.org bot <bot@kernelci.org>", T0,
            "stable-rc/linux-5.4.y boot bisection: v5.4.60 on meson-gxm"),
    parsed ("next@s", "Stephen Rothwell <sfr@canb.auug.org.au>", T0,
            "linux-next: manual merge of the kvm-arm tree with the arm64 tree"),
    with_diff (parsed ("applied@b", "Mark Brown <broonie@kernel.org>", T0,
                       "Applied \"KVM: arm64: Fix the thing\" to the kvm-arm tree"),
               "arch/arm64/kvm/x.c", NULL),
    as_reply (parsed ("prbot@k", "pr-tracker-bot@kernel.org", T0,
                      "Re: [GIT PULL] KVM/arm64 updates for 5.9")),
    with_diff (parsed ("real@a", "a@example.org", T0, "[PATCH] KVM: arm64: Fix the thing"),
               "arch/arm64/kvm/x.c", NULL),
    NULL
  };
  g_autoptr (MdWeek) w = NULL;

  w = threaded (recs);
  g_assert_cmpstr (category_of (w, rules, "lkp@i"), ==, "Other");
  g_assert_cmpstr (category_of (w, rules, "bisect@k"), ==, "Other");
  g_assert_cmpstr (category_of (w, rules, "boot@k"), ==, "Other");
  g_assert_cmpstr (category_of (w, rules, "next@s"), ==, "Other");
  g_assert_cmpstr (category_of (w, rules, "applied@b"), ==, "Other");
  g_assert_cmpstr (category_of (w, rules, "prbot@k"), ==, "Other");
  g_assert_cmpstr (category_of (w, rules, "real@a"), ==, "PATCH");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/category/defaults", test_defaults);
  g_test_add_func ("/category/automatic", test_automatic);
  g_test_add_func ("/category/root-decides", test_root_decides);
  g_test_add_func ("/category/configured", test_configured);
  g_test_add_func ("/category/bad-rules", test_bad_rules);
  return g_test_run ();
}
