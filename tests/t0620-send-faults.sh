#!/bin/sh
# What --send does when the network or the machine does not cooperate.
# Faults, from an SMTP server of the test's own (tests/lib/smtp-fault.py):
# nothing listening, 451 on RCPT, 554 to the message, a server that takes
# the connection and says nothing.  Each: exit 75 within the timeout, the
# whole message in the outbox, delivered once by the next run.  Kills
# (SIGKILL) at every step of a send: nothing is lost, and the one second
# copy SMTP cannot rule out carries the same Message-ID.
. "$(dirname "$0")/lib/tap.sh"
[ -x /usr/bin/python3 ] || skip_all '/usr/bin/python3 is not installed'

export MLDIGEST_TEMPLATES="$TOP/templates" MLDIGEST_NOW=2026-12-01T08:00:00Z
"$FILTER" --index "$TMP/pristine.tdb" --list kvmarm --mbox "$DATA/sample.mbox" 2>/dev/null

SERVER_PID= STARTS=0
stop_server () {
  [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null
  SERVER_PID=
  return 0
}
at_exit stop_server
# server MODE: (re)start the fault server; PORT, INBOX (what "ok" stored)
server () {
  stop_server
  STARTS=$((STARTS + 1))
  INBOX=$TMP/inbox-$STARTS-$1; mkdir -p "$INBOX"; rm -f "$TMP/port"
  /usr/bin/python3 "$TOP/tests/lib/smtp-fault.py" "$1" "$TMP/port" "$INBOX" &
  SERVER_PID=$!
  for _i in $(seq 1 100); do [ -s "$TMP/port" ] && break; sleep 0.05; done
  PORT=$(cat "$TMP/port")
}
# a port nothing listens on: asked of the kernel, then closed
down_port () {
  /usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
# fresh NAME: a copy of the index in its own directory (its outbox beside it)
fresh () { D=$TMP/$1; mkdir -p "$D"; cp "$TMP/pristine.tdb" "$D/index.tdb"; }
conf () {
  cat > "$D/conf" <<CONF
[smtp]
url = smtp://127.0.0.1:$1
starttls = never
from = digest@example.org
timeout = 3
[defaults]
to = kvmarm@lists.example.org
cc = reviewer@example.com
bcc = archive@example.net
archive_dir = $D/archive
CONF
}
send () { "$AGGREGATE" --index "$D/index.tdb" --config "$D/conf" --send "$@" > "$D/out" 2> "$D/err"; echo $?; }
copies () { grep -l "^Message-Id: <mldigest.$1.kvmarm@example.org>" "$INBOX"/*.eml 2>/dev/null | wc -l | tr -d ' '; }

for fault in down rcpt451 data554 hang; do
  fresh "$fault"
  if [ "$fault" = down ]; then stop_server; conf "$(down_port)"; else server "$fault"; conf "$PORT"; fi
  t0=$(date +%s)
  is "$(send --week 2026-W46)" 75 "$fault: EX_TEMPFAIL"
  t=$(( $(date +%s) - t0 ))
  ok "$fault: within the timeout ($t s)" test "$t" -le 10
  ok "$fault: the error says what failed" grep -q 'cannot send through smtp://127.0.0.1' "$D/err"
  ok "$fault: the whole message in the outbox" sh -c \
    "grep -q '^Message-Id: <mldigest.2026-W46.kvmarm@example.org>' '$D/outbox/kvmarm.2026-W46.msg' &&
     tail -c 40 '$D/outbox/kvmarm.2026-W46.msg' | grep -q -- '--'"
  server ok; conf "$PORT"
  is "$(send)" 0 "$fault: the next run (no window) delivers the queue"
  is "$(copies 2026-W46)" 1 "$fault: once"
  is "$(sort "$INBOX/1.rcpt" | tr '\n' ' ')" \
     '<archive@example.net> <kvmarm@lists.example.org> <reviewer@example.com> ' \
     "$fault: To, Cc and Bcc in one transaction"
  ok "$fault: the outbox is empty" test -z "$(ls "$D/outbox")"
  is "$(send --week 2026-W46)" 0 "$fault: then the week is sent"
  is "$(copies 2026-W46)" 1 "$fault: and not sent again"
done

# SIGKILL at each step of a send, then a plain run.  Each step gets its
# own week so that copies are counted per step.
server ok
w=40
for point in queue-write queued accepted recorded archived; do
  week=2026-W$w; w=$((w + 1))
  fresh "kill-$point"; conf "$PORT"
  MLDIGEST_CRASH_AT=$point "$AGGREGATE" --index "$D/index.tdb" --config "$D/conf" --send --week "$week" >/dev/null 2>&1
  is "$?" 137 "killed at $point"
  is "$(send --week "$week")" 0 "killed at $point: the next run succeeds"
  n=$(copies "$week")
  case $point in
    accepted) is "$n" 2 "killed at $point: the one duplicate SMTP cannot rule out, same Message-ID" ;;
    *) is "$n" 1 "killed at $point: delivered exactly once" ;;
  esac
  ok "killed at $point: nothing left in the outbox" test -z "$(ls -A "$D/outbox" | grep -v '^\.lock$')"
  ok "killed at $point: archived" test -s "$D/archive/kvmarm.$week.html"
  send --week "$week" > /dev/null
  ok "killed at $point: then recorded as sent" grep -q "kvmarm $week: already sent" "$D/out"
done

# Two runs at once (a timer and a person): the outbox lock makes the
# second wait, then find the week sent.
fresh twice; server ok; conf "$PORT"
( send --week 2026-W46 > "$D/rc1" ) & p1=$!
( send --week 2026-W46 > "$D/rc2" ) & p2=$!
wait "$p1" "$p2"
is "$(cat "$D/rc1" "$D/rc2" | tr '\n' ' ')" '0 0 ' 'two runs at once: both succeed'
is "$(copies 2026-W46)" 1 'two runs at once: one message'

# One index file per list ([index] path with {list}) and one outbox
# beside them: a queued digest of another list is recorded in its own
# list's file when a run delivers it.
D=$TMP/per-list; mkdir -p "$D/idx"
"$FILTER" --index "$D/idx/kvmarm.tdb" --list kvmarm --mbox "$DATA/sample.mbox" 2>/dev/null
"$FILTER" --index "$D/idx/kvm.tdb" --list kvm --mbox "$DATA/sample.mbox" 2>/dev/null
plconf () {
  conf "$1"
  printf '[index]\npath = %s/idx/{list}.tdb\n' "$D" >> "$D/conf"
}
plsend () {
  env -u MLDIGEST_INDEX "$AGGREGATE" --config "$D/conf" --send --week 2026-W46 --list "$1" > "$D/out" 2> "$D/err"; echo $?
}
stop_server; plconf "$(down_port)"
is "$(plsend kvm) $(plsend kvmarm)" '75 75' 'per-list files, server down: both queued'
is "$(ls "$D/idx/outbox" | tr '\n' ' ')" 'kvm.2026-W46.msg kvmarm.2026-W46.msg ' '... in the one outbox beside them'
server ok; plconf "$PORT"
is "$(plsend kvmarm)" 0 'per-list files: a kvmarm run delivers both'
is "$(plsend kvm)" 0 'the kvm run then'
ok '... finds its week recorded in its own file' grep -q 'kvm 2026-W46: already sent' "$D/out"
is "$(ls "$INBOX" | grep -c 'eml$')" 2 '... and each digest went out once'

# SIGKILL from outside in the middle of the SMTP transaction: the server
# has the message and has not answered.
fresh kill-smtp
server stall; conf "$PORT"
"$AGGREGATE" --index "$D/index.tdb" --config "$D/conf" --send --week 2026-W46 >/dev/null 2>&1 &
pid=$!
for _i in $(seq 1 100); do [ -e "$INBOX/stalled" ] && break; sleep 0.05; done
ok 'killed during DATA: the server had the message' test -e "$INBOX/stalled"
kill -9 "$pid"; wait "$pid" 2>/dev/null
ok 'killed during DATA: queued' test -s "$D/outbox/kvmarm.2026-W46.msg"
server ok; conf "$PORT"
is "$(send --week 2026-W46)" 0 'killed during DATA: the next run delivers it'
is "$(copies 2026-W46)" 1 'killed during DATA: once'
done_testing
