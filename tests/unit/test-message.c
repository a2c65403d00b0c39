/* Unit tests: lib/message.c and the stages it drives (body.c, html.c,
 * patch.c, trailers.c, bodytrim.c, text.c), on synthetic messages. */
#include <string.h>
#include "error.h"
#include "message.h"
#include "html.h"
#include "trailers.h"

#define ARRIVAL 1700000000   /* 2023-11-14T22:13:20Z */

static void
assert_record_sane (const MdRecord *r)
{
  const char *single[] = { r->message_id, r->subject, r->from_name, r->from_email };
  for (gsize i = 0; i < G_N_ELEMENTS (single); i++)
    {
      g_assert_nonnull (single[i]);
      g_assert_true (g_utf8_validate (single[i], -1, NULL));
      g_assert_null (strpbrk (single[i], "\r\n\t"));
    }
  g_assert_true (g_utf8_validate (r->body, -1, NULL));
  g_assert_cmpuint (strlen (r->body), <=, 64 * 1024);
  if (r->commit_msg)
    g_assert_true (g_utf8_validate (r->commit_msg, -1, NULL));
  if (r->diffstat)
    g_assert_true (g_utf8_validate (r->diffstat, -1, NULL));
  for (guint i = 0; i < r->recipients->len; i++)
    g_assert_true (g_utf8_validate (r->recipients->pdata[i], -1, NULL));
}

static MdRecord *
parse_len (const char *text, gsize len, const char *list)
{
  MdParseOptions opts = { list, ARRIVAL, FALSE };
  g_autoptr (GError) err = NULL;
  MdRecord *r = md_message_parse (text, len, &opts, &err);
  g_assert_no_error (err);
  g_assert_nonnull (r);
  assert_record_sane (r);
  return r;
}

static MdRecord *
parse (const char *text)
{
  return parse_len (text, strlen (text), NULL);
}

static void
assert_rejected (const char *text, gsize len)
{
  g_autoptr (GError) err = NULL;
  MdRecord *r = md_message_parse (text, len, NULL, &err);
  g_assert_null (r);
  g_assert_error (err, MD_ERROR, MD_ERROR_DATA);
}

static gboolean
has_str (GPtrArray *a, const char *s)
{
  for (guint i = 0; i < a->len; i++)
    if (strcmp (a->pdata[i], s) == 0)
      return TRUE;
  return FALSE;
}

/* ---- headers ---- */

static void
test_headers (void)
{
  g_autoptr (MdRecord) r = parse (
    "From: =?UTF-8?q?Philippe=20Mathieu-Daud=C3=A9?= <F4BUG@Amsat.org>\n"
    "To: Marc <Maz@Kernel.org>, group: a@x.org, b@y.org;\n"
    "Cc: \"=?iso-8859-1?Q?Daniel_P_=2E_Berrang=E9?=\" <berrange@redhat.com>, maz@kernel.org\n"
    "Subject: Re: [PATCH v3 04/25] KVM: arm64: fix a very long subject that\n"
    "\tis folded\n"
    "  twice\n"
    "Message-ID: <20200904.123@Kernel.ORG>+junk\n"
    "In-Reply-To: <p@x.org> (Marc Zyngier's message of \"Fri, 4 Sep 2020\")\n"
    "References: <r@x.org><p@x.org>\n"
    "Date: Fri, 4 Sep 2020 11:45:28 -0000\n"
    "List-Id: Linux KVM ARM <kvmarm.lists.cs.columbia.edu>\n"
    "\n"
    "Hello.\n");

  g_assert_cmpstr (r->from_name, ==, "Philippe Mathieu-Daudé");
  g_assert_cmpstr (r->from_email, ==, "f4bug@amsat.org");
  g_assert_cmpstr (r->subject, ==, "Re: [PATCH v3 04/25] KVM: arm64: fix a very long subject that is folded twice");
  g_assert_cmpstr (r->message_id, ==, "20200904.123@kernel.org");
  g_assert_cmpstr (r->in_reply_to, ==, "p@x.org");
  g_assert_cmpuint (r->references->len, ==, 2);
  g_assert_cmpstr (r->references->pdata[0], ==, "r@x.org");
  g_assert_cmpint (r->date, ==, 1599219928);
  g_assert_cmpint (r->arrival, ==, ARRIVAL);
  g_assert_cmpuint (r->flags & (MD_REC_DATE_FALLBACK | MD_REC_ID_SYNTHETIC | MD_REC_CHARSET_GUESSED), ==, 0);
  g_assert_cmpuint (r->recipients->len, ==, 4);
  g_assert_true (has_str (r->recipients, "maz@kernel.org"));
  g_assert_true (has_str (r->recipients, "a@x.org"));
  g_assert_true (has_str (r->recipients, "berrange@redhat.com"));
  g_assert_cmpuint (r->list_ids->len, ==, 1);
  g_assert_cmpstr (r->list_ids->pdata[0], ==, "kvmarm.lists.cs.columbia.edu");
  g_assert_cmpuint (r->lists->len, ==, 1);
  g_assert_cmpstr (r->lists->pdata[0], ==, "kvmarm");
  g_assert_cmpstr (r->body, ==, "Hello.");
}

