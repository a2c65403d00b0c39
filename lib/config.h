/* config.h - the GKeyFile configuration.
 *
 *   [defaults]            keys every list inherits
 *   [list kvmarm]         one section per list (short name)
 *   [model] [smtp]        later stages
 *
 * Lookups for a list fall back from "[list NAME]" to "[defaults]" to the
 * caller's default.  Errors name the file (and line, where GLib says it).
 */
#pragma once
#include <glib.h>

/* Load PATH, or when PATH is NULL the first of $MLDIGEST_CONFIG,
 * $XDG_CONFIG_HOME/mldigest/config, /etc/mldigest.conf that exists.  No
 * file at all is not an error: an empty configuration is returned.
 * LOADED_FROM (may be NULL) gets the path read, or NULL. */
GKeyFile *md_config_load (const char *path, char **loaded_from,
                          GError **error);

char *md_config_list_string (GKeyFile *kf, const char *list, const char *key,
                             const char *fallback);
gint64 md_config_list_int (GKeyFile *kf, const char *list, const char *key,
                           gint64 fallback);
/* A ';'-separated list (GKeyFile syntax); NULL when unset. */
char **md_config_list_strv (GKeyFile *kf, const char *list, const char *key);
