#!/usr/bin/env bash
# Installs a software Vulkan driver so that WebGPU (Dawn, the npm package `webgpu`) runs on machines
# with no GPU: CI, and users who want the webgpu backend's tests locally. Idempotent: a second run
# only re-checks and prints the environment again.
#
#   1. lavapipe (Mesa 25, from Debian bookworm-backports; bookworm's own Mesa 22 is too old for
#      Dawn), about 3x faster than SwiftShader here. Needs a Vulkan loader: the system's libvulkan1
#      (installed with apt-get when missing).
#   2. Fallback: SwiftShader's Vulkan ICD and loader, unpacked from Debian's chromium-common.
# Debian packages come only through apt-get; nothing outside the prefix changes except libvulkan1.
# If node_modules/webgpu exists, the chosen driver is probed (a real adapter must appear) and a
# failed lavapipe probe falls back to SwiftShader.
#
# Usage: scripts/setup-webgpu-driver.sh [--driver auto|lavapipe|swiftshader] [--prefix DIR]
#   (or PUREGRAD_WEBGPU_DRIVER / PUREGRAD_WEBGPU_PREFIX; default prefix ~/.cache/puregrad-webgpu)
# stdout carries only `export ...` lines, so callers can `eval "$(scripts/setup-webgpu-driver.sh)"`;
# progress goes to stderr. The same lines are saved in $PREFIX/env.sh, where the tests also look.
set -euo pipefail
DRIVER=${PUREGRAD_WEBGPU_DRIVER:-auto}
PREFIX=${PUREGRAD_WEBGPU_PREFIX:-${XDG_CACHE_HOME:-$HOME/.cache}/puregrad-webgpu}
while [[ $# -gt 0 ]]; do
  case $1 in
    --driver) DRIVER=$2; shift 2 ;;
    --prefix) PREFIX=$2; shift 2 ;;
    -h|--help) sed -n '2,19p' "$0"; exit 0 ;;
    *) echo "setup-webgpu-driver: unknown argument $1" >&2; exit 2 ;;
  esac
done
case $DRIVER in auto|lavapipe|swiftshader) ;; *) echo "setup-webgpu-driver: unknown driver '$DRIVER'" >&2; exit 2 ;; esac
PREFIX=$(realpath -m "$PREFIX")
REPO=$(cd "$(dirname "$0")/.." && pwd)
log() { echo "setup-webgpu-driver: $*" >&2; }
mkdir -p "$PREFIX"

apt_updated=0
apt_update() { if [[ $apt_updated == 0 ]]; then apt-get update -qq >&2 && apt_updated=1; fi; }

# (grep reads everything: with pipefail, grep -q's early exit would fail the pipe with SIGPIPE.)
has_system_loader() { ldconfig -p 2>/dev/null | grep 'libvulkan\.so\.1 ' >/dev/null; }

ensure_system_loader() {
  has_system_loader && return 0
  log "installing the Vulkan loader (libvulkan1) with apt-get"
  { apt_update && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends libvulkan1 >&2; } || return 1
  has_system_loader
}

