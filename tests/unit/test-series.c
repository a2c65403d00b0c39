/* Unit tests: aggregate/facts/series.c (completeness, version links). */
#include "records.h"
#include "series.h"
#include "thread.h"

static MdRecord *
patch (const char *id, const char *from, gint64 date, guint16 v, guint16 k,
       guint16 n, const char *title)
{
  g_autofree char *subject = n ? g_strdup_printf ("[PATCH v%u %u/%u] %s", v, k, n, title)
                               : g_strdup_printf ("[PATCH v%u] %s", v, title);
  return as_patch (msg (id, from, date, subject), v, k, n, title);
}

/* Put REC in the week (window) and in the index. */
static MdRecord *
both (Fixture *f, MdRecord *rec, gboolean in_window)
{
  table_add (f->tab, rec_copy (rec), NULL);
  return put (f->week, rec, in_window);
}

static void
run (Fixture *f)
{
  MdThreadOptions o;
  g_autoptr (GError) err = NULL;

  md_thread_options_load (&o, NULL, NULL);
  md_thread_run (f->week, &o);
  g_assert_true (md_series_run (f->week, &f->src, &err));
  g_assert_no_error (err);
}

static void
test_completeness (Fixture *f, gconstpointer data)
{
  const char *a = "Alex <alex@example.org>";
  MdThread *t;

  both (f, patch ("c@a", a, T0 - DAY_, 3, 0, 5, "KVM: arm64: Things"), FALSE);
  both (f, replying (patch ("p1@a", a, T0 - DAY_, 3, 1, 5, "one"), "c@a", "c@a", NULL), FALSE);
  both (f, replying (patch ("p4@a", a, T0 + 1, 3, 4, 5, "four"), "c@a", "c@a", NULL), TRUE);
  /* a reply quoting patch 2's subject is not patch 2; a v2 patch 5 in the
   * same thread is not this version's patch 5 */
  both (f, as_reply (replying (patch ("r2@m", "maz@kernel.org", T0 + 2, 3, 2, 5, "two"),
                               "c@a", "c@a", NULL)), TRUE);
  both (f, replying (patch ("old5@a", a, T0 - 2 * DAY_, 2, 5, 5, "five"), "c@a", "c@a", NULL), FALSE);
  run (f);

  t = thread_of (f->week, "p4@a");
  g_assert_true (t->is_series);
  g_assert_cmpuint (t->series.version, ==, 3);
  g_assert_cmpstr (t->series.version_str, ==, "3");
  g_assert_cmpuint (t->series.total, ==, 5);
  g_assert_true (t->series.counted);
  g_assert_cmpuint (t->series.received, ==, 2);
  g_assert_cmpuint (t->series.missing->len, ==, 3);
  g_assert_cmpuint (g_array_index (t->series.missing, guint16, 0), ==, 2);
  g_assert_cmpuint (g_array_index (t->series.missing, guint16, 1), ==, 3);
  g_assert_cmpuint (g_array_index (t->series.missing, guint16, 2), ==, 5);
}

/* A series posted before the history horizon: its patches were not
 * loaded, so nothing is said about which arrived. */
static void
test_too_old_to_count (Fixture *f, gconstpointer data)
{
  MdThread *t;

  both (f, patch ("c@a", "a@example.org", T0 - 60 * DAY_, 1, 0, 3, "old series"), FALSE);
  both (f, as_reply (replying (msg ("r@m", "maz@kernel.org", T0 + 1, "Re: old series"),
                               "c@a", "c@a", NULL)), TRUE);
  run (f);
  t = thread_of (f->week, "r@m");
  g_assert_true (t->is_series);
  g_assert_false (t->series.counted);
  g_assert_cmpuint (t->series.total, ==, 3);
  g_assert_cmpuint (t->series.missing->len, ==, 0);
}

static void
test_tags_and_discussion (Fixture *f, gconstpointer data)
{
  MdRecord *r = patch ("kt@a", "a@example.org", T0 + 1, 6, 0, 6, "arm64: pmu");
  MdThread *t;

  r->tags.project = g_strdup ("kvmtool");
  r->tags.rfc = r->tags.resend = TRUE;
  both (f, r, TRUE);
  both (f, msg ("q@b", "b@example.org", T0 + 2, "a question"), TRUE);
  both (f, replying (patch ("inner@b", "b@example.org", T0 + 3, 1, 0, 0, "a fix"),
                     "q@b", "q@b", NULL), TRUE);
  run (f);

  t = thread_of (f->week, "kt@a");
  g_assert_cmpstr (t->series.project, ==, "kvmtool");
  g_assert_true (t->series.rfc && t->series.resend && !t->series.git_pull);
  g_assert_cmpuint (t->series.received, ==, 0);
  /* a patch posted inside a discussion does not make it a series */
  g_assert_false (thread_of (f->week, "q@b")->is_series);
}