static void
check_subject (const char *encoded, const char *want)
{
  g_autofree char *msg = g_strdup_printf ("From: a@b.c\nSubject: %s\n\nx\n", encoded);
  g_autoptr (MdRecord) r = parse (msg);
  g_assert_cmpstr (r->subject, ==, want);
}

static void
test_encoded_words (void)
{
  check_subject ("=?GB2312?B?xOO6ww==?=", "你好");
  check_subject ("=?ISO-2022-JP?B?GyRCRnxLXDhsGyhC?=", "日本語");
  check_subject ("=?iso-8859-2?B?o/NkvA==?=", "Łódź");
  check_subject ("=?windows-1251?B?z/Do4uXy?=", "Привет");
  check_subject ("=?euc-kr?B?x9GxuQ==?=", "한국");
  check_subject ("=?ks_c_5601-1987?B?x9GxuQ==?=", "한국");
  check_subject ("=?GBK?B?6UY=?=", "镕");
  check_subject ("=?iso-8859-15?q?=A4uro?=", "€uro");
  /* adjacent words join without the white space between them */
  check_subject ("Re: =?UTF-8?Q?kvm=5Fpmu=5Fvc?=\n =?UTF-8?Q?pu=5Finit=28=29?= done",
                 "Re: kvm_pmu_vcpu_init() done");
  check_subject ("=?us-ascii?Q?plain_ascii?=", "plain ascii");
  /* control characters decoded from a word never reach the record */
  check_subject ("=?UTF-8?Q?a=0D=0Ab=09c?=", "a b c");
}

static void
test_raw_8bit_headers (void)
{
  g_autoptr (MdRecord) utf8 = parse ("From: J\xc3\xb6rg <j@x.de>\nSubject: caf\xc3\xa9\n\nx\n");
  g_assert_cmpstr (utf8->subject, ==, "café");
  g_assert_cmpstr (utf8->from_name, ==, "Jörg");
  g_assert_false (md_record_has_flag (utf8, MD_REC_CHARSET_GUESSED));

  g_autoptr (MdRecord) latin = parse ("From: J\xf6rg <j@x.de>\nSubject: caf\xe9 \x80\n\nx\n");
  g_assert_cmpstr (latin->subject, ==, "café €");
  g_assert_cmpstr (latin->from_name, ==, "Jörg");
  g_assert_true (md_record_has_flag (latin, MD_REC_CHARSET_GUESSED));

  /* the declared charset of the text is the better hint */
  g_autoptr (MdRecord) gbk = parse ("From: a@b.c\nSubject: \xb2\xe2\xca\xd4\xd3\xca\xbc\xfe\n"
                                    "Content-Type: text/plain; charset=GBK\n\nx\n");
  g_assert_cmpstr (gbk->subject, ==, "测试邮件");
  g_assert_false (md_record_has_flag (gbk, MD_REC_CHARSET_GUESSED));
}

static void
test_body_charsets (void)
{
  /* German labelled windows-874: the label is wrong, the text guessed */
  g_autoptr (MdRecord) wrong = parse ("From: a@b.c\nContent-Type: text/plain; charset=windows-874\n\n"
                                      "f\xfcr \xfc" "ber Gr\xfc\xdf" "e\n");
  g_assert_cmpstr (wrong->body, ==, "für über Grüße");
  g_assert_true (md_record_has_flag (wrong, MD_REC_CHARSET_GUESSED));
  /* one bad byte in right-labelled text stays one replacement character */
  g_autoptr (MdRecord) one = parse ("From: a@b.c\nContent-Type: text/plain; charset=gbk\n\n"
                                    "\xb2\xe2\xca\xd4\xff\xd3\xca\xbc\xfe\n");
  g_assert_cmpstr (one->body, ==, "测试\xEF\xBF\xBD邮件");
  g_assert_false (md_record_has_flag (one, MD_REC_CHARSET_GUESSED));
  g_autoptr (MdRecord) jp = parse ("From: a@b.c\nContent-Type: text/plain; charset=iso-2022-jp\n\n"
                                   "\x1b$BF|K\\8l\x1b(B\n");
  g_assert_cmpstr (jp->body, ==, "日本語");
  g_autoptr (MdRecord) unknown = parse ("From: a@b.c\nContent-Type: text/plain; charset=x-no-such\n\n"
                                        "caf\xc3\xa9\n");
  g_assert_cmpstr (unknown->body, ==, "café");
}

static void
test_missing_message_id (void)
{
  const char *m = "From: a@b.c\nSubject: no id\nDate: Mon, 2 Jan 2023 10:00:00 +0000\n\nbody\n";
  const char *bad = "From: a@b.c\nMessage-ID: <   >\nSubject: no id\nDate: Mon, 2 Jan 2023 10:00:00 +0000\n\nbody\n";
  g_autoptr (MdRecord) a = parse (m);
  g_autoptr (MdRecord) b = parse (m);
  g_autoptr (MdRecord) c = parse (bad);

  g_assert_true (md_record_has_flag (a, MD_REC_ID_SYNTHETIC));
  g_assert_true (md_record_has_flag (c, MD_REC_ID_SYNTHETIC));
  g_assert_cmpstr (a->message_id, ==, b->message_id);
  g_assert_true (g_str_has_suffix (a->message_id, "@mldigest.invalid"));
}

