/* thread.c - JWZ threading with mailing-list repairs (see thread.h).
 *
 * Why JWZ (https://www.jwz.org/doc/threading.html): it builds the tree
 * from Message-ID, References and In-Reply-To alone, gives messages it
 * never saw a placeholder container (so two replies to a lost message
 * still share a thread), and refuses any link that would make a loop.
 * We follow it with deliberate changes:
 *
 * 1. Parent priority.  A message's own parent is its In-Reply-To when
 *    that message is present, else the last References entry present,
 *    else (nothing present) the last References entry, or In-Reply-To,
 *    as a placeholder.  This is notmuch's choice (its threading corpus
 *    "parent-priority" and T510 "Prefer References to In-Reply-To", "Use
 *    last Reference"): In-Reply-To is what the replier's client set, a
 *    References list may be reordered or truncated, but a dangling
 *    In-Reply-To must not cut a reply off a References chain we have.
 *    As in JWZ, a message's own parent overrides a link another
 *    message's References made, and References only link containers
 *    that have no parent yet.
 * 2. Placeholders at the root stay.  A thread whose root we never saw
 *    keeps it as a placeholder, so the thread's id is the original root's
 *    Message-ID, the same in every week.  Placeholders inside a tree only
 *    shape it, and the report shows no shape, so they are not pruned.
 * 3. No loose subject grouping.  JWZ joins threads with the same subject;
 *    on a kernel list that merges different series ("[PATCH 0/3] ...")
 *    and unrelated questions.  Two parentless messages are joined only
 *    when normalised title, series tags and sender agree and they are
 *    close in time (a message sent twice, a reply whose client dropped
 *    its headers).
 * 4. Series rejoining, which subjects cannot express.  A patch
 *    [PATCH vN k/M] that lost its parent (git send-email --no-thread, a
 *    References header mangled on the way) joins the cover letter
 *    [PATCH vN 0/M] from the same sender with the same version, total and
 *    project, sent nearest in time (within series_join); a placeholder
 *    holding such patches moves with them.  With no cover letter, the
 *    parentless patches of one series sent together join its lowest
 *    numbered patch, unless two of them claim the same number: then they
 *    are two series and stay apart.  Every such link is recorded in the
 *    thread (MdThread.joins), so a report and the tests can tell it from
 *    a header link.
 *
 * Records are processed in time order, so the result never depends on
 * hash-table order.
 */
#include <string.h>
#include "thread.h"
#include "config.h"
#include "subject.h"

#define HOUR (G_GINT64_CONSTANT (3600))
/* References entries linked per message: the first (the root) and the
 * last ones, as window.c loads them. */
#define MAX_REFS_LINKED 64

typedef struct Container Container;
struct Container {
  const char *id;          /* the table's key */
  MdRecord *rec;           /* NULL: a placeholder */
  Container *parent;
  GPtrArray *children;     /* Container*, NULL until the first child */
};

typedef struct {
  const MdRecord *rec;
  const char *rule;
  Container *to;
} Pending;

typedef struct {
  MdWeek *week;
  const MdThreadOptions *opts;
  GHashTable *table;       /* id -> Container* (owned) */
  GPtrArray *order;        /* MdRecord*, time order */
  GArray *pending;         /* Pending: rule-made links */
} Ctx;

void
md_thread_options_load (MdThreadOptions *opts, GKeyFile *config,
                        const char *list)
{
  opts->subject_merge_secs = 48 * HOUR;
  opts->series_join_secs = 48 * HOUR;
  opts->series_sibling_secs = HOUR;
  if (config == NULL)
    return;
  opts->subject_merge_secs = md_config_list_int (config, list, "subject_merge_hours", 48) * HOUR;
  opts->series_join_secs = md_config_list_int (config, list, "series_join_hours", 48) * HOUR;
  opts->series_sibling_secs = md_config_list_int (config, list, "series_sibling_minutes", 60) * 60;
}

