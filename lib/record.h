/* record.h - one normalised mailing-list message, as stored in the index.
 *
 * The parser (message.c) builds it from raw RFC 5322 bytes, the index
 * (index.c) stores it as a versioned GVariant and reads it back, and the
 * aggregator reads it.  Every string is valid UTF-8 and single-line unless
 * said otherwise; every pointer array is non-NULL (possibly empty).
 */
#pragma once
#include <glib.h>

typedef enum {
  MD_REC_ID_SYNTHETIC    = 1 << 0, /* Message-ID missing/unusable: synthesised from a content hash */
  MD_REC_DATE_FALLBACK   = 1 << 1, /* Date missing or absurd: date = arrival */
  MD_REC_HAS_PATCH       = 1 << 2, /* a diff was found (inline, QP, base64 or attached) */
  MD_REC_BODY_TRUNCATED  = 1 << 3, /* body cut at the size bound */
  MD_REC_HTML_ONLY       = 1 << 4, /* text came from an HTML part */
  MD_REC_CHARSET_GUESSED = 1 << 5, /* undeclared 8-bit text: charset guessed */
} MdRecordFlags;

typedef enum {
  MD_TRAILER_REVIEWED_BY,
  MD_TRAILER_ACKED_BY,
  MD_TRAILER_TESTED_BY,
  MD_TRAILER_SIGNED_OFF_BY,
  MD_TRAILER_REPORTED_BY,
  MD_TRAILER_SUGGESTED_BY,
  MD_TRAILER_CO_DEVELOPED_BY,
  MD_TRAILER_NACKED_BY,
  MD_TRAILER_FIXES,
  MD_TRAILER_LINK,
  MD_TRAILER_CC,
  MD_TRAILER_N_KINDS
} MdTrailerKind;

typedef struct {
  MdTrailerKind kind;
  char *name;   /* decoded display name ("" if none); for Fixes/Link the whole value */
  char *email;  /* lower-case address, "" if none */
} MdTrailer;

/* What the subject's tags say.  See subject.h for the grammar. */
typedef struct {
  guint reply    : 1;  /* Re:, RE:, AW:, Aw:, SV:, Antw:, 回复: ... */
  guint forward  : 1;  /* Fwd:, Fw:, WG: */
  guint patch    : 1;  /* a PATCH tag (PATCH, PATCHv2, PATCH-next...) */
  guint rfc      : 1;
  guint resend   : 1;
  guint git_pull : 1;  /* [GIT PULL], [GIT PULL 1/3] */
  guint16 version;     /* 1 when there is no vN */
  guint16 index;       /* N of [N/M]; 0 for a cover letter or no numbering */
  guint16 total;       /* M of [N/M]; 0 when there is no numbering */
  char *version_str;   /* "3", "1.1"; NULL when there is no vN */
  char *project;       /* "kvmtool", "kvm-unit-tests", "6.1", "net-next", "QEMU"; NULL when none */
  char *title;         /* the subject without prefixes and tags, whitespace collapsed */
} MdSubjectTags;

typedef struct {
  guint32 flags;          /* MdRecordFlags */
  char *message_id;       /* normalised: no <>, domain part lower-case */
  char *in_reply_to;      /* normalised, NULL when none */
  GPtrArray *references;  /* char*, normalised, oldest first, no duplicates */
  char *subject;          /* decoded, unfolded; "" when missing */
  char *from_name;        /* decoded display name; "" when none */
  char *from_email;       /* lower-case address; "" when none */
  gint64 date;            /* Date header in UTC seconds (arrival when unusable) */
  gint64 arrival;         /* when it reached us (mbox From_ line, maildir name, or now) */
  GPtrArray *lists;       /* short list names ("kvmarm"), sorted, no duplicates */
  GPtrArray *list_ids;    /* List-Id values without <> ("kvmarm.lists.cs.columbia.edu") */
  GPtrArray *recipients;  /* To and Cc addresses, lower-case, bounded */
  char *thread_id;        /* the thread it joined at ingest (set by the index) */
  char *body;             /* own text, UTF-8, multi-line: signature, list footer and
                           * the diff itself removed, long quotes shortened, bounded */
  char *commit_msg;       /* patch: the commit message (multi-line), NULL otherwise */
  char *diffstat;         /* patch: the diffstat (multi-line), NULL otherwise */
  GPtrArray *files;       /* patch: touched files */
  GPtrArray *functions;   /* patch: touched functions (hunk contexts, patch.h) */
  GArray *trailers;       /* MdTrailer, from the message's own unquoted text */
  MdSubjectTags tags;     /* parsed from subject */
} MdRecord;

MdRecord *md_record_new (void);
void md_record_free (MdRecord *rec);
void md_subject_tags_clear (MdSubjectTags *tags);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (MdRecord, md_record_free)

void md_record_add_trailer (MdRecord *rec, MdTrailerKind kind,
                            const char *name, const char *email);
const char *md_trailer_kind_name (MdTrailerKind kind);  /* "Reviewed-by" */
gboolean md_record_has_flag (const MdRecord *rec, MdRecordFlags flag);
/* The b4 "change-id: ..." value in REC's own text (a cover letter's), or
 * NULL: every version of a b4 series carries the same one. */
char *md_record_change_id (const MdRecord *rec);

/* Serialised form (index.c stores it): one version byte, then a GVariant
 * in little-endian byte order.  md_record_from_bytes() checks the version,
 * the variant's normal form and every string's UTF-8 before trusting it;
 * a bad record is MD_ERROR_CORRUPT. */
#define MD_RECORD_VERSION 2   /* written; version 1 (no functions) is still read */
GBytes *md_record_to_bytes (const MdRecord *rec);
MdRecord *md_record_from_bytes (const guint8 *data, gsize len, GError **error);
/* Only the thread_id of a serialised record (NULL when the bytes hold no
 * valid one): the index asks this of every referenced message at ingest
 * and need not decode and check the whole record for it. */
char *md_record_peek_thread_id (const guint8 *data, gsize len);
/* The arrival time of a stored record without decoding the rest (for
 * expiry, which looks at every record); FALSE when it cannot be read. */
gboolean md_record_peek_arrival (const guint8 *data, gsize len, gint64 *arrival);