/* vN -> v(N-1) by sender and title through the index; v(N-2) when
 * v(N-1) never reached the list; never another sender's; never a later
 * one. */
static void
test_previous_by_subject (Fixture *f, gconstpointer data)
{
  const char *a = "a@example.org";
  MdThread *t;

  table_add (f->tab, patch ("v1@a", a, T0 - 60 * DAY_, 1, 0, 4, "KVM: arm64: Stage-2 for the host"), NULL);
  table_add (f->tab, patch ("v2@a", a, T0 - 30 * DAY_, 2, 0, 4, "KVM: arm64: Stage-2 for the host"), NULL);
  table_add (f->tab, patch ("v2b@other", "other@example.org", T0 - 20 * DAY_, 2, 0, 4,
                            "KVM: arm64: Stage-2 for the host"), NULL);
  table_add (f->tab, patch ("v9@a", a, T0 + 5 * DAY_, 9, 0, 4, "KVM: arm64: Stage-2 for the host"), NULL);
  both (f, patch ("v4@a", a, T0 + 1, 4, 0, 4, "KVM: arm64: Stage-2 for the host"), TRUE);
  both (f, patch ("s2@a", a, T0 + 2, 2, 0, 0, "KVM: a single patch"), TRUE);
  table_add (f->tab, patch ("s1@a", a, T0 - DAY_, 1, 0, 0, "KVM: a single patch"), NULL);
  run (f);

  t = thread_of (f->week, "v4@a");
  g_assert_cmpstr (t->series.previous_id, ==, "v2@a");
  g_assert_cmpuint (t->series.previous_version, ==, 2);
  g_assert_cmpstr (t->series.previous_version_str, ==, "2");
  g_assert_cmpint (t->series.previous_date, ==, T0 - 30 * DAY_);
  g_assert_cmpstr (t->series.previous_how, ==, "subject");
  t = thread_of (f->week, "s2@a");
  g_assert_cmpstr (t->series.previous_id, ==, "s1@a");
  g_assert_cmpstr (t->series.previous_version_str, ==, "1");
}

/* The cover letter links its previous version (whose title changed). */
static void
test_previous_by_link (Fixture *f, gconstpointer data)
{
  MdRecord *v3 = patch ("20210310.1-v3@a", "a@example.org", T0 + 1, 3, 0, 2, "new title");
  MdThread *t;

  with_body (v3, "Changes since v2:\n - renamed\n\n"
                 "v2: https://lore.kernel.org/r/20210201.1-V2%40A\n"
                 "v1: https://lore.kernel.org/kvmarm/20210101.1-v1@a/T/#u\n");
  table_add (f->tab, patch ("20210201.1-V2@a", "b@example.org", T0 - 30 * DAY_, 2, 0, 2, "old title"), NULL);
  table_add (f->tab, patch ("20210101.1-v1@a", "a@example.org", T0 - 60 * DAY_, 1, 0, 2, "old title"), NULL);
  both (f, v3, TRUE);
  run (f);

  t = thread_of (f->week, v3->message_id);
  g_assert_cmpstr (t->series.previous_id, ==, "20210201.1-V2@a");
  g_assert_cmpstr (t->series.previous_how, ==, "link");
}

/* Sent in reply to the previous version: found in its own thread. */
static void
test_previous_in_thread (Fixture *f, gconstpointer data)
{
  MdThread *t;

  both (f, patch ("v1@a", "a@example.org", T0 - 10 * DAY_, 1, 0, 0, "fix"), FALSE);
  both (f, replying (patch ("v2@a", "a@example.org", T0 + 1, 2, 0, 0, "fix, differently"),
                     "v1@a", "v1@a", NULL), TRUE);
  run (f);
  t = thread_of (f->week, "v2@a");
  g_assert_cmpstr (t->id, ==, "v1@a");
  /* the thread is v1's, its series now v2, after v1 */
  g_assert_cmpuint (t->series.version, ==, 2);
  g_assert_cmpstr (t->series.previous_id, ==, "v1@a");
  g_assert_cmpstr (t->series.previous_how, ==, "link");
}

/* b4's change-id links versions whose titles differ, and vetoes a
 * same-titled series with another change-id. */
