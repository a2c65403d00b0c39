/* prompt.c - prompt templates expanded (see prompt.h). */
#include "prompt.h"
#include "template.h"

static void
set_str (TmplScope *scope, const char *name, const char *value)
{
  g_autofree char *has = g_strconcat ("has_", name, NULL);

  tmpl_scope_set_string (scope, name, value ? value : "");
  tmpl_scope_set_boolean (scope, has, value != NULL && *value != '\0');
}

static void
set_uint (TmplScope *scope, const char *name, guint value)
{
  GValue v = G_VALUE_INIT;

  g_value_init (&v, G_TYPE_UINT);
  g_value_set_uint (&v, value);
  tmpl_scope_set_value (scope, name, &v);
  g_value_unset (&v);
}

static TmplScope *
scope_of (const MdPromptVars *v)
{
  TmplScope *scope = tmpl_scope_new ();

  tmpl_scope_set_string (scope, "lang", v->lang);
  set_str (scope, "list", v->list);
  set_str (scope, "facts", v->facts);
  set_str (scope, "messages", v->messages);
  set_str (scope, "earlier", v->earlier);
  set_str (scope, "previous", v->previous);
  set_str (scope, "previous_version", v->previous_version);
  set_str (scope, "history", v->history);
  set_str (scope, "history_since", v->history_since);
  set_str (scope, "part_summaries", v->part_summaries);
  set_uint (scope, "part", v->part);
  set_uint (scope, "parts", v->parts);
  tmpl_scope_set_boolean (scope, "is_part", v->parts > 1);
  set_uint (scope, "max_n", v->max_n);
  return scope;
}

char *
md_prompt_render (const char *name, const MdPromptVars *vars, GError **error)
{
  g_autofree char *dir = md_template_dir ();
  g_autofree char *file = g_strdup_printf ("%s.%s.tmpl", name, vars->lang);
  g_autofree char *path = g_build_filename (dir, "prompts", file, NULL);
  g_autoptr (TmplScope) scope = scope_of (vars);

  return md_template_expand (path, dir, scope, error);
}
