/* view.h - plain GObjects with named properties, for templates.
 *
 * template-glib reads data through GObject properties ("t.subject") and
 * iterates GListModels ("for t in c.threads").  Rather than hand-write a
 * GObject class per report entity, a view type is declared by a table of
 * property names and types and registered once; its instances just hold
 * one GValue per property.  render-model.c builds the report's views.
 */
#pragma once
#include <gio/gio.h>

typedef enum {
  MD_VIEW_STR,        /* a string, "" by default */
  MD_VIEW_UINT,
  MD_VIEW_BOOL,
  MD_VIEW_LIST,       /* a GListModel of views */
} MdViewKind;

typedef struct {
  const char *name;   /* template-facing name, [a-z_][a-z0-9_]* */
  MdViewKind kind;
} MdViewProp;

/* Register (once per process; later calls return the same type) a view
 * type called TYPE_NAME with the properties of PROPS, which ends with a
 * { NULL, 0 } entry and must stay alive for the life of the process. */
GType md_view_type (const char *type_name, const MdViewProp *props);

GObject *md_view_new (GType type);
void md_view_set_str (GObject *view, const char *name, const char *value);
/* Takes ownership of VALUE. */
void md_view_take_str (GObject *view, const char *name, char *value);
void md_view_set_uint (GObject *view, const char *name, guint value);
void md_view_set_bool (GObject *view, const char *name, gboolean value);
void md_view_set_list (GObject *view, const char *name, GListModel *list);
