//===- Model.cpp - the C API for models and sessions ----------------------===//

#include "api/Handles.h"

#include "artifact/ArtifactFormat.h"

#include <nlohmann/json.hpp>

#include <cstring>
#include <new>

using llmc::artifact::Artifact;

extern "C" void llmc_model_options_init(llmc_model_options_t *options) {
  if (!options)
    return;
  std::memset(options, 0, sizeof *options);
  options->device = nullptr;
  options->verify_checksums = 1;
}

extern "C" llmc_status_t llmc_model_load(const char *path,
                                         const llmc_model_options_t *options,
                                         llmc_model_t *out_model) {
  if (!path || !out_model)
    return llmc_status_make(LLMC_STATUS_INVALID_ARGUMENT,
                            "llmc_model_load: path and out_model are required");
  *out_model = nullptr;
  llmc_model_options_t defaults;
  llmc_model_options_init(&defaults);
  if (!options)
    options = &defaults;
  std::string device = options->device ? options->device : "";
  if (!device.empty() && device != "cpu" && device != "cuda" &&
      device != "none")
    return llmc_status_make(LLMC_STATUS_INVALID_ARGUMENT,
                            "unknown device '%s' (devices: cpu, cuda, none)",
                            device.c_str());
  std::unique_ptr<llmc_model_s> model(new (std::nothrow) llmc_model_s());
  if (!model)
    return llmc_status_make(LLMC_STATUS_OUT_OF_MEMORY, "out of memory");
  model->numThreads = options->num_threads;
  if (llmc_status_t s =
          Artifact::open(path, options->verify_checksums != 0, model->artifact))
    return s;
  const Artifact &a = *model->artifact;
  for (const char *required :
       {llmc::artifact::kManifestSection, llmc::artifact::kPlanSection,
        llmc::artifact::kWeightsSection})
    if (!a.hasSection(required))
      return llmc_status_make(LLMC_STATUS_DATA_LOSS,
                              "%s: the artifact has no '%s' section", path,
                              required);
  llmc::artifact::SectionView weights =
      a.section(llmc::artifact::kWeightsSection);
  if (llmc_status_t s =
          llmc::plan::parsePlan(a.section(llmc::artifact::kPlanSection).text(),
                                weights.size, a.path(), model->plan))
    return s;
  if (device.empty())
    device = model->plan.target;
  model->device = device;
  if (device != "none" && model->plan.target != device)
    return llmc_status_make(
        LLMC_STATUS_INVALID_ARGUMENT,
        "%s: the artifact was compiled for the %s device, not %s (compile "
        "with --target %s)",
        path, model->plan.target.c_str(), device.c_str(), device.c_str());
  if (device == "cuda") {
    llmc::artifact::SectionView fatbin =
        a.section(llmc::artifact::kCudaFatbinSection);
    if (llmc_status_t s = llmc::cuda::CudaModel::create(
            model->plan, weights.data, fatbin.data, fatbin.size, model->cuda))
      return s;
  }
  model->manifest = std::string(a.section("manifest").text());
  try {
    nlohmann::json manifest = nlohmann::json::parse(model->manifest);
    for (const auto &id :
         manifest.value("eos_token_ids", nlohmann::json::array()))
      model->eosIds.push_back(id.get<int32_t>());
    model->bosId = manifest.value("bos_token_id", -1);
  } catch (const std::exception &e) {
    return llmc_status_make(LLMC_STATUS_DATA_LOSS, "%s: manifest: %s", path,
                            e.what());
  }
  // A tokenizer that cannot be read does not stop the model from running on
  // token ids; the tokenizer functions report why.
  if (a.hasSection(llmc::artifact::kTokenizerSection))
    model->tokenizer = llmc::tokenizer::Tokenizer::fromJson(
        a.section(llmc::artifact::kTokenizerSection).text(),
        model->tokenizerError, a.path() + ": tokenizer");
  else
    model->tokenizerError =
        a.path() + ": the artifact has no tokenizer (there was no "
                   "tokenizer.json beside the model when it was compiled)";
  *out_model = model.release();
  return nullptr;
}

extern "C" void llmc_model_free(llmc_model_t model) { delete model; }

extern "C" int32_t llmc_model_vocab_size(llmc_model_t model) {
  return model ? int32_t(model->plan.vocabSize) : 0;
}

extern "C" int32_t llmc_model_max_context(llmc_model_t model) {
  return model ? int32_t(model->plan.maxContext) : 0;
}

extern "C" const char *llmc_model_manifest(llmc_model_t model) {
  return model ? model->manifest.c_str() : "";
}

