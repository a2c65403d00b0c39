/* cite.h - a model's answer, checked sentence by sentence.
 *
 * The model is asked for up to three sections ("## Series", "## History",
 * "## This week") of sentences that each end with the numbers of the
 * messages they draw on: "[3]", "[2,5]".  md_cite_check() parses the
 * answer and keeps a sentence only when
 *
 *   - it ends with a citation (before or after its full stop);
 *   - every number it cites names a message the model was given;
 *   - every text in quotation marks (“…”, "…", 「…」, 『…』) appears
 *     verbatim (white space aside) in one of the messages it cites.
 *
 * Everything else in the answer (headings of its own, HTML, a list
 * structure) is text: the report's structure comes from this code, never
 * from the model.  The result is kept as a canonical plain text (section
 * heads and one sentence a line, marks normalised to "[n,m]"), which the
 * index stores and md_cite_render() turns into Markdown, the mail-derived
 * sentence escaped and each mark a link to its message.
 */
#pragma once
#include <glib.h>

typedef enum {
  MD_CITE_SERIES,          /* what the series (or the discussion) is */
  MD_CITE_HISTORY,         /* what happened before this week */
  MD_CITE_WEEK,            /* what is new this week */
  MD_CITE_N_SECTIONS
} MdCiteSection;

/* The text of message N as given to the model, or NULL when N was not
 * given. */
typedef const char *(*MdCiteLookup) (guint n, gpointer data);

typedef struct {
  char *text;              /* canonical text of the sentences kept */
  guint kept, dropped;
  GArray *cited;           /* guint: the numbers cited, ascending, distinct */
  char *first_problem;     /* why the first dropped sentence was dropped */
} MdCiteResult;

MdCiteResult *md_cite_check (const char *answer, MdCiteLookup lookup,
                             gpointer data);
void md_cite_result_free (MdCiteResult *r);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (MdCiteResult, md_cite_result_free)

/* TRUE when R may stand: some sentence kept, no more than half dropped.
 * Otherwise *REASON gets why (newly allocated). */
gboolean md_cite_acceptable (const MdCiteResult *r, char **reason);

/* URL of the message numbered N (NULL: no link). */
typedef char *(*MdCiteUrl) (guint n, gpointer data);

/* Canonical TEXT as Markdown in LANG ("zh-CN" or "en"): one item per
 * section, headed as the seed reports are; IS_SERIES picks the first
 * section's name. */
char *md_cite_render (const char *text, const char *lang, gboolean is_series,
                      MdCiteUrl url, gpointer data);

/* Canonical TEXT with each mark's numbers mapped by MAP (old n -> new n,
 * 0: dropped from the mark; a mark left empty goes): the history given
 * back to a model numbers messages as this run does. */
char *md_cite_renumber (const char *text, guint (*map) (guint n, gpointer data),
                        gpointer data);

/* The numbers cited in canonical TEXT, ascending, distinct. */
GArray *md_cite_numbers (const char *text);
