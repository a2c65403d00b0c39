/* Unit tests: aggregate/facts/thread.c (JWZ threading, series rejoining).
 *
 * The header cases come from notmuch's threading corpus
 * (suites/notmuch-test-corpora: threading/ghost-root,
 * threading/parent-priority, broken/loop) and its T510 tests, rebuilt
 * here field by field, and then the corpus files themselves, parsed.
 */
#include "records.h"
#include "message.h"
#include "thread.h"

static MdThreadOptions opts;

static void
run (MdWeek *w)
{
  md_thread_options_load (&opts, NULL, NULL);
  md_thread_run (w, &opts);
}

static const char *
msg_id (const MdThread *t, guint i)
{
  return ((const MdRecord *) t->messages->pdata[i])->message_id;
}

/* notmuch threading/ghost-root: a fake root from Mallory names a root
 * that exists, a child, and an id nobody sent; an RT ticket whose first
 * message was never seen. */
static void
test_ghost_root (void)
{
  g_autoptr (MdWeek) w = test_week ();
  MdThread *t;

  put (w, msg ("000-real-root@example.org", "alice@example.org", T0 + 10, "root message"), TRUE);
  put (w, replying (msg ("001-child@example.org", "alice@example.org", T0 + 100, "child message"),
                    "000-real-root@example.org", "000-real-root@example.org", NULL), TRUE);
  put (w, replying (msg ("001-grand-child@example.org", "alice@example.org", T0 + 200, "grand-child"),
                    "001-child@example.org", "000-real-root@example.org", "001-child@example.org", NULL), TRUE);
  put (w, replying (msg ("001-great-grand-child@example.org", "alice@example.org", T0 + 300, "ggc"),
                    "001-grand-child@example.org", "000-real-root@example.org",
                    "001-grand-child@example.org", NULL), TRUE);
  put (w, replying (msg ("001-fake-message-root@example.org", "mallory@example.org", T0 + 10, "fake root message"),
                    "nonexistent-message@example.org", "000-real-root@example.org",
                    "001-child@example.org", "nonexistent-message@example.org", NULL), TRUE);
  put (w, msg ("87bmc6lp3h.fsf@len.workgroup", "g@example.de", T0 + 1000, "FYI"), TRUE);
  put (w, replying (msg ("rt-211@example.de", "rt@example.de", T0 + 1010, "AutoReply: FYI"),
                    "87bmc6lp3h.fsf@len.workgroup", "rt-ticket-33575@example.de",
                    "87bmc6lp3h.fsf@len.workgroup", NULL), TRUE);
  put (w, replying (msg ("rt-215@example.de", "rt@example.de", T0 + 5000, "Resolved: FYI"),
                    NULL, "rt-ticket-33575@example.de", NULL), TRUE);
  run (w);

  g_assert_cmpuint (w->threads, ==, 2);
  t = thread_of (w, "001-fake-message-root@example.org");
  g_assert_nonnull (t);
  g_assert_cmpstr (t->id, ==, "000-real-root@example.org");
  g_assert_false (t->root_missing);
  g_assert_cmpuint (t->messages->len, ==, 5);
  g_assert_cmpstr (md_thread_parent_id (w->records, g_hash_table_lookup (w->records, "001-fake-message-root@example.org")),
                   ==, "001-child@example.org");
  /* the ticket: a ghost root holds the first message and the resolution */
  t = thread_of (w, "rt-215@example.de");
  g_assert_true (t == thread_of (w, "87bmc6lp3h.fsf@len.workgroup"));
  g_assert_cmpstr (t->id, ==, "rt-ticket-33575@example.de");
  g_assert_true (t->root_missing);
  g_assert_cmpstr (t->root_rec->message_id, ==, "87bmc6lp3h.fsf@len.workgroup");
  g_assert_cmpstr (t->subject, ==, "FYI");
  g_assert_cmpuint (t->messages->len, ==, 3);
}

