#!/usr/bin/env bash
# Make sure headless Chromium and its WebDriver are installed, for the browser tests (make test).
# Idempotent and quiet when both are present; installs the Debian packages with apt-get otherwise.
set -euo pipefail

CHROMIUM=/usr/bin/chromium
CHROMEDRIVER=/usr/bin/chromedriver
PACKAGES=(chromium chromium-driver)

if [[ -x $CHROMIUM && -x $CHROMEDRIVER ]]; then
    exit 0
fi

fail() {
    echo "ensure-chromium: $1; install the Debian packages 'chromium' and 'chromium-driver' (${CHROMIUM}, ${CHROMEDRIVER}), e.g. sudo apt-get install chromium chromium-driver" >&2
    exit 1
}

if ! command -v apt-get >/dev/null 2>&1; then
    fail "apt-get not found"
fi

SUDO=()
if [[ $(id -u) -ne 0 ]]; then
    if command -v sudo >/dev/null 2>&1; then
        SUDO=(sudo)
    else
        fail "not root and sudo not found"
    fi
fi

echo "ensure-chromium: installing ${PACKAGES[*]} with apt-get (needed by the browser tests)"
"${SUDO[@]}" apt-get update -qq || fail "apt-get update failed"
"${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y -qq --no-install-recommends "${PACKAGES[@]}" >/dev/null || fail "apt-get install failed"

[[ -x $CHROMIUM && -x $CHROMEDRIVER ]] || fail "apt-get finished but ${CHROMIUM} or ${CHROMEDRIVER} is still missing"
