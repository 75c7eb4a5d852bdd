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

source "$(dirname "$0")/apt-install.sh"
apt_install ensure-chromium "the browser tests" "${PACKAGES[@]}"

[[ -x $CHROMIUM && -x $CHROMEDRIVER ]] || fail "apt-get finished but ${CHROMIUM} or ${CHROMEDRIVER} is still missing"
