/* Unit tests: lib/subject.c
 *
 * A table of every tag form we know (the ones in subject.h, issue 2 and
 * the real subjects of the corpus's tricky/ folder), hostile input, the
 * series key, and a loop over the real corpus subjects.
 */
#include <string.h>
#include <gmime/gmime.h>
#include "subject.h"

/* R reply, F forward, P patch, C rfc, S resend, G git pull */
typedef struct {
  const char *subject;
  const char *flags;
  guint version, index, total;
  const char *version_str, *project, *title;
} Case;

static const Case cases[] = {
  /* the forms of subject.h and issue 2 */
  { "[PATCH v3 04/25] KVM: arm64: Fix foo", "P", 3, 4, 25, "3", NULL, "KVM: arm64: Fix foo" },
  { "[RFC PATCH] arm64: bar", "PC", 1, 0, 0, NULL, NULL, "arm64: bar" },
  { "[PATCH kvmtool v6 0/6] arm64: SVE", "P", 6, 0, 6, "6", "kvmtool", "arm64: SVE" },
  { "[kvmtool PATCH v2 1/3] virtio: x", "P", 2, 1, 3, "2", "kvmtool", "virtio: x" },
  { "[kvm-unit-tests PATCH v2 00/18] arm: pmu", "P", 2, 0, 18, "2", "kvm-unit-tests", "arm: pmu" },
  { "[6.1 PATCH RESEND] KVM: fix", "PS", 1, 0, 0, NULL, "6.1", "KVM: fix" },
  { "[RFC][PATCH] x", "PC", 1, 0, 0, NULL, NULL, "x" },
  { "[PATCH RFC v3] x", "PC", 3, 0, 0, "3", NULL, "x" },
  { "[PATCHv2] x", "P", 2, 0, 0, "2", NULL, "x" },
  { "[PATCH 1/6 v2] sh: Move cmpxchg-xchg.h to asm-generic", "P", 2, 1, 6, "2", NULL,
    "sh: Move cmpxchg-xchg.h to asm-generic" },
  { "[PATCH v1.1] x", "P", 1, 0, 0, "1.1", NULL, "x" },
  { "[GIT PULL] KVM/arm64 fixes for 6.19, take #2", "G", 1, 0, 0, NULL, NULL,
    "KVM/arm64 fixes for 6.19, take #2" },
  { "[GIT PULL 1/3] bcm2835-dt-next-2019-10-15", "G", 1, 1, 3, NULL, NULL, "bcm2835-dt-next-2019-10-15" },
  { "[PATCH net-next] x", "P", 1, 0, 0, NULL, "net-next", "x" },
  { "[PATCH -next] KVM: arm: remove duplicate include", "P", 1, 0, 0, NULL, "next",
    "KVM: arm: remove duplicate include" },
  { "[PATCH for-next v2] x", "P", 2, 0, 0, "2", "for-next", "x" },
  { "[PATCH V2] KVM: arm64: Implement vq_present() as a macro", "P", 2, 0, 0, "2", NULL,
    "KVM: arm64: Implement vq_present() as a macro" },
  { "[RESEND PATCH] KVM: arm: VGIC", "PS", 1, 0, 0, NULL, NULL, "KVM: arm: VGIC" },
  { "[PATCH 0/3] x", "P", 1, 0, 3, NULL, NULL, "x" },
  { "[PATCH v2 RESEND 2/5] x", "PS", 2, 2, 5, "2", NULL, "x" },
  { "[QEMU PATCH] x", "P", 1, 0, 0, NULL, "QEMU", "x" },
  { "[PATCH QEMU v2] x", "P", 2, 0, 0, "2", "QEMU", "x" },
  { "[QEMU][PATCH v2 3/4] x", "P", 2, 3, 4, "2", "QEMU", "x" },
  { "[PATCH v3 4 / 25] spaced numbering", "P", 3, 4, 25, "3", NULL, "spaced numbering" },
  { "[PATCH 6.1.y 1/2] x", "P", 1, 1, 2, NULL, "6.1.y", "x" },
  { "[PATCH 5.10.y] x", "P", 1, 0, 0, NULL, "5.10.y", "x" },
  /* real forms from the corpus (tricky/MANIFEST.tsv) */
  { "[Patch v3 0/7] Introduce TEE based Trusted Keys support", "P", 3, 0, 7, "3", NULL,
    "Introduce TEE based Trusted Keys support" },
  { "[RFC PATCH V2] kvm: arm64: export", "PC", 2, 0, 0, "2", NULL, "kvm: arm64: export" },
  { "[RFC PATCH kvmtool v3 0/3] SPE support", "PC", 3, 0, 3, "3", "kvmtool", "SPE support" },
  { "[kvm-unit-tests RFC PATCH 00/16] arm64: Run at EL2", "PC", 1, 0, 16, NULL,
    "kvm-unit-tests", "arm64: Run at EL2" },
  { "[kvm-unit-tests PATCH] arm: timer", "P", 1, 0, 0, NULL, "kvm-unit-tests", "arm: timer" },
  { "[PATCH v5.5 00/30] KVM: Scalable memslots implementation", "P", 5, 0, 30, "5.5", NULL,
    "KVM: Scalable memslots implementation" },
  { "[PATCH -next 000/491] treewide: use fallthrough;", "P", 1, 0, 491, NULL, "next",
    "treewide: use fallthrough;" },
  { "[PATCH kernel v2] KVM: PPC: x", "P", 2, 0, 0, "2", "kernel", "KVM: PPC: x" },
  { "[PATCH net, v2 1/2] net: ethernet: x", "P", 2, 1, 2, "2", "net", "net: ethernet: x" },
  { "[PATCH v2 17/18, KVMTOOL] update_headers: x", "P", 2, 17, 18, "2", "KVMTOOL", "update_headers: x" },
  { "[PATCH resend 1/2] KVM: arm64: x", "PS", 1, 1, 2, NULL, NULL, "KVM: arm64: x" },
  { "[GIT PULL 00/23] KVM/arm updates for 5.6", "G", 1, 0, 23, NULL, NULL, "KVM/arm updates for 5.6" },
  { "[RFCv3 3/3] interconnect: imx", "C", 3, 3, 3, "3", NULL, "interconnect: imx" },
  { "[RFC 1/2] vfio/pci: keep", "C", 1, 1, 2, NULL, NULL, "vfio/pci: keep" },
  { "[PATCH/RFC] ARM: boot: Relax", "PC", 1, 0, 0, NULL, NULL, "ARM: boot: Relax" },
  { "[PATCH, RESEND] serial: 8250-mtk", "PS", 1, 0, 0, NULL, NULL, "serial: 8250-mtk" },
  { "Re: (subset) [PATCH 0/2] __do_hyp_init fix and tweak", "RP", 1, 0, 2, NULL, NULL,
    "__do_hyp_init fix and tweak" },
  { "Re: [tech-privileged] [RFC PATCH V1] riscv-privileged: x", "RPC", 1, 0, 0, "1",
    "tech-privileged", "riscv-privileged: x" },
  { "RE: [PATCH RFC 11/14] arm64: Move", "RPC", 1, 11, 14, NULL, NULL, "arm64: Move" },
  { "Aw: Re: [PATCH] mfd: mt6397", "RP", 1, 0, 0, NULL, NULL, "mfd: mt6397" },
  { "Aw:Dringende Antwort erforderlich", "R", 1, 0, 0, NULL, NULL, "Dringende Antwort erforderlich" },
  { "FW: Re: [PATCH 07/37] KVM: arm64: x", "RFP", 1, 7, 37, NULL, NULL, "KVM: arm64: x" },
  { "Fw: Norah Colly", "F", 1, 0, 0, NULL, NULL, "Norah Colly" },
  { "Fwd: [PATCH 29/46] Input: x", "FP", 1, 29, 46, NULL, NULL, "Input: x" },
  { "Re:Re: Re: about the ptep_set_access_flags()", "R", 1, 0, 0, NULL, NULL,
    "about the ptep_set_access_flags()" },
  { "RE:PERSONAL LETTER", "R", 1, 0, 0, NULL, NULL, "PERSONAL LETTER" },
  { "Re:", "R", 1, 0, 0, NULL, NULL, "" },
  /* reply and forward prefixes */
  { "re: [PATCH] x", "RP", 1, 0, 0, NULL, NULL, "x" },
  { "Re[2]: x", "R", 1, 0, 0, NULL, NULL, "x" },
  { "SV: x", "R", 1, 0, 0, NULL, NULL, "x" },
  { "Antw: x", "R", 1, 0, 0, NULL, NULL, "x" },
  { "回复: [PATCH v2] 修复", "RP", 2, 0, 0, "2", NULL, "修复" },
  { "答复：x", "R", 1, 0, 0, NULL, NULL, "x" },
  { "WG: AW: x", "RF", 1, 0, 0, NULL, NULL, "x" },
  { "Re: [PATCH] Re: foo", "RP", 1, 0, 0, NULL, NULL, "foo" },
  { "Re : x", "R", 1, 0, 0, NULL, NULL, "x" },
  /* not tags: ordinary brackets and words stay in the title */
  { "[Bug 12345] kvm crashes", "", 1, 0, 0, NULL, NULL, "[Bug 12345] kvm crashes" },
  { "Re: [Bug 12345] kvm crashes", "R", 1, 0, 0, NULL, NULL, "[Bug 12345] kvm crashes" },
  { "[ANNOUNCE] QEMU 9.0", "", 1, 0, 0, NULL, NULL, "[ANNOUNCE] QEMU 9.0" },
  { "[v2] lonely version", "", 1, 0, 0, NULL, NULL, "[v2] lonely version" },
  { "[PATCH] [Bug 1] x", "P", 1, 0, 0, NULL, NULL, "[Bug 1] x" },
  { "KVM: arm64: Re: x", "", 1, 0, 0, NULL, NULL, "KVM: arm64: Re: x" },
  { "Reference count on pages", "", 1, 0, 0, NULL, NULL, "Reference count on pages" },
  { "撤回: [PATCH] x", "", 1, 0, 0, NULL, NULL, "撤回: [PATCH] x" },
  { "[PATCHWORK] x", "", 1, 0, 0, NULL, NULL, "[PATCHWORK] x" },
  { "[PATCH a b c d] too many words", "", 1, 0, 0, NULL, NULL, "[PATCH a b c d] too many words" },
  /* whitespace, hostile numbers, unbalanced brackets */
  { "  [PATCH]\t  spaced \r\n  out  ", "P", 1, 0, 0, NULL, NULL, "spaced out" },
  { "[PATCH 99999999/1] x", "P", 1, 65535, 1, NULL, NULL, "x" },
  { "[PATCH v99999999999999] x", "P", 65535, 0, 0, "99999999999999", NULL, "x" },
  { "[PATCH v2 1/99999999999999999999999] x", "P", 2, 1, 65535, "2", NULL, "x" },
  { "[PATCH x", "", 1, 0, 0, NULL, NULL, "[PATCH x" },
  { "[PATCH] x]", "P", 1, 0, 0, NULL, NULL, "x]" },
  { "[[PATCH]] x", "", 1, 0, 0, NULL, NULL, "[[PATCH]] x" },
  { "[]", "", 1, 0, 0, NULL, NULL, "[]" },
  { "[PATCH]", "P", 1, 0, 0, NULL, NULL, "" },
  { "", "", 1, 0, 0, NULL, NULL, "" },
};

