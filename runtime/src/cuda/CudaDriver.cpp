//===- CudaDriver.cpp - the CUDA driver API, loaded at run time -----------===//

#include "cuda/CudaDriver.h"

#include <dlfcn.h>
#include <mutex>

namespace llmc::cuda {
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
        bindSymbol(library, "cuInit", d.cuInit) &&
        bindSymbol(library, "cuDeviceGetCount", d.cuDeviceGetCount) &&
        bindSymbol(library, "cuDeviceGet", d.cuDeviceGet) &&
        bindSymbol(library, "cuDeviceGetName", d.cuDeviceGetName) &&
        bindSymbol(library, "cuDevicePrimaryCtxRetain",
                   d.cuDevicePrimaryCtxRetain) &&
        bindSymbol(library, "cuDevicePrimaryCtxRelease_v2",
                   d.cuDevicePrimaryCtxRelease) &&
        bindSymbol(library, "cuCtxSetCurrent", d.cuCtxSetCurrent) &&
        bindSymbol(library, "cuCtxSynchronize", d.cuCtxSynchronize) &&
        bindSymbol(library, "cuModuleLoadData", d.cuModuleLoadData) &&
        bindSymbol(library, "cuModuleUnload", d.cuModuleUnload) &&
        bindSymbol(library, "cuModuleGetFunction", d.cuModuleGetFunction) &&
        bindSymbol(library, "cuMemAlloc_v2", d.cuMemAlloc) &&
        bindSymbol(library, "cuMemFree_v2", d.cuMemFree) &&
        bindSymbol(library, "cuMemGetInfo_v2", d.cuMemGetInfo) &&
        bindSymbol(library, "cuMemcpyHtoD_v2", d.cuMemcpyHtoD) &&
        bindSymbol(library, "cuMemcpyDtoH_v2", d.cuMemcpyDtoH) &&
        bindSymbol(library, "cuLaunchKernel", d.cuLaunchKernel) &&
        bindSymbol(library, "cuGetErrorString", d.cuGetErrorString) &&
        bindSymbol(library, "cuFuncSetAttribute", d.cuFuncSetAttribute) &&
        bindSymbol(library, "cuMemAllocHost_v2", d.cuMemAllocHost) &&
        bindSymbol(library, "cuMemFreeHost", d.cuMemFreeHost) &&
        bindSymbol(library, "cuMemcpyHtoDAsync_v2", d.cuMemcpyHtoDAsync) &&
        bindSymbol(library, "cuMemcpyDtoHAsync_v2", d.cuMemcpyDtoHAsync) &&
        bindSymbol(library, "cuStreamCreate", d.cuStreamCreate) &&
        bindSymbol(library, "cuStreamDestroy_v2", d.cuStreamDestroy) &&
        bindSymbol(library, "cuStreamSynchronize", d.cuStreamSynchronize) &&
        bindSymbol(library, "cuStreamBeginCapture_v2",
                   d.cuStreamBeginCapture) &&
        bindSymbol(library, "cuStreamEndCapture", d.cuStreamEndCapture) &&
        bindSymbol(library, "cuGraphInstantiateWithFlags",
                   d.cuGraphInstantiateWithFlags) &&
        bindSymbol(library, "cuGraphLaunch", d.cuGraphLaunch) &&
        bindSymbol(library, "cuGraphExecDestroy", d.cuGraphExecDestroy) &&
        bindSymbol(library, "cuGraphDestroy", d.cuGraphDestroy) &&
        bindSymbol(library, "cuDeviceGetAttribute", d.cuDeviceGetAttribute) &&
        bindSymbol(library, "cuEventCreate", d.cuEventCreate) &&
        bindSymbol(library, "cuEventRecord", d.cuEventRecord) &&
        bindSymbol(library, "cuEventSynchronize", d.cuEventSynchronize) &&
        bindSymbol(library, "cuEventElapsedTime", d.cuEventElapsedTime) &&
        bindSymbol(library, "cuEventDestroy_v2", d.cuEventDestroy) &&
        bindSymbol(library, "cuOccupancyMaxActiveBlocksPerMultiprocessor",
                   d.cuOccupancyMaxActiveBlocksPerMultiprocessor);
    bindSymbol(library, "cuLaunchKernelEx", d.cuLaunchKernelEx);
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
