#!/usr/bin/env bash
# Reproduces the runs behind docs/results.md: for each METHOD:SEED:BUDGET given, one pretraining
# run on the emoji training split, then retrieval on val, test-concept and test-style and
# zero-shot category classification on test-concept, each written as JSON into the run folder.
# BUDGET is "1e" (epochs), "10m" (minutes) or "2095s" (steps). Example:
#   bash scripts/results.sh clip:0:1e maskclip:0:1e clip:0:10m
# RUNS (default runs/results) holds the run folders; DATA the emoji manifest (built if missing).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cli=(dotnet "$root/src/Cli/bin/Release/net10.0/mlnetclip.dll")
data="${DATA:-$HOME/.cache/mlnetclip/emoji/emoji.tsv}"
runs="${RUNS:-$root/runs/results}"
[ -f "$data" ] || "${cli[@]}" data emoji --out "$(dirname "$data")"
mkdir -p "$runs"
for spec in "$@"; do
  IFS=: read -r method seed budget <<<"$spec"
  case "$budget" in
    *e) length=(--epochs "${budget%e}") ;;
    *m) length=(--minutes "${budget%m}") ;;
    *s) length=(--steps "${budget%s}") ;;
    *) echo "results: budget '$budget' in '$spec': expected Ne (epochs), Nm (minutes) or Ns (steps)" >&2; exit 2 ;;
  esac
  out="$runs/$method-s$seed-$budget"
  echo "results: $spec -> $out"
  if [ ! -f "$out/model/config.json" ]; then
    resume=(); [ -d "$out/checkpoints" ] && resume=(--resume)
    "${cli[@]}" pretrain --method "$method" --preset ViT-Emoji "${length[@]}" --batch-size 64 --seed "$seed" \
      --data "$data" --where split=train --out "$out" "${resume[@]}" > "$out.log" 2>&1
  fi
  for split in val test-concept test-style; do
    [ -f "$out/eval-retrieval-$split.json" ] ||
      "${cli[@]}" eval retrieval --model "$out/model" --data "$data" --where "split=$split" \
        --json "$out/eval-retrieval-$split.json" > /dev/null
  done
  [ -f "$out/eval-zeroshot-category.json" ] ||
    "${cli[@]}" eval zeroshot --model "$out/model" --data "$data" --where split=test-concept \
      --label-column category --templates simple --json "$out/eval-zeroshot-category.json" > /dev/null
  tail -n 1 "$out.log"
done