static gint64
date_of (const char *date, gboolean *fallback)
{
  g_autofree char *m = g_strdup_printf ("From: a@b.c\nMessage-ID: <d@x>\n%s\n\nx\n", date);
  g_autoptr (MdRecord) r = parse (m);
  *fallback = md_record_has_flag (r, MD_REC_DATE_FALLBACK);
  return r->date;
}

static void
test_dates (void)
{
  gboolean fb;
  g_assert_cmpint (date_of ("Date: Tue, 1 Jan 19 10:00:00 +0100", &fb), ==, 1546333200);
  g_assert_false (fb);
  g_assert_cmpint (date_of ("Date: Wed, 17 Nov 2021 21:09:35 -0000", &fb), ==, 1637183375);
  g_assert_false (fb);
  const char *bad[] = { "X-No-Date: 1", "Date: yesterday", "Date: Thu, 1 Jan 1970 00:00:00 +0000",
                        "Date: Fri, 1 Jan 2100 00:00:00 +0000", "Date: " };
  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_assert_cmpint (date_of (bad[i], &fb), ==, ARRIVAL);
      g_assert_true (fb);
    }
  /* a day ahead is a skewed clock, not an absurd date */
  g_assert_cmpint (date_of ("Date: Wed, 15 Nov 2023 22:13:20 +0000", &fb), ==, ARRIVAL + 86400);
  g_assert_false (fb);
}

static void
test_lists (void)
{
  const char *m = "From: a@b.c\nList-Id: <kvm.vger.kernel.org>\nList-Id: KVM ARM <kvmarm.lists.cs.columbia.edu>\n\nx\n";
  g_autoptr (MdRecord) both = parse (m);
  g_assert_cmpuint (both->lists->len, ==, 2);
  g_assert_cmpstr (both->lists->pdata[0], ==, "kvm");
  g_assert_cmpstr (both->lists->pdata[1], ==, "kvmarm");

  g_autoptr (MdRecord) forced = parse_len (m, strlen (m), "<KVMARM.lists.linux.dev>");
  g_assert_cmpuint (forced->lists->len, ==, 1);
  g_assert_cmpstr (forced->lists->pdata[0], ==, "kvmarm");
  g_assert_cmpuint (forced->list_ids->len, ==, 2);

  g_autoptr (MdRecord) none = parse ("From: a@b.c\n\nx\n");
  g_assert_cmpuint (none->lists->len, ==, 0);
  g_assert_cmpuint (none->list_ids->len, ==, 0);
}

static void
check_short (const char *in, const char *want)
{
  g_autofree char *got = md_list_short_name (in);
  g_assert_cmpstr (got, ==, want);
}

static void
test_list_short_name (void)
{
  check_short ("kvmarm", "kvmarm");
  check_short ("KVM", "kvm");
  check_short ("kvmarm.lists.cs.columbia.edu", "kvmarm");
  check_short ("<kvm.vger.kernel.org>", "kvm");
  check_short ("Linux KVM ARM <kvmarm.lists.cs.columbia.edu>", "kvmarm");
  check_short ("linux-arm-kernel.lists.infradead.org", "linux-arm-kernel");
  check_short ("ev/il;name.x", "ev-il-name");
  check_short ("", NULL);
  check_short ("<>", NULL);
  check_short (NULL, NULL);
}

/* ---- body ---- */

static const char patch_text[] =
  "The timer can deadlock.\n"
  "\n"
  "Fixes: 1234567890ab (\"arm: timer: add test\")\n"
  "Cc: stable@vger.kernel.org # v5.10+\n"
  "Signed-off-by: Alexandru Elisei <Alexandru.Elisei@ARM.com>\n"
  "---\n"
  "v2: reworded\n"
  "\n"
  " arm/timer.c | 3 ++-\n"
  " 1 file changed, 2 insertions(+), 1 deletion(-)\n"
  "\n"
  "diff --git a/arm/timer.c b/arm/timer.c\n"
  "index 0123456..789abcd 100644\n"
  "--- a/arm/timer.c\n"
  "+++ b/arm/timer.c\n"
  "@@ -1,3 +1,4 @@\n"
  " int a;\n"
  "-int b;\n"
  "+int b = 1;\n"
  "+Reviewed-by: Not A Trailer <no@x.org>\n"
  " int c;\n"
  "-- \n"
  "2.30.0\n";

static void
check_patch_record (MdRecord *r, gboolean attached)
{
  g_assert_true (md_record_has_flag (r, MD_REC_HAS_PATCH));
  g_assert_cmpuint (r->files->len, ==, 1);
  g_assert_cmpstr (r->files->pdata[0], ==, "arm/timer.c");
  g_assert_nonnull (strstr (r->commit_msg, "The timer can deadlock."));
  g_assert_null (strstr (r->commit_msg, "v2: reworded"));
  g_assert_nonnull (strstr (r->diffstat, "1 file changed"));
  g_assert_null (strstr (r->body, "+int b = 1;"));
  g_assert_null (strstr (r->body, "2.30.0"));
  if (!attached)
    g_assert_nonnull (strstr (r->body, "arm/timer.c | 3 ++-"));
  g_assert_cmpuint (r->trailers->len, ==, 3);
  MdTrailer *fixes = &g_array_index (r->trailers, MdTrailer, 0);
  MdTrailer *cc = &g_array_index (r->trailers, MdTrailer, 1);
  MdTrailer *sob = &g_array_index (r->trailers, MdTrailer, 2);
  g_assert_cmpint (fixes->kind, ==, MD_TRAILER_FIXES);
  g_assert_cmpstr (fixes->name, ==, "1234567890ab (\"arm: timer: add test\")");
  g_assert_cmpint (cc->kind, ==, MD_TRAILER_CC);
  g_assert_cmpstr (cc->email, ==, "stable@vger.kernel.org");
  g_assert_cmpint (sob->kind, ==, MD_TRAILER_SIGNED_OFF_BY);
  g_assert_cmpstr (sob->name, ==, "Alexandru Elisei");
  g_assert_cmpstr (sob->email, ==, "alexandru.elisei@arm.com");
}

