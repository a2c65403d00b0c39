/* Unit tests: aggregate/report/escape.c */
#include <string.h>
#include "escape.h"

static void
check (char *got, const char *want)
{
  g_assert_cmpstr (got, ==, want);
  g_free (got);
}

static void
test_line (void)
{
  check (md_escape_line ("  a\r\n\tb  \x01 c\xe2\x80\xae" "d\xff"), "a b cd\xef\xbf\xbd");
  check (md_escape_line ("line\xe2\x80\xa8sep"), "line sep");
  check (md_escape_line (NULL), "");
  check (md_escape_line_n ("abcdef", 3), "abc…");
  check (md_escape_line_n ("日本語テキスト", 4), "日本語テ…");
}

static void
test_markdown (void)
{
  /* what the mail says, as it says it, wherever Markdown reads it so */
  check (md_escape_md ("[PATCH v2 0/3] KVM: arm64: fix kvm_pgtable_stage2_unmap()"),
         "[PATCH v2 0/3] KVM: arm64: fix kvm_pgtable_stage2_unmap()");
  check (md_escape_md ("Thanks! a * b, x_{y}, __init"), "Thanks! a * b, x_{y}, __init");
  check (md_escape_md ("Marc <maz@kernel.org>"), "Marc \\<maz@kernel.org>");
  check (md_escape_md ("1 < 2 && a <= b"), "1 < 2 && a <= b");
  /* and escaped where Markdown would act */
  check (md_escape_md ("*b* _i_ `c` [l](u) <h> | ~x~ &amp; \\*"),
         "\\*b\\* \\_i\\_ \\`c\\` \\[l](u) \\<h> \\| \\~x\\~ \\&amp; \\\\\\*");
  check (md_escape_md ("2*3 x*"), "2\\*3 x\\*");
  check (md_escape_md ("[x]: y"), "\\[x]: y");
  check (md_escape_md ("ends with \\"), "ends with \\\\");
  check (md_escape_md ("issue #"), "issue \\#");
  check (md_escape_md ("see https://lore.kernel.org/r/<id>"),
         "see https://lore.kernel.org/r/<id\\>");
  /* What would open a block where a template puts the text. */
  check (md_escape_md ("- item"), "\\- item");
  check (md_escape_md ("-fno-pie"), "-fno-pie");
  check (md_escape_md ("+ item"), "\\+ item");
  check (md_escape_md ("==="), "\\===");
  check (md_escape_md ("=== x"), "=== x");
  check (md_escape_md ("# x"), "\\# x");
  check (md_escape_md ("#1 x"), "#1 x");
  check (md_escape_md ("> x"), "\\> x");
  check (md_escape_md ("12. x"), "12\\. x");
  check (md_escape_md ("3) x"), "3\\) x");
  check (md_escape_md ("5.10 x"), "5.10 x");
  check (md_escape_md ("2026 x"), "2026 x");
}

static void
test_blocks (void)
{
  check (md_escape_block ("a\r\nb\rc\n\x07\td\n\n\n"), "a\nb\nc\n\td");
  check (md_fence_block ("x\n```\ny"), "````\nx\n```\ny\n````");
  check (md_fence_block ("plain\n"), "```\nplain\n```");
  check (md_fence_block (""), "");
  check (md_code_span ("b4 am id@x"), "`b4 am id@x`");
  check (md_code_span ("a`b"), "``a`b``");
  check (md_code_span ("`x"), "`` `x ``");
}

static void
test_sanitize_markdown (void)
{
  check (md_sanitize_markdown ("# H\n  ## h2\nok <b>x</b> \\<i> a<b\n\n"),
         "\\# H\n  \\## h2\nok \\<b>x\\</b> \\<i> a\\<b");
  check (md_sanitize_markdown ("a\\\\<script>"), "a\\\\\\<script>");
  check (md_sanitize_markdown ("1 < 2 and <!-- c -->"), "1 < 2 and \\<!-- c -->");
  check (md_sanitize_markdown (NULL), "");
  /* a link reference definition would turn "[PATCH]" anywhere into a link */
  check (md_sanitize_markdown ("[PATCH v2 0/3]: https://x.test/\n [a]: b"),
         "\\[PATCH v2 0/3]: https://x.test/\n \\[a]: b");
}

static void
test_archive_url (void)
{
  const char *lore = "https://lore.kernel.org/{list}/{message_id}/";

  check (md_archive_url (lore, "kvmarm", "20260209.1-x@google.com"),
         "https://lore.kernel.org/kvmarm/20260209.1-x@google.com/");
  check (md_archive_url (lore, "kvm arm", "a/b+c<d>\"e\"(f)"),
         "https://lore.kernel.org/kvm%20arm/a%2Fb%2Bc%3Cd%3E%22e%22%28f%29/");
  check (md_archive_url ("https://x/{message_id}?q=<a b>", "l", "m"),
         "https://x/m?q=%3Ca%20b%3E");
  g_assert_null (md_archive_url ("", "l", "m"));
  g_assert_null (md_archive_url (NULL, "l", "m"));
  g_assert_true (md_archive_pattern_valid (lore));
  g_assert_true (md_archive_pattern_valid (""));
  g_assert_false (md_archive_pattern_valid ("javascript:alert(1)/{message_id}"));
  g_assert_false (md_archive_pattern_valid ("https://lore.kernel.org/{list}/"));
}

static void
test_patch_ref (void)
{
  check (md_patch_ref (3, 12), "03/12");
  check (md_patch_ref (0, 4), "0/4");
  check (md_patch_ref (7, 100), "007/100");
  check (md_patch_ref (1, 0), "");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/escape/line", test_line);
  g_test_add_func ("/escape/markdown", test_markdown);
  g_test_add_func ("/escape/blocks", test_blocks);
  g_test_add_func ("/escape/sanitize-markdown", test_sanitize_markdown);
  g_test_add_func ("/escape/archive-url", test_archive_url);
  g_test_add_func ("/escape/patch-ref", test_patch_ref);
  return g_test_run ();
}
