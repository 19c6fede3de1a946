//===- Cublas.h - cuBLAS's GEMM, loaded at run time ------------*- C++ -*-===//
//
// The prompt's matrix products can run on cuBLAS (cublasGemmEx: 16-bit
// inputs, float32 accumulation and output) instead of llmc_gemm_*. Like
// the driver, the library is opened with dlopen, so the runtime needs no
// CUDA toolkit to build or load; without libcublas the cuda device keeps
// its own GEMM. Only the calls and constants used are declared here.
//
//===----------------------------------------------------------------------===//

#ifndef LLMC_RUNTIME_CUDA_CUBLAS_H
#define LLMC_RUNTIME_CUDA_CUBLAS_H

#include "cuda/CudaDriver.h"

namespace llmc::cuda {

struct Cublas {
  using Handle = struct cublasContext *;
  using Status = int;
  /// cublasOperation_t, cudaDataType, cublasComputeType_t, cublasGemmAlgo_t.
  static constexpr int kOpN = 0, kOpT = 1;
  static constexpr int kR32F = 0, kR16F = 2, kR16BF = 14;
  static constexpr int kCompute32F = 68, kGemmDefault = -1;

  Status (*cublasCreate)(Handle *);
  Status (*cublasDestroy)(Handle);
  Status (*cublasSetStream)(Handle, CUstream);
  Status (*cublasGemmEx)(Handle, int transa, int transb, int m, int n, int k,
                         const void *alpha, const void *a, int aType, int lda,
                         const void *b, int bType, int ldb, const void *beta,
                         void *c, int cType, int ldc, int computeType,
                         int algo);

  /// Opens libcublas once ($CUDA_HOME/lib64, /usr/local/cuda/lib64, then the
  /// loader's path); null when it is not there (not an error).
  static const Cublas *get();
};

} // namespace llmc::cuda

#endif // LLMC_RUNTIME_CUDA_CUBLAS_H
