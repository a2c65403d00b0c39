#!/bin/sh
# {list} in the index path: the filter records each message in the file of
# its list (--list, else each List-Id; "unlisted" without one), the
# aggregator reads the file of --list; without {list} one file holds every
# list, as before.
. "$(dirname "$0")/lib/tap.sh"

unset MLDIGEST_INDEX
msg () {
  printf 'From: Marc Zyngier <maz@kernel.org>\nSubject: %s\n' "$3"
  printf 'Date: Mon, 01 Mar 2021 12:00:00 +0000\nMessage-ID: <%s>\n' "$1"
  for l in $2; do printf 'List-Id: <%s>\n' "$l"; done
  printf '\nHello,\n\nsome text.\n'
}
deliver () { "$FILTER" --config "$CONF" "$@" 2>>"$TMP/err"; }
shown () { "$FILTER" --config "$CONF" --list "$1" --show "$2" 2>/dev/null | sed -n 's/^list: //p' | tr '\n' ' '; }
ids () { "$AGGREGATE" --config "$CONF" "$@" --week 2021-W09 --format json 2>>"$TMP/err" |
         /usr/bin/python3 -c 'import json,sys; print(" ".join(sorted(m["message_id"] for t in json.load(sys.stdin)["threads"] for m in t["messages"])))'; }

CONF=$TMP/per-list.conf
printf '[index]\npath = %s/idx/{list}.tdb\n' "$TMP" >"$CONF"
KVMARM=kvmarm.lists.cs.columbia.edu KVM=kvm.vger.kernel.org

msg a1@x "$KVMARM" 'kvmarm only' | deliver; r1=$?
msg b1@x "$KVM" 'kvm only' | deliver; r2=$?
msg c1@x "$KVMARM $KVM" 'cross-posted' | deliver; r3=$?
msg d1@x '' 'no list' | deliver; r4=$?
msg e1@x "$KVM" 'forced' | deliver --list other; r5=$?
is "$r1 $r2 $r3 $r4 $r5" '0 0 0 0 0' 'every delivery exits 0'
is "$(cd "$TMP/idx" && ls | tr '\n' ' ')" 'kvm.tdb kvmarm.tdb other.tdb unlisted.tdb ' 'one file per list, none for all'
is "$(shown kvmarm a1@x)|$(shown kvm a1@x)" 'kvmarm |' 'a message is in its list file only'
is "$(shown kvmarm c1@x)|$(shown kvm c1@x)" 'kvmarm |kvm ' 'a cross-post is in the file of each list, as that list'
is "$(shown unlisted d1@x)" 'unlisted ' 'mail without a List-Id goes to unlisted'
is "$(shown other e1@x)|$(shown kvm e1@x)" 'other |' '--list chooses the file over the List-Id'
msg c1@x "$KVMARM $KVM" 'cross-posted' | deliver
is "$? $(shown kvm c1@x)" '0 kvm ' 'the cross-post again is a duplicate in both'

export MLDIGEST_NOW=2021-03-08
is "$(ids --list kvmarm)" 'a1@x c1@x' 'the aggregator reads the file of --list (kvmarm)'
is "$(ids --list "$KVM")" 'b1@x c1@x' '... and of a List-Id given as --list (kvm)'
"$AGGREGATE" --config "$CONF" --week 2021-W09 >/dev/null 2>"$TMP/agg.err"
is "$?" 64 'the aggregator without --list is a usage error'
ok '... that says why' grep -q 'holds {list}' "$TMP/agg.err"

msg f1@x "$KVM" 'imported' | sed '1i From x Mon Mar  1 12:00:00 2021' >"$TMP/f.mbox"
"$FILTER" --config "$CONF" --quiet --mbox "$TMP/f.mbox" 2>"$TMP/imp.err"
is "$?" 64 'an import into per-list files without --list is a usage error'
"$FILTER" --config "$CONF" --quiet --list kvm --mbox "$TMP/f.mbox"
is "$? $(shown kvm f1@x)" '0 kvm ' 'with --list it goes to that list file'

# --index may hold {list} too, and wins over the configuration
msg g1@x "$KVM" 'via --index' | deliver --index "$TMP/opt/{list}.db"
ok '--index with {list} names the file' test -s "$TMP/opt/kvm.db"

# ---- without {list}: one file for every list
printf '[index]\npath = %s/one/index.tdb\n' "$TMP" >"$CONF"
msg a1@x "$KVMARM" 'kvmarm only' | deliver
msg b1@x "$KVM" 'kvm only' | deliver
is "$(ls "$TMP/one" | tr '\n' ' ')" 'index.tdb ' 'without {list}, [index] path is one file'
is "$(ids --list kvm)" 'b1@x' '... that holds each list'
printf '' >"$TMP/empty.conf"
CONF=$TMP/empty.conf MLDIGEST_INDEX= XDG_DATA_HOME=$TMP/xdg deliver <"$TMP/f.mbox"
ok 'no configuration at all: the default file' test -s "$TMP/xdg/mldigest/index.tdb"
ok 'no errors were printed' test ! -s "$TMP/err"
done_testing
