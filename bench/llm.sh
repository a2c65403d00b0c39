#!/bin/sh
# llm.sh - the model summariser's cost and speed (part of make bench; runs
# alone too: sh bench/llm.sh).  Prints figures, asserts nothing.
#
# For the busiest week of the archive (by Date; BENCH_LLM_WEEK to choose
# another) against the test server (tests/lib/llm-server.py) with a fixed
# latency per request (BENCH_LLM_LATENCY seconds, default 0.5), at each
# context_tokens of BENCH_LLM_CONTEXTS (default "6000 16000": the
# client's default, and one where no thread of that week is split):
#   - input tokens mldigest sends (the server's count of every request's
#     messages) against a naive prompt that pastes every message of each
#     thread whole, raw from the archive, under the same system prompt
#     (goal: at most a third);
#   - wall time of the run at concurrency 1 and 8, each from an index
#     without stored summaries, against the issue's threads / concurrency
#     x latency (goal: within 20%), and beside it what no schedule can
#     beat: the requests made, ceil(requests / concurrency) rounds of the
#     latency, or the critical path of a split thread (its parts, then
#     its merge: two latencies) when that is longer; and the
#     aggregator's own time for the same week with the built-in
#     summariser (no model: index, facts, rendering).
# BENCH_LLM_KEEP=PREFIX keeps each run's request log as PREFIX.CONTEXT.C.
set -eu
export LC_ALL=C.UTF-8 TZ=UTC

TOP=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${MLDIGEST_BUILD:-$TOP/build}
CORPUS=${MLDIGEST_CORPUS:-$TOP/../shared/corpus}
ARCHIVE=$CORPUS/archive/kvmarm-2019-2021.mbox.xz
LATENCY=${BENCH_LLM_LATENCY:-0.5}
CONTEXTS=${BENCH_LLM_CONTEXTS:-${BENCH_LLM_CONTEXT:-6000 16000}}
PY=/usr/bin/python3

echo "== model summaries (bench/llm.sh)"
if [ ! -r "$ARCHIVE" ] || [ ! -x "$PY" ] || [ ! -x "$BUILD/mldigest-aggregate" ]; then
  echo "  skipped: needs $ARCHIVE, $PY and a built mldigest-aggregate"
  exit 0
fi
L=$(mktemp -d "${TMPDIR:-/tmp}/mldigest-bench-llm.XXXXXX")
SERVER=
cleanup () { [ -z "$SERVER" ] || kill "$SERVER" 2>/dev/null || :; rm -rf "$L"; }
trap cleanup EXIT
trap 'exit 130' INT TERM
export MLDIGEST_CONFIG="$L/no-config" MLDIGEST_INDEX="$L/index.tdb"

xz -dc "$ARCHIVE" > "$L/archive.mbox"
"$BUILD/mldigest-filter" --mbox "$L/archive.mbox" --list kvmarm > /dev/null
WEEK=${BENCH_LLM_WEEK:-$("$PY" - "$L/archive.mbox" <<'EOF'
import collections, email.utils, mailbox, sys
n = collections.Counter()
for m in mailbox.mbox(sys.argv[1]):
    try:
        d = email.utils.parsedate_to_datetime(m['Date'])
        y, w, _ = d.isocalendar()
        n['%d-W%02d' % (y, w)] += 1
    except Exception:
        pass
print(n.most_common(1)[0][0])
EOF
)}

