/* outbox.h - digests waiting to be sent, one file each, never lost.
 *
 * A digest is written here before the SMTP transaction starts and
 * removed only after the index records it as sent, so at every instant
 * it is in the outbox, or recorded as sent, or both.  A file is written
 * whole or not at all: a temporary file in the outbox, fsync, rename to
 * its name, fsync the directory.  Its name is the digest's identity
 * (identity.h), so a week queued twice is one file.
 *
 * The file is mldigest's own, and still read as untrusted:
 *
 *   mldigest-outbox 1
 *   list <list>
 *   week <YYYY-Www>
 *   message-id <id>
 *   from <envelope sender>
 *   rcpt <address>            (one line per recipient: To, Cc and Bcc)
 *   md <bytes>                (the Markdown for archive_dir; may be 0)
 *   html <bytes>              (the HTML for archive_dir; may be 0)
 *   message <bytes>
 *   <empty line>
 *   <Markdown><HTML><message, CRLF>
 *
 * A run that sends holds an exclusive lock on "<outbox>/.lock" for its
 * whole length, so two runs never send the same file at once.
 */
#pragma once
#include <glib.h>

typedef struct {
  char *path;         /* the file, once written or read */
  char *list, *week, *message_id, *from;
  GPtrArray *rcpts;   /* char* */
  GBytes *md, *html, *message;
} MdOutboxEntry;

MdOutboxEntry *md_outbox_entry_new (void);
void md_outbox_entry_free (MdOutboxEntry *e);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (MdOutboxEntry, md_outbox_entry_free)

/* Create DIR (0700) if needed and lock it; *FD holds the lock until
 * closed.  MD_ERROR_TEMP when it cannot be made or locked in time. */
gboolean md_outbox_lock (const char *dir, int *fd, GError **error);

/* Write E into DIR atomically (replacing a file of the same identity);
 * sets E->path. */
gboolean md_outbox_put (const char *dir, MdOutboxEntry *e, GError **error);

/* The entries of DIR, oldest name first.  Leftover temporary files of a
 * killed run are removed; a file that does not parse is left in place,
 * named in *BAD (may be NULL) and skipped. */
GPtrArray *md_outbox_list (const char *dir, GPtrArray *bad, GError **error);

/* Remove E's file, fsync DIR. */
gboolean md_outbox_remove (const char *dir, const MdOutboxEntry *e,
                           GError **error);
