//===- CpuExecutor.cpp - runs a plan on the cpu device --------------------===//

#include "cpu/CpuExecutor.h"

#include "cpu/CpuKernels.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

namespace llmc::cpu {

using plan::Kernel;
using plan::Step;

CpuExecutor::CpuExecutor(const plan::Plan &plan, const uint8_t *weights,
                         unsigned threads)
    : plan(plan), weights(weights), pool(threads) {
  for (const Step &s : plan.steps)
    plainSteps.push_back(plan::withoutFusions(s));
}

void CpuExecutor::attention(const Step &step, KvCache &cache, int64_t t,
                            const int32_t *positions) {
  int64_t layer = step.integer("layer"), heads = step.integer("heads"),
          kvHeads = step.integer("kv_heads"), dim = step.integer("head_dim"),
          window = step.integer("sliding_window");
  float scaleFactor = float(step.number("scale")),
        softcap = float(step.number("softcap"));
  const float *q = buffer(step.inputs[0], t);
  const float *k = buffer(step.inputs[1], t);
  const float *v = buffer(step.inputs[2], t);
  float *out = buffer(step.outputs[0], t);
  int64_t row = kvHeads * dim;
  // "rope": query and key rotated first (llmc-fuse-rope-attention), into
  // copies: the step's inputs stay as they are.
  std::vector<float> rotatedQ, rotatedK;
  if (!step.name("rope").empty()) {
    const float *cos = weight(step.weights[0]), *sin = weight(step.weights[1]);
    int64_t half = plan.weights[size_t(step.weights[0])].shape[1];
    bool interleaved = step.name("rope") == "interleaved";
    rotatedQ.resize(size_t(t * heads * dim));
    rotatedK.resize(size_t(t * row));
    rope(q, t, heads, dim, positions, cos, sin, half, interleaved,
         rotatedQ.data());
    rope(k, t, kvHeads, dim, positions, cos, sin, half, interleaved,
         rotatedK.data());
    q = rotatedQ.data();
    k = rotatedK.data();
  }
  for (int64_t r = 0; r < t; ++r) {
    std::memcpy(cache.key(layer, positions[r]), k + r * row, size_t(row) * 4);
    std::memcpy(cache.value(layer, positions[r]), v + r * row, size_t(row) * 4);
  }
  int64_t group = heads / kvHeads;
  pool.parallelFor(t * heads, [&](int64_t begin, int64_t end) {
    std::vector<float> scores;
    for (int64_t item = begin; item < end; ++item) {
      int64_t r = item / heads, h = item % heads, kvh = h / group;
      int64_t last = positions[r];
      int64_t first = window > 0 ? std::max<int64_t>(0, last - window + 1) : 0;
      const float *qh = q + (r * heads + h) * dim;
      scores.assign(size_t(last - first + 1), 0.0f);
      float best = -std::numeric_limits<float>::infinity();
      for (int64_t p = first; p <= last; ++p) {
        const float *kp = cache.key(layer, p) + kvh * dim;
        float s = 0.0f;
        for (int64_t d = 0; d < dim; ++d)
          s += qh[d] * kp[d];
        s *= scaleFactor;
        if (softcap > 0)
          s = softcap * std::tanh(s / softcap);
        scores[size_t(p - first)] = s;
        best = std::max(best, s);
      }
      float total = 0.0f;
      for (float &s : scores) {
        s = std::exp(s - best);
        total += s;
      }
      float *oh = out + (r * heads + h) * dim;
      std::fill(oh, oh + dim, 0.0f);
      for (int64_t p = first; p <= last; ++p) {
        const float *vp = cache.value(layer, p) + kvh * dim;
        float w = scores[size_t(p - first)] / total;
        for (int64_t d = 0; d < dim; ++d)
          oh[d] += w * vp[d];
      }
    }
  });
}

llmc_status_t CpuExecutor::forward(KvCache &cache, const int32_t *ids,
                                   int64_t t, bool allLogits, float *logits) {
  if (llmc_status_t s =
          plan.checkForward(ids, t, cache.length(), cache.capacity()))
    return s;
  std::vector<int32_t> positions(static_cast<size_t>(t));
  for (int64_t r = 0; r < t; ++r)
    positions[size_t(r)] = int32_t(cache.length() + r);
  arena.resize(size_t(t * plan.arenaPerToken));

  for (size_t index = 0; index < plan.steps.size(); ++index) {
    const Step &fused = plan.steps[index];
    // The kernels run the step without its fused norm and residual: the
    // norm's output replaces input 0, the residual is added after.
    const Step &s = plainSteps[index];
    // The LM head of a generation step needs only the last token's row.
    int64_t rows = t, skip = 0;
    if (s.producesLogits && !allLogits) {
      rows = 1;
      skip = t - 1;
    }
    auto input = [&](size_t j) {
      return buffer(fused.inputs[j], t) +
             skip * plan.buffers[size_t(fused.inputs[j])].features;
    };
    const float *normalized = nullptr;
    if (plan::hasInputNorm(fused)) {
      int64_t k = plan.buffers[size_t(fused.inputs[0])].features;
      normScratch.resize(size_t(rows * k));
      // A folded norm's weights are in the matrices already.
      rmsNorm(pool, input(0), rows, k,
              plan::hasFoldedNorm(fused) ? nullptr
                                         : weight(fused.weights.back()),
              float(fused.number("norm_epsilon")),
              fused.integer("norm_unit_offset") != 0, normScratch.data());
      normalized = normScratch.data();
    }
    auto in = [&](size_t j) {
      return j == 0 && normalized ? normalized : input(j);
    };
    auto out = [&](size_t j) { return buffer(s.outputs[j], t); };
    auto optionalWeight = [&](size_t j) {
      return j < s.weights.size() ? weight(s.weights[j]) : nullptr;
    };
    auto features = [&](int32_t id) {
      return plan.buffers[size_t(id)].features;
    };
    // Quantized matrix j of the step: out[rows, n] = x . w^T (+ bias).
    auto quantized = [&](const Step &step, size_t j, const float *x,
                         int64_t rows, int64_t k, int64_t n, const float *bias,
                         float softcap, float *y) {
      plan::QuantizedMatrix m = plan::quantizedMatrix(step, j);
      const plan::Weight &values = plan.weights[size_t(m.values)];
      linearQuantized(pool, x, rows, k, weights + values.offset, values.dtype,
                      weight(m.scales),
                      m.offsets >= 0 ? weight(m.offsets) : nullptr,
                      step.integer("group"), n, bias, softcap, y);
    };
    int64_t fin = s.inputs.empty() ? 0 : features(s.inputs[0]);
    int64_t fout = features(s.outputs[0]);
    switch (s.kernel) {
    case Kernel::Embedding:
      embedding(weight(s.weights[0]), fout,
                s.name("index") == "positions" ? positions.data() : ids, t,
                float(s.number("scale", 1.0)), out(0));
      break;
    case Kernel::Linear:
      if (linearObserver)
        linearObserver(linearObserverUser, int32_t(index), in(0), rows, fin);
      linear(pool, in(0), rows, fin, weight(s.weights[0]), fout,
             optionalWeight(1), float(s.number("softcap")), out(0));
      break;
    case Kernel::LinearGroup: {
      size_t count = s.outputs.size();
      bool biases = s.integer("biases") != 0;
      for (size_t j = 0; j < count; ++j)
        linear(pool, in(0), rows, fin, weight(s.weights[j]),
               features(s.outputs[j]),
               biases ? weight(s.weights[count + j]) : nullptr, 0.0f, out(j));
      break;
    }
    case Kernel::GatedLinear: {
      // The gate goes to the output, the up projection to scratch.
      gatedScratch.resize(size_t(rows * fout));
      linear(pool, in(0), rows, fin, weight(s.weights[0]), fout, nullptr, 0.0f,
             out(0));
      linear(pool, in(0), rows, fin, weight(s.weights[1]), fout, nullptr, 0.0f,
             gatedScratch.data());
      glu(out(0), gatedScratch.data(), rows * fout, plan::gateActivation(s),
          out(0));
      break;
    }
    case Kernel::LinearQuantized:
      quantized(s, 0, in(0), rows, fin, fout,
                optionalWeight(plan::quantizedStride(s)),
                float(s.number("softcap")), out(0));
      break;
    case Kernel::LinearGroupQuantized: {
      size_t count = s.outputs.size();
      bool biases = s.integer("biases") != 0;
      for (size_t j = 0; j < count; ++j)
        quantized(s, j, in(0), rows, fin, features(s.outputs[j]),
                  biases
                      ? weight(s.weights[plan::quantizedStride(s) * count + j])
                      : nullptr,
                  0.0f, out(j));
      break;
    }
    case Kernel::GatedLinearQuantized:
      gatedScratch.resize(size_t(rows * fout));
      quantized(s, 0, in(0), rows, fin, fout, nullptr, 0.0f, out(0));
      quantized(s, 1, in(0), rows, fin, fout, nullptr, 0.0f,
                gatedScratch.data());
      glu(out(0), gatedScratch.data(), rows * fout, plan::gateActivation(s),
          out(0));
      break;
    case Kernel::RmsNorm:
      rmsNorm(pool, in(0), rows, fin, weight(s.weights[0]),
              float(s.number("epsilon")), s.integer("unit_offset") != 0,
              out(0));
      break;
    case Kernel::AddRmsNorm:
      addRmsNorm(pool, in(0), in(1), rows, fin, weight(s.weights[0]),
                 float(s.number("epsilon")), s.integer("unit_offset") != 0,
                 out(0), out(1));
      break;
    case Kernel::LayerNorm:
      layerNorm(pool, in(0), rows, fin, weight(s.weights[0]), optionalWeight(1),
                float(s.number("epsilon")), out(0));
      break;
    case Kernel::Rope:
      rope(in(0), rows, s.integer("heads"), s.integer("head_dim"),
           positions.data() + skip, weight(s.weights[0]), weight(s.weights[1]),
           plan.weights[s.weights[0]].shape[1],
           s.name("style") == "interleaved", out(0));
      break;
    case Kernel::Attention:
      attention(s, cache, t, positions.data());
      break;
    case Kernel::Slice:
      slice(in(0), rows, fin, s.integer("offset"), fout, out(0));
      break;
    case Kernel::Silu:
      silu(in(0), rows * fin, out(0));
      break;
    case Kernel::Gelu:
      gelu(in(0), rows * fin, s.name("approximation") == "tanh", out(0));
      break;
    case Kernel::Glu:
      glu(in(0), in(1), rows * fin, plan::gateActivation(s), out(0));
      break;
    case Kernel::Scale:
      scale(in(0), rows * fin, float(s.number("factor")), out(0));
      break;
    case Kernel::Add:
      add(in(0), in(1), rows * fin, out(0));
      break;
    case Kernel::Mul:
      mul(in(0), in(1), rows * fin, out(0));
      break;
    }
    if (plan::hasResidual(fused))
      add(out(0), input(1), rows * fout, out(0));
  }
  const float *result =
      buffer(plan.logits, t) + plan.logitsOffset(t, allLogits);
  int64_t rowsOut = allLogits ? t : 1;
  std::memcpy(logits, result, size_t(rowsOut * plan.vocabSize) * 4);
  cache.commit(t);
  return nullptr;
}

} // namespace llmc::cpu