"$PY" "$TOP/tests/lib/llm-server.py" --port-file "$L/port" --log "$L/log" --latency "$LATENCY" &
SERVER=$!
i=0
while [ ! -s "$L/port" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done

# The aggregator on a copy of the index without stored summaries, JSON
# out; its wall time (seconds) into $L/wall.NAME, its CPU time into
# $L/cpu.NAME when time(1) is there to take it.
aggregate () {
  name=$1; shift
  cp "$L/index.tdb" "$L/run.tdb"
  set -- "$BUILD/mldigest-aggregate" --index "$L/run.tdb" --week "$WEEK" --format json \
    -o "$L/week.json" "$@"
  [ ! -x /usr/bin/time ] || set -- /usr/bin/time -f '%U %S' -o "$L/cpu.$name" "$@"
  t0=$(date +%s.%N)
  "$@" 2> "$L/err.$name"
  t1=$(date +%s.%N)
  awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f\n", b - a }' > "$L/wall.$name"
}

# The aggregation alone: the built-in summariser, best of three.
for i in 1 2 3; do aggregate builtin.$i --summariser builtin; done
cp "$L/week.json" "$L/week.builtin.json"

# One model run per context size and concurrency.
for ctx in $CONTEXTS; do
  for c in 1 8; do
    printf '[llm]\nurl = http://127.0.0.1:%s/v1\nmodel = bench\nconcurrency = %s\ncontext_tokens = %s\n' \
      "$(cat "$L/port")" "$c" "$ctx" > "$L/config"
    : > "$L/log"
    aggregate "$ctx.$c" --config "$L/config"
    cp "$L/log" "$L/log.$ctx.$c"
    [ -z "${BENCH_LLM_KEEP:-}" ] || cp "$L/log" "$BENCH_LLM_KEEP.$ctx.$c"
  done
done

PYTHONPATH=$TOP/tests/lib "$PY" - "$L" "$WEEK" "$LATENCY" "$TOP/tests/lib/llm-server.py" $CONTEXTS <<'EOF'
import importlib.util, json, mailbox, math, re, sys
from llm_log import load, kind
L, week, latency, server = sys.argv[1:5]
contexts = sys.argv[5:]
latency = float(latency)
spec = importlib.util.spec_from_file_location('server', server)
srv = importlib.util.module_from_spec(spec); spec.loader.exec_module(srv)

def num(path, default=None):
    try:
        return sum(float(x) for x in open(path).read().split()[:2])
    except (OSError, ValueError):
        return default

doc = json.load(open(L + '/week.builtin.json'))
threads = len(doc['threads'])
msgs = sum(len(t['messages']) for t in doc['threads'])
own = sorted(num(L + '/wall.builtin.%d' % i) for i in (1, 2, 3))[1]
print('  week %s: %d threads, %d messages; test server latency %.2f s'
      % (week, threads, msgs, latency))
print('  the aggregation alone (built-in summariser, median of 3): %.2f s' % own)

def norm(v):
    m = re.search(r'<([^>]*)>', v or '')
    v = (m.group(1) if m else (v or '')).strip()
    at = v.find('@')
    return v[:at + 1] + v[at + 1:].lower() if at >= 0 else v
want = {m['message_id'] for t in doc['threads'] for m in t['messages']}
raw = {}
for msg in mailbox.mbox(L + '/archive.mbox'):
    i = norm(msg['Message-ID'])
    if i in want and i not in raw:
        raw[i] = msg.as_string()

for ctx in contexts:
    log = load(L + '/log.%s.1' % ctx)
    sent = sum(e['usage']['prompt_tokens'] for e in log if e.get('usage'))
    system = next(m['content'] for m in log[0]['body']['messages'] if m['role'] == 'system') if log else ''
    naive = 0
    for t in doc['threads']:
        text = '\n\n'.join(raw.get(m['message_id'], '') for m in t['messages'])
        naive += srv.tokens(system) + 4 + srv.tokens(text) + 4
    ratio = sent / naive if naive else 0
    merges = sum(1 for e in log if kind(e) == 'merge')
    n = len(log)
    print('  context_tokens %s:' % ctx)
    print('    input tokens sent %d in %d requests; naive prompt (messages whole) %d;'
          ' sent / naive %.3f (goal <= 0.333: %s)'
          % (sent, n, naive, ratio, 'met' if ratio <= 1 / 3 else 'NOT met'))
    print('    requests: %d for %d threads (%d threads split in parts, each with a merge request)'
          % (n, threads, merges))
    for c in (1, 8):
        wall = num(L + '/wall.%s.%d' % (ctx, c))
        cpu = num(L + '/cpu.%s.%d' % (ctx, c))
        run = load(L + '/log.%s.%d' % (ctx, c))
        try:
            with open(L + '/err.%s.%d' % (ctx, c)) as f:
                fell = re.search(r'(\d+) fallbacks', f.read())
        except OSError:
            fell = None
        ideal = threads / c * latency
        floor = max(math.ceil(len(run) / c), 2 if merges else 1) * latency
        print('    concurrency %d: wall %6.2f s | issue: threads/concurrency x latency %5.2f s,'
              ' ratio %.2f (goal within 20%%: %s)'
              % (c, wall, ideal, wall / ideal, 'met' if abs(wall - ideal) <= 0.2 * ideal else 'NOT met'))
        print('                   floor of the requests made (%d, %s) %5.2f s, ratio %.2f;'
              ' floor + the aggregation alone %5.2f s, ratio %.2f'
              % (len(run), 'ceil(requests/concurrency) rounds' if math.ceil(len(run) / c) >= 2 or not merges
                 else 'critical path: parts then merge', floor, wall / floor,
                 floor + own, wall / (floor + own)))
        print('                   %d in flight at most; aggregator CPU %s; %s fallbacks'
              % (max((e['in_flight'] for e in run), default=0),
                 '%.2f s' % cpu if cpu is not None else '?', fell.group(1) if fell else '?'))
EOF