static void
test_patch_inline (void)
{
  g_autofree char *m = g_strconcat ("From: a@b.c\nSubject: [PATCH v2] arm: timer\n\n", patch_text, NULL);
  g_autoptr (MdRecord) r = parse (m);
  check_patch_record (r, FALSE);
}

/* Quoted-printable text: "=3D" and soft line breaks in the diff. */
/* The hunks' contexts name the functions the patch touches. */
static void
test_patch_functions (void)
{
  g_autoptr (MdRecord) r = parse ("From: a@b.c\nSubject: [PATCH] arm: timer\n\nFix it.\n---\n"
                                  "diff --git a/arm/timer.c b/arm/timer.c\n--- a/arm/timer.c\n+++ b/arm/timer.c\n"
                                  "@@ -1,1 +1,1 @@ static int timer_irq(struct kvm *kvm)\n-a\n+b\n"
                                  "@@ -9,1 +9,1 @@ static int timer_irq(struct kvm *kvm)\n-a\n+b\n"
                                  "@@ -20,1 +20,1 @@ void timer_init(void)\n-a\n+b\n");
  g_assert_cmpuint (r->functions->len, ==, 2);
  g_assert_cmpstr (r->functions->pdata[0], ==, "timer_irq");
  g_assert_cmpstr (r->functions->pdata[1], ==, "timer_init");
}

static void
test_patch_qp (void)
{
  GString *qp = g_string_new ("From: a@b.c\nSubject: [PATCH] arm: timer\nMIME-Version: 1.0\n"
                              "Content-Type: text/plain; charset=\"iso-8859-1\"\n"
                              "Content-Transfer-Encoding: quoted-printable\n\n");
  for (const char *p = patch_text; *p; p++)
    if (*p == '=')
      g_string_append (qp, "=3D");
    else if (*p == ' ' && p[1] == '\n')
      g_string_append (qp, "=20");
    else
      g_string_append_c (qp, *p);
  g_string_replace (qp, "index 0123456", "index 01=\n23456", 1);
  g_autoptr (MdRecord) r = parse (qp->str);
  g_string_free (qp, TRUE);
  check_patch_record (r, FALSE);
}

static void
test_patch_base64 (void)
{
  g_autofree char *b64 = g_base64_encode ((const guchar *) patch_text, strlen (patch_text));
  g_autofree char *m = g_strconcat ("From: a@b.c\nSubject: [PATCH] arm: timer\nMIME-Version: 1.0\n"
                                    "Content-Type: text/plain; charset=utf-8\n"
                                    "Content-Transfer-Encoding: base64\n\n", b64, "\n", NULL);
  g_autoptr (MdRecord) r = parse (m);
  check_patch_record (r, FALSE);
}

static void
test_patch_attached (void)
{
  g_autofree char *b64 = g_base64_encode ((const guchar *) patch_text, strlen (patch_text));
  const char *types[] = {
    "text/x-patch", "text/x-diff",
    "application/octet-stream; name=\"0001-fix.patch\"",
    "text/plain; name=fix.diff\nContent-Disposition: attachment; filename=fix.diff",
  };
  for (gsize i = 0; i < G_N_ELEMENTS (types); i++)
    {
      g_autofree char *m = g_strdup_printf (
        "From: a@b.c\nSubject: Re: timer\nMIME-Version: 1.0\n"
        "Content-Type: multipart/mixed; boundary=XX\n\n"
        "--XX\nContent-Type: text/plain\n\nHow about this?\n\nThanks,\nM.\n"
        "--XX\nContent-Type: %s\nContent-Transfer-Encoding: base64\n\n%s\n--XX--\n",
        types[i], b64);
      g_autoptr (MdRecord) r = parse (m);
      check_patch_record (r, TRUE);
      g_assert_cmpstr (r->body, ==, "How about this?\n\nThanks,\nM.");
    }
}

/* A diff in a reply, several files, no "---": no commit message, a
 * computed diffstat, and the text after the diff kept. */
static void
test_patch_in_reply (void)
{
  g_autoptr (MdRecord) r = parse (
    "From: a@b.c\nSubject: Re: [PATCH] x\n\n"
    "> diff --git a/quoted.c b/quoted.c\n"
    "Something like this:\n\n"
    "--- a/one.c\n+++ b/one.c\n@@ -1 +1,2 @@\n-x\n+y\n+z\n"
    "--- a/dir/two.c\n+++ b/dir/two.c\n@@ -5,2 +5,2 @@\n a\n-b\n+c\n"
    "After the diff.\n");
  g_assert_true (md_record_has_flag (r, MD_REC_HAS_PATCH));
  g_assert_null (r->commit_msg);
  g_assert_cmpuint (r->files->len, ==, 2);
  g_assert_cmpstr (r->files->pdata[1], ==, "dir/two.c");
  g_assert_nonnull (strstr (r->diffstat, " one.c | 3 ++-\n"));
  g_assert_nonnull (strstr (r->diffstat, " 2 files changed, 3 insertions(+), 2 deletions(-)"));
  g_assert_nonnull (strstr (r->body, "After the diff."));
  g_assert_null (strstr (r->body, "+z"));
}

