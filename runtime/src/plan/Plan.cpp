//===- Plan.cpp - reading and checking an execution plan ------------------===//

#include "plan/Plan.h"

#include <nlohmann/json.hpp>

#include <cmath>
#include <sstream>

namespace llmc::plan {
namespace {

struct DTypeInfo {
  DType type;
  const char *name;
  unsigned bits;
};
constexpr DTypeInfo dtypes[] = {
    {DType::F32, "f32", 32}, {DType::F16, "f16", 16}, {DType::BF16, "bf16", 16},
    {DType::I4, "i4", 4},    {DType::U4, "u4", 4},    {DType::I8, "i8", 8},
    {DType::U8, "u8", 8},
};

struct KernelInfo {
  Kernel kernel;
  const char *name;
};
constexpr KernelInfo kernels[] = {
    {Kernel::Embedding, "embedding"},
    {Kernel::Linear, "linear"},
    {Kernel::LinearGroup, "linear_group"},
    {Kernel::GatedLinear, "gated_linear"},
    {Kernel::LinearQuantized, "linear_quantized"},
    {Kernel::LinearGroupQuantized, "linear_group_quantized"},
    {Kernel::GatedLinearQuantized, "gated_linear_quantized"},
    {Kernel::RmsNorm, "rms_norm"},
    {Kernel::AddRmsNorm, "add_rms_norm"},
    {Kernel::LayerNorm, "layer_norm"},
    {Kernel::Rope, "rope"},
    {Kernel::Attention, "attention"},
    {Kernel::Slice, "slice"},
    {Kernel::Silu, "silu"},
    {Kernel::Gelu, "gelu"},
    {Kernel::Glu, "glu"},
    {Kernel::Scale, "scale"},
    {Kernel::Add, "add"},
    {Kernel::Mul, "mul"},
};

bool isFloat(DType t) {
  return t == DType::F32 || t == DType::F16 || t == DType::BF16;
}

/// Collects the first problem found while checking a plan.
class Checker {
public:
  Checker(const Plan &plan, const std::string &where)
      : plan(plan), where(where) {}

  bool failed() const { return !message.empty(); }
  llmc_status_t status() const {
    return llmc_status_make(LLMC_STATUS_DATA_LOSS, "%s: plan: %s",
                            where.c_str(), message.c_str());
  }
  std::ostream &fail() {
    if (failed())
      return discard;
    return stream;
  }
  void flush() {
    if (message.empty())
      message = stream.str();
  }

  /// Checks step `i` against its kernel's operand rules.
  void checkStep(size_t i, const Step &s);
  /// Checks a linear step's fused norm and residual (true when they are
  /// sound or absent).
  bool checkFusions(size_t i, const Step &s);

private:
  const Plan &plan;
  const std::string &where;
  std::ostringstream stream, discard;
  std::string message;

  std::string stepName(size_t i, const Step &s) {
    return "step " + std::to_string(i) + " (" + kernelName(s.kernel) + ")";
  }
  int64_t features(const Step &s, bool input, size_t j) {
    const auto &ids = input ? s.inputs : s.outputs;
    return plan.buffers[ids[j]].features;
  }
  const Weight &weight(const Step &s, size_t j) {
    return plan.weights[s.weights[j]];
  }
  bool expectCounts(size_t i, const Step &s, size_t in, size_t wMin,
                    size_t wMax, size_t out) {
    if (s.inputs.size() != in || s.weights.size() < wMin ||
        s.weights.size() > wMax || s.outputs.size() != out) {
      fail() << stepName(i, s) << " has " << s.inputs.size() << " inputs, "
             << s.weights.size() << " weights and " << s.outputs.size()
             << " outputs; expected " << in << ", " << wMin
             << (wMax != wMin ? "-" + std::to_string(wMax) : "") << " and "
             << out;
      flush();
      return false;
    }
    return true;
  }
  /// Checks quantized matrix `j` of step `s`: n x k 4- or 8-bit values
  /// (all matrices of the step alike) and float32 scales and offsets per
  /// row and group.
  bool expectQuantized(size_t i, const Step &s, size_t j, int64_t n) {
    int64_t k = features(s, true, 0);
    int64_t group = s.integer("group");
    DType vt = weight(s, 0).dtype;
    if (group <= 0 || (vt != DType::I4 && vt != DType::U4 && vt != DType::I8 &&
                       vt != DType::U8)) {
      fail() << stepName(i, s) << ": needs a positive group and 4- or 8-bit "
             << "values";
      flush();
      return false;
    }
    int64_t groups = (k + group - 1) / group;
    size_t per = quantizedStride(s);
    return expectWeight(i, s, per * j, vt, {n, k}) &&
           expectWeight(i, s, per * j + 1, DType::F32, {n, groups}) &&
           (per == 2 ||
            expectWeight(i, s, per * j + 2, DType::F32, {n, groups}));
  }

