/* render-model.c - MdWeek -> template variables (see render-model.h). */
#include <string.h>
#include "says.h"
#include "escape.h"
#include "excerpt.h"
#include "html.h"
#include "render-model.h"
#include "reviews.h"
#include "view.h"

typedef struct {
  const MdWeek *week;
  const MdModelOptions *o;
} Ctx;

/* ---- property tables: what a template can read ---- */

static const MdViewProp message_props[] = {
  { "index", MD_VIEW_UINT }, { "time", MD_VIEW_STR }, { "date", MD_VIEW_STR },
  { "subject", MD_VIEW_STR }, { "from", MD_VIEW_STR },
  { "from_name", MD_VIEW_STR }, { "from_email", MD_VIEW_STR },
  { "message_id", MD_VIEW_STR }, { "url", MD_VIEW_STR },
  { "has_url", MD_VIEW_BOOL }, { "patch", MD_VIEW_STR },
  { "excerpt", MD_VIEW_STR }, { "has_excerpt", MD_VIEW_BOOL },
  { NULL, 0 }
};

static const MdViewProp review_props[] = {
  { "from", MD_VIEW_STR }, { "name", MD_VIEW_STR },
  { "email", MD_VIEW_STR }, { "kind", MD_VIEW_STR },
  { "patches", MD_VIEW_STR }, { "has_patches", MD_VIEW_BOOL },
  { "whole_series", MD_VIEW_BOOL }, { "has_target", MD_VIEW_BOOL },
  { NULL, 0 }
};

static const MdViewProp thread_props[] = {
  { "index", MD_VIEW_UINT }, { "subject", MD_VIEW_STR },
  { "category", MD_VIEW_STR }, { "message_id", MD_VIEW_STR },
  { "url", MD_VIEW_STR }, { "has_url", MD_VIEW_BOOL },
  { "b4", MD_VIEW_STR }, { "n_messages", MD_VIEW_UINT },
  { "participants", MD_VIEW_UINT }, { "started", MD_VIEW_STR },
  { "last", MD_VIEW_STR }, { "continues", MD_VIEW_BOOL },
  { "root_missing", MD_VIEW_BOOL }, { "is_series", MD_VIEW_BOOL },
  { "series_version", MD_VIEW_STR }, { "has_previous", MD_VIEW_BOOL },
  { "previous_version", MD_VIEW_STR }, { "previous_date", MD_VIEW_STR },
  { "previous_url", MD_VIEW_STR }, { "has_previous_url", MD_VIEW_BOOL },
  { "total", MD_VIEW_UINT }, { "received", MD_VIEW_UINT },
  { "has_total", MD_VIEW_BOOL }, { "complete", MD_VIEW_BOOL },
  { "missing", MD_VIEW_STR }, { "project", MD_VIEW_STR },
  { "has_project", MD_VIEW_BOOL }, { "rfc", MD_VIEW_BOOL },
  { "resend", MD_VIEW_BOOL }, { "git_pull", MD_VIEW_BOOL },
  { "reviews", MD_VIEW_LIST }, { "has_reviews", MD_VIEW_BOOL },
  { "applied", MD_VIEW_LIST }, { "has_applied", MD_VIEW_BOOL },
  { "robot_failures", MD_VIEW_LIST }, { "has_robot_failures", MD_VIEW_BOOL },
  { "naks", MD_VIEW_LIST }, { "has_naks", MD_VIEW_BOOL },
  { "summary", MD_VIEW_STR }, { "has_summary", MD_VIEW_BOOL },
  { "summary_builtin", MD_VIEW_BOOL }, { "messages", MD_VIEW_LIST },
  { "summary_fallback", MD_VIEW_BOOL }, { "summary_fallback_reason", MD_VIEW_STR },
  { "summary_model", MD_VIEW_STR }, { "summary_dropped", MD_VIEW_UINT },
  { NULL, 0 }
};

