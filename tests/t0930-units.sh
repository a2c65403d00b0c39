#!/bin/sh
# The scheduled and long-running ways of contrib/: the systemd units and
# timer pass `systemd-analyze verify` (as user units, with the programs
# they name); the maildir watcher's unit runs its ExecStart with the real
# filter and records a maildir; the crontab's lines pass a strict
# parser (and croniter) and the digest line runs as cron would run it.
. "$(dirname "$0")/lib/tap.sh"
need_cmd tdbdump
. "$TOP/tests/lib/archive.sh"
. "$TOP/tests/lib/mailsrv.sh"

C=$TOP/contrib
UNITS=$(cd "$C/systemd" && ls)
mkdir -p "$TMP/units" "$TMP/run" "$TMP/home"
chmod 700 "$TMP/run"

# The units as installed: the programs where the units say they are
# (/usr/local/bin) are the ones of this tree.
for u in $UNITS; do
  sed -e "s|/usr/local/bin/mldigest-aggregate|$AGGREGATE|" \
      -e "s|/usr/local/bin/mldigest-filter|$FILTER|" \
      -e "s|/usr/local/bin/mldigest-watch-maildir|$C/mldigest-watch-maildir|" \
    "$C/systemd/$u" >"$TMP/units/$u"
done

# ---- systemd-analyze verify -------------------------------------------
# verify UNIT...: as user units (XDG_RUNTIME_DIR of our own, no user
# manager needed); a warning (an unknown key, say) fails too.
verify () {
  XDG_RUNTIME_DIR=$TMP/run systemd-analyze --user --man=no verify "$@" >"$TMP/verify.out" 2>&1 &&
    ! grep -q . "$TMP/verify.out"
}
if ! command -v systemd-analyze >/dev/null 2>&1; then
  skip 'systemd-analyze is not installed (Debian package systemd)'
