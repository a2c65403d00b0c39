#!/bin/sh
# contrib/: the examples a user copies.  Shell scripts are valid (sh -n, and
# the linter when installed); the procmail recipes deliver and record
# with a real procmail; the maildir watcher feeds each new message to
# the filter exactly once (retrying a temporary failure); the
# public-inbox importer streams a v1 and a v2 archive as mboxrd.  A fake
# filter stands in for mldigest-filter (MLDIGEST_FILTER), so this test
# checks the scripts, not the index.
. "$(dirname "$0")/lib/tap.sh"

C=$TOP/contrib
SCRIPTS="$C/mldigest-watch-maildir $C/public-inbox-import $C/install-deps.sh"
mkdir -p "$TMP/bin"

for s in $SCRIPTS; do
  ok "sh -n ${s#"$TOP"/}" sh -n "$s"
done
if command -v shellcheck >/dev/null 2>&1; then
  # shellcheck disable=SC2086
  ok 'shellcheck contrib scripts' shellcheck -s sh $SCRIPTS
else
  skip 'shellcheck is not installed'
fi
for f in procmailrc sieve/mldigest.sieve crontab fetchmailrc getmailrc \
         systemd/mldigest-aggregate.service systemd/mldigest-aggregate.timer \
         systemd/mldigest-send.service systemd/mldigest-send.timer README; do
  ok "contrib/$f exists" test -s "$C/$f"
done

# ---- a fake filter: logs "MESSAGE-ID ARGS"; --pass copies stdin out; a
# message whose id holds "tempfail" fails with 75 the first time.
cat >"$TMP/bin/mldigest-filter" <<EOF
#!/bin/sh
cat >"$TMP/fake-in.\$\$"
id=\$(sed -n 's/^Message-ID: *//p' "$TMP/fake-in.\$\$" | head -n 1)
echo "\$id \$*" >>"$TMP/fed.log"
case " \$* " in *" --pass "*) cat "$TMP/fake-in.\$\$" ;; esac
rm -f "$TMP/fake-in.\$\$"
case \$id in *tempfail*)
  [ -e "$TMP/tempfailed" ] || { : >"$TMP/tempfailed"; exit 75; } ;;
esac
exit 0
EOF
chmod +x "$TMP/bin/mldigest-filter"
export MLDIGEST_FILTER="$TMP/bin/mldigest-filter"

message () {  # message ID [LIST-ID]
  printf 'From: Alice Moreau <alice.moreau@example.org>\nTo: kvmarm@lists.example.org\n'
  printf 'Subject: test %s\nMessage-ID: %s\nList-Id: %s\n\nbody of %s\n' \
    "$1" "$1" "${2:-<kvmarm.lists.example.org>}" "$1"
}
fed_count () { grep -c "^$1 " "$TMP/fed.log" 2>/dev/null || true; }

# ---- procmail ----------------------------------------------------------
if command -v procmail >/dev/null 2>&1; then
  rc_for () {  # rc_for RECIPES-FILE
    printf 'PATH=%s:/usr/bin:/bin\nSHELL=/bin/sh\nMAILDIR=%s/\nINCLUDERC=%s\n:0\n%s/inbox/\n' \
      "$TMP/bin" "$TMP/mail" "$1" "$TMP/mail"
  }
  mkdir -p "$TMP/mail"
  rc_for "$C/procmailrc" >"$TMP/rc-copy"
  # procmail does not wait for a :0 c pipe (no `w`): the filter may still
  # be running when procmail exits, so wait for its line in fed.log.  p2
  # goes first: had it been fed, its filter would have started before
  # p1's, so once p1 is logged a wrong p2 line is there too.
  message '<p2@example.org>' '<kvm.vger.example.org>' | procmail -m "$TMP/rc-copy"
  message '<p1@example.org>' | procmail -m "$TMP/rc-copy"
  i=0
  while [ "$(fed_count '<p1@example.org>')" != 1 ] && [ $i -lt 50 ]; do
    sleep 0.2
    i=$((i + 1))
  done
  is "$(cat "$TMP/mail/inbox/new/"* | grep -c '^Message-ID:')" 2 'procmail :0 c delivers every message'
  is "$(fed_count '<p1@example.org>') $(fed_count '<p2@example.org>')" '1 0' \
    'procmail :0 c feeds only kvmarm mail to the filter'
  is "$(grep '^<p1@example.org> ' "$TMP/fed.log" | cut -d' ' -f2-)" '--list kvmarm --quiet' \
    'procmail passes --list kvmarm'
  # the commented-out :0 fw recipe, switched on
  grep -E '^#(:0 fw|\* |\| )' "$C/procmailrc" | sed 's/^#//' >"$TMP/procmailrc-fw"
  rc_for "$TMP/procmailrc-fw" >"$TMP/rc-fw"
  # What procmail delivers after an identity filter (it appends a newline
  # to a message that does not end in an empty line) is the reference.
  sed 's/^| mldigest-filter.*/| cat/' "$TMP/procmailrc-fw" >"$TMP/procmailrc-cat"
  rc_for "$TMP/procmailrc-cat" >"$TMP/rc-cat"
  message '<p3@example.org>' >"$TMP/p3"
  rm -rf "$TMP/mail/inbox"
  procmail -m "$TMP/rc-cat" <"$TMP/p3"
  mv "$TMP/mail/inbox/new/"* "$TMP/p3-cat"
  procmail -m "$TMP/rc-fw" <"$TMP/p3"
  ok 'procmail :0 fw with --pass delivers the message unchanged' \
    cmp -s "$TMP/p3-cat" "$(ls "$TMP/mail/inbox/new/"*)"
  is "$(grep '^<p3@example.org> ' "$TMP/fed.log" | cut -d' ' -f2-)" '--pass --list kvmarm --quiet' \
    'procmail :0 fw runs the filter with --pass'
