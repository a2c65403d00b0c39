/* Unit tests: aggregate/report/escape.c's Markdown escaping over every
 * mail-derived string of the real archive (../shared/corpus/archive).
 *
 * For each subject, title, sender name, "Name <address>" and line of a
 * message's own text, put in the places a template puts such a string
 * (a paragraph's start, a heading, a list item, a table cell, between
 * "**" and quotes):
 *   - the rendered HTML is exactly what escaping every metacharacter
 *     gives (the escaping the reports used before: strict_escape() below);
 *   - the text of that HTML is the string itself;
 * and the escaped strings hold far fewer backslashes than before (both
 * counts are printed).
 */
#include <stdio.h>
#include <string.h>
#include "error.h"
#include "escape.h"
#include "report/html.h"
#include "../../filter/mbox.h"
#include "message.h"

#define BODY_LINES 12          /* own lines checked per message */

/* The escaping of every metacharacter, as reports had it before. */
static char *
strict_escape (const char *s)
{
  static const char meta[] = "\\`*_[]<>#|~&!";
  g_autofree char *line = md_escape_line (s);
  GString *out = g_string_new (NULL);
  const char *p = line;
  gsize digits = strspn (p, "0123456789");

  if (*p == '-' || *p == '+' || *p == '=')
    g_string_append_c (out, '\\'), g_string_append_c (out, *p++);
  else if (digits > 0 && (p[digits] == '.' || p[digits] == ')'))
    {
      g_string_append_len (out, p, digits);
      g_string_append_c (out, '\\');
      g_string_append_c (out, p[digits]);
      p += digits + 1;
    }
  for (; *p; p++)
    {
      if (strchr (meta, *p))
        g_string_append_c (out, '\\');
      g_string_append_c (out, *p);
    }
  return g_string_free (out, FALSE);
}

/* The text of an HTML fragment: tags dropped, cmark's entities decoded. */
static char *
html_text (const char *html)
{
  static const struct { const char *e; char c; } ents[] = {
    { "&lt;", '<' }, { "&gt;", '>' }, { "&amp;", '&' }, { "&quot;", '"' },
  };
  GString *out = g_string_new (NULL);

  for (const char *p = html; *p;)
    {
      gboolean done = FALSE;
      if (*p == '<')
        {
          const char *end = strchr (p, '>');
          p = end ? end + 1 : p + strlen (p);
          continue;
        }
      for (guint i = 0; i < G_N_ELEMENTS (ents) && !done; i++)
        if (g_str_has_prefix (p, ents[i].e))
          {
            g_string_append_c (out, ents[i].c);
            p += strlen (ents[i].e);
            done = TRUE;
          }
      if (!done)
        g_string_append_c (out, *p++);
    }
  return g_strstrip (g_string_free (out, FALSE));
}

static const char *const contexts[] = {
  "%s\n",
  "### Thread 1: %s\n",
  "1. **[02-09 22:13]** %s\n   - From: %s\n",
  "| Messages | Contributor |\n|---:|:---|\n| 3 | %s |\n",
  "  - Marc (02-09 22:13, 1/3): “%s”\n",
  "**Author**: %s · `b4 am x@y`\n",
};

typedef struct {
  guint strings, failures, strict_wrong;
  guint64 strict_bs[2], new_bs[2];   /* [0] headers, [1] text lines */
  guint kind;                        /* which of the two is being checked */
} Stats;

static guint
count_backslashes (const char *s)
{
  guint n = 0;
  for (; *s; s++)
    n += *s == '\\';
  return n;
}

/* CONTEXT with every "%s" replaced by ESC. */
static char *
in_context (const char *context, const char *esc)
{
  g_auto (GStrv) parts = g_strsplit (context, "%s", -1);
  return g_strjoinv (esc, parts);
}

/* The text CONTEXT renders to with WANT in it: the context rendered
 * around a plain word, the word then replaced. */
static char *
context_text (const char *context, const char *want)
{
  g_autofree char *md = in_context (context, "QQSTRINGQQ");
  g_autofree char *html = md_markdown_to_html (md);
  g_autofree char *text = html_text (html);
  g_auto (GStrv) parts = g_strsplit (text, "QQSTRINGQQ", -1);
  return g_strjoinv (want, parts);
}

