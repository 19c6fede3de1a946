//===- CudaTarget.h - kernels for the cuda device ---------------*- C++ -*-===//
//
// The cuda target compiles the kernels its plans launch (the files of
// kernels/, built into llmc as text, compiled as one unit from All.cu) to
// one fatbin with the toolkit's nvcc: SASS for sm_80,
// sm_86, sm_89 and sm_90a and PTX for newer GPUs. It needs no GPU, only the
// CUDA toolkit.
//
//===----------------------------------------------------------------------===//

#ifndef LLMC_COMPILER_TARGETS_CUDA_CUDATARGET_H
#define LLMC_COMPILER_TARGETS_CUDA_CUDATARGET_H

#include "llvm/Support/Error.h"
#include "llvm/Support/JSON.h"

#include <cstdint>
#include <string>
#include <vector>

namespace llmc::cuda {

struct Fatbin {
  std::vector<uint8_t> bytes;
  /// The GPU architectures it holds SASS for, and the PTX version.
  std::vector<std::string> architectures;
  /// Read from the kernel cache rather than compiled.
  bool cached = false;
};

/// The kernel launches the cuda device makes for one decoded token of a
/// plan's `steps` (every step one, except attention with a head dim the
/// decode kernel does not take: the KV append, a fused rope's two, and
/// llmc_attention), as runtime/src/cuda/CudaDevice launches them.
int64_t decodeLaunches(const llvm::json::Array &steps);

/// Finds nvcc ($LLMC_NVCC, $CUDA_HOME/bin, PATH, /usr/local/cuda/bin) and
/// compiles the kernels, or reads them from the kernel cache when these
/// sources were compiled with the same nvcc before ($LLMC_CACHE_DIR, else
/// $XDG_CACHE_HOME/llmc or ~/.cache/llmc; LLMC_CACHE_DIR= turns it off).
/// Errors say what was looked for or what nvcc said.
llvm::Expected<Fatbin> compileKernels();

} // namespace llmc::cuda

#endif // LLMC_COMPILER_TARGETS_CUDA_CUDATARGET_H
