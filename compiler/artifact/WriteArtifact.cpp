//===- WriteArtifact.cpp - packages a lowered model as .llmc --------------===//

#include "compiler/artifact/WriteArtifact.h"

#include "compiler/artifact/ArtifactWriter.h"
#include "compiler/lowering/WeightData.h"
#include "runtime/src/artifact/ArtifactFormat.h"

#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

#include <algorithm>
#include <cstring>
#include <deque>
#include <future>
#include <thread>

namespace json = llvm::json;
using llmc::lowering::PlanWeight;
using llmc::lowering::WeightData;

namespace llmc::artifact {
namespace {

/// The bytes of one weight in the plan's layout.
llvm::Expected<std::vector<uint8_t>> packWeight(const PlanWeight &w) {
  llvm::Expected<WeightData> data = lowering::evaluateWeight(w.value);
  if (!data)
    return data.takeError();
  std::vector<uint8_t> bytes;
  auto floatsToBytes = [&](const std::vector<float> &f) {
    bytes = lowering::encodeFloats(f, w.dtype);
  };
  switch (w.kind) {
  case PlanWeight::Kind::Float: {
    if (data->isInteger)
      return llvm::createStringError("weight '" + w.name +
                                     "' should be float but is integer");
    floatsToBytes(data->floats);
    return bytes;
  }
  case PlanWeight::Kind::QuantizedValues: {
    if (!data->isInteger || w.shape.size() != 2)
      return llvm::createStringError("quantized weight '" + w.name +
                                     "' should be a 2-D integer tensor");
    bool four = w.dtype[1] == '4';
    int64_t n = w.shape[0], k = w.shape[1];
    if (four && k % 2 != 0)
      return llvm::createStringError(
          "quantized weight '" + w.name +
          "' has an odd number of input features; 4-bit rows pack two "
          "values per byte");
    bytes.assign(size_t(four ? n * k / 2 : n * k), 0);
    for (int64_t i = 0; i < n * k; ++i) {
      uint8_t v = uint8_t(data->ints[size_t(i)]);
      if (four)
        bytes[size_t(i / 2)] |= uint8_t((v & 0xF) << ((i & 1) * 4));
      else
        bytes[size_t(i)] = v;
    }
    return bytes;
  }
  case PlanWeight::Kind::ScaledColumns: {
    if (data->isInteger || w.shape.size() != 2)
      return llvm::createStringError("weight '" + w.name +
                                     "' should be a 2-D float matrix");
    llvm::Expected<WeightData> scales =
        lowering::evaluateWeight(w.columnScales);
    if (!scales)
      return scales.takeError();
    int64_t n = w.shape[0], k = w.shape[1];
    if (scales->isInteger || int64_t(scales->floats.size()) != k ||
        int64_t(data->floats.size()) != n * k)
      return llvm::createStringError("the norm weights folded into '" + w.name +
                                     "' do not match its columns");
    std::vector<float> &f = data->floats;
    for (int64_t r = 0; r < n; ++r)
      for (int64_t c = 0; c < k; ++c)
        f[size_t(r * k + c)] *=
            scales->floats[size_t(c)] + (w.unitOffset ? 1.0f : 0.0f);
    floatsToBytes(f);
    return bytes;
  }
  case PlanWeight::Kind::QuantizedOffsets: {
    std::vector<float> offsets(data->floats.size(), 0.0f);
    if (w.zeroPoints) {
      llvm::Expected<WeightData> zp = lowering::evaluateWeight(w.zeroPoints);
      if (!zp)
        return zp.takeError();
      if (zp->ints.size() != offsets.size())
        return llvm::createStringError("zero points of '" + w.name +
                                       "' do not match its scales");
      for (size_t i = 0; i < offsets.size(); ++i)
        offsets[i] = -data->floats[i] * float(zp->ints[i]);
    }
    floatsToBytes(offsets);
    return bytes;
  }
  }
  return llvm::createStringError("unknown weight kind");
}

std::optional<json::Value>
readJsonBeside(llvm::StringRef model, llvm::StringRef name, std::string &text) {
  llvm::SmallString<256> path(llvm::sys::path::parent_path(model));
  llvm::sys::path::append(path, name);
  auto buffer = llvm::MemoryBuffer::getFile(path, /*IsText=*/true);
  if (!buffer)
    return std::nullopt;
  text = (*buffer)->getBuffer().str();
  llvm::Expected<json::Value> parsed = json::parse(text);
  if (!parsed) {
    llvm::consumeError(parsed.takeError());
    return std::nullopt;
  }
  return std::move(*parsed);
}

/// bos_token_id from the first config that has one, or -1.
int64_t bosToken(const std::vector<const json::Value *> &configs) {
  for (const json::Value *config : configs) {
    const json::Object *o = config ? config->getAsObject() : nullptr;
    if (!o)
      continue;
    if (const json::Object *model = o->getObject("model"))
      o = model->get("bos_token_id") ? model : o; // genai_config.json
    if (std::optional<int64_t> id = o->getInteger("bos_token_id"))
      return *id;
  }
  return -1;
}

/// eos_token_id as an int or a list, from the first config that has one.
json::Array stopTokens(const std::vector<const json::Value *> &configs) {
  for (const json::Value *config : configs) {
    const json::Object *o = config ? config->getAsObject() : nullptr;
    if (!o)
      continue;
    if (const json::Object *model = o->getObject("model"))
      o = model->get("eos_token_id") ? model : o; // genai_config.json
    const json::Value *eos = o->get("eos_token_id");
    if (!eos)
      continue;
    json::Array ids;
    if (std::optional<int64_t> one = eos->getAsInteger())
      ids.push_back(*one);
    else if (const json::Array *many = eos->getAsArray())
      for (const json::Value &v : *many)
        if (std::optional<int64_t> id = v.getAsInteger())
          ids.push_back(*id);
    if (!ids.empty())
      return ids;
  }
  return {};
}

} // namespace

llvm::Error writeArtifact(llvm::StringRef outputPath,
                          lowering::LoweredPlan &lowered,
                          const ArtifactOptions &options) {
  auto writer = ArtifactWriter::create(outputPath);
  if (!writer)
    return writer.takeError();
  ArtifactWriter &w = **writer;

  // Weights first: their places go into the plan.
  if (llvm::Error e = w.beginSection(kWeightsSection))
    return e;
  json::Array weights;
  uint64_t done = 0;
  // Weights are evaluated and packed on several threads, a few ahead of the
  // one being written, and written in order. Each job holds one weight's
  // float32 values and packed bytes, which bounds the memory in flight.
  using Packed = llvm::Expected<std::vector<uint8_t>>;
  size_t jobs = std::clamp<size_t>(std::thread::hardware_concurrency(), 1, 8);
  std::deque<std::future<Packed>> pending;
  size_t next = 0;
  for (const PlanWeight &pw : lowered.weights) {
    while (next < lowered.weights.size() && pending.size() < jobs) {
      const PlanWeight *job = &lowered.weights[next++];
      pending.push_back(
          std::async(std::launch::async, [job] { return packWeight(*job); }));
    }
    Packed bytes = pending.front().get();
    pending.pop_front();
    if (!bytes) {
      for (std::future<Packed> &other : pending)
        if (Packed result = other.get(); !result)
          llvm::consumeError(result.takeError());
      return bytes.takeError();
    }
    if (llvm::Error e = w.alignSection(kTensorAlignment))
      return e;
    uint64_t offset = w.sectionSize();
    if (llvm::Error e = w.write(*bytes))
      return e;
    weights.push_back(json::Object{{"name", pw.name},
                                   {"dtype", pw.dtype},
                                   {"shape", json::Array(pw.shape)},
                                   {"offset", int64_t(offset)},
                                   {"bytes", int64_t(bytes->size())}});
    if (options.progress)
      options.progress(++done, lowered.weights.size(), w.sectionSize());
  }
  uint64_t weightBytes = w.sectionSize();
  if (llvm::Error e = w.endSection())
    return e;

  lowered.plan["weights"] = std::move(weights);
  std::string planText;
  llvm::raw_string_ostream(planText) << json::Value(json::Object(lowered.plan));
  if (llvm::Error e = w.beginSection(kPlanSection))
    return e;
  if (llvm::Error e = w.write(planText))
    return e;
  if (llvm::Error e = w.endSection())
    return e;

  std::string tokenizer, tokenizerConfig, generation, genai, config;
  auto tokenizerJson =
      readJsonBeside(options.modelPath, "tokenizer.json", tokenizer);
  auto tokenizerConfigJson = readJsonBeside(
      options.modelPath, "tokenizer_config.json", tokenizerConfig);
  auto generationJson =
      readJsonBeside(options.modelPath, "generation_config.json", generation);
  auto genaiJson =
      readJsonBeside(options.modelPath, "genai_config.json", genai);
  auto configJson = readJsonBeside(options.modelPath, "config.json", config);

  std::vector<const json::Value *> configs = {
      generationJson ? &*generationJson : nullptr,
      genaiJson ? &*genaiJson : nullptr, configJson ? &*configJson : nullptr};
  json::Object kernels;
  for (const auto &[name, count] : lowered.kernelCounts)
    kernels[name] = count;
  json::Object manifest{
      {"format", "llmc"},
      {"source", llvm::sys::path::filename(options.modelPath).str()},
      {"target", options.target},
      {"vocab_size", *lowered.plan.getInteger("vocab_size")},
      {"max_context", *lowered.plan.getInteger("max_context")},
      {"kv_cache", json::Object(*lowered.plan.getObject("kv_cache"))},
      {"eos_token_ids", stopTokens(configs)},
      {"bos_token_id", bosToken(configs)},
      {"weights", json::Object{{"tensors", int64_t(lowered.weights.size())},
                               {"bytes", int64_t(weightBytes)}}},
      {"steps", int64_t(lowered.plan.getArray("steps")->size())},
      {"kernels", std::move(kernels)},
      {"has_tokenizer", tokenizerJson.has_value()},
  };
  if (!options.cudaFatbin.empty())
    manifest["cuda_architectures"] = json::Array(options.cudaArchitectures);
  if (options.decodeLaunches > 0)
    manifest["cuda_launches_per_token"] = options.decodeLaunches;
  std::string manifestText;
  llvm::raw_string_ostream(manifestText)
      << llvm::formatv("{0:2}", json::Value(std::move(manifest)));
  if (llvm::Error e = w.beginSection(kManifestSection))
    return e;
  if (llvm::Error e = w.write(manifestText))
    return e;
  if (llvm::Error e = w.endSection())
    return e;

  auto copySection = [&](const char *name, bool present,
                         llvm::StringRef text) -> llvm::Error {
    if (!present)
      return llvm::Error::success();
    if (llvm::Error e = w.beginSection(name))
      return e;
    if (llvm::Error e = w.write(text))
      return e;
    return w.endSection();
  };
  if (llvm::Error e =
          copySection(kCudaFatbinSection, !options.cudaFatbin.empty(),
                      llvm::StringRef(reinterpret_cast<const char *>(
                                          options.cudaFatbin.data()),
                                      options.cudaFatbin.size())))
    return e;
  if (llvm::Error e =
          copySection(kTokenizerSection, tokenizerJson.has_value(), tokenizer))
    return e;
  if (llvm::Error e = copySection(
          "tokenizer_config", tokenizerConfigJson.has_value(), tokenizerConfig))
    return e;
  if (llvm::Error e = copySection(kGenerationSection,
                                  generationJson.has_value(), generation))
    return e;
  return w.finish();
}

} // namespace llmc::artifact
