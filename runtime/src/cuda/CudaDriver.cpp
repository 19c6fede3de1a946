//===- CudaDriver.cpp - the CUDA driver API, loaded at run time -----------===//

#include "cuda/CudaDriver.h"

#include <dlfcn.h>
#include <mutex>

namespace llmc::cuda {
namespace {

template <typename F> bool bind(void *library, const char *name, F &out) {
  out = reinterpret_cast<F>(dlsym(library, name));
  return out != nullptr;
}

} // namespace

llmc_status_t Driver::get(const Driver *&out) {
  static Driver driver;
  static std::string problem;
  static std::once_flag once;
  std::call_once(once, [] {
    void *library = dlopen("libcuda.so.1", RTLD_NOW | RTLD_LOCAL);
    if (!library) {
      problem = std::string("the cuda device needs the NVIDIA driver "
                            "(libcuda.so.1): ") +
                dlerror();
      return;
    }
    Driver &d = driver;
    bool ok =
        bind(library, "cuInit", d.cuInit) &&
        bind(library, "cuDeviceGetCount", d.cuDeviceGetCount) &&
        bind(library, "cuDeviceGet", d.cuDeviceGet) &&
        bind(library, "cuDeviceGetName", d.cuDeviceGetName) &&
        bind(library, "cuDevicePrimaryCtxRetain", d.cuDevicePrimaryCtxRetain) &&
        bind(library, "cuDevicePrimaryCtxRelease_v2",
             d.cuDevicePrimaryCtxRelease) &&
        bind(library, "cuCtxSetCurrent", d.cuCtxSetCurrent) &&
        bind(library, "cuCtxSynchronize", d.cuCtxSynchronize) &&
        bind(library, "cuModuleLoadData", d.cuModuleLoadData) &&
        bind(library, "cuModuleUnload", d.cuModuleUnload) &&
        bind(library, "cuModuleGetFunction", d.cuModuleGetFunction) &&
        bind(library, "cuMemAlloc_v2", d.cuMemAlloc) &&
        bind(library, "cuMemFree_v2", d.cuMemFree) &&
        bind(library, "cuMemGetInfo_v2", d.cuMemGetInfo) &&
        bind(library, "cuMemcpyHtoD_v2", d.cuMemcpyHtoD) &&
        bind(library, "cuMemcpyDtoH_v2", d.cuMemcpyDtoH) &&
        bind(library, "cuLaunchKernel", d.cuLaunchKernel) &&
        bind(library, "cuGetErrorString", d.cuGetErrorString) &&
        bind(library, "cuFuncSetAttribute", d.cuFuncSetAttribute) &&
        bind(library, "cuMemAllocHost_v2", d.cuMemAllocHost) &&
        bind(library, "cuMemFreeHost", d.cuMemFreeHost) &&
        bind(library, "cuMemcpyHtoDAsync_v2", d.cuMemcpyHtoDAsync) &&
        bind(library, "cuMemcpyDtoHAsync_v2", d.cuMemcpyDtoHAsync) &&
        bind(library, "cuStreamCreate", d.cuStreamCreate) &&
        bind(library, "cuStreamDestroy_v2", d.cuStreamDestroy) &&
        bind(library, "cuStreamSynchronize", d.cuStreamSynchronize) &&
        bind(library, "cuStreamBeginCapture_v2", d.cuStreamBeginCapture) &&
        bind(library, "cuStreamEndCapture", d.cuStreamEndCapture) &&
        bind(library, "cuGraphInstantiateWithFlags",
             d.cuGraphInstantiateWithFlags) &&
        bind(library, "cuGraphLaunch", d.cuGraphLaunch) &&
        bind(library, "cuGraphExecDestroy", d.cuGraphExecDestroy) &&
        bind(library, "cuGraphDestroy", d.cuGraphDestroy) &&
        bind(library, "cuDeviceGetAttribute", d.cuDeviceGetAttribute) &&
        bind(library, "cuEventCreate", d.cuEventCreate) &&
        bind(library, "cuEventRecord", d.cuEventRecord) &&
        bind(library, "cuEventElapsedTime", d.cuEventElapsedTime) &&
        bind(library, "cuEventDestroy_v2", d.cuEventDestroy) &&
        bind(library, "cuOccupancyMaxActiveBlocksPerMultiprocessor",
             d.cuOccupancyMaxActiveBlocksPerMultiprocessor);
    bind(library, "cuLaunchKernelEx", d.cuLaunchKernelEx);
    if (!ok) {
      problem = "libcuda.so.1 lacks a driver API call llmc needs; update "
                "the NVIDIA driver";
      return;
    }
    if (CUresult r = d.cuInit(0)) {
      const char *message = nullptr;
      d.cuGetErrorString(r, &message);
      problem = std::string("cuInit failed: ") +
                (message ? message : "unknown error");
    }
  });
  if (!problem.empty())
    return llmc_status_make(LLMC_STATUS_UNAVAILABLE, "%s", problem.c_str());
  out = &driver;
  return nullptr;
}

llmc_status_t Driver::error(CUresult result, const std::string &what) const {
  const char *message = nullptr;
  cuGetErrorString(result, &message);
  // CUDA_ERROR_OUT_OF_MEMORY is 2.
  return llmc_status_make(
      result == 2 ? LLMC_STATUS_OUT_OF_MEMORY : LLMC_STATUS_INTERNAL, "%s: %s",
      what.c_str(), message ? message : "unknown CUDA error");
}

} // namespace llmc::cuda
