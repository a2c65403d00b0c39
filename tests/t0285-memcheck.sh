#!/bin/sh
# The real-mail corpus (tricky, suites, archive) and the hostile
# messages through the filter under a memory checker: no error, no leak.
#
# With the sanitizer build (make check SANITIZE=1, make memcheck) the
# filter runs under ASan + UBSan + LeakSanitizer: the whole corpus as one
# bulk import, and every tricky, suites and hostile file as a single
# delivery.  With the plain build it runs under valgrind (memcheck, full
# leak check, tests/valgrind.supp): the tricky, suites and hostile mail
# as one import plus MEMCHECK_ARCHIVE (0) archive messages, the hostile
# and a few tricky ones as single deliveries; MEMCHECK_FULL=1 (make
# memcheck) adds the whole archive.
. "$(dirname "$0")/lib/tap.sh"
need_corpus
need_cmd xz
. "$TOP/tests/lib/archive.sh"

case $BUILD in *-san) MODE=asan ;; *) MODE=valgrind ;; esac
if [ "$MODE" = valgrind ]; then
  need_cmd valgrind
  # valgrind cannot follow malloc() inside a static libc: the same
  # objects linked with shared libraries (make check builds it).
  FILTER=$BUILD/tests/mldigest-filter-shared
  [ -x "$FILTER" ] || { echo "Bail out! $FILTER is not built (make check builds it)"; exit 1; }
  CHECKER="valgrind -q --error-exitcode=99 --num-callers=40 --suppressions=$TOP/tests/valgrind.supp
    --leak-check=full --errors-for-leak-kinds=definite --show-leak-kinds=definite"
  FULL=${MEMCHECK_FULL:-0}
else
  CHECKER=
  FULL=1
  export ASAN_OPTIONS=detect_leaks=1:exitcode=99
  export LSAN_OPTIONS=exitcode=99:suppressions=$TOP/tests/lsan.supp
  export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
fi
export G_SLICE=always-malloc G_DEBUG=gc-friendly

# The corpus as one mboxrd stream: each mail file wrapped in a From_ line
# (body lines "From ", ">From "... quoted), each mbox of the suites as it
# is.
wrap () {
  for f in "$@"; do
    if head -c 5 "$f" | grep -q '^From '; then cat "$f"; echo
    else
      echo 'From memcheck@example.org Mon Nov  9 10:00:00 2026'
      LC_ALL=C awk '{ if ($0 ~ /^>*From /) $0 = ">" $0; print } END { print "" }' "$f"
    fi
  done
}
find "$CORPUS/tricky" "$CORPUS/suites" "$DATA/hostile" -type f ! -name '*.md' ! -name MANIFEST.tsv \
  ! -name SOURCE_COMMIT | sort >"$TMP/files"
# shellcheck disable=SC2046
wrap $(cat "$TMP/files") >"$TMP/corpus.mbox"
if [ "$FULL" = 1 ]; then xz -dc "$ARCHIVE" >>"$TMP/corpus.mbox"
else xz -dc "$ARCHIVE" | awk -v n="${MEMCHECK_ARCHIVE:-0}" '/^From / { k++ } k <= n' >>"$TMP/corpus.mbox"
fi
messages=$(grep -c '^From ' "$TMP/corpus.mbox")

# checked NAME CMD...: run CMD under the checker; its report (stderr)
# must hold no error and its exit status must not be the checker's.
checked () {
  name=$1; shift
  # shellcheck disable=SC2086
  $CHECKER "$@" >"$TMP/check.out" 2>"$TMP/check.err"
  rc=$?
  if [ "$rc" = 99 ] || grep -q 'ERROR: [A-Za-z]*Sanitizer\|runtime error:\|^==[0-9]*== [A-Z]' "$TMP/check.err"; then
    fail "$name"; sed -n '1,40p' "$TMP/check.err" >&2; return 1
  fi
  pass "$name"
}

t0=$(date +%s)
checked "$MODE: a bulk import of $messages messages" \
  "$FILTER" --mbox "$TMP/corpus.mbox" --list kvmarm --quiet
diag "$MODE: import of $messages messages in $(($(date +%s) - t0)) s"

# Single deliveries: every file with the sanitizers (cheap), a sample
# under valgrind (seconds each).
if [ "$MODE" = asan ]; then cp "$TMP/files" "$TMP/singles"
else { grep '/hostile/' "$TMP/files"; grep '/tricky/' "$TMP/files" | awk 'NR % 100 == 1'; } >"$TMP/singles"
fi
t0=$(date +%s)
bad=0 n=0
while read -r f; do
  n=$((n + 1))
  # shellcheck disable=SC2086
  $CHECKER "$FILTER" --list kvmarm <"$f" 2>"$TMP/check.err"
  rc=$?
  if [ "$rc" != 0 ] && [ "$rc" != 65 ] ||
     grep -q 'ERROR: [A-Za-z]*Sanitizer\|runtime error:\|^==[0-9]*== [A-Z]' "$TMP/check.err"; then
    bad=$((bad + 1)); diag "exit $rc for $f"; sed -n '1,30p' "$TMP/check.err" >&2
  fi
done <"$TMP/singles"
diag "$MODE: $n single deliveries in $(($(date +%s) - t0)) s"
is "$bad" 0 "$MODE: $n single deliveries, each recorded or 65, no error, no leak"

checked "$MODE: --show of a stored record" "$FILTER" --show injection-1@example.net
export MLDIGEST_NOW=2026-11-17T08:00:00Z MLDIGEST_TEMPLATES="$TOP/templates"
# Whole stacks through the libraries (no frame pointers there), for the
# suppressions of tests/lsan.supp to match.
[ "$MODE" = asan ] && export ASAN_OPTIONS=$ASAN_OPTIONS:fast_unwind_on_malloc=0
checked "$MODE: the week's HTML report over it" \
  "$AGGREGATE" --week 2026-W46 --format html -o "$TMP/week.html"

done_testing
