/*===- llmc.h - llmc runtime C API ----------------------------------------===*
 *
 * The one public header of the llmc runtime. Conventions:
 *  - Handles are opaque; the function that creates a handle names the
 *    function that releases it, and the caller owns what it creates.
 *  - Every fallible function returns an llmc_status_t: NULL means success;
 *    otherwise the status carries a code and a message and the caller frees
 *    it with llmc_status_free.
 *  - Thread safety is stated per type below.
 *
 *===----------------------------------------------------------------------===*/
#ifndef LLMC_LLMC_H
#define LLMC_LLMC_H

#include <stddef.h>
#include <stdint.h>

#if defined(LLMC_RUNTIME_BUILDING)
#define LLMC_API __attribute__((visibility("default")))
#else
#define LLMC_API
#endif

#ifdef __cplusplus
extern "C" {
#endif

/*===----------------------------------------------------------------------===*
 * Status
 *===----------------------------------------------------------------------===*/

/// What went wrong. Values are stable across releases.
typedef enum llmc_status_code_e {
  LLMC_STATUS_OK = 0,
  LLMC_STATUS_INVALID_ARGUMENT = 1,
  LLMC_STATUS_NOT_FOUND = 2,
  LLMC_STATUS_DATA_LOSS = 3,     /* a corrupted or truncated artifact */
  LLMC_STATUS_OUT_OF_MEMORY = 4, /* host or device memory */
  LLMC_STATUS_OUT_OF_RANGE = 5,  /* e.g. a prompt longer than the context */
  LLMC_STATUS_UNIMPLEMENTED = 6,
  LLMC_STATUS_UNAVAILABLE = 7, /* e.g. no CUDA device */
  LLMC_STATUS_INTERNAL = 8,
} llmc_status_code_t;

/// An error: a code and a message. NULL is success. Not thread-safe: a status
/// belongs to the thread that received it until freed.
typedef struct llmc_status_s *llmc_status_t;

/// Makes a status with a printf-style message. Returns NULL for
/// LLMC_STATUS_OK. If memory for the message cannot be had, the status keeps
/// its code and a fixed message.
LLMC_API llmc_status_t llmc_status_make(llmc_status_code_t code,
                                        const char *format, ...)
    __attribute__((format(printf, 2, 3)));

/// The code of a status; LLMC_STATUS_OK for NULL.
LLMC_API llmc_status_code_t llmc_status_code(llmc_status_t status);

/// The message of a status, valid until the status is freed; "" for NULL.
LLMC_API const char *llmc_status_message(llmc_status_t status);

/// A stable lower-case name for a code, e.g. "data_loss".
LLMC_API const char *llmc_status_code_name(llmc_status_code_t code);

/// Frees a status. NULL is allowed.
LLMC_API void llmc_status_free(llmc_status_t status);

/*===----------------------------------------------------------------------===*
 * Version
 *===----------------------------------------------------------------------===*/

/// The runtime's version as "MAJOR.MINOR.PATCH". Thread-safe.
LLMC_API const char *llmc_runtime_version(void);

/*===----------------------------------------------------------------------===*
 * Model
 *===----------------------------------------------------------------------===*/

/// A loaded .llmc artifact: its weights, plan, tokenizer and configuration.
/// Immutable once loaded: a model may be shared by threads, and by any
/// number of sessions, and must outlive them.
typedef struct llmc_model_s *llmc_model_t;

typedef struct llmc_model_options_s {
  /// "cpu" or "cuda"; NULL (the default) is the device the artifact was
  /// compiled for (`llmc compile --target`); "none" checks and reads the
  /// artifact (manifest, tokenizer) without a device, and cannot run it.
  const char *device;
  /// Threads for the cpu device; 0 means one per hardware thread.
  int32_t num_threads;
  /// Nonzero (the default) checks every section's hash at load time.
  int32_t verify_checksums;
} llmc_model_options_t;

/// Sets the defaults.
LLMC_API void llmc_model_options_init(llmc_model_options_t *options);

/// Loads an artifact. `options` may be NULL for the defaults. A corrupted
/// or truncated file, a wrong format version or an unknown device is an
/// error naming the file and the problem. The caller frees the model with
/// llmc_model_free.
LLMC_API llmc_status_t llmc_model_load(const char *path,
                                       const llmc_model_options_t *options,
                                       llmc_model_t *out_model);

/// Frees a model. NULL is allowed.
LLMC_API void llmc_model_free(llmc_model_t model);

/// Vocabulary size: the length of one row of logits.
LLMC_API int32_t llmc_model_vocab_size(llmc_model_t model);

/// The longest context (cached plus new tokens) the artifact supports.
LLMC_API int32_t llmc_model_max_context(llmc_model_t model);

/// The artifact's manifest (JSON), valid while the model lives.
LLMC_API const char *llmc_model_manifest(llmc_model_t model);

/// The token ids that end generation (from the model's generation config),
/// valid while the model lives; `*out_count` receives how many.
LLMC_API const int32_t *llmc_model_eos_ids(llmc_model_t model,
                                           size_t *out_count);

/// The beginning-of-sequence token id from the model's configuration, or -1
/// when it names none.
LLMC_API int32_t llmc_model_bos_id(llmc_model_t model);

/*===----------------------------------------------------------------------===*
 * Session
 *===----------------------------------------------------------------------===*/

/// One sequence being decoded: its KV cache and scratch memory. Not
/// thread-safe: use a session from one thread at a time; distinct sessions
/// of one model may run on different threads.
typedef struct llmc_session_s *llmc_session_t;

typedef struct llmc_session_options_s {
  /// KV cache capacity in tokens; 0 means the model's max context.
  int32_t max_context;
} llmc_session_options_t;

LLMC_API void llmc_session_options_init(llmc_session_options_t *options);

/// Makes a session with an empty cache. `options` may be NULL. Not enough
/// memory for the cache is LLMC_STATUS_OUT_OF_MEMORY.
LLMC_API llmc_status_t
llmc_session_create(llmc_model_t model, const llmc_session_options_t *options,
                    llmc_session_t *out_session);

/// Frees a session. NULL is allowed.
LLMC_API void llmc_session_free(llmc_session_t session);

/// Tokens in the session's cache.
LLMC_API int32_t llmc_session_length(llmc_session_t session);

/// Keeps only the first `length` cached tokens (0: start over).
LLMC_API void llmc_session_truncate(llmc_session_t session, int32_t length);

/// Calibration for quantization: `fn` is called with the input ([rows,
/// features], float32, valid during the call) of every float linear step of
/// the plan (`step` is its index in the plan's steps) before it runs, on
/// the calling thread, during llmc_session_forward. The cpu device only;
/// NULL stops it.
typedef void (*llmc_linear_input_fn)(void *user, int32_t step,
                                     const float *input, int64_t rows,
                                     int64_t features);
LLMC_API llmc_status_t llmc_session_observe_linear_inputs(
    llmc_session_t session, llmc_linear_input_fn fn, void *user);

/// Runs `count` new tokens at the positions after the cached ones and adds
/// them to the cache. Writes float32 logits to `out_logits`: [count, vocab]
/// when `all_logits` is nonzero, else only the last token's [vocab].
/// `logits_capacity` is the number of floats out_logits holds. More tokens
/// than the cache has room for is LLMC_STATUS_OUT_OF_RANGE, an id outside
/// the vocabulary LLMC_STATUS_INVALID_ARGUMENT; the cache is then unchanged.
LLMC_API llmc_status_t llmc_session_forward(llmc_session_t session,
                                            const int32_t *ids, size_t count,
                                            int32_t all_logits,
                                            float *out_logits,
                                            size_t logits_capacity);

/*===----------------------------------------------------------------------===*
 * Tokenizer
 *===----------------------------------------------------------------------===*/

/// Encodes UTF-8 `text` with the artifact's tokenizer; `add_special_tokens`
/// adds what the tokenizer's post-processor adds (e.g. a BOS id). Sets
/// `*out_count` to the number of ids; when that exceeds `capacity` nothing is
/// written and the status is LLMC_STATUS_OUT_OF_RANGE (call again with room).
/// An artifact without a tokenizer is LLMC_STATUS_NOT_FOUND. Thread-safe.
LLMC_API llmc_status_t llmc_tokenize(llmc_model_t model, const char *text,
                                     size_t text_length,
                                     int32_t add_special_tokens,
                                     int32_t *out_ids, size_t capacity,
                                     size_t *out_count);

/// Decodes ids to UTF-8 text, like llmc_tokenize for sizes: `*out_length`
/// is the text's length without a terminator; `capacity` must leave room for
/// the NUL that is written after it. Thread-safe.
LLMC_API llmc_status_t llmc_detokenize(llmc_model_t model, const int32_t *ids,
                                       size_t count,
                                       int32_t skip_special_tokens,
                                       char *out_text, size_t capacity,
                                       size_t *out_length);

/*===----------------------------------------------------------------------===*
 * Generation
 *===----------------------------------------------------------------------===*/

typedef struct llmc_generate_options_s {
  /// Most tokens to generate (default 128).
  int32_t max_new_tokens;
  /// 0 (the default) is greedy; otherwise logits are divided by it.
  float temperature;
  /// Keep the k most likely tokens; 0 (the default) keeps all.
  int32_t top_k;
  /// Keep the smallest set of tokens with this much mass; 1 (default): all.
  float top_p;
  /// Drop tokens less likely than min_p times the most likely; 0: none.
  float min_p;
  /// Hugging Face's repetition penalty; 1 (the default) is none.
  float repetition_penalty;
  /// Seed of the sampler's generator.
  uint64_t seed;
  /// Generation stops when the text contains one of these; the stop string
  /// itself is not passed to the callback.
  const char *const *stop_strings;
  size_t num_stop_strings;
  /// Nonzero: keep going past the model's end-of-sequence ids.
  int32_t ignore_eos;
} llmc_generate_options_t;

LLMC_API void llmc_generate_options_init(llmc_generate_options_t *options);

/// Called for each generated token with the text it completes: valid UTF-8,
/// possibly empty (a multi-byte character still incomplete, or text held
/// back as the possible start of a stop string; NULL when the model has no
/// tokenizer). A final call with token_id -1 may carry the remaining text.
/// Return nonzero to stop generating.
typedef int32_t (*llmc_token_callback_t)(void *user_data, int32_t token_id,
                                         const char *text, size_t text_length);

/// Why generation stopped.
typedef enum llmc_stop_reason_e {
  LLMC_STOP_EOS = 0,
  LLMC_STOP_MAX_TOKENS = 1,
  LLMC_STOP_STOP_STRING = 2,
  LLMC_STOP_CONTEXT_FULL = 3,
  LLMC_STOP_CALLBACK = 4,
} llmc_stop_reason_t;

/// Appends `prompt` to the session (prefill) and generates after it,
/// calling `callback` for each new token. A prompt longer than the room
/// left in the session's context is LLMC_STATUS_OUT_OF_RANGE. `options` may
/// be NULL for greedy decoding of up to 128 tokens; `out_reason` may be
/// NULL.
LLMC_API llmc_status_t llmc_generate(llmc_session_t session,
                                     const int32_t *prompt, size_t prompt_count,
                                     const llmc_generate_options_t *options,
                                     llmc_token_callback_t callback,
                                     void *user_data,
                                     llmc_stop_reason_t *out_reason);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* LLMC_LLMC_H */
