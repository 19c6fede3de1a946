//===- CudaDevice.h - runs a plan on an NVIDIA GPU --------------*- C++ -*-===//
//
// CudaModel loads the artifact's fatbin and uploads the weights once;
// CudaSession holds one sequence's KV cache and activation arena on the GPU
// and runs the plan's steps as kernel launches on its stream, reading back
// only the logits. A one-token step is captured once as a CUDA graph and
// replayed: the kernels read the token id and position from device memory,
// so the host uploads 8 bytes, launches the graph and reads the logits.
// Activations and the KV cache are float32; 16-bit matrices stay 16-bit.
//
//===----------------------------------------------------------------------===//

#ifndef LLMC_RUNTIME_CUDA_CUDADEVICE_H
#define LLMC_RUNTIME_CUDA_CUDADEVICE_H

#include "cuda/Cublas.h"
#include "cuda/CudaDriver.h"
#include "cuda/KernelContracts.h"
#include "plan/Plan.h"

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace llmc::cuda {

class CudaModel {
public:
  /// Loads `fatbin` and uploads every weight of `plan` from `weights`.
  static llmc_status_t create(const plan::Plan &plan, const uint8_t *weights,
                              const uint8_t *fatbin, uint64_t fatbinSize,
                              std::unique_ptr<CudaModel> &out);
  ~CudaModel();

  const Driver &driver() const { return *driver_; }
  CUdevice device() const { return device_; }
  const plan::Plan &plan() const { return plan_; }
  CUdeviceptr weight(int32_t id) const { return weights_[size_t(id)]; }
  /// The kernel named `name` ("llmc_linear_bf16", ...), with its dynamic
  /// shared memory limit raised to at least `sharedBytes` when that is 48
  /// KiB or more.
  llmc_status_t function(const std::string &name, CUfunction &out,
                         unsigned sharedBytes = 0) const;
  /// Whether the artifact's kernels include `name`.
  bool hasFunction(const std::string &name) const;
  /// Blocks of `block` threads and `sharedBytes` of dynamic shared memory
  /// that fit on the whole GPU at once (`out`, at least 1).
  llmc_status_t residentBlocks(const std::string &name, int block,
                               unsigned sharedBytes, int &out) const;
  /// The most dynamic shared memory a block may ask for.
  unsigned sharedOptin() const { return sharedOptin_; }
  int multiprocessors() const { return multiprocessors_; }
  llmc_status_t makeCurrent() const;

private:
  CudaModel(const plan::Plan &plan) : plan_(plan) {}
  const Driver *driver_ = nullptr;
  const plan::Plan &plan_;
  CUdevice device_ = 0;
  CUcontext context_ = nullptr;
  CUmodule module_ = nullptr;
  std::vector<CUdeviceptr> weights_;
  /// A kernel looked up, and the dynamic shared memory it is allowed.
  struct Loaded {
    CUfunction function;
    unsigned sharedAllowed;
  };
  mutable std::map<std::string, Loaded> functions_;
  /// hasFunction's answers (an older artifact lacks the newer kernels).
  mutable std::map<std::string, bool> present_;
  mutable std::map<std::pair<std::string, unsigned>, int> resident_;
  int multiprocessors_ = 1;
  unsigned sharedOptin_ = 48 * 1024;
};

class CudaSession {
public:
  static llmc_status_t create(const CudaModel &model, int64_t capacity,
                              std::unique_ptr<CudaSession> &out);
  ~CudaSession();

  int64_t length() const { return length_; }
  int64_t capacity() const { return capacity_; }
  void truncate(int64_t length) {
    if (length >= 0 && length < length_)
      length_ = length;
  }
  /// As CpuExecutor::forward; with `argmax` (and not allLogits), the last
  /// token's greedy next id (the first of the largest logits), taken on
  /// the GPU, goes there instead of the logits (then `logits` may be null).
  /// `ahead` says the caller will likely go on with that id: a one-token
  /// step then starts the next step on the GPU before it returns (decoding
  /// ahead, when the decode step is a graph), so that the GPU does not wait
  /// for the host between tokens. A call that does not go on as expected
  /// waits for that step and discards it.
  llmc_status_t forward(const int32_t *ids, int64_t t, bool allLogits,
                        float *logits, int32_t *argmax = nullptr,
                        bool ahead = false);
  /// Whether the artifact's kernels take the argmax (llmc_argmax).
  bool takesArgmax() const { return model.hasFunction("llmc_argmax"); }

private:
  CudaSession(const CudaModel &model) : model(model) {}
  llmc_status_t ensureArena(int64_t t);
  /// Launches every step of a forward call over `t` tokens on stream_.
  llmc_status_t enqueueSteps(int64_t t, bool allLogits);
  /// One matrix of a GEMV launch: out[rows, n] = x . weight^T + bias.
  struct GemvSegment {
    int32_t weight;
    CUdeviceptr bias, out;
    int n;
  };
  /// A linear step's fused RMS norm of its input (with its weights, or
  /// `folded` into the step's matrices) and fused residual (added to the
  /// first matrix's output, or 0). The 16-bit GEMV takes folded norms, the
  /// quantized one unfolded ones, both the residual; other paths normalize
  /// into normScratch_ first and add the residual after.
  struct Fusion {
    bool norm = false, folded = false;
    CUdeviceptr weight = 0;
    float epsilon = 0;
    int unitOffset = 0;
    CUdeviceptr residual = 0;
  };
  /// Launches the 16-bit GEMV over up to three matrices that read `x` (or a
  /// gate and an up matrix, combined by `activation`), with the step's
  /// fusions, when the weights, the alignment and the rows suit it;
  /// `launched` says whether it did.
  llmc_status_t enqueueGemv(const std::vector<GemvSegment> &parts, bool gated,
                            int activation, CUdeviceptr x, int rows, int k,
                            float softcap, const Fusion &fusion,
                            bool &launched);
  /// One matrix product out[rows, n] = x[rows, k] . weight^T + bias, with
  /// the kernel that suits the weight type and the rows.
  llmc_status_t enqueueLinear(int32_t weight, CUdeviceptr x, int rows, int k,
                              CUdeviceptr bias, float softcap, CUdeviceptr out,
                              int n);
  /// Whether the 16-bit GEMM takes these operands (alignment, k % 64).
  bool canGemm(CUdeviceptr x, int k, CUdeviceptr out,
               const std::string &type) const;
  /// out[rows, n] = x . w^T (+ bias, soft cap) for a 16-bit `w` of `type`:
  /// on cuBLAS when the session has it and there is no epilogue, else
  /// llmc_gemm_*.
  llmc_status_t enqueueGemm(CUdeviceptr x, int rows, int k, CUdeviceptr w,
                            const std::string &type, int n, CUdeviceptr bias,
                            float softcap, CUdeviceptr out);
  /// gate[i] = activation(gate[i]) * gatedScratch_[i] for `count` values:
  /// the gated MLP of the fallback paths, after the gate went to `gate`
  /// and the up projection to gatedScratch_.
  llmc_status_t enqueueGlu(CUdeviceptr gate, size_t count, int activation);
  /// One matrix of a quantized step: its values, scales and offsets, and
  /// out[rows, n] = x . w^T + bias.
  struct QuantizedPart {
    plan::QuantizedMatrix matrix;
    CUdeviceptr bias, out;
    int n;
  };
  /// Launches a quantized step (linear_quantized, linear_group_quantized or
  /// gated_linear_quantized, whose parts are the gate and the up matrix):
  /// the integer GEMV for up to 8 rows, the matrices dequantized to 16 bits
  /// and the GEMM for longer prompts of 16-bit models, and the simple
  /// kernel otherwise (CudaQuantized.cpp).
  llmc_status_t enqueueQuantized(const plan::Step &s,
                                 const std::vector<QuantizedPart> &parts,
                                 bool gated, CUdeviceptr x, int rows, int k,
                                 float softcap, const Fusion &fusion,
                                 bool &fused);
  /// The part's offsets on the device, or 0 when it has none.
  CUdeviceptr offsetsOf(const QuantizedPart &part) const;
  llmc_status_t enqueueQuantizedGemv(const plan::Step &s,
                                     const std::vector<QuantizedPart> &parts,
                                     bool gated, CUdeviceptr x, int rows, int k,
                                     float softcap, const Fusion &fusion,
                                     bool &launched);
  /// x, or (with a fused norm) x normalized into normScratch_ for `rows`
  /// rows of k features.
  llmc_status_t normalizedInput(const Fusion &fusion, CUdeviceptr x, int rows,
                                int k, CUdeviceptr &out);
  /// Launches llmc_argmax over the last of `t` tokens' logits into argmax_
  /// (`feedBack`: llmc_argmax_next, which also makes it the next step's
  /// input and writes it to the host's ring).
  llmc_status_t enqueueArgmax(int64_t t, bool feedBack);
  /// Waits for a step started ahead that is not wanted, if any.
  llmc_status_t dropAhead();
  /// Launches the GEMV program gathered so far (program_ or qProgram_), if
  /// any.
  llmc_status_t flushProgram();
  llmc_status_t flushQuantizedProgram();
  /// Copies 4-bit matrices into the quantized GEMV programs' tiles
  /// (tiles_) when programs run (LLMC_CUDA_QUANTIZED_PROGRAMS, default 1):
  /// `mode` 1, every one when every 4-bit step's shape suits the programs
  /// (at least 4096 inputs); 2, those of every step the kernel takes; 0
  /// none. None either when the copies would leave less than a sixteenth
  /// of the GPU's memory (at least 1 GiB) free.
  llmc_status_t tileQuantizedMatrices(int mode);
  /// Launches the one-token quantized GEMV (GemvQuantizedToken.cu) of `a`
  /// (`matrices` of them, gated: gate and up) with the step's fusions.
  llmc_status_t launchQuantizedToken(const GemvQArgs &a, int bits, bool gated,
                                     bool norm);
  /// Replays (capturing it first when needed) the one-token step's graph.
  llmc_status_t launchDecodeGraph();
  void dropGraph();
  llmc_status_t launch(const std::string &name, unsigned gridX, unsigned gridY,
                       unsigned block, unsigned sharedBytes,
                       std::vector<void *> args);

  const CudaModel &model;
  int64_t capacity_ = 0, length_ = 0, arenaTokens_ = 0;
  std::vector<CUdeviceptr> keys_, values_;
  CUdeviceptr arena_ = 0, ids_ = 0, positions_ = 0, scratch_ = 0;
  /// The decode attention's per-head counters of finished chunks.
  CUdeviceptr counters_ = 0;
  /// llmc_argmax's result.
  CUdeviceptr argmax_ = 0;
  /// A gated linear step's up projection when it runs unfused.
  CUdeviceptr gatedScratch_ = 0;
  /// A prompt's rotated query and key, for attention steps with "rope".
  CUdeviceptr ropeScratch_ = 0;
  /// A fused-norm linear step's normalized input, when its kernel does
  /// not normalize it itself.
  CUdeviceptr normScratch_ = 0;
  /// Per step: the step without its fused norm and residual
  /// (plan::withoutFusions).
  std::vector<plan::Step> plainSteps_;
  /// A quantized matrix dequantized to 16 bits for the GEMM (prompts of
  /// more than 8 tokens), sized for the largest; null until needed.
  CUdeviceptr dequantized_ = 0;
  /// cuBLAS (unless LLMC_CUDA_CUBLAS=0), its handle on stream_, and the
  /// 16-bit copy of a prompt's activations it multiplies: of convertedFrom_,
  /// convertedCount_ values, within the current step.
  const Cublas *cublas_ = nullptr;
  Cublas::Handle cublasHandle_ = nullptr;
  CUdeviceptr converted_ = 0, convertedFrom_ = 0;
  size_t convertedCount_ = 0;
  CUstream stream_ = nullptr;
  /// Pinned: the next token's id and position, the argmax, and in [4] and
  /// [5] the ring llmc_argmax_next writes; and one row of logits.
  int32_t *hostStep_ = nullptr;
  float *hostLogits_ = nullptr;
  CUgraphExec graph_ = nullptr;
  /// Whether the decode graph feeds its argmax back (llmc_argmax_next), so
  /// that a greedy step can be started before the host has read the one
  /// before (LLMC_CUDA_DECODE_AHEAD=0 turns it off).
  bool decodeAhead_ = false;
  /// Recorded after each greedy one-token step; the host waits for it
  /// instead of for the stream, which may hold the step started ahead.
  CUevent stepDone_ = nullptr;
  /// The step started ahead: its input id and position.
  bool ahead_ = false;
  int32_t aheadId_ = 0;
  int64_t aheadPosition_ = 0;
  /// Whether one-token steps replay a graph (every step's launch is then
  /// independent of the length; LLMC_CUDA_GRAPHS=0 turns it off).
  bool useGraphs_ = false;
  /// Whether kernels are launched as programmatic dependents of the one
  /// before (sm_90 and newer).
  bool usePdl_ = false;
  /// Whether the model keeps 16-bit matrices (then prefill attention may
  /// round to bfloat16 on the tensor cores).
  bool halfModel_ = false;
  /// Its 16-bit type ("bf16", "f16"; empty for a float32 model): the GEMM
  /// that prompts of quantized matrices are dequantized for.
  std::string halfType_;
  /// LLMC_CUDA_PROFILE=1: steps run without graphs or dependent launches,
  /// timed per step with events; the totals per kernel, for one-token
  /// steps and for prompts apart, go to stderr when the session ends.
  bool profile_ = false;
  std::vector<CUevent> events_;
  struct KernelTime {
    int64_t steps = 0;
    double ms = 0;
  };
  /// [0]: one-token steps, [1]: prompts (more than one token).
  std::map<std::string, KernelTime> profileTimes_[2];
  int64_t profiledCalls_[2] = {0, 0}, profiledPromptTokens_ = 0;
  void reportProfile() const;
  /// Adds the events of the forward call just finished to the profile.
  void recordProfile(int64_t t);
  /// Runs prompts of these lengths (capped at the capacity) and forgets
  /// them, so that the first real prompt does not pay for loading cuBLAS's
  /// kernels (LLMC_CUDA_WARMUP: "0" none, else comma-separated lengths).
  llmc_status_t warmUp(const std::string &lengths);
  /// GEMV programs (kernels/GemvProgram.cu): while a one-token step is
  /// enqueued (gathering_), consecutive 16-bit one-token GEMVs gather into
  /// program_ of programType_ ("bf16", "f16"), launched as one persistent
  /// kernel when another kernel's launch comes, when it is full, or at the
  /// end of the step. On sm_90 and newer with dependent launches;
  /// LLMC_CUDA_PROGRAMS=0 turns them off, LLMC_CUDA_PROGRAM_BLOCKS sets
  /// the blocks per multiprocessor (default 1).
  bool usePrograms_ = false, gathering_ = false;
  int programBlocks_ = 1;
  GemvProgram program_{};
  std::string programType_;
  /// The same for one-token 4-bit GEMVs (kernels/GemvQuantizedProgram.cu);
  /// at most one of program_ and qProgram_ has steps at a time.
  GemvQProgram qProgram_{};
  /// qProgram_'s steps with their matrices in the row layout, for a
  /// program of one step (run as its one-token kernel).
  GemvQArgs qProgramRows_[kGemvQProgramSteps]{};
  /// The 4-bit matrices in the programs' tiles (kernels/
  /// GemvQuantizedProgram.cu's llmc_tile_q4_unsigned), by their values' plan
  /// weight: a second copy of each, made when the session is created.
  std::map<int32_t, CUdeviceptr> tiles_;
  /// The shared memory a 4-bit program may take: the SM's opt-in less
  /// LLMC_CUDA_Q4_PROGRAM_RESERVE.
  unsigned qProgramShared_ = 0;
  /// One barrier counter per program of a step (zero between launches),
  /// programBarrierCount_ of them; programsInStep_ used so far.
  CUdeviceptr programBarriers_ = 0;
  int programBarrierCount_ = 0, programsInStep_ = 0;
  /// Flash-decoding: chunks per head (LLMC_CUDA_ATTENTION_SPLITS). 32: up
  /// to 512 positions, each warp has one batch of 4, loaded before the
  /// kernel's dependency wait (kernels/DecodeAttention.cu).
  int splits_ = 32;
};

} // namespace llmc::cuda

#endif // LLMC_RUNTIME_CUDA_CUDADEVICE_H
