#!/usr/bin/env bash
# Reproduces docs/results.md's student tables: each frozen-teacher method distilled for 1 epoch of
# the emoji training images from TEACHER (a pretrain output folder), then the teacher, a randomly
# initialised student and each student through the emoji-category probe, the Fashion-MNIST probe
# and 1 epoch of fine-tuning on emoji categories. JSON lands in RUNS (default runs/results/students).
#   bash scripts/results-students.sh runs/results/clip-s0-1e
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cli=(dotnet "$root/src/Cli/bin/Release/net10.0/mlnetclip.dll")
teacher="${1:?usage: results-students.sh TEACHER_RUN [METHOD...]}"; shift
methods=("$@"); [ ${#methods[@]} -gt 0 ] || methods=(maskdistill milan maskalign vqkd beitv2)
data="${DATA:-$HOME/.cache/mlnetclip/emoji/emoji.tsv}"
runs="${RUNS:-$root/runs/results/students}"
mkdir -p "$runs"
for method in "${methods[@]}"; do
  out="$runs/$method"
  extra=(--teacher "$teacher/model")
  # beitv2 learns to predict the codes of the vqkd tokenizer trained just before it.
  [ "$method" = beitv2 ] && extra=(--tokenizer "$runs/vqkd")
  grep -q "^done:" "$out.log" 2>/dev/null ||
    "${cli[@]}" pretrain --method "$method" --preset ViT-Emoji --epochs 1 --batch-size 64 --seed 0 \
      --data "$data" --where split=train --out "$out" "${extra[@]}" > "$out.log" 2>&1
  tail -n 1 "$out.log"
done
# The random student: ViT-Emoji at its initialisation. pretrain needs one step, so it takes one
# at a learning rate of 1e-12 (warm-up makes it 1e-13), which moves no weight measurably.
echo '{ "learningRate": 1e-12 }' > "$runs/random.json"
[ -f "$runs/random/model/config.json" ] ||
  "${cli[@]}" pretrain --method clip --preset ViT-Emoji --steps 1 --seed 0 --data "$data" --where split=train \
    --config "$runs/random.json" --out "$runs/random" > "$runs/random.log" 2>&1
for name in teacher random "${methods[@]}"; do
  [ "$name" = vqkd ] && continue   # a tokenizer, not a student
  model="$runs/$name/model"; [ "$name" = teacher ] && model="$teacher/model"
  pixels=(--no-pixels); [ "$name" = teacher ] && pixels=()
  [ -f "$runs/$name-probe-emoji.json" ] ||
    "${cli[@]}" eval probe --model "$model" --data "$data" --label-column category --train-where split=train \
      --val-where split=val --test-where split=test-concept --max-iterations 300 "${pixels[@]}" \
      --json "$runs/$name-probe-emoji.json" > "$runs/$name-probe-emoji.txt"
  [ -f "$runs/$name-probe-fashion.json" ] ||
    "${cli[@]}" eval probe --model "$model" --data fashion-mnist --train-limit 5000 --test-limit 2000 \
      --max-iterations 300 "${pixels[@]}" --json "$runs/$name-probe-fashion.json" > "$runs/$name-probe-fashion.txt"
  [ -f "$runs/$name-finetune.json" ] ||
    "${cli[@]}" eval finetune --model "$model" --data "$data" --label-column category --train-where split=train \
      --test-where split=test-concept --epochs 1 --json "$runs/$name-finetune.json" > "$runs/$name-finetune.txt"
  echo "students: $name evaluated"
done
