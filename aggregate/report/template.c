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

/* PATH parsed, its includes looked up beside it, then in DIR. */
static TmplTemplate *
parse (const char *path, const char *dir, GError **error)
{
  g_autoptr (TmplTemplateLocator) locator = tmpl_template_locator_new ();
  g_autoptr (TmplTemplate) tmpl = NULL;
  g_autoptr (GFile) file = g_file_new_for_path (path);
  g_autofree char *own_dir = g_path_get_dirname (path);

  tmpl_template_locator_append_search_path (locator, own_dir);
  if (dir != NULL)
    tmpl_template_locator_append_search_path (locator, dir);
  tmpl = tmpl_template_new (locator);
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
