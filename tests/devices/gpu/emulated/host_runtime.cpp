// The CUDA runtime calls of the GPU plugin, on the CPU, for the emulated tests (cuda_emulation.h):
// one device, an H100 as far as the plugin asks, whose memory is host memory. cuBLAS and cuDNN
// are in cublas_emulation.cpp and cudnn_emulation.cpp.
//
// Emulated:
//   - device memory (256-byte aligned allocations, copies and memsets) and page-locked memory;
//   - streams, whose work runs when it is enqueued, in the caller's thread, unless the stream is
//     being captured: then it is recorded, and runs at each launch of the graph made from it;
//   - stream capture's rules for the ThreadLocal and Global modes: a call that would synchronise
//     or allocate (cudaMalloc, cudaMemcpy, cudaStreamSynchronize, ...) on a capturing thread
//     fails and invalidates the capture, as on the GPU, so that the plugin's fallback to launching
//     kernels one by one is exercised where it would be there; work on the legacy stream runs at
//     once and is not captured, as on the GPU, so a graph that misses a kernel gives wrong results;
//   - CUDA graphs (instantiate, launch) and events (their times are the host's clock);
//   - launch errors as cudaGetLastError reports them, the attributes the plugin reads (an H100's
//     232448 bytes of opt-in shared memory per block, so that the fused attention kernel is
//     chosen where it is on the GPU) and the per-kernel opt-in of dynamic shared memory.
//
// Not emulated: concurrency between streams (a stream is done when the call returns), and every
// call the plugin does not make (they fail to link, so that a new one is noticed).
#include "devices/gpu/emulated/host_runtime.h"

#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace tandem::gpu::emulation {
namespace {

std::atomic<int> last_error{cudaSuccess};

// An H100 SXM's limits, as cudaDeviceGetAttribute reports them.
constexpr int kSharedPerBlock = 48 * 1024;
constexpr int kSharedPerBlockOptin = 232448;

std::mutex attributes_mutex;
std::map<const void*, int> dynamic_shared_limits;  // by kernel, as cudaFuncSetAttribute set them

using Work = std::vector<std::function<void()>>;

struct Stream {
  unsigned flags = 0;
  // A capture in progress: its mode, the thread that began it, what it recorded so far, and
  // whether a forbidden call or a failed launch has invalidated it.
  bool capturing = false;
  cudaStreamCaptureMode mode = cudaStreamCaptureModeGlobal;
  std::thread::id thread;
  bool invalidated = false;
  Work recorded;
};

struct Graph {
  Work work;
};

struct Event {
  std::chrono::steady_clock::time_point when;
  bool recorded = false;
};

std::mutex capture_mutex;
std::vector<Stream*> captures;  // the streams being captured, in any thread

Stream* stream_of(cudaStream_t stream) { return reinterpret_cast<Stream*>(stream); }

}  // namespace

void set_launch_error(cudaError_t error) { last_error = error; }

size_t max_dynamic_shared_bytes(const void* function) {
  std::lock_guard lock(attributes_mutex);
  const auto it = dynamic_shared_limits.find(function);
  return size_t(it == dynamic_shared_limits.end() ? kSharedPerBlock : it->second);
}

cudaError_t enqueue(cudaStream_t stream, std::function<void()> work) {
  Stream* s = stream_of(stream);
  if (s && s->capturing) {
    if (!s->invalidated) s->recorded.push_back(std::move(work));
    return s->invalidated ? cudaErrorStreamCaptureInvalidated : cudaSuccess;
  }
  work();
  return cudaSuccess;
}

