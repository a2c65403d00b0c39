/* json.c - the JSON output (see json.h), built with json-glib.
 *
 * Strings come from records whose contract is valid UTF-8; they are
 * checked again here anyway (a hand-built or damaged record must not make
 * the document invalid), and json-glib escapes the rest.
 */
#include <string.h>
#include <json-glib/json-glib.h>
#include "says.h"
#include "json.h"

static const char *const trailer_keys[4] = {
  "reviewed_by", "acked_by", "tested_by", "nacked_by"
};

static void
add_string_value (JsonBuilder *b, const char *value)
{
  if (value == NULL)
    json_builder_add_null_value (b);
  else if (g_utf8_validate (value, -1, NULL))
    json_builder_add_string_value (b, value);
  else
    {
      g_autofree char *valid = g_utf8_make_valid (value, -1);
      json_builder_add_string_value (b, valid);
    }
}

static void
add_string (JsonBuilder *b, const char *key, const char *value)
{
  json_builder_set_member_name (b, key);
  add_string_value (b, value);
}

static void
add_int (JsonBuilder *b, const char *key, gint64 value)
{
  json_builder_set_member_name (b, key);
  json_builder_add_int_value (b, value);
}

static void
add_bool (JsonBuilder *b, const char *key, gboolean value)
{
  json_builder_set_member_name (b, key);
  json_builder_add_boolean_value (b, value);
}

static void
add_time (JsonBuilder *b, const char *key, gint64 t)
{
  g_autofree char *s = md_time_iso8601 (t);
  add_string (b, key, s);
}

static void
begin_array (JsonBuilder *b, const char *key)
{
  json_builder_set_member_name (b, key);
  json_builder_begin_array (b);
}

typedef void (*AddMembers) (JsonBuilder *b, gconstpointer item);

