#!/bin/sh
# A lock held by another process longer than the filter's --lock-timeout:
# the filter exits 75 within the bound, writes nothing, and records the
# message once the lock is gone.  Every lock TDB may wait for: the
# transaction lock (another writer), every chain for writing (tdbtool,
# a lockall), every chain for reading (a long traverse, tdbbackup) and a
# single chain for reading (a reader stopped in the middle of a fetch),
# which blocks the commit's lock upgrade.
. "$(dirname "$0")/lib/tap.sh"
need_corpus
need_cmd xz
need_cmd tdbtool
. "$TOP/tests/lib/archive.sh"

HOLD=$BUILD/tests/helpers/tdb-hold
[ -x "$HOLD" ] || { echo "Bail out! $HOLD is not built (make check builds it)"; exit 1; }
BOUND_MS=1500
# The bound plus start-up, parsing and a loaded machine's scheduling.
SLACK_MS=2500

archive_split 20 "$TMP/msgs"
"$FILTER" --list kvmarm <"$TMP/msgs/00001.eml" || echo 'Bail out! the first delivery failed'

now_ms () { echo $(($(date +%s%N) / 1000000)); }

holder=
stop_holder () { [ -n "$holder" ] && kill "$holder" 2>/dev/null; wait "$holder" 2>/dev/null; holder=; }
at_exit stop_holder
# hold MODE MS: start the helper and wait until it holds the lock.
hold () {
  rm -f "$TMP/held"
  "$HOLD" "$MLDIGEST_INDEX" "$1" "$2" >"$TMP/held" &
  holder=$!
  for _ in $(seq 100); do
    [ -s "$TMP/held" ] && return 0
    sleep 0.05
  done
  return 1
}
# timed CMD...: run it, set $rc and $ms (its wall time).
timed () {
  t0=$(now_ms)
  "$@" 2>"$TMP/stderr"
  rc=$?
  ms=$(($(now_ms) - t0))
}

n=1
for mode in transaction lockall readall chain:m:nothing-here@example.org; do
  n=$((n + 1))
  msg=$TMP/msgs/$(printf %05d "$n").eml
  tdbdump "$MLDIGEST_INDEX" >"$TMP/before"
  ok "$mode: the other process holds it" hold "$mode" 60000
  # timeout(1) only turns a hang into a failure instead of a stuck test.
  timed timeout 60 "$FILTER" --list kvmarm --lock-timeout $BOUND_MS <"$msg"
  is "$rc" 75 "$mode: exit 75 (retry later)"
  ok "$mode: within the bound ($ms ms for --lock-timeout $BOUND_MS)" \
    test "$ms" -ge $BOUND_MS -a "$ms" -le $((BOUND_MS + SLACK_MS))
  ok "$mode: says why" grep -q 'lock' "$TMP/stderr"
  stop_holder
  tdbdump "$MLDIGEST_INDEX" >"$TMP/after"
  ok "$mode: nothing written" cmp -s "$TMP/before" "$TMP/after"
  is "$("$FILTER" --list kvmarm <"$msg"; echo $?)" 0 "$mode: recorded once the lock is gone"
done

# A bulk import waits no longer either.
xz -dc "$ARCHIVE" | head -c 2000000 >"$TMP/part.mbox"
hold transaction 60000
timed timeout 60 "$FILTER" --mbox "$TMP/part.mbox" --list kvmarm --lock-timeout $BOUND_MS
is "$rc" 75 'an import: exit 75 while another writer holds the lock'
ok "an import: within the bound ($ms ms)" test "$ms" -le $((BOUND_MS + SLACK_MS))
stop_holder
hold lockall 60000
timed timeout 60 "$FILTER" --show "$(msgids "$TMP/msgs/00001.eml")" --lock-timeout $BOUND_MS
ok "--show gives up too while every chain is locked ($ms ms, exit $rc)" \
  test "$rc" -ne 0 -a "$rc" -ne 124 -a "$ms" -le $((BOUND_MS + SLACK_MS))
stop_holder

# A lock that goes away before the bound: the filter waits for it and
# records the message.
msg=$TMP/msgs/00010.eml
hold transaction 1200
timed "$FILTER" --list kvmarm --lock-timeout 10000 <"$msg"
is "$rc" 0 'a lock held 1.2 s: the filter waits and records the message'
ok "and it did wait ($ms ms)" test "$ms" -ge 1000
wait "$holder"; holder=
hold readall 1200
timed "$FILTER" --list kvmarm --lock-timeout 10000 <"$TMP/msgs/00011.eml"
is "$rc" 0 'every chain read-locked for 1.2 s: the commit waits and records'
wait "$holder"; holder=

ok 'the index is consistent (tdbtool check)' \
  sh -c "tdbtool '$MLDIGEST_INDEX' check | grep -q 'Database integrity is OK'"
is "$(recorded_ids "$MLDIGEST_INDEX" | wc -l)" 7 'seven messages recorded, each once'

done_testing
