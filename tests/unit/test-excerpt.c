/* Unit tests: aggregate/summary/excerpt.c */
#include "excerpt.h"

static void
check (char *got, const char *want)
{
  g_assert_cmpstr (got, ==, want);
  g_free (got);
}

static void
test_reply (void)
{
  const char *body =
    "Hi Marc,\n\n"
    "On Tue, Feb 10, 2026 at 12:52:00PM +0000, Marc Zyngier\n"
    "wrote:\n"
    "> quoted context\n"
    "> more\n\n"
    "This breaks the nVHE build.\n"
    "Please move the helper.\n"
    "A third line.\n\n"
    "> later quote\n\nLater remark.\n\n"
    "Thanks,\nWill\n";

  check (md_excerpt (body, 0, 0), "This breaks the nVHE build. Please move the helper. A third line.");
  check (md_excerpt (body, 2, 0), "This breaks the nVHE build. Please move the helper.");
  check (md_excerpt (body, 0, 30), "This breaks the nVHE build.…");
}

static void
test_noise_only (void)
{
  g_assert_null (md_excerpt ("Reviewed-by: A <a@b.c>\n", 0, 0));
  g_assert_null (md_excerpt ("> all quoted\n> here\n", 0, 0));
  g_assert_null (md_excerpt ("Thanks for the patch!\n\nAcked-by: X <x@y>\n", 0, 0));
  g_assert_null (md_excerpt ("For the series:\n\nTested-by: X <x@y>\n", 0, 0));
  g_assert_null (md_excerpt ("> quote\n\nAcked-by: W <w@k>\n\nWill\n", 0, 0));
  g_assert_null (md_excerpt ("From: James Morse <j@a>\n", 0, 0));
  g_assert_null (md_excerpt ("", 0, 0));
  g_assert_null (md_excerpt (NULL, 0, 0));
}

static void
test_stops (void)
{
  check (md_excerpt ("Applied, thanks!\n[1/2] x\n-- \nsig\n", 0, 0), "Applied, thanks! [1/2] x");
  check (md_excerpt ("Looks good.\nCheers,\nM.\n", 0, 0), "Looks good.");
  check (md_excerpt ("Filed a ticket to get this cleaned\nup.\n", 0, 0),
         "Filed a ticket to get this cleaned up.");
  check (md_excerpt ("Fix the thing.\nSigned-off-by: A <a@b>\n", 0, 0), "Fix the thing.");
  check (md_excerpt ("Hello,\nshort patch.\n---\n v2: x\n", 0, 0), "short patch.");
  check (md_excerpt ("Hi,\n\nThanks, applied.\n", 0, 0), "Thanks, applied.");
  check (md_excerpt ("你好，\n\n这个补丁破坏了构建。\n", 0, 0), "这个补丁破坏了构建。");
  check (md_excerpt ("Paolo,\n\nHere's the second set of fixes.\n", 0, 0),
         "Here's the second set of fixes.");
  check (md_excerpt ("commit 5c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f6a7b8c9d upstream.\n\nA NULL irq.\n", 0, 0),
         "A NULL irq.");
}

static void
test_changes (void)
{
  const char *cover =
    "Intro.\n\n"
    "Changes since v2:\n"
    " - Drop the lock (Bob)\n"
    " - Rebase\n\n"
    "Changes since v1:\n - old\n";
  const char *inline_log =
    "Intro.\n\n- V12: Rebase on kvm-next\n       and fix a race.\n- V11: older\n";
  const char *arrow = "x\nv2 -> v3:\n * one\n * two\nv1 -> v2:\n * zero\n";

  check (md_excerpt_changes (cover, "3", 0, 0), "- Drop the lock (Bob) - Rebase");
  check (md_excerpt_changes (cover, "2", 0, 0), "- Drop the lock (Bob) - Rebase");
  check (md_excerpt_changes (inline_log, "12", 0, 0), "Rebase on kvm-next and fix a race.");
  check (md_excerpt_changes (arrow, "3", 0, 0), "* one * two");
  check (md_excerpt_changes (arrow, "3", 1, 0), "* one");
  g_assert_null (md_excerpt_changes (cover, "5", 0, 0));
  g_assert_null (md_excerpt_changes (cover, NULL, 0, 0));
  g_assert_null (md_excerpt_changes ("> v3:\n> quoted\n", "3", 0, 0));
  /* G_MAXSIZE means no bound: the text comes back whole (it once cut at
   * offset -1, reading before the string) */
  check (md_excerpt_changes (cover, "3", 0, G_MAXSIZE), "- Drop the lock (Bob) - Rebase");
  check (md_excerpt_changes (cover, "3", 0, 8), "- Drop…");
}

static void
test_from_line (void)
{
  const char *body = "On Fri, X wrote:\n> Applied to next, thanks!\n\n"
                     "Applied to next, thanks! I folded in the\n  fix Bob asked for.\n\nM.\n";

  check (md_excerpt_from (body, "Applied to next, thanks! I folded in the", 2, 0),
         "Applied to next, thanks! I folded in the fix Bob asked for.");
  check (md_excerpt_from (body, "not in the body", 2, 0), "not in the body");
  g_assert_null (md_excerpt_from (body, NULL, 2, 0));
}

static void
test_trailer (void)
{
  g_assert_true (md_excerpt_is_trailer ("Reviewed-by: A <a@b>"));
  g_assert_true (md_excerpt_is_trailer ("Co-developed-by: A <a@b>"));
  g_assert_true (md_excerpt_is_trailer ("Fixes: 0123456789ab (\"x\")"));
  g_assert_false (md_excerpt_is_trailer ("Reviewed the code: fine"));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/excerpt/reply", test_reply);
  g_test_add_func ("/excerpt/noise-only", test_noise_only);
  g_test_add_func ("/excerpt/stops", test_stops);
  g_test_add_func ("/excerpt/changes", test_changes);
  g_test_add_func ("/excerpt/from-line", test_from_line);
  g_test_add_func ("/excerpt/trailer", test_trailer);
  return g_test_run ();
}
