/* escape.c - mail-derived text made safe for Markdown, HTML and text.
 *
 * Rationale: a subject is attacker-controlled and lands in a Markdown
 * document that becomes HTML and plain text.  Rather than trusting each
 * template to escape, every mail string is escaped here once, for the
 * output it goes to, before a template can see it.  Markdown escaping
 * uses backslash escapes (CommonMark allows one before any ASCII
 * punctuation), so the rendered text is exactly the mail's text.
 */
#include <string.h>
#include "escape.h"

#define BLOCK_MAX (64 * 1024)

/* Characters that reorder or hide the text around them (bidi overrides,
 * isolates, marks, BOM) and control characters: a subject has no business
 * holding them and they can make a report lie about what it shows. */
static gboolean
drop_char (gunichar c)
{
  if ((c >= 0x202A && c <= 0x202E) || (c >= 0x2066 && c <= 0x2069))
    return TRUE;
  if (c == 0x200E || c == 0x200F || c == 0x061C || c == 0xFEFF)
    return TRUE;
  return g_unichar_iscntrl (c);
}

char *
md_escape_line_n (const char *s, gsize max_chars)
{
  g_autofree char *valid = g_utf8_make_valid (s ? s : "", -1);
  GString *out = g_string_new (NULL);
  gboolean pending_space = FALSE;
  gsize n = 0;

  if (max_chars == 0)
    max_chars = MD_ESCAPE_LINE_MAX;
  for (const char *p = valid; *p; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);
      if (g_unichar_isspace (c))
        {
          pending_space = out->len > 0;
          continue;
        }
      if (drop_char (c))
        continue;
      if (n >= max_chars)
        {
          g_string_append (out, "…");
          break;
        }
      if (pending_space)
        g_string_append_c (out, ' '), n++;
      pending_space = FALSE;
      g_string_append_unichar (out, c);
      n++;
    }
  return g_string_free (out, FALSE);
}

char *
md_escape_line (const char *s)
{
  return md_escape_line_n (s, 0);
}

/* At the start of a line these open a list, a setext underline or an
 * ordered list ("1." / "1)"); the template may put our text there. */
static gsize
escape_block_start (GString *out, const char *s)
{
  gsize digits = strspn (s, "0123456789");

  if (*s == '-' || *s == '+' || *s == '=')
    {
      g_string_append_c (out, '\\');
      g_string_append_c (out, *s);
      return 1;
    }
  if (digits > 0 && (s[digits] == '.' || s[digits] == ')'))
    {
      g_string_append_len (out, s, digits);
      g_string_append_c (out, '\\');
      g_string_append_c (out, s[digits]);
      return digits + 1;
    }
  return 0;
}

char *
md_escape_md_n (const char *s, gsize max_chars)
{
  static const char meta[] = "\\`*_[]<>#|~&!";
  g_autofree char *line = md_escape_line_n (s, max_chars);
  GString *out = g_string_sized_new (strlen (line) + 8);

  for (const char *p = line + escape_block_start (out, line); *p; p++)
    {
      if (strchr (meta, *p))
        g_string_append_c (out, '\\');
      g_string_append_c (out, *p);
    }
  return g_string_free (out, FALSE);
}

char *
md_escape_md (const char *s)
{
  return md_escape_md_n (s, 0);
}

/* Multi-line text: lines kept, CR LF and lone CR made LF, tabs kept,
 * other controls dropped, bounded. */
char *
md_escape_block (const char *text)
{
  g_autofree char *valid = g_utf8_make_valid (text ? text : "", -1);
  GString *out = g_string_new (NULL);

  for (const char *p = valid; *p && out->len < BLOCK_MAX;
       p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);
      if (c == '\r')
        {
          if (p[1] != '\n')
            g_string_append_c (out, '\n');
          continue;
        }
      if (c == '\n' || c == '\t')
        g_string_append_c (out, (char) c);
      else if (c == 0x2028 || c == 0x2029)
        g_string_append_c (out, '\n');
      else if (!drop_char (c))
        g_string_append_unichar (out, c);
    }
  while (out->len > 0 && out->str[out->len - 1] == '\n')
    g_string_truncate (out, out->len - 1);
  return g_string_free (out, FALSE);
}

static gsize
longest_run (const char *s, char ch)
{
  gsize best = 0, run = 0;

  for (; *s; s++)
    {
      run = *s == ch ? run + 1 : 0;
      best = MAX (best, run);
    }
  return best;
}