# lavapipe from bookworm-backports, through a private apt list (the system's sources stay as they are).
install_lavapipe() {
  local dir=$PREFIX/lavapipe
  if [[ -f $dir/lvp_icd_local.json && -f $dir/libvulkan_lvp.so ]]; then log "lavapipe already in $dir"; return 0; fi
  local mirror
  mirror=$(sed -n 's/^URIs: *\([^ ]*\/debian\)$/\1/p' /etc/apt/sources.list.d/*.sources 2>/dev/null | head -n1 || true)
  [[ -n $mirror ]] || mirror=$(awk '$1=="deb" && $2 ~ /\/debian\/?$/ {print $2; exit}' /etc/apt/sources.list 2>/dev/null || true)
  [[ -n $mirror ]] || { log "no Debian mirror found in the apt sources"; return 1; }
  local A; A=$(mktemp -d)
  mkdir -p "$A/lists/partial" "$A/archives/partial" "$dir"
  echo "deb $mirror bookworm-backports main" > "$A/sources.list"
  local O=(-o Dir::Etc::SourceList="$A/sources.list" -o Dir::Etc::SourceParts=/dev/null -o Dir::State::Lists="$A/lists"
    -o Dir::Cache::Archives="$A/archives" -o Dir::Cache::pkgcache= -o Dir::Cache::srcpkgcache= -o APT::Sandbox::User=root)
  log "downloading mesa-vulkan-drivers from bookworm-backports"
  if ! { apt-get "${O[@]}" update -qq >&2 && (cd "$A" && apt-get "${O[@]}" download mesa-vulkan-drivers/bookworm-backports >&2) \
        && dpkg-deb -x "$A"/mesa-vulkan-drivers_*.deb "$A/x"; }; then
    rm -rf "$A"; return 1
  fi
  cp "$A/x/usr/lib/x86_64-linux-gnu/libvulkan_lvp.so" "$dir/"
  rm -rf "$A"
  printf '{"file_format_version":"1.0.0","ICD":{"library_path":"%s/libvulkan_lvp.so","api_version":"1.3.0"}}\n' "$dir" > "$dir/lvp_icd_local.json"
  if ldd "$dir/libvulkan_lvp.so" | grep 'not found' >/dev/null; then
    log "lavapipe misses shared libraries: $(ldd "$dir/libvulkan_lvp.so" | grep 'not found' | tr -s ' \t\n' ' ')"
    rm -f "$dir/lvp_icd_local.json"; return 1
  fi
}

# SwiftShader's ICD and Vulkan loader from chromium-common, unpacked (apt-get download installs nothing).
install_swiftshader() {
  local dir=$PREFIX/swiftshader
  if [[ -f $dir/vk_swiftshader_icd.json ]]; then log "swiftshader already in $dir"; return 0; fi
  local W; W=$(mktemp -d)
  mkdir -p "$dir"
  log "downloading chromium-common for SwiftShader"
  if ! (cd "$W" && apt-get download -o APT::Sandbox::User=root chromium-common >/dev/null 2>&1); then
    apt_update && (cd "$W" && apt-get download -o APT::Sandbox::User=root chromium-common >&2) || { rm -rf "$W"; return 1; }
  fi
  dpkg-deb -x "$W"/chromium-common_*.deb "$W/x"
  cp "$W/x/usr/lib/chromium/libvk_swiftshader.so" "$W/x/usr/lib/chromium/libvulkan.so.1" "$dir/"
  rm -rf "$W"
  printf '{"file_format_version":"1.0.0","ICD":{"library_path":"%s/libvk_swiftshader.so","api_version":"1.0.5"}}\n' "$dir" > "$dir/vk_swiftshader_icd.json"
}

# Lines for the environment of the driver $1.
env_lines() {
  local rt=$PREFIX/xdg-runtime
  mkdir -p "$rt" && chmod 700 "$rt"
  echo "export PUREGRAD_WEBGPU_DRIVER=$1"
  if [[ $1 == lavapipe ]]; then
    echo "export VK_ICD_FILENAMES=$PREFIX/lavapipe/lvp_icd_local.json"
  else
    echo "export VK_ICD_FILENAMES=$PREFIX/swiftshader/vk_swiftshader_icd.json"
    # SwiftShader's own loader, used only when the system has none.
    has_system_loader || echo "export LD_LIBRARY_PATH=$PREFIX/swiftshader\${LD_LIBRARY_PATH:+:\$LD_LIBRARY_PATH}"
  fi
  # Dawn warns on stderr when XDG_RUNTIME_DIR is unset or not a 0700 directory.
  echo "export XDG_RUNTIME_DIR=$rt"
}

# Asks Dawn for an adapter with the driver's environment; skipped when the webgpu package is absent.
probe() {
  [[ -d $REPO/node_modules/webgpu ]] || { log "node_modules/webgpu absent: probe skipped (run npm ci first)"; return 0; }
  local out
  if out=$(cd "$REPO" && eval "$(env_lines "$1")" && timeout 120 node --input-type=module -e "
    import { create, globals } from 'webgpu'; Object.assign(globalThis, globals)
    const gpu = create([]); const a = await gpu.requestAdapter()
    if (!a) { console.log('no adapter'); process.exit(1) }
    const i = a.info ?? {}; console.log([i.vendor, i.architecture, i.device, i.description].filter(Boolean).join(' / '))
    globalThis.keep = gpu; process.exit(0)" 2>&1); then
    log "probe ok ($1): ${out##*$'\n'}"
  else
    log "probe failed ($1): $(grep -v '^Warning: ' <<<"$out")"; return 1
  fi
}

chosen=
if [[ $DRIVER != swiftshader ]]; then
  if ensure_system_loader && install_lavapipe && probe lavapipe; then chosen=lavapipe
  else log "lavapipe unavailable"; fi
fi
if [[ -z $chosen && $DRIVER != lavapipe ]]; then
  if install_swiftshader && probe swiftshader; then chosen=swiftshader
  else log "swiftshader unavailable"; fi
fi
[[ -n $chosen ]] || { log "no software WebGPU driver could be installed"; exit 1; }
env_lines "$chosen" | tee "$PREFIX/env.sh"
log "ready: $chosen in $PREFIX (eval this script's output, or: source $PREFIX/env.sh)"
