#!/bin/sh
# mldigest-filter, one message on stdin: recording, duplicates, cross-posts,
# --pass, the exit-status contract (0 / 65 / 75) and hostile input.
. "$(dirname "$0")/lib/tap.sh"

IDX=$TMP/idx/index.tdb

# msg ID LIST-ID SUBJECT: a small well-formed list message.
msg () {
  printf 'From: Marc Zyngier <maz@kernel.org>\n'
  printf 'To: kvmarm@lists.cs.columbia.edu\n'
  printf 'Subject: %s\n' "$3"
  printf 'Date: Mon, 01 Mar 2021 12:00:00 +0000\n'
  printf 'Message-ID: <%s>\n' "$1"
  [ -n "$2" ] && printf 'List-Id: <%s>\n' "$2"
  printf '\nHello,\n\nsome text.\n'
}

# filter ARGS... < input: runs the filter, keeps stdout, stderr and status.
filter () {
  "$FILTER" --index "$IDX" "$@" >"$TMP/out" 2>"$TMP/err"
  echo $? >"$TMP/rc"
}
rc () { cat "$TMP/rc"; }
quiet_ok () { [ "$(rc)" = 0 ] && [ ! -s "$TMP/err" ]; }
field () { "$FILTER" --index "$IDX" --show "$1" | sed -n "s/^$2: //p" | tr '\n' ' '; }
dump () { tdbdump "$IDX"; }

# ---- recording ----
msg one@example.org kvmarm.lists.cs.columbia.edu '[PATCH v2 1/3] KVM: arm64: one' >"$TMP/m1"
filter <"$TMP/m1"
ok 'a message is recorded, silently' quiet_ok
is "$(field one@example.org subject)" '[PATCH v2 1/3] KVM: arm64: one ' 'its record holds the subject'
is "$(field one@example.org list)" 'kvmarm ' 'and the short list name from List-Id'
is "$(stat -c %a "$IDX") $(stat -c %a "$TMP/idx")" '600 700' 'index file 0600, directory 0700'

dump >"$TMP/before"
filter <"$TMP/m1"
ok 'the same message again exits 0, silently' quiet_ok
dump >"$TMP/after"
ok 'and changes nothing in the index' cmp -s "$TMP/before" "$TMP/after"

# ---- cross-posting ----
msg one@example.org kvm.vger.kernel.org '[PATCH v2 1/3] KVM: arm64: one' >"$TMP/m1kvm"
filter <"$TMP/m1kvm"
ok 'a cross-posted copy exits 0' quiet_ok
is "$(field one@example.org list)" 'kvm kvmarm ' 'and adds its list to the record'
is "$(field one@example.org list-id)" 'kvm.vger.kernel.org kvmarm.lists.cs.columbia.edu ' 'and its List-Id'

# ---- lists ----
msg two@example.org '' 'no list at all' | filter
is "$(rc) $(field two@example.org list)" '0 unlisted ' 'mail with no List-Id and no --list is recorded as unlisted'
msg three@example.org '' 'forced' | filter --list '<kvm.vger.kernel.org>'
is "$(field three@example.org list)" 'kvm ' '--list takes a whole List-Id and keeps its short name'

# ---- --pass ----
msg four@example.org kvmarm.lists.cs.columbia.edu 'passing through' >"$TMP/m4"
printf '>From the body\n\0binary\r\nno final newline' >>"$TMP/m4"
filter --pass <"$TMP/m4"
ok '--pass records the message' quiet_ok
ok '--pass copies it byte for byte' cmp -s "$TMP/m4" "$TMP/out"

# ---- exit status: input that can never be recorded ----
filter </dev/null
is "$(rc)" 65 'empty input: 65'
ok 'with a lowercase error naming the program' grep -q '^mldigest-filter: cannot record message: [a-z]' "$TMP/err"
printf '\n\n\n' | filter
is "$(rc)" 65 'blank input: 65'
filter --pass </dev/null
is "$(rc):$(wc -c <"$TMP/out")" '65:0' 'empty input with --pass: 65, nothing invented'

