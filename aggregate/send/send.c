#include "send.h"
#include "archive.h"
#include "config.h"
#include "crash.h"
#include "error.h"
#include "identity.h"
#include "mail.h"
#include "sent.h"
#include <errno.h>
#include <string.h>
#include <unistd.h>

gboolean
md_sender_init (MdSender *s, GKeyFile *config, const char *index_path,
                const char *index_override, gboolean sending, GError **error)
{
  s->config = config;
  s->index_path = index_path;
  s->index_override = index_override;
  s->lock_fd = -1;
  if (!md_smtp_config_load (&s->smtp, config, index_path, sending, error))
    return FALSE;
  if (!sending)
    return TRUE;
  /* A week the index cannot record as sent would go out again at every
   * run: find that out before sending anything. */
  if (access (index_path, W_OK) != 0 && errno != ENOENT)
    {
      g_set_error (error, MD_ERROR, MD_ERROR_TEMP, "cannot record sent digests in '%s': %s",
                   index_path, g_strerror (errno));
      return FALSE;
    }
  return md_outbox_lock (s->smtp.outbox, &s->lock_fd, error);
}

void
md_sender_clear (MdSender *s)
{
  if (s->lock_fd >= 0)
    close (s->lock_fd);   /* releases the lock */
  s->lock_fd = -1;
  md_smtp_config_clear (&s->smtp);
}

/* ---- composing ---- */

/* The list's KEY (';'-separated), each entry's addresses appended to
 * RCPTS.  NULL-terminated, possibly empty. */
static char **
recipients (GKeyFile *config, const char *list, const char *key,
            GPtrArray *rcpts, GError **error)
{
  g_auto (GStrv) v = md_config_list_strv (config, list, key);

  for (guint i = 0; v && v[i]; i++)
    if (*g_strstrip (v[i]) && !md_mail_addr_specs (v[i], rcpts, error))
      {
        g_prefix_error (error, "[list %s] %s: ", list, key);
        return NULL;
      }
  return v ? g_steal_pointer (&v) : g_new0 (char *, 1);
}

static GBytes *
bytes_of (const char *s)
{
  return s ? g_bytes_new (s, strlen (s)) : NULL;
}

static gboolean
compose_message (MdOutboxEntry *e, GKeyFile *config, const MdSmtpConfig *smtp,
                 const MdDigest *d, GError **error)
{
  g_autofree char *tmpl = md_config_list_string (config, d->list, "subject", NULL);
  g_autofree char *reply_to = md_config_list_string (config, d->list, "reply_to", NULL);
  g_autofree char *subject = md_identity_subject (tmpl, d->lang, d->list, d->week, error);
  g_autoptr (GDateTime) date = g_date_time_new_from_unix_local (d->now);
  g_auto (GStrv) to = NULL, cc = NULL, bcc = NULL;
  MdMailSpec spec = { 0 };

  if (subject == NULL
      || (to = recipients (config, d->list, "to", e->rcpts, error)) == NULL
      || (cc = recipients (config, d->list, "cc", e->rcpts, error)) == NULL
      || (bcc = recipients (config, d->list, "bcc", e->rcpts, error)) == NULL)
    return FALSE;
  if (to[0] == NULL)
    {
      g_set_error (error, MD_ERROR, MD_ERROR_CONFIG,
                   "[list %s] no 'to': the address the digest goes to", d->list);
      return FALSE;
    }
  spec = (MdMailSpec) { .from = smtp->from, .to = to, .cc = cc, .reply_to = reply_to,
                        .subject = subject, .message_id = e->message_id,
                        .in_reply_to = d->in_reply_to, .lang = d->lang, .date = date,
                        .text = d->text, .html = d->html };
  return (e->message = md_mail_build (&spec, error)) != NULL;
}

