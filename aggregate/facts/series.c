/* series.c - series completeness and version links (see series.h).
 *
 * Finding v(N-1) of a series, most explicit evidence first:
 *   1. change-id: b4 writes the same "change-id:" line in every version's
 *      cover letter.  It is matched among the records this report loaded
 *      (the window and its history) and through the index's change-id
 *      key (c:, docs/index-format.md), so a v(N-1) from months ago is
 *      found too; it also vetoes a candidate with a different change-id.
 *   2. link: the cover letter links the previous version (lore,
 *      lkml.kernel.org/r, msgid.link, patchwork URLs hold its
 *      Message-ID), or the new version was sent in reply to the old one
 *      (an ancestor in its thread).
 *   3. subject: the index's series lookup by sender and normalised title
 *      (md_subject_series_key) - the common case, but blind to a series
 *      whose title changed or that changed hands.
 * Among the candidates of one kind the highest version below N wins
 * (v(N-2) when v(N-1) never reached the list), then the latest; a
 * candidate must be a posting (not a reply), older than vN, and from the
 * same sender unless an explicit link names it.
 */
#include <string.h>
#include "series.h"
#include "error.h"
#include "msgid.h"
#include "subject.h"
#include "thread.h"

typedef struct {
  char *id;
  char *version_str;
  guint16 version;
  gint64 date;
  const char *how;
} Candidate;

typedef struct {
  MdWeek *week;
  const MdSource *src;
  const MdRecord *root;
  char *change_id;              /* the root's, or NULL */
  GHashTable **by_change_id;    /* change-id -> GPtrArray of postings, built once */
  Candidate best;
} Linker;

/* ---- text helpers ---- */

static gboolean
is_archive_host (const char *url)
{
  static const char *const hosts[] = {
    "lore.kernel.org/", "lkml.kernel.org/", "msgid.link/",
    "patchwork.kernel.org/", "patchwork.ozlabs.org/", NULL
  };
  for (guint i = 0; hosts[i]; i++)
    if (strstr (url, hosts[i]))
      return TRUE;
  return FALSE;
}

static void
add_url_ids (const char *url, GPtrArray *out)
{
  g_auto (GStrv) parts = g_strsplit (url, "/", -1);

  for (guint i = 3; parts[i]; i++)
    {
      g_autofree char *seg = g_uri_unescape_string (parts[i], NULL);
      g_autofree char *id = NULL;

      if (seg == NULL || strchr (seg, '@') == NULL)
        continue;
      id = md_msgid_normalise (seg);
      if (id && !g_ptr_array_find_with_equal_func (out, id, g_str_equal, NULL))
        g_ptr_array_add (out, g_steal_pointer (&id));
    }
}

GPtrArray *
md_series_linked_ids (const char *text)
{
  static GRegex *url_re;
  GPtrArray *out = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GMatchInfo) m = NULL;

  if (g_once_init_enter (&url_re))
    g_once_init_leave (&url_re, g_regex_new ("https?://[^\\s<>\"'()\\[\\]]+",
                                             G_REGEX_OPTIMIZE, 0, NULL));
  if (text == NULL)
    return out;
  g_regex_match (url_re, text, 0, &m);
  for (; g_match_info_matches (m); g_match_info_next (m, NULL))
    {
      g_autofree char *url = g_match_info_fetch (m, 0);
      gsize len = strlen (url);

      /* sentence punctuation after a link is not part of it */
      while (len && strchr (".,;:!?", url[len - 1]))
        url[--len] = '\0';
      if (is_archive_host (url))
        add_url_ids (url, out);
    }
  return out;
}

/* ---- completeness ---- */

static const MdRecord *
first_posting (const MdThread *t)
{
  GPtrArray *lists[] = { t->earlier, t->messages };

  if (md_record_is_posting (t->root_rec))
    return t->root_rec;
  /* a discussion that a patch was posted into is not a series */
  if (!t->root_missing)
    return NULL;
  for (guint l = 0; l < G_N_ELEMENTS (lists); l++)
    for (guint i = 0; i < lists[l]->len; i++)
      if (md_record_is_posting (lists[l]->pdata[i]))
        return lists[l]->pdata[i];
  return NULL;
}

/* A later version sent in reply to the first (git send-email
 * --in-reply-to): the thread's series is now that version. */
static const MdRecord *
newest_version (const MdThread *t, const MdRecord *first)
{
  GPtrArray *lists[] = { t->earlier, t->messages };
  const MdRecord *best = first;

  for (guint l = 0; l < G_N_ELEMENTS (lists); l++)
    for (guint i = 0; i < lists[l]->len; i++)
      {
        const MdRecord *r = lists[l]->pdata[i];
        if (md_record_is_posting (r) && r->tags.index == 0
            && r->tags.version > best->tags.version
            && strcmp (r->from_email, first->from_email) == 0)
          best = r;
      }
  return best;
}

