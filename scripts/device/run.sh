#!/usr/bin/env bash
# Run ON the GPU machine from the repository root, after scripts/device/prepare.sh here:
# builds src/Native against the PyTorch 2.x libtorch found by python3, then runs the self-check
# on CUDA, the test suites (CPU and CUDA selected by MLNETCLIP_TEST_DEVICE), and the benchmarks
# against PyTorch on the same libtorch. Output goes to stdout and, if set, to $OUT/device.log.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
[ -x .device/app/MLNetClip.DeviceRunner ] || { echo "no .device/ here: run scripts/device/prepare.sh on the dev machine and carry .device" >&2; exit 2; }
log="${OUT:-/tmp}/device.log"
exec > >(tee "$log") 2>&1

prefix="$(python3 -c 'import torch; print(torch.utils.cmake_prefix_path)')"
torch_lib="$(python3 -c 'import torch, os; print(os.path.join(os.path.dirname(torch.__file__), "lib"))')"
echo "torch $(python3 -c 'import torch; print(torch.__version__, torch.version.cuda)') at $torch_lib"
TORCH_PREFIX="$prefix" MLNETCLIP_NATIVE_BUILD="$root/build/native-cuda" bash scripts/build-native.sh
export MLNETCLIP_NATIVE="$root/build/native-cuda/libmlnetclip_native.so"
export LD_LIBRARY_PATH="$torch_lib:${LD_LIBRARY_PATH:-}"
export MLNETCLIP_SHARED="$root/.device/shared"
export MLNETCLIP_BENCH_PYTHON=python3
app=.device/app/MLNetClip.DeviceRunner

status=0
echo "== selfcheck"; $app cli selfcheck --device cuda || status=1
echo "== hf parity on cuda"; $app cli check-hf-parity .device/shared/fixtures/hf_clip_tiny_a --device cuda || status=1
echo "== tests on cpu (libtorch 2.x paths)"; MLNETCLIP_TEST_DEVICE=cpu $app test || status=1
echo "== tests on cuda"; MLNETCLIP_TEST_DEVICE=cuda $app test || status=1
echo "== bench ops"; $app bench ops --device cuda || status=1
echo "== bench block"; $app bench block --device cuda || status=1
exit $status