static void
test_no_patch (void)
{
  g_autoptr (MdRecord) r = parse ("From: a@b.c\nSubject: diffs\n\ndiff -u is what I use.\n"
                                  "> diff --git a/x b/x\n> +++ b/x\n");
  g_assert_false (md_record_has_flag (r, MD_REC_HAS_PATCH));
  g_assert_cmpuint (r->files->len, ==, 0);
  g_assert_null (r->diffstat);
  g_assert_nonnull (strstr (r->body, "diff -u is what I use."));
}

/* Lines that start like a diff but are none ("diff -u is ...") are
 * prose, and a text of nothing else is read once: trying each line of
 * such a run again made a few megabytes take minutes. */
static void
test_diff_words_in_prose (void)
{
  GString *m = g_string_new ("From: a@b.c\nSubject: diffs\n\n");
  for (int i = 0; i < 200000; i++)
    g_string_append (m, i % 2 ? "diff --git\n" : "diff -u\n");
  g_string_append (m, "Reviewed-by: A <a@b.c>\n");
  g_autoptr (GTimer) timer = g_timer_new ();
  g_autoptr (MdRecord) r = parse_len (m->str, m->len, NULL);
  g_assert_cmpfloat (g_timer_elapsed (timer, NULL), <, 5.0);
  g_string_free (m, TRUE);
  g_assert_false (md_record_has_flag (r, MD_REC_HAS_PATCH));
  g_assert_true (g_str_has_prefix (r->body, "diff -u\ndiff --git\n"));
  g_assert_cmpuint (r->trailers->len, ==, 1);
}

static void
test_cover_letter_diffstat (void)
{
  g_autoptr (MdRecord) r = parse ("From: a@b.c\nSubject: [PATCH 0/2] x\n\nSeries.\n\n"
                                  "Marc Zyngier (2):\n  one\n  two\n\n"
                                  " arch/arm64/kvm/mmu.c | 10 +++++-----\n"
                                  " virt/kvm/kvm_main.c  |  2 +-\n"
                                  " 2 files changed, 6 insertions(+), 6 deletions(-)\n");
  g_assert_false (md_record_has_flag (r, MD_REC_HAS_PATCH));
  g_assert_nonnull (r->diffstat);
  g_assert_cmpuint (r->files->len, ==, 2);
  g_assert_cmpstr (r->files->pdata[1], ==, "virt/kvm/kvm_main.c");
}

/* Found by fuzz-message: a path is a single-line field, whatever bytes a
 * mangled diff or diffstat holds, and a bounded one. */
static void
test_patch_odd_paths (void)
{
  g_autoptr (MdRecord) cover = parse ("From: a@b.c\nSubject: [PATCH 0/1] x\n\n"
                                      " virt/kvm/\x1f" "arm.c | 3 +-\n"
                                      " 1 file changed, 2 insertions(+), 1 deletion(-)\n");
  g_assert_cmpuint (cover->files->len, ==, 1);
  g_assert_cmpstr (cover->files->pdata[0], ==, "virt/kvm/ arm.c");

  g_autofree char *fill = g_strnfill (10000, 'd');
  g_autofree char *m = g_strdup_printf ("From: a@b.c\nSubject: [PATCH] x\n\n---\n"
                                        "diff --git a/%s/x b/%s/x\n--- a/%s/x\n+++ b/%s/x\n"
                                        "@@ -1 +1 @@\n-a\n+b\n"
                                        "diff --git a/\x1b[31mred b/\x1b[31mred\n"
                                        "@@ -1 +1 @@\n-a\n+b\n", fill, fill, fill, fill);
  g_autoptr (MdRecord) r = parse (m);
  g_assert_cmpuint (r->files->len, ==, 2);
  g_assert_cmpuint (strlen (r->files->pdata[0]), <=, 4096);
  g_assert_cmpstr (r->files->pdata[1], ==, "[31mred");
  for (guint i = 0; i < r->files->len; i++)
    g_assert_null (strpbrk (r->files->pdata[i], "\x1b\x1f\n"));
}

