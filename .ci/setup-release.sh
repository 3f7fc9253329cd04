#!/usr/bin/env bash
# Optional, for the release tests: LibreOffice Calc lets test_exports check that a CSV
# cell starting with '=' opens as text. Without it that one test is skipped. Takes about a
# minute on a fresh Debian machine; the rest of the release tests need only '.[dev]'.
set -euo pipefail
if command -v soffice >/dev/null 2>&1; then
  exit 0
fi
if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends libreoffice-calc-nogui >/dev/null
fi