/* The rule with its fallback when no parent is present: a placeholder. */
static const char *
parent_id (GHashTable *records, const MdRecord *rec)
{
  const char *p = md_thread_parent_id (records, rec);
  GPtrArray *refs = rec->references;

  if (p)
    return p;
  for (guint i = refs->len; i-- > 0;)
    if (strcmp (refs->pdata[i], rec->message_id) != 0)
      return refs->pdata[i];
  if (rec->in_reply_to && strcmp (rec->in_reply_to, rec->message_id) != 0)
    return rec->in_reply_to;
  return NULL;
}

/* ---- containers ---- */

static void
container_free (gpointer p)
{
  Container *c = p;
  if (c->children)
    g_ptr_array_unref (c->children);
  g_free (c);
}

static Container *
container_get (Ctx *ctx, const char *id)
{
  Container *c = g_hash_table_lookup (ctx->table, id);
  char *key;

  if (c)
    return c;
  c = g_new0 (Container, 1);
  key = g_strdup (id);
  c->id = key;
  g_hash_table_insert (ctx->table, key, c);
  return c;
}

/* TRUE when C is ANCESTOR or lies below it. */
static gboolean
is_within (const Container *c, const Container *ancestor)
{
  for (; c; c = c->parent)
    if (c == ancestor)
      return TRUE;
  return FALSE;
}

static Container *
top_of (Container *c)
{
  while (c->parent)
    c = c->parent;
  return c;
}

static void
detach (Container *c)
{
  if (c->parent)
    g_ptr_array_remove (c->parent->children, c);
  c->parent = NULL;
}

/* Make PARENT the parent of CHILD; refused (FALSE) when it makes a loop. */
static gboolean
attach (Container *child, Container *parent)
{
  if (is_within (parent, child))
    return FALSE;
  detach (child);
  child->parent = parent;
  if (parent->children == NULL)
    parent->children = g_ptr_array_new ();
  g_ptr_array_add (parent->children, child);
  return TRUE;
}

/* ---- JWZ linking ---- */

/* REC's References, oldest first, without its own id, capped. */
static GPtrArray *
linked_refs (const MdRecord *rec)
{
  GPtrArray *refs = rec->references, *out = g_ptr_array_new ();
  guint tail = MIN (refs->len, MAX_REFS_LINKED - 1);

  if (refs->len > tail)
    g_ptr_array_add (out, refs->pdata[0]);
  for (guint i = refs->len - tail; i < refs->len; i++)
    g_ptr_array_add (out, refs->pdata[i]);
  g_ptr_array_remove (out, rec->message_id);
  return out;
}

static void
link_references (Ctx *ctx, const MdRecord *rec)
{
  g_autoptr (GPtrArray) refs = linked_refs (rec);

  for (guint i = 1; i < refs->len; i++)
    {
      Container *child = container_get (ctx, refs->pdata[i]);
      if (child->parent == NULL)
        attach (child, container_get (ctx, refs->pdata[i - 1]));
    }
}

static void
link_message (Ctx *ctx, MdRecord *rec)
{
  Container *c = container_get (ctx, rec->message_id);
  const char *pid = parent_id (ctx->week->records, rec);

  link_references (ctx, rec);
  if (pid)
    {
      Container *p = container_get (ctx, pid);
      if (c->parent != p)
        attach (c, p);     /* a loop is refused: the old link stays */
    }
}

static void
build_tree (Ctx *ctx)
{
  for (guint i = 0; i < ctx->order->len; i++)
    {
      MdRecord *rec = ctx->order->pdata[i];
      container_get (ctx, rec->message_id)->rec = rec;
    }
  for (guint i = 0; i < ctx->order->len; i++)
    link_message (ctx, ctx->order->pdata[i]);
}

static void
add_pending (Ctx *ctx, const MdRecord *rec, const char *rule, Container *to)
{
  Pending p = { rec, rule, to };
  g_array_append_val (ctx->pending, p);
}

