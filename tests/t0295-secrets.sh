#!/bin/sh
# Secrets: the model's API key and the SMTP password, as marker strings,
# never appear in an argument vector (/proc/*/cmdline sampled while the
# programs run), the environment of a child process, standard output or
# error (failures included: a server that echoes the key, a refused
# password), the index (tdbdump), a report, the archive, the outbox or
# the mail sent.  Both ways in: api_key_file/password_file (0600) and
# api_key_env/password_env.  The markers do reach the servers, in the
# Authorization header and the SMTP AUTH exchange, or the test would
# prove nothing.
#
# The model sees the mail of tests/data/hostile/injection.mbox only as
# data: in the user message, never in the system message.
. "$(dirname "$0")/lib/tap.sh"
PY=/usr/bin/python3
[ -x "$PY" ] || skip_all '/usr/bin/python3 is not installed'
"$PY" -c 'import aiosmtpd' 2>/dev/null || skip_all 'python3-aiosmtpd is not installed'

KEY1=sk-mldigest-MARKER-keyfile-$$
KEY2=sk-mldigest-MARKER-keyenv-$$
PW1=pw-mldigest-MARKER-pwfile-$$
PW2=pw-mldigest-MARKER-pwenv-$$
MARKERS="$KEY1 $KEY2 $PW1 $PW2"
umask 077
echo "$MARKERS" >"$TMP/markers"
mkdir -p "$TMP/art" "$TMP/mail" "$TMP/archive"
echo "$KEY1" >"$TMP/api-key"
echo "$PW1" >"$TMP/smtp-password"

# ---- servers (loopback, ports picked by the kernel) ----
cat >"$TMP/script.json" <<'JSON'
{"markers": {"FAIL-WITH-ECHO": {"kind": "error", "status": 401, "echo_auth": true}},
 "default": {"kind": "answer"}}
JSON
"$PY" "$TOP/tests/lib/llm-server.py" --port-file "$TMP/llm-port" --log "$TMP/llm.log" \
  --script "$TMP/script.json" --latency 0.2 &
LLM=$!
# The SMTP server accepts whichever password the run under test uses.
start_smtp () {
  rm -f "$TMP/smtp-port"
  "$PY" "$TOP/tests/lib/smtp-auth-server.py" --port-file "$TMP/smtp-port" \
    --maildir "$TMP/mail" --user digest --password-file "$1" --log "$TMP/smtp.log" \
    2>>"$TMP/smtp.err" &
  SMTP=$!
  wait_port "$TMP/smtp-port"
}
stop_servers () { kill "$LLM" "${SMTP:-}" 2>/dev/null; wait 2>/dev/null; }
at_exit stop_servers
wait_port "$TMP/llm-port"
start_smtp "$TMP/smtp-password"

# config KEYLINE PWLINE: the configuration of one run.
config () {
  cat >"$TMP/config" <<EOF
[llm]
url = http://127.0.0.1:$(cat "$TMP/llm-port")/v1
model = test-model
$1
timeout = 5
max_retries = 0
[smtp]
url = smtp://127.0.0.1:$(cat "$TMP/smtp-port")
starttls = never
user = digest
$2
from = KVM digest <digest@example.org>
outbox = $TMP/outbox
timeout = 10
[list kvmarm]
to = KVM ARM <kvmarm@lists.example.org>
archive_dir = $TMP/archive
lang = en
EOF
}

# The sampler: while PID runs, every argv on the machine that holds a
# marker, and the environment of each of PID's descendants.
#
# A task that shares PID's address space is PID itself, not a child with
# an environment of its own: /proc/N/environ shows the memory where PID's
# environment is.  With the sanitizers, LeakSanitizer's check at exit
# stops the process from such a task (a clone() with CLONE_VM, its own
# process id, parent PID), and the filter, which holds no secret of its
# own, showed the variables the test exports through it.  kcmp(KCMP_VM)
# tells them apart; they are counted on their own.
cat >"$TMP/sample.py" <<'PYEOF'
import ctypes, os, sys, time
root, out = int(sys.argv[1]), sys.argv[2]
markers = open(sys.argv[3]).read().split()   # not in our own argv
libc = ctypes.CDLL(None, use_errno=True)
SYS_kcmp, KCMP_VM = 312, 1                   # x86_64
def same_memory(a, b):
    return libc.syscall(SYS_kcmp, a, b, KCMP_VM, 0, 0) == 0
