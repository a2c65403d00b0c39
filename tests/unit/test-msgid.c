/* Unit tests: lib/msgid.c */
#include "msgid.h"

static void
check_norm (const char *raw, const char *want)
{
  g_autofree char *got = md_msgid_normalise (raw);
  g_assert_cmpstr (got, ==, want);
}

static void
test_normalise (void)
{
  check_norm ("<abc@Example.COM>", "abc@example.com");
  check_norm ("  <ABC.def@Host.Org>  ", "ABC.def@host.org");      /* local part keeps its case */
  check_norm ("<7c31d3ab@cloudminds.com>+45FD319A4707829E", "7c31d3ab@cloudminds.com");
  check_norm ("<id@x.org> (Marc's message of \"Fri, 4 Sep 2020\")", "id@x.org");
  check_norm ("DF48D01B-4A2F-4813-959E-9E44C457B7F8", "DF48D01B-4A2F-4813-959E-9E44C457B7F8");
  check_norm ("bare@Host", "bare@host");
  check_norm ("(comment <not@this>) <real@one>", "real@one");
}

static void
test_normalise_rejects (void)
{
  g_autofree char *fill = g_strnfill (2000, 'a');
  g_autofree char *huge = g_strdup_printf ("<%s@x>", fill);
  check_norm (NULL, NULL);
  check_norm ("", NULL);
  check_norm ("<>", NULL);
  check_norm ("<   >", NULL);
  check_norm ("   ", NULL);
  check_norm ("<a b@c>", NULL);
  check_norm ("<@x>", NULL);
  check_norm ("<\xff\xfe@x>", NULL);
  check_norm (huge, NULL);
}

static GPtrArray *
parse (const char *raw)
{
  GPtrArray *out = g_ptr_array_new_with_free_func (g_free);
  md_msgid_parse_list (raw, out);
  return out;
}

static void
test_list (void)
{
  g_autoptr (GPtrArray) a = parse ("<a@X>\n <b@y><c@z>\t<a@x> (comment <d@e>) \"q <f@g>\" <e@F>");
  g_assert_cmpuint (a->len, ==, 4);
  g_assert_cmpstr (a->pdata[0], ==, "a@x");
  g_assert_cmpstr (a->pdata[1], ==, "b@y");
  g_assert_cmpstr (a->pdata[2], ==, "c@z");
  g_assert_cmpstr (a->pdata[3], ==, "e@f");

  g_autoptr (GPtrArray) bare = parse ("one@a.b two@C.D, Your message of Monday");
  g_assert_cmpuint (bare->len, ==, 2);
  g_assert_cmpstr (bare->pdata[1], ==, "two@c.d");

  g_autoptr (GPtrArray) irt = parse ("<87bl9sunnw.wl-maz@kernel.org> (message from Marc Zyngier <maz@kernel.org> on Mon)");
  g_assert_cmpuint (irt->len, ==, 1);
  g_assert_cmpstr (irt->pdata[0], ==, "87bl9sunnw.wl-maz@kernel.org");

  g_autoptr (GPtrArray) broken = parse ("<a@b <c@d> <<e@f>> <unclosed@x");
  g_assert_cmpuint (broken->len, ==, 2);
  g_assert_cmpstr (broken->pdata[0], ==, "c@d");
  g_assert_cmpstr (broken->pdata[1], ==, "e@f");
}

/* A References chain of N ids, longer than the bound, keeps its root
 * and the newest 199: also past the ids held at once while scanning
 * (100,000), not the ids where scanning would have stopped. */
static void
check_list_bounded (int n)
{
  GString *s = g_string_new (NULL);
  for (int i = 0; i < n; i++)
    g_string_append_printf (s, "<id%d@x>\n ", i);
  g_autoptr (GPtrArray) a = parse (s->str);
  g_string_free (s, TRUE);
  g_autofree char *second = g_strdup_printf ("id%d@x", n - 199);
  g_autofree char *last = g_strdup_printf ("id%d@x", n - 1);
  g_assert_cmpuint (a->len, ==, 200);
  g_assert_cmpstr (a->pdata[0], ==, "id0@x");
  g_assert_cmpstr (a->pdata[1], ==, second);
  g_assert_cmpstr (a->pdata[199], ==, last);
}

static void
test_list_bounded (void)
{
  check_list_bounded (1000);
  check_list_bounded (100000);
}

static void
test_list_appends_without_duplicates (void)
{
  g_autoptr (GPtrArray) a = parse ("<a@x>");
  md_msgid_parse_list ("<a@X> <b@x>", a);
  md_msgid_parse_list (NULL, a);
  g_assert_cmpuint (a->len, ==, 2);
}

/* Many '<' and no '>': one pass over the header, not one per '<' (that
 * took minutes on a few megabytes).  The bound is far above the linear
 * cost even under the sanitizers. */
static void
test_list_unbalanced_is_linear (void)
{
  GString *s = g_string_new (NULL);
  for (int i = 0; i < (2 << 20); i++)
    g_string_append_c (s, i % 64 ? '<' : 'x');
  g_string_append (s, "(c <in@comment>) <last@X>");
  g_autoptr (GTimer) timer = g_timer_new ();
  g_autoptr (GPtrArray) a = parse (s->str);
  g_assert_cmpfloat (g_timer_elapsed (timer, NULL), <, 5.0);
  g_string_free (s, TRUE);
  g_assert_cmpuint (a->len, ==, 1);
  g_assert_cmpstr (a->pdata[0], ==, "last@x");

  g_autoptr (GPtrArray) b = parse ("<a <b <c@d> <e> f> <g@h");
  g_assert_cmpuint (b->len, ==, 2);
  g_assert_cmpstr (b->pdata[0], ==, "c@d");
  g_assert_cmpstr (b->pdata[1], ==, "e");
}

static void
test_synthesise (void)
{
  const char *m1 = "From: a@b\nSubject: hi\nDate: Mon, 1 Jan 2020 00:00:00 +0000\n\nbody\n";
  const char *m1crlf = "Received: by relay\r\nFrom: a@b\r\nSubject:\r\n  hi\r\nDate: Mon, 1 Jan 2020 00:00:00 +0000\r\n\r\nbody\r\n";
  const char *m2 = "From: a@b\nSubject: hi\nDate: Mon, 1 Jan 2020 00:00:00 +0000\n\nbody2\n";
  g_autofree char *a = md_msgid_synthesise (m1, strlen (m1));
  g_autofree char *b = md_msgid_synthesise (m1, strlen (m1));
  g_autofree char *c = md_msgid_synthesise (m1crlf, strlen (m1crlf));
  g_autofree char *d = md_msgid_synthesise (m2, strlen (m2));

  g_assert_cmpstr (a, ==, b);
  g_assert_cmpstr (a, ==, c);
  g_assert_cmpstr (a, !=, d);
  g_assert_true (g_str_has_suffix (a, "@mldigest.invalid"));
  g_assert_cmpuint (strlen (a), ==, 64 + strlen ("@mldigest.invalid"));
  g_autofree char *n = md_msgid_normalise (a);
  g_assert_cmpstr (n, ==, a);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/msgid/normalise", test_normalise);
  g_test_add_func ("/msgid/normalise-rejects", test_normalise_rejects);
  g_test_add_func ("/msgid/list", test_list);
  g_test_add_func ("/msgid/list-bounded", test_list_bounded);
  g_test_add_func ("/msgid/list-appends", test_list_appends_without_duplicates);
  g_test_add_func ("/msgid/list-unbalanced", test_list_unbalanced_is_linear);
  g_test_add_func ("/msgid/synthesise", test_synthesise);
  return g_test_run ();
}
