#include "config.h"
#include "error.h"
#include "config-keys.h"
#include "index.h"

#include <string.h>

char *
md_config_default_path (void)
{
  const char *env = g_getenv ("MLDIGEST_CONFIG");
  /* as config.h says: the first that exists (the tests point it at
   * nothing to keep a user's configuration out) */
  if (env && *env && g_file_test (env, G_FILE_TEST_EXISTS))
    return g_strdup (env);
  g_autofree char *user = g_build_filename (g_get_user_config_dir (),
                                            "mldigest", "config", NULL);
  if (g_file_test (user, G_FILE_TEST_EXISTS))
    return g_steal_pointer (&user);
  if (g_file_test ("/etc/mldigest.conf", G_FILE_TEST_EXISTS))
    return g_strdup ("/etc/mldigest.conf");
  return NULL;
}

GKeyFile *
md_config_load (const char *path, char **loaded_from, GError **error)
{
  g_autoptr (GKeyFile) kf = g_key_file_new ();
  g_autofree char *found = path ? g_strdup (path) : md_config_default_path ();
  g_autoptr (GError) local = NULL;

  if (found != NULL
      && !g_key_file_load_from_file (kf, found, G_KEY_FILE_NONE, &local))
    {
      g_set_error (error, MD_ERROR, MD_ERROR_CONFIG,
                   "cannot read config '%s': %s", found, local->message);
      return NULL;
    }
  if (loaded_from)
    *loaded_from = g_steal_pointer (&found);
  return g_steal_pointer (&kf);
}

/* The group that answers KEY for LIST: the list's own, else [defaults]. */
static const char *
group_for (GKeyFile *kf, const char *list, const char *key, char **owned)
{
  if (list)
    {
      *owned = g_strdup_printf ("list %s", list);
      if (g_key_file_has_key (kf, *owned, key, NULL))
        return *owned;
    }
  if (g_key_file_has_key (kf, "defaults", key, NULL))
    return "defaults";
  return NULL;
}

char *
md_config_list_string (GKeyFile *kf, const char *list, const char *key,
                       const char *fallback)
{
  g_autofree char *owned = NULL;
  const char *group = group_for (kf, list, key, &owned);
  char *v = group ? g_key_file_get_string (kf, group, key, NULL) : NULL;
  return v ? v : g_strdup (fallback);
}

gint64
md_config_list_int (GKeyFile *kf, const char *list, const char *key,
                    gint64 fallback)
{
  g_autofree char *owned = NULL;
  const char *group = group_for (kf, list, key, &owned);
  g_autoptr (GError) err = NULL;
  gint64 v;

  if (group == NULL)
    return fallback;
  v = g_key_file_get_int64 (kf, group, key, &err);
  return err ? fallback : v;
}

char **
md_config_list_strv (GKeyFile *kf, const char *list, const char *key)
{
  g_autofree char *owned = NULL;
  const char *group = group_for (kf, list, key, &owned);
  return group ? g_key_file_get_string_list (kf, group, key, NULL, NULL) : NULL;
}

static void
append_list_name (GString *out, const char *list)
{
  for (const char *p = list; *p; p++)
    g_string_append_c (out, *p == '/' || (p == list && *p == '.') ? '_' : *p);
}

char *
md_config_expand_path (const char *value, const char *list)
{
  GString *out = g_string_new (NULL);
  const char *p = value;

  if (g_str_has_prefix (p, "~/"))
    {
      g_string_append (out, g_get_home_dir ());
      p++;
    }
  while (*p)
    {
      if (list != NULL && g_str_has_prefix (p, "{list}"))
        {
          append_list_name (out, list);
          p += strlen ("{list}");
        }
      else
        g_string_append_c (out, *p++);
    }
  return g_string_free (out, FALSE);
}

/* The path before expansion: the first of the places config.h names. */
static char *
index_path_template (GKeyFile *kf, const char *override)
{
  const char *env = g_getenv ("MLDIGEST_INDEX");
  char *v;

  if (override != NULL)
    return g_strdup (override);
  if (env != NULL && *env != '\0')
    return g_strdup (env);
  if (kf != NULL && (v = g_key_file_get_string (kf, "index", "path", NULL)) != NULL)
    {
      if (*g_strstrip (v) != '\0')
        return v;
      g_free (v);
    }
  return md_index_default_path ();
}

char *
md_config_index_path (GKeyFile *kf, const char *override, const char *list)
{
  g_autofree char *t = index_path_template (kf, override);
  return md_config_expand_path (t, list);
}

gboolean
md_config_index_per_list (GKeyFile *kf, const char *override)
{
  g_autofree char *t = index_path_template (kf, override);
  return strstr (t, "{list}") != NULL;
}

gboolean
md_config_index_max_size (GKeyFile *kf, guint64 *bytes, GError **error)
{
  g_autofree char *v = kf ? g_key_file_get_string (kf, "index", "max_size", NULL) : NULL;

  *bytes = MD_CONFIG_DEFAULT_MAX_SIZE;
  if (v == NULL || md_config_parse_size (g_strstrip (v), bytes))
    return TRUE;
  g_set_error (error, MD_ERROR, MD_ERROR_CONFIG,
               "[index] max_size '%s' is not a size (bytes, or a number with K, M, G)", v);
  return FALSE;
}
