#!/bin/sh
# mldigest-aggregate --expire: messages older than [index] keep_days go,
# with their thread, time-index and series entries; the aggregator's state
# (x: keys) stays; the file shrinks; filters delivering all the while
# exit 0 or 75 only, and every message they recorded (0) is there at the
# end: none is lost to the file being replaced under them.
. "$(dirname "$0")/lib/tap.sh"
need_cmd tdbtool

IDX=$MLDIGEST_INDEX
CONF=$TMP/conf
printf '[index]\nkeep_days = 30\n' >"$CONF"
export MLDIGEST_CONFIG=$CONF
keys () { tdbdump "$IDX" | sed -n 's/^key([0-9]*) = "\(.*\)"$/\1/p'; }
count () { keys | grep -c "^$1" ; }

# ---- an archive of old mail (arrived in 2020, by its From_ lines): 1500
# messages in threads of five, a series cover letter every thread
/usr/bin/python3 - "$TMP/old.mbox" <<'PY'
import sys
with open(sys.argv[1], "w") as f:
    for i in range(1500):
        t, n = divmod(i, 5)
        day = 1 + t % 28
        subj = f"[PATCH v1 0/4] old series {t}" if n == 0 else f"Re: [PATCH v1 0/4] old series {t}"
        f.write(f"From old@example.org Mon Jun {day:2d} 12:00:00 2020\n")
        f.write(f"From: Old <old{t}@example.org>\nSubject: {subj}\n")
        f.write(f"Date: Mon, {day} Jun 2020 12:00:{n:02d} +0000\n")
        f.write(f"Message-ID: <old{i}@example.org>\n")
        if n:
            f.write(f"In-Reply-To: <old{t*5}@example.org>\nReferences: <old{t*5}@example.org>\n")
        f.write("List-Id: <kvmarm.lists.cs.columbia.edu>\n\n" + "old text line\n" * 40)
        f.write(f"change-id: 20200601-old-{t}\n\n" if n == 0 else "\n")
PY
"$FILTER" --quiet --mbox "$TMP/old.mbox"
msg () {
  printf 'From: New <new@example.org>\nSubject: %s\n' "$2"
  printf 'Date: %s\nMessage-ID: <%s>\n' "$(date -R)" "$1"
  [ -n "${3:-}" ] && printf 'In-Reply-To: <%s>\nReferences: <%s>\n' "$3" "$3"
  printf 'List-Id: <kvmarm.lists.cs.columbia.edu>\n\nnew text\n'
}
msg new0@example.org '[PATCH v2 0/4] old series 7' | "$FILTER"
msg new1@example.org 'Re: old series 3' old15@example.org | "$FILTER"
tdbtool "$IDX" store 'x:summary:old0@example.org' 'a summary' >/dev/null
tdbtool "$IDX" store 'x:sent:kvmarm/2020-W23' 'sent' >/dev/null
is "$(count m:)" 1502 'before: 1,500 old and 2 new messages'
ok '... and change-id entries' test "$(count c:)" -gt 0
before=$(stat -c %s "$IDX")
# the bytes of data TDB counts in a file (tdbtool info)
data () { tdbtool "$1" info | sed -n 's|^Size of file/data: [0-9]*/\([0-9]*\)$|\1|p'; }
before_data=$(data "$IDX")
printf 'garbage' >"$IDX.expire"   # what a crash in mid-copy leaves

# ---- filters deliver while --expire runs again and again
deliverer () {   # W: 60 messages, each retried on 75 as an MTA would
  w=$1 i=0
  while [ $i -lt 60 ]; do
    while :; do
      msg "w$w-$i@example.org" "live $w $i" | "$FILTER" --lock-timeout 20000 2>>"$TMP/filter.err"
      rc=$?
      echo "$rc" >>"$TMP/rcs.$w"
      [ "$rc" = 75 ] || break
      sleep 0.1
    done
    [ "$rc" = 0 ] && echo "w$w-$i@example.org" >>"$TMP/recorded.$w"
    i=$((i + 1))
  done
}
pids=
for w in 1 2 3; do deliverer $w & pids="$pids $!"; done
exp_rcs=
for n in 1 2 3 4 5 6; do
  "$AGGREGATE" --expire >>"$TMP/expire.out" 2>>"$TMP/expire.err"
  exp_rcs="$exp_rcs$?"
  sleep 0.2
done
for p in $pids; do wait "$p"; done
is "$exp_rcs" 000000 'six expiries during the deliveries succeed'
is "$(cat "$TMP"/rcs.* | sort -u | grep -v '^0$' | grep -v '^75$' | tr '\n' ' ')" '' \
  'the filters exited 0 or 75 only'
cat "$TMP"/recorded.* | sort >"$TMP/recorded"
is "$(wc -l <"$TMP/recorded" | tr -d ' ')" 180 'every message was recorded in the end (75s retried)'
keys | sed -n 's/^m://p' | sort >"$TMP/have"
is "$(comm -23 "$TMP/recorded" "$TMP/have" | wc -l | tr -d ' ')" 0 'no recorded message is missing from the index'
diag "filter exits: $(cat "$TMP"/rcs.* | sort | uniq -c | tr -s ' \n' ' ')"
# the deliverers may record any number before the first expiry gets the lock
ok 'the first expiry removed the old mail' sh -c "head -n 1 '$TMP/expire.out' | grep -q ': 1500 of 1[5-6][0-9][0-9] messages removed'"
first=$(head -n 1 "$TMP/expire.out" | sed 's/.*removed; //; s/ bytes$//')
diag "first expiry: $(head -n 1 "$TMP/expire.out" | sed 's/^[^:]*: //')"
# A new index already holds its room and recovery area (a few MiB): the
# file expiry leaves is that size, the data in it a fraction.
"$FILTER" --index "$TMP/fresh.tdb" <<'MSG'
From: a@example.org
Subject: fresh
Message-ID: <fresh@example.org>