cudaError_t outside_capture(const char* call) {
  std::lock_guard lock(capture_mutex);
  const std::thread::id self = std::this_thread::get_id();
  cudaError_t error = cudaSuccess;
  for (Stream* s : captures) {
    const bool forbidden = s->mode == cudaStreamCaptureModeGlobal ||
                           (s->mode == cudaStreamCaptureModeThreadLocal && s->thread == self);
    if (!forbidden) continue;
    if (!s->invalidated)
      std::fprintf(stderr, "CUDA emulation: %s during a stream capture invalidates the capture\n",
                   call);
    s->invalidated = true;
    error = cudaErrorStreamCaptureUnsupported;
  }
  return error;
}

void fail_capture(cudaStream_t stream) {
  if (Stream* s = stream_of(stream); s && s->capturing) s->invalidated = true;
}

float load(const void* p, cudaDataType type, size_t i) {
  switch (type) {
    case CUDA_R_32F:
      return static_cast<const float*>(p)[i];
    case CUDA_R_16F:
      return __half2float(static_cast<const __half*>(p)[i]);
    case CUDA_R_16BF:
      return __bfloat162float(static_cast<const __nv_bfloat16*>(p)[i]);
    default:
      std::fprintf(stderr, "CUDA emulation: data type %d not emulated\n", int(type));
      std::abort();
  }
}

void store(void* p, cudaDataType type, size_t i, float v) {
  switch (type) {
    case CUDA_R_32F:
      static_cast<float*>(p)[i] = v;
      return;
    case CUDA_R_16F:
      static_cast<__half*>(p)[i] = __float2half_rn(v);
      return;
    case CUDA_R_16BF:
      static_cast<__nv_bfloat16*>(p)[i] = __float2bfloat16_rn(v);
      return;
    default:
      std::fprintf(stderr, "CUDA emulation: data type %d not emulated\n", int(type));
      std::abort();
  }
}

size_t element_bytes(cudaDataType type) { return type == CUDA_R_32F ? 4 : 2; }

void scribble(void* p, size_t bytes) {
  if (p && bytes) std::memset(p, 0xff, bytes);
}

}  // namespace tandem::gpu::emulation

namespace emulation = tandem::gpu::emulation;

// ---- Errors and the device ------------------------------------------------------------------

cudaError_t cudaGetLastError() { return cudaError_t(emulation::last_error.exchange(cudaSuccess)); }
cudaError_t cudaPeekAtLastError() { return cudaError_t(emulation::last_error.load()); }
const char* cudaGetErrorName(cudaError_t error) {
  switch (error) {
    case cudaSuccess:
      return "cudaSuccess";
    case cudaErrorInvalidValue:
      return "cudaErrorInvalidValue";
    case cudaErrorMemoryAllocation:
      return "cudaErrorMemoryAllocation";
    case cudaErrorInvalidConfiguration:
      return "cudaErrorInvalidConfiguration";
    case cudaErrorStreamCaptureUnsupported:
      return "cudaErrorStreamCaptureUnsupported";
    case cudaErrorStreamCaptureInvalidated:
      return "cudaErrorStreamCaptureInvalidated";
    default:
      return "cudaError (emulated)";
  }
}
const char* cudaGetErrorString(cudaError_t error) {
  return error == cudaSuccess ? "no error" : "error in the CPU emulation of CUDA";
}

cudaError_t cudaGetDeviceCount(int* count) {
  *count = 1;
  return cudaSuccess;
}
cudaError_t cudaGetDevice(int* device) {
  *device = 0;
  return cudaSuccess;
}
cudaError_t cudaSetDevice(int device) { return device == 0 ? cudaSuccess : cudaErrorInvalidDevice; }
cudaError_t cudaDeviceSynchronize() { return emulation::outside_capture("cudaDeviceSynchronize"); }

