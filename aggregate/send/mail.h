/* mail.h - the digest as an RFC 5322 message, built with GMime.
 *
 * One multipart/alternative: text/plain (the --format text rendering)
 * then text/html (the --format html rendering), both UTF-8 in
 * quoted-printable or base64 (whichever GMime finds shorter), so that
 * any MTA carries them unchanged and no line exceeds 78 characters.
 * The bytes are CRLF throughout: what --format mail prints is what the
 * SMTP server receives.
 *
 * Every string that reaches a header goes through md_mail_header_clean()
 * first: the list name and the subject template come from configuration
 * and mail, and one CR or LF in them would be a header of their making.
 */
#pragma once
#include <glib.h>

typedef struct {
  const char *from;          /* "Name <addr>" or "addr" */
  char **to, **cc;           /* NULL-terminated; Bcc is never a header */
  const char *reply_to;      /* NULL: none */
  const char *subject;       /* UTF-8; encoded per RFC 2047 as needed */
  const char *message_id;    /* without <> */
  const char *in_reply_to;   /* without <>; NULL: first of its thread */
  const char *lang;          /* Content-Language: "zh-CN", "en" */
  GDateTime *date;
  const char *text, *html;   /* UTF-8 bodies */
} MdMailSpec;

/* S with CR, LF, TAB and every other control character replaced by a
 * space, runs of spaces collapsed, trimmed; invalid UTF-8 repaired. */
char *md_mail_header_clean (const char *s);

/* The addr-spec of the first mailbox in S ("Name <a@b>" -> "a@b"), or
 * NULL when S holds no mailbox. */
char *md_mail_addr_spec (const char *s);
/* Every addr-spec of the addresses in S appended to OUT (char*).
 * MD_ERROR_CONFIG when S is not a list of mailboxes. */
gboolean md_mail_addr_specs (const char *s, GPtrArray *out, GError **error);

/* The message, serialised with CRLF line ends.  MD_ERROR_CONFIG when an
 * address does not parse. */
GBytes *md_mail_build (const MdMailSpec *spec, GError **error);
