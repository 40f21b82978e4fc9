#!/usr/bin/env bash
# Idempotent set-up for a fresh Debian 12 machine: system packages, the native
# library, and the .NET build. Safe to run again; each step skips work already done.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

# libopenblas0-pthread matters: without it libtorch-dev silently falls back to
# reference BLAS and a transformer step is ~30x slower (tests/MLNetClip.Torch.Tests/BlasGuardTests.cs guards it).
packages=(
  cmake g++ make pkg-config
  libtorch-dev libopenblas0-pthread
  # libgloo-dev: gloo's headers, needed to compile against libtorch's ProcessGroupGloo (distributed training)
  libgloo-dev
  libturbojpeg0-dev libpng-dev libstb-dev
  python3-torch python3-pil python3-numpy
  librsvg2-bin dataset-fashion-mnist nodejs
  # chromium: the report test opens `mlnetclip report`'s HTML headless and checks every picture loads
  chromium
)
# The emoji benchmark fetches its packages with npm. NodeSource's nodejs ships npm itself and
# conflicts with Debian's npm package, so Debian's is only asked for when no npm is on PATH.
command -v npm >/dev/null || packages+=(npm)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  sudo_cmd=""
  [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

bash "$root/scripts/build-native.sh"

if ! command -v dotnet >/dev/null; then
  echo "setup: the .NET 10 SDK is required (dotnet not on PATH)" >&2
  exit 1
fi
dotnet build "$root/MLNetClip.sln" -c Release -nologo -v q
