#!/bin/sh
# make demo / contrib/demo.sh: the bundled sample week by default; any
# mbox (plain or compressed) with DEMO_MBOX, its busiest week and list
# found when DEMO_WEEK and DEMO_LIST are not given; every run ends with
# the complete mail --send would send.
. "$(dirname "$0")/lib/tap.sh"

demo () { MLDIGEST_DEMO=$TMP/demo sh "$TOP/contrib/demo.sh" >"$TMP/out" 2>"$TMP/err"; echo $? >"$TMP/rc"; }
rc () { cat "$TMP/rc"; }
has () { grep -q -- "$1" "$TMP/out" || { diag "not in the output: $1"; return 1; }; }

# ---- the sample
demo
is "$(rc)" 0 'the default demo runs'
ok '... on the sample week of kvmarm' has 'demo: sample.mbox, list kvmarm, week 2026-W46'
ok '... prints the zh-CN report first' sh -c "head -n 1 '$TMP/out' | grep -q '^# KVMARM'"
ok '... and ends with the mail' sh -c "has () { grep -q -- \"\$1\" '$TMP/out'; }; has '^To: kvmarm@lists.example.org' && has '^Subject: \\[kvmarm\\]' && has '^Content-Type: multipart/alternative'"
ok '... and leaves HTML and text beside it' test -s "$TMP/demo/report.html" -a -s "$TMP/demo/report.text"

# ---- another mbox, compressed: two lists over two weeks
/usr/bin/python3 - "$TMP/two.mbox" <<'PY'
import sys
with open(sys.argv[1], "w") as f:
    n = 0
    for lst, count, day in (("kvm.vger.kernel.org", 12, 3),
                            ("linux-arm-kernel.lists.infradead.org", 20, 4),
                            ("kvm.vger.kernel.org", 5, 10)):
        for i in range(count):
            n += 1
            f.write(f"From a@b Mon Mar {day:2d} 12:00:00 2021\nFrom: Dev {i} <dev{i}@example.org>\n"
                    f"Subject: [PATCH] thing {n}\nDate: Wed, {day} Mar 2021 12:{i:02d}:00 +0000\n"
                    f"Message-ID: <m{n}@example.org>\nList-Id: <{lst}>\n\nbody {n}\n\n")
PY
xz -k "$TMP/two.mbox"
DEMO_MBOX=$TMP/two.mbox.xz demo
is "$(rc)" 0 'DEMO_MBOX=file.xz runs'
ok '... and picks the busiest week and its busiest list' has 'demo: two.mbox.xz, list linux-arm-kernel, week 2021-W09'
ok '... and mails it to that list' has '^To: linux-arm-kernel@lists.example.org'
DEMO_MBOX=$TMP/two.mbox DEMO_WEEK=2021-W10 DEMO_LIST=kvm DEMO_LANG=en demo
is "$(rc)" 0 'DEMO_WEEK, DEMO_LIST and DEMO_LANG are obeyed'
ok '... list and week' has 'demo: two.mbox, list kvm, week 2021-W10'
ok '... in English' has '^Subject: \[kvm\] weekly digest 2021-W10'
ok '... with that week only' grep -q 'thing 3[0-9]' "$TMP/demo/report.md"
DEMO_MBOX=$TMP/two.mbox DEMO_WEEK=March demo
is "$(rc)" 1 'a DEMO_WEEK that is no ISO week is refused'
ok '... saying so' grep -q 'DEMO_WEEK' "$TMP/err"
DEMO_MBOX=$TMP/nonexistent demo
is "$(rc)" 1 'a DEMO_MBOX that cannot be read is refused'

# ---- through make, as the README says
SAN=
[ "$(basename "$BUILD")" = build-san ] && SAN=SANITIZE=1
MLDIGEST_DEMO=$TMP/mk DEMO_MBOX=$TMP/two.mbox DEMO_WEEK=2021-W09 \
  make -C "$TOP" --no-print-directory -s demo $SAN >"$TMP/out" 2>"$TMP/err"
is "$?" 0 'DEMO_MBOX=... DEMO_WEEK=... make demo'
ok '... reports that week' has 'week 2021-W09'

# ---- a real archive, when the corpus is there
ARCHIVE=$CORPUS/archive/kvmarm-2019-2021.mbox.xz
if [ -r "$ARCHIVE" ]; then
  DEMO_MBOX=$ARCHIVE DEMO_WEEK=2021-W10 demo
  is "$(rc)" 0 'the kvmarm archive, 2021-W10'
  ok '... has its threads' sh -c "grep -c '^### ' '$TMP/demo/report.md' | grep -qv '^0$'"
  ok '... and its mail' has '^Subject: \[kvmarm\]'
else
  skip "no corpus archive at $ARCHIVE"
fi
done_testing
