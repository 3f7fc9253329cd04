#!/usr/bin/env bash
# Headless Chromium and its driver for the knowledge-library browser test
# (tests/cli/test_site_browser.py), from Debian's packages. Idempotent: does nothing when both
# are installed already. Needs root (CI runs as root) and apt access.
set -euo pipefail

if [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ]; then
  echo "setup-browser: chromium and chromedriver already installed"
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  SUDO="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq chromium chromium-driver fonts-dejavu-core
/usr/bin/chromium --version || true
