/* html.h - HTML-only mail reduced to plain text.
 *
 * libxml2's HTML parser reads the markup, however broken; its text is
 * kept: every named and numeric character reference decoded, elements
 * dropped (script, style, head and the like with their content), block
 * ends made newlines, source white space collapsed except in <pre>.  It
 * only has to make mail from HTML-only senders readable in a digest,
 * never to render anything.
 */
#pragma once
#include <glib.h>

/* HTML (valid UTF-8, LEN bytes) -> newly allocated UTF-8 text. */
char *md_html_to_text (const char *html, gsize len);
