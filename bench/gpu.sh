#!/usr/bin/env bash
# The GPU check: recognition by an independent network (ours and lucent), the recipe's
# levers, rank-1 shares per layer, and the render speed against lucent, on one CUDA device.
# Results go to bench/results/*-cuda.*; a tarball of them to $1 when given.
#   bash bench/gpu.sh [OUTDIR]
set -uo pipefail
cd "$(dirname "$0")/.."
export PYTHONUNBUFFERED=1
python=${PYTHON:-python3}
nvidia-smi -L || true
run() { echo "==> $*"; timeout "$1" "$python" "${@:2}" 2>&1 | grep -v Warning | tail -25; }
run 200 bench/recognition_bench.py --steps 64 256 --device cuda
run 150 bench/rank_share.py --layers stem block10 block15 --device cuda
run 100 bench/recipe_levers.py --steps 64 --device cuda
run 150 bench/render_bench.py --network efficientnet-lite0 --layer block10 --steps 128 \
  --lucent-channels 8 --device cuda
if [ -n "${1:-}" ]; then
  mkdir -p "$1" && tar czf "$1/results-cuda.tgz" bench/results/*cuda* 2>/dev/null
fi
