/* template.c - template-glib, located and expanded. */
#include <gio/gio.h>
#include "error.h"
#include "template.h"

/* DIR relative to the running program's directory, if it is there. */
static char *
beside_program (const char *relative)
{
  g_autofree char *exe = g_file_read_link ("/proc/self/exe", NULL);
  g_autofree char *bindir = NULL;
  char *dir;

  if (exe == NULL)
    return NULL;
  bindir = g_path_get_dirname (exe);
  dir = g_build_filename (bindir, relative, NULL);
  if (g_file_test (dir, G_FILE_TEST_IS_DIR))
    return dir;
  g_free (dir);
  return NULL;
}

/* $MLDIGEST_TEMPLATES; the source tree's when running from the build tree
 * (build/mldigest-aggregate: edits show up without an install); the
 * installed ones beside the program (PREFIX/bin/../share/mldigest, so an
 * installation moved or staged in a DESTDIR still finds its own); the
 * compiled-in MD_DATADIR. */
char *
md_template_dir (void)
{
  const char *env = g_getenv ("MLDIGEST_TEMPLATES");
  char *dir;

  if (env != NULL && *env != '\0')
    return g_strdup (env);
  if ((dir = beside_program ("../templates")) != NULL
      || (dir = beside_program ("../share/mldigest/templates")) != NULL)
    return dir;
  return g_build_filename (MD_DATADIR, "templates", NULL);
}

/* The locator that looks up includes in OWN_DIR, then in DIR (if not
 * NULL).  template-glib 3.36 takes a reference on the locator a template
 * is given and never drops it: rather than lose one per template parsed
 * (one per thread for the summaries' prompts), the process keeps one per
 * pair of folders, a handful, for its whole life.  Borrowed. */
static TmplTemplateLocator *
locator_for (const char *own_dir, const char *dir)
{
  G_LOCK_DEFINE_STATIC (locators);
  static GHashTable *locators;   /* "OWN_DIR\nDIR" -> TmplTemplateLocator */
  g_autofree char *key = g_strconcat (own_dir, dir ? "\n" : "", dir, NULL);
  TmplTemplateLocator *locator;

  G_LOCK (locators);
  if (locators == NULL)
    locators = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  if ((locator = g_hash_table_lookup (locators, key)) == NULL)
    {
      locator = tmpl_template_locator_new ();
      tmpl_template_locator_append_search_path (locator, own_dir);
      if (dir != NULL)
        tmpl_template_locator_append_search_path (locator, dir);
      g_hash_table_insert (locators, g_steal_pointer (&key), locator);
    }
  G_UNLOCK (locators);
  return locator;
}

/* PATH parsed, its includes looked up beside it, then in DIR. */
static TmplTemplate *
parse (const char *path, const char *dir, GError **error)
{
  g_autoptr (TmplTemplate) tmpl = NULL;
  g_autoptr (GFile) file = g_file_new_for_path (path);
  g_autofree char *own_dir = g_path_get_dirname (path);

  tmpl = tmpl_template_new (locator_for (own_dir, dir));
  if (!tmpl_template_parse_file (tmpl, file, NULL, error))
    return NULL;
  return g_steal_pointer (&tmpl);
}

char *
md_template_expand (const char *path, const char *dir, TmplScope *scope,
                    GError **error)
{
  g_autoptr (TmplTemplate) tmpl = NULL;
  g_autoptr (GError) local = NULL;
  char *out = NULL;

  if ((tmpl = parse (path, dir, &local)) == NULL
      || (out = tmpl_template_expand_string (tmpl, scope, &local)) == NULL)
    g_set_error (error, MD_ERROR, MD_ERROR_CONFIG, "template %s: %s", path,
                 local ? local->message : "cannot be expanded");
  return out;
}

gboolean
md_template_check (const char *path, const char *dir, GError **error)
{
  g_autoptr (TmplTemplate) tmpl = NULL;
  g_autoptr (GError) local = NULL;

  if ((tmpl = parse (path, dir, &local)) != NULL)
    return TRUE;
  g_set_error (error, MD_ERROR, MD_ERROR_CONFIG, "template %s: %s", path, local->message);
  return FALSE;
}
