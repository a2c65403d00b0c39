/* trailers.h - Reviewed-by:, Acked-by: ... lines in a message's text.
 *
 * Owns recognising trailer lines (key case-insensitive, leading white
 * space allowed because reviewers indent them in replies), skipping
 * quoted lines (someone else's trailers), and splitting a value into a
 * display name and a lower-case address.
 */
#pragma once
#include "record.h"

#define MD_TRAILERS_MAX 256

/* Appends the trailers of TEXT (UTF-8, LF; the diff already removed) to
 * REC->trailers, without exact duplicates. */
void md_trailers_scan (const char *text, gsize len, MdRecord *rec);

/* Splits "Name <a@b>", "\"Name\" <a@b>", "a@b", "a@b (Name)" with
 * trailing "# comment" or "[note]" into NAME and lower-case EMAIL
 * (both newly allocated, "" when absent). */
void md_trailer_split_person (const char *value, char **name, char **email);
