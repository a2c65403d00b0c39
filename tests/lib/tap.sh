# tap.sh - a small TAP library for mldigest's shell integration tests.
#
#   . "$(dirname "$0")/lib/tap.sh"
#   plan 3                   # or done_testing at the end
#   ok 'name' test -s file   # runs the command; passes when it exits 0
#   is "$got" "$want" 'name'
#   skip_all 'why'           # exit 0 with "1..0 # SKIP why"
#   need_corpus              # skip_all unless ../shared/corpus is there
#   need_cmd procmail        # skip_all unless the program exists
#   verdicts FILE [PREFIX]   # PASS/FAIL lines of a checker script as tests
#
# Environment: MLDIGEST_BUILD (set by make check) holds the programs;
# tests work in $TMP, a fresh directory removed on exit.
set -u
export LC_ALL=C.UTF-8 TZ=UTC

TOP=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${MLDIGEST_BUILD:-$TOP/build}
FILTER=$BUILD/mldigest-filter
AGGREGATE=$BUILD/mldigest-aggregate
CORPUS=${MLDIGEST_CORPUS:-$TOP/../shared/corpus}
DATA=$TOP/tests/data
TMP=$(mktemp -d "${TMPDIR:-/tmp}/mldigest-test.XXXXXX")
export MLDIGEST_INDEX=$TMP/index.tdb
export MLDIGEST_CONFIG=$TMP/no-config
export XDG_CONFIG_HOME=$TMP/xdg-config XDG_DATA_HOME=$TMP/xdg-data

_tap_n=0
_tap_failed=0
_tap_plan=

cleanup_hooks=
_tap_exit () {
  rc=$?
  for h in $cleanup_hooks; do "$h" || :; done
  rm -rf "$TMP"
  if [ -z "$_tap_plan" ] && [ "$_tap_n" -gt 0 ]; then echo "1..$_tap_n"; fi
  [ "$_tap_failed" -gt 0 ] && exit 1
  exit $rc
}
trap _tap_exit EXIT
# Register a function to run at exit (stop servers, kill children).
at_exit () { cleanup_hooks="$cleanup_hooks $1"; }

plan () { _tap_plan=$1; echo "1..$1"; }
done_testing () { :; }
diag () { printf '# %s\n' "$*" >&2; }

pass () { _tap_n=$((_tap_n + 1)); echo "ok $_tap_n - $1"; }
fail () { _tap_n=$((_tap_n + 1)); _tap_failed=$((_tap_failed + 1)); echo "not ok $_tap_n - $1"; }

ok () {
  name=$1; shift
  if "$@"; then pass "$name"; else fail "$name"; fi
}
is () {
  if [ "$1" = "$2" ]; then pass "$3"; else
    fail "$3"; diag "got:  '$1'"; diag "want: '$2'"; fi
}
skip () { _tap_n=$((_tap_n + 1)); echo "ok $_tap_n # SKIP $1"; }
# Relay a checker's verdicts: lines "PASS<TAB>name" / "FAIL<TAB>name"
# become tests (named PREFIX: name), "# ..." lines diagnostics.
verdicts () {
  _tab=$(printf '\t')
  while IFS="$_tab" read -r _v _name; do
    case $_v in
      PASS) pass "${2:+$2: }$_name" ;;
      FAIL) fail "${2:+$2: }$_name" ;;
      \#*) diag "${_v#\# }${_name:+ $_name}" ;;
    esac
  done < "$1"
}
skip_all () { echo "1..0 # SKIP $1"; _tap_plan=0; exit 0; }
need_corpus () {
  [ -d "$CORPUS" ] || skip_all "real-mail corpus not found at $CORPUS (set MLDIGEST_CORPUS)"
}
need_cmd () {
  command -v "$1" >/dev/null 2>&1 || skip_all "$1 is not installed"
}
# Whether the programs under test are built with the sanitizers (make
# check SANITIZE=1): the binary itself says so, however it was reached.
sanitized () {
  grep -aq __asan_init "$FILTER" 2>/dev/null
}
# wait_port FILE: wait (10 s at most) for a test server started in the
# background to write the port it listens on into FILE; bail out if not.
wait_port () {
  i=0
  while [ ! -s "$1" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
  [ -s "$1" ] || { echo "Bail out! a test server did not start"; exit 1; }
}
