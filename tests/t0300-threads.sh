#!/bin/sh
# The four real kvmarm threads of the corpus (threads/THREADS.tsv): each
# imported alone and aggregated over its whole span is one thread of the
# right size, with the right number of messages carrying review trailers,
# in the right category.
. "$(dirname "$0")/lib/tap.sh"
need_corpus
need_cmd python3

THREADS=$CORPUS/threads
[ -f "$THREADS/THREADS.tsv" ] || skip_all "no $THREADS/THREADS.tsv"
plan 24

# The window that holds every message of DIR: from the day before the
# oldest Date to the day after the newest.
span () {
  python3 - "$1" <<'EOF'
import email.utils, os, sys
from datetime import timedelta, timezone
dates = []
for name in os.listdir(sys.argv[1]):
    with open(os.path.join(sys.argv[1], name), 'rb') as f:
        for line in f:
            if line.lower().startswith(b'date:'):
                d = email.utils.parsedate_to_datetime(line[5:].decode('ascii', 'replace').strip())
                dates.append(d.astimezone(timezone.utc))
                break
            if line in (b'\n', b'\r\n'):
                break
print((min(dates) - timedelta(days=1)).strftime('%Y-%m-%d'),
      (max(dates) + timedelta(days=1)).strftime('%Y-%m-%d'))
EOF
}

# check JSON SUBJECT MESSAGES TRAILERS CATEGORY PROJECT: prints one line
# per fact, "fact=value".
facts () {
  python3 - "$@" <<'EOF'
import json, sys
doc = json.load(open(sys.argv[1]))
threads = doc['threads']
print('threads=%d' % len(threads))
t = threads[0]
print('subject=%s' % t['subject'])
print('messages=%d' % len(t['messages']))
print('totals=%d' % doc['totals']['messages'])
review = {'Reviewed-by', 'Acked-by', 'Tested-by'}
print('trailers=%d' % sum(1 for m in t['messages'] if any(x['kind'] in review for x in m['trailers'])))
print('category=%s' % t['category'])
s = t['series'] or {}
print('project=%s' % (s.get('project') or ''))
dates = [m['date'] for m in t['messages']]
print('ordered=%s' % (dates == sorted(dates)))
EOF
}

tab=$(printf '\t')
tail -n +2 "$THREADS/THREADS.tsv" > "$TMP/rows"
while IFS="$tab" read -r dir subject messages with_trailers; do
  export MLDIGEST_INDEX="$TMP/$dir.tdb"
  failed=0
  for f in "$THREADS/$dir"/*; do
    "$FILTER" --list kvmarm < "$f" || failed=1
  done
  is "$failed" 0 "$dir: every message recorded"
  set -- $(span "$THREADS/$dir")
  "$AGGREGATE" --format json --list kvmarm --since "$1" --until "$2" -o "$TMP/$dir.json"
  facts "$TMP/$dir.json" > "$TMP/$dir.facts"
  get () { sed -n "s/^$1=//p" "$TMP/$dir.facts"; }
  is "$(get threads)" 1 "$dir: one thread"
  is "$(get subject)" "$subject" "$dir: rooted at its cover letter"
  is "$(get messages)/$(get totals)/$(get ordered)" "$messages/$messages/True" \
    "$dir: $messages messages, in time order"
  is "$(get trailers)" "$with_trailers" "$dir: $with_trailers messages carry review trailers"
  case $dir in
    git-pull) want='GIT PULL/' ;;
    kvmtool-series) want='PATCH/kvmtool' ;;
    kvm-unit-tests-series) want='PATCH/kvm-unit-tests' ;;
    *) want='PATCH/' ;;
  esac
  is "$(get category)/$(get project)" "$want" "$dir: category and project"
done < "$TMP/rows"
