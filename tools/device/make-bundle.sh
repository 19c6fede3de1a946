#!/usr/bin/env bash
# Builds a relocatable llmc for a Linux x86-64 machine that has glibc >= 2.36
# and libstdc++ but none of Debian's LLVM/MLIR/protobuf/onnx packages:
#
#   bash tools/device/make-bundle.sh
#
# makes build-bundle/llmc-bundle/{bin/llmc,lib/*.so*} and
# build-bundle/llmc-bundle.tar.xz. LLVM and MLIR are linked statically
# (LLMC_STATIC_TOOLS=ON, in build-static/); Debian ships onnx only as shared
# libraries, so libonnx, libonnx_proto, the libprotobuf they need and
# libllmc_runtime go to lib/, which llmc finds through its $ORIGIN/../lib
# rpath. Unpack anywhere and run bin/llmc; no wrapper or LD_LIBRARY_PATH.
# libstdc++ stays dynamic: the onnx and protobuf libraries need the system's
# libstdc++.so.6 anyway, and one C++ runtime per process is the safe choice.
#
# Environment: LLMC_STATIC_BUILD_DIR (default build-static), LLMC_BUNDLE_DIR
# (default build-bundle), JOBS (default 1), NICE (default 19).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
build_dir=${LLMC_STATIC_BUILD_DIR:-$root/build-static}
out_dir=${LLMC_BUNDLE_DIR:-$root/build-bundle}
jobs=${JOBS:-1}
nice_level=${NICE:-19}
bundle=$out_dir/llmc-bundle
say() { printf '== %s\n' "$*"; }

# --- Build -----------------------------------------------------------------
if [ ! -f "$build_dir/build.ninja" ]; then
  say "configuring $build_dir"
  cmake -G Ninja -S "$root" -B "$build_dir" -DCMAKE_BUILD_TYPE=Release \
    -DLLMC_STATIC_TOOLS=ON -DLLMC_BUILD_TESTS=OFF -DLLMC_ENABLE_CUDA=OFF \
    -DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache \
    >/dev/null
fi
say "building llmc in $build_dir"
start=$(date +%s)
nice -n "$nice_level" ninja -j"$jobs" -C "$build_dir" llmc
say "built in $(( $(date +%s) - start )) s"

# --- Assemble --------------------------------------------------------------
rm -rf "$bundle" "$out_dir/llmc-bundle.tar.xz"
mkdir -p "$bundle/bin" "$bundle/lib"
strip --strip-all -o "$bundle/bin/llmc" "$build_dir/bin/llmc"

# Libraries every target machine has: glibc, the C++ runtime and zlib.
system_libs='^(linux-vdso\.so\.1|ld-linux-x86-64\.so\.2|lib(c|m|dl|rt|pthread|util|resolv)\.so\.[0-9]+|libstdc\+\+\.so\.6|libgcc_s\.so\.1|libz\.so\.1)$'

# Copy every other shared library llmc loads (the closure, as ldd lists it
# for the built binary, whose ../lib holds libllmc_runtime.so).
while read -r name path; do
  [[ $name =~ $system_libs ]] && continue
  case "$path" in
    /*) ;;
    *) echo "error: $name is not found ($path)" >&2; exit 1 ;;
  esac
  cp -L "$path" "$bundle/lib/$name"
  strip --strip-unneeded "$bundle/lib/$name"
done < <(env -u LD_LIBRARY_PATH ldd "$build_dir/bin/llmc" |
         awk '$2 == "=>" { print $1, $3 }')

# --- Check -----------------------------------------------------------------
say "ldd $bundle/bin/llmc"
deps=$(env -u LD_LIBRARY_PATH ldd "$bundle/bin/llmc")
echo "$deps"
bad=0
if readelf -d "$bundle/bin/llmc" | grep -E 'NEEDED.*lib(LLVM|MLIR)'; then
  echo "error: llmc still needs libLLVM/libMLIR" >&2; bad=1
fi
while read -r name path; do
  [[ $name =~ $system_libs ]] && continue
  case "$(realpath -m "$path")" in
    "$bundle"/lib/*) ;;
    *) echo "error: $name resolves outside the bundle: $path" >&2; bad=1 ;;
  esac
done < <(echo "$deps" | awk '$2 == "=>" { print $1, $3 }')
for lib in "$bundle"/lib/*; do
  if env -u LD_LIBRARY_PATH ldd "$lib" | grep -E '/usr/lib/llvm-|not found'; then
    echo "error: $lib needs something outside the bundle" >&2; bad=1
  fi
done
[ "$bad" -eq 0 ] || exit 1
# The newest glibc and libstdc++ symbol versions the bundle asks for.
symbols=$(objdump -T "$bundle"/bin/llmc "$bundle"/lib/*)
glibc=$(grep -o 'GLIBC_[0-9.]*' <<<"$symbols" | sort -uV | tail -1)
glibcxx=$(grep -o 'GLIBCXX_[0-9.]*' <<<"$symbols" | sort -uV | tail -1)
say "needs $glibc and $glibcxx (libstdc++.so.6) or newer"
"$bundle/bin/llmc" --help >/dev/null

# --- Pack ------------------------------------------------------------------
tar -C "$out_dir" -cf - llmc-bundle | xz -T1 -9e > "$out_dir/llmc-bundle.tar.xz"
say "bundle: $(du -sh --apparent-size "$bundle" | cut -f1) in $bundle"
du -ah --apparent-size "$bundle" | sort -k2
say "packed: $(du -h --apparent-size "$out_dir/llmc-bundle.tar.xz" | cut -f1) in $out_dir/llmc-bundle.tar.xz"
