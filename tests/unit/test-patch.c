/* Unit tests: lib/patch.c, the functions a diff's hunks touch. */
#include <string.h>
#include "patch.h"

static const char two_files[] =
  "Move the walker.\n"
  "---\n"
  "diff --git a/virt/kvm/its.c b/virt/kvm/its.c\n"
  "--- a/virt/kvm/its.c\n"
  "+++ b/virt/kvm/its.c\n"
  "@@ -10,2 +10,2 @@ static int vgic_its_save_tables(struct kvm *kvm)\n"
  " a\n"
  "-b\n"
  "+c\n"
  "@@ -40,1 +40,1 @@ struct vgic_its {\n"
  "-d\n"
  "+e\n"
  "@@ -60,1 +60,1 @@ static int vgic_its_save_tables(struct kvm *kvm)\n"
  "-f\n"
  "+g\n"
  "@@ -80,1 +80,1 @@\n"
  "-h\n"
  "+i\n"
  "diff --git a/x.h b/x.h\n"
  "--- a/x.h\n"
  "+++ b/x.h\n"
  "@@ -1 +1 @@ #define FOO(x) ((x) + 1)\n"
  "-j\n"
  "+k\n"
  "@@ -5 +5 @@ void (*handler) (int)\n"
  "-l\n"
  "+m\n"
  "@@ -9 +9 @@ int  __init\tkvm_arm_init (void)\n"
  "-n\n"
  "+o\n";

static void
split (const char *text, MdPatch *p)
{
  md_patch_init (p);
  md_patch_split (text, strlen (text), FALSE, p);
}

static void
test_functions (void)
{
  MdPatch p;
  const char *want[] = { "vgic_its_save_tables", "struct vgic_its {", "FOO",
                         "void (*handler) (int)", "kvm_arm_init" };

  split (two_files, &p);
  g_assert_true (p.found);
  g_assert_cmpuint (p.files->len, ==, 2);
  /* named once, in order; no entry for a hunk without context; a
   * context with no name before its "(" is kept whole */
  g_assert_cmpuint (p.functions->len, ==, G_N_ELEMENTS (want));
  for (guint i = 0; i < G_N_ELEMENTS (want); i++)
    g_assert_cmpstr (p.functions->pdata[i], ==, want[i]);
  md_patch_clear (&p);
}

/* "@@" lines outside a diff, or quoted, name nothing. */
static void
test_no_diff_no_functions (void)
{
  MdPatch p;

  split ("Hi,\n@@ -1 +1 @@ int foo(void)\n> @@ -1 +1 @@ int bar(void)\nThanks\n", &p);
  g_assert_false (p.found);
  g_assert_cmpuint (p.functions->len, ==, 0);
  md_patch_clear (&p);
}

/* Hostile contexts: control bytes, invalid UTF-8, huge lines, thousands
 * of hunks.  The list stays bounded, one line each, valid UTF-8. */
static void
test_bounded (void)
{
  g_autoptr (GString) t = g_string_new ("diff --git a/a.c b/a.c\n--- a/a.c\n+++ b/a.c\n");
  g_autofree char *huge = g_strnfill (5000, 'x');
  MdPatch p;

  g_string_append_printf (t, "@@ -1 +1 @@ %s(int)\n-a\n+b\n", huge);
  g_string_append (t, "@@ -1 +1 @@ a\x01" "b\x1b[31m \xff\xfe { \xe4\xb8\n-a\n+b\n");
  g_string_append_printf (t, "@@ -1 +1 @@ struct %s {\n-a\n+b\n", huge);
  for (guint i = 0; i < 1000; i++)
    g_string_append_printf (t, "@@ -1 +1 @@ static void f%u(void)\n-a\n+b\n", i);
  split (t->str, &p);
  g_assert_cmpuint (p.functions->len, ==, MD_PATCH_MAX_FUNCS);
  for (guint i = 0; i < p.functions->len; i++)
    {
      const char *f = p.functions->pdata[i];
      g_assert_cmpuint (strlen (f), <=, MD_PATCH_MAX_FUNC);
      g_assert_cmpuint (strlen (f), >, 0);
      g_assert_true (g_utf8_validate (f, -1, NULL));
      g_assert_null (strpbrk (f, "\n\r\t\x01\x1b"));
    }
  g_assert_true (g_str_has_prefix (p.functions->pdata[0], "xxxx"));
  g_assert_true (g_str_has_prefix (p.functions->pdata[1], "a"));
  g_assert_true (g_str_has_prefix (p.functions->pdata[2], "struct xxx"));
  g_assert_cmpstr (p.functions->pdata[3], ==, "f0");
  g_assert_cmpstr (p.functions->pdata[MD_PATCH_MAX_FUNCS - 1], ==, "f60");
  md_patch_clear (&p);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/patch/functions", test_functions);
  g_test_add_func ("/patch/no-diff-no-functions", test_no_diff_no_functions);
  g_test_add_func ("/patch/bounded", test_bounded);
  return g_test_run ();
}
