#!/bin/sh
# Install the Debian packages mldigest builds, tests and benchmarks with.
# Only what is missing is installed, so it is cheap to call from every
# make target.  Needs root (or sudo) when something is missing.
#
#   contrib/install-deps.sh            build + test dependencies
#   contrib/install-deps.sh --bench    also what `make bench` compares against
set -eu

BUILD="build-essential pkg-config xz-utils
  libglib2.0-dev libgmime-3.0-dev libtdb-dev tdb-tools
  libjson-glib-dev libtemplate-glib-1.0-dev libgirepository1.0-dev
  libcmark-gfm-dev libcmark-gfm-extensions-dev libcurl4-openssl-dev
  libgpgme-dev libassuan-dev libunistring-dev libselinux1-dev libxml2-dev liblzma-dev"
TEST="procmail chromium fonts-wqy-microhei fonts-noto-color-emoji python3 python3-aiosmtpd
  shellcheck inotify-tools procps groff-base time clang valgrind
  postfix sasl2-bin libsasl2-modules openssl
  dovecot-core dovecot-imapd dovecot-pop3d dovecot-sieve fetchmail getmail6
  systemd python3-croniter"
BENCH="notmuch maildir-utils hyperfine"

want="$BUILD $TEST"
[ "${1:-}" = "--bench" ] && want="$want $BENCH"

missing=""
for p in $want; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
    missing="$missing $p"
done
[ -z "$missing" ] && exit 0

echo "install-deps: installing:$missing" >&2
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
# The tests run Postfix from a temporary directory of their own: the
# system's instance is left unconfigured (and so never started).
echo "postfix postfix/main_mailer_type select No configuration" | $SUDO debconf-set-selections
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
