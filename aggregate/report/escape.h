/* escape.h - make mail-derived text safe for the report's outputs.
 *
 * Everything a report shows that came from a message (subjects, names,
 * addresses, quoted lines, commit messages) passes through here before a
 * template sees it.  Each function returns valid UTF-8 without control
 * characters, whatever bytes it was given, and a newly allocated string.
 *
 *   md_escape_line()   one line for plain text: CR/LF/tabs folded to one
 *                      space, control and bidi-override characters dropped
 *   md_escape_md()     the same line, with a backslash before each
 *                      character Markdown would otherwise act on there
 *                      (not before every metacharacter: "[PATCH v2 0/3]",
 *                      "kvm_vcpu_run()" and "Thanks!" stay as they are),
 *                      so it renders as the literal text in any inline spot
 *                      of a template that uses no '_' or '~' emphasis
 *   md_escape_block()  multi-line text kept as lines (plain text)
 *
 * Multi-line results never end with a newline: a template puts its own.
 *   md_fence_block()   multi-line text as a Markdown code block no content
 *                      can close early
 *   md_code_span()     one line as a Markdown code span
 *   md_archive_url()   the list-archive link of a Message-ID
 */
#pragma once
#include <glib.h>

/* Longest line md_escape_line()/md_escape_md() return, in characters;
 * longer input is cut and ends with an ellipsis. */
#define MD_ESCAPE_LINE_MAX 400

char *md_escape_line (const char *s);
char *md_escape_md (const char *s);
/* As md_escape_line()/md_escape_md(), with a caller-chosen bound in
 * characters (0 = MD_ESCAPE_LINE_MAX). */
char *md_escape_line_n (const char *s, gsize max_chars);
char *md_escape_md_n (const char *s, gsize max_chars);

char *md_escape_block (const char *text);
char *md_fence_block (const char *text);
char *md_code_span (const char *s);

/* Markdown written by someone else (a model's summary, a user's text):
 * kept as Markdown, but made unable to break the report around it: no
 * control characters, no headings (a leading '#' is escaped), no link
 * reference definitions (a leading '[' is escaped), no raw HTML
 * tags ('<' before a tag name is escaped). */
char *md_sanitize_markdown (const char *md);

/* PATTERN holds "{list}" and "{message_id}"; both are percent-encoded
 * into it, then anything that could end a Markdown link destination or an
 * HTML attribute is percent-encoded too.  NULL when PATTERN is NULL or
 * empty (no archive configured). */
char *md_archive_url (const char *pattern, const char *list,
                      const char *message_id);
/* TRUE when PATTERN is usable: empty, or http(s) with {message_id}. */
gboolean md_archive_pattern_valid (const char *pattern);

/* "03/12": patch INDEX of TOTAL, zero-padded to TOTAL's width as in
 * subjects; "" when TOTAL is 0 (an unnumbered patch). */
char *md_patch_ref (guint index, guint total);
