/* expire.c - mldigest-aggregate --expire (see expire.h). */
#include "expire.h"

#include <glob.h>
#include <string.h>
#include "config.h"
#include "error.h"
#include "index.h"

/* Writers that find the file locked wait at most their --lock-timeout
 * (30 s by default); expiry waits for a long import to finish. */
#define EXPIRE_LOCK_TIMEOUT_MS 120000

static gboolean
keep_days (GKeyFile *config, gint64 *days, GError **error)
{
  g_autoptr (GError) local = NULL;

  if (!g_key_file_has_key (config, "index", "keep_days", NULL))
    {
      g_set_error (error, MD_ERROR, MD_ERROR_CONFIG,
                   "[index] keep_days is not set: every message is kept, nothing to expire");
      return FALSE;
    }
  *days = g_key_file_get_int64 (config, "index", "keep_days", &local);
  if (local == NULL && *days >= 1)
    return TRUE;
  g_set_error (error, MD_ERROR, MD_ERROR_CONFIG,
               "[index] keep_days must be a number of days, at least 1");
  return FALSE;
}

/* The files to expire: one, or every list's. */
static GPtrArray *
index_files (GKeyFile *config, const char *index_option, const char *list)
{
  GPtrArray *files = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *pattern = NULL;
  glob_t g;

  if (list != NULL || !md_config_index_per_list (config, index_option))
    {
      g_ptr_array_add (files, md_config_index_path (config, index_option, list));
      return files;
    }
  pattern = md_config_index_path (config, index_option, "*");
  if (glob (pattern, 0, NULL, &g) == 0)
    for (size_t i = 0; i < g.gl_pathc; i++)
      if (!g_str_has_suffix (g.gl_pathv[i], ".expire"))
        g_ptr_array_add (files, g_strdup (g.gl_pathv[i]));
  globfree (&g);
  return files;
}

static gboolean
expire_file (const char *path, gint64 cutoff, GString *out, GError **error)
{
  MdExpireStats st;

  if (!g_file_test (path, G_FILE_TEST_IS_REGULAR))
    {
      g_set_error (error, MD_ERROR, MD_ERROR_NOT_FOUND, "no index '%s'", path);
      return FALSE;
    }
  if (!md_index_expire (path, cutoff, EXPIRE_LOCK_TIMEOUT_MS, &st, error))
    return FALSE;
  g_string_append_printf (out, "%s: %" G_GUINT64_FORMAT " of %" G_GUINT64_FORMAT
                          " messages removed; %" G_GUINT64_FORMAT " -> %" G_GUINT64_FORMAT
                          " bytes\n", path, st.removed, st.messages, st.size_before,
                          st.size_after);
  return TRUE;
}

gboolean
md_expire_run (GKeyFile *config, const char *index_option, const char *list,
               gint64 now, GString *out, GError **error)
{
  g_autoptr (GPtrArray) files = NULL;
  gint64 days;

  if (!keep_days (config, &days, error))
    return FALSE;
  files = index_files (config, index_option, list);
  for (guint i = 0; i < files->len; i++)
    if (!expire_file (files->pdata[i], now - days * 86400, out, error))
      return FALSE;
  return TRUE;
}
