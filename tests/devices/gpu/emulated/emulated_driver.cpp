// The NVIDIA driver's entry points that tandem's GPU probe calls (src/devices/gpu/probe.cpp), built
// as a libcuda.so.1 for the emulated model tests only: it reports one GPU, so that the GPU device
// compiles through the emulated plugin (tests/CMakeLists.txt puts both on the test's paths). The
// types are the driver API's: CUresult and CUdevice are ints.
#include <cstddef>
#include <cstdio>

namespace {
constexpr int kSuccess = 0;
constexpr int kInvalidDevice = 101;  // CUDA_ERROR_INVALID_DEVICE
}  // namespace

extern "C" {

int cuInit(unsigned) { return kSuccess; }
int cuDriverGetVersion(int* version) {
  *version = 13000;
  return kSuccess;
}
int cuDeviceGetCount(int* count) {
  *count = 1;
  return kSuccess;
}
int cuDeviceGet(int* device, int ordinal) {
  if (ordinal != 0) return kInvalidDevice;
  *device = 0;
  return kSuccess;
}
int cuDeviceGetName(char* name, int length, int device) {
  if (device != 0) return kInvalidDevice;
  std::snprintf(name, size_t(length), "NVIDIA H100 (CPU emulation)");
  return kSuccess;
}
int cuDeviceTotalMem_v2(size_t* bytes, int device) {
  if (device != 0) return kInvalidDevice;
  *bytes = size_t(80) << 30;
  return kSuccess;
}
int cuGetErrorName(int, const char** name) {
  *name = "CUDA_ERROR (emulated driver)";
  return kSuccess;
}

}  // extern "C"