else
  # A unit that must pass tells whether verify can run here at all.
  printf '[Service]\nType=oneshot\nExecStart=/bin/true\n' >"$TMP/units/canary.service"
  if ! verify "$TMP/units/canary.service"; then
    skip "systemd-analyze verify cannot run here: $(head -n 1 "$TMP/verify.out")"
  else
    # Every unit of contrib/systemd: a service with its timer when it has
    # one, a template as instance kvmarm.
    for u in $UNITS; do
      case $u in
        *@.service) set -- "$TMP/units/${u%@.service}@kvmarm.service" ;;
        *.service) set -- "$TMP/units/$u"
                   [ -e "$TMP/units/${u%.service}.timer" ] && set -- "$@" "$TMP/units/${u%.service}.timer" ;;
        *.timer) [ -e "$TMP/units/${u%.timer}.service" ] && continue
                 set -- "$TMP/units/$u" ;;
        *) continue ;;
      esac
      ok "systemd-analyze verify: $(for f in "$@"; do printf '%s ' "${f##*/}"; done)" verify "$@"
      [ -s "$TMP/verify.out" ] && sed 's/^/# /' "$TMP/verify.out" >&2
    done
    printf '[Service]\nExecStart=/bin/true\nNoSuchKey=1\n' >"$TMP/units/bad.service"
    fails () { ! "$@"; }
    ok 'systemd-analyze verify: a unit with an unknown key fails (the check can fail)' \
      fails verify "$TMP/units/bad.service"
    ok 'systemd-analyze: the timer fires Mondays 00:30 UTC' \
      sh -c "systemd-analyze calendar --iterations=2 \"\$(sed -n 's/^OnCalendar=//p' '$C/systemd/mldigest-aggregate.timer')\" |
             grep -q 'Mon 2.* 00:30:00 UTC'"
  fi
fi

# ---- the watcher unit's ExecStart, run as its user manager would ----
# The unit's Environment= and ExecStart= with %h (home) and %i (the
# instance) filled in, ${VAR} from Environment=, in a clean environment.
unit=$TMP/units/mldigest-watch-maildir@.service
env_args=$(sed -n 's/^Environment=//p' "$unit" | sed -e "s|%h|$TMP/home|g" -e 's|%i|kvmarm|g' | tr '\n' ' ')
cmd=$(sed -n 's/^ExecStart=//p' "$unit" | sed -e "s|%h|$TMP/home|g" -e 's|%i|kvmarm|g')
for kv in $env_args; do
  cmd=$(echo "$cmd" | sed "s|\${${kv%%=*}}|${kv#*=}|g")
done
is "$cmd" "$C/mldigest-watch-maildir $TMP/home/Maildir/.lists.kvmarm --list kvmarm" \
  'watcher unit: ExecStart watches ~/Maildir/.lists.INSTANCE with --list INSTANCE'
split_mbox "$DATA/sample.mbox" "$TMP/msgs"
msgids "$TMP/msgs"/* | sort -u >"$TMP/expected"
maildir_put "$TMP/home/Maildir/.lists.kvmarm" "$TMP/msgs"/*
INDEX=$TMP/home/.local/share/mldigest/index.tdb
# shellcheck disable=SC2086
(set -f; exec env -i PATH=/usr/bin:/bin HOME="$TMP/home" LC_ALL=C.UTF-8 $env_args $cmd) \
  2>"$TMP/watch.err" &
watcher=$!
stop_watcher () { kill "$watcher" 2>/dev/null; }
at_exit stop_watcher
recorded_count () { [ -s "$INDEX" ] && recorded_ids "$INDEX" 2>/dev/null | wc -l || echo 0; }
want=$(wc -l <"$TMP/expected")
i=0
while [ "$(recorded_count)" -lt "$want" ] && [ $i -lt 200 ]; do sleep 0.1; i=$((i + 1)); done
recorded_ids "$INDEX" >"$TMP/recorded"
ok "watcher unit: every message of the maildir recorded ($want ids)" cmp -s "$TMP/expected" "$TMP/recorded"
kill "$watcher"
wait "$watcher"
is "$?" 0 'watcher unit: stops cleanly on SIGTERM (systemctl stop)'
is "$(cat "$TMP/home/.local/state/mldigest/"watch-*.seen 2>/dev/null | wc -l)" "$(ls "$TMP/msgs" | wc -l)" \
  'watcher unit: its state in ~/.local/state/mldigest'
ok 'watcher unit: nothing on standard error (the journal)' test ! -s "$TMP/watch.err"

# ---- crontab ---------------------------------------------------------
/usr/bin/python3 "$TOP/tests/lib/check-crontab.py" "$C/crontab" >"$TMP/cron.entries"
rc=$?
ok 'crontab: every line (and the commented @reboot one) parses strictly' test $rc = 0
grep '^ERROR' "$TMP/cron.entries" | sed 's/^/# /' >&2
printf '61 0 * * 1 x\n30 0 * * 1 date +%%F\n' >"$TMP/bad.crontab"
/usr/bin/python3 "$TOP/tests/lib/check-crontab.py" "$TMP/bad.crontab" >"$TMP/bad.out"
is "$?.$(grep -c '^ERROR' "$TMP/bad.out")" 1.2 'crontab checker: rejects a minute 61 and a bare %'
digest=$(awk -F '\t' '$1 != "@reboot" { print; exit }' "$TMP/cron.entries")
is "${digest%%	*}" '30 0 * * 1' 'crontab: the digest runs Mondays at 00:30'
if /usr/bin/python3 -c 'import croniter' 2>/dev/null; then
  ok 'croniter agrees: valid, and next after Sun 2026-11-15 12:00 is Mon 2026-11-16 00:30' \
    /usr/bin/python3 -c 'import sys, datetime
from croniter import croniter
e = sys.argv[1]
n = croniter(e, datetime.datetime(2026, 11, 15, 12, 0)).get_next(datetime.datetime)
sys.exit(not (croniter.is_valid(e) and n == datetime.datetime(2026, 11, 16, 0, 30)))' "${digest%%	*}"
else
  skip 'croniter is not installed (Debian package python3-croniter)'
fi
ok 'crontab: the @reboot line starts the watcher' \
  grep -q '^@reboot	mldigest-watch-maildir "$HOME/Maildir/.lists.kvmarm" --list kvmarm$' "$TMP/cron.entries"
while IFS='	' read -r when what; do
  ok "crontab: sh -n accepts the $when line" sh -n -c "$what"
done <"$TMP/cron.entries"

# The digest line as cron runs it: /bin/sh -c, HOME and a short PATH,
# the index the filter writes by default for that user.
mkdir -p "$TMP/cron-bin" "$TMP/cronhome"
ln -s "$AGGREGATE" "$TMP/cron-bin/mldigest-aggregate"
env -i HOME="$TMP/cronhome" "$FILTER" --mbox "$DATA/sample.mbox" --quiet
(cd "$TMP/cronhome" && env -i HOME="$TMP/cronhome" PATH="$TMP/cron-bin:/usr/bin:/bin" LOGNAME=mldigest \
  SHELL=/bin/sh /bin/sh -c "${digest#*	}") >"$TMP/cron.out" 2>&1
is "$?" 0 'crontab: the digest line runs as cron would run it'
week=$(date -u -d yesterday +%G-W%V)
ok "crontab: ... and writes ~/mldigest/kvmarm-$week.md" \
  grep -q '^# ' "$TMP/cronhome/mldigest/kvmarm-$week.md"
done_testing
