/* html.h - the report's Markdown turned into HTML and plain text.
 *
 * cmark-gfm parses the Markdown (tables, strikethrough and autolinks
 * enabled).  Raw HTML is never let through (CMARK_OPT_UNSAFE stays off):
 * the HTML renderer omits it and drops javascript:/data: links, so even a
 * template or a model summary cannot inject markup; mail text is already
 * escaped before it becomes Markdown (escape.h).
 */
#pragma once
#include <glib.h>

/* The body of an HTML document. */
char *md_markdown_to_html (const char *md);

/* Readable plain text for a text/plain part: markup removed, a line of
 * dashes for each rule, each link followed by its address in <>. */
char *md_markdown_to_text (const char *md);

/* The text of the first level-1 heading, or NULL. */
char *md_markdown_title (const char *md);

/* A whole HTML document: report.html.tmpl from TEMPLATES_DIR around
 * BODY_HTML (trusted: cmark's output), with TITLE and LANG escaped. */
char *md_html_document (const char *body_html, const char *title,
                        const char *lang, const char *templates_dir,
                        GError **error);