# Bigger than the 64 MiB bound: refused, yet passed through whole.
{ msg big@example.org kvmarm.lists.cs.columbia.edu big; head -c 68000000 /dev/zero | tr '\0' 'x'; } >"$TMP/big"
filter --pass <"$TMP/big"
is "$(rc)" 65 'a message over 64 MiB: 65'
ok 'and --pass still copies all of it' cmp -s "$TMP/big" "$TMP/out"
rm -f "$TMP/big" "$TMP/out"

# ---- exit status: index trouble is 75, and --pass never loses the mail ----
# check_temp NAME INDEX [runner...]: 75, an error naming the index, mail passed.
check_temp () {
  what=$1 path=$2; shift 2
  "$@" "$FILTER" --pass --index "$path" <"$TMP/m4" >"$TMP/out" 2>"$TMP/err"
  is "$?" 75 "$what: 75"
  ok "$what: error names the index" grep -q "^mldigest-filter: .*'$(dirname "$path")" "$TMP/err"
  ok "$what: --pass delivered the message intact" cmp -s "$TMP/m4" "$TMP/out"
}

: >"$TMP/plainfile"
check_temp 'index directory under a regular file' "$TMP/plainfile/idx/index.tdb"

# A file size limit (a full quota, honestly: writes fail with EFBIG).
check_temp 'file size limit' "$TMP/small/index.tdb" prlimit --fsize=20000

# A TDB that is not an mldigest index: refused, never misread.
printf 'create %s\nstore meta:format 99\nquit\n' "$TMP/foreign.tdb" | tdbtool >/dev/null 2>&1
check_temp 'foreign index' "$TMP/foreign.tdb"

# The lock held by another writer longer than --lock-timeout.
mkfifo "$TMP/hold"
{ echo transaction_start; cat "$TMP/hold"; echo transaction_cancel; } |
  tdbtool "$IDX" >/dev/null 2>&1 &
holder=$!
sleep 0.5
start=$(date +%s%N)
"$FILTER" --pass --index "$IDX" --lock-timeout 300 <"$TMP/m4" >"$TMP/out" 2>"$TMP/err"
is "$?" 75 'lock held elsewhere beyond --lock-timeout: 75'
took=$(( ($(date +%s%N) - start) / 1000000 ))
ok "gave up after the timeout, not before and not much later (${took} ms)" \
  test "$took" -ge 300 -a "$took" -lt 5000
ok 'error says the index is busy' grep -q "cannot lock index '.*': still busy after 300 ms" "$TMP/err"
ok 'and --pass delivered the message' cmp -s "$TMP/m4" "$TMP/out"
echo >"$TMP/hold"
wait $holder

# Real read-only and full file systems, in a private mount namespace.
if unshare -m true 2>/dev/null && unshare -m mount -t tmpfs tmpfs "$TMP" 2>/dev/null; then
  unshare -m sh -c '
    mkdir -p "$1/ro" && mount -t tmpfs -o ro tmpfs "$1/ro" &&
    "$2" --pass --index "$1/ro/idx/index.tdb" <"$1/m4" >"$1/out" 2>"$1/err"
    echo $? >"$1/rc"' sh "$TMP" "$FILTER"
  is "$(rc)" 75 'read-only file system: 75'
  ok 'read-only file system: --pass delivered the message' cmp -s "$TMP/m4" "$TMP/out"

  # A full disk: 16 MiB with under 200 KiB left, less than a new index
  # needs (it is made with its room and recovery area, a few MiB, before
  # it appears); once room is made the retry records the message.
  unshare -m sh -c '
    mkdir -p "$1/full" && mount -t tmpfs -o size=16m tmpfs "$1/full" &&
    dd if=/dev/zero of="$1/full/filler" bs=1k count=16200 2>/dev/null &&
    "$2" --pass --index "$1/full/index.tdb" <"$1/m4" >"$1/out" 2>"$1/err"
    echo $? >"$1/rc"
    { [ ! -e "$1/full/index.tdb" ] && echo "no index"; } >"$1/check" ||
      tdbtool "$1/full/index.tdb" check >"$1/check" 2>&1
    rm "$1/full/filler"
    "$2" --index "$1/full/index.tdb" <"$1/m4" &&
      "$2" --index "$1/full/index.tdb" --show four@example.org >>"$1/check"' \
    sh "$TMP" "$FILTER"
  is "$(rc)" 75 'full file system: 75'
  ok 'full file system: --pass delivered the message' cmp -s "$TMP/m4" "$TMP/out"
  ok 'full file system: the error names the index' grep -q "^mldigest-filter: cannot .* index '$TMP/full/index.tdb'" "$TMP/err"
  ok 'full file system: the index is intact (or, never made, absent)' \
    grep -q -e 'Database integrity is OK' -e '^no index$' "$TMP/check"
  ok 'full file system: the retry records it once there is room' grep -q '^message-id: four@example.org' "$TMP/check"
