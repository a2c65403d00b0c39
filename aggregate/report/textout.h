/* textout.h - `--format text`: the week's facts, compact, for a terminal.
 *
 * Not a report (the templates make those): one block per thread in
 * report order, then people and new patches.  Times in TZ (NULL: UTC).
 * Control characters from mail are replaced, so a subject cannot drive
 * the reader's terminal.
 */
#pragma once
#include "week.h"

char *md_text_render (const MdWeek *week, GTimeZone *tz);
