#!/usr/bin/env bash
# The main job on the built-in default: set up (idempotent), then run mlnetclip.
# With no arguments it runs `mlnetclip demo` (the emoji benchmark, CLIP vs MaskCLIP, one table).
# Extra arguments replace the default command, e.g. scripts/run.sh selfcheck --device cuda.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$root/scripts/setup.sh"
if [ $# -eq 0 ]; then set -- demo; fi
exec dotnet "$root/src/Cli/bin/Release/net10.0/mlnetclip.dll" "$@"