x
MSG
floor=$(stat -c %s "$TMP/fresh.tdb")
ok '... and gave the space back (no larger than a new index)' \
  test "${first##* }" -le "$((floor + floor / 10))"

# ---- what is left (after one more expiry, with no one delivering)
"$AGGREGATE" --expire >/dev/null
after=$(stat -c %s "$IDX")
diag "index: $before bytes before, $after after"
diag "data: $before_data bytes before, $(data "$IDX") after; a new index: $floor bytes"
ok 'the file is no larger than a new index' test "$after" -le "$((floor + floor / 10))"
ok 'the data in it is a fraction of what it was' test "$(data "$IDX")" -lt "$((before_data / 4))"
is "$(count m:)" 182 'the 2 new messages and the 180 delivered are left'
is "$(count m:old)" 0 'no old message record is left'
is "$(count c:)" 0 'no change-id entry is left (they were all old)'
is "$(keys | grep -c '^[ad]:kvmarm:2020')" 0 'no time-index bucket of 2020 is left'
# the id lists (thread, time index, series) name no removed message
tdbdump "$IDX" | /usr/bin/python3 -c '
import re, sys
key = None
for line in sys.stdin:
    m = re.match(r"^(key|data)\(\d+\) = \"(.*)\"$", line.rstrip("\n"))
    if not m: continue
    text = re.sub(r"\\([0-9A-F]{2})", lambda h: chr(int(h.group(1), 16)), m.group(2))
    if m.group(1) == "key": key = text; continue
    if key[:2] in ("t:", "a:", "d:", "s:", "c:"):
        for e in text.split("\0"):
            if re.match(r"old\d+@", e): print(key, e)
' >"$TMP/stale"
is "$(wc -l <"$TMP/stale" | tr -d ' ')" 0 'no thread, time-index, series or change-id entry names a removed message'
is "$(keys | grep -c '^x:')" 2 'the aggregator state (summaries, sent digests) is kept'
ok 'the new reply keeps its thread entry' sh -c "tdbdump '$IDX' | grep -q 'new1@example.org'"
ok 'no .expire file is left behind' test ! -e "$IDX.expire"
ok 'tdbtool finds the file sound' sh -c "tdbtool '$IDX' check | grep -q 'integrity is OK'"
"$AGGREGATE" --format json >"$TMP/week.json"
is "$?" 0 'the aggregator reads the expired index'
ok '... and sees this week' grep -q 'w1-0@example.org' "$TMP/week.json"

# ---- an expiry killed at any moment leaves a sound index that filters
# keep writing to, holding every message or none of the old ones
for delay in 0.02 0.1 0.3; do
  "$FILTER" --quiet --mbox "$TMP/old.mbox"
  "$AGGREGATE" --expire >/dev/null 2>&1 &
  pid=$!
  sleep "$delay"
  kill -9 "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null
  msg "after-kill-$delay@example.org" "after a kill" | "$FILTER"
  rc=$?
  n=$(count m:old)
  ok "killed after ${delay}s: the next delivery exits 0" test "$rc" = 0
  ok "... the file is sound" sh -c "tdbtool '$IDX' check | grep -q 'integrity is OK'"
  ok "... the old messages are all there or all gone ($n)" sh -c "[ $n = 1500 ] || [ $n = 0 ]"
  ok "... and the new one is there" sh -c "tdbdump '$IDX' | grep -q 'm:after-kill-$delay@example.org'"
done
"$AGGREGATE" --expire >/dev/null
ok 'the next expiry leaves no .expire behind' test ! -e "$IDX.expire"
is "$(count m:old)" 0 '... and removes the old mail'

# ---- keep_days unset: refused, nothing touched
printf '[index]\n' >"$CONF"
"$AGGREGATE" --expire 2>"$TMP/err"
is "$?" 78 'without keep_days --expire is a configuration error'
ok '... that says so' grep -q 'keep_days is not set' "$TMP/err"

# ---- per-list files: every list's file, or the one of --list
printf '[index]\npath = %s/pl/{list}.tdb\nkeep_days = 30\n' "$TMP" >"$CONF"
unset MLDIGEST_INDEX
"$FILTER" --quiet --list kvmarm --mbox "$TMP/old.mbox"
"$FILTER" --quiet --list kvm --mbox "$TMP/old.mbox"
"$AGGREGATE" --expire --list kvm >"$TMP/one.out"
ok '--expire --list expires that file only' sh -c "grep -c removed '$TMP/one.out' | grep -qx 1 && grep -q 'pl/kvm.tdb: 1500 of 1500' '$TMP/one.out'"
"$AGGREGATE" --expire >"$TMP/all.out"
ok '--expire without --list does every list file' sh -c "grep -q 'pl/kvmarm.tdb: 1500 of 1500' '$TMP/all.out' && grep -q 'pl/kvm.tdb: 0 of 0' '$TMP/all.out'"
done_testing
