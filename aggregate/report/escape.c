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

/* ---- Markdown: escape only what Markdown would act on ----
 *
 * A subject, a name or an excerpt lands inline anywhere in a template:
 * at the start of a line, in a heading, in a table cell, between "**"
 * of the template.  Escaping every metacharacter made the raw report
 * unreadable ("\[PATCH v2 0/3\] kvm\_pgtable\_stage2\_unmap()"), so a
 * character is escaped only where CommonMark or a GFM extension could
 * read it as markup in SOME context the string can be put in; what the
 * string's own neighbours prove inert ("_" inside a word, "[" with no
 * "](" after it, "!" not before a link) is left alone.  The rendered
 * result is the same as with every metacharacter escaped, and its text
 * is the string itself: tests/unit/test-escape-corpus.c checks both over
 * every string of the real archive.  Where a character's neighbour is
 * the template's (the string's first or last character), it is escaped. */

/* What the start of a line would open: a list item ("- ", "+ ", "1. ",
 * "2) "), a quote, a heading ("# "), a setext underline ("===", "--"),
 * a table row.  Returns how many bytes to copy before the backslash
 * (the digits of a list number), or -1 when nothing opens. */
static int
block_opener (const char *s)
{
  gsize digits = strspn (s, "0123456789");
  gsize hashes = strspn (s, "#");

  switch (*s)
    {
    case '>': case '|':
      return 0;
    case '-': case '+':
      return s[1] == '\0' || s[1] == ' ' || s[1] == '-' ? 0 : -1;
    case '=':
      return s[strspn (s, "=")] == '\0' ? 0 : -1;
    case '#':
      return hashes <= 6 && (s[hashes] == '\0' || s[hashes] == ' ') ? 0 : -1;
    }
  if (digits > 0 && digits <= 9 && (s[digits] == '.' || s[digits] == ')')
      && (s[digits + 1] == '\0' || s[digits + 1] == ' '))
    return (int) digits;
  return -1;
}

/* ---- emphasis: '*', '_' and '~' runs (CommonMark's flanking rules) ---- */

typedef enum { C_SPACE, C_PUNCT, C_ALNUM, C_UNSURE, C_EDGE } CharClass;

static CharClass
class_of (const char *line, const char *p)
{
  gunichar c;

  if (p == NULL || p < line || *p == '\0')
    return C_EDGE;      /* the template's character: unknown */
  c = g_utf8_get_char (p);
  if (g_unichar_isspace (c))
    return C_SPACE;
  if (c < 0x80)
    return g_ascii_ispunct (c) ? C_PUNCT : C_ALNUM;
  if (g_unichar_isalnum (c))
    return C_ALNUM;
  switch (g_unichar_type (c))
    {
    case G_UNICODE_CONNECT_PUNCTUATION: case G_UNICODE_DASH_PUNCTUATION:
    case G_UNICODE_CLOSE_PUNCTUATION: case G_UNICODE_FINAL_PUNCTUATION:
    case G_UNICODE_INITIAL_PUNCTUATION: case G_UNICODE_OTHER_PUNCTUATION:
    case G_UNICODE_OPEN_PUNCTUATION:
      return C_PUNCT;
    default:
      return C_UNSURE;  /* symbols: versions of CommonMark disagree */
    }
}

typedef struct {
  gsize at, len;
  gboolean open, close, escape;
} Run;

static void
classify_run (const char *line, Run *r)
{
  const char *p = line + r->at;
  CharClass b = class_of (line, p > line ? g_utf8_find_prev_char (line, p) : NULL);
  CharClass a = class_of (line, p + r->len);
  gboolean left, right;

  if (b == C_EDGE || a == C_EDGE || b == C_UNSURE || a == C_UNSURE)
    {
      r->escape = TRUE;
      return;
    }
  left = a != C_SPACE && (a != C_PUNCT || b == C_SPACE || b == C_PUNCT);
  right = b != C_SPACE && (b != C_PUNCT || a == C_SPACE || a == C_PUNCT);
  if (*p == '_')
    {
      r->open = left && (!right || b == C_PUNCT);
      r->close = right && (!left || a == C_PUNCT);
    }
  else
    {
      r->open = left;
      r->close = right;
    }
  /* The templates put "**" around and after values: a '*' that could
   * open or close is escaped whatever the string holds. */
  if (*p == '*')
    r->escape = left || right;
}

/* A '_' or '~' run is inert unless some run of the same character in
 * the string could pair with it: templates never use those two. */
