//===- Cublas.cpp - cuBLAS's GEMM, loaded at run time ---------------------===//

#include "cuda/Cublas.h"

#include <cstdlib>
#include <dlfcn.h>
#include <mutex>
#include <string>
#include <vector>

namespace llmc::cuda {
const Cublas *Cublas::get() {
  static Cublas cublas;
  static bool loaded = false;
  static std::once_flag once;
  std::call_once(once, [] {
    std::vector<std::string> candidates;
    if (const char *home = std::getenv("CUDA_HOME"))
      for (const char *name : {"libcublas.so.13", "libcublas.so.12"})
        candidates.push_back(std::string(home) + "/lib64/" + name);
    for (const char *name : {"libcublas.so.13", "libcublas.so.12"}) {
      candidates.push_back(std::string("/usr/local/cuda/lib64/") + name);
      candidates.push_back(name);
    }
    for (const std::string &path : candidates) {
      void *library = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
      if (!library)
        continue;
      Cublas &c = cublas;
      loaded = bindSymbol(library, "cublasCreate_v2", c.cublasCreate) &&
               bindSymbol(library, "cublasDestroy_v2", c.cublasDestroy) &&
               bindSymbol(library, "cublasSetStream_v2", c.cublasSetStream) &&
               bindSymbol(library, "cublasGemmEx", c.cublasGemmEx);
      if (loaded)
        return;
      dlclose(library);
    }
  });
  return loaded ? &cublas : nullptr;
}

} // namespace llmc::cuda
