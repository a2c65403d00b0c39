/* view.c - GObject types declared by a property table.
 *
 * One GType per table, registered at first use.  The class keeps the
 * table; each instance keeps a GValue per property, indexed by property
 * id - 1.  Properties are read-write so the builder can set them through
 * the ordinary GObject API (which type-checks every value).
 */
#include "view.h"

typedef struct {
  GObject parent;
  GValue *values;
} MdView;

typedef struct {
  GObjectClass parent;
  const MdViewProp *props;
  guint n_props;
} MdViewClass;

#define VIEW_CLASS_OF(obj) ((MdViewClass *) G_OBJECT_GET_CLASS (obj))

static void
view_get_property (GObject *obj, guint id, GValue *value, GParamSpec *pspec)
{
  MdView *self = (MdView *) obj;
  g_value_copy (&self->values[id - 1], value);
}

static void
view_set_property (GObject *obj, guint id, const GValue *value,
                   GParamSpec *pspec)
{
  MdView *self = (MdView *) obj;
  g_value_reset (&self->values[id - 1]);
  g_value_copy (value, &self->values[id - 1]);
}

static void
view_finalize (GObject *obj)
{
  MdView *self = (MdView *) obj;
  guint n = VIEW_CLASS_OF (obj)->n_props;

  for (guint i = 0; i < n; i++)
    g_value_unset (&self->values[i]);
  g_free (self->values);
  G_OBJECT_CLASS (g_type_class_peek_parent (VIEW_CLASS_OF (obj)))->finalize (obj);
}

static GParamSpec *
make_pspec (const MdViewProp *p)
{
  /* Not G_PARAM_STATIC_NAME: GLib stores "has_url" as "has-url" and finds
   * it by either spelling. */
  GParamFlags f = G_PARAM_READWRITE | G_PARAM_STATIC_NICK | G_PARAM_STATIC_BLURB;

  switch (p->kind)
    {
    case MD_VIEW_UINT:
      return g_param_spec_uint (p->name, NULL, NULL, 0, G_MAXUINT, 0, f);
    case MD_VIEW_BOOL:
      return g_param_spec_boolean (p->name, NULL, NULL, FALSE, f);
    case MD_VIEW_LIST:
      return g_param_spec_object (p->name, NULL, NULL, G_TYPE_LIST_MODEL, f);
    case MD_VIEW_STR:
    default:
      return g_param_spec_string (p->name, NULL, NULL, "", f);
    }
}

static void
view_class_init (gpointer klass, gpointer data)
{
  MdViewClass *vc = klass;
  GObjectClass *oc = klass;

  oc->get_property = view_get_property;
  oc->set_property = view_set_property;
  oc->finalize = view_finalize;
  vc->props = data;
  for (vc->n_props = 0; vc->props[vc->n_props].name; vc->n_props++)
    g_object_class_install_property (oc, vc->n_props + 1,
                                     make_pspec (&vc->props[vc->n_props]));
}

static void
view_instance_init (GTypeInstance *instance, gpointer klass)
{
  MdView *self = (MdView *) instance;
  MdViewClass *vc = klass;

  self->values = g_new0 (GValue, vc->n_props);
  for (guint i = 0; i < vc->n_props; i++)
    {
      static const GType types[] = {
        [MD_VIEW_STR] = G_TYPE_STRING, [MD_VIEW_UINT] = G_TYPE_UINT,
        [MD_VIEW_BOOL] = G_TYPE_BOOLEAN,
      };
      MdViewKind kind = vc->props[i].kind;
      g_value_init (&self->values[i],
                    kind == MD_VIEW_LIST ? G_TYPE_LIST_MODEL : types[kind]);
      if (kind == MD_VIEW_STR)
        g_value_set_static_string (&self->values[i], "");
    }
}

GType
md_view_type (const char *type_name, const MdViewProp *props)
{
  static GMutex lock;
  GType type;

  g_mutex_lock (&lock);
  type = g_type_from_name (type_name);
  if (type == 0)
    {
      GTypeInfo info = {
        .class_size = sizeof (MdViewClass),
        .class_init = view_class_init,
        .class_data = props,
        .instance_size = sizeof (MdView),
        .instance_init = view_instance_init,
      };
      type = g_type_register_static (G_TYPE_OBJECT, type_name, &info, 0);
    }
  g_mutex_unlock (&lock);
  return type;
}

GObject *
md_view_new (GType type)
{
  return g_object_new (type, NULL);
}

void
md_view_set_str (GObject *view, const char *name, const char *value)
{
  g_object_set (view, name, value ? value : "", NULL);
}

void
md_view_take_str (GObject *view, const char *name, char *value)
{
  md_view_set_str (view, name, value);
  g_free (value);
}

void
md_view_set_uint (GObject *view, const char *name, guint value)
{
  g_object_set (view, name, value, NULL);
}

void
md_view_set_bool (GObject *view, const char *name, gboolean value)
{
  g_object_set (view, name, value, NULL);
}

void
md_view_set_list (GObject *view, const char *name, GListModel *list)
{
  g_object_set (view, name, list, NULL);
}
