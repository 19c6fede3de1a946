//===- All.cu - the one translation unit nvcc compiles ---------*- CUDA -*-===//
//
// The cuda target writes every file of kernels/ beside this one and
// compiles this file to the artifact's fatbin.
//
//===----------------------------------------------------------------------===//

#include "DecodeAttention.cu"
#include "FlashAttention.cu"
#include "Gemm.cu"
#include "Gemv.cu"
#include "GemvProgram.cu"
#include "GemvQuantized.cu"
#include "GemvQuantizedProgram.cu"
#include "GemvQuantizedToken.cu"
#include "Kernels.cu"