static void
check_case (const Case *c)
{
  MdSubjectTags t = { 0 };

  md_subject_parse (c->subject, &t);
  g_test_message ("subject: %s", c->subject);
  g_assert_cmpint (t.reply, ==, strchr (c->flags, 'R') != NULL);
  g_assert_cmpint (t.forward, ==, strchr (c->flags, 'F') != NULL);
  g_assert_cmpint (t.patch, ==, strchr (c->flags, 'P') != NULL);
  g_assert_cmpint (t.rfc, ==, strchr (c->flags, 'C') != NULL);
  g_assert_cmpint (t.resend, ==, strchr (c->flags, 'S') != NULL);
  g_assert_cmpint (t.git_pull, ==, strchr (c->flags, 'G') != NULL);
  g_assert_cmpuint (t.version, ==, c->version);
  g_assert_cmpuint (t.index, ==, c->index);
  g_assert_cmpuint (t.total, ==, c->total);
  g_assert_cmpstr (t.version_str, ==, c->version_str);
  g_assert_cmpstr (t.project, ==, c->project);
  g_assert_cmpstr (t.title, ==, c->title);
  md_subject_tags_clear (&t);
}

static void
test_table (void)
{
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    check_case (&cases[i]);
}

/* Parsing into used tags replaces, never leaks or keeps old fields. */
static void
test_reuse (void)
{
  MdSubjectTags t = { 0 };

  md_subject_parse ("[PATCH kvmtool v2 1/3] a", &t);
  md_subject_parse ("plain", &t);
  g_assert_null (t.project);
  g_assert_null (t.version_str);
  g_assert_cmpuint (t.version, ==, 1);
  g_assert_cmpuint (t.total, ==, 0);
  g_assert_false (t.patch);
  g_assert_cmpstr (t.title, ==, "plain");
  md_subject_tags_clear (&t);
  md_subject_parse (NULL, &t);
  g_assert_cmpstr (t.title, ==, "");
  md_subject_tags_clear (&t);
}

