/* html.c - HTML to plain text (html.h). */
#include <string.h>
#include "html.h"

static const struct { const char *name; const char *text; } entities[] = {
  { "amp", "&" }, { "lt", "<" }, { "gt", ">" }, { "quot", "\"" },
  { "apos", "'" }, { "nbsp", " " }, { "ndash", "\xE2\x80\x93" },
  { "mdash", "\xE2\x80\x94" }, { "hellip", "\xE2\x80\xA6" },
  { "copy", "\xC2\xA9" }, { "reg", "\xC2\xAE" }, { "laquo", "\xC2\xAB" },
  { "raquo", "\xC2\xBB" }, { "rsquo", "\xE2\x80\x99" }, { "lsquo", "\xE2\x80\x98" },
  { "rdquo", "\xE2\x80\x9D" }, { "ldquo", "\xE2\x80\x9C" },
};

/* Tags after which the text continues on a new line. */
static const char *const block_tags[] = {
  "br", "p", "div", "tr", "li", "h1", "h2", "h3", "h4", "h5", "h6",
  "blockquote", "pre", "table", "ul", "ol", "hr", "title",
};

/* Decodes the entity at P ("&...;"); returns bytes consumed, 0 if none. */
static gsize
decode_entity (const char *p, const char *end, GString *out)
{
  const char *semi = memchr (p, ';', MIN ((gsize) (end - p), 12));
  if (semi == NULL)
    return 0;
  gsize n = semi - p - 1;
  if (n >= 2 && p[1] == '#')
    {
      gboolean hex = p[2] == 'x' || p[2] == 'X';
      g_autofree char *num = g_strndup (p + (hex ? 3 : 2), n - (hex ? 2 : 1));
      char *e = NULL;
      guint64 c = g_ascii_strtoull (num, &e, hex ? 16 : 10);
      if (*num == '\0' || *e != '\0')
        return 0;
      if (c == 0 || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
        c = 0xFFFD;
      g_string_append_unichar (out, (gunichar) c);
      return semi - p + 1;
    }
  for (gsize i = 0; i < G_N_ELEMENTS (entities); i++)
    if (strlen (entities[i].name) == n && strncmp (p + 1, entities[i].name, n) == 0)
      {
        g_string_append (out, entities[i].text);
        return semi - p + 1;
      }
  return 0;
}

/* The lower-case name of the tag starting at P ('<'), into NAME. */
static void
tag_name (const char *p, const char *end, char *name, gsize size, gboolean *closing)
{
  gsize i = 0;
  p++;
  *closing = p < end && *p == '/';
  if (*closing)
    p++;
  while (p < end && i + 1 < size && g_ascii_isalnum (*p))
    name[i++] = g_ascii_tolower (*p++);
  name[i] = '\0';
}

static gboolean
is_block_tag (const char *name)
{
  for (gsize i = 0; i < G_N_ELEMENTS (block_tags); i++)
    if (strcmp (name, block_tags[i]) == 0)
      return TRUE;
  return FALSE;
}

/* Handles the tag at P; returns where the text resumes. */
static const char *
handle_tag (const char *p, const char *end, GString *out)
{
  char name[16];
  gboolean closing;
  tag_name (p, end, name, sizeof name, &closing);
  const char *gt = memchr (p, '>', end - p);
  const char *next = gt ? gt + 1 : end;

  if (!closing && (strcmp (name, "script") == 0 || strcmp (name, "style") == 0))
    {
      /* skip to the matching close tag: script and style are not text */
      const char *close = g_strstr_len (next, end - next, "</");
      while (close && g_ascii_strncasecmp (close + 2, name, strlen (name)) != 0)
        close = g_strstr_len (close + 2, end - close - 2, "</");
      gt = close ? memchr (close, '>', end - close) : NULL;
      return gt ? gt + 1 : end;
    }
  if (is_block_tag (name) && out->len > 0 && out->str[out->len - 1] != '\n')
    g_string_append_c (out, '\n');
  return next;
}

char *
md_html_to_text (const char *html, gsize len)
{
  GString *out = g_string_sized_new (len / 2 + 1);
  const char *p = html, *end = html + len;
  gboolean space = FALSE;

  while (p < end)
    {
      if (*p == '<')
        {
          p = handle_tag (p, end, out);
          space = FALSE;
          continue;
        }
      if (*p == '&')
        {
          gsize n = decode_entity (p, end, out);
          if (n > 0)
            {
              p += n;
              space = FALSE;
              continue;
            }
        }
      /* source white space is layout, not text: collapse it */
      if (g_ascii_isspace (*p))
        {
          if (!space && out->len > 0 && out->str[out->len - 1] != '\n')
            g_string_append_c (out, ' ');
          space = TRUE;
          p++;
          continue;
        }
      space = FALSE;
      g_string_append_c (out, *p++);
    }
  char *valid = g_utf8_make_valid (out->str, out->len);
  g_string_free (out, TRUE);
  return valid;
}