/* KEY: [ {ADD's members for each of ITEMS} ] */
static void
add_objects (JsonBuilder *b, const char *key, GPtrArray *items, AddMembers add)
{
  begin_array (b, key);
  for (guint i = 0; i < items->len; i++)
    {
      json_builder_begin_object (b);
      add (b, items->pdata[i]);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
}

/* ---- messages ---- */

static void
add_own_trailers (JsonBuilder *b, const MdRecord *r)
{
  begin_array (b, "trailers");
  for (guint i = 0; i < r->trailers->len; i++)
    {
      const MdTrailer *t = &g_array_index (r->trailers, MdTrailer, i);
      if (md_review_slot (t->kind) < 0)
        continue;
      json_builder_begin_object (b);
      add_string (b, "kind", md_trailer_kind_name (t->kind));
      add_string (b, "name", t->name);
      add_string (b, "email", t->email);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
}

static void
add_sender (JsonBuilder *b, const MdRecord *r)
{
  add_string (b, "message_id", r->message_id);
  add_time (b, "date", r->date);
  add_string (b, "from_name", r->from_name);
  add_string (b, "from_email", r->from_email);
}

static void
add_message (JsonBuilder *b, const MdRecord *r, gboolean in_window)
{
  add_sender (b, r);
  add_string (b, "subject", r->subject);
  add_bool (b, "in_window", in_window);
  add_bool (b, "patch", md_record_has_flag (r, MD_REC_HAS_PATCH));
  add_own_trailers (b, r);
}

static void
window_message (JsonBuilder *b, gconstpointer r)
{
  add_message (b, r, TRUE);
}

static void
earlier_message (JsonBuilder *b, gconstpointer r)
{
  add_message (b, r, FALSE);
}

/* ---- thread parts ---- */

/* received and missing, or null when the series is too old to count */
static void
add_missing (JsonBuilder *b, const MdSeriesInfo *s)
{
  json_builder_set_member_name (b, "received");
  if (s->counted)
    json_builder_add_int_value (b, s->received);
  else
    json_builder_add_null_value (b);
  json_builder_set_member_name (b, "missing");
  if (!s->counted)
    {
      json_builder_add_null_value (b);
      return;
    }
  json_builder_begin_array (b);
  for (guint i = 0; i < s->missing->len; i++)
    json_builder_add_int_value (b, g_array_index (s->missing, guint16, i));
  json_builder_end_array (b);
}

static void
add_series (JsonBuilder *b, const MdThread *t)
{
  const MdSeriesInfo *s = &t->series;

  json_builder_set_member_name (b, "series");
  if (!t->is_series)
    {
      json_builder_add_null_value (b);
      return;
    }
  json_builder_begin_object (b);
  add_string (b, "message_id", s->posting->message_id);
  add_int (b, "version", s->version);
  add_string (b, "version_str", s->version_str);
  add_int (b, "total", s->total);
  add_missing (b, s);
  add_string (b, "project", s->project);
  add_bool (b, "rfc", s->rfc);
  add_bool (b, "resend", s->resend);
  add_bool (b, "git_pull", s->git_pull);
  json_builder_set_member_name (b, "previous");
  if (s->previous_id == NULL)
    json_builder_add_null_value (b);
  else
    {
      json_builder_begin_object (b);
      add_string (b, "id", s->previous_id);
      add_int (b, "version", s->previous_version);
      add_string (b, "version_str", s->previous_version_str);
      add_time (b, "date", s->previous_date);
      add_string (b, "found_by", s->previous_how);
      json_builder_end_object (b);
    }
  json_builder_end_object (b);
}

static void
add_trailers (JsonBuilder *b, const MdThread *t)
{
  json_builder_set_member_name (b, "trailers");
  json_builder_begin_object (b);
  for (int slot = 0; slot < 4; slot++)
    {
      begin_array (b, trailer_keys[slot]);
      for (guint i = 0; i < t->reviews->len; i++)
        {
          const MdReview *r = t->reviews->pdata[i];
          if (md_review_slot (r->kind) != slot)
            continue;
          json_builder_begin_object (b);
          add_string (b, "name", r->name);
          add_string (b, "email", r->email);
          add_int (b, "patch", r->patch_index);
          add_string (b, "patch_subject", r->patch_subject);
          add_string (b, "message_id", r->given_in->message_id);
          json_builder_end_object (b);
        }
      json_builder_end_array (b);
    }
  json_builder_end_object (b);
}

static void
applied_reply (JsonBuilder *b, gconstpointer item)
{
  const MdRecord *r = item;
  g_autofree char *line = md_record_applied_line (r);

  add_sender (b, r);
  add_string (b, "line", line);
}

static void
marked_message (JsonBuilder *b, gconstpointer item)
{
  add_sender (b, item);
  add_string (b, "subject", ((const MdRecord *) item)->subject);
}

static void
join (JsonBuilder *b, gconstpointer item)
{
  const MdJoin *j = item;

  add_string (b, "message_id", j->rec->message_id);
  add_string (b, "rule", j->rule);
  add_string (b, "to", j->to);
}

static void
citation (JsonBuilder *b, gconstpointer item)
{
  const MdCitation *c = item;

  add_int (b, "n", c->n);
  add_string (b, "message_id", c->message_id);
}

/* The summary and where it comes from; null before any summariser ran. */
static void
add_summary (JsonBuilder *b, const MdThread *t)
{
  gboolean model = t->summary_text != NULL && !t->summary_builtin;

  json_builder_set_member_name (b, "summary");
  if (t->summary == NULL)
    {
      json_builder_add_null_value (b);
      return;
    }
  json_builder_begin_object (b);
  add_string (b, "source", model ? "model" : "builtin");
  add_string (b, "model", model ? t->summary_model : NULL);
  add_string (b, "text", model ? t->summary_text : NULL);
  add_string (b, "markdown", t->summary);
  add_objects (b, "citations", t->summary_cites, citation);
  add_int (b, "dropped_sentences", t->summary_dropped);
  add_bool (b, "reused", t->summary_reused);
  add_bool (b, "fallback", t->summary_fallback != NULL);
  add_string (b, "fallback_reason", t->summary_fallback);
  json_builder_end_object (b);
}

static void
thread (JsonBuilder *b, gconstpointer item)
{
  const MdThread *t = item;

  add_string (b, "id", t->id);
  add_string (b, "subject", t->subject);
  add_string (b, "category", t->category);
  add_time (b, "started", t->started);
  add_time (b, "last", t->last);
  add_int (b, "message_count", t->messages->len);
  add_int (b, "participants", t->participants);
  add_bool (b, "continues", t->continues);
  add_bool (b, "root_missing", t->root_missing);
  add_bool (b, "large", t->large);
  add_series (b, t);
  add_trailers (b, t);
  add_objects (b, "applied", t->applied, applied_reply);
  add_objects (b, "robot_failures", t->robot_failures, marked_message);
  add_objects (b, "naks", t->naks, marked_message);
  add_objects (b, "joins", t->joins, join);
  add_summary (b, t);
  add_objects (b, "messages", t->messages, window_message);
  add_objects (b, "earlier", t->earlier, earlier_message);
}

/* ---- the week ---- */

static void
category (JsonBuilder *b, gconstpointer item)
{
  const MdCategoryCount *c = item;

  add_string (b, "name", c->name);
  add_int (b, "threads", c->threads);
  add_int (b, "messages", c->messages);
}

static void
add_head (JsonBuilder *b, const MdWeek *w)
{
  add_string (b, "list", w->list);
  json_builder_set_member_name (b, "window");
  json_builder_begin_object (b);
  add_time (b, "since", w->since);
  add_time (b, "until", w->until);
  add_string (b, "by", w->by_date ? "date" : "arrival");
  json_builder_end_object (b);
  add_time (b, "generated", w->generated);
  add_int (b, "skipped", w->skipped);
  json_builder_set_member_name (b, "totals");
  json_builder_begin_object (b);
  add_int (b, "messages", w->messages);
  add_int (b, "threads", w->threads);
  add_int (b, "large_threads", w->large_threads);
  json_builder_end_object (b);
  add_objects (b, "categories", w->categories, category);
}

static void
contributor (JsonBuilder *b, gconstpointer item)
{
  const MdContributor *c = item;

  add_string (b, "name", c->name);
  add_string (b, "email", c->email);
  add_int (b, "messages", c->messages);
  add_bool (b, "bot", c->bot);
}

static void
domain (JsonBuilder *b, gconstpointer item)
{
  const MdContributor *c = item;

  add_string (b, "domain", c->domain);
  add_int (b, "messages", c->messages);
}

static void
reviewer (JsonBuilder *b, gconstpointer item)
{
  const MdReviewer *r = item;

  add_string (b, "name", r->name);
  add_string (b, "email", r->email);
  for (int slot = 0; slot < 4; slot++)
    add_int (b, trailer_keys[slot], r->given[slot]);
}

static void
new_patch (JsonBuilder *b, gconstpointer item)
{
  const MdRecord *r = item;

  add_sender (b, r);
  add_string (b, "subject", r->subject);
  add_string (b, "commit_message", r->commit_msg);
  add_string (b, "diffstat", r->diffstat);
  begin_array (b, "files");
  for (guint j = 0; j < r->files->len; j++)
    add_string_value (b, r->files->pdata[j]);
  json_builder_end_array (b);
}

/* What needs attention: the reason, the series or question, since when,
 * and the messages behind the reason. */
static void
attention (JsonBuilder *b, gconstpointer item)
{
  const MdAttention *a = item;

  add_string (b, "reason", md_attention_reason (a->kind));
  add_sender (b, a->posting);
  add_string (b, "subject", a->posting->subject);
  add_string (b, "thread", a->thread ? a->thread->id : NULL);
  add_time (b, "since", a->since);
  add_int (b, "waited_days", a->days);
  begin_array (b, "links");
  for (guint i = 0; i < a->links->len; i++)
    add_string_value (b, ((const MdRecord *) a->links->pdata[i])->message_id);
  json_builder_end_array (b);
}

char *
md_json_render (const MdWeek *week, gsize *length)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autoptr (JsonGenerator) gen = json_generator_new ();
  g_autoptr (JsonNode) root = NULL;
  g_autoptr (GString) out = NULL;

  json_builder_begin_object (b);
  add_head (b, week);
  add_objects (b, "attention", week->attention, attention);
  add_objects (b, "threads", week->threads_v, thread);
  add_objects (b, "contributors", week->contributors, contributor);
  add_objects (b, "domains", week->domains, domain);
  add_objects (b, "reviewers", week->reviewers, reviewer);
  add_objects (b, "patches", week->patches, new_patch);
  json_builder_end_object (b);

  root = json_builder_get_root (b);
  json_generator_set_root (gen, root);
  json_generator_set_pretty (gen, TRUE);
  json_generator_set_indent (gen, 2);
  out = json_generator_to_gstring (gen, g_string_new (NULL));
  g_string_append_c (out, '\n');
  if (length)
    *length = out->len;
  return g_string_free (g_steal_pointer (&out), FALSE);
}
