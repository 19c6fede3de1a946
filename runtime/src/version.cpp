//===- version.cpp - llmc_runtime_version ---------------------------------===//

#include "llmc/llmc.h"

extern "C" const char *llmc_runtime_version(void) {
  return LLMC_VERSION_STRING;
}
