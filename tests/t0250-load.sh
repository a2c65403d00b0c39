#!/bin/sh
# Load: 64 filters at once deliver LOAD_MESSAGES real archive messages
# (5,000) plus second copies of LOAD_COPIES (500) of them, in a shuffled
# order, while an aggregator renders the week's report in a loop.
# Every message is recorded exactly once, no filter exits other than 0,
# no report fails or sees a record it cannot read, the index checks
# clean.  Prints durations, rates and peak memory.
. "$(dirname "$0")/lib/tap.sh"
need_corpus
need_cmd xz
need_cmd tdbtool
[ -x /usr/bin/time ] || skip_all '/usr/bin/time (package time) is not installed'
. "$TOP/tests/lib/archive.sh"

N=${LOAD_MESSAGES:-5000}
COPIES=${LOAD_COPIES:-500}
JOBS=${LOAD_JOBS:-64}

archive_split "$N" "$TMP/msgs"
msgids "$TMP/msgs"/* | sort -u >"$TMP/expected"
# The deliveries: every message once, every (N/COPIES)th twice, shuffled
# with a fixed seed so that a failure can be replayed.
ls "$TMP/msgs"/* >"$TMP/once"
awk -v step=$((N / COPIES)) 'NR % step == 0' "$TMP/once" | head -n "$COPIES" >"$TMP/twice"
cat "$TMP/once" "$TMP/twice" |
  awk 'BEGIN { srand(11) } { print rand() "\t" $0 }' | sort | cut -f2 >"$TMP/order"
deliveries=$(wc -l <"$TMP/order")

: >"$TMP/errors"
: >"$TMP/times"
export FILTER AGGREGATE ERRORS="$TMP/errors" TIMES="$TMP/times"

# The reader: the default window (the last 7 days by arrival) holds
# everything delivered so far.  Each report must succeed, skip no record
# and never count fewer messages than the one before: it sees committed
# transactions only, whole.
counts () {
  /usr/bin/python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))
print(d["skipped"], d["totals"]["messages"])' "$1"
}
reporter () {
  n=0 prev=0
  while [ ! -e "$TMP/done" ]; do
    # Until the first filter has created the index and committed a
    # message there is nothing to report.
    if [ "$prev" -eq 0 ] && ! tdbdump "$MLDIGEST_INDEX" 2>/dev/null | grep -q '"m:'; then
      sleep 0.05; continue
    fi
    n=$((n + 1))
    if ! /usr/bin/time -a -o "$TMP/agg-times" -f '%e %M' \
         "$AGGREGATE" --format json -o "$TMP/r.json" 2>>"$ERRORS"; then
      echo "report $n: exit status not 0" >>"$ERRORS"; continue
    fi
    read -r skipped count <<EOF
$(counts "$TMP/r.json")
EOF
    [ "$skipped" = 0 ] || echo "report $n: $skipped records skipped" >>"$ERRORS"
    [ "$count" -ge "$prev" ] || echo "report $n: $count messages after $prev" >>"$ERRORS"
    prev=$count
    "$AGGREGATE" --format html -o "$TMP/r.html" 2>>"$ERRORS" ||
      echo "report $n (html): exit status not 0" >>"$ERRORS"
  done
  echo "$n $prev" >"$TMP/reports"
}
reporter &
reporter_pid=$!
stop_reporter () { : >"$TMP/done"; wait "$reporter_pid" 2>/dev/null; }
at_exit stop_reporter

start=$(date +%s.%N)
xargs -P"$JOBS" -n1 sh -c \
  '/usr/bin/time -a -o "$TIMES" -f "%e %M %x" "$FILTER" --list kvmarm <"$1" 2>>"$ERRORS" ||
     echo "filter: exit $? for $1" >>"$ERRORS"' sh <"$TMP/order"
end=$(date +%s.%N)
: >"$TMP/done"
wait "$reporter_pid"

read -r reports _ <"$TMP/reports"
awk -v s="$(awk "BEGIN { print $end - $start }")" -v n="$deliveries" -v j="$JOBS" 'BEGIN {
  printf "# %d deliveries by %d filters at once: %.1f s, %.0f messages/s\n", n, j, s, n / s }' >&2
sort -n "$TMP/times" | awk '{ t[NR] = $1; if ($2 > m) m = $2 } END {
  printf "# one filter: median %.3f s, slowest %.2f s, peak RSS %d KiB\n", t[int((NR + 1) / 2)], t[NR], m }' >&2
awk -v r="$reports" '{ t += $1; if ($2 > m) m = $2 } END {
  printf "# aggregator: %d reports (json + html) meanwhile, %.2f s each on average, peak RSS %d KiB\n", r, NR ? t / NR : 0, m }' "$TMP/agg-times" >&2

is "$(cat "$TMP/errors")" '' 'no filter or report failed, timed out or said anything'
is "$(awk '$3 != 0' "$TMP/times" | wc -l)" 0 "all $deliveries filters exited 0"
is "$(wc -l <"$TMP/times")" "$deliveries" 'and every one of them ran'
ok "reports rendered all along ($reports)" test "$reports" -gt 1

recorded_ids "$MLDIGEST_INDEX" >"$TMP/recorded"
n=$(wc -l <"$TMP/expected")
is "$(wc -l <"$TMP/recorded")" "$n" "as many messages recorded as distinct Message-IDs sent ($n)"
ok 'and exactly those' cmp -s "$TMP/expected" "$TMP/recorded"
ok 'the index is consistent (tdbtool check)' \
  sh -c "tdbtool '$MLDIGEST_INDEX' check | grep -q 'Database integrity is OK'"

# Exactly once: each message is listed once in the arrival index and
# once in the thread lists, however many copies came in.
tdbdump "$MLDIGEST_INDEX" | sed -n '/^key([0-9]*) = "a:kvmarm:/{n;p}' |
  sed 's/^data([0-9]*) = "//; s/"$//; s/\\00/\n/g' | sed '/^$/d' | sort >"$TMP/arrivals"
ok 'every message appears once in the arrival index' cmp -s "$TMP/recorded" "$TMP/arrivals"
tdbdump "$MLDIGEST_INDEX" | sed -n '/^key([0-9]*) = "t:/{n;p}' |
  sed 's/^data([0-9]*) = "//; s/"$//; s/\\00/\n/g' | sed '/^$/d' | sort >"$TMP/members"
ok 'every message appears once in the thread lists' cmp -s "$TMP/recorded" "$TMP/members"

# A last report sees them all (its window ends now, exclusive: a second
# later, so that the last second's deliveries are in).
MLDIGEST_NOW=$(($(date +%s) + 1)) "$AGGREGATE" --format json -o "$TMP/final.json"
is "$(counts "$TMP/final.json")" \
  "0 $n" 'a report after the load counts every message, none skipped'

done_testing
