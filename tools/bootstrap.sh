#!/usr/bin/env bash
# One set-up for a fresh Debian 12 machine, used by both README commands:
#
#   bash tools/bootstrap.sh run    install what is missing, build, run the main job
#   bash tools/bootstrap.sh test   install what is missing, build, run every test
#
# Idempotent: packages already there are not touched, the Python environment
# is rebuilt only when its requirements change, and the build is incremental.
set -euo pipefail

mode=${1:-}
case "$mode" in
  run|test) ;;
  *) echo "usage: bash tools/bootstrap.sh run|test" >&2; exit 2 ;;
esac

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
build_dir=${LLMC_BUILD_DIR:-$root/build}
say() { printf '== %s\n' "$*"; }

# --- Debian packages -------------------------------------------------------
packages=(
  cmake ninja-build ccache g++ git python3 python3-venv clang-format
  llvm-22-dev libmlir-22-dev mlir-22-tools llvm-22-tools llvm-22
  libprotobuf-dev protobuf-compiler libonnx-dev
  libgtest-dev nlohmann-json3-dev libpcre2-dev libutf8proc-dev libopenmpi-dev
  libopenblas-dev libxxhash-dev
)
missing=()
for p in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
  [ "$status" = installed ] || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  say "installing Debian packages: ${missing[*]}"
  sudo=()
  [ "$(id -u)" -eq 0 ] || sudo=(sudo)
  export DEBIAN_FRONTEND=noninteractive
  "${sudo[@]}" apt-get update -qq
  "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# --- Python packages for the tests (project-local environment) ------------
venv=$root/.venv
requirements=$root/test/requirements.txt
stamp=$venv/.requirements.sha256
want=$(sha256sum "$requirements" | cut -d' ' -f1)
if [ ! -x "$venv/bin/python" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  say "setting up the Python environment in .venv"
  python=/usr/bin/python3
  [ -x "$python" ] || python=$(command -v python3)
  rm -rf "$venv"
  "$python" -m venv "$venv"
  "$venv/bin/python" -m pip install -q --disable-pip-version-check -r "$requirements"
  echo "$want" > "$stamp"
fi
export PATH=$venv/bin:$PATH

# --- Build -----------------------------------------------------------------
if [ ! -f "$build_dir/build.ninja" ]; then
  say "configuring $build_dir"
  cmake -G Ninja -S "$root" -B "$build_dir" -DCMAKE_BUILD_TYPE=Release >/dev/null
fi
say "building"
start=$(date +%s)
cmake --build "$build_dir" -- --quiet
say "built in $(( $(date +%s) - start )) s"

if [ "$mode" = run ]; then
  # The main job: compile the bundled reference model (models/tinycode, a
  # small code model trained for llmc) and generate text with it, on the GPU
  # when there is one (and nvcc to compile its kernels), else the CPU.
  model=$root/models/tinycode/target/model.onnx
  artifact=$build_dir/tinycode.llmc
  prompt=${LLMC_PROMPT:-'def fibonacci(n):'}
  target=cpu
  if nvidia-smi -L >/dev/null 2>&1 &&
     { command -v nvcc >/dev/null || [ -x /usr/local/cuda/bin/nvcc ]; }; then
    target=cuda
  fi
  say "compiling $model for the $target device"
  "$build_dir/bin/llmc" compile "$model" --target $target -o "$artifact"
  say "generating ($target device, 96 tokens, temperature 0.7, top-p 0.9, seed 1)"
  "$build_dir/bin/llmc" run "$artifact" --prompt "$prompt" -n 96 \
    --temperature 0.7 --top-p 0.9 --seed 1
  exit 0
fi

# --- Tests -----------------------------------------------------------------
say "checking formatting (clang-format, LLVM style)"
git ls-files -z '*.cpp' '*.h' '*.cu' '*.cuh' | xargs -0 -r clang-format --dry-run --Werror

say "checking that the runtime builds without LLVM/MLIR"
runtime_dir=${build_dir}-runtime-only
if [ ! -f "$runtime_dir/build.ninja" ]; then
  cmake -G Ninja -S "$root" -B "$runtime_dir" -DCMAKE_BUILD_TYPE=Release \
    -DLLMC_BUILD_COMPILER=OFF -DLLMC_BUILD_TESTS=OFF -DLLMC_ENABLE_CUDA=OFF >/dev/null
fi
cmake --build "$runtime_dir" -- --quiet

say "running the tests"
ctest --test-dir "$build_dir" --output-on-failure
