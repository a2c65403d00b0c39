/* Unit tests: aggregate/facts/window.c (options, and loading from a source). */
#include "records.h"
#include "window.h"

static gint64
utc (int y, int mo, int d, int h, int mi, int s)
{
  g_autoptr (GDateTime) dt = g_date_time_new_utc (y, mo, d, h, mi, s);
  return g_date_time_to_unix (dt);
}

static void
test_parse_time (void)
{
  g_autoptr (GError) err = NULL;
  gint64 t = 0;

  g_assert_true (md_window_parse_time ("2021-03-01", FALSE, &t, NULL));
  g_assert_cmpint (t, ==, utc (2021, 3, 1, 0, 0, 0));
  g_assert_true (md_window_parse_time ("2021-03-07", TRUE, &t, NULL));
  g_assert_cmpint (t, ==, utc (2021, 3, 8, 0, 0, 0));
  g_assert_true (md_window_parse_time ("2021-03-01T12:30:00+02:00", FALSE, &t, NULL));
  g_assert_cmpint (t, ==, utc (2021, 3, 1, 10, 30, 0));
  g_assert_true (md_window_parse_time ("2021-03-01T12:30:00", TRUE, &t, NULL));
  g_assert_cmpint (t, ==, utc (2021, 3, 1, 12, 30, 0));
  g_assert_true (md_window_parse_time ("2020-02-29", FALSE, &t, NULL));
  const char *bad[] = { "2021-02-29", "2021-13-01", "+202-01-01", "2021-3-1",
                        "yesterday", "", "2021-03-01x", NULL };
  for (guint i = 0; bad[i]; i++)
    {
      g_assert_false (md_window_parse_time (bad[i], FALSE, &t, &err));
      g_assert_error (err, MD_ERROR, MD_ERROR_USAGE);
      g_clear_error (&err);
    }
}

static void
test_parse_week (void)
{
  g_autoptr (GError) err = NULL;
  gint64 since = 0, until = 0;

  g_assert_true (md_window_parse_week ("2021-W30", &since, &until, NULL));
  g_assert_cmpint (since, ==, utc (2021, 7, 26, 0, 0, 0));
  g_assert_cmpint (until, ==, utc (2021, 8, 2, 0, 0, 0));
  /* week 1 of 2021 starts on Monday January 4th; of 2020 on 2019-12-30 */
  g_assert_true (md_window_parse_week ("2021W01", &since, &until, NULL));
  g_assert_cmpint (since, ==, utc (2021, 1, 4, 0, 0, 0));
  g_assert_true (md_window_parse_week ("2020-W1", &since, &until, NULL));
  g_assert_cmpint (since, ==, utc (2019, 12, 30, 0, 0, 0));
  /* 2020 has 53 weeks, 2021 has 52 */
  g_assert_true (md_window_parse_week ("2020-W53", &since, &until, NULL));
  g_assert_cmpint (since, ==, utc (2020, 12, 28, 0, 0, 0));
  g_assert_false (md_window_parse_week ("2021-W53", &since, &until, &err));
  g_assert_error (err, MD_ERROR, MD_ERROR_USAGE);
  g_clear_error (&err);
  g_assert_false (md_window_parse_week ("2021-W00", &since, &until, NULL));
  g_assert_false (md_window_parse_week ("2021-30", &since, &until, NULL));
  g_assert_false (md_window_parse_week ("2021-W301", &since, &until, NULL));
}

