#!/usr/bin/env bash
# Builds src/Native into build/native. With TORCH_PREFIX (or CMAKE_PREFIX_PATH)
# pointing at a PyTorch 2.x install it builds the CUDA-capable variant.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${MLNETCLIP_NATIVE_BUILD:-$root/build/native}"
prefix_args=()
if [ -n "${TORCH_PREFIX:-}" ]; then prefix_args+=("-DCMAKE_PREFIX_PATH=$TORCH_PREFIX"); fi
cmake -S "$root/src/Native" -B "$build" -DCMAKE_BUILD_TYPE=Release "${prefix_args[@]}" >/dev/null
cmake --build "$build" -j"$(nproc)"
