/* Unit tests: aggregate/report/json.c (the documented schema) and
 * aggregate/report/textout.c (safe for a terminal). */
#include <json-glib/json-glib.h>
#include "facts.h"
#include "records.h"
#include "category.h"
#include "json.h"
#include "series.h"
#include "textout.h"
#include "thread.h"

static MdWeek *
small_week (void)
{
  MdWeek *w = md_week_new ("kvmarm", T0, T0 + 7 * DAY_);
  g_autoptr (MdCategoryRules) rules = md_category_rules_load (NULL, NULL, NULL);
  MdThreadOptions o;
  MdRecord *cover = as_patch (msg ("c@a", "Zoë <zoe@example.org>", T0 + 60,
                                   "[PATCH v2 0/2] KVM: arm64: \x1b[31mred\x1b[0m"),
                              2, 0, 2, "KVM: arm64: red");
  MdRecord *bad = msg ("bad@b", "b@example.org", T0 + 120, "line\none \xff\xfe tail");
  Table *empty = table_new ();
  MdSource src;

  w->by_date = TRUE;
  w->generated = T0 + 7 * DAY_;
  put (w, cover, TRUE);
  put (w, with_diff (replying (as_patch (msg ("p1@a", "Zoë <zoe@example.org>", T0 + 61,
                                              "[PATCH v2 1/2] one"), 2, 1, 2, "one"),
                               "c@a", "c@a", NULL), "arch/arm64/kvm/arm.c", NULL), TRUE);
  put (w, with_trailer (as_reply (replying (msg ("r@m", "Marc <maz@kernel.org>", T0 + 3600, "Re: one"),
                                            "p1@a", "c@a", "p1@a", NULL)),
                        MD_TRAILER_REVIEWED_BY, "Marc Zyngier", "maz@kernel.org"), TRUE);
  put (w, msg ("old@b", "b@example.org", T0 - DAY_, "old"), FALSE);
  put (w, replying (bad, "old@b", "old@b", NULL), TRUE);
  table_source (&src, empty);
  md_thread_options_load (&o, NULL, NULL);
  md_thread_run (w, &o);
  g_assert_true (md_series_run (w, &src, NULL));
  table_free (empty);
  md_category_run (w, rules);
  md_facts_run (w, NULL);
  return w;
}

static JsonObject *
member_object (JsonObject *o, const char *name)
{
  g_assert_true (json_object_has_member (o, name));
  return json_object_get_object_member (o, name);
}

static JsonArray *
member_array (JsonObject *o, const char *name)
{
  g_assert_true (json_object_has_member (o, name));
  return json_object_get_array_member (o, name);
}

static void
assert_members (JsonObject *o, const char *const *names)
{
  for (guint i = 0; names[i]; i++)
    if (!json_object_has_member (o, names[i]))
      g_error ("missing member '%s'", names[i]);
}

static JsonObject *
thread_with_id (JsonArray *threads, const char *id)
{
  for (guint i = 0; i < json_array_get_length (threads); i++)
    {
      JsonObject *t = json_array_get_object_element (threads, i);
      if (g_strcmp0 (json_object_get_string_member (t, "id"), id) == 0)
        return t;
    }
  g_assert_not_reached ();
}