else
  skip 'procmail is not installed'
fi

# ---- systemd timer -------------------------------------------------------
ok 'timer: weekly, Monday 00:30 UTC, persistent' \
  grep -qx 'OnCalendar=Mon \*-\*-\* 00:30:00 UTC' "$C/systemd/mldigest-aggregate.timer"
ok 'timer: Persistent=true' grep -qx 'Persistent=true' "$C/systemd/mldigest-aggregate.timer"
if command -v systemd-analyze >/dev/null 2>&1; then
  calendar_ok () { systemd-analyze calendar "$1" >/dev/null 2>&1; }
  ok 'systemd-analyze accepts the OnCalendar expression' calendar_ok 'Mon *-*-* 00:30:00 UTC'
else
  skip 'systemd-analyze is not installed'
fi

# ---- the maildir watcher, polling --------------------------------------
MD=$TMP/md
mkdir -p "$MD/new" "$MD/cur" "$MD/tmp"
n=0
deliver () {  # deliver ID: through tmp/ into new/, as an MTA does
  n=$((n + 1))
  message "$1" >"$MD/tmp/179421193$n.M$n.host"
  mv "$MD/tmp/179421193$n.M$n.host" "$MD/new/"
}
wait_fed () {  # wait_fed LINES: until fed.log has LINES lines (10 s at most)
  i=0
  while [ "$(wc -l <"$TMP/fed.log")" -lt "$1" ] && [ $i -lt 50 ]; do
    sleep 0.2
    i=$((i + 1))
  done
}
: >"$TMP/fed.log"
deliver '<w1@example.org>'
deliver '<w2-tempfail@example.org>'
deliver '<w3@example.org>'
sh "$C/mldigest-watch-maildir" -p -i 1 -s "$TMP/seen" "$MD" --list kvmarm 2>"$TMP/watch.err" &
watcher=$!
stop_watcher () { kill "$watcher" 2>/dev/null; }
at_exit stop_watcher
wait_fed 4                       # w1, w3, w2 failing once, then w2 again
deliver '<w4@example.org>'
mv "$MD/new/1794211931.M1.host" "$MD/cur/1794211931.M1.host:2,S"   # read by a mail reader
deliver '<w5@example.org>'
wait_fed 6
sleep 2                          # two more scans: nothing may be fed again
kill "$watcher"
wait "$watcher"
is "$?" 0 'watcher ends cleanly on SIGTERM'
is "$(for m in w1 w3 w4 w5; do fed_count "<$m@example.org>"; done | tr '\n' ' ')" '1 1 1 1 ' \
  'watcher feeds each new message exactly once, also after new/ -> cur/'
is "$(fed_count '<w2-tempfail@example.org>')" 2 'watcher retries a message the filter failed with 75'
ok 'watcher says it will retry' grep -q 'filter exit 75, will retry' "$TMP/watch.err"
is "$(cut -d' ' -f2- "$TMP/fed.log" | sort -u)" '--list kvmarm' 'watcher passes the filter arguments'
is "$(wc -l <"$TMP/seen")" 5 'state file remembers the five messages'
sh "$C/mldigest-watch-maildir" -1 -s "$TMP/seen" "$MD" --list kvmarm
is "$?.$(wc -l <"$TMP/fed.log")" '0.6' 'a restarted watcher (-1) feeds nothing again'
rm "$MD/cur/"*
sh "$C/mldigest-watch-maildir" -1 -s "$TMP/seen" "$MD" --list kvmarm
is "$(wc -l <"$TMP/seen")" 4 'names of removed messages leave the state file'
MLDIGEST_FILTER=$TMP/no-such-filter sh "$C/mldigest-watch-maildir" -1 "$MD" 2>/dev/null
is "$?" 69 'watcher refuses a missing filter program'
if command -v inotifywait >/dev/null 2>&1; then
  # With a 60 s rescan interval only inotify can make it this quick.
  sh "$C/mldigest-watch-maildir" -i 60 -s "$TMP/seen" "$MD" --list kvmarm 2>>"$TMP/watch.err" &
  watcher=$!
  sleep 1
  deliver '<w6@example.org>'
  wait_fed 7
  kill "$watcher"
  wait "$watcher"
  is "$(fed_count '<w6@example.org>')" 1 'watcher with inotifywait feeds a new message at once'