MdOutboxEntry *
md_send_compose (GKeyFile *config, const MdSmtpConfig *smtp, const MdDigest *d,
                 GError **error)
{
  g_autoptr (MdOutboxEntry) e = md_outbox_entry_new ();

  e->list = md_mail_header_clean (d->list);
  e->week = g_strdup (d->week);
  e->from = g_strdup (smtp->from_addr);
  e->message_id = md_identity_message_id (d->list, d->week, smtp->from);
  if (!compose_message (e, config, smtp, d, error))
    return NULL;
  e->md = bytes_of (d->md);
  e->html = d->md ? bytes_of (d->html) : NULL;
  return g_steal_pointer (&e);
}

/* ---- delivering ---- */

static char *
sha256_of (GBytes *b)
{
  return g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, b);
}

/* Steps 5 and 6: archive_dir, then out of the outbox. */
static gboolean
finish (MdSender *s, const MdOutboxEntry *e, GError **error)
{
  g_autofree char *dir = md_config_list_string (s->config, e->list, "archive_dir", NULL);

  if (dir && *dir && !md_archive_write (dir, e->list, e->week, e->md, e->html, error))
    return FALSE;
  md_crash_point ("archived");
  return md_outbox_remove (s->smtp.outbox, e, error);
}

/* *DONE when the index already holds this very message's hash: a run
 * killed after recording it and before clearing the outbox. */
static gboolean
already_recorded (const char *index_path, const MdOutboxEntry *e, const char *sha,
                  gboolean *done, GError **error)
{
  g_auto (MdSentRecord) rec = { 0 };
  g_autoptr (GError) local = NULL;

  *done = FALSE;
  if (md_sent_lookup (index_path, e->list, e->week, &rec, &local))
    *done = strcmp (rec.sha256, sha) == 0;
  else if (!g_error_matches (local, MD_ERROR, MD_ERROR_NOT_FOUND))
    {
      g_propagate_error (error, g_steal_pointer (&local));
      return FALSE;
    }
  return TRUE;
}

static gboolean
transmit (MdSender *s, const MdOutboxEntry *e, GError **error)
{
  gboolean sent;

  g_ptr_array_add (e->rcpts, NULL);
  sent = md_smtp_send (&s->smtp, (const char *const *) e->rcpts->pdata, e->message, error);
  g_ptr_array_remove_index (e->rcpts, e->rcpts->len - 1);
  return sent;
}

gboolean
md_send_deliver (MdSender *s, const MdOutboxEntry *e, GError **error)
{
  g_autofree char *sha = sha256_of (e->message);
  /* the queue may hold another list's digest: its record goes to its
   * own index when there is one file per list */
  g_autofree char *index_path = md_config_index_path (s->config, s->index_override, e->list);
  MdSentRecord rec = { (char *) e->message_id, 0, sha };
  gboolean done;

  if (!already_recorded (index_path, e, sha, &done, error))
    return FALSE;
  if (!done)
    {
      if (!transmit (s, e, error))
        return FALSE;
      md_crash_point ("accepted");
      rec.sent_at = g_get_real_time () / G_USEC_PER_SEC;
      if (!md_sent_put (index_path, e->list, e->week, &rec, error))
        return FALSE;
      md_crash_point ("recorded");
      g_print ("%s %s: sent as <%s> to %u recipient%s\n", e->list, e->week, e->message_id,
               e->rcpts->len, e->rcpts->len == 1 ? "" : "s");
    }
  return finish (s, e, error);
}

gboolean
md_send_outbox (MdSender *s, GError **error)
{
  g_autoptr (GPtrArray) bad = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GPtrArray) queued = md_outbox_list (s->smtp.outbox, bad, error);

  if (queued == NULL)
    return FALSE;
  for (guint i = 0; i < bad->len; i++)
    g_printerr ("mldigest-aggregate: outbox: '%s' is not a queued digest: left in place\n",
                (char *) bad->pdata[i]);
  for (guint i = 0; i < queued->len; i++)
    if (!md_send_deliver (s, queued->pdata[i], error))
      return FALSE;
  return TRUE;
}

gboolean
md_send_queue (MdSender *s, MdOutboxEntry *e, GError **error)
{
  if (!md_outbox_put (s->smtp.outbox, e, error))
    return FALSE;
  md_crash_point ("queued");
  return TRUE;
}
