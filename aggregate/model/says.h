/* says.h - what a message says in its own (unquoted) words: the few
 * phrases the facts stage and the renderers both read. */
#pragma once
#include "week.h"

/* A case-insensitive regex compiled once into *SLOT (thread-safe). */
GRegex *md_once_regex (GRegex **slot, const char *pattern);
/* The first line of TEXT's own (unquoted) lines that RE matches, or NULL. */
char *md_own_line_matching (const char *text, GRegex *re);
/* The line of REC that says it was applied/queued/merged, or NULL. */
char *md_record_applied_line (const MdRecord *rec);
