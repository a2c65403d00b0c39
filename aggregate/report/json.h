/* json.h - `--format json`: the whole MdWeek as one JSON document.
 *
 * The schema is documented in mldigest-aggregate(1), JSON OUTPUT; it is
 * an interface (later stages, tests and outside tools read it): add
 * fields, never rename or drop one.  Times are UTC ISO 8601.
 */
#pragma once
#include "week.h"

/* Pretty-printed, UTF-8, ending in a newline; LENGTH (may be NULL) gets
 * its length. */
char *md_json_render (const MdWeek *week, gsize *length);
