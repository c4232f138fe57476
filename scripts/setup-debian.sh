#!/usr/bin/env bash
# One-command setup on a fresh Debian or Ubuntu machine: the system packages CardDesk and its
# tests use (PC/SC, the vpcd virtual reader, OpenSC, SoftHSM2, Chromium, poppler, GnuTLS, CUPS),
# then the npm dependencies. Run as a normal user (sudo is used for apt) or as root.
set -euo pipefail
cd "$(dirname "$0")/.."

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

packages=(
  pcscd libpcsclite-dev pcsc-tools vsmartcard-vpcd  # PC/SC daemon, headers for pcsclite, vpcd virtual readers
  opensc opensc-pkcs11 softhsm2 ykcs11 yubico-piv-tool  # PKCS#11 modules and independent PIV tools
  openssl                                            # independent checker: keys and certificates in tests
  chromium poppler-utils gnutls-bin xvfb             # browser for end-to-end tests, pdfsig, certtool, a virtual display
  libnss3-tools                                      # certutil: the desk's root in an NSS database for pdfsig -nssdir
  openssl sqlite3                                    # the CA's independent checker; SQLite, the directory benchmark's anchor
  python3 make g++                                   # node-gyp builds pcsclite and pkcs11js
  cups-daemon cups-client cups-core-drivers          # CUPS: lp/lpstat print PIN letters; tests run a private cupsd (gziptoany filter)
  oathtool pskc-utils python3-pskc                   # independent TOTP codes (oathtool) and PSKC token files (csv2pskc) for the holder account tests
  postgresql                                         # team mode: the tests run a private PostgreSQL server (initdb into a temporary folder)
  curl iproute2                                      # curl: an independent EST client for the mobile ID tests; ip: a published address in a private network namespace
)

export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${packages[@]}"

# The Electron binary comes from GitHub, which machines that reach only package registries
# cannot download; set ELECTRON_SKIP_BINARY_DOWNLOAD=1 there (browser mode and every test still work).
npm ci

# Build once, so `npx carddesk --help` works right away (npm start and the CLI rebuild only when a
# source changes).
node scripts/build.mjs
