/* facts.h - the facts stage: counts, reviews, applied, robots, people.
 *
 * Reads the threads, series and categories of an MdWeek (week.h) and
 * fills in the per-thread and per-week facts.
 */
#pragma once
#include "week.h"

/* The facts stage (everything after threads, series and categories):
 * per-thread participants, reviews, applied replies, robot failures and
 * NAKs, then totals, per-category counts, contributors, domains,
 * reviewers and new patches, and the final thread order.  Config keys
 * (per list): large_thread (20), bots (address globs). */
void md_facts_run (MdWeek *week, GKeyFile *config);

/* The bot address globs of LIST: config "bots", else the defaults
 * (g_strfreev it). */
char **md_facts_bots (GKeyFile *config, const char *list);
gboolean md_facts_is_bot (char *const *bots, const char *email);

/* The casefolded title an applied notice names ('Applied "<subject>" to
 * the <tree> tree', pr-tracker-bot's "Re: [GIT PULL] <title>"), or NULL
 * when REC is no such notice. */
char *md_facts_notice_title (const MdRecord *rec);

