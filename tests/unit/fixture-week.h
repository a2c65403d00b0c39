/* fixture-week.h - a fixed week of a list, built by hand for the
 * renderer's and the summariser's tests (no parser, no index involved).
 *
 * kvmarm, 2026-11-09 00:00 to 2026-11-16 00:00 UTC:
 *   PATCH       [PATCH v3 0/3] vgic ITS series: reviewed, acked, a robot
 *               failure on 3/3, applied; v2 was on 2026-10-26
 *   PATCH       [PATCH v2 0/4] PMU event filter: 3 of 4 received, a NAK
 *   PATCH       a single patch whose subject holds Markdown characters
 *   Discussion  "Broken udelay() ...": a question, two answers
 *   Other       a thread that began before the window
 * Include it from one test file; its functions are static.
 */
#pragma once
#include <string.h>
#include "week.h"

#define FX_SINCE 1794182400   /* 2026-11-09 00:00:00 UTC */
#define FX_UNTIL 1794787200   /* 2026-11-16 00:00:00 UTC */

/* Day D of November 2026 at HH:MM UTC. */
static gint64
fx_at (int day, int hour, int min)
{
  return FX_SINCE + (gint64) (day - 9) * 86400 + hour * 3600 + min * 60;
}

typedef struct {
  const char *id, *subject, *name, *email;
  gint64 date;
  const char *body;
} FxMsg;

static MdRecord *
fx_record (MdWeek *w, const FxMsg *m)
{
  MdRecord *r = md_record_new ();

  r->message_id = g_strdup (m->id);
  g_free (r->subject), r->subject = g_strdup (m->subject);
  g_free (r->from_name), r->from_name = g_strdup (m->name);
  g_free (r->from_email), r->from_email = g_strdup (m->email);
  g_free (r->body), r->body = g_strdup (m->body ? m->body : "");
  r->date = r->arrival = m->date;
  g_ptr_array_add (r->lists, g_strdup ("kvmarm"));
  g_assert_false (g_hash_table_contains (w->records, m->id));
  g_hash_table_insert (w->records, r->message_id, r);
  return r;
}

/* Subject tags as the subject parser would set them. */
static void
fx_tags (MdRecord *r, gboolean reply, const char *version, guint index,
         guint total, const char *title)
{
  r->tags.patch = TRUE;
  r->tags.reply = reply;
  r->tags.version = version ? (guint16) atoi (version) : 1;
  r->tags.version_str = g_strdup (version);
  r->tags.index = (guint16) index;
  r->tags.total = (guint16) total;
  r->tags.title = g_strdup (title);
}

static void
fx_patch (MdRecord *r, const char *commit, const char *diffstat)
{
  r->flags |= MD_REC_HAS_PATCH;
  r->commit_msg = g_strdup (commit);
  r->diffstat = g_strdup (diffstat);
}

static MdThread *
fx_thread (MdWeek *w, const char *category, GPtrArray *msgs)
{
  const MdRecord *root = msgs->pdata[0];
  MdThread *t = md_thread_new (root->message_id);
  g_autoptr (GHashTable) people = g_hash_table_new (g_str_hash, g_str_equal);

  t->root_rec = root;
  t->subject = g_strdup (root->subject);
  t->category = g_strdup (category);
  for (guint i = 0; i < msgs->len; i++)
    {
      const MdRecord *r = msgs->pdata[i];
      g_ptr_array_add (t->messages, (gpointer) r);
      g_hash_table_add (people, r->from_email);
    }
  t->participants = g_hash_table_size (people);
  t->started = root->date;
  t->last = ((const MdRecord *) msgs->pdata[msgs->len - 1])->date;
  g_ptr_array_add (w->threads_v, t);
  return t;
}

static void
fx_review (MdThread *t, MdTrailerKind kind, const char *name,
           const char *email, guint patch, const MdRecord *in)
{
  MdReview *rv = g_new0 (MdReview, 1);

  rv->kind = kind;
  rv->name = g_strdup (name);
  rv->email = g_strdup (email);
  rv->patch_index = (guint16) patch;
  rv->given_in = in;
  g_ptr_array_add (t->reviews, rv);
}

#define FX_ADD(arr, w, ...) \
  g_ptr_array_add (arr, fx_record (w, &(FxMsg) { __VA_ARGS__ }))

