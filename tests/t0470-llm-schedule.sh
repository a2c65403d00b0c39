#!/bin/sh
# t0470: the model summariser keeps the pipe full.  The sample week at a
# context_tokens that splits seven threads in parts, with one part of one
# of them slow: every other split thread's merge is asked before that
# slow part ends (a merge waits for its own thread's parts, not for the
# others'); no merge before its own parts are answered; the parts of
# split threads go out before the threads asked whole (longest chains
# first); never more than `concurrency` requests in flight, over no more
# connections than that.
. "$(dirname "$0")/lib/tap.sh"

PY=/usr/bin/python3
[ -x "$PY" ] || skip_all "/usr/bin/python3 is not installed"

"$FILTER" --mbox "$DATA/sample.mbox" --list kvmarm >/dev/null || { echo "Bail out! import failed"; exit 1; }

# The first request that carries the subject (a part: parts go before
# their merge) answers 4 s late; everything else after 0.1 s.
SLOW='Guest hangs after vCPU migration'
cat > "$TMP/script.json" <<JSON
{"markers": {"$SLOW": [{"kind": "answer", "delay": 4}]}, "default": {"kind": "answer"}}
JSON
. "$TOP/tests/lib/llm.sh"
llm_server_start --script "$TMP/script.json" --latency 0.1

cat > "$TMP/config" <<EOF
[llm]
url = http://127.0.0.1:$(cat "$TMP/port")/v1
model = test-model
context_tokens = 1200
concurrency = 3
timeout = 60
EOF
"$AGGREGATE" --config "$TMP/config" --week 2026-W46 --format json -o "$TMP/week.json" 2> "$TMP/err"
is "$?" 0 'the week is summarised (exit 0)'

PYTHONPATH=$TOP/tests/lib "$PY" - "$TMP" "$SLOW" > "$TMP/verdicts" <<'PYEOF'
import collections, json, sys
from llm_log import load, check, subject, kind
tmp, slow_subject = sys.argv[1], sys.argv[2]
log = load(tmp + '/log')
doc = json.load(open(tmp + '/week.json'))

parts, merges = collections.defaultdict(list), {}
for e in log:
    if kind(e) == 'part':
        parts[subject(e)].append(e)
    elif kind(e) == 'merge':
        merges[subject(e)] = e
whole = [e for e in log if kind(e) == 'whole']
check('threads are split in parts, each merged once', len(parts) >= 3 and set(parts) == set(merges),
      (sorted(parts), sorted(merges)))
slow = [e for e in log if slow_subject in (subject(e) or '') and e["end"] - e["start"] >= 4]
check('one part of one thread is the slow one', len(slow) == 1 and kind(slow[0]) == 'part',
      [(kind(e), e['end'] - e['start']) for e in slow])
slow = slow[0] if slow else {'end': 0, 'start': 0}
late = [s for s, m in merges.items() if slow_subject not in s and m['start'] >= slow['end']]
check('every other thread\'s merge starts before the slow part ends', merges and not late, late)
early = [s for s, m in merges.items() if m['start'] < max(p['end'] for p in parts[s])]
check('no merge starts before its own parts are answered', not early, early)
first_whole = min((e['start'] for e in whole), default=0)
check('the parts of split threads start before the threads asked whole',
      whole and all(p['start'] <= first_whole for ps in parts.values() for p in ps),
      sorted((round(e['start'] - log[0]['start'], 3), kind(e)) for e in log))
check('never more than concurrency (3) requests in flight, and really 3',
      max(e['in_flight'] for e in log) == 3, [e['in_flight'] for e in log])
check('at most one connection per slot, kept alive',
      len({e['port'] for e in log}) <= 3, sorted({e['port'] for e in log}))
T = doc['threads']
check('every thread has the model\'s summary',
      all(t['summary'] and t['summary']['source'] == 'model' for t in T),
      [(t['subject'], t['summary'] and t['summary']['fallback_reason']) for t in T])
PYEOF
verdicts "$TMP/verdicts"