else
  skip 'inotifywait is not installed (inotify-tools)'
fi

# ---- public-inbox import ------------------------------------------------
if command -v git >/dev/null 2>&1; then
  export GIT_AUTHOR_NAME=a GIT_AUTHOR_EMAIL=a@example.org GIT_COMMITTER_NAME=a \
    GIT_COMMITTER_EMAIL=a@example.org
  commit_blob () {  # commit_blob REPO [DIR/]NAME UTC-DATE TEXT
    blob=$(printf '%b' "$4" | git --git-dir="$1" hash-object -w --stdin)
    tree=$(printf '100644 blob %s\t%s\n' "$blob" "${2#*/}" | git --git-dir="$1" mktree)
    case $2 in */*)
      tree=$(printf '040000 tree %s\t%s\n' "$tree" "${2%%/*}" | git --git-dir="$1" mktree) ;;
    esac
    parent=$(git --git-dir="$1" rev-parse -q --verify HEAD || true)
    c=$(echo m | GIT_AUTHOR_DATE=$3 GIT_COMMITTER_DATE=$3 \
      git --git-dir="$1" commit-tree "$tree" ${parent:+-p "$parent"})
    git --git-dir="$1" update-ref HEAD "$c"
  }
  V2=$TMP/inbox
  git init -q --bare "$V2/git/0.git"
  git init -q --bare "$V2/git/1.git"
  commit_blob "$V2/git/0.git" m 2026-11-09T10:02:11Z \
    'Message-ID: <i1@example.org>\nSubject: one\n\nFrom the start\n>From quoted\n'
  commit_blob "$V2/git/0.git" m 2026-11-09T11:00:00Z \
    'Message-ID: <i2@example.org>\nSubject: two\n\nno final newline'
  commit_blob "$V2/git/1.git" m 2026-11-10T09:00:00Z \
    'Message-ID: <i3@example.org>\nSubject: three\n\nlast\n'
  sh "$C/public-inbox-import" -p kvmarm "$V2" >"$TMP/v2.mbox"
  is "$(grep '^From ' "$TMP/v2.mbox" | tr '\n' '|')" \
    'From mboxrd@z Mon Nov  9 10:02:11 2026|From mboxrd@z Mon Nov  9 11:00:00 2026|From mboxrd@z Tue Nov 10 09:00:00 2026|' \
    'public-inbox v2: every epoch, oldest first, commit time on From_'
  is "$(grep -c '^>From the start$\|^>>From quoted$' "$TMP/v2.mbox")" 2 'public-inbox: mboxrd quoting'
  is "$(grep -A1 '^no final newline$' "$TMP/v2.mbox" | tail -n 1)" '' \
    'public-inbox: a message without a final newline is still separated'
  : >"$TMP/fed.log"
  cat >"$TMP/bin/mbox-filter" <<EOF
#!/bin/sh
echo "\$*" >"$TMP/mbox-args"
cat >"$TMP/piped.mbox"
EOF
  chmod +x "$TMP/bin/mbox-filter"
  MLDIGEST_FILTER=$TMP/bin/mbox-filter sh "$C/public-inbox-import" kvmarm "$V2"
  is "$(cat "$TMP/mbox-args")" '--mbox - --list kvmarm' 'public-inbox: pipes to the filter with --mbox - --list'
  ok 'public-inbox: the filter gets the same stream' cmp -s "$TMP/v2.mbox" "$TMP/piped.mbox"
  V1=$TMP/v1.git
  git init -q --bare "$V1"
  commit_blob "$V1" 3f/0123456789abcdef0123456789abcdef012345 2026-11-11T08:00:00Z \
    'Message-ID: <v1@example.org>\nSubject: v1\n\nbody\n'
  is "$(sh "$C/public-inbox-import" -p kvmarm "$V1" | grep -c '^Message-ID: <v1@example.org>$')" 1 \
    'public-inbox v1 layout'
else
  skip 'git is not installed'
fi
done_testing