static void
test_schema (void)
{
  g_autoptr (MdWeek) w = small_week ();
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) err = NULL;
  gsize len = 0;
  g_autofree char *doc = md_json_render (w, &len);
  static const char *const top[] = { "list", "window", "generated", "totals", "categories",
    "threads", "contributors", "domains", "reviewers", "patches", NULL };
  static const char *const thread_keys[] = { "id", "subject", "category", "started", "last",
    "participants", "continues", "series", "trailers", "applied", "robot_failures", "naks",
    "messages", "earlier", "joins", "message_count", NULL };
  static const char *const series_keys[] = { "version", "total", "received", "missing",
    "project", "rfc", "resend", "previous", NULL };
  static const char *const message_keys[] = { "message_id", "date", "from_name",
    "from_email", "subject", "in_window", "trailers", NULL };
  JsonObject *root, *t, *s;
  JsonArray *msgs;

  g_assert_cmpuint (len, ==, strlen (doc));
  g_assert_true (json_parser_load_from_data (parser, doc, len, &err));
  g_assert_no_error (err);
  root = json_node_get_object (json_parser_get_root (parser));
  assert_members (root, top);
  g_assert_cmpstr (json_object_get_string_member (root, "list"), ==, "kvmarm");
  g_assert_cmpstr (json_object_get_string_member (member_object (root, "window"), "since"),
                   ==, "2021-03-01T00:00:00Z");
  g_assert_cmpstr (json_object_get_string_member (member_object (root, "window"), "until"),
                   ==, "2021-03-08T00:00:00Z");
  g_assert_cmpint (json_object_get_int_member (member_object (root, "totals"), "messages"), ==, 4);

  t = thread_with_id (member_array (root, "threads"), "c@a");
  assert_members (t, thread_keys);
  s = member_object (t, "series");
  assert_members (s, series_keys);
  g_assert_cmpint (json_object_get_int_member (s, "version"), ==, 2);
  g_assert_cmpint (json_object_get_int_member (s, "received"), ==, 1);
  g_assert_cmpint (json_array_get_int_element (member_array (s, "missing"), 0), ==, 2);
  g_assert_true (json_object_get_null_member (s, "previous"));
  g_assert_cmpstr (json_object_get_string_member (t, "subject"), ==,
                   "[PATCH v2 0/2] KVM: arm64: \x1b[31mred\x1b[0m");
  JsonArray *rb = member_array (member_object (t, "trailers"), "reviewed_by");
  g_assert_cmpuint (json_array_get_length (rb), ==, 1);
  g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (rb, 0), "patch"), ==, 1);
  msgs = member_array (t, "messages");
  g_assert_cmpuint (json_array_get_length (msgs), ==, 3);
  assert_members (json_array_get_object_element (msgs, 0), message_keys);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (msgs, 0), "from_name"),
                   ==, "Zoë");
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (msgs, 0), "date"),
                   ==, "2021-03-01T00:01:00Z");

  /* a damaged record still makes valid JSON; history is apart */
  t = thread_with_id (member_array (root, "threads"), "old@b");
  g_assert_true (g_utf8_validate (json_object_get_string_member (t, "subject"), -1, NULL) == TRUE);
  g_assert_true (json_object_get_boolean_member (t, "continues"));
  g_assert_true (json_object_get_null_member (t, "series"));
  msgs = member_array (t, "earlier");
  g_assert_cmpuint (json_array_get_length (msgs), ==, 1);
  g_assert_false (json_object_get_boolean_member (json_array_get_object_element (msgs, 0), "in_window"));
  g_assert_cmpuint (json_array_get_length (member_array (root, "patches")), ==, 1);
}

static void
test_text (void)
{
  g_autoptr (MdWeek) w = small_week ();
  g_autoptr (GTimeZone) paris = g_time_zone_new_identifier ("Europe/Paris");
  g_autofree char *text = md_text_render (w, NULL);
  g_autofree char *local = md_text_render (w, paris);

  g_assert_true (g_utf8_validate (text, -1, NULL));
  for (const char *p = text; *p; p++)
    g_assert_true (*p == '\n' || (guchar) *p >= 0x20);
  g_assert_nonnull (strstr (text, "KVM: arm64: ?[31mred?[0m"));
  g_assert_nonnull (strstr (text, "line?one"));
  g_assert_nonnull (strstr (text, "messages 4, threads 2, large threads 0"));
  g_assert_nonnull (strstr (text, "series v2, 1 of 2 received (missing 2)"));
  g_assert_nonnull (strstr (text, "Reviewed-by: Marc Zyngier <maz@kernel.org> (patch 1)"));
  g_assert_nonnull (strstr (text, "2021-03-01 00:01  Zoë <zoe@example.org>"));
  g_assert_nonnull (strstr (local, "2021-03-01 01:01  Zoë <zoe@example.org>"));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/json/schema", test_schema);
  g_test_add_func ("/text/safe-and-complete", test_text);
  return g_test_run ();
}