const MdRecord *
md_series_root (const MdThread *t)
{
  const MdRecord *first = first_posting (t);
  return first ? newest_version (t, first) : NULL;
}

static void
fill_tags (MdSeriesInfo *s, const MdRecord *root)
{
  const MdSubjectTags *t = &root->tags;

  s->posting = root;
  s->version = t->version;
  s->version_str = g_strdup (t->version_str);
  s->total = t->total;
  s->project = g_strdup (t->project);
  s->rfc = t->rfc;
  s->resend = t->resend;
  s->git_pull = t->git_pull;
}

static void
mark_received (gboolean *got, GPtrArray *recs, const MdRecord *root)
{
  for (guint i = 0; i < recs->len; i++)
    {
      const MdRecord *r = recs->pdata[i];
      if (md_record_is_posting (r) && r->tags.total == root->tags.total
          && g_strcmp0 (r->tags.version_str, root->tags.version_str) == 0
          && r->tags.index >= 1 && r->tags.index <= root->tags.total)
        got[r->tags.index] = TRUE;
    }
}

static void
count_received (MdSeriesInfo *s, const MdThread *t, const MdRecord *root)
{
  g_autofree gboolean *got = NULL;

  s->missing = g_array_new (FALSE, FALSE, sizeof (guint16));
  s->counted = TRUE;
  if (s->total == 0)
    {
      s->received = 1;    /* a single patch: the root itself */
      return;
    }
  got = g_new0 (gboolean, s->total + 1);
  mark_received (got, t->earlier, root);
  mark_received (got, t->messages, root);
  for (guint16 i = 1; i <= s->total; i++)
    if (got[i])
      s->received++;
    else
      g_array_append_val (s->missing, i);
}

/* ---- version links ---- */

static void
candidate_clear (Candidate *c)
{
  g_clear_pointer (&c->id, g_free);
  g_clear_pointer (&c->version_str, g_free);
  c->version = 0;
  c->date = 0;
}

static gboolean
acceptable (Linker *lk, const MdRecord *r, gboolean explicit)
{
  const MdRecord *root = lk->root;
  g_autofree char *cid = NULL;

  if (!md_record_is_posting (r) || strcmp (r->message_id, root->message_id) == 0
      || r->tags.version >= root->tags.version || r->date > root->date)
    return FALSE;
  if (!explicit && strcmp (r->from_email, root->from_email) != 0)
    return FALSE;
  if (lk->change_id && (cid = md_record_change_id (r)) != NULL
      && strcmp (cid, lk->change_id) != 0)
    return FALSE;
  return TRUE;
}

static void
consider (Linker *lk, const MdRecord *r, gboolean explicit, const char *how)
{
  Candidate *b = &lk->best;

  if (!acceptable (lk, r, explicit))
    return;
  if (b->id && (r->tags.version < b->version
                || (r->tags.version == b->version && r->date <= b->date)))
    return;
  candidate_clear (b);
  b->id = g_strdup (r->message_id);
  b->version_str = g_strdup (r->tags.version_str ? r->tags.version_str : "1");
  b->version = r->tags.version;
  b->date = r->date;
  b->how = how;
}

/* Consider ID, from the week's records or the source. */
static gboolean
consider_id (Linker *lk, const char *id, gboolean explicit, const char *how,
             GError **error)
{
  const MdRecord *r = g_hash_table_lookup (lk->week->records, id);
  g_autoptr (MdRecord) owned = NULL;
  g_autoptr (GError) local = NULL;

  if (r == NULL)
    {
      owned = lk->src->get (lk->src->data, id, &local);
      if (owned == NULL && local->domain == MD_ERROR
          && (local->code == MD_ERROR_NOT_FOUND || local->code == MD_ERROR_CORRUPT))
        return TRUE;
      if (owned == NULL)
        {
          g_propagate_error (error, g_steal_pointer (&local));
          return FALSE;
        }
      r = owned;
    }
  consider (lk, r, explicit, how);
  return TRUE;
}

static GHashTable *
postings_by_change_id (MdWeek *w)
{
  GHashTable *h = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                         (GDestroyNotify) g_ptr_array_unref);
  GHashTableIter it;
  gpointer v;

  g_hash_table_iter_init (&it, w->records);
  while (g_hash_table_iter_next (&it, NULL, &v))
    {
      char *cid;
      GPtrArray *list;
      if (!md_record_is_posting (v) || (cid = md_record_change_id (v)) == NULL)
        continue;
      if ((list = g_hash_table_lookup (h, cid)) == NULL)
        g_hash_table_insert (h, g_strdup (cid), list = g_ptr_array_new ());
      g_ptr_array_add (list, v);
      g_free (cid);
    }
  return h;
}

