#!/usr/bin/env bash
# The main job on the built-in default: set up (idempotent), then run mlnetclip.
# Extra arguments replace the default command, e.g. scripts/run.sh selfcheck --device cuda.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$root/scripts/setup.sh"
if [ $# -eq 0 ]; then set -- selfcheck; fi
exec dotnet "$root/src/Cli/bin/Release/net10.0/mlnetclip.dll" "$@"