static const char fx_cover_body[] =
  "Hi all,\n\n"
  "This series tidies up the save/restore path of the vgic ITS tables so\n"
  "that a VMM can migrate a guest with pending LPIs without losing them.\n\n"
  "Changes since v2:\n"
  " - Drop the lock before walking the device table (Bob)\n"
  " - Rebased on kvmarm/next\n\n"
  "Alice Example (3):\n"
  "  KVM: arm64: vgic-its: Factor out the table walker\n";

static const char fx_bob_body[] =
  "On Mon, Nov 09, 2026 at 10:05:00AM +0000, Alice Example wrote:\n"
  "> +\tspin_unlock(&its->lock);\n"
  "> +\tret = walk_table(its);\n\n"
  "This needs a comment explaining why the lock is dropped here.\n"
  "Otherwise looks fine.\n\n"
  "Reviewed-by: Bob Reviewer <bob@kernel.org>\n\n"
  "Thanks,\nBob\n";

static void
fx_its_series (MdWeek *w)
{
  g_autoptr (GPtrArray) m = g_ptr_array_new ();
  MdThread *t;

  FX_ADD (m, w, "20261109100500.1-alice@example.org",
          "[PATCH v3 0/3] KVM: arm64: vgic-its: Tidy up table save/restore",
          "Alice Example", "alice@example.org", fx_at (9, 10, 5), fx_cover_body);
  FX_ADD (m, w, "20261109100500.2-alice@example.org",
          "[PATCH v3 1/3] KVM: arm64: vgic-its: Factor out the table walker",
          "Alice Example", "alice@example.org", fx_at (9, 10, 5), "");
  FX_ADD (m, w, "20261109100500.3-alice@example.org",
          "[PATCH v3 2/3] KVM: arm64: vgic-its: Drop the lock while walking",
          "Alice Example", "alice@example.org", fx_at (9, 10, 6), "");
  FX_ADD (m, w, "20261109100500.4-alice@example.org",
          "[PATCH v3 3/3] KVM: arm64: vgic-its: Save pending LPIs",
          "Alice Example", "alice@example.org", fx_at (9, 10, 6), "");
  FX_ADD (m, w, "202611100230.robot@intel.com",
          "Re: [PATCH v3 3/3] KVM: arm64: vgic-its: Save pending LPIs",
          "kernel test robot", "lkp@intel.com", fx_at (10, 2, 30),
          "Hi Alice,\n\nkernel test robot noticed the following build errors:\n\n"
          "[auto build test ERROR on kvmarm/next]\n\n"
          "arch/arm64/kvm/vgic/vgic-its.c:2210:9: error: implicit declaration of function 'save_lpi'\n");
  FX_ADD (m, w, "87a5b2c3d4.wl-bob@kernel.org",
          "Re: [PATCH v3 2/3] KVM: arm64: vgic-its: Drop the lock while walking",
          "Bob Reviewer", "bob@kernel.org", fx_at (10, 9, 12), fx_bob_body);
  FX_ADD (m, w, "a1b2c3@arm.com",
          "Re: [PATCH v3 0/3] KVM: arm64: vgic-its: Tidy up table save/restore",
          "Carol Acker", "carol@arm.com", fx_at (11, 14, 40),
          "For the series:\n\nAcked-by: Carol Acker <carol@arm.com>\n");
  FX_ADD (m, w, "171234.maz@kernel.org",
          "Re: [PATCH v3 0/3] KVM: arm64: vgic-its: Tidy up table save/restore",
          "Marc Maintainer", "maz@kernel.org", fx_at (13, 8, 0),
          "On Mon, 09 Nov 2026 10:05:00 +0000,\nAlice Example wrote:\n> This series tidies up\n\n"
          "Applied to next, thanks!\n\n[1/3] KVM: arm64: vgic-its: Factor out the table walker\n"
          "      commit: 0123456789ab\n\nCheers,\n\n\tM.\n");
  fx_tags (m->pdata[0], FALSE, "3", 0, 3, "KVM: arm64: vgic-its: Tidy up table save/restore");
  fx_tags (m->pdata[1], FALSE, "3", 1, 3, "KVM: arm64: vgic-its: Factor out the table walker");
  fx_tags (m->pdata[2], FALSE, "3", 2, 3, "KVM: arm64: vgic-its: Drop the lock while walking");
  fx_tags (m->pdata[3], FALSE, "3", 3, 3, "KVM: arm64: vgic-its: Save pending LPIs");
  fx_tags (m->pdata[4], TRUE, "3", 3, 3, "KVM: arm64: vgic-its: Save pending LPIs");
  fx_tags (m->pdata[5], TRUE, "3", 2, 3, "KVM: arm64: vgic-its: Drop the lock while walking");
  fx_tags (m->pdata[6], TRUE, "3", 0, 3, "KVM: arm64: vgic-its: Tidy up table save/restore");
  fx_tags (m->pdata[7], TRUE, "3", 0, 3, "KVM: arm64: vgic-its: Tidy up table save/restore");
  fx_patch (m->pdata[1], "Move the walker out of vgic_its_save_tables() so that\n"
            "restore can use it too.\n\nSigned-off-by: Alice Example <alice@example.org>",
            " arch/arm64/kvm/vgic/vgic-its.c | 48 ++++++++++++++++++++-----------\n"
            " 1 file changed, 30 insertions(+), 18 deletions(-)");
  fx_patch (m->pdata[2], "Walking the device table can sleep; drop the ITS lock\n"
            "around it. The table is only read, and `its->enabled` is\n"
            "rechecked after the lock is taken again.\n\n"
            "```\nnot a fence breaker\n```\n\n"
            "Signed-off-by: Alice Example <alice@example.org>",
            " arch/arm64/kvm/vgic/vgic-its.c | 12 ++++++++----\n"
            " 1 file changed, 8 insertions(+), 4 deletions(-)");
  fx_patch (m->pdata[3], "Save the pending bit of each LPI with its table entry.\n\n"
            "Signed-off-by: Alice Example <alice@example.org>",
            " arch/arm64/kvm/vgic/vgic-its.c | 20 ++++++++++++++++++++\n"
            " 1 file changed, 20 insertions(+)");
  t = fx_thread (w, "PATCH", m);
  t->is_series = TRUE;
  t->series.version = 3;
  t->series.version_str = g_strdup ("3");
  t->series.total = 3;
  t->series.received = 3;
  t->series.missing = g_array_new (FALSE, FALSE, sizeof (guint16));
  t->series.previous_id = g_strdup ("20261026090000.1-alice@example.org");
  t->series.previous_version_str = g_strdup ("2");
  t->series.previous_date = fx_at (9, 0, 0) - 14 * 86400 + 9 * 3600;
  fx_review (t, MD_TRAILER_REVIEWED_BY, "Bob Reviewer", "bob@kernel.org", 2, m->pdata[5]);
  fx_review (t, MD_TRAILER_ACKED_BY, "Carol Acker", "carol@arm.com", 0, m->pdata[6]);
  g_ptr_array_add (t->robot_failures, m->pdata[4]);
  g_ptr_array_add (t->applied, m->pdata[7]);
}