/* ---- series rejoining ---- */

/* What the patches and the cover letter of one series share. */
static char *
series_key (const MdRecord *r)
{
  return g_strdup_printf ("%s\x1f%s\x1f%u\x1f%s", r->from_email,
                          r->tags.version_str ? r->tags.version_str : "",
                          r->tags.total, r->tags.project ? r->tags.project : "");
}

static GHashTable *
index_covers (Ctx *ctx)
{
  GHashTable *covers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                              (GDestroyNotify) g_ptr_array_unref);
  for (guint i = 0; i < ctx->order->len; i++)
    {
      MdRecord *r = ctx->order->pdata[i];
      char *key;
      GPtrArray *list;

      if (!md_record_is_posting (r) || r->tags.total == 0 || r->tags.index != 0)
        continue;
      key = series_key (r);
      list = g_hash_table_lookup (covers, key);
      if (list == NULL)
        g_hash_table_insert (covers, g_strdup (key), list = g_ptr_array_new ());
      g_ptr_array_add (list, r);
      g_free (key);
    }
  return covers;
}

/* The part of C's tree that lost its parent: C itself when it is a root,
 * the placeholder root above it when only placeholders lie between; NULL
 * when C hangs below a message we have. */
static Container *
lost_unit (Container *c)
{
  Container *u = c;
  while (u->parent && u->parent->rec == NULL)
    u = u->parent;
  return u->parent ? NULL : u;
}

static const MdRecord *
nearest_cover (Ctx *ctx, GHashTable *covers, const MdRecord *patch)
{
  g_autofree char *key = series_key (patch);
  GPtrArray *list = g_hash_table_lookup (covers, key);
  const MdRecord *best = NULL;
  gint64 best_dt = ctx->opts->series_join_secs;

  for (guint i = 0; list && i < list->len; i++)
    {
      const MdRecord *cover = list->pdata[i];
      gint64 dt = ABS (cover->date - patch->date);
      if (dt <= best_dt)
        best = cover, best_dt = dt;
    }
  return best;
}

static gboolean
is_lost_patch (const MdRecord *r)
{
  return md_record_is_posting (r) && r->tags.total > 0 && r->tags.index >= 1;
}

/* Rejoin lost patches to their cover letters; return the lost root
 * patches that have none, for sibling grouping. */
static GPtrArray *
rejoin_covers (Ctx *ctx)
{
  g_autoptr (GHashTable) covers = index_covers (ctx);
  GPtrArray *orphans = g_ptr_array_new ();

  for (guint i = 0; i < ctx->order->len; i++)
    {
      MdRecord *r = ctx->order->pdata[i];
      Container *c, *unit, *cc;
      const MdRecord *cover;

      if (!is_lost_patch (r))
        continue;
      c = container_get (ctx, r->message_id);
      if ((unit = lost_unit (c)) == NULL)
        continue;
      cover = nearest_cover (ctx, covers, r);
      if (cover == NULL)
        {
          if (unit == c)
            g_ptr_array_add (orphans, c);
          continue;
        }
      cc = container_get (ctx, cover->message_id);
      if (top_of (cc) != unit && attach (unit, cc))
        add_pending (ctx, r, "series", cc);
    }
  return orphans;
}

/* One run of coverless patches sent together: join them to the lowest
 * numbered one unless two share a number. */
static void
join_siblings (Ctx *ctx, GPtrArray *run)
{
  g_autoptr (GHashTable) seen = g_hash_table_new (NULL, NULL);
  Container *head = NULL;

  if (run->len < 2)
    return;
  for (guint i = 0; i < run->len; i++)
    {
      Container *c = run->pdata[i];
      if (!g_hash_table_add (seen, GUINT_TO_POINTER (c->rec->tags.index)))
        return;
      if (head == NULL || c->rec->tags.index < head->rec->tags.index)
        head = c;
    }
  for (guint i = 0; i < run->len; i++)
    {
      Container *c = run->pdata[i];
      if (c != head && c->parent == NULL && attach (c, head))
        add_pending (ctx, c->rec, "series", head);
    }
}

