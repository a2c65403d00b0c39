/* text.h - turning untrusted bytes into clean UTF-8 text.
 *
 * Owns the charset conversion every other parser stage relies on
 * (declared charset, else UTF-8, else a guess), the single-line cleanup
 * of header values and the size bounds.  Everything returned is valid
 * UTF-8, newly allocated, never NULL.
 */
#pragma once
#include <glib.h>

/* Convert LEN bytes of DATA to UTF-8.  CHARSET is the declared charset
 * (NULL, "", "us-ascii" or an unknown name mean undeclared).  Undeclared
 * 8-bit text that is not UTF-8 is read as windows-1252 (latin-1 for its
 * holes) and *GUESSED is set; bytes invalid in a declared charset become
 * U+FFFD.  CR LF and lone CR become LF when MULTI_LINE is set. */
char *md_text_to_utf8 (const char *data, gsize len, const char *charset,
                       gboolean multi_line, gboolean *guessed);

/* The same for the bytes of S from FROM on, in place: text that already
 * is UTF-8 is not copied (a large mail's text is only ever read). */
void md_text_to_utf8_tail (GString *s, gsize from, const char *charset,
                           gboolean multi_line, gboolean *guessed);

/* Make S (valid UTF-8, modified in place) one line: control characters
 * and Unicode line separators become spaces, runs of white space are
 * collapsed, the ends trimmed; then cut to at most MAX bytes on a
 * character boundary.  Returns S. */
char *md_text_single_line (char *s, gsize max);

/* The largest length <= MAX that does not split a UTF-8 character. */
gsize md_text_utf8_cut (const char *s, gsize len, gsize max);

/* TRUE when LEN bytes of S contain a byte >= 0x80. */
gboolean md_text_has_8bit (const char *s, gsize len);

/* TRUE when LEN bytes of S are all ASCII white space (or LEN is 0). */
gboolean md_text_is_blank (const char *s, gsize len);

/* TRUE for a quoted line: '>' after optional white space. */
gboolean md_text_is_quoted (const char *s, gsize len);

/* ASCII lower-case S in place; returns S. */
char *md_text_ascii_lower (char *s);