static void
fx_pmu_series (MdWeek *w)
{
  g_autoptr (GPtrArray) m = g_ptr_array_new ();
  guint16 four = 4;
  MdThread *t;

  FX_ADD (m, w, "pmu-v2-0@google.com",
          "[PATCH v2 0/4] KVM: arm64: Enforce the PMU event filter at vcpu_load()",
          "Colton Lewis", "coltonlewis@google.com", fx_at (11, 22, 13),
          "The PMU event filter is only applied when a counter is programmed.\n"
          "Apply it at vcpu_load() as well so a filter change takes effect at once.\n\n"
          "v2:\n - Split the selftest out\n");
  FX_ADD (m, w, "pmu-v2-1@google.com",
          "[PATCH v2 1/4] KVM: arm64: Move the PMU filter check",
          "Colton Lewis", "coltonlewis@google.com", fx_at (11, 22, 13), "");
  FX_ADD (m, w, "pmu-v2-2@google.com",
          "[PATCH v2 2/4] KVM: arm64: Apply the PMU filter at vcpu_load()",
          "Colton Lewis", "coltonlewis@google.com", fx_at (11, 22, 14), "");
  FX_ADD (m, w, "pmu-v2-3@google.com",
          "[PATCH v2 3/4] KVM: arm64: selftests: Test filter changes",
          "Colton Lewis", "coltonlewis@google.com", fx_at (11, 22, 14), "");
  FX_ADD (m, w, "nak-1@linaro.org",
          "Re: [PATCH v2 2/4] KVM: arm64: Apply the PMU filter at vcpu_load()",
          "Dave Nack", "dave@linaro.org", fx_at (12, 7, 45),
          "> Apply it at vcpu_load()\n\nNAK. This changes the ABI for existing VMMs that "
          "set the filter after the first run.\n\nNacked-by: Dave Nack <dave@linaro.org>\n");
  for (guint i = 0; i < 4; i++)
    fx_tags (m->pdata[i], FALSE, "2", i, 4, strchr (((MdRecord *) m->pdata[i])->subject, ']') + 2);
  fx_tags (m->pdata[4], TRUE, "2", 2, 4, "KVM: arm64: Apply the PMU filter at vcpu_load()");
  fx_patch (m->pdata[2], "Apply the event filter at vcpu_load().\n\nSigned-off-by: Colton Lewis <coltonlewis@google.com>",
            " arch/arm64/kvm/pmu-emul.c | 9 +++++++--\n 1 file changed, 7 insertions(+), 2 deletions(-)");
  t = fx_thread (w, "PATCH", m);
  t->is_series = TRUE;
  t->series.version = 2;
  t->series.version_str = g_strdup ("2");
  t->series.total = 4;
  t->series.received = 3;
  t->series.missing = g_array_new (FALSE, FALSE, sizeof (guint16));
  g_array_append_val (t->series.missing, four);
  g_ptr_array_add (t->naks, m->pdata[4]);
}

