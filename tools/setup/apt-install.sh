# Sourced by the ensure-*.sh scripts: install Debian packages with apt-get (as root, or through sudo), or say
# plainly why that cannot be done and what to install by hand.
#   apt_install NAME "what needs them" PACKAGE...

fail() {
    echo "${APT_NAME}: $1; install the Debian packages ${APT_PACKAGES[*]}, e.g. sudo apt-get install ${APT_PACKAGES[*]}" >&2
    exit 1
}

apt_install() {
    APT_NAME=$1
    local why=$2
    shift 2
    APT_PACKAGES=("$@")
    command -v apt-get >/dev/null 2>&1 || fail "apt-get not found"
    local sudo=()
    if [[ $(id -u) -ne 0 ]]; then
        command -v sudo >/dev/null 2>&1 || fail "not root and sudo not found"
        sudo=(sudo)
    fi
    echo "${APT_NAME}: installing ${APT_PACKAGES[*]} with apt-get (needed by ${why})"
    "${sudo[@]}" apt-get update -qq || fail "apt-get update failed"
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive \
        apt-get install -y -qq --no-install-recommends "${APT_PACKAGES[@]}" >/dev/null || fail "apt-get install failed"
}
