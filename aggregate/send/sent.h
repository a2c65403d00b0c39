/* sent.h - the index's record of a digest having been sent.
 *
 * Aggregator state "x:sent:<list>:<YYYY-Www>" (docs/index-format.md), a
 * GVariant "(sxs)": the Message-ID, when the server accepted it (UTC
 * seconds), and the SHA-256 of the exact bytes sent.  It is written only
 * after the SMTP server accepted the message, so its presence means
 * "delivered"; the hash tells a queued copy that was already delivered
 * (a kill between this write and the outbox clean-up) from a new one.
 */
#pragma once
#include "index.h"

typedef struct {
  char *message_id;
  gint64 sent_at;
  char *sha256;
} MdSentRecord;

void md_sent_record_clear (MdSentRecord *rec);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (MdSentRecord, md_sent_record_clear)

/* FALSE with MD_ERROR_NOT_FOUND when the week was never sent. */
gboolean md_sent_get (MdIndex *idx, const char *list, const char *week,
                      MdSentRecord *out, GError **error);

/* The same, opening the index at PATH read-only for the call. */
gboolean md_sent_lookup (const char *index_path, const char *list,
                         const char *week, MdSentRecord *out, GError **error);

/* Record REC for (LIST, WEEK): opens the index at PATH for writing just
 * for this one transaction (the aggregator otherwise only reads it). */
gboolean md_sent_put (const char *index_path, const char *list,
                      const char *week, const MdSentRecord *rec,
                      GError **error);