static void
test_resolve (void)
{
  g_autoptr (GError) err = NULL;
  MdWindowSpec s;
  gint64 now = T0 + 3 * DAY_ + 5;

  g_assert_true (md_window_resolve (NULL, NULL, NULL, now, &s, NULL));
  g_assert_false (s.by_date);
  g_assert_cmpint (s.until, ==, now);
  g_assert_cmpint (s.since, ==, now - 7 * DAY_);
  g_assert_true (md_window_resolve ("2021-03-01", NULL, NULL, now, &s, NULL));
  g_assert_true (s.by_date);
  g_assert_cmpint (s.since, ==, T0);
  g_assert_cmpint (s.until, ==, now);
  g_assert_true (md_window_resolve (NULL, "2021-03-07", NULL, now, &s, NULL));
  g_assert_cmpint (s.until, ==, T0 + 7 * DAY_);
  g_assert_cmpint (s.since, ==, T0);
  g_assert_false (md_window_resolve ("2021-03-01", NULL, "2021-W09", now, &s, &err));
  g_assert_error (err, MD_ERROR, MD_ERROR_USAGE);
  g_clear_error (&err);
  g_assert_false (md_window_resolve ("2021-03-05", "2021-03-01", NULL, now, &s, &err));
  g_assert_error (err, MD_ERROR, MD_ERROR_USAGE);
}

/* A thread that started the week before: the window pulls its root (an
 * ancestor) and an earlier reply that is no ancestor (ingest thread),
 * back to the history horizon (28 days by default). */
static void
test_load_history (void)
{
  Table *tab = table_new ();
  g_autoptr (MdWeek) w = test_week ();
  MdSource src;
  MdRecord *r;

  table_source (&src, tab);
  table_add (tab, msg ("root@a", "a@example.org", T0 - 5 * DAY_, "root"), "T1");
  table_add (tab, replying (msg ("early@b", "b@example.org", T0 - 4 * DAY_, "Re: root"),
                            "root@a", "root@a", NULL), "T1");
  table_add (tab, replying (msg ("mid@c", "c@example.org", T0 + DAY_, "Re: root"),
                            "root@a", "root@a", NULL), "T1");
  table_add (tab, replying (msg ("later@c", "c@example.org", T0 + 9 * DAY_, "Re: root"),
                            "mid@c", "root@a", "mid@c", NULL), "T1");
  /* another list's message in the window; an unrelated old message */
  r = msg ("other@x", "x@example.org", T0 + DAY_, "other list");
  g_ptr_array_set_size (r->lists, 0);
  g_ptr_array_add (r->lists, g_strdup ("kvm"));
  table_add (tab, r, NULL);
  table_add (tab, msg ("ancient@x", "x@example.org", T0 - 300 * DAY_, "ancient"), NULL);

  /* a thread of long ago: its root is an ancestor, its old replies
   * beyond the history horizon are not loaded */
  table_add (tab, msg ("r2@a", "a@example.org", T0 - 60 * DAY_, "old root"), "T2");
  table_add (tab, replying (msg ("r2-old@b", "b@example.org", T0 - 50 * DAY_, "Re: old root"),
                            "r2@a", "r2@a", NULL), "T2");
  table_add (tab, replying (msg ("r2-recent@b", "b@example.org", T0 - 10 * DAY_, "Re: old root"),
                            "r2@a", "r2@a", NULL), "T2");
  table_add (tab, replying (msg ("r2-now@c", "c@example.org", T0 + 2 * DAY_, "Re: old root"),
                            "r2@a", "r2@a", NULL), "T2");

  g_assert_true (md_window_load (w, &src, MD_WINDOW_HISTORY_MAX, NULL));
  g_assert_cmpuint (g_hash_table_size (w->window_ids), ==, 2);
  g_assert_true (g_hash_table_contains (w->window_ids, "mid@c"));
  g_assert_true (g_hash_table_contains (w->records, "r2@a"));
  g_assert_true (g_hash_table_contains (w->records, "r2-recent@b"));
  g_assert_false (g_hash_table_contains (w->records, "r2-old@b"));
  g_assert_true (g_hash_table_contains (w->records, "root@a"));
  g_assert_true (g_hash_table_contains (w->records, "early@b"));
  g_assert_false (g_hash_table_contains (w->records, "later@c"));
  g_assert_false (g_hash_table_contains (w->records, "ancient@x"));
  g_assert_false (g_hash_table_contains (w->records, "other@x"));
  table_free (tab);
}

