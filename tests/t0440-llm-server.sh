#!/bin/sh
# t0440: tests/lib/llm-server.py, the OpenAI-compatible test server the
# model client's tests and the end-to-end summary tests run against:
# its port file, request log, scripted behaviours, generated citations
# and usage figures.
. "$(dirname "$0")/lib/tap.sh"

PY=/usr/bin/python3
[ -x "$PY" ] || skip_all "/usr/bin/python3 is not installed"

cat > "$TMP/script.json" <<'JSON'
{"steps": [{"kind": "429", "retry_after": "2"}, {"kind": "answer"},
           {"kind": "bad-citation"}, {"kind": "refusal"}, {"kind": "malformed"},
           {"kind": "length"}, {"kind": "empty"}, {"kind": "bad-quote"},
           {"kind": "quote"}, {"kind": "drop"}],
 "markers": {"MARKER-500": {"kind": "500"}}}
JSON
"$PY" "$TOP/tests/lib/llm-server.py" --port-file "$TMP/port" --log "$TMP/log" \
  --script "$TMP/script.json" &
SERVER=$!
stop_server () { kill "$SERVER" 2>/dev/null; wait "$SERVER" 2>/dev/null; }
at_exit stop_server
i=0
while [ ! -s "$TMP/port" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
ok 'the server writes its port' test -s "$TMP/port"

# The client side: one request per step, then one with the marker.
"$PY" - "$(cat "$TMP/port")" > "$TMP/answers" <<'PYEOF'
import json, sys, urllib.request, urllib.error
port = sys.argv[1]
user = "Thread:\n[1] From: a\nthe first message of the thread\n[2] From: b\n二月的第二封邮件 with more words\n"
def post(text):
    body = json.dumps({"model": "m", "max_tokens": 10, "messages": [
        {"role": "system", "content": "be brief"}, {"role": "user", "content": text}]}).encode()
    req = urllib.request.Request("http://127.0.0.1:%s/v1/chat/completions" % port, body,
                                 {"Authorization": "Bearer sk-test", "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, dict(r.headers), r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read().decode()
    except Exception as e:
        return 0, {}, type(e).__name__
for i in range(10):
    print(json.dumps(post(user)))
print(json.dumps(post("MARKER-500 " + user)))
PYEOF
stop_server

"$PY" - "$TMP/answers" "$TMP/log" > "$TMP/verdicts" <<'PYEOF'
import json, math, sys
answers = [json.loads(l) for l in open(sys.argv[1])]
log = [json.loads(l) for l in open(sys.argv[2])]
def check(name, cond):
    print("%s\t%s" % ("PASS" if cond else "FAIL", name))
def content(a):
    return json.loads(a[2])["choices"][0]["message"]["content"]
def finish(a):
    return json.loads(a[2])["choices"][0]["finish_reason"]
check("11 answers", len(answers) == 11)
check("429 with Retry-After", answers[0][0] == 429 and answers[0][1].get("Retry-After") == "2")
check("generated answer cites every message", content(answers[1]) ==
      "Message 1 is part of this discussion [1]. Message 2 is part of this discussion [2].")
check("bad citation names a message not given", content(answers[2]).endswith("[9]."))
msg = json.loads(answers[3][2])["choices"][0]["message"]
check("refusal", msg["content"] is None and msg["refusal"])
try:
    json.loads(answers[4][2]); check("malformed", False)
except ValueError:
    check("malformed", answers[4][0] == 200)
check("length", finish(answers[5]) == "length")
check("empty", content(answers[6]) == "" and finish(answers[6]) == "stop")
check("bad quote", '"words found in no message at all" [1].' in content(answers[7]))
check("quote is verbatim", 'Message 1 says "the first message of" [1].' in content(answers[8])
      and 'Message 2 says "二月的第二封邮件 with more words" [2].' in content(answers[8]))
check("drop closes the connection", answers[9][0] == 0)
check("the marker wins over the steps", answers[10][0] == 500)
check("every request logged", [e["n"] for e in log] == list(range(1, 12)))
check("headers logged", all(e["headers"].get("Authorization") == "Bearer sk-test" for e in log))
check("bodies logged", all(e["body"]["max_tokens"] == 10 for e in log))
def tokens(t):
    cjk = sum(1 for c in t if 0x2E80 <= ord(c) <= 0x9FFF)
    return cjk + math.ceil((len(t) - cjk) / 4)
u = json.loads(answers[1][2])["usage"]
p = sum(tokens(m["content"]) + 4 for m in log[1]["body"]["messages"])
check("usage figures", u["prompt_tokens"] == p and u["completion_tokens"] == tokens(content(answers[1]))
      and u["total_tokens"] == p + u["completion_tokens"] and log[1]["usage"] == u)
check("times and in_flight logged", all(e["start"] <= e["end"] and e["in_flight"] >= 1 for e in log))
PYEOF
verdicts "$TMP/verdicts"
