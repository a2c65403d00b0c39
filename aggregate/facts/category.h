/* category.h - which section of the report a thread goes in.
 *
 * A thread's category comes from its root (the cover letter, or for a
 * root never seen the oldest message present), never from a stray
 * reply.  Rules are tried in order, the first that matches wins:
 *
 *   category_rules = NAME: TEST [TEST...];NAME: TEST...;...
 *   categories     = PATCH;RFC;GIT PULL;Selftest;Discussion;Other
 *
 * under [defaults] or [list NAME] (see mldigest-aggregate(1) for the
 * tests and the default rules).  `categories` is the report order; a
 * category only named by a rule comes after it.  A thread no rule
 * matches is Other.
 */
#pragma once
#include "week.h"

typedef struct _MdCategoryRules MdCategoryRules;

/* The rules for LIST from CONFIG (NULL: the defaults).  MD_ERROR_CONFIG
 * names the bad rule and why. */
MdCategoryRules *md_category_rules_load (GKeyFile *config, const char *list,
                                         GError **error);
void md_category_rules_free (MdCategoryRules *rules);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (MdCategoryRules, md_category_rules_free)

/* The category of THREAD (a string owned by RULES). */
const char *md_category_classify (const MdCategoryRules *rules,
                                  const MdThread *thread);

/* Set every thread's category and lay out WEEK.categories in report
 * order, with zero counts (facts.c counts). */
void md_category_run (MdWeek *week, const MdCategoryRules *rules);
