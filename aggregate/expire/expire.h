/* expire.h - mldigest-aggregate --expire: retention of the index.
 *
 * Removes the messages that arrived more than [index] keep_days before
 * NOW from the index file (with {list} in the path: the file of LIST, or
 * of every list when LIST is NULL) and gives the space back
 * (md_index_expire() in lib/index-expire.c).  The thread summaries and
 * the record of sent digests stay.  One line per file on OUT.
 */
#pragma once
#include <glib.h>

gboolean md_expire_run (GKeyFile *config, const char *index_option,
                        const char *list, gint64 now, GString *out,
                        GError **error);
