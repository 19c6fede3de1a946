//===- KernelContracts.h - launch contracts of the cuda kernels -*- C++ -*-===//
//
// What the runtime must know of compiler/targets/cuda/kernels/ to launch
// them: argument structs field for field, tile sizes, block sizes and
// shared memory. The kernel files state the same contracts; the static
// asserts and the device checks (tools/device/) keep them in step.
//
//===----------------------------------------------------------------------===//

#ifndef LLMC_RUNTIME_CUDA_KERNELCONTRACTS_H
#define LLMC_RUNTIME_CUDA_KERNELCONTRACTS_H

#include "cuda/CudaDriver.h"

#include <cstdint>
#include <string>

namespace llmc::cuda {

/// GemvArgs of kernels/Gemv.cu.
struct GemvArgs {
  CUdeviceptr x;
  int32_t t, k;
  CUdeviceptr w[3], bias[3], out[3];
  int32_t n[3];
  float softcap;
  int32_t activation;
  CUdeviceptr residual;
  float normEpsilon;
  int32_t unused;
};
static_assert(sizeof(GemvArgs) == 128, "GemvArgs must match kernels/Gemv.cu");

/// GemvProgram of kernels/GemvProgram.cu: up to kGemvProgramSteps one-token
/// GEMV steps in one persistent launch, each a GemvArgs, the t1 instance
/// it stands for (GemvKind) and, for a norm not folded into its matrices,
/// the norm's weights; streamed through `stages` buffers of shared memory.
constexpr int kGemvProgramSteps = 8;
constexpr unsigned kGemvProgramThreads = 288, kGemvProgramStageBytes = 16384;
constexpr unsigned kGemvProgramConsumerWarps = 8;
constexpr unsigned kGemvProgramSlotBytes = kGemvProgramConsumerWarps * 16 + 4;
inline unsigned gemvProgramSharedBytes(int stages, int xFloats) {
  return unsigned(stages) * (kGemvProgramStageBytes + 16) +
         unsigned(xFloats) * 4 + unsigned(stages + 1) * kGemvProgramSlotBytes +
         kGemvProgramConsumerWarps * 4;
}
/// The most buffers (at most 16) whose program fits `bytes` of shared
/// memory per block; 0 if fewer than 2 do.
inline int gemvProgramStages(unsigned bytes, int xFloats) {
  for (int stages = 16; stages >= 2; --stages)
    if (gemvProgramSharedBytes(stages, xFloats) <= bytes)
      return stages;
  return 0;
}
enum GemvKind : int32_t {
  kGemvPlain = 0,
  kGemvResidual = 1,
  kGemvNorm = 2,
  kGemvNormResidual = 3,
  kGemvGated = 4,
  kGemvGatedNorm = 5,
};
/// The Gemv.cu instance a kind of step stands for ("bf16" or "f16" type,
/// `tokens` its t), and that instance's grid: gated rows go four to a
/// block, the others eight.
inline std::string gemvInstance(int kind, const std::string &type, int tokens) {
  static const char *const prefixes[] = {
      "llmc_gemv_",       "llmc_gemv_residual_",
      "llmc_gemv_norm_",  "llmc_gemv_norm_residual_",
      "llmc_gemv_gated_", "llmc_gemv_gated_norm_"};
  return prefixes[kind] + type + "_t" + std::to_string(tokens);
}
inline unsigned gemvBlocks(const GemvArgs &a, int kind) {
  if (kind >= kGemvGated)
    return unsigned(a.n[0] + 3) / 4;
  return unsigned(a.n[0] + a.n[1] + a.n[2] + 7) / 8;
}
struct GemvProgram {
  GemvArgs steps[kGemvProgramSteps];
  CUdeviceptr normWeights[kGemvProgramSteps];
  int32_t normUnitOffset[kGemvProgramSteps];
  int32_t kinds[kGemvProgramSteps];
  int32_t count, stages, xFloats, unused;
  CUdeviceptr barrier;
};
static_assert(sizeof(GemvProgram) == 140 * kGemvProgramSteps + 56,
              "GemvProgram must match kernels/GemvProgram.cu");

/// GemvQArgs of kernels/GemvQuantized.cu.
struct GemvQArgs {
  CUdeviceptr x;
  int32_t t, k;
  CUdeviceptr q[3], scales[3], offsets[3], bias[3], out[3];
  int32_t n[3];
  int32_t group, isSigned, activation;
  float softcap;
  CUdeviceptr norm, residual;
  float normEpsilon;
  int32_t normUnitOffset;
};
static_assert(sizeof(GemvQArgs) == 192,
              "GemvQArgs must match kernels/GemvQuantized.cu");

/// GemvQProgram of kernels/GemvQuantizedProgram.cu: up to
/// kGemvQProgramSteps one-token 4-bit GEMV steps in one persistent launch
/// (llmc_gemv_program_q4), streamed as GemvProgram's are, each chunk of 8
/// rows of up to 4096 values with its groups' scales (and offsets) in the
/// buffer's scale area.
constexpr int kGemvQProgramSteps = 8, kGemvQProgramCols = 4096;
/// Its block: kGemvQProgramTeams teams of kGemvQTeamWarps consumer warps
/// and the producer warp.
constexpr int kGemvQProgramTeams = 4, kGemvQTeamWarps = 4;
constexpr unsigned kGemvQProgramThreads =
    kGemvQProgramTeams * kGemvQTeamWarps * 32 + 32;
struct GemvQProgram {
  GemvQArgs steps[kGemvQProgramSteps];
  int32_t gated[kGemvQProgramSteps], norm[kGemvQProgramSteps];
  int32_t count, stages, xValues, scaleBytes;
  CUdeviceptr barrier;
};
static_assert(sizeof(GemvQProgram) == 200 * kGemvQProgramSteps + 24,
              "GemvQProgram must match kernels/GemvQuantizedProgram.cu");
/// Bytes per row of a matrix in the programs' tiles: values, scales and
/// offsets; a tile holds 8 rows (gated matrices 4).
inline size_t gemvQTileRowBytes(int k, int group, bool offsets) {
  return size_t(k / 2) + size_t(k / group) * 4 * (offsets ? 2 : 1);
}
/// A step's scale area per buffer: 8 rows' scales (and offsets).
inline int gemvQProgramScaleBytes(int group, bool offsets) {
  return 8 * (kGemvQProgramCols / group) * 4 * (offsets ? 2 : 1);
}
/// The slots where a long row block's teams' partial sums meet, and so the
/// most buffers in the ring; the slots where each team's warps meet, per
/// team.
constexpr int kGemvQProgramSlots = 8,
              kGemvQProgramMaxStages = 2 * kGemvQProgramSlots - 1,
              kGemvQTeamSlots = (kGemvQProgramMaxStages + kGemvQProgramTeams) /
                                kGemvQProgramTeams;
inline unsigned gemvQProgramSharedBytes(int stages, int xValues,
                                        int scaleBytes) {
  return unsigned(stages) *
             (kGemvProgramStageBytes + unsigned(scaleBytes) + 16) +
         unsigned(xValues) * 2 + unsigned(xValues / 32) * 16 +
         kGemvQProgramTeams * kGemvQTeamWarps * 4 +
         kGemvQProgramSlots * (kGemvQProgramTeams * 8 + 2) * 4 +
         kGemvQProgramTeams * kGemvQTeamSlots * (kGemvQTeamWarps * 8 + 2) * 4;
}
/// The most buffers (at most kGemvQProgramMaxStages) that fit `bytes`; 0
/// if fewer than 2 per consumer team do.
inline int gemvQProgramStages(unsigned bytes, int xValues, int scaleBytes) {
  for (int stages = kGemvQProgramMaxStages; stages >= 2 * kGemvQProgramTeams;
       --stages)
    if (gemvQProgramSharedBytes(stages, xValues, scaleBytes) <= bytes)
      return stages;
  return 0;
}

/// The token counts the GEMV instances (llmc_gemv_*_t1/t4/t8, the 16-bit
/// and the quantized ones) are compiled for: the one that takes t tokens
/// (0: more than 8, another kernel).
inline int gemvTokens(int64_t t) {
  return t <= 1 ? 1 : t <= 4 ? 4 : t <= 8 ? 8 : 0;
}

/// kGemvQRows of kernels/GemvQuantized.cu: rows per warp.
constexpr int kGemvQRows = 2;

/// gemvQSharedBytes of kernels/GemvQuantized.cu.
inline unsigned gemvQSharedBytes(int t, int k) {
  return unsigned(t * (2 * k + 12 * (k / 32)));
}

/// The one-token quantized GEMV of kernels/GemvQuantizedToken.cu: warps per
/// row (at most 8, so k <= 16384), output rows per tile (rows per warp
/// times 8 / slices) and dynamic shared memory.
constexpr int kGemvQTokenChunks = 2;
inline int gemvQTokenSlices(int k) {
  return ((k / 32 + 31) / 32 + kGemvQTokenChunks - 1) / kGemvQTokenChunks;
}
inline int gemvQTokenRowsPerTile(int bits, bool gated, int k) {
  return (bits == 4 ? 4 : 2) / (gated ? 2 : 1) * (8 / gemvQTokenSlices(k));
}
inline unsigned gemvQTokenSharedBytes(int k) {
  return unsigned(2 * k + 4 * (k / 32));
}

/// kernels/Gemm.cu and kernels/FlashAttention.cu.
constexpr unsigned kGemmTile = 128, kGemmThreads = 256;
constexpr unsigned kGemmSharedBytes = 49152;
constexpr unsigned kPrefillQueries = 128, kPrefillThreads = 256;
inline unsigned prefillSharedBytes(int headDim) {
  return headDim == 64 ? 49152 : headDim == 128 ? 98304 : 0;
}

} // namespace llmc::cuda

#endif // LLMC_RUNTIME_CUDA_KERNELCONTRACTS_H
