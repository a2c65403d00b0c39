/* show.c - --show MSGID: a stored record as text, for people and scripts.
 *
 * One "field: value" line per value (a field with several values repeats,
 * like mail headers), then the multi-line fields with each line indented
 * by two spaces; records are separated by a blank line.  Mail is hostile
 * and this goes to a terminal: control characters are shown as \xNN (or
 * \u{NN} for C1 controls), never sent raw.
 */
#include "filter.h"

#include <stdio.h>
#include "error.h"
#include "msgid.h"

static void
append_escaped (GString *out, const char *s)
{
  for (const char *p = s; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);
      if (c == '\t' || (c >= 0x20 && c != 0x7f && (c < 0x80 || c > 0x9f)))
        g_string_append_unichar (out, c);
      else if (c < 0x80)
        g_string_append_printf (out, "\\x%02x", c);
      else
        g_string_append_printf (out, "\\u{%x}", c);
    }
}

static void
field (GString *out, const char *name, const char *value)
{
  if (value == NULL)
    return;
  g_string_append_printf (out, "%s: ", name);
  append_escaped (out, value);
  g_string_append_c (out, '\n');
}

static void
field_each (GString *out, const char *name, const GPtrArray *values)
{
  for (guint i = 0; i < values->len; i++)
    field (out, name, values->pdata[i]);
}

static void
field_time (GString *out, const char *name, gint64 t)
{
  g_autoptr (GDateTime) dt = g_date_time_new_from_unix_utc (t);
  g_autofree char *iso = dt ? g_date_time_format_iso8601 (dt) : NULL;
  g_string_append_printf (out, "%s: %s (%" G_GINT64_FORMAT ")\n", name,
                          iso ? iso : "?", t);
}

static void
field_block (GString *out, const char *name, const char *text)
{
  if (text == NULL || *text == '\0')
    return;
  g_string_append_printf (out, "%s:\n", name);
  g_auto (GStrv) lines = g_strsplit (text, "\n", -1);
  guint n = g_strv_length (lines);
  if (n > 0 && *lines[n - 1] == '\0')
    n--;  /* the text's final newline */
  for (guint i = 0; i < n; i++)
    {
      g_string_append (out, "  ");
      append_escaped (out, lines[i]);
      g_string_append_c (out, '\n');
    }
}

static const char *const flag_names[] = {
  "id-synthetic", "date-fallback", "has-patch", "body-truncated",
  "html-only", "charset-guessed",
};

static void
field_flags (GString *out, guint32 flags)
{
  if (flags == 0)
    return;
  g_string_append (out, "flags:");
  for (guint i = 0; i < G_N_ELEMENTS (flag_names); i++)
    if (flags & (1u << i))
      g_string_append_printf (out, " %s", flag_names[i]);
  g_string_append_c (out, '\n');
}

static void
field_tags (GString *out, const MdSubjectTags *t)
{
  g_autoptr (GString) s = g_string_new (NULL);
  const struct { guint on; const char *name; } bits[] = {
    { t->reply, "reply" }, { t->forward, "forward" }, { t->patch, "patch" },
    { t->rfc, "rfc" }, { t->resend, "resend" }, { t->git_pull, "git-pull" },
  };
  for (guint i = 0; i < G_N_ELEMENTS (bits); i++)
    if (bits[i].on)
      g_string_append_printf (s, " %s", bits[i].name);
  if (t->version_str != NULL)
    g_string_append_printf (s, " v%s", t->version_str);
  if (t->total > 0)
    g_string_append_printf (s, " %u/%u", t->index, t->total);
  if (t->project != NULL)
    g_string_append_printf (s, " project=%s", t->project);
  if (s->len > 0)
    field (out, "tags", s->str + 1);
  field (out, "title", t->title);
}

static void
field_trailers (GString *out, const GArray *trailers)
{
  for (guint i = 0; i < trailers->len; i++)
    {
      const MdTrailer *t = &g_array_index (trailers, MdTrailer, i);
      g_autofree char *v = *t->email
        ? g_strdup_printf ("%s: %s <%s>", md_trailer_kind_name (t->kind), t->name, t->email)
        : g_strdup_printf ("%s: %s", md_trailer_kind_name (t->kind), t->name);
      field (out, "trailer", v);
    }
}

static void
format_record (GString *out, const MdRecord *r)
{
  g_autofree char *from = g_strdup_printf ("%s <%s>", r->from_name, r->from_email);
  field (out, "message-id", r->message_id);
  field (out, "thread-id", r->thread_id);
  field_each (out, "list", r->lists);
  field_each (out, "list-id", r->list_ids);
  field_time (out, "date", r->date);
  field_time (out, "arrival", r->arrival);
  field (out, "from", from);
  field (out, "subject", r->subject);
  field (out, "in-reply-to", r->in_reply_to);
  field_each (out, "reference", r->references);
  field_each (out, "recipient", r->recipients);
  field_flags (out, r->flags);
  field_tags (out, &r->tags);
  field_trailers (out, r->trailers);
  field_each (out, "file", r->files);
  field_each (out, "function", r->functions);
  field_block (out, "diffstat", r->diffstat);
  field_block (out, "commit-message", r->commit_msg);
  field_block (out, "body", r->body);
}

static gboolean
write_stdout (const GString *s, GError **error)
{
  if (fwrite (s->str, 1, s->len, stdout) == s->len && fflush (stdout) == 0)
    return TRUE;
  g_set_error (error, MD_ERROR, MD_ERROR_IO, "cannot write to standard output");
  return FALSE;
}

gboolean
md_filter_show (const MdFilterOptions *o, GError **error)
{
  MdIndex *idx = md_index_open (o->index_path, MD_INDEX_READ, o->lock_timeout_ms, error);
  if (idx == NULL)
    return FALSE;
  g_autoptr (GString) out = g_string_new (NULL);
  GError *first = NULL;
  for (guint i = 0; o->show[i] != NULL; i++)
    {
      GError *local = NULL;
      /* "<Id@Example.ORG>" as pasted from a header finds "Id@example.org" */
      g_autofree char *id = md_msgid_normalise (o->show[i]);
      g_autoptr (MdRecord) rec = md_index_get (idx, id ? id : o->show[i], &local);
      if (rec == NULL)
        {
          if (first == NULL)
            first = local;
          else
            g_error_free (local);
          continue;
        }
      if (out->len > 0)
        g_string_append_c (out, '\n');
      format_record (out, rec);
    }
  md_index_close (idx, NULL);
  gboolean ok = write_stdout (out, first ? NULL : error);
  if (first != NULL)
    g_propagate_error (error, first);
  return ok && first == NULL;
}