static void
fx_single_patch (MdWeek *w)
{
  g_autoptr (GPtrArray) m = g_ptr_array_new ();
  MdThread *t;

  FX_ADD (m, w, "single-1@kernel.org",
          "[PATCH] KVM: arm64: Use __always_inline for *_el2 accessors",
          "Will Deacon", "will@kernel.org", fx_at (14, 16, 20), "");
  fx_tags (m->pdata[0], FALSE, NULL, 0, 0, "KVM: arm64: Use __always_inline for *_el2 accessors");
  fx_patch (m->pdata[0], "The *_el2 accessors must be inlined in the nVHE object;\n"
            "mark them __always_inline.\n\nSigned-off-by: Will Deacon <will@kernel.org>",
            " arch/arm64/include/asm/kvm_emulate.h | 4 ++--\n 1 file changed, 2 insertions(+), 2 deletions(-)");
  t = fx_thread (w, "PATCH", m);
  t->is_series = TRUE;
}

static void
fx_discussion (MdWeek *w)
{
  g_autoptr (GPtrArray) m = g_ptr_array_new ();

  FX_ADD (m, w, "udelay-q@google.com", "Broken udelay() on KVM host with a vcpu loaded",
          "Quentin Perret", "qperret@google.com", fx_at (10, 12, 27),
          "Hi all,\n\nWhile testing pKVM I noticed that udelay() returns early when a vcpu\n"
          "is loaded, because CNTVOFF_EL2 is still applied on the host.\n\n"
          "Should __delay() read CNTVCT_EL0 directly?\n\nThanks,\nQuentin\n");
  FX_ADD (m, w, "udelay-m@kernel.org", "Re: Broken udelay() on KVM host with a vcpu loaded",
          "Marc Maintainer", "maz@kernel.org", fx_at (10, 12, 52),
          "On Tue, 10 Nov 2026 12:27:48 +0000, Quentin Perret wrote:\n> Should __delay() read CNTVCT_EL0 directly?\n\n"
          "Yes, forcing CNTVCT_EL0 in __delay() is the simplest fix.\nI'll send a patch.\n\nM.\n");
  FX_ADD (m, w, "udelay-w@kernel.org", "Re: Broken udelay() on KVM host with a vcpu loaded",
          "Will Deacon", "will@kernel.org", fx_at (13, 11, 50),
          "> I'll send a patch.\n\nThe vcpu mutex keeps this safe, so the patch is fine by me.\n");
  fx_thread (w, "Discussion", m);
}