/* notmuch broken/loop: two messages whose In-Reply-To name each other. */
static void
test_loop_refused (void)
{
  g_autoptr (MdWeek) w = test_week ();
  MdThread *t;

  put (w, replying (msg ("mid-loop-21@example.org", "alice@example.org", T0 + 2 * DAY_, "21"),
                    "mid-loop-12@example.org", NULL), TRUE);
  put (w, replying (msg ("mid-loop-12@example.org", "alice@example.org", T0 + DAY_, "12"),
                    "mid-loop-21@example.org", NULL), TRUE);
  /* and one naming itself */
  put (w, replying (msg ("self@example.org", "bob@example.org", T0, "self"),
                    "self@example.org", "self@example.org", NULL), TRUE);
  run (w);

  g_assert_cmpuint (w->threads, ==, 2);
  t = thread_of (w, "mid-loop-12@example.org");
  g_assert_true (t == thread_of (w, "mid-loop-21@example.org"));
  g_assert_cmpuint (t->messages->len, ==, 2);
  /* the earlier message took its parent; the later link was refused */
  g_assert_cmpstr (t->id, ==, "mid-loop-21@example.org");
  g_assert_cmpstr (msg_id (t, 0), ==, "mid-loop-12@example.org");
  g_assert_cmpuint (thread_of (w, "self@example.org")->messages->len, ==, 1);
}

/* notmuch threading/parent-priority: In-Reply-To beats the last
 * References entry when both are present. */
static void
test_parent_priority (void)
{
  g_autoptr (MdWeek) w = test_week ();
  MdRecord *gc;

  put (w, msg ("b00-root@example.org", "alice@example.org", T0, "root message"), TRUE);
  put (w, replying (msg ("b01-child@example.org", "alice@example.org", T0 + DAY_, "child"),
                    "b00-root@example.org", "b00--root@example.org", NULL), TRUE);
  gc = put (w, replying (msg ("b01-grand-child@example.org", "alice@example.org", T0 + DAY_ + 600, "gc"),
                         "b01-child@example.org", "b01-child@example.org", "b00-root@example.org", NULL), TRUE);
  run (w);

  g_assert_cmpuint (w->threads, ==, 1);
  g_assert_cmpstr (md_thread_parent_id (w->records, gc), ==, "b01-child@example.org");
  g_assert_cmpstr (((MdThread *) w->threads_v->pdata[0])->id, ==, "b00-root@example.org");
}

/* notmuch T510: a dangling In-Reply-To does not cut a reply off the
 * References we have; the last present reference is the parent. */
static void
test_references_when_in_reply_to_dangles (void)
{
  g_autoptr (MdWeek) w = test_week ();
  MdRecord *r2, *r4;

  put (w, msg ("foo@two.com", "a@example.org", T0, "two"), TRUE);
  r2 = put (w, replying (msg ("re-two@x", "a@example.org", T0 + 60, "Re: two"),
                         "bar@baz.com", "foo@two.com", NULL), TRUE);
  put (w, msg ("foo@four.com", "a@example.org", T0, "four"), TRUE);
  put (w, msg ("bar@four.com", "a@example.org", T0, "not-four"), TRUE);
  r4 = put (w, replying (msg ("neither@x", "a@example.org", T0 + 60, "neither"),
                         "baz@four.com", "baz@four.com", "foo@four.com", NULL), TRUE);
  run (w);

  g_assert_cmpstr (md_thread_parent_id (w->records, r2), ==, "foo@two.com");
  g_assert_true (thread_of (w, "re-two@x") == thread_of (w, "foo@two.com"));
  g_assert_cmpstr (md_thread_parent_id (w->records, r4), ==, "foo@four.com");
  g_assert_true (thread_of (w, "neither@x") == thread_of (w, "foo@four.com"));
  g_assert_true (thread_of (w, "neither@x") != thread_of (w, "bar@four.com"));
  g_assert_cmpuint (w->threads, ==, 3);
}

static MdRecord *
patch (const char *id, const char *from, gint64 date, guint16 v, guint16 k,
       guint16 n, const char *title)
{
  g_autofree char *subject = g_strdup_printf ("[PATCH v%u %u/%u] %s", v, k, n, title);
  return as_patch (msg (id, from, date, subject), v, k, n, title);
}

static void
assert_join (MdThread *t, const char *id, const char *rule, const char *to)
{
  for (guint i = 0; i < t->joins->len; i++)
    {
      MdJoin *j = t->joins->pdata[i];
      if (strcmp (j->rec->message_id, id) == 0)
        {
          g_assert_cmpstr (j->rule, ==, rule);
          g_assert_cmpstr (j->to, ==, to);
          return;
        }
    }
  g_assert_not_reached ();
}