  bool expectWeight(size_t i, const Step &s, size_t j, DType type,
                    std::vector<int64_t> shape) {
    const Weight &w = weight(s, j);
    if (w.dtype != type || w.shape != shape) {
      std::ostringstream want;
      for (size_t d = 0; d < shape.size(); ++d)
        want << (d ? "x" : "") << shape[d];
      fail() << stepName(i, s) << ": weight '" << w.name << "' should be "
             << want.str() << " " << dtypeName(type);
      flush();
      return false;
    }
    return true;
  }
  bool expectFeatures(size_t i, const Step &s, bool input, size_t j,
                      int64_t want) {
    if (features(s, input, j) != want) {
      fail() << stepName(i, s) << ": " << (input ? "input " : "output ") << j
             << " has " << features(s, input, j) << " features, expected "
             << want;
      flush();
      return false;
    }
    return true;
  }
};

bool Checker::checkFusions(size_t i, const Step &s) {
  bool linear = s.kernel == Kernel::Linear ||
                s.kernel == Kernel::LinearQuantized ||
                s.kernel == Kernel::LinearGroup ||
                s.kernel == Kernel::LinearGroupQuantized ||
                s.kernel == Kernel::GatedLinear ||
                s.kernel == Kernel::GatedLinearQuantized;
  bool single =
      s.kernel == Kernel::Linear || s.kernel == Kernel::LinearQuantized;
  if ((hasInputNorm(s) && !linear) || (hasResidual(s) && !single)) {
    fail() << stepName(i, s) << ": only linear steps take a fused "
           << (hasResidual(s) ? "residual" : "norm");
    flush();
    return false;
  }
  bool floatMatrices = s.kernel == Kernel::Linear ||
                       s.kernel == Kernel::LinearGroup ||
                       s.kernel == Kernel::GatedLinear;
  if (hasFoldedNorm(s) && !floatMatrices) {
    fail() << stepName(i, s) << ": only float matrices hold a folded norm";
    flush();
    return false;
  }
  if (hasInputNorm(s)) {
    if (s.inputs.empty() || (s.weights.empty() && !hasFoldedNorm(s))) {
      fail() << stepName(i, s) << ": a fused norm needs an input and a weight";
      flush();
      return false;
    }
    if (!(s.number("norm_epsilon") > 0)) {
      fail() << stepName(i, s) << ": needs a positive norm_epsilon";
      flush();
      return false;
    }
    if (!hasFoldedNorm(s) && !expectWeight(i, s, s.weights.size() - 1,
                                           DType::F32, {features(s, true, 0)}))
      return false;
  }
  if (hasResidual(s)) {
    if (s.inputs.size() != 2 || s.outputs.size() != 1) {
      fail() << stepName(i, s) << ": a fused residual needs two inputs and "
             << "one output";
      flush();
      return false;
    }
    if (!expectFeatures(i, s, true, 1, features(s, false, 0)))
      return false;
  }
  return true;
}

void Checker::checkStep(size_t i, const Step &s) {
  if (hasInputNorm(s) || hasResidual(s)) {
    if (checkFusions(i, s))
      checkStep(i, withoutFusions(s));
    return;
  }
  switch (s.kernel) {
  case Kernel::Embedding: {
    if (!expectCounts(i, s, 0, 1, 1, 1))
      return;
    const Weight &t = weight(s, 0);
    if (t.shape.size() != 2 || !isFloat(t.dtype)) {
      fail() << stepName(i, s) << ": table should be a 2-D float weight";
      return flush();
    }
    bool byPositions = s.name("index") == "positions";
    if (t.shape[0] < (byPositions ? plan.maxContext : plan.vocabSize)) {
      fail() << stepName(i, s) << ": table has " << t.shape[0]
             << " rows, fewer than the "
             << (byPositions ? "context" : "vocabulary");
      return flush();
    }
    expectFeatures(i, s, false, 0, t.shape[1]);
    return;
  }
  case Kernel::Linear: {
    if (!expectCounts(i, s, 1, 1, 2, 1))
      return;
    int64_t n = features(s, false, 0), k = features(s, true, 0);
    DType wt = isFloat(weight(s, 0).dtype) ? weight(s, 0).dtype : DType::F32;
    if (expectWeight(i, s, 0, wt, {n, k}) && s.weights.size() == 2)
      expectWeight(i, s, 1, DType::F32, {n});
    return;
  }
  case Kernel::LinearGroup: {
    size_t count = s.outputs.size();
    bool biases = s.integer("biases") != 0;
    if (count < 2 || count > 3) {
      fail() << stepName(i, s) << " has " << count
             << " outputs; expected 2 or 3";
      return flush();
    }
    size_t w = biases ? 2 * count : count;
    if (!expectCounts(i, s, 1, w, w, count))
      return;
    int64_t k = features(s, true, 0);
    DType wt = isFloat(weight(s, 0).dtype) ? weight(s, 0).dtype : DType::F32;
    for (size_t j = 0; j < count; ++j) {
      int64_t n = features(s, false, j);
      if (!expectWeight(i, s, j, wt, {n, k}))
        return;
      if (biases && !expectWeight(i, s, count + j, DType::F32, {n}))
        return;
    }
    return;
  }
  case Kernel::GatedLinear: {
    if (!expectCounts(i, s, 1, 2, 2, 1))
      return;
    int64_t n = features(s, false, 0), k = features(s, true, 0);
    DType wt = isFloat(weight(s, 0).dtype) ? weight(s, 0).dtype : DType::F32;
    if (gateActivation(s) < 0) {
      fail() << stepName(i, s) << ": unknown activation '"
             << s.name("activation") << "'";
      return flush();
    }
    if (expectWeight(i, s, 0, wt, {n, k}))
      expectWeight(i, s, 1, wt, {n, k});
    return;
  }
  case Kernel::LinearQuantized: {
    size_t per = quantizedStride(s);
    if (!expectCounts(i, s, 1, per, per + 1, 1) ||
        !expectQuantized(i, s, 0, features(s, false, 0)))
      return;
    if (s.weights.size() == per + 1)
      expectWeight(i, s, per, DType::F32, {features(s, false, 0)});
    return;
  }
  case Kernel::LinearGroupQuantized: {
    size_t count = s.outputs.size();
    bool biases = s.integer("biases") != 0;
    if (count < 2 || count > 3) {
      fail() << stepName(i, s) << " has " << count
             << " outputs; expected 2 or 3";
      return flush();
    }
    size_t per = quantizedStride(s);
    size_t w = (biases ? per + 1 : per) * count;
    if (!expectCounts(i, s, 1, w, w, count))
      return;
    for (size_t j = 0; j < count; ++j) {
      int64_t n = features(s, false, j);
      if (!expectQuantized(i, s, j, n))
        return;
      if (biases && !expectWeight(i, s, per * count + j, DType::F32, {n}))
        return;
    }
    return;
  }
  case Kernel::GatedLinearQuantized: {
    size_t per = quantizedStride(s);
    if (!expectCounts(i, s, 1, 2 * per, 2 * per, 1))
      return;
    if (gateActivation(s) < 0) {
      fail() << stepName(i, s) << ": unknown activation '"
             << s.name("activation") << "'";
      return flush();
    }
    int64_t n = features(s, false, 0);
    if (expectQuantized(i, s, 0, n))
      expectQuantized(i, s, 1, n);
    return;
  }
  case Kernel::RmsNorm:
  case Kernel::LayerNorm: {
    if (!expectCounts(i, s, 1, 1, s.kernel == Kernel::LayerNorm ? 2 : 1, 1))
      return;
    int64_t f = features(s, true, 0);
    for (size_t w = 0; w < s.weights.size(); ++w)
      if (!expectWeight(i, s, w, DType::F32, {f}))
        return;
    expectFeatures(i, s, false, 0, f);
    return;
  }
  case Kernel::AddRmsNorm: {
    if (!expectCounts(i, s, 2, 1, 1, 2))
      return;
    int64_t f = features(s, true, 0);
    if (expectFeatures(i, s, true, 1, f) &&
        expectWeight(i, s, 0, DType::F32, {f}) &&
        expectFeatures(i, s, false, 0, f))
      expectFeatures(i, s, false, 1, f);
    return;
  }
  case Kernel::Rope: {
    if (!expectCounts(i, s, 1, 2, 2, 1))
      return;
    int64_t heads = s.integer("heads"), dim = s.integer("head_dim");
    const Weight &cos = weight(s, 0);
    std::string style = s.name("style");
    if (heads <= 0 || dim <= 0 || cos.shape.size() != 2 ||
        2 * cos.shape[1] > dim ||
        (style != "rotate_half" && style != "interleaved")) {
      fail() << stepName(i, s) << ": bad heads, head_dim, style or tables";
      return flush();
    }
    if (expectWeight(i, s, 0, DType::F32, cos.shape) &&
        expectWeight(i, s, 1, DType::F32, cos.shape) &&
        expectFeatures(i, s, true, 0, heads * dim))
      expectFeatures(i, s, false, 0, heads * dim);
    return;
  }
  case Kernel::Attention: {
    // "rope": the query and key are rotated first, by cos and sin tables
    // of head_dim / 2 columns (the step's two weights).
    std::string rope = s.name("rope");
    size_t tables = rope.empty() ? 0 : 2;
    if (!expectCounts(i, s, 3, tables, tables, 1))
      return;
    int64_t heads = s.integer("heads"), kv = s.integer("kv_heads"),
            dim = s.integer("head_dim"), layer = s.integer("layer", -1);
    if (layer < 0 || layer >= plan.kvCache.layers ||
        kv != plan.kvCache.kvHeads || dim != plan.kvCache.headDim ||
        heads <= 0 || heads % kv != 0) {
      fail() << stepName(i, s)
             << ": layer, heads or kv_heads do not match the KV cache";
      return flush();
    }
    if (tables) {
      const Weight &cos = weight(s, 0);
      if ((rope != "rotate_half" && rope != "interleaved") ||
          cos.shape.size() != 2 || 2 * cos.shape[1] != dim) {
        fail() << stepName(i, s) << ": bad rope style or tables";
        return flush();
      }
      if (!expectWeight(i, s, 0, DType::F32, cos.shape) ||
          !expectWeight(i, s, 1, DType::F32, cos.shape))
        return;
    }
    if (expectFeatures(i, s, true, 0, heads * dim) &&
        expectFeatures(i, s, true, 1, kv * dim) &&
        expectFeatures(i, s, true, 2, kv * dim))
      expectFeatures(i, s, false, 0, heads * dim);
    return;
  }
  case Kernel::Slice: {
    if (!expectCounts(i, s, 1, 0, 0, 1))
      return;
    int64_t offset = s.integer("offset", -1), size = features(s, false, 0);
    if (offset < 0 || offset + size > features(s, true, 0)) {
      fail() << stepName(i, s) << ": slice [" << offset << ", " << size
             << "] is outside the input";
      return flush();
    }
    return;
  }
  case Kernel::Silu:
  case Kernel::Gelu:
  case Kernel::Scale:
    if (expectCounts(i, s, 1, 0, 0, 1))
      expectFeatures(i, s, false, 0, features(s, true, 0));
    return;
  case Kernel::Glu:
    if (gateActivation(s) < 0) {
      fail() << stepName(i, s) << ": unknown activation '"
             << s.name("activation") << "'";
      return flush();
    }
    [[fallthrough]];
  case Kernel::Add:
  case Kernel::Mul:
    if (expectCounts(i, s, 2, 0, 0, 1) &&
        expectFeatures(i, s, true, 1, features(s, true, 0)))
      expectFeatures(i, s, false, 0, features(s, true, 0));
    return;
  }
}

std::vector<int32_t> indexList(const nlohmann::json &j, const char *key) {
  std::vector<int32_t> out;
  if (j.contains(key))
    for (const auto &v : j.at(key))
      out.push_back(v.get<int32_t>());
  return out;
}

} // namespace

uint64_t byteSize(DType type, uint64_t count) {
  for (const DTypeInfo &d : dtypes)
    if (d.type == type)
      return (count * d.bits + 7) / 8;
  return 0;
}

const char *dtypeName(DType type) {
  for (const DTypeInfo &d : dtypes)
    if (d.type == type)
      return d.name;
  return "?";
}

bool parseDType(std::string_view name, DType &out) {
  for (const DTypeInfo &d : dtypes)
    if (name == d.name) {
      out = d.type;
      return true;
    }
  return false;
}

const char *kernelName(Kernel kernel) {
  for (const KernelInfo &k : kernels)
    if (k.kernel == kernel)
      return k.name;
  return "?";
}

llmc_status_t Plan::checkForward(const int32_t *ids, int64_t t, int64_t cached,
                                 int64_t capacity) const {
  if (t <= 0)
    return llmc_status_make(LLMC_STATUS_INVALID_ARGUMENT,
                            "forward: no tokens given");
  if (cached + t > capacity)
    return llmc_status_make(
        LLMC_STATUS_OUT_OF_RANGE,
        "forward: %lld cached + %lld new tokens exceed the context of %lld "
        "tokens",
        (long long)cached, (long long)t, (long long)capacity);
  for (int64_t r = 0; r < t; ++r)
    if (ids[r] < 0 || ids[r] >= vocabSize)
      return llmc_status_make(LLMC_STATUS_INVALID_ARGUMENT,
                              "forward: token id %d at index %lld is outside "
                              "the vocabulary of %lld",
                              ids[r], (long long)r, (long long)vocabSize);
  return nullptr;
}

int64_t Weight::elements() const {
  int64_t n = 1;
  for (int64_t d : shape)
    n *= d;
  return n;
}

double Step::number(const std::string &key, double otherwise) const {
  auto it = numbers.find(key);
  return it == numbers.end() ? otherwise : it->second;
}

int64_t Step::integer(const std::string &key, int64_t otherwise) const {
  auto it = numbers.find(key);
  return it == numbers.end() ? otherwise : static_cast<int64_t>(it->second);
}

std::string Step::name(const std::string &key) const {
  auto it = names.find(key);
  return it == names.end() ? std::string() : it->second;
}

bool hasInputNorm(const Step &step) { return step.integer("norm") != 0; }
bool hasFoldedNorm(const Step &step) {
  return hasInputNorm(step) && step.integer("norm_folded") != 0;
}
bool hasResidual(const Step &step) { return step.integer("residual") != 0; }

Step withoutFusions(const Step &step) {
  Step plain = step;
  if (hasInputNorm(plain) && !hasFoldedNorm(plain) && !plain.weights.empty())
    plain.weights.pop_back();
  if (hasResidual(plain) && plain.inputs.size() > 1)
    plain.inputs.resize(1);
  for (const char *key :
       {"norm", "norm_epsilon", "norm_unit_offset", "norm_folded", "residual"})
    plain.numbers.erase(key);
  return plain;
}

size_t quantizedStride(const Step &step) {
  return step.integer("offsets", 1) ? 3 : 2;
}

QuantizedMatrix quantizedMatrix(const Step &step, size_t j) {
  size_t per = quantizedStride(step);
  return {step.weights[per * j], step.weights[per * j + 1],
          per == 3 ? step.weights[per * j + 2] : -1};
}

int gateActivation(const Step &step) {
  std::string act = step.name("activation");
  return act == "silu"        ? 0
         : act == "gelu_tanh" ? 1
         : act == "gelu_erf"  ? 2
                              : -1;
}

llmc_status_t parsePlan(std::string_view text, uint64_t weightsBytes,
                        const std::string &where, Plan &out) {
  Plan plan;
  std::string problem;
  try {
    nlohmann::json j = nlohmann::json::parse(text);
    plan.entry = j.at("entry").get<std::string>();
    plan.target = j.value("target", std::string("cpu"));
    plan.vocabSize = j.at("vocab_size").get<int64_t>();
    plan.maxContext = j.at("max_context").get<int64_t>();
    const auto &kv = j.at("kv_cache");
    plan.kvCache = {kv.at("layers").get<int64_t>(),
                    kv.at("kv_heads").get<int64_t>(),
                    kv.at("head_dim").get<int64_t>()};
    plan.arenaPerToken = j.at("arena_per_token").get<int64_t>();
    for (const auto &b : j.at("buffers"))
      plan.buffers.push_back(
          {b.at("features").get<int64_t>(), b.at("offset").get<int64_t>()});
    for (const auto &w : j.at("weights")) {
      Weight weight;
      weight.name = w.at("name").get<std::string>();
      std::string type = w.at("dtype").get<std::string>();
      if (!parseDType(type, weight.dtype))
        throw std::runtime_error("weight '" + weight.name +
                                 "' has unknown dtype '" + type + "'");
      weight.shape = w.at("shape").get<std::vector<int64_t>>();
      weight.offset = w.at("offset").get<uint64_t>();
      weight.bytes = w.at("bytes").get<uint64_t>();
      plan.weights.push_back(std::move(weight));
    }
    for (const auto &s : j.at("steps")) {
      Step step;
      std::string kernel = s.at("kernel").get<std::string>();
      bool known = false;
      for (const KernelInfo &k : kernels)
        if (kernel == k.name) {
          step.kernel = k.kernel;
          known = true;
        }
      if (!known)
        throw std::runtime_error("unknown kernel '" + kernel + "'");
      step.inputs = indexList(s, "in");
      step.weights = indexList(s, "weights");
      step.outputs = indexList(s, "out");
      if (s.contains("attrs"))
        for (const auto &[key, value] : s.at("attrs").items()) {
          if (value.is_number())
            step.numbers[key] = value.get<double>();
          else
            step.names[key] = value.get<std::string>();
        }
      step.producesLogits = s.value("logits", false);
      plan.steps.push_back(std::move(step));
    }
    plan.logits = j.at("logits").get<int32_t>();
  } catch (const std::exception &e) {
    problem = e.what();
  }
  if (!problem.empty())
    return llmc_status_make(LLMC_STATUS_DATA_LOSS, "%s: plan: %s",
                            where.c_str(), problem.c_str());

  Checker check(plan, where);
  if (plan.vocabSize <= 0 || plan.maxContext <= 0 || plan.kvCache.layers < 0 ||
      plan.kvCache.kvHeads <= 0 || plan.kvCache.headDim <= 0 ||
      plan.arenaPerToken < 0) {
    check.fail() << "bad sizes (vocab, context, KV cache or arena)";
    check.flush();
  }
  for (size_t i = 0; i < plan.buffers.size() && !check.failed(); ++i) {
    const Buffer &b = plan.buffers[i];
    if (b.features <= 0 || b.offset < 0 ||
        b.offset + b.features > plan.arenaPerToken) {
      check.fail() << "buffer " << i << " lies outside the arena";
      check.flush();
    }
  }
  for (size_t i = 0; i < plan.weights.size() && !check.failed(); ++i) {
    const Weight &w = plan.weights[i];
    bool shapeOk = !w.shape.empty();
    for (int64_t d : w.shape)
      shapeOk &= d > 0 && d < (int64_t(1) << 40);
    if (!shapeOk || w.bytes != byteSize(w.dtype, uint64_t(w.elements())) ||
        w.offset > weightsBytes || w.bytes > weightsBytes - w.offset) {
      check.fail() << "weight " << i << " ('" << w.name
                   << "') has a bad shape or lies outside the weights "
                      "section";
      check.flush();
    }
  }
  auto inRange = [&](const std::vector<int32_t> &ids, size_t n) {
    for (int32_t id : ids)
      if (id < 0 || size_t(id) >= n)
        return false;
    return true;
  };
  for (size_t i = 0; i < plan.steps.size() && !check.failed(); ++i) {
    const Step &s = plan.steps[i];
    if (!inRange(s.inputs, plan.buffers.size()) ||
        !inRange(s.outputs, plan.buffers.size()) ||
        !inRange(s.weights, plan.weights.size())) {
      check.fail() << "step " << i << " names a buffer or weight that does "
                   << "not exist";
      check.flush();
      break;
    }
    check.checkStep(i, s);
  }
  if (!check.failed() &&
      (plan.logits < 0 || size_t(plan.logits) >= plan.buffers.size() ||
       plan.buffers[plan.logits].features != plan.vocabSize)) {
    check.fail() << "the logits buffer is missing or not [T, vocab]";
    check.flush();
  }
  if (check.failed())
    return check.status();
  for (const Step &s : plan.steps)
    plan.headRunsOnLastToken |= s.producesLogits;
  out = std::move(plan);
  return nullptr;
}

} // namespace llmc::plan