static void
fx_continuing (MdWeek *w)
{
  g_autoptr (GPtrArray) m = g_ptr_array_new ();
  MdRecord *old = fx_record (w, &(FxMsg) { "lockorder-0@redhat.com",
      "KVM: arm64: question about the vgic lock order", "Paolo Bonzini",
      "pbonzini@redhat.com", FX_SINCE - 10 * 86400,
      "Is the its_lock always taken before the lpi_list_lock?\n" });
  MdThread *t;

  FX_ADD (m, w, "lockorder-1@arm.com", "Re: KVM: arm64: question about the vgic lock order",
          "Oliver Upton", "oliver.upton@linux.dev", fx_at (15, 9, 30),
          "> Is the its_lock always taken before the lpi_list_lock?\n\nYes, see the comment at the top of vgic.c.\n");
  t = fx_thread (w, "Other", m);
  g_ptr_array_add (t->earlier, old);
  g_free (t->id), t->id = g_strdup (old->message_id);
  g_free (t->subject), t->subject = g_strdup (old->subject);
  t->root_rec = old;
  t->started = old->date;
  t->continues = TRUE;
}

static gint
fx_cmp_contributor (gconstpointer a, gconstpointer b)
{
  const MdContributor *x = *(MdContributor *const *) a, *y = *(MdContributor *const *) b;
  if (x->messages != y->messages)
    return x->messages > y->messages ? -1 : 1;
  return g_strcmp0 (x->email ? x->email : x->domain, y->email ? y->email : y->domain);
}

static void
fx_count (GPtrArray *arr, GHashTable *index, const char *key, const MdRecord *r,
          gboolean domain)
{
  MdContributor *c = g_hash_table_lookup (index, key);

  if (c == NULL)
    {
      c = g_new0 (MdContributor, 1);
      if (domain)
        c->domain = g_strdup (key);
      else
        {
          c->name = g_strdup (r->from_name);
          c->email = g_strdup (key);
          c->bot = strcmp (key, "lkp@intel.com") == 0;
        }
      g_hash_table_insert (index, c->email ? c->email : c->domain, c);
      g_ptr_array_add (arr, c);
    }
  c->messages++;
}

/* Totals, categories, people and new patches, as facts.c would. */
static void
fx_facts (MdWeek *w)
{
  g_autoptr (GHashTable) people = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr (GHashTable) domains = g_hash_table_new (g_str_hash, g_str_equal);
  static const char *const cats[] = { "PATCH", "Discussion", "Other" };

  for (guint c = 0; c < G_N_ELEMENTS (cats); c++)
    {
      MdCategoryCount *cc = g_new0 (MdCategoryCount, 1);
      cc->name = g_strdup (cats[c]);
      for (guint i = 0; i < w->threads_v->len; i++)
        {
          MdThread *t = w->threads_v->pdata[i];
          if (strcmp (t->category, cats[c]) != 0)
            continue;
          cc->threads++;
          cc->messages += t->messages->len;
          for (guint j = 0; j < t->messages->len; j++)
            {
              const MdRecord *r = t->messages->pdata[j];
              if (c == 0 && !r->tags.reply && md_record_has_flag (r, MD_REC_HAS_PATCH))
                g_ptr_array_add (w->patches, (gpointer) r);
              fx_count (w->contributors, people, r->from_email, r, FALSE);
              if (!g_str_equal (r->from_email, "lkp@intel.com"))
                fx_count (w->domains, domains, strchr (r->from_email, '@') + 1, r, TRUE);
            }
        }
      w->messages += cc->messages;
      w->threads += cc->threads;
      g_ptr_array_add (w->categories, cc);
    }
  g_ptr_array_sort (w->contributors, fx_cmp_contributor);
  g_ptr_array_sort (w->domains, fx_cmp_contributor);
}

static MdWeek *
fx_week (void)
{
  MdWeek *w = md_week_new ("kvmarm", FX_SINCE, FX_UNTIL);

  w->generated = FX_UNTIL + 6 * 3600 + 30 * 60 + 45;
  fx_its_series (w);
  fx_pmu_series (w);
  fx_single_patch (w);
  fx_discussion (w);
  fx_continuing (w);
  fx_facts (w);
  return w;
}

/* Every message text of thread T, for "never invents" checks. */
G_GNUC_UNUSED static GPtrArray *
fx_thread_texts (const MdThread *t)
{
  GPtrArray *texts = g_ptr_array_new ();
  GPtrArray *sets[] = { t->messages, t->earlier };

  for (guint s = 0; s < G_N_ELEMENTS (sets); s++)
    for (guint i = 0; i < sets[s]->len; i++)
      {
        const MdRecord *r = sets[s]->pdata[i];
        g_ptr_array_add (texts, r->body);
        if (r->commit_msg)
          g_ptr_array_add (texts, r->commit_msg);
      }
  return texts;
}
