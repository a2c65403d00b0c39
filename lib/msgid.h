/* msgid.h - Message-ID normalisation and References parsing. */
#pragma once
#include <glib.h>

/* Normalise one Message-ID: strip <> and surrounding junk
 * ("<id> (Name's message of ...)"), lower-case the domain part.  Returns
 * NULL when nothing usable is there. */
char *md_msgid_normalise (const char *raw);

/* Parse In-Reply-To/References text into normalised ids, in order, without
 * duplicates: handles ids with no space between them, bare ids and
 * comments.  Appends to OUT (char*, g_free). */
void md_msgid_parse_list (const char *raw, GPtrArray *out);

/* A stable Message-ID for a message that has none: derived from a hash of
 * the headers that identify it and the body ("<sha>@mldigest.invalid"). */
char *md_msgid_synthesise (const char *data, gsize len);