static const MdViewProp category_props[] = {
  { "index", MD_VIEW_UINT }, { "name", MD_VIEW_STR },
  { "threads", MD_VIEW_UINT }, { "messages", MD_VIEW_UINT },
  { "thread_list", MD_VIEW_LIST },
  { NULL, 0 }
};

static const MdViewProp contributor_props[] = {
  { "from", MD_VIEW_STR }, { "name", MD_VIEW_STR },
  { "email", MD_VIEW_STR }, { "domain", MD_VIEW_STR },
  { "messages", MD_VIEW_UINT }, { "count", MD_VIEW_STR },
  { "bot", MD_VIEW_BOOL },
  { NULL, 0 }
};

static const MdViewProp patch_props[] = {
  { "index", MD_VIEW_UINT }, { "subject", MD_VIEW_STR },
  { "title", MD_VIEW_STR }, { "from", MD_VIEW_STR },
  { "date", MD_VIEW_STR }, { "time", MD_VIEW_STR },
  { "message_id", MD_VIEW_STR }, { "url", MD_VIEW_STR },
  { "has_url", MD_VIEW_BOOL }, { "b4", MD_VIEW_STR },
  { "patch", MD_VIEW_STR }, { "commit_msg", MD_VIEW_STR },
  { "has_commit_msg", MD_VIEW_BOOL }, { "diffstat", MD_VIEW_STR },
  { "has_diffstat", MD_VIEW_BOOL },
  { NULL, 0 }
};

static const MdViewProp attention_props[] = {
  { "index", MD_VIEW_UINT }, { "reason", MD_VIEW_STR },
  { "is_waiting", MD_VIEW_BOOL }, { "is_nak", MD_VIEW_BOOL },
  { "is_robot", MD_VIEW_BOOL }, { "is_review", MD_VIEW_BOOL },
  { "is_question", MD_VIEW_BOOL }, { "subject", MD_VIEW_STR },
  { "from", MD_VIEW_STR }, { "from_name", MD_VIEW_STR },
  { "date", MD_VIEW_STR }, { "since", MD_VIEW_STR }, { "days", MD_VIEW_UINT },
  { "url", MD_VIEW_STR }, { "has_url", MD_VIEW_BOOL },
  { "this_week", MD_VIEW_BOOL }, { "links", MD_VIEW_LIST },
  { "has_links", MD_VIEW_BOOL },
  { NULL, 0 }
};

#define ATTENTION_TYPE md_view_type ("MdViewAttention", attention_props)
#define MESSAGE_TYPE md_view_type ("MdViewMessage", message_props)
#define REVIEW_TYPE md_view_type ("MdViewReview", review_props)
#define THREAD_TYPE md_view_type ("MdViewThread", thread_props)
#define CATEGORY_TYPE md_view_type ("MdViewCategory", category_props)
#define CONTRIBUTOR_TYPE md_view_type ("MdViewContributor", contributor_props)
#define PATCH_TYPE md_view_type ("MdViewPatch", patch_props)

/* ---- text helpers ---- */

static char *
esc (const Ctx *c, const char *s)
{
  return c->o->markdown ? md_escape_md (s) : md_escape_line (s);
}

/* Multi-line mail text: a fenced block in Markdown, clean lines in text. */
static char *
esc_block (const Ctx *c, const char *s)
{
  return c->o->markdown ? md_fence_block (s) : md_escape_block (s);
}

static char *
esc_code (const Ctx *c, const char *s)
{
  return c->o->markdown ? md_code_span (s) : md_escape_line (s);
}

static char *
fmt_time (const Ctx *c, gint64 t, const char *fmt)
{
  g_autoptr (GDateTime) utc = g_date_time_new_from_unix_utc (t);
  g_autoptr (GDateTime) local = NULL;

  if (utc == NULL)
    return g_strdup ("?");
  local = g_date_time_to_timezone (utc, c->o->tz);
  return g_date_time_format (local, fmt);
}

static char *
from_line (const Ctx *c, const char *name, const char *email)
{
  g_autofree char *raw = NULL;

  if (name && *name && email && *email)
    raw = g_strdup_printf ("%s <%s>", name, email);
  else
    raw = g_strdup (name && *name ? name : email);
  return esc (c, raw);
}

