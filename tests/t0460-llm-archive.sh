#!/bin/sh
# t0460: a whole real week of the archive (2020-W07, its busiest) summarised
# over the test server: every thread has the model's summary or a marked
# fallback; the requests hold cleaned, numbered messages within
# context_tokens and the key only in the header; a second run over the
# same week makes no request at all.
. "$(dirname "$0")/lib/tap.sh"
need_corpus
need_cmd xz
PY=/usr/bin/python3
[ -x "$PY" ] || skip_all "/usr/bin/python3 is not installed"
ARCHIVE=$CORPUS/archive/kvmarm-2019-2021.mbox.xz
[ -f "$ARCHIVE" ] || skip_all "no $ARCHIVE"

xz -dc "$ARCHIVE" > "$TMP/archive.mbox"
"$FILTER" --mbox "$TMP/archive.mbox" --list kvmarm >/dev/null || { echo "Bail out! import failed"; exit 1; }
rm -f "$TMP/archive.mbox"

. "$TOP/tests/lib/llm.sh"
llm_server_start

KEY=sk-test-0460-secret
export MLDIGEST_TEST_KEY=$KEY
cat > "$TMP/config" <<EOF
[llm]
url = http://127.0.0.1:$(cat "$TMP/port")/v1
model = test-model
api_key_env = MLDIGEST_TEST_KEY
context_tokens = 3000
concurrency = 4
EOF

agg () {
  "$AGGREGATE" --config "$TMP/config" --week 2020-W07 "$@"
}
agg --format json -o "$TMP/week.json" 2> "$TMP/err1"
is "$?" 0 'the week is summarised (exit 0)'
n1=$(wc -l < "$TMP/log")
agg -o "$TMP/week.md" 2> "$TMP/err2"
is "$?" 0 'the report again (exit 0)'
is "$(wc -l < "$TMP/log")" "$n1" 'a second run over the same week makes no request'
llm_server_stop
diag "$(cat "$TMP/err1")"

PYTHONPATH=$TOP/tests/lib "$PY" - "$TMP" "$KEY" > "$TMP/verdicts" <<'PYEOF'
import json, re, sys
from llm_log import load, check, user
tmp, key = sys.argv[1], sys.argv[2]
log = load(tmp + '/log')
doc = json.load(open(tmp + '/week.json'))
md = open(tmp + '/week.md').read()
T = doc['threads']
check('the week has threads', len(T) > 10, len(T))
bad = [t['id'] for t in T if not (t['summary'] and (t['summary']['source'] == 'model'
       or (t['summary']['source'] == 'builtin' and t['summary']['fallback_reason'])))]
check('every thread: a model summary or a marked fallback', not bad, bad[:5])
model = [t for t in T if t['summary']['source'] == 'model']
check('most threads have the model\'s summary', len(model) >= 0.9 * len(T), (len(model), len(T)))
ids_ok = all({c['message_id'] for c in t['summary']['citations']}
             <= {m['message_id'] for m in t['messages'] + t['earlier']} | set(
                 c['message_id'] for c in t['summary']['citations'] if c['n'] > len(t['messages']))
             for t in model)
window_ok = all(all(c['message_id'] == t['messages'][c['n'] - 1]['message_id']
                    for c in t['summary']['citations'] if c['n'] <= len(t['messages']))
                for t in model)
check('[n] of a summary is message n of the thread\'s mail list', window_ok)
heads = len(re.findall(r'^### Thread', md, re.M))
marked = len(re.findall(r'^#### (🤖 AI 总结|📋 摘要（内置，模型总结已回退）)', md, re.M))
check('the report: every thread has a model summary or a marked fallback', heads == marked == len(T),
      (heads, marked, len(T)))
check('citations are links', md.count('](https://lore.kernel.org/kvmarm/') > len(T))
tr = [e for e in log if '<<<MESSAGE' in user(e)]
check('requests were made', len(tr) > 0)
check('no quoted line reaches the model', all(not re.search(r'^\s*>', user(e), re.M) for e in tr))
check('no diff reaches the model',
      all(not re.search(r'^(diff --git|@@ .* @@|\+\+\+ b/|--- a/)', user(e), re.M) for e in tr))
check('no signature or list footer reaches the model',
      all(not re.search(r'^-- $|^_{10,}$|mailing list$', user(e), re.M) for e in tr))
over = [e['usage']['prompt_tokens'] for e in log if e['usage']['prompt_tokens'] > 3000]
check('every request within context_tokens (3000)', not over, over[:5])
auth = {e['headers'].get('Authorization') for e in log}
check('the key only in the Authorization header', auth == {'Bearer ' + key}
      and all(key not in json.dumps(e['body']) for e in log), auth)
check('the key is not in the report', key not in md and key not in json.dumps(doc))
flight = max(e['in_flight'] for e in log)
check('requests in parallel, never more than concurrency (4)', 1 < flight <= 4, flight)
PYEOF
verdicts "$TMP/verdicts"
ok 'the key is not in the index' sh -c "! grep -q '$KEY' '$MLDIGEST_INDEX'"
