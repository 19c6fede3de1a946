//===- status.cpp - llmc_status_t -----------------------------------------===//
//
// A status is one allocation: the code followed by the NUL-terminated message,
// so that freeing it can never fail and an out-of-memory path needs no
// allocation at all.
//
//===----------------------------------------------------------------------===//

#include "llmc/llmc.h"

#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>

struct llmc_status_s {
  llmc_status_code_t code;
  bool isStatic;
  char message[1];
};

namespace {
// Returned when the message itself cannot be allocated; never freed.
llmc_status_s outOfMemoryStatus = {LLMC_STATUS_OUT_OF_MEMORY, true, {'\0'}};
} // namespace

extern "C" llmc_status_t llmc_status_make(llmc_status_code_t code,
                                          const char *format, ...) {
  if (code == LLMC_STATUS_OK)
    return nullptr;
  va_list args;
  va_start(args, format);
  va_list argsCopy;
  va_copy(argsCopy, args);
  int length = std::vsnprintf(nullptr, 0, format, args);
  va_end(args);
  if (length < 0)
    length = 0;
  auto *status = static_cast<llmc_status_s *>(
      std::malloc(sizeof(llmc_status_s) + static_cast<size_t>(length)));
  if (!status) {
    va_end(argsCopy);
    return &outOfMemoryStatus;
  }
  status->code = code;
  status->isStatic = false;
  std::vsnprintf(status->message, static_cast<size_t>(length) + 1, format,
                 argsCopy);
  va_end(argsCopy);
  return status;
}

extern "C" llmc_status_code_t llmc_status_code(llmc_status_t status) {
  return status ? status->code : LLMC_STATUS_OK;
}

extern "C" const char *llmc_status_message(llmc_status_t status) {
  if (!status)
    return "";
  if (status->isStatic)
    return "out of memory while reporting an error";
  return status->message;
}

extern "C" const char *llmc_status_code_name(llmc_status_code_t code) {
  switch (code) {
  case LLMC_STATUS_OK:
    return "ok";
  case LLMC_STATUS_INVALID_ARGUMENT:
    return "invalid_argument";
  case LLMC_STATUS_NOT_FOUND:
    return "not_found";
  case LLMC_STATUS_DATA_LOSS:
    return "data_loss";
  case LLMC_STATUS_OUT_OF_MEMORY:
    return "out_of_memory";
  case LLMC_STATUS_OUT_OF_RANGE:
    return "out_of_range";
  case LLMC_STATUS_UNIMPLEMENTED:
    return "unimplemented";
  case LLMC_STATUS_UNAVAILABLE:
    return "unavailable";
  case LLMC_STATUS_INTERNAL:
    return "internal";
  }
  return "unknown";
}

extern "C" void llmc_status_free(llmc_status_t status) {
  if (status && !status->isStatic)
    std::free(status);
}
