/* template.h - expanding a template-glib template file.
 *
 * The one place that drives template-glib: locating a template by name,
 * parsing it with a locator (so a user's copy can {{include}} siblings)
 * and expanding it; template-glib's errors become MD_ERROR_CONFIG naming
 * the file.
 */
#pragma once
#include <tmpl-glib.h>

/* Where the shipped templates are: $MLDIGEST_TEMPLATES, else templates/
 * beside the build directory of the running program (uninstalled), else
 * share/mldigest/templates beside its bin/ (installed, wherever the
 * installation is), else MD_DATADIR/templates.  Newly allocated. */
char *md_template_dir (void);

/* Expand the template at PATH with SCOPE; includes are looked up beside
 * PATH, then in DIR (may be NULL). */
char *md_template_expand (const char *path, const char *dir, TmplScope *scope,
                          GError **error);

/* Parse the template at PATH (includes as md_template_expand() finds
 * them) without expanding it: what --check-config asks of a template. */
gboolean md_template_check (const char *path, const char *dir, GError **error);
