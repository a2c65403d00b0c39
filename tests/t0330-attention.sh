#!/bin/sh
# Real weeks of the kvmarm archive: the "needs attention" list of a week
# checked by hand, and the category of every thread automatic mail alone
# makes (build robots' replies to patches posted elsewhere).
#
# 2021-W10 (2021-03-08 .. 03-15), checked against the mbox:
# - Gavin Shan's "[PATCH v2 00/21] Support SDEI Virtualization" and
#   "[PATCH v2 00/17] Support Asynchronous Page Fault" (2021-02-09): in
#   the whole archive nothing but his own patches refers to them;
# - six vN posted that week while comments on v(N-1) had no reply from
#   the author, e.g. Marc Zyngier's "[PATCH v2 0/2] KVM: arm64: Assorted
#   IPA size fixes" after Will Deacon's 20210309114031.GA28091 on the
#   v1, and Shenming Lu's v4 after Marc's 87sg52f3rt on the v3 cover
#   letter (the v3's NAK is not listed: the v4 answers it).
. "$(dirname "$0")/lib/tap.sh"
need_corpus
need_cmd xz

ARCHIVE=$CORPUS/archive/kvmarm-2019-2021.mbox.xz
[ -f "$ARCHIVE" ] || skip_all "no $ARCHIVE"
PY=/usr/bin/python3

xz -dc "$ARCHIVE" > "$TMP/archive.mbox"
ok 'the archive imports' "$FILTER" --quiet --mbox "$TMP/archive.mbox" --list kvmarm

ok '2021-W10 aggregates' "$AGGREGATE" --format json --list kvmarm --week 2021-W10 -o "$TMP/w10.json"
$PY - "$TMP/w10.json" > "$TMP/w10.got" <<'EOF'
import json, sys
for a in json.load(open(sys.argv[1]))["attention"]:
    print(a["reason"], a["waited_days"], a["message_id"], " ".join(a["links"]))
EOF
cat > "$TMP/w10.want" <<'EOF'
waiting 33 20210209032733.99996-1-gshan@redhat.com 
waiting 33 20210209050403.103143-1-gshan@redhat.com 
review 18 20210310094319.18760-1-wangyanan55@huawei.com 70b2d6c2-709b-d63b-1409-b16dad89b9b6@arm.com 8735xl1i1u.wl-maz@kernel.org 444ebdfd-17f9-b619-60c8-39989a7b7972@arm.com
review 10 20210310175751.3320106-1-qperret@google.com 20210304133900.GB21229@willie-the-truck 20210304140602.GC21229@willie-the-truck 20210304140935.GD21229@willie-the-truck
review 6 1615355590-21102-1-git-send-email-anshuman.khandual@arm.com 20210308133053.GA26128@willie-the-truck 20210308150232.GA14159@c02td0uthf1t.local
review 5 20210310104208.3819061-1-maz@kernel.org 20210309114031.GA28091@willie-the-truck
review 4 20210311100016.3830038-1-maz@kernel.org ddcb2d37-c16b-6972-b0c3-d98a957828d7@redhat.com
review 3 20210313083900.234-1-lushenming@huawei.com 87sg52f3rt.wl-maz@kernel.org 87mtv8g3dg.wl-maz@kernel.org
EOF
if diff -u "$TMP/w10.want" "$TMP/w10.got" >&2; then pass '2021-W10: the attention list checked by hand'
else fail '2021-W10: the attention list checked by hand'; fi

"$AGGREGATE" --list kvmarm --week 2021-W10 --lang en -o "$TMP/w10.md"
ok 'the English report opens with it' sh -c "sed -n '1,12p' '$TMP/w10.md' | grep -q '^## ⚠️ Needs attention'"
ok '... the oldest wait first' grep -q '^- \*\*No reply for 33 days\*\*: \[PATCH v2 00/21\] Support SDEI Virtualization' "$TMP/w10.md"
"$AGGREGATE" --list kvmarm --week 2021-W10 -o "$TMP/w10.zh.md"
ok 'the Chinese report too' grep -q '^- \*\*33 天无人回复\*\*：\[PATCH v2 00/21\]' "$TMP/w10.zh.md"
"$AGGREGATE" --list kvmarm --week 2021-W10 --format facts -o "$TMP/w10.facts"
ok '--format facts lists them too' grep -q '^needs attention: 8$' "$TMP/w10.facts"
ok '... the oldest first, with the wait' sh -c "grep -A1 '^needs attention' '$TMP/w10.facts' | grep -q '^  waiting   33 d  \\[PATCH v2 00/21\\] Support SDEI Virtualization (Gavin Shan <gshan@redhat.com>, since 2021-02-09 03:27)'"
"$AGGREGATE" --list kvmarm --week 2021-W10 --template update -o "$TMP/w10.up.md"
ok 'the update layout: a short list' grep -q '^- review, 3 days: \[PATCH v4 0/6\]' "$TMP/w10.up.md"
printf '[list kvmarm]\nattention_max = 3\nattention_days = 40\n' > "$TMP/conf"
"$AGGREGATE" --config "$TMP/conf" --list kvmarm --week 2021-W10 --format json -o "$TMP/w10-3.json"
is "$($PY -c 'import json,sys; print(" ".join(a["reason"] for a in json.load(open(sys.argv[1]))["attention"]))' "$TMP/w10-3.json")" \
  'review review review' 'attention_max and attention_days are read'

# Every week with mail from a build robot or pr-tracker-bot: a thread
# such mail alone stands for (its root never seen) is not a PATCH thread.
$PY - "$TMP/archive.mbox" > "$TMP/weeks" <<'EOF'
import email.utils, mailbox, sys
weeks = set()
for m in mailbox.mbox(sys.argv[1]):
    if any(b in (m["From"] or "") for b in ("lkp@intel.com", "pr-tracker-bot@", "bot@kernelci.org")):
        try:
            y, w, _ = email.utils.parsedate_to_datetime(m["Date"]).isocalendar()
            weeks.add("%d-W%02d" % (y, w))
        except Exception:
            pass
print("\n".join(sorted(weeks)))
EOF
mkdir "$TMP/json"
while read -r week; do
  "$AGGREGATE" --format json --list kvmarm --week "$week" -o "$TMP/json/$week.json"
done < "$TMP/weeks"
$PY - "$TMP/json"/*.json > "$TMP/auto" <<'EOF'
import json, sys
bots = ("lkp@intel.com", "pr-tracker-bot@kernel.org", "bot@kernelci.org")
n = bad = 0
for path in sys.argv[1:]:
    for t in json.load(open(path))["threads"]:
        msgs = t["earlier"] + t["messages"]
        if t["root_missing"] and msgs and all(m["from_email"] in bots for m in msgs):
            n += 1
            if t["category"] != "Other":
                bad += 1
                print("#", path, t["subject"], t["category"], file=sys.stderr)
print(n, bad)
EOF
read -r n bad < "$TMP/auto"
diag "$n threads of automatic mail alone in $(wc -l < "$TMP/weeks") weeks"
ok 'the corpus has such threads' test "$n" -gt 0
is "$bad" 0 'none of them is filed by the [PATCH] it quotes'
done_testing