static char *
key_of (const char *subject)
{
  MdSubjectTags t = { 0 };
  char *key;

  md_subject_parse (subject, &t);
  key = md_subject_series_key (&t);
  md_subject_tags_clear (&t);
  return key;
}

static void
test_series_key (void)
{
  g_autofree char *a = key_of ("[PATCH v2 0/4] KVM: arm64: Fix  the  VMID  allocator.");
  g_autofree char *b = key_of ("Re: [PATCH v3 0/4] kvm: ARM64: fix the vmid allocator");
  g_autofree char *c = key_of ("[PATCH 0/3] KVM: arm64: Fix the VMID allocator rework");
  g_autofree char *d = key_of ("[PATCH] Ünïcode TITLE …");
  g_autofree char *e = key_of ("[PATCH] ...");

  g_assert_cmpstr (a, ==, "kvm: arm64: fix the vmid allocator");
  g_assert_cmpstr (a, ==, b);
  g_assert_cmpstr (a, !=, c);
  g_assert_cmpstr (d, ==, "ünïcode title");
  g_assert_cmpstr (e, ==, "");
}

/* Odd bytes, huge subjects and deep prefix chains: no crash, valid
 * UTF-8 out, time linear in the input. */
static void
test_hostile (void)
{
  GString *big = g_string_new (NULL);
  MdSubjectTags t = { 0 };
  gint64 start = g_get_monotonic_time ();

  for (int i = 0; i < 20000; i++)
    g_string_append (big, "Re: [PATCH v2 ");
  md_subject_parse (big->str, &t);
  g_assert_true (t.reply);
  g_assert_true (g_utf8_validate (t.title, -1, NULL));
  g_string_truncate (big, 0);
  for (int i = 0; i < 20000; i++)
    g_string_append (big, "Re: [PATCH v2 1/2] ");
  g_string_append (big, "\xff\xfe tail [");
  md_subject_parse (big->str, &t);
  g_assert_true (t.patch);
  g_assert_true (g_utf8_validate (t.title, -1, NULL));
  g_assert_true (g_str_has_suffix (t.title, " tail ["));
  g_string_free (big, TRUE);
  big = g_string_new ("[");
  for (int i = 0; i < 200000; i++)
    g_string_append_c (big, (char) (1 + i % 255));
  md_subject_parse (big->str, &t);
  g_assert_true (g_utf8_validate (t.title, -1, NULL));
  g_assert_cmpint (g_get_monotonic_time () - start, <, 5 * G_USEC_PER_SEC);
  md_subject_tags_clear (&t);
  g_string_free (big, TRUE);
}