else
  skip 'cannot mount a tmpfs here: read-only and full file systems not tested'
fi

# ---- hostile input: recorded or 65, never a crash ----
hostile () {
  printf 'Subject: only a subject\n'                             >"$TMP/h1"
  printf 'no header at all, just text\n'                         >"$TMP/h2"
  head -c 3000 /dev/urandom                                      >"$TMP/h3"
  printf 'Subject: \377\376 bad \300\200 utf8\nMessage-ID: <\377@x>\n\nb\n' >"$TMP/h4"
  { printf 'Subject: '; head -c 200000 /dev/zero | tr '\0' 'A'; printf '\n\nbody\n'; } >"$TMP/h5"
  printf 'Message-ID: <a@b>\nIn-Reply-To: <a@b>\nReferences: <a@b> <a@b>\n\nself\n' >"$TMP/h6"
  printf 'Content-Type: multipart/mixed; boundary=x\n\n--x\n--x\n--x--\n' >"$TMP/h7"
  printf 'From: \033[31mred\033[0m <x@y>\nSubject: =?utf-8?b?AAAA?=\n\n\0\0\0\n' >"$TMP/h8"
  ls "$TMP"/h[0-9]
  [ -d "$DATA/hostile" ] && find "$DATA/hostile" -type f
}
bad=
for f in $(hostile); do
  "$FILTER" --index "$IDX" <"$f" >/dev/null 2>"$TMP/err"
  s=$?
  case $s in
    0) [ -s "$TMP/err" ] && bad="$bad $f(stderr)" ;;
    65) grep -q '^mldigest-filter: ' "$TMP/err" || bad="$bad $f(no message)" ;;
    *) bad="$bad $f($s)" ;;
  esac
done
is "$bad" '' 'hostile messages: each recorded or refused with 65, never a crash'

if [ -d "$CORPUS/tricky" ]; then
  bad=
  for f in "$CORPUS"/tricky/*; do
    case $f in *.tsv|*.md) continue ;; esac
    "$FILTER" --index "$IDX" <"$f" >/dev/null 2>"$TMP/err"
    s=$?
    [ $s = 0 ] && [ ! -s "$TMP/err" ] || [ $s = 65 ] || bad="$bad ${f##*/}($s)"
  done
  is "$bad" '' 'every tricky/ corpus message recorded (or 65), never a crash'
else
  skip "corpus not found at $CORPUS"
fi

ok 'the index is consistent after all of it' sh -c "tdbtool '$IDX' check | grep -q 'Database integrity is OK'"

# ---- usage ----
"$FILTER" --no-such-option </dev/null 2>"$TMP/err"
is "$?" 64 'an unknown option: 64 (EX_USAGE)'
"$FILTER" --mbox x --maildir y </dev/null 2>"$TMP/err"
is "$?" 64 'conflicting modes: 64'

done_testing
