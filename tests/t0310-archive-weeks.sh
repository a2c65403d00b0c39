#!/bin/sh
# The whole kvmarm archive (11,951 messages, July 2019 to June 2021)
# imported once, then every ISO week of it aggregated to JSON and checked
# against an independent reading of the mbox (tests/lib/check-weeks.py):
# totals add up, every window message in exactly one thread, subjects
# decoded and on one line, threads in time order and in agreement with a
# strict References/In-Reply-To grouping except where a rule-made join
# explains it, and previous versions found for the v2+ series.
. "$(dirname "$0")/lib/tap.sh"
need_corpus
need_cmd python3
need_cmd xz

ARCHIVE=$CORPUS/archive/kvmarm-2019-2021.mbox.xz
[ -f "$ARCHIVE" ] || skip_all "no $ARCHIVE"

xz -dc "$ARCHIVE" > "$TMP/archive.mbox"
start=$(date +%s)
ok 'the archive imports' "$FILTER" --mbox "$TMP/archive.mbox" --list kvmarm
imported=$(date +%s)
diag "import: $((imported - start)) s"

# Every ISO week from the oldest Date to the newest.
python3 - "$TMP/archive.mbox" > "$TMP/weeks" <<'EOF'
import email.utils, mailbox, sys
from datetime import timedelta, timezone
dates = []
for m in mailbox.mbox(sys.argv[1]):
    try:
        dates.append(email.utils.parsedate_to_datetime(m['Date']).astimezone(timezone.utc))
    except Exception:
        pass
dates.sort()
# the archive's own span: a few absurd Date headers lie far outside it
lo, hi = dates[len(dates) // 1000], dates[-1 - len(dates) // 1000]
d = lo - timedelta(days=lo.weekday())
while d <= hi:
    y, w, _ = d.isocalendar()
    print('%d-W%02d' % (y, w))
    d += timedelta(days=7)
EOF
mkdir "$TMP/json"
failed=
while read -r week; do
  "$AGGREGATE" --format json --list kvmarm --week "$week" -o "$TMP/json/$week.json" || failed="$failed $week"
done < "$TMP/weeks"
done_weeks=$(date +%s)
is "${failed:-none}" none "every week aggregates ($(wc -l < "$TMP/weeks") weeks)"
diag "aggregation: $((done_weeks - imported)) s for $(wc -l < "$TMP/weeks") weeks, one process each"

python3 "$TOP/tests/lib/check-weeks.py" "$TMP/archive.mbox" "$TMP/json"/*.json > "$TMP/checks"
verdicts "$TMP/checks"
done_testing
