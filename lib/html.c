/* html.c - HTML to plain text (html.h) with libxml2's HTML parser.
 *
 * Why libxml2: HTML-only mail is whatever a mail client or a web form
 * produced, and a hand-written scanner knew 17 entities, no unclosed
 * elements and no comments.  libxml2's HTML parser (the one browsers'
 * predecessors and most C mail tools use) knows every HTML 4 named
 * entity, numeric references, broken and unclosed markup, comments,
 * and the raw-text content of <script> and <style>.
 *
 * It is driven through SAX callbacks, never building a tree: the text
 * is appended as the parser goes, so the cost is one pass over the
 * bytes, which matters in the filter (one process per message).
 */
#include <string.h>
#include <libxml/HTMLparser.h>
#include "html.h"

/* Elements after which the text continues on a new line. */
static const char *const block_tags[] = {
  "br", "p", "div", "tr", "li", "h1", "h2", "h3", "h4", "h5", "h6",
  "blockquote", "pre", "table", "ul", "ol", "hr", "title", "dl", "dt",
  "dd", "section", "article", "header", "footer", "address", "form",
};

/* Elements whose content is not text. */
static const char *const hidden_tags[] = {
  "script", "style", "noscript", "template", "head",
};

typedef struct {
  GString *out;
  guint hidden;      /* depth inside hidden elements */
  guint pre;         /* depth inside <pre>: white space kept */
  gboolean space;    /* a collapsed space is pending */
} Sink;

static gboolean
in_list (const char *name, const char *const *list, gsize n)
{
  for (gsize i = 0; i < n; i++)
    if (g_ascii_strcasecmp (name, list[i]) == 0)
      return TRUE;
  return FALSE;
}

static void
new_line (Sink *s)
{
  if (s->out->len > 0 && s->out->str[s->out->len - 1] != '\n')
    g_string_append_c (s->out, '\n');
  s->space = FALSE;
}

static void
on_start (void *ctx, const xmlChar *name, const xmlChar **attrs)
{
  Sink *s = ctx;
  const char *n = (const char *) name;

  if (in_list (n, hidden_tags, G_N_ELEMENTS (hidden_tags)))
    s->hidden++;
  else if (g_ascii_strcasecmp (n, "pre") == 0)
    s->pre++;
  if (in_list (n, block_tags, G_N_ELEMENTS (block_tags)))
    new_line (s);
  else if (g_ascii_strcasecmp (n, "td") == 0 || g_ascii_strcasecmp (n, "th") == 0)
    s->space = s->out->len > 0 && s->out->str[s->out->len - 1] != '\n';
}

static void
on_end (void *ctx, const xmlChar *name)
{
  Sink *s = ctx;
  const char *n = (const char *) name;

  if (in_list (n, hidden_tags, G_N_ELEMENTS (hidden_tags)) && s->hidden > 0)
    s->hidden--;
  else if (g_ascii_strcasecmp (n, "pre") == 0 && s->pre > 0)
    s->pre--;
  if (in_list (n, block_tags, G_N_ELEMENTS (block_tags)))
    new_line (s);
}

/* Source white space is layout, not text: collapsed, except in <pre>.
 * A no-break space is a space in mail text. */
static void
on_text (void *ctx, const xmlChar *ch, int len)
{
  Sink *s = ctx;
  const char *p = (const char *) ch, *end = p + len;

  if (s->hidden)
    return;
  for (; p < end; p++)
    {
      gboolean nbsp = (guchar) p[0] == 0xC2 && p + 1 < end && (guchar) p[1] == 0xA0;
      if (s->pre && !nbsp)
        g_string_append_c (s->out, *p);
      else if (g_ascii_isspace (*p) || nbsp)
        {
          s->space = s->out->len > 0 && s->out->str[s->out->len - 1] != '\n';
          p += nbsp;
        }
      else
        {
          if (s->space)
            g_string_append_c (s->out, ' ');
          s->space = FALSE;
          g_string_append_c (s->out, *p);
        }
    }
}

/* libxml2 is initialised once per process, before any thread parses. */
static void
init_once (void)
{
  static gsize done;
  if (g_once_init_enter (&done))
    {
      xmlInitParser ();
      g_once_init_leave (&done, 1);
    }
}

static void
parse (Sink *sink, const char *html, gsize len)
{
  htmlSAXHandler sax = { 0 };
  htmlParserCtxtPtr ctxt;

  sax.startElement = on_start;
  sax.endElement = on_end;
  sax.characters = on_text;
  sax.ignorableWhitespace = on_text;
  sax.cdataBlock = on_text;   /* <script>/<style> content: hidden */
  init_once ();
  ctxt = htmlCreatePushParserCtxt (&sax, sink, NULL, 0, NULL, XML_CHAR_ENCODING_UTF8);
  if (ctxt == NULL)
    return;
  /* the text is UTF-8 already: a <meta charset> must not re-decode it */
  htmlCtxtUseOptions (ctxt, HTML_PARSE_RECOVER | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING
                            | HTML_PARSE_NONET | HTML_PARSE_IGNORE_ENC);
  while (len > 0)
    {
      int chunk = (int) MIN (len, (gsize) 1 << 20);
      htmlParseChunk (ctxt, html, chunk, 0);
      html += chunk, len -= chunk;
    }
  htmlParseChunk (ctxt, NULL, 0, 1);
  htmlFreeParserCtxt (ctxt);
}

char *
md_html_to_text (const char *html, gsize len)
{
  g_autofree char *valid = g_utf8_make_valid (html, len);
  Sink sink = { g_string_sized_new (len / 2 + 1), 0, 0, FALSE };
  char *text;

  parse (&sink, valid, strlen (valid));
  while (sink.out->len > 0 && sink.out->str[sink.out->len - 1] == '\n')
    g_string_truncate (sink.out, sink.out->len - 1);
  text = g_utf8_make_valid (sink.out->str, sink.out->len);
  g_string_free (sink.out, TRUE);
  return text;
}