static void
set_url (const Ctx *c, GObject *v, const char *prop, const char *has,
         const char *message_id)
{
  char *url = md_archive_url (c->o->archive_url, c->week->list, message_id);

  md_view_set_bool (v, has, url != NULL);
  md_view_take_str (v, prop, url);
}

static GListStore *
store_of (GType type, GPtrArray *views)
{
  GListStore *store = g_list_store_new (type);

  for (guint i = 0; i < views->len; i++)
    g_list_store_append (store, views->pdata[i]);
  return store;
}

static void
set_list (GObject *v, const char *prop, GListStore *store)
{
  md_view_set_list (v, prop, G_LIST_MODEL (store));
  g_object_unref (store);
}

/* ---- messages ---- */

typedef enum {
  EXCERPT_NONE,
  EXCERPT_BODY,      /* its first substantive lines */
  EXCERPT_APPLIED,   /* the line that says it was applied or merged */
} ExcerptKind;

static char *
excerpt_of (const MdRecord *r, ExcerptKind kind)
{
  if (kind == EXCERPT_APPLIED)
    {
      g_autofree char *line = md_record_applied_line (r);
      return md_excerpt_from (r->body, line, 2, 200);
    }
  return kind == EXCERPT_BODY ? md_excerpt (r->body, 2, 200) : NULL;
}

static GObject *
message_view (const Ctx *c, const MdRecord *r, guint index, ExcerptKind excerpt)
{
  GObject *v = md_view_new (MESSAGE_TYPE);
  char *ex = excerpt_of (r, excerpt);

  md_view_set_uint (v, "index", index);
  md_view_take_str (v, "time", fmt_time (c, r->date, "%m-%d %H:%M"));
  md_view_take_str (v, "date", fmt_time (c, r->date, "%Y-%m-%d %H:%M"));
  md_view_take_str (v, "subject", esc (c, r->subject));
  md_view_take_str (v, "from", from_line (c, r->from_name, r->from_email));
  md_view_take_str (v, "from_name", esc (c, *r->from_name ? r->from_name : r->from_email));
  md_view_take_str (v, "from_email", esc (c, r->from_email));
  md_view_take_str (v, "message_id", esc_code (c, r->message_id));
  set_url (c, v, "url", "has_url", r->message_id);
  md_view_take_str (v, "patch", md_patch_ref (r->tags.index, r->tags.total));
  md_view_set_bool (v, "has_excerpt", ex != NULL);
  md_view_take_str (v, "excerpt", ex ? esc (c, ex) : NULL);
  g_free (ex);
  return v;
}

static GListStore *
message_list (const Ctx *c, GPtrArray *records, ExcerptKind excerpt)
{
  g_autoptr (GPtrArray) views = g_ptr_array_new_with_free_func (g_object_unref);

  for (guint i = 0; i < records->len; i++)
    g_ptr_array_add (views, message_view (c, records->pdata[i], i + 1, excerpt));
  return store_of (MESSAGE_TYPE, views);
}

/* ---- reviews ---- */

static GListStore *
review_list (const Ctx *c, const MdThread *t)
{
  g_autoptr (GPtrArray) groups = md_review_groups (t->reviews);
  g_autoptr (GPtrArray) views = g_ptr_array_new_with_free_func (g_object_unref);

  for (guint i = 0; i < groups->len; i++)
    {
      MdReviewGroup *g = groups->pdata[i];
      GObject *v;
      if (g->first->kind == MD_TRAILER_NACKED_BY)     /* listed under naks */
        continue;
      v = md_view_new (REVIEW_TYPE);
      char *refs = md_patch_refs (g->patches, t->series.total, ", ");
      gboolean whole = g_array_index (g->patches, guint16, 0) == 0; /* sorted */
      md_view_take_str (v, "from", from_line (c, g->first->name, g->first->email));
      md_view_take_str (v, "name", esc (c, g->first->name));
      md_view_take_str (v, "email", esc (c, g->first->email));
      md_view_set_str (v, "kind", md_trailer_kind_name (g->first->kind));
      whole = whole && t->series.total > 0;
      md_view_set_bool (v, "whole_series", whole);
      md_view_set_bool (v, "has_target", whole || *refs != '\0');
      md_view_set_bool (v, "has_patches", *refs != '\0');
      md_view_take_str (v, "patches", refs);
      g_ptr_array_add (views, v);
    }
  return store_of (REVIEW_TYPE, views);
}

