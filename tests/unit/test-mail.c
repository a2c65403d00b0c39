/* Unit tests: aggregate/send/ (mail.c, identity.c, outbox.c) */
#include <glib/gstdio.h>
#include <string.h>
#include "error.h"
#include "identity.h"
#include "mail.h"
#include "outbox.h"
#include "send.h"

static void
check (char *got, const char *want)
{
  g_assert_cmpstr (got, ==, want);
  g_free (got);
}

static void
test_clean (void)
{
  check (md_mail_header_clean ("a\r\nBcc: x@y\r\n\r\n body\t\x01z\xff"), "a Bcc: x@y body z\xef\xbf\xbd");
  check (md_mail_header_clean ("line\xe2\x80\xa8sep  "), "line sep");
  check (md_mail_header_clean (NULL), "");
}

static void
test_identity (void)
{
  g_autoptr (GTimeZone) utc = g_time_zone_new_utc ();
  g_autoptr (GTimeZone) berlin = g_time_zone_new_identifier ("Europe/Berlin");
  gint64 since, until;

  check (md_identity_previous_week ("2021-W01"), "2020-W53");
  check (md_identity_previous_week ("2021-W10"), "2021-W09");
  g_assert_null (md_identity_previous_week ("2021-W99"));
  /* Wed 2026-11-18 12:00 UTC */
  md_identity_last_week (1795003200, utc, &since, &until);
  check (md_identity_week (since, utc), "2026-W46");
  g_assert_cmpint (until - since, ==, 7 * 86400);
  /* the week holding the end of summer time (Sun 2026-10-25 in Berlin) is
   * 169 hours long, from local midnight to local midnight (asked on Wed
   * 2026-10-28) */
  md_identity_last_week (1793188800, berlin, &since, &until);
  check (md_identity_week (since, berlin), "2026-W43");
  g_assert_cmpint (until - since, ==, 7 * 86400 + 3600);
  check (md_identity_message_id ("kvmarm", "2026-W46", "KVM <d@Example.org>"),
         "mldigest.2026-W46.kvmarm@Example.org");
  /* two names that clean to the same text keep distinct ids */
  g_autofree char *a = md_identity_message_id ("a b", "2026-W46", "d@x.org");
  g_autofree char *b = md_identity_message_id ("a_b", "2026-W46", "d@x.org");
  g_assert_cmpstr (a, !=, b);
  g_assert_null (strpbrk (a, " \r\n"));
}

static void
test_subject (void)
{
  g_autoptr (GError) error = NULL;

  check (md_identity_subject (NULL, "en", "kvm", "2026-W46", NULL), "[kvm] weekly digest 2026-W46");
  check (md_identity_subject (NULL, NULL, "kvm", "2026-W46", NULL), "[kvm] 邮件列表周报 2026-W46");
  check (md_identity_subject ("{list}\r\nBcc: e@x {week}", "en", "k\r\nTo: y@z", "2026-W46", NULL),
         "k To: y@z Bcc: e@x 2026-W46");
  g_assert_null (md_identity_subject ("{lists}", "en", "kvm", "2026-W46", &error));
  g_assert_error (error, MD_ERROR, MD_ERROR_CONFIG);
}

static guint
count (const char *hay, const char *needle)
{
  guint n = 0;
  for (const char *p = hay; (p = strstr (p, needle)) != NULL; p++)
    n++;
  return n;
}

/* A list name and a subject template carrying CR/LF: one Subject
 * header, no header of their making. */
static void
test_injection (void)
{
  g_autoptr (GKeyFile) kf = g_key_file_new ();
  g_autoptr (GError) error = NULL;
  const char *list = "kvm\r\nBcc: evil@example.com";
  MdSmtpConfig smtp = { .from = (char *) "d@example.org", .from_addr = (char *) "d@example.org" };
  MdDigest d = { .list = list, .week = "2026-W46", .lang = "en", .text = "t\n", .html = "<p>h</p>\n",
                 .now = 1795521600, .in_reply_to = "prev\r\nX-Evil: 1@x" };
  g_autoptr (MdOutboxEntry) e = NULL;
  g_autofree char *head = NULL;

  /* no [list NAME] can carry a newline: the list falls back to [defaults] */
  g_key_file_set_string (kf, "defaults", "to", "kvm@example.org");
  g_key_file_set_string (kf, "defaults", "subject", "[{list}]\r\nX-Injected: yes\n{week}");
  e = md_send_compose (kf, &smtp, &d, &error);
  g_assert_no_error (error);
  head = g_strndup (g_bytes_get_data (e->message, NULL), strstr (g_bytes_get_data (e->message, NULL), "\r\n\r\n") - (char *) g_bytes_get_data (e->message, NULL));
  g_assert_cmpuint (count (head, "Subject:"), ==, 1);
  g_assert_cmpuint (count (head, "\r\nBcc:"), ==, 0);
  g_assert_cmpuint (count (head, "\r\nX-Injected:"), ==, 0);
  g_assert_cmpuint (count (head, "\r\nX-Evil:"), ==, 0);
  g_assert_null (strchr (e->list, '\n'));
}

static void
test_outbox (void)
{
  g_autofree char *dir = g_dir_make_tmp ("mldigest-outbox-XXXXXX", NULL);
  g_autoptr (MdOutboxEntry) e = md_outbox_entry_new ();
  g_autoptr (GPtrArray) bad = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GPtrArray) got = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *junk = g_build_filename (dir, "junk.msg", NULL);
  g_autofree char *tmp = g_build_filename (dir, ".tmp-x.msg.1", NULL);
  MdOutboxEntry *r;

  e->list = g_strdup ("kvm"), e->week = g_strdup ("2026-W46");
  e->message_id = g_strdup ("m@x"), e->from = g_strdup ("d@x");
  g_ptr_array_add (e->rcpts, g_strdup ("a@x"));
  g_ptr_array_add (e->rcpts, g_strdup ("b@x"));
  e->message = g_bytes_new_static ("M\r\n\r\nbody\r\n", 11);
  e->md = g_bytes_new_static ("# md\n", 5);
  g_assert_true (md_outbox_put (dir, e, &error));
  g_assert_true (md_outbox_put (dir, e, &error));   /* the same identity: one file */
  g_file_set_contents (junk, "mldigest-outbox 1\nlist x\n", -1, NULL);
  g_file_set_contents (tmp, "half", -1, NULL);
  got = md_outbox_list (dir, bad, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (got->len, ==, 1);
  g_assert_cmpuint (bad->len, ==, 1);
  g_assert_false (g_file_test (tmp, G_FILE_TEST_EXISTS));
  r = got->pdata[0];
  g_assert_cmpstr (r->list, ==, "kvm");
  g_assert_cmpuint (r->rcpts->len, ==, 2);
  g_assert_true (g_bytes_equal (r->message, e->message));
  g_assert_true (g_bytes_equal (r->md, e->md));
  g_assert_cmpuint (g_bytes_get_size (r->html), ==, 0);
  g_assert_true (md_outbox_remove (dir, r, &error));
  g_unlink (junk);
  g_rmdir (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/mail/clean", test_clean);
  g_test_add_func ("/mail/identity", test_identity);
  g_test_add_func ("/mail/subject", test_subject);
  g_test_add_func ("/mail/injection", test_injection);
  g_test_add_func ("/mail/outbox", test_outbox);
  return g_test_run ();
}
