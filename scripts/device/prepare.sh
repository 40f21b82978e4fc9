#!/usr/bin/env bash
# Run HERE (a machine with the .NET SDK) before using the GPU machine: publishes the CLI,
# the benchmarks and the device test runner self-contained and trimmed into .device/, and
# copies the shared fixtures the tests read. Then carry .device to the GPU machine and run
# scripts/device/run.sh there (it needs PyTorch 2.x, cmake and g++, but no .NET and no network).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
out="$root/.device"
rm -rf "$out"
mkdir -p "$out"
grep -qx '/.device/' "$root/.gitignore" 2>/dev/null || echo "note: add /.device/ to .gitignore" >&2

# One self-contained, trimmed executable hosts the tests, the CLI and the benchmarks
# (see tests/MLNetClip.DeviceRunner), so the runtime travels once.
dotnet publish "$root/tests/MLNetClip.DeviceRunner/MLNetClip.DeviceRunner.csproj" -c Release \
  -p:PublishTrimmed=true -p:InvariantGlobalization=true -p:TrimmerSingleWarn=true -o "$out/app" -nologo -v q
# The native library is rebuilt on the GPU machine against its own libtorch.
rm -f "$out/app"/*.pdb "$out/app"/libmlnetclip_native.so

shared="$root/../shared"
if [ -d "$shared/fixtures" ]; then
  mkdir -p "$out/shared"
  cp -r "$shared/fixtures" "$out/shared/"
fi
du -sh "$out"/* | sed 's/^/prepared /'