/* ---- threads ---- */

static char *
missing_refs (const MdSeriesInfo *s)
{
  g_autoptr (GArray) copy = NULL;

  if (s->missing == NULL || s->missing->len == 0)
    return g_strdup ("");
  copy = g_array_copy (s->missing);
  return md_patch_refs (copy, s->total, ", ");
}

static char *
version_label (const Ctx *c, const MdSeriesInfo *s)
{
  g_autofree char *raw = NULL;

  if (s->version_str && *s->version_str)
    raw = g_strdup_printf ("v%s", s->version_str);
  else
    raw = g_strdup_printf ("v%u", s->version);
  return esc (c, raw);
}

static void
thread_series (const Ctx *c, GObject *v, const MdThread *t)
{
  const MdSeriesInfo *s = &t->series;
  g_autofree char *prev = NULL;

  /* A pull request has no version, parts or b4 line. */
  md_view_set_bool (v, "is_series", t->is_series && !s->git_pull);
  md_view_take_str (v, "series_version", version_label (c, s));
  md_view_set_bool (v, "has_previous", s->previous_date != 0);
  prev = g_strdup_printf ("v%s", s->previous_version_str ? s->previous_version_str : "?");
  md_view_take_str (v, "previous_version", esc (c, prev));
  md_view_take_str (v, "previous_date", fmt_time (c, s->previous_date, "%Y-%m-%d"));
  set_url (c, v, "previous_url", "has_previous_url", s->previous_id);
  md_view_set_uint (v, "total", s->total);
  md_view_set_uint (v, "received", s->received);
  md_view_set_bool (v, "has_total", s->total > 0);
  md_view_set_bool (v, "complete", s->total > 0 && s->received >= s->total);
  md_view_take_str (v, "missing", missing_refs (s));
  md_view_set_bool (v, "has_project", s->project != NULL);
  md_view_take_str (v, "project", esc (c, s->project ? s->project : ""));
  md_view_set_bool (v, "rfc", s->rfc);
  md_view_set_bool (v, "resend", s->resend);
  md_view_set_bool (v, "git_pull", s->git_pull);
}

static void
thread_facts (const Ctx *c, GObject *v, const MdThread *t)
{
  GListStore *reviews = review_list (c, t);

  md_view_set_bool (v, "has_reviews", g_list_model_get_n_items (G_LIST_MODEL (reviews)) > 0);
  set_list (v, "reviews", reviews);
  set_list (v, "applied", message_list (c, t->applied, EXCERPT_APPLIED));
  md_view_set_bool (v, "has_applied", t->applied->len > 0);
  set_list (v, "robot_failures", message_list (c, t->robot_failures, EXCERPT_BODY));
  md_view_set_bool (v, "has_robot_failures", t->robot_failures->len > 0);
  set_list (v, "naks", message_list (c, t->naks, EXCERPT_BODY));
  md_view_set_bool (v, "has_naks", t->naks->len > 0);
}

/* A summary is Markdown already (the summariser escaped the mail text it
 * quotes; a model's text is untrusted): sanitised, or made plain. */
