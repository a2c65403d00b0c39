/* Unit tests: filter/mbox.c (splitting mboxrd/mboxo streams). */
#include <stdio.h>
#include <string.h>
#include "../../filter/mbox.h"
#include "error.h"

typedef struct {
  GPtrArray *msgs;     /* char* */
  GArray *arrivals;    /* gint64 */
  GArray *lines;       /* guint64 */
  GError *error;
} Split;

static void
split_clear (Split *s)
{
  g_ptr_array_unref (s->msgs);
  g_array_unref (s->arrivals);
  g_array_unref (s->lines);
  g_clear_error (&s->error);
}

static Split
split (const char *text, gsize max)
{
  Split s = { g_ptr_array_new_with_free_func (g_free),
              g_array_new (FALSE, FALSE, sizeof (gint64)),
              g_array_new (FALSE, FALSE, sizeof (guint64)), NULL };
  FILE *f = fmemopen ((void *) text, strlen (text), "r");
  g_autoptr (MdMbox) m = md_mbox_new (f);
  g_autoptr (GString) out = g_string_new (NULL);
  gint64 arrival;
  guint64 line;
  gboolean truncated;
  while (md_mbox_next (m, out, &arrival, &line, max, &truncated, &s.error))
    {
      g_ptr_array_add (s.msgs, truncated ? g_strdup ("<truncated>") : g_strdup (out->str));
      g_array_append_val (s.arrivals, arrival);
      g_array_append_val (s.lines, line);
    }
  fclose (f);
  return s;
}

static void
test_mboxrd (void)
{
  Split s = split ("From mboxrd@z Mon Jul  1 11:26:48 2019\n"
                   "Subject: one\n"
                   "\n"
                   ">From the start\n"
                   ">>From quoted twice\n"
                   "From\n"
                   "\n"
                   "From mboxrd@z Thu Jan  1 00:00:00 1970\n"
                   "Subject: two\n"
                   "\n"
                   "body\n"
                   "\n", 1 << 20);
  g_assert_no_error (s.error);
  g_assert_cmpuint (s.msgs->len, ==, 2);
  g_assert_cmpstr (s.msgs->pdata[0], ==,
                   "Subject: one\n\nFrom the start\n>From quoted twice\nFrom\n");
  g_assert_cmpstr (s.msgs->pdata[1], ==, "Subject: two\n\nbody\n");
  g_assert_cmpint (g_array_index (s.arrivals, gint64, 0), ==, 1561980408);
  g_assert_cmpint (g_array_index (s.arrivals, gint64, 1), ==, 0); /* epoch placeholder */
  g_assert_cmpuint (g_array_index (s.lines, guint64, 1), ==, 8);
  split_clear (&s);
}

/* A "From " body line after text is text; a dated From_ line separates
 * even without the blank line some writers forget. */
static void
test_separators (void)
{
  Split s = split ("From a@b Sat Jan  2 03:04:05 2021\n"
                   "Subject: one\n"
                   "\n"
                   "text\n"
                   "From here on it is body\n"
                   "From b@c Sun Jan  3 03:04:05 2021\n"
                   "Subject: two\n"
                   "\n"
                   "x\n", 1 << 20);
  g_assert_no_error (s.error);
  g_assert_cmpuint (s.msgs->len, ==, 2);
  g_assert_nonnull (strstr (s.msgs->pdata[0], "From here on it is body\n"));
  g_assert_cmpstr (s.msgs->pdata[1], ==, "Subject: two\n\nx\n");
  split_clear (&s);
}

static void
test_crlf_and_truncation (void)
{
  Split s = split ("From a@b Sat Jan  2 03:04:05 2021\r\n"
                   "Subject: one\r\n\r\nbody\r\n\r\n"
                   "From a@b Sat Jan  2 03:04:06 2021\r\n"
                   "Subject: a long one\r\n\r\n0123456789012345678901234567890123456789\r\n",
                   40);
  g_assert_no_error (s.error);
  g_assert_cmpuint (s.msgs->len, ==, 2);
  g_assert_cmpstr (s.msgs->pdata[0], ==, "Subject: one\r\n\r\nbody\r\n");
  g_assert_cmpstr (s.msgs->pdata[1], ==, "<truncated>");
  split_clear (&s);
}

static void
test_not_an_mbox (void)
{
  Split s = split ("Subject: a bare message\n\nbody\n", 1 << 20);
  g_assert_cmpuint (s.msgs->len, ==, 0);
  g_assert_error (s.error, MD_ERROR, MD_ERROR_DATA);
  split_clear (&s);

  Split e = split ("", 1 << 20);
  g_assert_no_error (e.error);
  g_assert_cmpuint (e.msgs->len, ==, 0);
  split_clear (&e);
}

static void
test_from_line_dates (void)
{
  g_assert_cmpint (md_mbox_from_line_date ("From mboxrd@z Mon Jul 01 11:26:48 2019\n"), ==, 1561980408);
  g_assert_cmpint (md_mbox_from_line_date ("From x Mon Jul  1 11:26:48 +0200 2019"), ==, 1561973208);
  /* git format-patch's fixed date means nothing */
  g_assert_cmpint (md_mbox_from_line_date ("From 1234abcd Mon Sep 17 00:00:00 2001"), ==, 0);
  g_assert_cmpint (md_mbox_from_line_date ("From someone without a date"), ==, 0);
  g_assert_cmpint (md_mbox_from_line_date ("Subject: no"), ==, 0);
  g_assert_cmpint (md_mbox_from_line_date ("From "), ==, 0);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/mbox/mboxrd", test_mboxrd);
  g_test_add_func ("/mbox/separators", test_separators);
  g_test_add_func ("/mbox/crlf-and-truncation", test_crlf_and_truncation);
  g_test_add_func ("/mbox/not-an-mbox", test_not_an_mbox);
  g_test_add_func ("/mbox/from-line-dates", test_from_line_dates);
  return g_test_run ();
}
