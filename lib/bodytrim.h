/* bodytrim.h - what of a message's text is worth keeping.
 *
 * Owns the cleanup of the own text once the diff is gone: the signature
 * (from the "-- " line) and mailing-list footers are cut, long runs of
 * quoted lines are shortened to their last few lines behind a marker
 * (what a reviewer answers is right above the answer), blank runs
 * collapsed, trailing white space dropped, and the whole bounded.
 */
#pragma once
#include <glib.h>

#define MD_BODY_MAX       (64u << 10)  /* bytes of body kept in a record */
#define MD_QUOTE_KEEP     4            /* quoted lines kept of a long run */

/* TEXT (UTF-8, LF) -> newly allocated trimmed text, at most MAX bytes;
 * *TRUNCATED is set when the bound cut it. */
char *md_body_trim (const char *text, gsize len, gsize max, gboolean *truncated);