char *
md_fence_block (const char *text)
{
  g_autofree char *body = md_escape_block (text);
  g_autofree char *fence = NULL;

  if (*body == '\0')
    return g_strdup ("");
  /* A closing fence needs at least as many backticks as the opening one:
   * one more than any run inside means the text cannot close it. */
  fence = g_strnfill (MAX (3, longest_run (body, '`') + 1), '`');
  return g_strdup_printf ("%s\n%s\n%s", fence, body, fence);
}

char *
md_code_span (const char *s)
{
  g_autofree char *line = md_escape_line (s);
  g_autofree char *fence = g_strnfill (longest_run (line, '`') + 1, '`');
  gsize len = strlen (line);
  const char *pad = "";

  if (len > 0 && (line[0] == '`' || line[len - 1] == '`'))
    pad = " ";
  return g_strdup_printf ("%s%s%s%s%s", fence, pad, line, pad, fence);
}

/* An unescaped '<' followed by a tag or comment opener starts raw HTML. */
static gboolean
opens_raw_html (const char *line, const char *p)
{
  gsize backslashes = 0;

  if (*p != '<' || !(g_ascii_isalpha (p[1]) || strchr ("/!?", p[1])) || !p[1])
    return FALSE;
  for (const char *q = p; q > line && q[-1] == '\\'; q--)
    backslashes++;
  return backslashes % 2 == 0;
}

static void
sanitize_md_line (GString *out, const char *line)
{
  const char *p = line;
  gsize indent = strspn (line, " ");

  if (indent <= 3 && line[indent] == '#')
    {
      g_string_append_len (out, line, indent);
      g_string_append_c (out, '\\');
      p = line + indent;
    }
  for (; *p; p++)
    {
      if (opens_raw_html (line, p))
        g_string_append_c (out, '\\');
      g_string_append_c (out, *p);
    }
  g_string_append_c (out, '\n');
}

char *
md_sanitize_markdown (const char *md)
{
  g_autofree char *block = md_escape_block (md);
  g_auto (GStrv) lines = NULL;
  GString *out = g_string_new (NULL);

  g_strchomp (block);
  if (*block == '\0')
    return g_string_free (out, FALSE);
  lines = g_strsplit (block, "\n", -1);
  for (guint i = 0; lines[i]; i++)
    sanitize_md_line (out, lines[i]);
  g_string_truncate (out, out->len - 1);        /* the last newline */
  return g_string_free (out, FALSE);
}

/* Keep what is safe in a URL, in a Markdown link destination and in an
 * HTML attribute; percent-encode every other byte. */
static void
append_url_safe (GString *out, const char *s)
{
  static const char keep[] = "-._~:/?#@!$&'*+,;=%";

  for (const guchar *p = (const guchar *) s; *p; p++)
    {
      if (g_ascii_isalnum (*p) || (*p < 0x80 && strchr (keep, *p)))
        g_string_append_c (out, (char) *p);
      else
        g_string_append_printf (out, "%%%02X", *p);
    }
}

gboolean
md_archive_pattern_valid (const char *pattern)
{
  if (pattern == NULL || *pattern == '\0')
    return TRUE;
  return (g_str_has_prefix (pattern, "https://")
          || g_str_has_prefix (pattern, "http://"))
         && strstr (pattern, "{message_id}") != NULL;
}

static char *
substitute (const char *pattern, const char *elist, const char *eid)
{
  GString *url = g_string_new (NULL);

  for (const char *p = pattern; *p;)
    {
      if (g_str_has_prefix (p, "{list}"))
        g_string_append (url, elist), p += strlen ("{list}");
      else if (g_str_has_prefix (p, "{message_id}"))
        g_string_append (url, eid), p += strlen ("{message_id}");
      else
        g_string_append_c (url, *p++);
    }
  return g_string_free (url, FALSE);
}

char *
md_archive_url (const char *pattern, const char *list, const char *message_id)
{
  g_autofree char *elist = NULL, *eid = NULL, *url = NULL;
  GString *safe;

  if (pattern == NULL || *pattern == '\0' || message_id == NULL)
    return NULL;
  elist = g_uri_escape_string (list ? list : "", NULL, FALSE);
  eid = g_uri_escape_string (message_id, "@", FALSE);
  url = substitute (pattern, elist, eid);
  safe = g_string_new (NULL);
  append_url_safe (safe, url);
  return g_string_free (safe, FALSE);
}

char *
md_patch_ref (guint index, guint total)
{
  int width = 1;

  if (total == 0)
    return g_strdup ("");
  for (guint t = total; t >= 10; t /= 10)
    width++;
  return g_strdup_printf ("%0*u/%u", width, index, total);
}