static void
test_trailers_reply (void)
{
  g_autoptr (MdRecord) r = parse (
    "From: a@b.c\nSubject: Re: [PATCH] x\n\n"
    "On Mon, X wrote:\n"
    "> Signed-off-by: Quoted Author <q@x.org>\n"
    ">> Acked-by: Deeper <d@x.org>\n"
    "  > Tested-by: Indented Quote <i@x.org>\n"
    "\n"
    "Looks good.\n\n"
    "  Reviewed-by: \"Zyngier, Marc\" <MAZ@kernel.org>\n"
    "acked-BY: Jörg Rödel <joro@8bytes.org> [for iommu]\n"
    "NAKed-by: someone@x.org\n"
    "Tested-by: Bare Name\n"
    "Reviewed-by: \"Zyngier, Marc\" <maz@kernel.org>\n"
    "Link: https://lore.kernel.org/r/1@x\n"
    "Reviewed-by:\n");
  g_assert_cmpuint (r->trailers->len, ==, 5);
  MdTrailer *t = (MdTrailer *) (void *) r->trailers->data;
  g_assert_cmpint (t[0].kind, ==, MD_TRAILER_REVIEWED_BY);
  g_assert_cmpstr (t[0].name, ==, "Zyngier, Marc");
  g_assert_cmpstr (t[0].email, ==, "maz@kernel.org");
  g_assert_cmpint (t[1].kind, ==, MD_TRAILER_ACKED_BY);
  g_assert_cmpstr (t[1].name, ==, "Jörg Rödel");
  g_assert_cmpint (t[2].kind, ==, MD_TRAILER_NACKED_BY);
  g_assert_cmpstr (t[2].name, ==, "");
  g_assert_cmpstr (t[2].email, ==, "someone@x.org");
  g_assert_cmpint (t[3].kind, ==, MD_TRAILER_TESTED_BY);
  g_assert_cmpstr (t[3].email, ==, "");
  g_assert_cmpint (t[4].kind, ==, MD_TRAILER_LINK);
  g_assert_cmpstr (t[4].name, ==, "https://lore.kernel.org/r/1@x");
}

/* Found by fuzz-message: a long trailer value is cut on a character
 * boundary (cutting inside one made the cleanup read past the string). */
static void
test_trailer_long_value (void)
{
  GString *m = g_string_new ("From: a@b.c\nSubject: x\n\nReviewed-by: ");
  for (int i = 0; i < 600; i++)
    g_string_append (m, "\xc3\xa9");
  g_string_append (m, " <a@b.c>\n");
  g_autoptr (MdRecord) r = parse (m->str);
  g_string_free (m, TRUE);
  g_assert_cmpuint (r->trailers->len, ==, 1);
  MdTrailer *t = &g_array_index (r->trailers, MdTrailer, 0);
  g_assert_true (g_utf8_validate (t->name, -1, NULL));
  g_assert_cmpuint (strlen (t->name), <=, 512);
  g_assert_true (g_str_has_prefix (t->name, "\xc3\xa9\xc3\xa9"));
}

static void
test_split_person (void)
{
  const char *cases[][3] = {
    { "Name <A@B.org>", "Name", "a@b.org" },
    { "\"Last, First\" <a@b>", "Last, First", "a@b" },
    { "a@b", "", "a@b" },
    { "a@b (Some Name)", "Some Name", "a@b" },
    { "stable@vger.kernel.org # 5.4.x", "", "stable@vger.kernel.org" },
    { "Name <a@b> # v5.10+", "Name", "a@b" },
    { "Just Name", "Just Name", "" },
  };
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *name = NULL, *email = NULL;
      md_trailer_split_person (cases[i][0], &name, &email);
      g_assert_cmpstr (name, ==, cases[i][1]);
      g_assert_cmpstr (email, ==, cases[i][2]);
    }
}

static void
test_html_only (void)
{
  g_autoptr (MdRecord) r = parse (
    "From: a@b.c\nSubject: html\nMIME-Version: 1.0\nContent-Type: text/html; charset=utf-8\n\n"
    "<html><head><style>p { color: red }</style><script>alert(1)</script></head>"
    "<body><p>Hello &amp; welcome,&nbsp;caf&#233; &#x4e2d;</p><div>second&lt;line&gt;</div>"
    "<p>&bogus; &#99999999;</p></body></html>\n");
  g_assert_true (md_record_has_flag (r, MD_REC_HTML_ONLY));
  /* libxml2 leaves an unknown name as written and drops a reference to
   * no character */
  g_assert_cmpstr (r->body, ==, "Hello & welcome, café 中\nsecond<line>\n&bogus;");
}

static void
check_html (const char *html, const char *want)
{
  g_autofree char *got = md_html_to_text (html, strlen (html));
  g_assert_cmpstr (got, ==, want);
}

/* lib/html.c: what the hand-written converter got wrong */
static void
test_html_to_text (void)
{
  /* every named entity, not 17 of them */
  check_html ("&eacute;t&eacute; &euro;5 &hearts; &alpha;&beta; &frac12; &times; &thinsp;x",
              "été €5 ♥ αβ ½ × \xe2\x80\x89x");
  /* broken markup: unclosed, misnested, stray '<', attributes without quotes */
  check_html ("<p>one <b>two <i>three</p><div class=a id=b>four</b></i>5 < 6 <7",
              "one two three\nfour5 < 6 <7");
  /* what is not text: style, script (with a "</" inside), comments, head */
  check_html ("<html><head><title>t</title><style>a{}</style></head>"
              "<script>if (a</b) x = '</p>';</script><!-- <p>hidden</p> -->visible",
              "visible");
  /* a <meta charset> must not re-decode text that is UTF-8 already */
  check_html ("<meta charset=\"iso-8859-1\"><p>Grüße 中文</p>", "Grüße 中文");
  /* white space: collapsed, kept in <pre>; table cells apart */
  check_html ("<p>a \n\t b&nbsp;&nbsp;c</p><pre>x  y\n  z</pre><table><tr><td>1</td><td>2</td></tr></table>",
              "a b c\nx  y\n  z\n1 2");
  check_html ("", "");
  check_html ("plain text, no markup", "plain text, no markup");
  check_html ("bad \xff byte", "bad \xef\xbf\xbd byte");
}