static void
thread_summary (const Ctx *c, GObject *v, const MdThread *t)
{
  g_autofree char *md = md_sanitize_markdown (t->summary);

  md_view_set_bool (v, "has_summary", *md != '\0');
  md_view_set_bool (v, "summary_builtin", t->summary_builtin);
  md_view_set_bool (v, "summary_fallback", t->summary_fallback != NULL);
  md_view_take_str (v, "summary_fallback_reason",
                    esc (c, t->summary_fallback ? t->summary_fallback : ""));
  md_view_take_str (v, "summary_model", esc (c, t->summary_model ? t->summary_model : ""));
  md_view_set_uint (v, "summary_dropped", t->summary_dropped);
  md_view_take_str (v, "summary", c->o->markdown ? g_steal_pointer (&md)
                                                 : g_strchomp (md_markdown_to_text (md)));
}

static GObject *
thread_view (const Ctx *c, const MdThread *t, guint index)
{
  GObject *v = md_view_new (THREAD_TYPE);
  g_autofree char *b4 = g_strdup_printf ("b4 am %s", t->id);

  md_view_set_uint (v, "index", index);
  md_view_take_str (v, "subject", esc (c, t->subject));
  md_view_take_str (v, "category", esc (c, t->category));
  md_view_take_str (v, "message_id", esc_code (c, t->id));
  set_url (c, v, "url", "has_url", t->root_missing ? NULL : t->id);
  md_view_take_str (v, "b4", esc_code (c, b4));
  md_view_set_uint (v, "n_messages", t->messages->len);
  md_view_set_uint (v, "participants", t->participants);
  md_view_take_str (v, "started", fmt_time (c, t->started, "%Y-%m-%d %H:%M %Z"));
  md_view_take_str (v, "last", fmt_time (c, t->last, "%Y-%m-%d %H:%M %Z"));
  md_view_set_bool (v, "continues", t->continues);
  md_view_set_bool (v, "root_missing", t->root_missing);
  thread_series (c, v, t);
  thread_facts (c, v, t);
  thread_summary (c, v, t);
  set_list (v, "messages", message_list (c, t->messages, EXCERPT_NONE));
  return v;
}

/* CATEGORY NULL: every thread, numbered through. */
static GListStore *
thread_list (const Ctx *c, const char *category)
{
  g_autoptr (GPtrArray) views = g_ptr_array_new_with_free_func (g_object_unref);
  GPtrArray *threads = c->week->threads_v;

  for (guint i = 0; i < threads->len; i++)
    {
      const MdThread *t = threads->pdata[i];
      if (category == NULL || g_strcmp0 (t->category, category) == 0)
        g_ptr_array_add (views, thread_view (c, t, views->len + 1));
    }
  return store_of (THREAD_TYPE, views);
}

static GListStore *
category_list (const Ctx *c)
{
  g_autoptr (GPtrArray) views = g_ptr_array_new_with_free_func (g_object_unref);
  GPtrArray *cats = c->week->categories;

  for (guint i = 0; i < cats->len; i++)
    {
      const MdCategoryCount *cc = cats->pdata[i];
      GObject *v;
      if (cc->threads == 0)        /* the seed lists only what happened */
        continue;
      v = md_view_new (CATEGORY_TYPE);
      md_view_set_uint (v, "index", views->len + 1);
      md_view_take_str (v, "name", esc (c, cc->name));
      md_view_set_uint (v, "threads", cc->threads);
      md_view_set_uint (v, "messages", cc->messages);
      set_list (v, "thread_list", thread_list (c, cc->name));
      g_ptr_array_add (views, v);
    }
  return store_of (CATEGORY_TYPE, views);
}

/* ---- contributors and patches ---- */

static GObject *
contributor_view (const Ctx *c, const MdContributor *p)
{
  GObject *v = md_view_new (CONTRIBUTOR_TYPE);

  md_view_take_str (v, "from", from_line (c, p->name, p->email));
  md_view_take_str (v, "name", esc (c, p->name ? p->name : ""));
  md_view_take_str (v, "email", esc (c, p->email ? p->email : ""));
  md_view_take_str (v, "domain", esc (c, p->domain ? p->domain : ""));
  md_view_set_uint (v, "messages", p->messages);
  md_view_take_str (v, "count", g_strdup_printf ("%7u", p->messages));
  md_view_set_bool (v, "bot", p->bot);
  return v;
}

