/* input.h - what a model is given of one thread, within a token budget.
 *
 * Owns the preparation of a thread's mail for a model: each message
 * numbered [n] (this week's in the report's mail-list order first, then
 * the thread's earlier messages, then the replies given on v(N-1)), with
 * its sender and date; quoted text, attribution lines, trailers,
 * signatures and list footers dropped; a patch shown as its commit
 * message and diffstat (the diff itself never reaches the index); long
 * messages cut.  Then the choice of what fits: the cover letter, the
 * newest message and the most substantive replies first; what still does
 * not fit one request is split into parts (summarised one by one, then
 * merged by a second request).  The facts are given as data too.
 *
 * Mail text is untrusted: every message is fenced between markers the
 * mail itself cannot write (see md_input_fence()).
 */
#pragma once
#include "week.h"

typedef enum {
  MD_INPUT_WINDOW,         /* this week's message: numbered as the report lists it */
  MD_INPUT_EARLIER,        /* the thread's message from before the window */
  MD_INPUT_PREVIOUS,       /* a reply given on v(N-1) */
} MdInputKind;

typedef struct {
  guint n;                 /* [n] */
  MdInputKind kind;
  const MdRecord *rec;     /* borrowed from the week */
  char *text;              /* the fenced block the model sees */
  char *plain;             /* its cleaned text alone, for the quotation check */
  guint tokens;            /* md_tokens_estimate (text) */
  guint weight;            /* keep order: higher first; 0: never given */
  gboolean given;          /* in one of the parts */
} MdInputMsg;

typedef struct {
  GPtrArray *msgs;         /* MdInputMsg*, every numbered message, by n */
  GPtrArray *parts;        /* GPtrArray* of MdInputMsg* (borrowed), by n:
                            * one request each; empty when nothing fits */
  guint left_out;          /* messages the budget left out */
  guint tokens;            /* estimate of the messages given, all parts */
  GHashTable *by_rec;      /* const MdRecord* -> MdInputMsg* */
  GHashTable *by_id;       /* Message-ID -> MdInputMsg* */
} MdInput;

/* Parts a thread may be split into before messages are left out. */
#define MD_INPUT_MAX_PARTS 4

/* Estimated tokens of TEXT (UTF-8).  BPE vocabularies turn about four
 * bytes of English or code into one token; a CJK character (or any other
 * non-ASCII character) is about one token on vocabularies trained on
 * Chinese and up to two on others.  So: ASCII bytes / 4, rounded up, plus
 * one per non-ASCII character, plus a quarter more of those for
 * vocabularies that split them: it errs on the high side, which keeps a
 * request inside the server's context. */
guint md_tokens_estimate (const char *text);

/* TEXT without quoted lines ("> ..."), attribution lines ("On ... X
 * wrote:"), trailers, the "-- " signature and what follows, and runs of
 * blank lines; newly allocated, never NULL. */
char *md_input_clean (const char *text);

/* TEXT cut to about MAX_TOKENS at a line (else character) boundary, with
 * a "[… cut]" line when something was cut; newly allocated. */
char *md_input_cut (const char *text, guint max_tokens);

/* TEXT with the fence markers ("<<<", ">>>") it holds defused. */
char *md_input_fence (const char *text);

/* The numbered messages of THREAD in WEEK, each cut to MSG_MAX tokens,
 * chosen and split so that each part's messages stay within BUDGET
 * tokens.  HAS_HISTORY: a stored summary tells the earlier messages'
 * story; they are numbered (the history cites them) but not given. */
MdInput *md_input_new (const MdWeek *week, const MdThread *thread,
                       gboolean has_history, guint budget, guint msg_max);
/* The message with Message-ID ID, or NULL. */
const MdInputMsg *md_input_find (const MdInput *in, const char *id);
void md_input_free (MdInput *in);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (MdInput, md_input_free)

/* The message numbered N, or NULL. */
const MdInputMsg *md_input_lookup (const MdInput *in, guint n);

/* The facts of THREAD as "key: value" lines, messages named by their
 * [n] from IN. */
char *md_input_facts (const MdWeek *week, const MdThread *thread,
                      const MdInput *in);

/* The blocks of PART's messages of KIND, joined; "" when none. */
char *md_input_block (GPtrArray *part, MdInputKind kind);