extern "C" const int32_t *llmc_model_eos_ids(llmc_model_t model,
                                             size_t *out_count) {
  if (out_count)
    *out_count = model ? model->eosIds.size() : 0;
  return model ? model->eosIds.data() : nullptr;
}

extern "C" int32_t llmc_model_bos_id(llmc_model_t model) {
  return model ? model->bosId : -1;
}

extern "C" void llmc_session_options_init(llmc_session_options_t *options) {
  if (options)
    std::memset(options, 0, sizeof *options);
}

extern "C" llmc_status_t
llmc_session_create(llmc_model_t model, const llmc_session_options_t *options,
                    llmc_session_t *out_session) {
  if (!model || !out_session)
    return llmc_status_make(LLMC_STATUS_INVALID_ARGUMENT,
                            "llmc_session_create: model and out_session are "
                            "required");
  *out_session = nullptr;
  int64_t capacity = model->plan.maxContext;
  if (options && options->max_context > 0) {
    if (options->max_context > capacity)
      return llmc_status_make(
          LLMC_STATUS_OUT_OF_RANGE,
          "a context of %d tokens was asked for, but the artifact supports "
          "at most %lld (compile with a larger --max-context)",
          options->max_context, (long long)capacity);
    capacity = options->max_context;
  }
  const llmc::plan::KvCacheShape &kv = model->plan.kvCache;
  try {
    std::unique_ptr<llmc_session_s> session(new llmc_session_s());
    session->model = model;
    if (model->device == "none")
      return llmc_status_make(LLMC_STATUS_INVALID_ARGUMENT,
                              "llmc_session_create: the model was loaded "
                              "with device \"none\"");
    if (model->cuda) {
      if (llmc_status_t s = llmc::cuda::CudaSession::create(
              *model->cuda, capacity, session->cuda))
        return s;
      *out_session = session.release();
      return nullptr;
    }
    session->cache = std::make_unique<llmc::cpu::KvCache>(kv.layers, kv.kvHeads,
                                                          kv.headDim, capacity);
    session->executor = std::make_unique<llmc::cpu::CpuExecutor>(
        model->plan,
        model->artifact->section(llmc::artifact::kWeightsSection).data,
        unsigned(std::max(0, model->numThreads)));
    *out_session = session.release();
  } catch (const std::bad_alloc &) {
    return llmc_status_make(
        LLMC_STATUS_OUT_OF_MEMORY,
        "not enough memory for a KV cache of %lld tokens x %lld layers",
        (long long)capacity, (long long)kv.layers);
  }
  return nullptr;
}

extern "C" void llmc_session_free(llmc_session_t session) { delete session; }

extern "C" int32_t llmc_session_length(llmc_session_t session) {
  return session ? int32_t(session->length()) : 0;
}

extern "C" void llmc_session_truncate(llmc_session_t session, int32_t length) {
  if (session && session->cuda)
    session->cuda->truncate(length);
  else if (session)
    session->cache->truncate(length);
}

extern "C" llmc_status_t
llmc_session_observe_linear_inputs(llmc_session_t session,
                                   llmc_linear_input_fn fn, void *user) {
  if (!session)
    return llmc_status_make(LLMC_STATUS_INVALID_ARGUMENT, "session is NULL");
  if (!session->executor)
    return llmc_status_make(LLMC_STATUS_UNIMPLEMENTED,
                            "observing linear inputs needs the cpu device");
  session->executor->observeLinearInputs(fn, user);
  return nullptr;
}

extern "C" llmc_status_t llmc_session_forward(llmc_session_t session,
                                              const int32_t *ids, size_t count,
                                              int32_t all_logits,
                                              float *out_logits,
                                              size_t logits_capacity) {
  if (!session || !ids || !out_logits)
    return llmc_status_make(LLMC_STATUS_INVALID_ARGUMENT,
                            "llmc_session_forward: session, ids and "
                            "out_logits are required");
  size_t vocab = size_t(session->model->plan.vocabSize);
  size_t need = (all_logits ? count : 1) * vocab;
  if (logits_capacity < need)
    return llmc_status_make(LLMC_STATUS_INVALID_ARGUMENT,
                            "llmc_session_forward: out_logits holds %zu "
                            "floats but %zu are needed",
                            logits_capacity, need);
  try {
    if (session->cuda)
      return session->cuda->forward(ids, int64_t(count), all_logits != 0,
                                    out_logits);
    return session->executor->forward(*session->cache, ids, int64_t(count),
                                      all_logits != 0, out_logits);
  } catch (const std::bad_alloc &) {
    return llmc_status_make(LLMC_STATUS_OUT_OF_MEMORY,
                            "out of memory running %zu tokens", count);
  }
}