static void
join_orphans (Ctx *ctx, GPtrArray *orphans)
{
  g_autoptr (GHashTable) runs = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                       (GDestroyNotify) g_ptr_array_unref);
  GHashTableIter it;
  gpointer run;

  /* orphans come in time order; a run breaks at a gap in sending */
  for (guint i = 0; i < orphans->len; i++)
    {
      Container *c = orphans->pdata[i];
      char *key = series_key (c->rec);
      GPtrArray *cur = g_hash_table_lookup (runs, key);
      const MdRecord *prev = cur && cur->len ? ((Container *) g_ptr_array_index (cur, cur->len - 1))->rec : NULL;

      if (prev && c->rec->date - prev->date > ctx->opts->series_sibling_secs)
        {
          join_siblings (ctx, cur);
          g_ptr_array_set_size (cur, 0);
        }
      if (cur == NULL)
        g_hash_table_insert (runs, g_strdup (key), cur = g_ptr_array_new ());
      g_ptr_array_add (cur, c);
      g_free (key);
    }
  g_hash_table_iter_init (&it, runs);
  while (g_hash_table_iter_next (&it, NULL, &run))
    join_siblings (ctx, run);
}

/* ---- careful subject merging ---- */

static char *
subject_key (const MdRecord *r)
{
  g_autofree char *title = NULL;
  const MdSubjectTags *t = &r->tags;

  if (*r->from_email == '\0' || t->title == NULL || *t->title == '\0')
    return NULL;
  title = md_subject_series_key (t);
  return g_strdup_printf ("%s\x1f%s\x1f%s\x1f%u/%u\x1f%s\x1f%d%d%d%d",
                          r->from_email, title,
                          t->version_str ? t->version_str : "", t->index,
                          t->total, t->project ? t->project : "",
                          t->patch, t->rfc, t->resend, t->git_pull);
}

static void
merge_subjects (Ctx *ctx)
{
  g_autoptr (GHashTable) heads = g_hash_table_new_full (g_str_hash, g_str_equal,
                                                        g_free, NULL);
  for (guint i = 0; i < ctx->order->len; i++)
    {
      MdRecord *r = ctx->order->pdata[i];
      Container *c = container_get (ctx, r->message_id), *head;
      char *key;

      if (c->parent != NULL || (key = subject_key (r)) == NULL)
        continue;
      head = g_hash_table_lookup (heads, key);
      if (head && r->date - head->rec->date <= ctx->opts->subject_merge_secs
          && attach (c, head))
        {
          add_pending (ctx, r, "subject", head);
          g_free (key);
          continue;
        }
      g_hash_table_replace (heads, key, c);
    }
}

/* ---- threads out of trees ---- */

static void
collect (Container *root, GPtrArray *out)
{
  g_autoptr (GPtrArray) stack = g_ptr_array_new ();

  g_ptr_array_add (stack, root);
  while (stack->len)
    {
      Container *c = g_ptr_array_steal_index_fast (stack, stack->len - 1);
      if (c->rec)
        g_ptr_array_add (out, c->rec);
      for (guint i = 0; c->children && i < c->children->len; i++)
        g_ptr_array_add (stack, c->children->pdata[i]);
    }
}

