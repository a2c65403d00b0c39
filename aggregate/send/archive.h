/* archive.h - sent digests kept as files: archive_dir (per list).
 *
 * After the server accepted a digest, its Markdown and HTML renderings
 * are written to <archive_dir>/<list>.<YYYY-Www>.md and .html (the list
 * name made safe as in identity.h), each atomically.
 */
#pragma once
#include <glib.h>

gboolean md_archive_write (const char *dir, const char *list,
                           const char *week, GBytes *md, GBytes *html,
                           GError **error);