// Only what the plugin's makers ask; anything else fails, so that a new question is noticed.
cudaError_t cudaDeviceGetAttribute(int* value, cudaDeviceAttr attribute, int device) {
  if (device != 0) return cudaErrorInvalidDevice;
  switch (attribute) {
    case cudaDevAttrMaxSharedMemoryPerBlock:
      *value = emulation::kSharedPerBlock;
      return cudaSuccess;
    case cudaDevAttrMaxSharedMemoryPerBlockOptin:
      *value = emulation::kSharedPerBlockOptin;
      return cudaSuccess;
    case cudaDevAttrComputeCapabilityMajor:
      *value = 9;
      return cudaSuccess;
    case cudaDevAttrComputeCapabilityMinor:
      *value = 0;
      return cudaSuccess;
    case cudaDevAttrMultiProcessorCount:
      *value = 132;
      return cudaSuccess;
    case cudaDevAttrWarpSize:
      *value = 32;
      return cudaSuccess;
    case cudaDevAttrMaxThreadsPerBlock:
      *value = 1024;
      return cudaSuccess;
    default:
      return cudaErrorNotSupported;
  }
}

cudaError_t cudaFuncSetAttribute(const void* function, cudaFuncAttribute attribute, int value) {
  if (attribute != cudaFuncAttributeMaxDynamicSharedMemorySize) return cudaSuccess;
  if (value < 0 || value > emulation::kSharedPerBlockOptin) return cudaErrorInvalidValue;
  std::lock_guard lock(emulation::attributes_mutex);
  emulation::dynamic_shared_limits[function] = value;
  return cudaSuccess;
}

// ---- Memory ---------------------------------------------------------------------------------

namespace {

cudaError_t allocate(void** p, size_t bytes) {
  *p = nullptr;
  if (posix_memalign(p, 256, bytes ? bytes : 1) != 0) return cudaErrorMemoryAllocation;
  return cudaSuccess;
}

}  // namespace

cudaError_t cudaMalloc(void** p, size_t bytes) {
  if (const cudaError_t e = emulation::outside_capture("cudaMalloc")) return e;
  return allocate(p, bytes);
}
// Stream-ordered allocation inside a capture makes graph memory nodes, which are not emulated.
cudaError_t cudaMallocAsync(void** p, size_t bytes, cudaStream_t stream) {
  if (stream && emulation::stream_of(stream)->capturing) {
    std::fprintf(stderr, "CUDA emulation: cudaMallocAsync in a stream capture is not emulated\n");
    emulation::fail_capture(stream);
    return cudaErrorNotSupported;
  }
  return allocate(p, bytes);
}
cudaError_t cudaMallocFromPoolAsync(void** p, size_t bytes, cudaMemPool_t, cudaStream_t stream) {
  return cudaMallocAsync(p, bytes, stream);
}
cudaError_t cudaFree(void* p) {
  if (const cudaError_t e = emulation::outside_capture("cudaFree")) return e;
  std::free(p);
  return cudaSuccess;
}
cudaError_t cudaFreeAsync(void* p, cudaStream_t stream) {
  return emulation::enqueue(stream, [p] { std::free(p); });
}
cudaError_t cudaHostAlloc(void** p, size_t bytes, unsigned) {
  if (const cudaError_t e = emulation::outside_capture("cudaHostAlloc")) return e;
  return allocate(p, bytes);
}
cudaError_t cudaMallocHost(void** p, size_t bytes) { return cudaHostAlloc(p, bytes, 0); }
cudaError_t cudaFreeHost(void* p) { return cudaFree(p); }
cudaError_t cudaMemGetInfo(size_t* free, size_t* total) {
  *free = size_t(8) << 30;
  *total = size_t(80) << 30;
  return cudaSuccess;
}
cudaError_t cudaDeviceGetDefaultMemPool(cudaMemPool_t* pool, int) {
  static char the_pool;
  *pool = reinterpret_cast<cudaMemPool_t>(&the_pool);
  return cudaSuccess;
}
cudaError_t cudaMemPoolSetAttribute(cudaMemPool_t, cudaMemPoolAttr, void*) { return cudaSuccess; }

// ---- Copies ---------------------------------------------------------------------------------

