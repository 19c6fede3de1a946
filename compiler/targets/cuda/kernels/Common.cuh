//===- Common.cuh - helpers every cuda kernel file shares ------*- CUDA -*-===//
//
// Type conversion, warp and block reductions and activations. The kernel
// files are compiled as one translation unit (All.cu), so this header is
// included once.
//
//===----------------------------------------------------------------------===//

#ifndef LLMC_KERNELS_COMMON_CUH
#define LLMC_KERNELS_COMMON_CUH

#include <cuda_bf16.h>
#include <cuda_fp16.h>
#include <stdint.h>

namespace {

__device__ inline float toFloat(float v) { return v; }
__device__ inline float toFloat(__half v) { return __half2float(v); }
__device__ inline float toFloat(__nv_bfloat16 v) { return __bfloat162float(v); }

template <typename W> __device__ W fromFloat(float v);
template <> __device__ inline float fromFloat<float>(float v) { return v; }
template <> __device__ inline __half fromFloat<__half>(float v) {
  return __float2half(v);
}
template <> __device__ inline __nv_bfloat16 fromFloat<__nv_bfloat16>(float v) {
  return __float2bfloat16(v);
}

__device__ inline float warpSum(float v) {
  for (int offset = 16; offset > 0; offset >>= 1)
    v += __shfl_xor_sync(0xffffffffu, v, offset);
  return v;
}

__device__ inline float warpMax(float v) {
  for (int offset = 16; offset > 0; offset >>= 1)
    v = fmaxf(v, __shfl_xor_sync(0xffffffffu, v, offset));
  return v;
}

/// The sum (or the max) of `v` over the block (blockDim.x a multiple of 32,
/// at most 1024).
template <bool Max> __device__ float blockReduce(float v) {
  __shared__ float partial[32];
  const float identity = Max ? -INFINITY : 0.0f;
  v = Max ? warpMax(v) : warpSum(v);
  int lane = threadIdx.x & 31, warp = threadIdx.x >> 5;
  if (lane == 0)
    partial[warp] = v;
  __syncthreads();
  int warps = (blockDim.x + 31) >> 5;
  v = threadIdx.x < warps ? partial[threadIdx.x] : identity;
  if (warp == 0)
    v = Max ? warpMax(v) : warpSum(v);
  if (threadIdx.x == 0)
    partial[0] = v;
  __syncthreads();
  float result = partial[0];
  __syncthreads();
  return result;
}
__device__ inline float blockSum(float v) { return blockReduce<false>(v); }
__device__ inline float blockMax(float v) { return blockReduce<true>(v); }

__device__ inline float siluOf(float x) { return x / (1.0f + __expf(-x)); }
__device__ inline float geluTanh(float x) {
  return 0.5f * x * (1.0f + tanhf(0.7978845608f * (x + 0.044715f * x * x * x)));
}
__device__ inline float geluErf(float x) {
  return 0.5f * x * (1.0f + erff(x * 0.70710678f));
}

/// A gated MLP's activation: 0 silu, 1 gelu tanh, 2 gelu erf.
__device__ inline float gateActivation(float g, int activation) {
  return activation == 0   ? siluOf(g)
         : activation == 1 ? geluTanh(g)
                           : geluErf(g);
}

/// 16 bytes of weights, streamed past L1.
__device__ inline uint4 loadStreaming(const void *p) {
  uint4 v;
  asm volatile("ld.global.nc.L1::no_allocate.v4.u32 {%0, %1, %2, %3}, [%4];"
               : "=r"(v.x), "=r"(v.y), "=r"(v.z), "=r"(v.w)
               : "l"(p));
  return v;
}

/// Programmatic dependent launch (sm_90 and newer; a no-op before): waits
/// until the previous kernel in the stream has finished and its writes are
/// visible, then lets the next kernel be launched, so that its blocks are
/// resident (and may prefetch weights) while this one runs. Every kernel
/// calls it before it touches activations.
__device__ __forceinline__ void gridDependencyBegin() {
#if defined(__CUDA_ARCH__) && __CUDA_ARCH__ >= 900
  asm volatile("griddepcontrol.wait;" ::: "memory");
  asm volatile("griddepcontrol.launch_dependents;");
#endif
}

} // namespace

#endif // LLMC_KERNELS_COMMON_CUH
