/* html.c - Markdown to HTML and plain text with cmark-gfm. */
#include <stdlib.h>
#include <string.h>
#include <cmark-gfm.h>
#include <cmark-gfm-core-extensions.h>
#include "html.h"
#include "template.h"

/* Never CMARK_OPT_UNSAFE: raw HTML and dangerous URLs are dropped. */
#define MD_CMARK_OPTIONS CMARK_OPT_DEFAULT

typedef struct {
  cmark_parser *parser;
  cmark_node *doc;
} Parsed;

static void
parsed_free (Parsed *p)
{
  if (p->doc)
    cmark_node_free (p->doc);
  if (p->parser)
    cmark_parser_free (p->parser);
}

static Parsed
parse (const char *md)
{
  static const char *const exts[] = { "table", "strikethrough", "autolink" };
  Parsed p;

  cmark_gfm_core_extensions_ensure_registered ();
  p.parser = cmark_parser_new (MD_CMARK_OPTIONS);
  for (gsize i = 0; i < G_N_ELEMENTS (exts); i++)
    {
      cmark_syntax_extension *e = cmark_find_syntax_extension (exts[i]);
      if (e != NULL)
        cmark_parser_attach_syntax_extension (p.parser, e);
    }
  cmark_parser_feed (p.parser, md ? md : "", md ? strlen (md) : 0);
  p.doc = cmark_parser_finish (p.parser);
  return p;
}

/* cmark allocates with malloc(); hand out GLib-owned strings. */
static char *
take_cmark_string (char *s)
{
  char *copy = g_strdup (s ? s : "");
  free (s);
  return copy;
}

char *
md_markdown_to_html (const char *md)
{
  Parsed p = parse (md);
  char *html = cmark_render_html (p.doc, MD_CMARK_OPTIONS,
                                  cmark_parser_get_syntax_extensions (p.parser));
  parsed_free (&p);
  return take_cmark_string (html);
}

static cmark_node *
text_paragraph (const char *literal)
{
  cmark_node *para = cmark_node_new (CMARK_NODE_PARAGRAPH);
  cmark_node *text = cmark_node_new (CMARK_NODE_TEXT);

  cmark_node_set_literal (text, literal);
  cmark_node_append_child (para, text);
  return para;
}

/* An autolinked URL or address already shows its target. */
static gboolean
shows_target (const char *label, const char *url)
{
  return label != NULL
         && (strcmp (label, url) == 0
             || (g_str_has_prefix (url, "mailto:") && strcmp (label, url + 7) == 0));
}

/* Plain text loses link targets and rules; put them back as text. */
static void
textify_node (cmark_node *node)
{
  if (cmark_node_get_type (node) == CMARK_NODE_THEMATIC_BREAK)
    {
      cmark_node_insert_before (node, text_paragraph ("----------------------------------------"));
      cmark_node_unlink (node);
      cmark_node_free (node);
    }
  else if (cmark_node_get_type (node) == CMARK_NODE_LINK)
    {
      const char *url = cmark_node_get_url (node);
      cmark_node *child = cmark_node_first_child (node);
      const char *label = child ? cmark_node_get_literal (child) : NULL;
      if (url && *url && !shows_target (label, url))
        {
          g_autofree char *lit = g_strdup_printf (" <%s>", url);
          cmark_node *text = cmark_node_new (CMARK_NODE_TEXT);
          cmark_node_set_literal (text, lit);
          cmark_node_insert_after (node, text);
        }
    }
}

static void
textify (cmark_node *doc)
{
  g_autoptr (GPtrArray) nodes = g_ptr_array_new ();
  cmark_iter *it = cmark_iter_new (doc);
  cmark_event_type ev;

  /* Collect first: the tree must not change under the iterator. */
  while ((ev = cmark_iter_next (it)) != CMARK_EVENT_DONE)
    if (ev == CMARK_EVENT_ENTER)
      {
        cmark_node *n = cmark_iter_get_node (it);
        cmark_node_type t = cmark_node_get_type (n);
        if (t == CMARK_NODE_THEMATIC_BREAK || t == CMARK_NODE_LINK)
          g_ptr_array_add (nodes, n);
      }
  cmark_iter_free (it);
  for (guint i = 0; i < nodes->len; i++)
    textify_node (nodes->pdata[i]);
}

char *
md_markdown_to_text (const char *md)
{
  Parsed p = parse (md);
  char *text;

  textify (p.doc);
  text = cmark_render_plaintext (p.doc, MD_CMARK_OPTIONS, 0);
  parsed_free (&p);
  return take_cmark_string (text);
}

char *
md_markdown_title (const char *md)
{
  Parsed p = parse (md);
  char *title = NULL;

  for (cmark_node *n = cmark_node_first_child (p.doc); n; n = cmark_node_next (n))
    if (cmark_node_get_type (n) == CMARK_NODE_HEADING
        && cmark_node_get_heading_level (n) == 1)
      {
        title = take_cmark_string (cmark_render_plaintext (n, MD_CMARK_OPTIONS, 0));
        g_strstrip (title);
        break;
      }
  parsed_free (&p);
  return title;
}

char *
md_html_document (const char *body_html, const char *title, const char *lang,
                  const char *templates_dir, GError **error)
{
  g_autoptr (TmplScope) scope = tmpl_scope_new ();
  g_autofree char *etitle = g_markup_escape_text (title ? title : "", -1);
  g_autofree char *elang = g_markup_escape_text (lang ? lang : "", -1);
  g_autofree char *path = g_build_filename (templates_dir, "report.html.tmpl", NULL);

  tmpl_scope_set_string (scope, "title", etitle);
  tmpl_scope_set_string (scope, "lang", elang);
  tmpl_scope_set_string (scope, "body", body_html);
  return md_template_expand (path, templates_dir, scope, error);
}
