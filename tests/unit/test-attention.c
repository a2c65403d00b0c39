/* Unit tests: aggregate/facts/attention.c, one rule at a time, on a
 * table of records read through the same stages as the program (window,
 * threads, series, categories, facts, attention).  The week is
 * T0 .. T0 + 7 days by Date; attention_days is 7 unless said. */
#include "records.h"
#include "attention.h"
#include "category.h"
#include "facts.h"
#include "series.h"
#include "thread.h"
#include "window.h"

static const char *A = "Alex Author <alex@example.org>";
static const char *R = "Rita Reviewer <rita@example.org>";
static const char *BOT = "kernel test robot <lkp@intel.com>";

/* Into the index, in the thread of THREAD (NULL: its own). */
static MdRecord *
add (Fixture *f, MdRecord *r, const char *thread)
{
  table_add (f->tab, r, thread);
  return r;
}

static MdRecord *
cover (const char *id, const char *from, gint64 date, guint16 v, const char *title)
{
  g_autofree char *subject = v > 1 ? g_strdup_printf ("[PATCH v%u 0/2] %s", v, title)
                                   : g_strdup_printf ("[PATCH 0/2] %s", title);
  return as_patch (msg (id, from, date, subject), v, 0, 2, title);
}

static MdRecord *
answer (const char *id, const char *from, gint64 date, const char *to, const char *body)
{
  MdRecord *r = as_reply (msg (id, from, date, "Re: something"));
  replying (r, to, to, NULL);
  return with_body (r, body);
}

static void
run (Fixture *f, const char *config)
{
  g_autoptr (GKeyFile) kf = config ? keyfile (config) : NULL;
  g_autoptr (MdCategoryRules) rules = md_category_rules_load (kf, "kvmarm", NULL);
  g_autoptr (GError) err = NULL;
  MdThreadOptions o;

  g_assert_true (md_window_load (f->week, &f->src, MD_WINDOW_HISTORY_MAX, &err));
  md_thread_options_load (&o, kf, "kvmarm");
  md_thread_run (f->week, &o);
  g_assert_true (md_series_run (f->week, &f->src, &err));
  md_category_run (f->week, rules);
  md_facts_run (f->week, kf);
  g_assert_true (md_attention_run (f->week, &f->src, kf, &err));
  g_assert_no_error (err);
}

/* "reason id[:link,link] ..." of the week's list, in order. */
static char *
listed (Fixture *f)
{
  GString *s = g_string_new (NULL);

  for (guint i = 0; i < f->week->attention->len; i++)
    {
      const MdAttention *a = f->week->attention->pdata[i];
      g_string_append_printf (s, "%s%s %s", i ? " " : "", md_attention_reason (a->kind),
                              a->posting->message_id);
      for (guint j = 0; j < a->links->len; j++)
        g_string_append_printf (s, "%c%s", j ? ',' : ':',
                                ((const MdRecord *) a->links->pdata[j])->message_id);
    }
  return g_string_free (s, FALSE);
}

/* A series no one but its author (and a bot) answered in 7 days waits;
 * one a reviewer answered, one reviewed, one 4 days old do not. */
static void
test_waiting (Fixture *f, gconstpointer data)
{
  g_autofree char *got = NULL;

  add (f, cover ("w@a", A, T0, 1, "KVM: waits"), NULL);
  add (f, answer ("w-me@a", A, T0 + DAY_, "w@a", "Ping?\n"), "w@a");
  add (f, answer ("w-bot@i", BOT, T0 + DAY_, "w@a", "build success\n"), "w@a");
  add (f, cover ("r@a", A, T0, 1, "KVM: answered"), NULL);
  add (f, answer ("r-r@r", R, T0 + 2 * DAY_, "r@a", "Why this way?\n"), "r@a");
  add (f, cover ("young@a", A, T0 + 3 * DAY_, 1, "KVM: too young"), NULL);
  run (f, NULL);
  got = listed (f);
  g_assert_cmpstr (got, ==, "waiting w@a");
  g_assert_cmpuint (((MdAttention *) f->week->attention->pdata[0])->days, ==, 7);
  g_assert_nonnull (((MdAttention *) f->week->attention->pdata[0])->thread);
}

