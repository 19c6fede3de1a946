//===- KernelContractsTest.cpp - the runtime's copy of kernel contracts ---===//
//
// runtime/src/cuda/KernelContracts.h mirrors what the kernels in
// compiler/targets/cuda/kernels/ expect; these checks pin the GEMV program's
// shared-memory sizing to the ring depths gemv-program-check printed for the
// kernel's own copy on an H200 (opt-in 227 KiB per block), and the t1
// instance names and grids a program of one step falls back to.
//
//===----------------------------------------------------------------------===//

#include "cuda/KernelContracts.h"

#include <gtest/gtest.h>

using namespace llmc::cuda;

namespace {

/// A block's share of an SM's shared memory, as CudaSession::flushProgram
/// computes it: the opt-in limit and the 1 KiB each block reserves.
unsigned share(unsigned optin, unsigned perSm) {
  return (optin + 1024) / perSm - 1024;
}

TEST(KernelContracts, GemvProgramStagesFitTheShare) {
  const unsigned h200 = 232448;
  // The Llama 1B's largest k is 8192, the 8B's 14336.
  EXPECT_EQ(gemvProgramStages(share(h200, 1), 8192), 12);
  EXPECT_EQ(gemvProgramStages(share(h200, 2), 8192), 5);
  EXPECT_EQ(gemvProgramStages(share(h200, 1), 14336), 10);
  EXPECT_EQ(gemvProgramStages(share(h200, 2), 14336), 3);
  // Three blocks per SM leave the 8B fewer than two buffers: no program.
  EXPECT_EQ(gemvProgramStages(share(h200, 3), 14336), 0);
  // Never more than 16 buffers, and what is chosen fits while one more
  // would not.
  EXPECT_EQ(gemvProgramStages(1u << 30, 1024), 16);
  for (int k : {1024, 2048, 8192, 14336, 16384})
    for (unsigned perSm : {1u, 2u, 3u}) {
      unsigned bytes = share(h200, perSm);
      int stages = gemvProgramStages(bytes, k);
      if (stages == 0)
        continue;
      EXPECT_LE(gemvProgramSharedBytes(stages, k), bytes);
      if (stages < 16) {
        EXPECT_GT(gemvProgramSharedBytes(stages + 1, k), bytes);
      }
    }
}

TEST(KernelContracts, QuantizedGemvProgramStagesFitTheShare) {
  const unsigned h200 = 232448;
  // int4 group 128: 8 rows of 32 scales (and as many offsets) per buffer.
  EXPECT_EQ(gemvQProgramScaleBytes(128, false), 1024);
  EXPECT_EQ(gemvQProgramScaleBytes(32, true), 8192);
  // Four teams of four consumer warps and the producer warp.
  EXPECT_EQ(kGemvQProgramThreads, 544u);
  // The 8B's largest k is 14336, the 1B's 8192 (12 buffers before the
  // warps' meeting slots took 2 KiB).
  EXPECT_EQ(gemvQProgramStages(share(h200, 1), 14336, 1024), 11);
  EXPECT_EQ(gemvQProgramStages(share(h200, 1), 8192, 1024), 11);
  EXPECT_EQ(gemvQProgramStages(share(h200, 1), 4096, 1024), 12);
  // Two blocks per SM leave no room for two buffers per team.
  EXPECT_EQ(gemvQProgramStages(share(h200, 2), 14336, 1024), 0);
  for (int k : {1024, 4096, 14336, 16384})
    for (int scaleBytes : {128, 1024, 8192})
      for (unsigned perSm : {1u, 2u, 3u}) {
        unsigned bytes = share(h200, perSm);
        int stages = gemvQProgramStages(bytes, k, scaleBytes);
        if (stages == 0)
          continue;
        EXPECT_LE(gemvQProgramSharedBytes(stages, k, scaleBytes), bytes);
        // The partial sums' slots bound the ring.
        EXPECT_LE(stages, 2 * kGemvQProgramSlots - 1);
        if (stages < kGemvQProgramMaxStages) {
          EXPECT_GT(gemvQProgramSharedBytes(stages + 1, k, scaleBytes), bytes);
        }
      }
}

TEST(KernelContracts, GemvInstanceNamesAndGrids) {
  EXPECT_EQ(gemvInstance(kGemvPlain, "bf16", 1), "llmc_gemv_bf16_t1");
  EXPECT_EQ(gemvInstance(kGemvResidual, "f16", 4), "llmc_gemv_residual_f16_t4");
  EXPECT_EQ(gemvInstance(kGemvNorm, "bf16", 1), "llmc_gemv_norm_bf16_t1");
  EXPECT_EQ(gemvInstance(kGemvNormResidual, "bf16", 8),
            "llmc_gemv_norm_residual_bf16_t8");
  EXPECT_EQ(gemvInstance(kGemvGated, "bf16", 1), "llmc_gemv_gated_bf16_t1");
  EXPECT_EQ(gemvInstance(kGemvGatedNorm, "f16", 1),
            "llmc_gemv_gated_norm_f16_t1");
  GemvArgs a{};
  a.n[0] = 2048, a.n[1] = 512, a.n[2] = 512;
  EXPECT_EQ(gemvBlocks(a, kGemvPlain), 384u); // eight rows a block
  a.n[0] = 8190, a.n[1] = 0, a.n[2] = 0;
  EXPECT_EQ(gemvBlocks(a, kGemvGated), 2048u); // four gate/up rows a block
}

} // namespace