cudaError_t cudaMemcpyAsync(void* dst, const void* src, size_t bytes, cudaMemcpyKind,
                            cudaStream_t stream) {
  return emulation::enqueue(stream, [=] {
    if (bytes) std::memmove(dst, src, bytes);
  });
}
// The synchronous calls run on the legacy stream and wait for it.
cudaError_t cudaMemcpy(void* dst, const void* src, size_t bytes, cudaMemcpyKind kind) {
  if (const cudaError_t e = emulation::outside_capture("cudaMemcpy")) return e;
  return cudaMemcpyAsync(dst, src, bytes, kind, nullptr);
}
cudaError_t cudaMemcpy2DAsync(void* dst, size_t dst_pitch, const void* src, size_t src_pitch,
                              size_t width, size_t height, cudaMemcpyKind, cudaStream_t stream) {
  if (width > dst_pitch || width > src_pitch) return cudaErrorInvalidPitchValue;
  return emulation::enqueue(stream, [=] {
    for (size_t r = 0; r < height; ++r)
      std::memmove(static_cast<char*>(dst) + r * dst_pitch,
                   static_cast<const char*>(src) + r * src_pitch, width);
  });
}
// Linear memory only (pitched pointers, no arrays): extent.width in bytes, rows of a slice
// ysize apart, slices pitch * ysize apart.
cudaError_t cudaMemcpy3DAsync(const cudaMemcpy3DParms* p, cudaStream_t stream) {
  if (p->srcArray || p->dstArray) return cudaErrorInvalidValue;
  const cudaPitchedPtr s = p->srcPtr, d = p->dstPtr;
  const cudaExtent e = p->extent;
  if (p->srcPos.x + e.width > s.pitch || p->dstPos.x + e.width > d.pitch ||
      p->srcPos.y + e.height > s.ysize || p->dstPos.y + e.height > d.ysize)
    return cudaErrorInvalidValue;
  const cudaPos sp = p->srcPos, dp = p->dstPos;
  return emulation::enqueue(stream, [=] {
    for (size_t z = 0; z < e.depth; ++z)
      for (size_t y = 0; y < e.height; ++y)
        std::memmove(
            static_cast<char*>(d.ptr) + ((dp.z + z) * d.ysize + dp.y + y) * d.pitch + dp.x,
            static_cast<const char*>(s.ptr) + ((sp.z + z) * s.ysize + sp.y + y) * s.pitch + sp.x,
            e.width);
  });
}
cudaError_t cudaMemsetAsync(void* dst, int value, size_t bytes, cudaStream_t stream) {
  return emulation::enqueue(stream, [=] {
    if (bytes) std::memset(dst, value, bytes);
  });
}
cudaError_t cudaMemset(void* dst, int value, size_t bytes) {
  if (const cudaError_t e = emulation::outside_capture("cudaMemset")) return e;
  return cudaMemsetAsync(dst, value, bytes, nullptr);
}

// ---- Streams, capture and graphs ------------------------------------------------------------

cudaError_t cudaStreamCreateWithFlags(cudaStream_t* stream, unsigned flags) {
  *stream = reinterpret_cast<cudaStream_t>(new emulation::Stream{.flags = flags});
  return cudaSuccess;
}
cudaError_t cudaStreamCreate(cudaStream_t* stream) { return cudaStreamCreateWithFlags(stream, 0); }
cudaError_t cudaStreamDestroy(cudaStream_t stream) {
  emulation::Stream* s = emulation::stream_of(stream);
  if (s->capturing) return cudaErrorStreamCaptureUnsupported;
  delete s;
  return cudaSuccess;
}
// Work not captured ran when it was enqueued; a failed launch is cudaGetLastError's to report, as
// on the GPU, where a launch that cannot start leaves the stream clean. Synchronising a stream
// that is being captured is forbidden.
cudaError_t cudaStreamSynchronize(cudaStream_t stream) {
  if (stream && emulation::stream_of(stream)->capturing) {
    emulation::fail_capture(stream);
    return cudaErrorStreamCaptureUnsupported;
  }
  return emulation::outside_capture("cudaStreamSynchronize");
}

