/* body.h - the MIME walk: which parts of a message are its text.
 *
 * Owns the choice of parts (text/plain over text/html in an alternative,
 * the signed content of multipart/signed, patches attached as
 * text/x-patch, text/x-diff or *.patch / *.diff), their decoding
 * (transfer encoding, then charset to UTF-8, newlines to LF, straight
 * into the text they belong to), the repair of broken structure (a
 * multipart without parts, a Content-Type that does not parse) and the
 * bounds that keep hostile MIME cheap: nesting depth, part count, total
 * decoded size.
 */
#pragma once
#include <gmime/gmime.h>

#define MD_BODY_MAX_DEPTH 16
#define MD_BODY_MAX_PARTS 128
#define MD_BODY_MAX_TEXT  (4u << 20)   /* decoded bytes looked at per message */

typedef struct {
  GString *text;        /* the message's own text parts, UTF-8, LF */
  GString *patches;     /* attached diffs, UTF-8, LF */
  gboolean html_only;   /* text came from text/html: no text/plain at all */
  gboolean guessed;     /* some undeclared 8-bit text had its charset guessed */
  gboolean truncated;   /* MD_BODY_MAX_TEXT reached */
} MdBody;

void md_body_init (MdBody *body);
void md_body_clear (MdBody *body);

/* Collects the text of ROOT (the message's top-level part) into BODY. */
void md_body_collect (GMimeObject *root, MdBody *body);

/* The charset declared by the first text part, or NULL: the best hint
 * for raw 8-bit header bytes. */
const char *md_body_charset_hint (GMimeObject *root);