/* Patches sent without threading headers rejoin their cover letter. */
static void
test_series_rejoined (void)
{
  g_autoptr (MdWeek) w = test_week ();
  const char *oliver = "Oliver <oliver@example.org>";
  MdThread *t;

  put (w, patch ("cover@o", oliver, T0, 2, 0, 3, "KVM: arm64: Fix the TLB"), TRUE);
  put (w, patch ("p1@o", oliver, T0 + 5, 2, 1, 3, "KVM: arm64: one"), TRUE);
  put (w, patch ("p2@o", oliver, T0 + 6, 2, 2, 3, "KVM: arm64: two"), TRUE);
  /* patch 3 names a parent nobody has: its placeholder moves with it */
  put (w, replying (patch ("p3@o", oliver, T0 + 7, 2, 3, 3, "KVM: arm64: three"),
                    "lost@o", "lost@o", NULL), TRUE);
  put (w, as_reply (replying (msg ("r3@m", "maz@kernel.org", T0 + DAY_, "Re: three"),
                              "p3@o", "lost@o", "p3@o", NULL)), TRUE);
  run (w);

  g_assert_cmpuint (w->threads, ==, 1);
  t = w->threads_v->pdata[0];
  g_assert_cmpstr (t->id, ==, "cover@o");
  g_assert_cmpuint (t->messages->len, ==, 5);
  g_assert_cmpuint (t->joins->len, ==, 3);
  assert_join (t, "p1@o", "series", "cover@o");
  assert_join (t, "p3@o", "series", "cover@o");
}

/* Seed 002: two different [PATCH 0/3] series are never one thread. */
static void
test_two_covers_never_merged (void)
{
  g_autoptr (MdWeek) w = test_week ();
  const char *a = "Oliver <oliver@example.org>", *b = "Marc <maz@kernel.org>";

  put (w, patch ("ca@o", a, T0, 1, 0, 3, "KVM: arm64: series A"), TRUE);
  put (w, patch ("cb@m", b, T0 + 60, 1, 0, 3, "KVM: arm64: series B"), TRUE);
  for (guint k = 1; k <= 3; k++)
    {
      g_autofree char *ida = g_strdup_printf ("a%u@o", k);
      g_autofree char *idb = g_strdup_printf ("b%u@m", k);
      put (w, patch (ida, a, T0 + k, 1, k, 3, "a patch"), TRUE);
      put (w, replying (patch (idb, b, T0 + 60 + k, 1, k, 3, "b patch"), "cb@m", "cb@m", NULL), TRUE);
    }
  /* the same sender's second, different series an hour later */
  put (w, patch ("ca2@o", a, T0 + HOUR_, 1, 0, 3, "KVM: arm64: series C"), TRUE);
  put (w, patch ("c1@o", a, T0 + HOUR_ + 1, 1, 1, 3, "c patch"), TRUE);
  run (w);

  g_assert_cmpuint (w->threads, ==, 3);
  g_assert_cmpuint (thread_of (w, "ca@o")->messages->len, ==, 4);
  g_assert_true (thread_of (w, "a2@o") == thread_of (w, "ca@o"));
  g_assert_cmpuint (thread_of (w, "cb@m")->messages->len, ==, 4);
  g_assert_true (thread_of (w, "c1@o") == thread_of (w, "ca2@o"));
}

/* A coverless series sent at once is one thread under its first patch;
 * two coverless series that both have a patch 1/2 stay apart; a cover
 * letter too far away in time is not joined. */
static void
test_coverless_series (void)
{
  g_autoptr (MdWeek) w = test_week ();
  const char *a = "a@example.org";

  put (w, patch ("x2@a", a, T0 + 10, 1, 2, 2, "x two"), TRUE);
  put (w, patch ("x1@a", a, T0 + 11, 1, 1, 2, "x one"), TRUE);
  put (w, patch ("y1@a", a, T0 + 3 * DAY_, 1, 1, 2, "y one"), TRUE);
  put (w, patch ("z1@a", a, T0 + 3 * DAY_ + 5, 1, 1, 2, "z one"), TRUE);
  put (w, patch ("late@a", a, T0 + 6 * DAY_, 3, 1, 4, "late"), TRUE);
  put (w, patch ("cov@a", a, T0, 3, 0, 4, "cover"), TRUE);
  run (w);

  g_assert_true (thread_of (w, "x2@a") == thread_of (w, "x1@a"));
  g_assert_cmpstr (thread_of (w, "x2@a")->id, ==, "x1@a");
  g_assert_true (thread_of (w, "y1@a") != thread_of (w, "z1@a"));
  g_assert_true (thread_of (w, "late@a") != thread_of (w, "cov@a"));
  g_assert_cmpuint (w->threads, ==, 5);
}

