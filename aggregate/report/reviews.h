/* reviews.h - review trailers grouped for a reader.
 *
 * facts.c records one MdReview per trailer per patch; a report says
 * "Bob: Reviewed-by → 01/04, 03/04" once per person and trailer kind.
 */
#pragma once
#include "week.h"

typedef struct {
  const MdReview *first;   /* the person's first trailer of this kind (borrowed) */
  GArray *patches;         /* guint16 patch indexes, as given */
} MdReviewGroup;

/* MdReviewGroup*, in the order people first appear; frees its items. */
GPtrArray *md_review_groups (GPtrArray *reviews);

/* "01/04, 03/04" (sorted, each once, joined by SEP); index 0, the cover
 * letter, stands for the whole series and is left to the caller; "" when
 * TOTAL is 0 (an unnumbered patch).  Sorts INDEXES. */
char *md_patch_refs (GArray *indexes, guint total, const char *sep);