static void
fill_thread (MdWeek *w, MdThread *t, Container *root, GPtrArray *recs)
{
  g_ptr_array_sort (recs, md_thread_cmp_time);
  for (guint i = 0; i < recs->len; i++)
    {
      const MdRecord *r = recs->pdata[i];
      if (md_week_in_window (w, r))
        {
          g_ptr_array_add (t->messages, (gpointer) r);
          t->last = MAX (t->last, r->date);
        }
      else if (md_week_time (w, r) < w->since)
        g_ptr_array_add (t->earlier, (gpointer) r);
    }
  t->root_missing = root->rec == NULL;
  t->root_rec = root->rec ? root->rec : recs->pdata[0];
  t->subject = g_strdup (t->root_rec->subject);
  t->started = t->root_rec->date;
  /* A root we never saw that was itself a reply: the conversation
   * started before anything we have of it. */
  t->continues = t->earlier->len > 0
                 || (t->root_missing && t->root_rec->tags.reply);
}

static MdThread *
make_thread (Ctx *ctx, Container *root)
{
  g_autoptr (GPtrArray) recs = g_ptr_array_new ();
  MdThread *t;

  collect (root, recs);
  if (recs->len == 0)
    return NULL;
  t = md_thread_new (root->id);
  fill_thread (ctx->week, t, root, recs);
  if (t->messages->len == 0)
    {
      /* history only: not part of this window's report */
      md_thread_free (t);
      return NULL;
    }
  return t;
}

static void
add_joins (Ctx *ctx, GHashTable *by_root)
{
  for (guint i = 0; i < ctx->pending->len; i++)
    {
      Pending *p = &g_array_index (ctx->pending, Pending, i);
      MdThread *t = g_hash_table_lookup (by_root, top_of (p->to));
      MdJoin *j;

      if (t == NULL)
        continue;
      j = g_new0 (MdJoin, 1);
      j->rec = p->rec;
      j->rule = p->rule;
      j->to = g_strdup (p->to->id);
      g_ptr_array_add (t->joins, j);
    }
}

static int
cmp_join_time (gconstpointer a, gconstpointer b)
{
  const MdJoin *x = *(const MdJoin *const *) a;
  const MdJoin *y = *(const MdJoin *const *) b;
  return md_thread_cmp_time (&x->rec, &y->rec);
}

static int
cmp_first_message (gconstpointer a, gconstpointer b)
{
  const MdThread *x = *(const MdThread *const *) a;
  const MdThread *y = *(const MdThread *const *) b;
  return md_thread_cmp_time (&x->messages->pdata[0], &y->messages->pdata[0]);
}

static void
make_threads (Ctx *ctx)
{
  g_autoptr (GHashTable) by_root = g_hash_table_new (NULL, NULL);
  GHashTableIter it;
  gpointer v;

  g_hash_table_iter_init (&it, ctx->table);
  while (g_hash_table_iter_next (&it, NULL, &v))
    {
      Container *c = v;
      MdThread *t;
      if (c->parent == NULL && (t = make_thread (ctx, c)) != NULL)
        {
          g_ptr_array_add (ctx->week->threads_v, t);
          g_hash_table_insert (by_root, c, t);
        }
    }
  g_ptr_array_sort (ctx->week->threads_v, cmp_first_message);
  add_joins (ctx, by_root);
  for (guint i = 0; i < ctx->week->threads_v->len; i++)
    g_ptr_array_sort (((MdThread *) ctx->week->threads_v->pdata[i])->joins, cmp_join_time);
  ctx->week->threads = ctx->week->threads_v->len;
}

void
md_thread_run (MdWeek *week, const MdThreadOptions *opts)
{
  Ctx ctx = { week, opts, NULL, NULL, NULL };
  g_autoptr (GPtrArray) orphans = NULL;

  ctx.table = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, container_free);
  ctx.order = md_week_records (week);
  g_ptr_array_sort (ctx.order, md_thread_cmp_time);
  ctx.pending = g_array_new (FALSE, FALSE, sizeof (Pending));
  build_tree (&ctx);
  orphans = rejoin_covers (&ctx);
  join_orphans (&ctx, orphans);
  merge_subjects (&ctx);
  make_threads (&ctx);
  g_array_unref (ctx.pending);
  g_ptr_array_unref (ctx.order);
  g_hash_table_unref (ctx.table);
}