/* Subjects join parentless messages only when everything agrees. */
static void
test_careful_subject_merge (void)
{
  g_autoptr (MdWeek) w = test_week ();
  MdThread *t;

  put (w, msg ("q1@a", "a@example.org", T0, "question about vgic"), TRUE);
  put (w, titled (as_reply (msg ("q2@a", "a@example.org", T0 + HOUR_, "Re: question about vgic")),
                  "question about vgic"), TRUE);
  put (w, msg ("q3@b", "b@example.org", T0 + HOUR_, "question about vgic"), TRUE);
  put (w, msg ("q4@a", "a@example.org", T0 + 4 * DAY_, "question about vgic"), TRUE);
  put (w, as_patch (msg ("p@a", "a@example.org", T0 + 2 * HOUR_, "[PATCH] question about vgic"),
                    1, 0, 0, "question about vgic"), TRUE);
  run (w);

  t = thread_of (w, "q1@a");
  g_assert_true (t == thread_of (w, "q2@a"));
  assert_join (t, "q2@a", "subject", "q1@a");
  g_assert_true (t != thread_of (w, "q3@b"));   /* another sender */
  g_assert_true (t != thread_of (w, "q4@a"));   /* days later */
  g_assert_true (t != thread_of (w, "p@a"));    /* other tags */
  g_assert_cmpuint (w->threads, ==, 4);
}

/* Window messages in UTC time order; history apart; continues. */
static void
test_time_order_and_history (void)
{
  g_autoptr (MdWeek) w = test_week ();
  MdThread *t;

  put (w, msg ("old@a", "a@example.org", T0 - 3 * DAY_, "old question"), FALSE);
  put (w, replying (msg ("r2@b", "b@example.org", T0 + 2 * DAY_, "Re: old question"),
                    "r1@c", "old@a", "r1@c", NULL), TRUE);
  put (w, replying (msg ("r1@c", "c@example.org", T0 + DAY_, "Re: old question"),
                    "old@a", "old@a", NULL), TRUE);
  put (w, replying (msg ("r0@c", "c@example.org", T0 + 10, "Re: old question"),
                    "old@a", "old@a", NULL), TRUE);
  /* history-only thread: not in the report */
  put (w, msg ("gone@a", "a@example.org", T0 - DAY_, "gone"), FALSE);
  /* a reply to a message we never had: continues from before */
  put (w, as_reply (replying (msg ("orphan@d", "d@example.org", T0 + 3 * DAY_, "Re: elsewhere"),
                              "never@x", "never@x", NULL)), TRUE);
  run (w);

  g_assert_cmpuint (w->threads, ==, 2);
  t = thread_of (w, "old@a");
  g_assert_cmpuint (t->messages->len, ==, 3);
  g_assert_cmpstr (msg_id (t, 0), ==, "r0@c");
  g_assert_cmpstr (msg_id (t, 1), ==, "r1@c");
  g_assert_cmpstr (msg_id (t, 2), ==, "r2@b");
  g_assert_cmpuint (t->earlier->len, ==, 1);
  g_assert_true (t->continues);
  g_assert_cmpint (t->started, ==, T0 - 3 * DAY_);
  g_assert_cmpint (t->last, ==, T0 + 2 * DAY_);
  t = thread_of (w, "orphan@d");
  g_assert_true (t->root_missing && t->continues);
  g_assert_cmpstr (t->id, ==, "never@x");
  g_assert_null (thread_of (w, "gone@a"));
  /* threads in order of their first window message */
  g_assert_cmpstr (((MdThread *) w->threads_v->pdata[0])->id, ==, "old@a");
}

/* Many messages in one long chain, and a hostile References list. */
static void
test_deep_and_wide (void)
{
  g_autoptr (MdWeek) w = test_week ();
  MdRecord *r = put (w, msg ("m0@x", "a@example.org", T0, "chain"), TRUE);

  for (guint i = 1; i < 3000; i++)
    {
      g_autofree char *id = g_strdup_printf ("m%u@x", i);
      g_autofree char *prev = g_strdup_printf ("m%u@x", i - 1);
      r = put (w, replying (msg (id, "a@example.org", T0 + i, "Re: chain"), prev, prev, NULL), TRUE);
    }
  for (guint i = 0; i < 5000; i++)
    g_ptr_array_add (r->references, g_strdup_printf ("junk%u@x", i));
  run (w);
  g_assert_cmpuint (w->threads, ==, 1);
  g_assert_cmpuint (((MdThread *) w->threads_v->pdata[0])->messages->len, ==, 3000);
}

