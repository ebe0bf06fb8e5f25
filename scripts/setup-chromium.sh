#!/usr/bin/env bash
# Installs Debian's Chromium for the browser tests, which drive it through playwright-core (no
# browser is downloaded): the packed library (test/package/package.test.ts) and the WebGPU backend
# on navigator.gpu (test/browser/webgpu.test.ts; --enable-unsafe-webgpu gives Chromium's own
# SwiftShader adapter when there is no GPU, so no driver is needed for it).
# Idempotent: when the browser is already there it only prints its version.
#
# Usage: scripts/setup-chromium.sh
#   PUREGRAD_CHROMIUM overrides the expected path (default /usr/bin/chromium), as in the test.
# Needs root (apt-get), as on the project's machines and in CI.
set -euo pipefail
CHROMIUM=${PUREGRAD_CHROMIUM:-/usr/bin/chromium}
log() { echo "setup-chromium: $*" >&2; }

if [[ ! -x $CHROMIUM ]]; then
  command -v apt-get >/dev/null || { log "no $CHROMIUM and no apt-get to install it with"; exit 1; }
  log "installing chromium with apt-get"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq chromium >&2
fi
[[ -x $CHROMIUM ]] || { log "chromium was installed but $CHROMIUM is missing"; exit 1; }
# Debian's wrapper prints a harmless shell warning on some systems; keep only the version line.
version=$("$CHROMIUM" --version 2>/dev/null | grep -i chrom | tail -n1 || true)
log "ready: ${version:-$CHROMIUM}"