cudaError_t cudaStreamBeginCapture(cudaStream_t stream, cudaStreamCaptureMode mode) {
  emulation::Stream* s = emulation::stream_of(stream);
  if (!s) return cudaErrorStreamCaptureUnsupported;  // the legacy stream cannot be captured
  if (s->capturing) return cudaErrorIllegalState;
  std::lock_guard lock(emulation::capture_mutex);
  s->capturing = true;
  s->mode = mode;
  s->thread = std::this_thread::get_id();
  s->invalidated = false;
  s->recorded.clear();
  emulation::captures.push_back(s);
  return cudaSuccess;
}

cudaError_t cudaStreamEndCapture(cudaStream_t stream, cudaGraph_t* graph) {
  emulation::Stream* s = emulation::stream_of(stream);
  *graph = nullptr;
  if (!s || !s->capturing) return cudaErrorIllegalState;
  if (s->thread != std::this_thread::get_id() && s->mode != cudaStreamCaptureModeRelaxed)
    return cudaErrorStreamCaptureWrongThread;
  {
    std::lock_guard lock(emulation::capture_mutex);
    std::erase(emulation::captures, s);
  }
  s->capturing = false;
  emulation::Work recorded = std::move(s->recorded);
  s->recorded.clear();
  if (s->invalidated) return cudaErrorStreamCaptureInvalidated;
  *graph = reinterpret_cast<cudaGraph_t>(new emulation::Graph{std::move(recorded)});
  return cudaSuccess;
}

cudaError_t cudaGraphInstantiate(cudaGraphExec_t* exec, cudaGraph_t graph, unsigned long long) {
  *exec = reinterpret_cast<cudaGraphExec_t>(
      new emulation::Graph(*reinterpret_cast<emulation::Graph*>(graph)));
  return cudaSuccess;
}
cudaError_t cudaGraphDestroy(cudaGraph_t graph) {
  delete reinterpret_cast<emulation::Graph*>(graph);
  return cudaSuccess;
}
cudaError_t cudaGraphExecDestroy(cudaGraphExec_t exec) {
  delete reinterpret_cast<emulation::Graph*>(exec);
  return cudaSuccess;
}
cudaError_t cudaGraphLaunch(cudaGraphExec_t exec, cudaStream_t stream) {
  const auto* graph = reinterpret_cast<const emulation::Graph*>(exec);
  return emulation::enqueue(stream, [graph] {
    for (const auto& work : graph->work) work();
  });
}

// ---- Events ---------------------------------------------------------------------------------

cudaError_t cudaEventCreate(cudaEvent_t* event) {
  *event = reinterpret_cast<cudaEvent_t>(new emulation::Event);
  return cudaSuccess;
}
cudaError_t cudaEventDestroy(cudaEvent_t event) {
  delete reinterpret_cast<emulation::Event*>(event);
  return cudaSuccess;
}
cudaError_t cudaEventRecord(cudaEvent_t event, cudaStream_t stream) {
  auto* e = reinterpret_cast<emulation::Event*>(event);
  return emulation::enqueue(stream, [e] {
    e->when = std::chrono::steady_clock::now();
    e->recorded = true;
  });
}
cudaError_t cudaEventSynchronize(cudaEvent_t) {
  return emulation::outside_capture("cudaEventSynchronize");
}
cudaError_t cudaEventElapsedTime(float* ms, cudaEvent_t start, cudaEvent_t end) {
  const auto* a = reinterpret_cast<const emulation::Event*>(start);
  const auto* b = reinterpret_cast<const emulation::Event*>(end);
  if (!a->recorded || !b->recorded) return cudaErrorInvalidResourceHandle;
  *ms = std::chrono::duration<float, std::milli>(b->when - a->when).count();
  return cudaSuccess;
}