static void
test_alternative_prefers_plain (void)
{
  g_autoptr (MdRecord) r = parse (
    "From: a@b.c\nMIME-Version: 1.0\nContent-Type: multipart/alternative; boundary=B\n\n"
    "--B\nContent-Type: text/html\n\n<p>html</p>\n"
    "--B\nContent-Type: text/plain; charset=windows-1252\n\nplain \x93quoted\x94\n--B--\n");
  g_assert_false (md_record_has_flag (r, MD_REC_HTML_ONLY));
  g_assert_cmpstr (r->body, ==, "plain “quoted”");
}

/* A multipart whose boundary parameter is missing or not the one its
 * parts use has no parts to GMime: its parts are found again from the
 * first boundary line, or its text is taken as it is. */
static char *
multipart_mail (const char *type, const char *content)
{
  return g_strconcat ("From: a@b.c\nMIME-Version: 1.0\nContent-Type: multipart/", type, "\n\n",
                      content, NULL);
}

static void
test_broken_multipart (void)
{
  const char *parts = "--X\nContent-Type: text/plain\n\nhello\n--X\nContent-Type: text/html\n\n<p>no</p>\n--X--\n";
  const char *types[] = { "mixed", "mixed; boundary=Y", "alternative" };
  for (gsize i = 0; i < G_N_ELEMENTS (types); i++)
    {
      g_autofree char *m = multipart_mail (types[i], parts);
      g_autoptr (MdRecord) r = parse (m);
      g_assert_cmpstr (r->body, ==, "hello");
    }
  g_autofree char *html = multipart_mail ("alternative; boundary=\"--a\"",
                                          "----b\nContent-Type: text/html\nContent-Transfer-Encoding: base64\n\n"
                                          "PHA+aGk8L3A+\n----b--\n");
  g_autoptr (MdRecord) h = parse (html);
  g_assert_cmpstr (h->body, ==, "hi");
  g_assert_true (md_record_has_flag (h, MD_REC_HTML_ONLY));
  g_autofree char *plain = multipart_mail ("mixed", "just text\n");
  g_autoptr (MdRecord) p = parse (plain);
  g_assert_cmpstr (p->body, ==, "just text");
  /* the parts found again are partless too: parsed again only once */
  g_autofree char *twice = multipart_mail ("mixed", "--X\nContent-Type: multipart/mixed\n\n"
                                           "--Z\nContent-Type: text/plain\n\ninner\n--Z--\n--X--\n");
  g_autoptr (MdRecord) t = parse (twice);
  g_assert_cmpstr (t->body, ==, "--Z\nContent-Type: text/plain\n\ninner\n--Z--");
}

/* RFC 2045 5.2: a Content-Type that does not parse means text/plain,
 * unless the part names a file. */
static void
test_garbage_content_type (void)
{
  g_autoptr (MdRecord) r = parse ("From: a@b.c\nContent-Type: ;;;===\n\nhello\n");
  g_assert_cmpstr (r->body, ==, "hello");
  g_autofree char *m = multipart_mail ("mixed; boundary=B", "--B\nContent-Type: text/plain\n\nbody\n"
                                       "--B\nContent-Type: ; NAME=\"photo.jpg\"\n\n\xff\xd8\xff\xe0\n--B--\n");
  g_autoptr (MdRecord) f = parse (m);
  g_assert_cmpstr (f->body, ==, "body");
  g_assert_false (md_record_has_flag (f, MD_REC_CHARSET_GUESSED));
}

static void
test_trimming (void)
{
  GString *m = g_string_new ("From: a@b.c\nSubject: Re: x\n\nOn Monday X wrote:\n");
  for (int i = 0; i < 40; i++)
    g_string_append_printf (m, "> quoted line %d\n", i);
  g_string_append (m, "\n\n\n\nMy answer.   \n-- \nSignature\n"
                   "_______________________________________________\n"
                   "kvmarm mailing list\nkvmarm@lists.cs.columbia.edu\n");
  g_autoptr (MdRecord) r = parse (m->str);
  g_string_free (m, TRUE);
  g_assert_cmpstr (r->body, ==,
                   "On Monday X wrote:\n> [... 36 quoted lines ...]\n> quoted line 36\n"
                   "> quoted line 37\n> quoted line 38\n> quoted line 39\n\nMy answer.");

  g_autoptr (MdRecord) f = parse ("From: a@b.c\n\nText.\n"
                                  "_______________________________________________\n"
                                  "kvmarm mailing list\n");
  g_assert_cmpstr (f->body, ==, "Text.");
}

/* ---- hostile input ---- */

static void
test_rejects (void)
{
  assert_rejected ("", 0);
  assert_rejected ("  \r\n\n\t", 5);
  assert_rejected ("no header at all, just words\n", 29);
  g_autoptr (GError) err = NULL;
  g_assert_null (md_message_parse (NULL, 0, NULL, &err));
  g_assert_error (err, MD_ERROR, MD_ERROR_DATA);
}

