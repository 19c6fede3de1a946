//===- CudaQuantized.cpp - quantized linear steps on the cuda device ------===//
//
// linear_quantized, linear_group_quantized and gated_linear_quantized steps:
// - one token of 4-bit weights in a step that gathers GEMV programs: a
//   step of a quantized GEMV program (kernels/GemvQuantizedProgram.cu),
//   launched with the run of such steps it belongs to (flushProgram);
// - one token (decode): the integer GEMV of kernels/GemvQuantizedToken.cu
//   (llmc_gemv_*_token), one launch for all the step's matrices;
// - up to 8 tokens (speculative verification), and one token with k above
//   16384: the integer GEMV of kernels/GemvQuantized.cu, likewise;
// - longer prompts of a 16-bit model: each matrix dequantized to the
//   model's 16-bit type (llmc_dequantize_*) and multiplied as the 16-bit
//   matrices are (enqueueGemm: cuBLAS, else llmc_gemm_*);
// - otherwise (shapes those kernels do not take, float32 models' prompts):
//   llmc_linear_quantized, one warp per row.
//
//===----------------------------------------------------------------------===//

#include "cuda/CudaDevice.h"
#include "cuda/KernelContracts.h"

#include <algorithm>
#include <string>

namespace llmc::cuda {

using plan::DType;
using plan::Step;

namespace {

/// Bits per value of a quantized plan weight.
int bitsOf(DType t) { return t == DType::I4 || t == DType::U4 ? 4 : 8; }
bool isSignedType(DType t) { return t == DType::I4 || t == DType::I8; }

} // namespace

CUdeviceptr CudaSession::offsetsOf(const QuantizedPart &part) const {
  return part.matrix.offsets >= 0 ? model.weight(part.matrix.offsets) : 0;
}

llmc_status_t CudaSession::enqueueQuantizedGemv(
    const Step &s, const std::vector<QuantizedPart> &parts, bool gated,
    CUdeviceptr x, int rows, int k, float softcap, const Fusion &fusion,
    bool &launched) {
  launched = false;
  const plan::Plan &plan = model.plan();
  DType vt = plan.weights[size_t(parts[0].matrix.values)].dtype;
  int bits = bitsOf(vt), group = int(s.integer("group"));
  if (rows > 8 || k <= 0 || k % 32 != 0 || group % 32 != 0 || x % 16 != 0 ||
      (fusion.norm && (fusion.folded || fusion.weight % 16 != 0)))
    return nullptr;
  GemvQArgs a{};
  a.k = k;
  a.group = group;
  a.isSigned = isSignedType(vt);
  a.activation = gated ? plan::gateActivation(s) : 0;
  a.softcap = softcap;
  a.norm = fusion.weight;
  a.normEpsilon = fusion.epsilon;
  a.normUnitOffset = fusion.unitOffset;
  for (size_t j = 0; j < parts.size(); ++j) {
    a.q[j] = model.weight(parts[j].matrix.values);
    a.scales[j] = model.weight(parts[j].matrix.scales);
    a.offsets[j] = offsetsOf(parts[j]);
    a.bias[j] = parts[j].bias;
    a.n[j] = parts[j].n;
    a.out[j] = parts[j].out;
  }
  a.x = x;
  a.t = 1;
  a.residual = fusion.residual;
  // One token of 4-bit weights in tiles while a step gathers: a step of
  // the quantized GEMV program (tiles exist only for steps it takes).
  bool tiled = gathering_ && rows == 1 && bits == 4 && a.norm % 16 == 0;
  for (size_t j = 0; tiled && j < parts.size(); ++j)
    tiled = tiles_.count(parts[j].matrix.values) > 0;
  if (tiled) {
    if (program_.count > 0)
      if (llmc_status_t st = flushProgram())
        return st;
    int at = qProgram_.count++;
    qProgramRows_[at] = a;
    for (size_t j = 0; j < parts.size(); ++j)
      a.q[j] = tiles_.at(parts[j].matrix.values);
    qProgram_.steps[at] = a;
    qProgram_.gated[at] = gated;
    qProgram_.norm[at] = fusion.norm;
    launched = true;
    return qProgram_.count == kGemvQProgramSteps ? flushProgram() : nullptr;
  }
  std::string prefix = std::string(gated ? "llmc_gemv_gated_" : "llmc_gemv_") +
                       (fusion.norm ? "norm_q" : "q") + std::to_string(bits);
  // One token: the one-token kernel, up to the k it splits over a block's
  // warps. (4 KiB left for its static shared memory.)
  if (rows == 1 && gemvQTokenSlices(k) <= 8 &&
      gemvQTokenSharedBytes(k) + 4096 <= model.sharedOptin() &&
      model.hasFunction(prefix + "_token")) {
    launched = true;
    return launchQuantizedToken(a, bits, gated, fusion.norm);
  }
  // The many-token kernel: tokens per launch all of them, unless their
  // staged activations do not fit in shared memory (1 KiB left for its
  // static shared memory). A single token runs on the four-token instance;
  // an artifact compiled before the one-token kernel has a one-token
  // instance of this one.
  int tokens = gemvTokens(rows);
  auto fits = [&](int t) {
    return gemvQSharedBytes(std::min(t, rows), k) + 1024 <= model.sharedOptin();
  };
  while (tokens > 1 && !fits(tokens))
    tokens = tokens == 8 ? 4 : 1;
  if (!fits(1))
    return nullptr;
  std::string name = prefix + "_t" + std::to_string(tokens);
  if (tokens == 1 && !model.hasFunction(name))
    name = prefix + "_t4";
  if (!model.hasFunction(name))
    return nullptr;
  int perTile = gated ? 4 * kGemvQRows : 8 * kGemvQRows;
  int tiles = 0;
  for (size_t j = 0; j < parts.size(); ++j)
    if (!gated || j == 0)
      tiles += (parts[j].n + perTile - 1) / perTile;
  // Blocks loop over the tiles: no more than fit at once.
  int resident = 0;
  if (llmc_status_t st = model.residentBlocks(
          name, 256, gemvQSharedBytes(std::min(tokens, rows), k), resident))
    return st;
  int blocks = std::min(tiles, resident);
  launched = true;
  for (int first = 0; first < rows; first += tokens) {
    int t = std::min(tokens, rows - first);
    a.x = x + CUdeviceptr(first) * k * 4;
    a.t = t;
    for (size_t j = 0; j < parts.size(); ++j)
      a.out[j] = parts[j].out + CUdeviceptr(first) * parts[j].n * 4;
    a.residual = fusion.residual
                     ? fusion.residual + CUdeviceptr(first) * parts[0].n * 4
                     : 0;
    if (llmc_status_t st = launch(name, unsigned(blocks), 1, 256,
                                  gemvQSharedBytes(t, k), {&a}))
      return st;
  }
  return nullptr;
}

llmc_status_t CudaSession::launchQuantizedToken(const GemvQArgs &a, int bits,
                                                bool gated, bool norm) {
  std::string name = std::string(gated ? "llmc_gemv_gated_" : "llmc_gemv_") +
                     (norm ? "norm_q" : "q") + std::to_string(bits) + "_token";
  int perTile = gemvQTokenRowsPerTile(bits, gated, a.k), tiles = 0;
  for (int j = 0; j < (gated ? 1 : 3); ++j)
    tiles += (a.n[j] + perTile - 1) / perTile;
  unsigned shared = gemvQTokenSharedBytes(a.k);
  // Blocks loop over the tiles: no more than fit at once.
  int resident = 0;
  if (llmc_status_t st = model.residentBlocks(name, 256, shared, resident))
    return st;
  GemvQArgs args = a;
  return launch(name, unsigned(std::min(tiles, resident)), 1, 256, shared,
                {&args});
}

llmc_status_t CudaSession::tileQuantizedMatrices(int mode) {
  if (mode == 0 || !usePrograms_ ||
      !model.hasFunction("llmc_gemv_program_q4") ||
      !model.hasFunction("llmc_tile_q4_unsigned"))
    return nullptr;
  const plan::Plan &plan = model.plan();
  struct Matrix {
    plan::QuantizedMatrix m;
    int n, k, group, rows, isSigned;
  };
  std::vector<Matrix> matrices;
  for (const Step &s : plan.steps) {
    bool gated = s.kernel == plan::Kernel::GatedLinearQuantized;
    if (!gated && s.kernel != plan::Kernel::LinearQuantized &&
        s.kernel != plan::Kernel::LinearGroupQuantized)
      continue;
    plan::QuantizedMatrix first = plan::quantizedMatrix(s, 0);
    if (bitsOf(plan.weights[size_t(first.values)].dtype) != 4 ||
        s.inputs.empty())
      continue;
    int k = int(plan.buffers[size_t(s.inputs[0])].features);
    int g = int(s.integer("group"));
    // All or none: a step the programs do not take splits the layer's
    // program anyway, and its tiles would be memory spent for nothing.
    // (Below 4096 inputs a chunk fills half a buffer: the Llama 1B's int4
    // matrices decoded 27% slower as programs, H200.)
    // The program's contract, and the one-token kernel's (a program of one
    // step runs as it).
    bool takes =
        g >= 32 && g <= 1024 && (g & (g - 1)) == 0 && k % (4 * g) == 0 &&
        gemvQTokenSlices(k) <= 8 &&
        gemvQTokenSharedBytes(k) + 4096 <= model.sharedOptin() &&
        gemvQProgramStages(qProgramShared_, k,
                           gemvQProgramScaleBytes(g, first.offsets >= 0)) > 0 &&
        model.hasFunction(
            std::string(gated ? "llmc_gemv_gated_q4" : "llmc_gemv_q4") +
            "_token");
    if (mode == 1 && (!takes || k < kGemvQProgramCols))
      return nullptr;
    if (!takes)
      continue;
    size_t count = s.kernel == plan::Kernel::LinearQuantized ? 1
                   : gated                                   ? 2
                                                             : s.outputs.size();
    for (size_t j = 0; j < count; ++j) {
      plan::QuantizedMatrix m = plan::quantizedMatrix(s, j);
      int n = int(plan.weights[size_t(m.scales)].elements() / (k / g));
      int rows = gated ? 4 : 8;
      matrices.push_back({m, n, k, g, rows,
                          isSignedType(plan.weights[size_t(m.values)].dtype)});
    }
  }
  const Driver &d = model.driver();
  auto tileBytes = [](const Matrix &x) {
    return size_t((x.n + x.rows - 1) / x.rows) * size_t(x.rows) *
           gemvQTileRowBytes(x.k, x.group, x.m.offsets >= 0);
  };
  // The copies only where they leave a sixteenth of the GPU's memory (at
  // least 1 GiB) free for the activations that prompts allocate later.
  size_t needed = 0, freeBytes = 0, totalBytes = 0;
  for (const Matrix &x : matrices)
    needed += tileBytes(x);
  d.cuMemGetInfo(&freeBytes, &totalBytes);
  if (needed + std::max<size_t>(totalBytes / 16, size_t(1) << 30) > freeBytes)
    return nullptr;
  for (const Matrix &x : matrices) {
    if (tiles_.count(x.m.values))
      continue;
    size_t size = tileBytes(x);
    CUdeviceptr out = 0;
    if (d.cuMemAlloc(&out, size) != 0) {
      // No room for the second copy: no programs.
      for (auto &[id, p] : tiles_)
        d.cuMemFree(p);
      tiles_.clear();
      return nullptr;
    }
    tiles_[x.m.values] = out;
    CUdeviceptr q = model.weight(x.m.values), scales = model.weight(x.m.scales);
    CUdeviceptr offsets = x.m.offsets >= 0 ? model.weight(x.m.offsets) : 0;
    int n = x.n, k = x.k, group = x.group, rows = x.rows;
    int isSigned = x.isSigned;
    if (llmc_status_t st = launch(
            "llmc_tile_q4_unsigned", unsigned((n + rows - 1) / rows),
            unsigned((k + kGemvQProgramCols - 1) / kGemvQProgramCols), 256, 0,
            {&q, &scales, &offsets, &n, &k, &group, &rows, &isSigned, &out}))
      return st;
  }
  if (CUresult r = d.cuStreamSynchronize(stream_))
    return d.error(r, "copying 4-bit matrices into GEMV program tiles");
  return nullptr;
}

llmc_status_t CudaSession::flushQuantizedProgram() {
  GemvQProgram p = qProgram_;
  qProgram_.count = 0;
  // A step alone gains nothing from a program: its own kernel.
  if (p.count == 1)
    return launchQuantizedToken(qProgramRows_[0], 4, p.gated[0], p.norm[0]);
  if (programsInStep_ >= programBarrierCount_)
    return llmc_status_make(LLMC_STATUS_INTERNAL,
                            "a step has more than %d GEMV programs",
                            programBarrierCount_);
  p.barrier = programBarriers_ + CUdeviceptr(programsInStep_++) * 4;
  // As flushProgram, but one block per multiprocessor (a block holds four
  // consumer teams, sixteen warps), with the largest step's staged
  // activations, the largest scale area and as many buffers as the rest of
  // the SM's shared memory holds (at most kGemvQProgramMaxStages, which the
  // partial sums' slots allow).
  const std::string name = "llmc_gemv_program_q4";
  p.xValues = 0;
  p.scaleBytes = 0;
  for (int i = 0; i < p.count; ++i) {
    p.xValues = std::max(p.xValues, p.steps[i].k);
    p.scaleBytes = std::max(
        p.scaleBytes,
        gemvQProgramScaleBytes(p.steps[i].group, p.steps[i].offsets[0] != 0));
  }
  p.stages = gemvQProgramStages(qProgramShared_, p.xValues, p.scaleBytes);
  if (p.stages == 0) {
    // Too little shared memory for two buffers per team (tileQuantized-
    // Matrices checks each matrix alone): each step as its own kernel.
    for (int i = 0; i < p.count; ++i)
      if (llmc_status_t s =
              launchQuantizedToken(qProgramRows_[i], 4, p.gated[i], p.norm[i]))
        return s;
    return nullptr;
  }
  unsigned shared = gemvQProgramSharedBytes(p.stages, p.xValues, p.scaleBytes);
  int blocks = 0;
  if (llmc_status_t s =
          model.residentBlocks(name, int(kGemvQProgramThreads), shared, blocks))
    return s;
  blocks = std::min(blocks, model.multiprocessors());
  return launch(name, unsigned(blocks), 1, kGemvQProgramThreads, shared, {&p});
}

llmc_status_t CudaSession::enqueueQuantized(
    const Step &s, const std::vector<QuantizedPart> &parts, bool gated,
    CUdeviceptr input, int rows, int k, float softcap, const Fusion &fusion,
    bool &fused) {
  if (llmc_status_t st = enqueueQuantizedGemv(s, parts, gated, input, rows, k,
                                              softcap, fusion, fused);
      st || fused)
    return st;
  CUdeviceptr x = 0;
  if (llmc_status_t st = normalizedInput(fusion, input, rows, k, x))
    return st;
  const plan::Plan &plan = model.plan();
  DType vt = plan.weights[size_t(parts[0].matrix.values)].dtype;
  int bits = bitsOf(vt), isSigned = isSignedType(vt);
  int group = int(s.integer("group"));
  const std::string &half = halfType_;
  bool useGemm = dequantized_ && !half.empty() &&
                 model.hasFunction("llmc_dequantize_" + half);
  for (size_t j = 0; j < parts.size(); ++j) {
    const QuantizedPart &p = parts[j];
    // Gated: the gate to the output, the up projection to scratch.
    CUdeviceptr out = gated && j == 1 ? gatedScratch_ : p.out;
    CUdeviceptr q = model.weight(p.matrix.values);
    CUdeviceptr scales = model.weight(p.matrix.scales);
    CUdeviceptr offsets = offsetsOf(p);
    CUdeviceptr bias = p.bias;
    int n = p.n;
    llmc_status_t st = nullptr;
    if (useGemm && canGemm(x, k, out, half)) {
      st = launch("llmc_dequantize_" + half, unsigned(n),
                  unsigned((k + 255) / 256), 256, 0,
                  {&q, &bits, &isSigned, &scales, &offsets, &group, &n, &k,
                   &dequantized_});
      if (!st)
        st = enqueueGemm(x, rows, k, dequantized_, half, n, bias, softcap, out);
    } else {
      st = launch("llmc_linear_quantized", unsigned((n + 7) / 8), 1, 256, 0,
                  {&x, &rows, &k, &q, &bits, &isSigned, &scales, &offsets,
                   &group, &n, &bias, &softcap, &out});
    }
    if (st)
      return st;
  }
  if (!gated)
    return nullptr;
  return enqueueGlu(parts[0].out, size_t(rows) * size_t(parts[0].n),
                    plan::gateActivation(s));
}

} // namespace llmc::cuda