/* ---- the real corpus ---------------------------------------------- */

static char *
corpus_dir (void)
{
  const char *env = g_getenv ("MLDIGEST_CORPUS");
  return g_build_filename (env != NULL ? env : "../shared/corpus", "tricky", NULL);
}

/* Plain unrefs: GMime 3.2 declares no autoptr cleanups and this test
 * should not define ones that lib/ may declare later. */
static char *
file_subject (const char *path)
{
  GMimeStream *stream = g_mime_stream_file_open (path, "rb", NULL);
  GMimeParser *parser;
  GMimeMessage *msg;
  char *subject = NULL;

  if (stream == NULL)
    return NULL;
  parser = g_mime_parser_new_with_stream (stream);
  msg = g_mime_parser_construct_message (parser, NULL);
  if (msg != NULL)
    subject = g_strdup (g_mime_message_get_subject (msg));
  g_clear_object (&msg);
  g_object_unref (parser);
  g_object_unref (stream);
  return subject;
}

/* Does SUBJECT hold text beyond its bracket groups and prefixes? */
static gboolean
has_words_after_tags (const char *subject)
{
  const char *close = strrchr (subject, ']');
  return close != NULL && strspn (close + 1, " \t") < strlen (close + 1);
}

static void
check_corpus_subject (const char *subject, guint *patches)
{
  MdSubjectTags t = { 0 };
  g_autofree char *key = NULL;

  md_subject_parse (subject, &t);
  g_test_message ("corpus subject: %s", subject);
  g_assert_true (g_utf8_validate (t.title, -1, NULL));
  g_assert_null (strpbrk (t.title, "\t\r\n"));
  if (t.patch || t.git_pull)
    {
      (*patches)++;
      g_assert_cmpuint (t.version, <, 100);
      g_assert_cmpuint (t.total, <, 1000);
      g_assert_cmpuint (t.index, <=, t.total);
      if (has_words_after_tags (subject))
        g_assert_cmpstr (t.title, !=, "");
      g_assert_null (strstr (t.title, "[PATCH"));
    }
  key = md_subject_series_key (&t);
  g_assert_true (g_utf8_validate (key, -1, NULL));
  md_subject_tags_clear (&t);
}

static void
test_corpus (void)
{
  g_autofree char *dir = corpus_dir ();
  g_autoptr (GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;
  guint files = 0, patches = 0;

  if (d == NULL)
    {
      g_test_skip ("real-mail corpus not found (set MLDIGEST_CORPUS)");
      return;
    }
  while ((name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);
      g_autofree char *subject = NULL;
      if (!g_ascii_isdigit (name[0]) || (subject = file_subject (path)) == NULL)
        continue;
      files++;
      check_corpus_subject (subject, &patches);
    }
  g_test_message ("%u corpus subjects, %u tagged as patches or pulls", files, patches);
  g_assert_cmpuint (files, >, 200);
  g_assert_cmpuint (patches, >, files / 2);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_mime_init ();
  g_test_add_func ("/subject/table", test_table);
  g_test_add_func ("/subject/reuse", test_reuse);
  g_test_add_func ("/subject/series-key", test_series_key);
  g_test_add_func ("/subject/hostile", test_hostile);
  g_test_add_func ("/subject/corpus", test_corpus);
  return g_test_run ();
}