/* By arrival, by Date: each window reads its own clock. */
static void
test_load_by_arrival (void)
{
  Table *tab = table_new ();
  g_autoptr (MdWeek) w = md_week_new ("kvmarm", T0, T0 + 7 * DAY_);
  MdSource src;
  MdRecord *late = msg ("late@a", "a@example.org", T0 - 30 * DAY_, "dated a month ago");

  late->arrival = T0 + DAY_;
  table_source (&src, tab);
  table_add (tab, late, NULL);
  g_assert_true (md_window_load (w, &src, MD_WINDOW_HISTORY_MAX, NULL));
  g_assert_true (g_hash_table_contains (w->window_ids, "late@a"));
  table_free (tab);
}

/* Unreadable records are skipped and counted; a failing source fails. */
static void
test_load_errors (void)
{
  Table *tab = table_new ();
  g_autoptr (MdWeek) w = test_week ();
  g_autoptr (MdWeek) w2 = test_week ();
  g_autoptr (GError) err = NULL;
  MdSource src;

  table_source (&src, tab);
  table_add (tab, msg ("ok@a", "a@example.org", T0 + 1, "fine"), NULL);
  table_add (tab, msg ("bad@a", "a@example.org", T0 + 2, "bad"), NULL);
  g_hash_table_add (tab->corrupt, (gpointer) "bad@a");
  g_assert_true (md_window_load (w, &src, MD_WINDOW_HISTORY_MAX, NULL));
  g_assert_cmpuint (w->skipped, ==, 1);
  g_assert_cmpuint (g_hash_table_size (w->window_ids), ==, 1);
  tab->fail = TRUE;
  g_assert_false (md_window_load (w2, &src, MD_WINDOW_HISTORY_MAX, &err));
  g_assert_error (err, MD_ERROR, MD_ERROR_TEMP);
  table_free (tab);
}

/* The cost of a load follows the window and its threads, not the
 * index: 20000 unrelated records cost nothing; a hostile References
 * list and a huge old thread are bounded. */
static void
test_load_cost (void)
{
  Table *tab = table_new ();
  g_autoptr (MdWeek) w = test_week ();
  MdSource src;
  MdRecord *r;

  table_source (&src, tab);
  for (guint i = 0; i < 20000; i++)
    {
      g_autofree char *id = g_strdup_printf ("noise%u@x", i);
      table_add (tab, msg (id, "n@example.org", T0 - 400 * DAY_ + i * 60, "noise"), NULL);
    }
  for (guint i = 0; i < 2000; i++)
    {
      g_autofree char *id = g_strdup_printf ("big%u@x", i);
      table_add (tab, msg (id, "b@example.org", T0 - 100 * DAY_ + i, "big"), "BIG");
    }
  table_add (tab, msg ("now@x", "b@example.org", T0 + 1, "Re: big"), "BIG");
  r = replying (msg ("hostile@x", "h@example.org", T0 + 2, "refs"), "noise1@x", NULL);
  for (guint i = 0; i < 10000; i++)
    g_ptr_array_add (r->references, g_strdup_printf ("noise%u@x", i));
  table_add (tab, r, NULL);

  g_assert_true (md_window_load (w, &src, MD_WINDOW_HISTORY_MAX, NULL));
  g_assert_cmpuint (g_hash_table_size (w->window_ids), ==, 2);
  g_assert_cmpuint (tab->gets, <=, 2 + MD_WINDOW_HISTORY_MAX + 64 + 64 * 64);
  g_assert_cmpuint (g_hash_table_size (w->records), <, 1000);
  table_free (tab);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/window/parse-time", test_parse_time);
  g_test_add_func ("/window/parse-week", test_parse_week);
  g_test_add_func ("/window/resolve", test_resolve);
  g_test_add_func ("/window/load-history", test_load_history);
  g_test_add_func ("/window/load-by-arrival", test_load_by_arrival);
  g_test_add_func ("/window/load-errors", test_load_errors);
  g_test_add_func ("/window/load-cost", test_load_cost);
  return g_test_run ();
}
