#!/bin/sh
# llm.sh - the model summariser's cost and speed (part of make bench; runs
# alone too: sh bench/llm.sh).  Prints figures, asserts nothing.
#
# For the busiest week of the archive (by Date; BENCH_LLM_WEEK to choose
# another) against the test server (tests/lib/llm-server.py) with a fixed
# latency per request (BENCH_LLM_LATENCY seconds, default 0.5):
#   - input tokens mldigest sends (the server's count of every request's
#     messages) against a naive prompt that pastes every message of each
#     thread whole, raw from the archive, under the same system prompt
#     (goal: at most a third);
#   - wall time of the run at concurrency 1 and 8, each from an index
#     without stored summaries, against threads / concurrency x latency
#     (goal: within 20%).
set -eu
export LC_ALL=C.UTF-8 TZ=UTC

TOP=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${MLDIGEST_BUILD:-$TOP/build}
CORPUS=${MLDIGEST_CORPUS:-$TOP/../shared/corpus}
ARCHIVE=$CORPUS/archive/kvmarm-2019-2021.mbox.xz
LATENCY=${BENCH_LLM_LATENCY:-0.5}
CONTEXT=${BENCH_LLM_CONTEXT:-6000}
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

# One run from an index without stored summaries; prints its wall time.
run () {
  cp "$L/index.tdb" "$L/run.tdb"
  printf '[llm]\nurl = http://127.0.0.1:%s/v1\nmodel = bench\nconcurrency = %s\ncontext_tokens = %s\n' \
    "$(cat "$L/port")" "$1" "$CONTEXT" > "$L/config"
  : > "$L/log"
  t0=$(date +%s.%N)
  # the aggregator's own CPU time, when time(1) is there to take it
  set -- "$1" "$BUILD/mldigest-aggregate" --index "$L/run.tdb" --config "$L/config" \
    --week "$WEEK" --format json -o "$L/week.json"
  if [ -x /usr/bin/time ]; then
    c=$1; shift
    /usr/bin/time -f '%U %S' -o "$L/cpu.$c" "$@" 2> "$L/err"
    set -- "$c"
  else
    c=$1; shift
    "$@" 2> "$L/err"
    set -- "$c"
  fi
  t1=$(date +%s.%N)
  cp "$L/log" "$L/log.$1"; [ -z "${BENCH_LLM_KEEP:-}" ] || cp "$L/log" "$BENCH_LLM_KEEP.$1"
  awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }'
}
T1=$(run 1)
T8=$(run 8)

"$PY" - "$L" "$WEEK" "$LATENCY" "$T1" "$T8" "$TOP/tests/lib/llm-server.py" "$CONTEXT" <<'EOF'
import importlib.util, json, mailbox, math, re, sys
L, week, latency, t1, t8, server, context = sys.argv[1:8]
latency, t1, t8 = float(latency), float(t1), float(t8)
spec = importlib.util.spec_from_file_location('server', server)
srv = importlib.util.module_from_spec(spec); spec.loader.exec_module(srv)
doc = json.load(open(L + '/week.json'))
log = [json.loads(l) for l in open(L + '/log.1')]
sent = sum(e['usage']['prompt_tokens'] for e in log if e.get('usage'))
system = next(m['content'] for m in log[0]['body']['messages'] if m['role'] == 'system') if log else ''
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
naive = 0
for t in doc['threads']:
    text = '\n\n'.join(raw.get(m['message_id'], '') for m in t['messages'])
    naive += srv.tokens(system) + 4 + srv.tokens(text) + 4
threads = len(doc['threads'])
msgs = sum(len(t['messages']) for t in doc['threads'])
model = sum(1 for t in doc['threads'] if t['summary'] and t['summary']['source'] == 'model')
ratio = sent / naive if naive else 0
print('  week %s: %d threads, %d messages; test server latency %.2f s; context_tokens %s'
      % (week, threads, msgs, latency, context))
print('  model summaries: %d of %d threads (the rest marked fallbacks)' % (model, threads))
print('  input tokens sent:           %9d in %d requests' % (sent, len(log)))
print('  naive prompt (messages whole): %7d' % naive)
print('  sent / naive:                 %7.3f   goal <= 0.333: %s' % (ratio, 'met' if ratio <= 1 / 3 else 'NOT met'))
merges = sum(1 for e in log if 'parts\' summaries' in e['body']['messages'][-1]['content']
             or '各部分的总结' in e['body']['messages'][-1]['content'])
print('  requests: %d for %d threads (%d threads split in parts, %d merge requests)'
      % (len(log), threads, merges, merges))
for c, t in ((1, t1), (8, t8)):
    ideal = threads / c * latency
    rounds = (math.ceil((len(log) - merges) / c) + math.ceil(merges / c)) * latency
    try:
        cpu = '; aggregator CPU %.2f s' % sum(float(x) for x in open(L + '/cpu.%d' % c).read().split()[:2])
    except (OSError, ValueError):
        cpu = ''
    print('  wall time, concurrency %d: %6.2f s; threads/concurrency x latency = %6.2f s, ratio %.2f'
          ' (goal within 20%%: %s); the requests made in rounds of %d: %.2f s, ratio %.2f%s'
          % (c, t, ideal, t / ideal if ideal else 0,
             'met' if abs(t - ideal) <= 0.2 * ideal else 'NOT met', c, rounds,
             t / rounds if rounds else 0, cpu))
EOF