/* A series of an earlier week still waiting is listed with how long it
 * waited, without a thread this week; a later version, or a reply in
 * the index, takes it off. */
static void
test_waiting_across_weeks (Fixture *f, gconstpointer data)
{
  g_autofree char *got = NULL;

  add (f, cover ("old@a", A, T0 - 20 * DAY_, 1, "KVM: forgotten"), NULL);
  add (f, cover ("seen@a", A, T0 - 20 * DAY_, 1, "KVM: seen"), NULL);
  add (f, answer ("seen-r@r", R, T0 - 19 * DAY_, "seen@a", "Looks odd.\n"), "seen@a");
  add (f, cover ("v1@a", A, T0 - 15 * DAY_, 1, "KVM: redone"), NULL);
  add (f, cover ("v2@a", A, T0 + DAY_, 2, "KVM: redone"), NULL);
  add (f, cover ("ancient@a", A, T0 - 60 * DAY_, 1, "KVM: beyond history"), NULL);
  /* applied this week by a notice that is no reply to it */
  add (f, cover ("took@a", A, T0 - 12 * DAY_, 1, "KVM: taken"), NULL);
  add (f, msg ("note@b", "Mark Brown <broonie@kernel.org>", T0 + DAY_,
               "Applied \"KVM: taken\" to the kvm-arm tree"), NULL);
  /* ... and by one of an earlier week, in the lookback */
  add (f, cover ("took-early@a", A, T0 - 20 * DAY_, 1, "KVM: taken early"), NULL);
  add (f, msg ("note-early@b", "Mark Brown <broonie@kernel.org>", T0 - 10 * DAY_,
               "Applied \"[PATCH 0/2] KVM: taken early\" to the kvm-arm tree"), NULL);
  run (f, NULL);
  got = listed (f);
  g_assert_cmpstr (got, ==, "waiting old@a");
  g_assert_null (((MdAttention *) f->week->attention->pdata[0])->thread);
  g_assert_cmpuint (((MdAttention *) f->week->attention->pdata[0])->days, ==, 27);
}

/* A NAK, and a build-robot failure the author never answered; answered
 * or superseded they are not listed. */
static void
test_nak_and_robot (Fixture *f, gconstpointer data)
{
  g_autofree char *got = NULL;

  add (f, cover ("n@a", A, T0 + DAY_, 1, "KVM: refused"), NULL);
  add (f, answer ("n-r@r", R, T0 + 2 * DAY_, "n@a", "NAK, this breaks the ABI.\n"), "n@a");
  add (f, cover ("b@a", A, T0 + DAY_, 1, "KVM: breaks the build"), NULL);
  add (f, answer ("b-bot@i", BOT, T0 + 2 * DAY_, "b@a",
                  "kernel test robot noticed the following build errors:\n"), "b@a");
  add (f, cover ("f@a", A, T0 + DAY_, 1, "KVM: fixed build"), NULL);
  add (f, answer ("f-bot@i", BOT, T0 + 2 * DAY_, "f@a",
                  "kernel test robot noticed the following build errors:\n"), "f@a");
  add (f, answer ("f-me@a", A, T0 + 3 * DAY_, "f-bot@i", "Thanks, fixed in v2.\n"), "f@a");
  run (f, NULL);
  got = listed (f);
  g_assert_cmpstr (got, ==, "nak n@a:n-r@r robot b@a:b-bot@i");
}

/* v2 posted while a comment on v1 had no answer from the author; a
 * comment answered, and a bare trailer, need none. */