/* WANT_BOTS: the bots only; else the people, at most MAX. */
static GListStore *
contributor_list (const Ctx *c, GPtrArray *people, gboolean want_bots, guint max)
{
  g_autoptr (GPtrArray) views = g_ptr_array_new_with_free_func (g_object_unref);

  for (guint i = 0; i < people->len && views->len < max; i++)
    {
      const MdContributor *p = people->pdata[i];
      if (p->bot == want_bots)
        g_ptr_array_add (views, contributor_view (c, p));
    }
  return store_of (CONTRIBUTOR_TYPE, views);
}

static GObject *
patch_view (const Ctx *c, const MdRecord *r, guint index)
{
  GObject *v = md_view_new (PATCH_TYPE);
  g_autofree char *b4 = g_strdup_printf ("b4 am %s", r->message_id);
  const char *title = r->tags.title && *r->tags.title ? r->tags.title : r->subject;

  md_view_set_uint (v, "index", index);
  md_view_take_str (v, "subject", esc (c, r->subject));
  md_view_take_str (v, "title", esc (c, title));
  md_view_take_str (v, "from", from_line (c, r->from_name, r->from_email));
  md_view_take_str (v, "date", fmt_time (c, r->date, "%Y-%m-%d %H:%M"));
  md_view_take_str (v, "time", fmt_time (c, r->date, "%m-%d %H:%M"));
  md_view_take_str (v, "message_id", esc_code (c, r->message_id));
  set_url (c, v, "url", "has_url", r->message_id);
  md_view_take_str (v, "b4", esc_code (c, b4));
  md_view_take_str (v, "patch", md_patch_ref (r->tags.index, r->tags.total));
  md_view_set_bool (v, "has_commit_msg", r->commit_msg && *r->commit_msg);
  md_view_take_str (v, "commit_msg", esc_block (c, r->commit_msg));
  md_view_set_bool (v, "has_diffstat", r->diffstat && *r->diffstat);
  md_view_take_str (v, "diffstat", esc_block (c, r->diffstat));
  return v;
}

static GListStore *
patch_list (const Ctx *c)
{
  g_autoptr (GPtrArray) views = g_ptr_array_new_with_free_func (g_object_unref);
  GPtrArray *patches = c->week->patches;

  for (guint i = 0; i < patches->len; i++)
    g_ptr_array_add (views, patch_view (c, patches->pdata[i], i + 1));
  return store_of (PATCH_TYPE, views);
}

/* ---- what needs attention ---- */

static GObject *
attention_view (const Ctx *c, const MdAttention *a, guint index)
{
  GObject *v = md_view_new (ATTENTION_TYPE);
  const MdRecord *p = a->posting;

  md_view_set_uint (v, "index", index);
  md_view_set_str (v, "reason", md_attention_reason (a->kind));
  md_view_set_bool (v, "is_waiting", a->kind == MD_ATTN_WAITING);
  md_view_set_bool (v, "is_nak", a->kind == MD_ATTN_NAK);
  md_view_set_bool (v, "is_robot", a->kind == MD_ATTN_ROBOT);
  md_view_set_bool (v, "is_review", a->kind == MD_ATTN_REVIEW);
  md_view_set_bool (v, "is_question", a->kind == MD_ATTN_QUESTION);
  md_view_take_str (v, "subject", esc (c, p->subject));
  md_view_take_str (v, "from", from_line (c, p->from_name, p->from_email));
  md_view_take_str (v, "from_name", esc (c, *p->from_name ? p->from_name : p->from_email));
  md_view_take_str (v, "date", fmt_time (c, p->date, "%Y-%m-%d"));
  md_view_take_str (v, "since", fmt_time (c, a->since, "%Y-%m-%d"));
  md_view_set_uint (v, "days", a->days);
  set_url (c, v, "url", "has_url", p->message_id);
  md_view_set_bool (v, "this_week", a->thread != NULL);
  md_view_set_bool (v, "has_links", a->links->len > 0);
  set_list (v, "links", message_list (c, a->links, EXCERPT_NONE));
  return v;
}

