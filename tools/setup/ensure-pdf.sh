#!/usr/bin/env bash
# Make sure what the controlled PDFs need is installed: headless Chromium (Debian's old headless shell prints each
# document's PDF), Pango (WeasyPrint lays the whole manual out with it) and the DejaVu fonts the PDFs embed; with
# --test also poppler-utils (pdftotext, pdftoppm), which the tests read PDFs back with.
# Idempotent and quiet when everything is present; installs the Debian packages with apt-get otherwise.
set -euo pipefail

PACKAGES=(chromium-headless-shell libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core)
FONT=/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf
TOOLS=(chromium-headless-shell)
if [[ ${1:-} == --test ]]; then
    TOOLS+=(pdftotext pdftoppm)
    PACKAGES+=(poppler-utils)
fi

present() {
    ldconfig -p 2>/dev/null | grep -q 'libpango-1\.0\.so\.0' || return 1
    ldconfig -p 2>/dev/null | grep -q 'libpangoft2-1\.0\.so\.0' || return 1
    [[ -f $FONT ]] || return 1
    local tool
    for tool in "${TOOLS[@]}"; do
        command -v "$tool" >/dev/null 2>&1 || return 1
    done
}

if present; then
    exit 0
fi

source "$(dirname "$0")/apt-install.sh"
apt_install ensure-pdf "the controlled PDFs" "${PACKAGES[@]}"

present || fail "apt-get finished but Chromium's headless shell, Pango, the DejaVu fonts or the PDF tools are still missing"
