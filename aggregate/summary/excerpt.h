/* excerpt.h - find what a message body actually says.
 *
 * Replies open with greetings and quotes, end with sign-offs and
 * trailers; a reader (and the built-in summariser) wants the first lines
 * in between.  These return raw text taken verbatim from the body (lines
 * of one paragraph joined by single spaces), not yet escaped for any
 * output, or NULL when the body has nothing substantive.
 */
#pragma once
#include <glib.h>

/* The first substantive paragraph: greetings, quoted lines ("> "),
 * attribution lines ("On ..., X wrote:"), "[...]" marks and trailers
 * skipped; it ends at a blank line, a quote, a trailer, a sign-off
 * ("Thanks,", "Regards") or the "-- " signature.  At most MAX_LINES lines
 * (0 = no limit); cut at a word boundary past MAX_CHARS characters with
 * a trailing "…". */
char *md_excerpt (const char *body, guint max_lines, gsize max_chars);

/* As md_excerpt(), starting at the body's first line that reads LINE
 * (compared without surrounding blanks): a notice a rule picked out,
 * with the line after it when the sentence goes on.  LINE itself when no
 * more can be taken; NULL when LINE is NULL. */
char *md_excerpt_from (const char *body, const char *line, guint max_lines,
                       gsize max_chars);

/* The change log of this version in a cover letter: the lines under a
 * heading such as "Changes in v3:", "Changes since v2:", "v2 -> v3:" or
 * "v3:" (with VERSION_STR "3"), up to the next blank line or the next
 * version's entry.  NULL when VERSION_STR is NULL or no such section. */
char *md_excerpt_changes (const char *body, const char *version_str,
                          guint max_lines, gsize max_chars);

/* "Reviewed-by: A <a@b>", "Fixes: ...", "Link: ...", "Cc: ...". */
gboolean md_excerpt_is_trailer (const char *line);
/* "On Mon, 10 Feb 2026, X wrote:", "X <x@y> 于 ... 写道：" (the last line
 * of an attribution folded over two). */
gboolean md_excerpt_is_attribution (const char *line);