def read(p):
    try:
        with open(p, "rb") as f: return f.read()
    except OSError: return b""
def ppid(pid):
    for line in read("/proc/%s/status" % pid).decode(errors="replace").splitlines():
        if line.startswith("PPid:"): return int(line.split()[1])
    return 0
samples = argv_hits = children = env_hits = 0
seen, own = set(), set()
while os.path.exists("/proc/%d" % root):
    samples += 1
    pids = [p for p in os.listdir("/proc") if p.isdigit()]
    parent = {p: ppid(p) for p in pids}
    kids = {root}
    for _ in range(4):
        kids |= {int(p) for p in pids if parent[p] in kids}
    for p in pids:
        argv = read("/proc/%s/cmdline" % p)
        if any(m.encode() in argv for m in markers): argv_hits += 1
        if int(p) in kids and int(p) != root:
            if p in own or same_memory(root, int(p)):
                own.add(p)
                continue
            seen.add(p)
            env = read("/proc/%s/environ" % p)
            if any(m.encode() in env for m in markers): env_hits += 1
    time.sleep(0.01)
with open(out, "a") as f:
    f.write("%d %d %d %d %d\n" % (samples, argv_hits, len(seen), env_hits, len(own)))
PYEOF

# run NAME CMD...: CMD in the background, sampled; its stdout and stderr
# kept as artifacts; $rc its exit status.
run () {
  name=$1; shift
  "$@" >"$TMP/art/$name.out" 2>"$TMP/art/$name.err" &
  pid=$!
  "$PY" "$TMP/sample.py" "$pid" "$TMP/samples" "$TMP/markers"
  wait "$pid"; rc=$?
}

# The sampler sees a marker put in an argv and in a child's environment
# on purpose.
run probe sh -c 'sleep 0.5 & MARK="$1" sleep 0.5; wait' sh "$KEY1"
read -r _ argv_hits children env_hits _ <"$TMP/samples"
ok "the sampler sees a secret in an argv ($argv_hits) and in a child's environment ($env_hits)" \
  test "$argv_hits" -gt 0 -a "$env_hits" -gt 0
: >"$TMP/samples"

export MLDIGEST_NOW=2026-11-17T08:00:00Z MLDIGEST_TEMPLATES="$TOP/templates"
export MLDIGEST_KEY="$KEY2" MLDIGEST_SMTP_PASSWORD="$PW2"

run import "$FILTER" --mbox "$DATA/sample.mbox" --list kvmarm
run import-hostile "$FILTER" --mbox "$DATA/hostile/injection.mbox" --list kvmarm
is "$rc" 0 'the filter imports (with the secrets in its environment)'

# 1: from files.
config "api_key_file = $TMP/api-key" "password_file = $TMP/smtp-password"
run check-config "$AGGREGATE" --config "$TMP/config" --check-config
run send-files "$AGGREGATE" --config "$TMP/config" --week 2026-W46 --send
is "$rc" 0 'secrets from files: the week is summarised and sent'
run report-files "$AGGREGATE" --config "$TMP/config" --week 2026-W46 --format html -o "$TMP/art/report.html"
run json-files "$AGGREGATE" --config "$TMP/config" --week 2026-W46 --format json -o "$TMP/art/report.json"

# 2: from the environment, into an index of its own (the first run
# stored its summaries and marked the week sent).
kill "$SMTP"; wait "$SMTP" 2>/dev/null
echo "$PW2" >"$TMP/smtp-password-2"
start_smtp "$TMP/smtp-password-2"
config "api_key_env = MLDIGEST_KEY" "password_env = MLDIGEST_SMTP_PASSWORD"
FIRST_INDEX=$MLDIGEST_INDEX
export MLDIGEST_INDEX=$TMP/index-2.tdb
run import-2 "$FILTER" --mbox "$DATA/sample.mbox" --list kvmarm
run send-env "$AGGREGATE" --config "$TMP/config" --week 2026-W46 --send
is "$rc" 0 'secrets from the environment: summarised and sent'
run mail-env "$AGGREGATE" --config "$TMP/config" --week 2026-W46 --format mail -o "$TMP/art/week.eml"
tdbdump "$MLDIGEST_INDEX" >"$TMP/art/index-2.dump"
export MLDIGEST_INDEX=$FIRST_INDEX

