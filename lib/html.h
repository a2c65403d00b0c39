/* html.h - HTML-only mail reduced to plain text.
 *
 * Deliberately simple: tags dropped (script/style with their content),
 * block ends become newlines, the common entities and numeric character
 * references decoded.  It only has to make mail from HTML-only senders
 * readable in a digest, never to render anything.
 */
#pragma once
#include <glib.h>

/* HTML (valid UTF-8, LEN bytes) -> newly allocated UTF-8 text. */
char *md_html_to_text (const char *html, gsize len);