static void
test_review_unanswered (Fixture *f, gconstpointer data)
{
  g_autofree char *got = NULL;

  add (f, cover ("v1@a", A, T0 - 10 * DAY_, 1, "KVM: rework"), NULL);
  add (f, answer ("c1@r", R, T0 - 9 * DAY_, "v1@a", "This leaks the lock on error.\n"), "v1@a");
  add (f, answer ("c2@r", "Bob <bob@example.org>", T0 - 9 * DAY_, "v1@a", "Why not a helper?\n"), "v1@a");
  add (f, answer ("c2-me@a", A, T0 - 8 * DAY_, "c2@r", "Good idea, done.\n"), "v1@a");
  add (f, with_trailer (answer ("c3@r", "Carol <carol@example.org>", T0 - 9 * DAY_, "v1@a",
                                "Reviewed-by: Carol <carol@example.org>\n"),
                        MD_TRAILER_REVIEWED_BY, "Carol", "carol@example.org"), "v1@a");
  add (f, cover ("v2@a", A, T0 + DAY_, 2, "KVM: rework"), NULL);
  run (f, "[list kvmarm]\nattention_days = 30\n");
  got = listed (f);
  g_assert_cmpstr (got, ==, "review v2@a:c1@r");
  /* it has waited since the comment */
  g_assert_cmpuint (((MdAttention *) f->week->attention->pdata[0])->days, ==, 16);
}

/* A question to the list no one answered in two days; answered, or
 * asked the day before the report, it is not listed. */
static void
test_question (Fixture *f, gconstpointer data)
{
  g_autofree char *got = NULL;

  add (f, with_body (msg ("q@c", "Carl <carl@example.com>", T0 + DAY_, "vgic lock order"),
                     "Hi,\n\nIs its_lock always taken before lpi_list_lock?\n\nThanks\n"), NULL);
  add (f, with_body (msg ("q2@c", "Carl <carl@example.com>", T0 + DAY_, "Does pKVM support SVE?"),
                     "Just wondering.\n"), NULL);
  add (f, answer ("q2-a@r", R, T0 + 2 * DAY_, "q2@c", "Not yet.\n"), "q2@c");
  add (f, with_body (msg ("q3@c", "Carl <carl@example.com>", T0 + 6 * DAY_, "Late question?"),
                     "Anyone?\n"), NULL);
  add (f, with_body (msg ("s@c", "Carl <carl@example.com>", T0 + DAY_, "A statement"),
                     "> Why?\nBecause.\n"), NULL);
  run (f, NULL);
  got = listed (f);
  g_assert_cmpstr (got, ==, "question q@c");
}

/* The oldest wait first, at most attention_max. */
static void
test_order_and_max (Fixture *f, gconstpointer data)
{
  g_autofree char *got = NULL;

  for (guint i = 0; i < 5; i++)
    {
      g_autofree char *id = g_strdup_printf ("s%u@a", i);
      g_autofree char *title = g_strdup_printf ("KVM: series %u", i);
      g_autofree char *ping = g_strdup_printf ("s%u-me@a", i);
      add (f, cover (id, A, T0 - (gint64) i * DAY_, 1, title), NULL);
      add (f, answer (ping, A, T0 + DAY_, id, "Ping\n"), id);
    }
  run (f, "[list kvmarm]\nattention_max = 3\n");
  got = listed (f);
  g_assert_cmpstr (got, ==, "waiting s4@a waiting s3@a waiting s2@a");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
#define ADD(name, fn) g_test_add (name, Fixture, NULL, setup, fn, teardown)
  ADD ("/attention/waiting", test_waiting);
  ADD ("/attention/waiting-across-weeks", test_waiting_across_weeks);
  ADD ("/attention/nak-and-robot", test_nak_and_robot);
  ADD ("/attention/review-unanswered", test_review_unanswered);
  ADD ("/attention/question", test_question);
  ADD ("/attention/order-and-max", test_order_and_max);
  return g_test_run ();
}
