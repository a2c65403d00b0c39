/* check.h - mldigest-aggregate --check-config.
 *
 * Reads the configuration file line by line (GKeyFile does not say where
 * a key is) and checks every group and key against lib/config-keys.c:
 * unknown groups and keys (with the nearest known name), values of the
 * wrong type or out of range, templates and prompt templates that do not
 * parse, secret files that group or others can read, an index directory
 * that cannot be reached.  Each problem is one line,
 * "FILE:LINE: [group] key: what is wrong".
 */
#pragma once
#include <glib.h>

typedef struct {
  guint problems;   /* each makes the check fail */
  guint warnings;   /* said, but the configuration works */
  GString *out;     /* the lines, for stdout */
} MdCheckReport;

/* Check the file at PATH (NULL: the lookup of md_config_load(); no file
 * at all is fine, the defaults are checked); INDEX is --index or NULL. */
void md_check_config (const char *path, const char *index, MdCheckReport *report);