static void
check_in_context (Stats *st, const char *s, const char *context,
                  const char *strict, const char *esc, const char *want)
{
  g_autofree char *expect = context_text (context, want);
  g_autofree char *a = in_context (context, strict);
  g_autofree char *b = in_context (context, esc);
  g_autofree char *ha = md_markdown_to_html (a);
  g_autofree char *hb = md_markdown_to_html (b);
  g_autofree char *ta = html_text (ha);
  g_autofree char *tb = html_text (hb);
  const char *why = NULL;

  if (strcmp (tb, expect) != 0)
    why = "does not render as itself";
  else if (strcmp (ta, expect) != 0)
    st->strict_wrong++;   /* the old escaping showed it wrong: no HTML to keep */
  else if (strcmp (ha, hb) != 0)
    why = "renders to other HTML than before";
  if (why && st->failures++ < 20)
    g_test_message ("'%s' %s in '%s':\n  escaped %s\n  before %s  now %s",
                    s, why, context, esc, ha, hb);
}

static void
check_string (Stats *st, const char *s)
{
  g_autofree char *want = md_escape_line (s);
  g_autofree char *strict = strict_escape (s);
  g_autofree char *esc = md_escape_md (s);

  if (*want == '\0')
    return;
  st->strings++;
  st->strict_bs[st->kind] += count_backslashes (strict);
  st->new_bs[st->kind] += count_backslashes (esc);
  for (guint i = 0; i < G_N_ELEMENTS (contexts); i++)
    check_in_context (st, s, contexts[i], strict, esc, want);
}

static void
check_record (Stats *st, const MdRecord *r)
{
  g_autofree char *from = g_strdup_printf ("%s <%s>", r->from_name, r->from_email);
  g_auto (GStrv) lines = g_strsplit (r->body ? r->body : "", "\n", -1);
  guint n = 0;

  st->kind = 0;
  check_string (st, r->subject);
  check_string (st, r->from_name);
  check_string (st, from);
  if (r->tags.title)
    check_string (st, r->tags.title);
  st->kind = 1;
  for (guint i = 0; lines[i] && n < BODY_LINES; i++)
    if (*g_strstrip (lines[i]) && lines[i][0] != '>')
      check_string (st, lines[i]), n++;
}

static void
test_archive (void)
{
  const char *env = g_getenv ("MLDIGEST_CORPUS");
  g_autofree char *path = g_build_filename (env && *env ? env : "../shared/corpus",
                                            "archive", "kvmarm-2019-2021.mbox.xz", NULL);
  g_autofree char *cmd = NULL;
  g_autoptr (GString) msg = g_string_new (NULL);
  g_autoptr (MdMbox) mbox = NULL;
  Stats st = { 0 };
  gint64 arrival;
  guint64 line;
  gboolean truncated;
  guint messages = 0;
  FILE *f;

  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    {
      g_test_skip_printf ("no archive at %s (set MLDIGEST_CORPUS)", path);
      return;
    }
  cmd = g_strdup_printf ("xz -dc '%s'", path);
  f = popen (cmd, "r");
  g_assert_nonnull (f);
  mbox = md_mbox_new (f);
  while (md_mbox_next (mbox, msg, &arrival, &line, 16 << 20, &truncated, NULL))
    {
      MdParseOptions opts = { "kvmarm", arrival, FALSE };
      g_autoptr (MdRecord) r = md_message_parse (msg->str, msg->len, &opts, NULL);
      if (r)
        check_record (&st, r), messages++;
    }
  g_clear_pointer (&mbox, md_mbox_free);
  g_assert_cmpint (pclose (f), ==, 0);
  g_test_message ("%u messages, %u strings; backslashes escaping every"
                  " metacharacter / now: subjects, titles, senders %" G_GUINT64_FORMAT
                  " / %" G_GUINT64_FORMAT ", text lines %" G_GUINT64_FORMAT " / %"
                  G_GUINT64_FORMAT "; %u placements the old escaping showed wrong",
                  messages, st.strings, st.strict_bs[0], st.new_bs[0],
                  st.strict_bs[1], st.new_bs[1], st.strict_wrong);
  g_assert_cmpuint (messages, >, 10000);
  g_assert_cmpuint (st.failures, ==, 0);
  /* What every report line shows (subjects and senders) loses at least
   * four backslashes in five: what is left is the '<' of addresses,
   * which would otherwise make them links without their brackets. */
  g_assert_cmpuint (st.new_bs[0] * 4, <, st.strict_bs[0]);
  g_assert_cmpuint (st.new_bs[1] * 2, <, st.strict_bs[1]);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/escape-corpus/archive", test_archive);
  return g_test_run ();
}