# 3: failures.  A wrong password; a model server that repeats the key
# in its error.
echo "$PW1" >"$TMP/wrong-password"
config "api_key_file = $TMP/api-key" "password_file = $TMP/wrong-password"
run send-refused "$AGGREGATE" --config "$TMP/config" --week 2026-W45 --send
ok "a refused password: the run fails (exit $rc)" test "$rc" -ne 0
ok 'and the server saw a failed AUTH' grep -q 'auth failed' "$TMP/smtp.log"
cat >"$TMP/echo.mbox" <<'EOF'
From eve@example.net Wed Nov 11 09:00:00 2026
From: Eve <eve@example.net>
Subject: FAIL-WITH-ECHO please
Date: Wed, 11 Nov 2026 09:00:00 +0000
Message-ID: <echo-1@example.net>
List-Id: <kvmarm.lists.example.org>

FAIL-WITH-ECHO: the model server answers this thread with an error that
repeats the Authorization header it received.
EOF
"$FILTER" --mbox "$TMP/echo.mbox" --list kvmarm -q
config "api_key_file = $TMP/api-key" "password_file = $TMP/smtp-password"
run echo-key "$AGGREGATE" --config "$TMP/config" --week 2026-W46 --format md -o "$TMP/art/echo.md"
ok 'the model server did echo the key back in an error' grep -q "Bearer $KEY1" "$TMP/llm.log"

# ---- the markers reached the servers ----
ok 'the API key from the file reached the model server (Authorization)' \
  "$PY" -c 'import json,sys; k=sys.argv[2]; sys.exit(not any(("Bearer " + k) in json.dumps(json.loads(l)["headers"]) for l in open(sys.argv[1])))' "$TMP/llm.log" "$KEY1"
ok 'the API key from the environment too' \
  "$PY" -c 'import json,sys; k=sys.argv[2]; sys.exit(not any(("Bearer " + k) in json.dumps(json.loads(l)["headers"]) for l in open(sys.argv[1])))' "$TMP/llm.log" "$KEY2"
is "$(grep -c 'auth ok' "$TMP/smtp.log")" 2 'both passwords opened an SMTP session'
is "$(ls "$TMP/mail"/*.eml 2>/dev/null | wc -l)" 2 'two digests received'

# ---- and nowhere else ----
is "$(awk '{ s += $2 } END { print s + 0 }' "$TMP/samples")" 0 \
  "no argv held a secret ($(awk '{ s += $1 } END { print s + 0 }' "$TMP/samples") samples of every process)"
is "$(awk '{ s += $4 } END { print s + 0 }' "$TMP/samples")" 0 \
  "no child process's environment held one ($(awk '{ s += $3 } END { print s + 0 }' "$TMP/samples") children seen)"
diag "tasks sharing a program's memory (LeakSanitizer's), not children: $(awk '{ s += $5 } END { print s + 0 }' "$TMP/samples")"
tdbdump "$MLDIGEST_INDEX" >"$TMP/art/index.dump"
# The model's requests: the key only in the header, never in a body.
"$PY" -c 'import json,sys
for l in open(sys.argv[1]):
    r = json.loads(l); r.pop("headers", None); print(json.dumps(r))' "$TMP/llm.log" >"$TMP/art/llm-bodies"
for m in $MARKERS; do
  hits=$(grep -rl -- "$m" "$TMP/art" "$TMP/mail" "$TMP/archive" "$TMP/outbox" 2>/dev/null)
  is "$hits" '' "$m: in no output, error, report, archive, outbox, sent mail, request body or the index"
done
ok 'the errors were reported (the artifacts are not empty)' test -s "$TMP/art/send-refused.err"

# ---- instructions to the model stay data ----
"$PY" - "$TMP/llm.log" >"$TMP/verdicts" <<'PYEOF'
import json, sys
sys_hits = user_hits = 0
for line in open(sys.argv[1]):
    body = json.loads(line).get("body") or {}
    for m in body.get("messages", []):
        text = m.get("content") or ""
        if "Ignore all previous instructions" in text:
            if m.get("role") == "system":
                sys_hits += 1
            else:
                user_hits += 1
print("%s\tthe hostile mail reached the model (%d user messages)" % ("PASS" if user_hits else "FAIL", user_hits))
print("%s\tnever inside a system message" % ("PASS" if sys_hits == 0 else "FAIL"))
PYEOF
verdicts "$TMP/verdicts" 'model'

done_testing