static GListStore *
attention_list (const Ctx *c)
{
  g_autoptr (GPtrArray) views = g_ptr_array_new_with_free_func (g_object_unref);

  for (guint i = 0; i < c->week->attention->len; i++)
    g_ptr_array_add (views, attention_view (c, c->week->attention->pdata[i], i + 1));
  return store_of (ATTENTION_TYPE, views);
}

/* ---- the scope ---- */

static void
scope_uint (TmplScope *scope, const char *name, guint value)
{
  GValue v = G_VALUE_INIT;

  g_value_init (&v, G_TYPE_UINT);
  g_value_set_uint (&v, value);
  tmpl_scope_set_value (scope, name, &v);
  g_value_unset (&v);
}

static void
scope_take_str (TmplScope *scope, const char *name, char *value)
{
  tmpl_scope_set_string (scope, name, value);
  g_free (value);
}

static void
scope_take_list (TmplScope *scope, const char *name, GListStore *store)
{
  tmpl_scope_set_object (scope, name, store);
  g_object_unref (store);
}

static void
fill_window (TmplScope *scope, const Ctx *c)
{
  const MdWeek *w = c->week;
  gint64 span = w->until > w->since ? w->until - w->since : 0;

  scope_take_str (scope, "generated", fmt_time (c, w->generated, "%Y-%m-%d %H:%M:%S"));
  scope_take_str (scope, "zone", fmt_time (c, w->since, "%Z"));
  scope_take_str (scope, "since", fmt_time (c, w->since, "%Y-%m-%d %H:%M"));
  scope_take_str (scope, "until", fmt_time (c, w->until, "%Y-%m-%d %H:%M"));
  scope_take_str (scope, "since_date", fmt_time (c, w->since, "%Y-%m-%d"));
  scope_take_str (scope, "until_date", fmt_time (c, w->until, "%Y-%m-%d"));
  scope_uint (scope, "days", (guint) ((span + 43200) / 86400));
  tmpl_scope_set_boolean (scope, "by_date", w->by_date);
}

static void
fill_totals (TmplScope *scope, const Ctx *c)
{
  const MdWeek *w = c->week;
  g_autofree char *upper = g_utf8_strup (w->list ? w->list : "", -1);

  scope_take_str (scope, "list", esc (c, w->list));
  scope_take_str (scope, "LIST", esc (c, upper));
  tmpl_scope_set_string (scope, "lang", c->o->lang);
  scope_uint (scope, "messages", w->messages);
  scope_uint (scope, "threads", w->threads);
  scope_uint (scope, "large_threads", w->large_threads);
  tmpl_scope_set_boolean (scope, "has_large", w->large_threads > 0);
  scope_uint (scope, "n_patches", w->patches->len);
  scope_uint (scope, "top", MD_MODEL_TOP);
  tmpl_scope_set_boolean (scope, "has_patches", w->patches->len > 0);
}

void
md_model_fill_scope (TmplScope *scope, const MdWeek *week,
                     const MdModelOptions *opts)
{
  Ctx c = { week, opts };

  fill_window (scope, &c);
  fill_totals (scope, &c);
  scope_take_list (scope, "categories", category_list (&c));
  scope_take_list (scope, "all_threads", thread_list (&c, NULL));
  scope_take_list (scope, "contributors",
                   contributor_list (&c, week->contributors, FALSE, MD_MODEL_TOP));
  scope_take_list (scope, "bots",
                   contributor_list (&c, week->contributors, TRUE, G_MAXUINT));
  scope_take_list (scope, "domains",
                   contributor_list (&c, week->domains, FALSE, MD_MODEL_TOP));
  scope_take_list (scope, "patches", patch_list (&c));
  scope_take_list (scope, "attention", attention_list (&c));
  tmpl_scope_set_boolean (scope, "has_attention", week->attention->len > 0);
}
