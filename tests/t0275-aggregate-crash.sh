#!/bin/sh
# The aggregator killed (kill -9) at random moments, AGG_KILLS (15) times,
# while it asks the model for summaries and stores them in the index,
# sends the week over SMTP and marks it as sent.  After each kill: the
# index checks clean, the next run completes (exit 0) and marks the
# week sent, every copy of the digest the server got carries the one
# Message-ID of that week, and no more than two copies arrive (the
# second only when the kill fell between the server's acceptance and the
# mark, the window mldigest-aggregate(1) documents).  Each kill starts
# from the same freshly imported index and an empty outbox.
. "$(dirname "$0")/lib/tap.sh"
PY=/usr/bin/python3
[ -x "$PY" ] || skip_all '/usr/bin/python3 is not installed'
"$PY" -c 'import aiosmtpd' 2>/dev/null || skip_all 'python3-aiosmtpd is not installed'
need_cmd tdbtool

KILLS=${AGG_KILLS:-15}
umask 077
mkdir -p "$TMP/mail"
echo "pw-$$" >"$TMP/password"

"$PY" "$TOP/tests/lib/llm-server.py" --port-file "$TMP/llm-port" --log "$TMP/llm.log" --latency 0.1 &
LLM=$!
"$PY" "$TOP/tests/lib/smtp-auth-server.py" --port-file "$TMP/smtp-port" --maildir "$TMP/mail" \
  --user digest --password-file "$TMP/password" 2>/dev/null &
SMTP=$!
stop_servers () { kill "$LLM" "$SMTP" 2>/dev/null; wait 2>/dev/null; }
at_exit stop_servers
wait_port "$TMP/llm-port"
wait_port "$TMP/smtp-port"

cat >"$TMP/config" <<EOF
[llm]
url = http://127.0.0.1:$(cat "$TMP/llm-port")/v1
model = test-model
concurrency = 2
timeout = 10
[smtp]
url = smtp://127.0.0.1:$(cat "$TMP/smtp-port")
starttls = never
user = digest
password_file = $TMP/password
from = KVM digest <digest@example.org>
outbox = $TMP/outbox
[list kvmarm]
to = KVM ARM <kvmarm@lists.example.org>
lang = en
EOF
export MLDIGEST_CONFIG=$TMP/config MLDIGEST_NOW=2026-11-17T08:00:00Z MLDIGEST_TEMPLATES="$TOP/templates"
"$FILTER" --index "$TMP/base.tdb" --mbox "$DATA/sample.mbox" --list kvmarm -q

# After each killed run: the index checks clean, a run to the end sends
# what is left and marks the week, then the next kill starts afresh.
cat >"$TMP/after.sh" <<EOF
#!/bin/sh
idx='$TMP/index.tdb'
n=\$(cat '$TMP/round' 2>/dev/null || echo 0); n=\$((n + 1)); echo \$n >'$TMP/round'
tdbtool "\$idx" check 2>&1 | grep -q 'Database integrity is OK' || { echo "round \$n: check" >>'$TMP/problems'; }
before=\$(ls '$TMP/mail' | grep -c '\.eml\$')
'$AGGREGATE' --index "\$idx" --week 2026-W46 --send >'$TMP/out' 2>'$TMP/err' ||
  { echo "round \$n: the next run failed: \$(cat '$TMP/err')" >>'$TMP/problems'; }
'$AGGREGATE' --index "\$idx" --week 2026-W46 --send >'$TMP/out2' 2>/dev/null
grep -q 'already sent on .* as <mldigest.2026-W46.kvmarm@example.org>' '$TMP/out2' || echo "round \$n: the week is not marked sent: \$(cat '$TMP/out2')" >>'$TMP/problems'
echo "\$n \$before \$(ls '$TMP/mail' | grep -c '\.eml\$')" >>'$TMP/counts'
mkdir -p '$TMP/mail-\$n'; mv '$TMP/mail'/* '$TMP/mail-\$n/' 2>/dev/null
rm -rf '$TMP/outbox'; cp '$TMP/base.tdb' "\$idx"
exit 0
EOF
cp "$TMP/base.tdb" "$TMP/index.tdb"
: >"$TMP/problems"
t0=$(date +%s)
"$PY" "$TOP/tests/helpers/kill-at-random.py" --runs "$KILLS" --seed 5 --calibrate 1 \
  --calibrate-cmd "cp '$TMP/base.tdb' '$TMP/scratch.tdb'; '$AGGREGATE' --index '$TMP/scratch.tdb' --week 2026-W46 --format md -o /dev/null 2>/dev/null" \
  --check "sh '$TMP/after.sh'" --out "$TMP/runs" -- \
  "$AGGREGATE" --index "$TMP/index.tdb" --week 2026-W46 --send 2>"$TMP/kill.err"
grep '^#' "$TMP/kill.err" >&2
killed=$(grep -c '	killed	' "$TMP/runs")
diag "aggregator: $killed of $KILLS runs killed, $(($(date +%s) - t0)) s"
rm -f "$TMP/mail/"* 2>/dev/null

is "$(cat "$TMP/problems")" '' 'after each kill: the index checks clean, the next run completes and the week is marked sent'
ok "most runs were killed ($killed of $KILLS)" test "$killed" -ge $((KILLS / 2))
is "$(awk '$3 < 1' "$TMP/counts" | wc -l)" 0 'each round ends with the digest delivered'
is "$(awk '$3 > 2' "$TMP/counts" | wc -l)" 0 'never more than two copies'
twice=$(awk '$3 == 2' "$TMP/counts" | wc -l)
diag "a second copy (kill between the server's acceptance and the mark) in $twice of $KILLS rounds"
ids=$(cat "$TMP"/mail-*/*.eml 2>/dev/null | tr -d '\r' | grep -i '^Message-Id:' | sort -u)
is "$ids" 'Message-Id: <mldigest.2026-W46.kvmarm@example.org>' 'every copy carries the week'"'"'s one Message-ID'
ok 'the model server was asked (summaries were being stored when killed)' test -s "$TMP/llm.log"

done_testing
