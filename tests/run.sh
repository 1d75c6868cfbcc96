#!/usr/bin/env bash
# The whole test suite, from a fresh clone: installs what it needs (pip packages, and Dovecot,
# PostgreSQL, Postfix, dnsmasq and Chromium through apt-get when missing), starts throwaway
# servers on loopback, runs pytest, stops them.
#   bash tests/run.sh [pytest args...]
set -euo pipefail
cd "$(dirname "$0")/.."
export PIP_DISABLE_PIP_VERSION_CHECK=1
python3 -m pip install -q -e '.[test]' 2>&1 | grep -v -E "^WARNING: Running pip as the 'root' user|^$" || true
services=$(mktemp -d -t sequencer-services.XXXXXX)
trap 'bash tests/services.sh stop "$services"; rm -rf "$services"' EXIT
eval "$(bash tests/services.sh start "$services")"
export SEQUENCER_TEST_IMAP SEQUENCER_TEST_PG SEQUENCER_TEST_MAILHOST SEQUENCER_TEST_DNS
# Tests that need these servers fail (rather than skip) when they are missing.
export SEQUENCER_REQUIRE_SERVICES=1
python3 -m pytest "$@"