static gboolean
by_change_id (Linker *lk, GError **error)
{
  g_autoptr (GPtrArray) ids = NULL;
  GPtrArray *list;

  if (lk->change_id == NULL)
    return TRUE;
  if (*lk->by_change_id == NULL)
    *lk->by_change_id = postings_by_change_id (lk->week);
  list = g_hash_table_lookup (*lk->by_change_id, lk->change_id);
  for (guint i = 0; list && i < list->len; i++)
    consider (lk, list->pdata[i], TRUE, "change-id");
  if (lk->src->change_id_lookup == NULL)
    return TRUE;
  if ((ids = lk->src->change_id_lookup (lk->src->data, lk->change_id, error)) == NULL)
    return FALSE;
  for (guint i = 0; i < ids->len; i++)
    if (!consider_id (lk, ids->pdata[i], TRUE, "change-id", error))
      return FALSE;
  return TRUE;
}

static gboolean
by_link (Linker *lk, GError **error)
{
  g_autoptr (GPtrArray) ids = md_series_linked_ids (lk->root->body);
  const MdRecord *r = lk->root;

  for (guint i = 0; i < ids->len; i++)
    if (!consider_id (lk, ids->pdata[i], TRUE, "link", error))
      return FALSE;
  /* sent in reply to the previous version: walk up the thread */
  for (guint depth = 0; r && depth < 64; depth++)
    {
      const char *pid = md_thread_parent_id (lk->week->records, r);
      r = pid ? g_hash_table_lookup (lk->week->records, pid) : NULL;
      if (r && strcmp (r->from_email, lk->root->from_email) == 0)
        consider (lk, r, FALSE, "link");
    }
  return TRUE;
}

static gboolean
by_subject (Linker *lk, GError **error)
{
  g_autofree char *key = md_subject_series_key (&lk->root->tags);
  g_autoptr (GPtrArray) ids = NULL;

  if (*lk->root->from_email == '\0' || *key == '\0')
    return TRUE;
  ids = lk->src->series_lookup (lk->src->data, lk->root->from_email, key, error);
  if (ids == NULL)
    return FALSE;
  for (guint i = 0; i < ids->len; i++)
    if (!consider_id (lk, ids->pdata[i], FALSE, "subject", error))
      return FALSE;
  return TRUE;
}

static gboolean
find_previous (Linker *lk, GError **error)
{
  if (!by_change_id (lk, error))
    return FALSE;
  if (lk->best.id == NULL && !by_link (lk, error))
    return FALSE;
  if (lk->best.id == NULL && !by_subject (lk, error))
    return FALSE;
  return TRUE;
}

static gboolean
link_previous (MdWeek *w, const MdSource *src, MdThread *t,
               const MdRecord *root, GHashTable **by_cid, GError **error)
{
  Linker lk = { w, src, root, md_record_change_id (root), by_cid, { 0 } };
  MdSeriesInfo *s = &t->series;
  gboolean ok = find_previous (&lk, error);

  if (ok && lk.best.id)
    {
      s->previous_id = g_steal_pointer (&lk.best.id);
      s->previous_version_str = g_steal_pointer (&lk.best.version_str);
      s->previous_version = lk.best.version;
      s->previous_date = lk.best.date;
      s->previous_how = lk.best.how;
    }
  candidate_clear (&lk.best);
  g_free (lk.change_id);
  return ok;
}

gboolean
md_series_run (MdWeek *week, const MdSource *src, GError **error)
{
  GHashTable *by_cid = NULL;
  gboolean ok = TRUE;

  for (guint i = 0; ok && i < week->threads_v->len; i++)
    {
      MdThread *t = week->threads_v->pdata[i];
      const MdRecord *root = md_series_root (t);

      if (root == NULL)
        continue;
      t->is_series = TRUE;
      fill_tags (&t->series, root);
      /* patches sent before the history horizon were not loaded: their
       * absence says nothing */
      if (md_week_in_window (week, root) || root->arrival >= week->history_since)
        count_received (&t->series, t, root);
      else
        t->series.missing = g_array_new (FALSE, FALSE, sizeof (guint16));
      if (root->tags.version >= 2)
        ok = link_previous (week, src, t, root, &by_cid, error);
    }
  if (by_cid)
    g_hash_table_unref (by_cid);
  return ok;
}
