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

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* LLMC_LLMC_H */