/* ---- the real files of notmuch's corpus ---- */

/* Parse every file under CORPUS/SUB into a new week, or NULL (skipped). */
static MdWeek *
corpus_week (const char *sub)
{
  const char *env = g_getenv ("MLDIGEST_CORPUS");
  g_autofree char *dir = g_build_filename (env && *env ? env : "../shared/corpus",
                                           "suites/notmuch-test-corpora", sub, NULL);
  g_autoptr (GPtrArray) stack = g_ptr_array_new_with_free_func (g_free);
  MdWeek *w;

  if (!g_file_test (dir, G_FILE_TEST_IS_DIR))
    {
      g_test_skip_printf ("no corpus at %s (set MLDIGEST_CORPUS)", dir);
      return NULL;
    }
  w = test_week ();
  g_ptr_array_add (stack, g_steal_pointer (&dir));
  while (stack->len)
    {
      g_autofree char *path = g_ptr_array_steal_index (stack, stack->len - 1);
      g_autoptr (GDir) d = g_dir_open (path, 0, NULL);
      g_autofree char *data = NULL;
      gsize len;
      const char *name;
      MdParseOptions po = { "kvmarm", T0, FALSE };

      while (d && (name = g_dir_read_name (d)) != NULL)
        g_ptr_array_add (stack, g_build_filename (path, name, NULL));
      if (d == NULL && g_file_get_contents (path, &data, &len, NULL))
        put (w, md_message_parse (data, len, &po, NULL), TRUE);
    }
  run (w);
  return w;
}

static void
test_corpus_ghost_root (void)
{
  g_autoptr (MdWeek) w = corpus_week ("threading/ghost-root");
  MdThread *t;

  if (w == NULL)
    return;
  g_assert_cmpuint (g_hash_table_size (w->window_ids), ==, 9);
  g_assert_cmpuint (w->threads, ==, 2);
  t = thread_of (w, "001-fake-message-root@example.org");
  g_assert_cmpstr (t->id, ==, "000-real-root@example.org");
  g_assert_cmpuint (t->messages->len, ==, 6);
  t = thread_of (w, "87bmc6lp3h.fsf@len.workgroup");
  g_assert_true (t->root_missing);
  g_assert_cmpuint (t->messages->len, ==, 3);
  g_assert_true (g_str_has_prefix (t->id, "RT-Ticket-33575@"));
}

static void
test_corpus_parent_priority (void)
{
  g_autoptr (MdWeek) w = corpus_week ("threading/parent-priority");
  MdRecord *gc;

  if (w == NULL)
    return;
  g_assert_cmpuint (w->threads, ==, 1);
  g_assert_cmpstr (((MdThread *) w->threads_v->pdata[0])->id, ==, "B00-root@example.org");
  gc = g_hash_table_lookup (w->records, "B01-grand-child@example.org");
  g_assert_nonnull (gc);
  g_assert_cmpstr (md_thread_parent_id (w->records, gc), ==, "B01-child@example.org");
}

static void
test_corpus_loop (void)
{
  g_autoptr (MdWeek) w = corpus_week ("broken/loop");

  if (w == NULL)
    return;
  g_assert_cmpuint (w->threads, ==, 1);
  g_assert_cmpuint (((MdThread *) w->threads_v->pdata[0])->messages->len, ==, 2);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/thread/ghost-root", test_ghost_root);
  g_test_add_func ("/thread/loop-refused", test_loop_refused);
  g_test_add_func ("/thread/parent-priority", test_parent_priority);
  g_test_add_func ("/thread/dangling-in-reply-to", test_references_when_in_reply_to_dangles);
  g_test_add_func ("/thread/series-rejoined", test_series_rejoined);
  g_test_add_func ("/thread/two-covers-never-merged", test_two_covers_never_merged);
  g_test_add_func ("/thread/coverless-series", test_coverless_series);
  g_test_add_func ("/thread/careful-subject-merge", test_careful_subject_merge);
  g_test_add_func ("/thread/time-order-and-history", test_time_order_and_history);
  g_test_add_func ("/thread/deep-and-wide", test_deep_and_wide);
  g_test_add_func ("/thread/corpus/ghost-root", test_corpus_ghost_root);
  g_test_add_func ("/thread/corpus/parent-priority", test_corpus_parent_priority);
  g_test_add_func ("/thread/corpus/loop", test_corpus_loop);
  return g_test_run ();
}
