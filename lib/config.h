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
/* The file md_config_load (NULL, ...) reads, or NULL when there is none. */
char *md_config_default_path (void);

char *md_config_list_string (GKeyFile *kf, const char *list, const char *key,
                             const char *fallback);
gint64 md_config_list_int (GKeyFile *kf, const char *list, const char *key,
                           gint64 fallback);
/* A ';'-separated list (GKeyFile syntax); NULL when unset. */
char **md_config_list_strv (GKeyFile *kf, const char *list, const char *key);

/* VALUE with "~/" at its start made the home directory and each
 * "{list}" replaced by LIST (left as it is when LIST is NULL).  LIST is
 * a short name (md_list_short_name()); anything in it that could leave
 * the directory ('/', a leading '.') is replaced by '_'. */
char *md_config_expand_path (const char *value, const char *list);

/* The index file of LIST (NULL: of no list in particular): OVERRIDE
 * (--index) if given, else $MLDIGEST_INDEX, else [index] path, else
 * $XDG_DATA_HOME/mldigest/index.tdb; expanded as above.  KF may be NULL. */
char *md_config_index_path (GKeyFile *kf, const char *override, const char *list);

/* TRUE when the index path chosen as above holds {list}. */
gboolean md_config_index_per_list (GKeyFile *kf, const char *override);

/* [index] max_size in bytes (default MD_CONFIG_DEFAULT_MAX_SIZE);
 * MD_ERROR_CONFIG when it is not a size. */
#define MD_CONFIG_DEFAULT_MAX_SIZE (G_GUINT64_CONSTANT (3584) << 20)
gboolean md_config_index_max_size (GKeyFile *kf, guint64 *bytes, GError **error);