static void
test_previous_by_change_id (Fixture *f, gconstpointer data)
{
  const char *a = "a@example.org";
  MdThread *t;

  both (f, with_body (patch ("v1@a", a, T0 - 3 * DAY_, 1, 0, 3, "first title"),
                      "base-commit: abc\nchange-id: 20210301-foo-1234\n"), FALSE);
  both (f, with_body (patch ("v2@a", a, T0 + 1, 2, 0, 3, "second title"),
                      "cover\n\nchange-id: 20210301-foo-1234\n"), TRUE);
  table_add (f->tab, with_body (patch ("x1@a", a, T0 - DAY_, 1, 0, 3, "third title"),
                                "change-id: 20210101-other-9999\n"), NULL);
  both (f, with_body (patch ("x2@a", a, T0 + 2, 2, 0, 3, "third title"),
                      "change-id: 20210301-bar-5678\n"), TRUE);
  run (f);

  t = thread_of (f->week, "v2@a");
  g_assert_cmpstr (t->series.previous_id, ==, "v1@a");
  g_assert_cmpstr (t->series.previous_how, ==, "change-id");
  g_assert_null (thread_of (f->week, "x2@a")->series.previous_id);
}

/* The change-id finds a v(N-1) the week never loaded, sent by someone
 * else under another title, through the index alone. */
static void
test_previous_by_change_id_in_index (Fixture *f, gconstpointer data)
{
  MdThread *t;

  table_add (f->tab, with_body (patch ("old@a", "a@example.org", T0 - 90 * DAY_, 3, 0, 2,
                                       "an old title"),
                                "change-id: 20200101-long-lived-1\n"), NULL);
  both (f, with_body (patch ("v4@b", "b@example.org", T0 + 1, 4, 0, 2, "a new title"),
                      "taken over\n\nchange-id: 20200101-long-lived-1\n"), TRUE);
  run (f);
  g_assert_null (g_hash_table_lookup (f->week->records, "old@a"));
  t = thread_of (f->week, "v4@b");
  g_assert_cmpstr (t->series.previous_id, ==, "old@a");
  g_assert_cmpuint (t->series.previous_version, ==, 3);
  g_assert_cmpstr (t->series.previous_how, ==, "change-id");
}

static void
test_linked_ids (void)
{
  g_autoptr (GPtrArray) ids = md_series_linked_ids (
    "see https://lore.kernel.org/r/20200101.123-1-a%40B.COM and\n"
    "<https://lore.kernel.org/kvmarm/87a@kernel.org/T/#m> (dup: https://lore.kernel.org/all/87a@kernel.org/)\n"
    "https://lkml.kernel.org/r/x@y, https://msgid.link/z@w\n"
    "https://example.com/not@archive and mailto:foo@bar\n");

  g_assert_cmpuint (ids->len, ==, 4);
  g_assert_cmpstr (ids->pdata[0], ==, "20200101.123-1-a@b.com");
  g_assert_cmpstr (ids->pdata[1], ==, "87a@kernel.org");
  g_assert_cmpstr (ids->pdata[2], ==, "x@y");
  g_assert_cmpstr (ids->pdata[3], ==, "z@w");
}

static void
test_source_failure (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) err = NULL;
  MdThreadOptions o;

  both (f, patch ("v2@a", "a@example.org", T0 + 1, 2, 0, 0, "fix"), TRUE);
  md_thread_options_load (&o, NULL, NULL);
  md_thread_run (f->week, &o);
  f->tab->fail = TRUE;
  g_assert_false (md_series_run (f->week, &f->src, &err));
  g_assert_error (err, MD_ERROR, MD_ERROR_TEMP);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
#define ADD(path, fn) g_test_add (path, Fixture, NULL, setup, fn, teardown)
  ADD ("/series/completeness", test_completeness);
  ADD ("/series/too-old-to-count", test_too_old_to_count);
  ADD ("/series/tags-and-discussion", test_tags_and_discussion);
  ADD ("/series/previous-by-subject", test_previous_by_subject);
  ADD ("/series/previous-by-link", test_previous_by_link);
  ADD ("/series/previous-in-thread", test_previous_in_thread);
  ADD ("/series/previous-by-change-id", test_previous_by_change_id);
  ADD ("/series/previous-by-change-id-in-index", test_previous_by_change_id_in_index);
  ADD ("/series/source-failure", test_source_failure);
  g_test_add_func ("/series/linked-ids", test_linked_ids);
  return g_test_run ();
}