static void
pair_runs (GArray *runs, const char *line)
{
  for (guint i = 0; i < runs->len; i++)
    {
      Run *r = &g_array_index (runs, Run, i);
      for (guint j = 0; j < runs->len && !r->escape; j++)
        {
          const Run *o = &g_array_index (runs, Run, j);
          if (j == i || line[o->at] != line[r->at])
            continue;
          r->escape = (j > i && r->open && o->close) || (j < i && r->close && o->open);
        }
    }
}

static GArray *
emphasis_runs (const char *line)
{
  GArray *runs = g_array_new (FALSE, TRUE, sizeof (Run));

  for (const char *p = line; *p;)
    {
      if (strchr ("*_~", *p))
        {
          Run r = { p - line, strspn (p, (char[]) { *p, '\0' }), FALSE, FALSE, FALSE };
          classify_run (line, &r);
          g_array_append_val (runs, r);
          p += r.len;
        }
      else
        p++;
    }
  pair_runs (runs, line);
  return runs;
}

/* ---- the other inline constructs ---- */

/* "&name;" or "&#..." would be read as a character reference. */
static gboolean
starts_entity (const char *p)
{
  gsize n = strspn (p + 1, "abcdefghijklmnopqrstuvwxyz"
                           "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789");
  return p[1] == '#' || (n > 0 && p[1 + n] == ';');
}

/* A '#' run that ends the string after a space (or is all of it) would
 * close an ATX heading the template put the string in. */
static gboolean
closes_heading (const char *line, const char *p)
{
  gsize n = strspn (p, "#");
  return p[n] == '\0' && (p == line || p[-1] == ' ');
}

/* A '[' starts a link only with a "](", "][" or "]:" after it (or a
 * ']' ending the string, where the template's next character is
 * unknown): then it is escaped, not the ']', which GFM's autolinks
 * would swallow into a URL before it. */
static gboolean
opens_link (const char *p)
{
  for (const char *q = strchr (p, ']'); q; q = strchr (q + 1, ']'))
    if (q[1] == '\0' || strchr ("([:", q[1]))
      return TRUE;
  return FALSE;
}

static gboolean
needs_escape (const char *line, const char *p)
{
  switch (*p)
    {
    case '`': case '|':
      return TRUE;                      /* code spans, table cells */
    case '\\':                          /* an escape, or a hard break at the end */
      return p[1] == '\0' || g_ascii_ispunct (p[1]);
    case '[':
      return opens_link (p);
    case '<':                           /* autolinks, raw HTML */
      return !g_ascii_isspace (p[1]) && p[1] != '=' && p[1] != '<';
    case '&':
      return starts_entity (p);
    case '#':
      return closes_heading (line, p);
    default:
      return FALSE;
    }
}

/* P is right after a URL that GFM autolinks ("https://...", "www."). */
static gboolean
after_url (const char *line, const char *p)
{
  const char *word = p;

  while (word > line && !g_ascii_isspace (word[-1]))
    word--;
  if (word == p)
    return FALSE;
  return g_strstr_len (word, p - word, "://") != NULL
         || g_ascii_strncasecmp (word, "www.", 4) == 0;
}

/* A '<' that could open an autolink or raw HTML is escaped; but right
 * after a URL (".../r/<msgid>") GFM's autolinks would take the
 * backslash into the link, so there the '<' stays and every '>' after
 * it is escaped instead: no tag, comment or autolink can end. */
char *
md_escape_md_n (const char *s, gsize max_chars)
{
  g_autofree char *line = md_escape_line_n (s, max_chars);
  g_autoptr (GArray) runs = emphasis_runs (line);
  GString *out = g_string_sized_new (strlen (line) + 8);
  int opener = block_opener (line);
  const char *p = line;
  gboolean escape_gt = FALSE;
  guint r = 0;

  if (opener >= 0)
    {
      g_string_append_len (out, p, opener);
      g_string_append_c (out, '\\');
      g_string_append_c (out, p[opener]);
      p += opener + 1;
    }
  while (*p)
    {
      const Run *run = r < runs->len ? &g_array_index (runs, Run, r) : NULL;
      if (run && (gsize) (p - line) >= run->at)
        {
          for (gsize i = (gsize) (p - line) - run->at; i < run->len; i++, p++)
            {
              if (run->escape)
                g_string_append_c (out, '\\');
              g_string_append_c (out, *p);
            }
          r++;
          continue;
        }
      if (*p == '<' && after_url (line, p) && needs_escape (line, p))
        escape_gt = TRUE;     /* see below */
      else if (needs_escape (line, p) || (*p == '>' && escape_gt))
        g_string_append_c (out, '\\');
      g_string_append_c (out, *p++);
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

  /* "#" opens a heading; "[label]: url" defines a link that would turn
   * every "[label]" of the report (a subject's "[PATCH]") into a link */
  if (indent <= 3 && (line[indent] == '#' || line[indent] == '['))
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