static void
test_binary_garbage (void)
{
  GRand *rand = g_rand_new_with_seed (42);
  for (int round = 0; round < 50; round++)
    {
      gsize len = 1 + g_rand_int_range (rand, 0, 4096);
      g_autofree char *buf = g_malloc (len);
      for (gsize i = 0; i < len; i++)
        buf[i] = (char) g_rand_int_range (rand, 0, 256);
      if (round % 2)
        memcpy (buf, "Subject: ", MIN (len, 9));   /* headers of garbage */
      g_autoptr (GError) err = NULL;
      g_autoptr (MdRecord) r = md_message_parse (buf, len, NULL, &err);
      if (r)
        assert_record_sane (r);
      else
        g_assert_error (err, MD_ERROR, MD_ERROR_DATA);
    }
  g_rand_free (rand);
}

static void
test_huge_line (void)
{
  gsize n = 10u << 20;
  GString *m = g_string_sized_new (n + 64);
  g_string_append (m, "From: a@b.c\nSubject: ");
  for (gsize i = 0; i < 1000; i++)
    g_string_append (m, "=?UTF-8?Q?long?= ");
  g_string_append (m, "\n\n");
  for (gsize i = 0; i < n; i++)
    g_string_append_c (m, "ab c\xc3"[i % 4]);
  g_autoptr (MdRecord) r = parse_len (m->str, m->len, NULL);
  g_string_free (m, TRUE);
  g_assert_true (md_record_has_flag (r, MD_REC_BODY_TRUNCATED));
  g_assert_cmpuint (strlen (r->subject), <=, 2048);
}

static void
test_deep_nesting (void)
{
  GString *m = g_string_new ("From: a@b.c\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=b0\n\n");
  for (int i = 0; i < 5000; i++)
    g_string_append_printf (m, "--b%d\nContent-Type: multipart/mixed; boundary=b%d\n\n", i, i + 1);
  g_string_append (m, "--b5000\nContent-Type: text/plain\n\ndeep text\n");
  g_autoptr (MdRecord) deep = parse_len (m->str, m->len, NULL);
  g_string_free (m, TRUE);
  g_assert_null (strstr (deep->body, "deep text"));   /* beyond the depth bound */

  GString *w = g_string_new ("From: a@b.c\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=B\n\n");
  for (int i = 0; i < 5000; i++)
    g_string_append_printf (w, "--B\nContent-Type: text/plain\n\npart %d\n", i);
  g_string_append (w, "--B--\n");
  g_autoptr (MdRecord) wide = parse_len (w->str, w->len, NULL);
  g_string_free (w, TRUE);
  g_assert_nonnull (strstr (wide->body, "part 0"));
  g_assert_null (strstr (wide->body, "part 4999"));   /* beyond the part bound */
}

static void
test_nul_and_controls (void)
{
  static const char m[] = "From: a\0b <x@y.z>\nSubject: a\0b\x01\x1b[31mred\nMessage-ID: <a\0@b>\n\nbo\0dy\n";
  g_autoptr (MdRecord) r = parse_len (m, sizeof m - 1, NULL);
  g_assert_null (strchr (r->subject, '\x1b'));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  md_message_init ();
  g_test_add_func ("/message/headers", test_headers);
  g_test_add_func ("/message/encoded-words", test_encoded_words);
  g_test_add_func ("/message/raw-8bit-headers", test_raw_8bit_headers);
  g_test_add_func ("/message/body-charsets", test_body_charsets);
  g_test_add_func ("/message/missing-message-id", test_missing_message_id);
  g_test_add_func ("/message/dates", test_dates);
  g_test_add_func ("/message/lists", test_lists);
  g_test_add_func ("/message/list-short-name", test_list_short_name);
  g_test_add_func ("/message/patch-inline", test_patch_inline);
  g_test_add_func ("/message/patch-functions", test_patch_functions);
  g_test_add_func ("/message/patch-qp", test_patch_qp);
  g_test_add_func ("/message/patch-base64", test_patch_base64);
  g_test_add_func ("/message/patch-attached", test_patch_attached);
  g_test_add_func ("/message/patch-in-reply", test_patch_in_reply);
  g_test_add_func ("/message/no-patch", test_no_patch);
  g_test_add_func ("/message/diff-words-in-prose", test_diff_words_in_prose);
  g_test_add_func ("/message/cover-letter-diffstat", test_cover_letter_diffstat);
  g_test_add_func ("/message/patch-odd-paths", test_patch_odd_paths);
  g_test_add_func ("/message/trailers-reply", test_trailers_reply);
  g_test_add_func ("/message/trailer-long-value", test_trailer_long_value);
  g_test_add_func ("/message/split-person", test_split_person);
  g_test_add_func ("/message/html-only", test_html_only);
  g_test_add_func ("/message/html-to-text", test_html_to_text);
  g_test_add_func ("/message/alternative-prefers-plain", test_alternative_prefers_plain);
  g_test_add_func ("/message/broken-multipart", test_broken_multipart);
  g_test_add_func ("/message/garbage-content-type", test_garbage_content_type);
  g_test_add_func ("/message/trimming", test_trimming);
  g_test_add_func ("/message/rejects", test_rejects);
  g_test_add_func ("/message/binary-garbage", test_binary_garbage);
  g_test_add_func ("/message/huge-line", test_huge_line);
  g_test_add_func ("/message/deep-nesting", test_deep_nesting);
  g_test_add_func ("/message/nul-and-controls", test_nul_and_controls);
  return g_test_run ();
}
