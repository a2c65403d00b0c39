/* send.h - a digest delivered exactly once, whatever the network does.
 *
 * The order of a send is what makes it safe to kill at any step:
 *
 *   1. compose the message (nothing on disk yet);
 *   2. queue it in the outbox (outbox.h: written whole or not at all);
 *   3. one SMTP transaction (smtp.h);
 *   4. record the week as sent in the index (sent.h), with the hash of
 *      the bytes sent;
 *   5. keep the Markdown and HTML in archive_dir (archive.h);
 *   6. remove it from the outbox.
 *
 * A run starts by delivering whatever the outbox holds (steps 3-6).  A
 * kill before 2 leaves the week unsent and unqueued: the next run builds
 * it again.  A kill during 2 leaves a temporary file, removed by the next
 * run, and the same.  A kill during 3 leaves it queued: the next run
 * sends it.  A kill between the server's acceptance and 4 is the one
 * case SMTP cannot rule out: the next run sends it again, the same bytes
 * with the same Message-ID, which archives and mail clients drop as a
 * duplicate.  A kill after 4 leaves a queued copy whose hash the index
 * already holds: the next run archives it if need be and removes it
 * without sending.
 */
#pragma once
#include "outbox.h"
#include "smtp.h"

typedef struct {
  GKeyFile *config;
  const char *index_path;      /* this run's index */
  const char *index_override;  /* --index, or NULL: finds a queued
                                * digest's own index when the path holds
                                * {list} (one file per list) */
  MdSmtpConfig smtp;
  int lock_fd;             /* the outbox lock while sending, else -1 */
} MdSender;

/* Load [smtp] (with the password when SENDING) and, when SENDING, take
 * the outbox lock.  MD_ERROR_CONFIG, MD_ERROR_TEMP. */
gboolean md_sender_init (MdSender *s, GKeyFile *config, const char *index_path,
                         const char *index_override, gboolean sending,
                         GError **error);
void md_sender_clear (MdSender *s);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (MdSender, md_sender_clear)

/* The rendered digest of one (list, week), and what threads it. */
typedef struct {
  const char *list, *week, *lang;
  const char *text, *html;
  const char *md;            /* for archive_dir; NULL when not kept */
  gint64 now;                /* the Date header */
  const char *in_reply_to;   /* the previous week's Message-ID, or NULL */
} MdDigest;

/* The message and envelope of D, from the list's to, cc, bcc, subject
 * and reply_to and [smtp] from.  MD_ERROR_CONFIG when the list has no
 * "to" or an address does not parse. */
MdOutboxEntry *md_send_compose (GKeyFile *config, const MdSmtpConfig *smtp,
                                const MdDigest *d, GError **error);

/* Deliver every queued digest.  Stops at the first that the server does
 * not take (MD_ERROR_TEMP); an unreadable file is named on stderr and
 * left in place. */
gboolean md_send_outbox (MdSender *s, GError **error);

/* Step 2: queue E (sets E->path). */
gboolean md_send_queue (MdSender *s, MdOutboxEntry *e, GError **error);

/* Steps 3-6 for the queued E. */
gboolean md_send_deliver (MdSender *s, const MdOutboxEntry *e, GError **error);
