// What the emulation's host side (host_runtime.cpp, cublas_emulation.cpp, cudnn_emulation.cpp)
// and its grid runner (cuda_emulation.cpp) share: streams that run work at once or record it for
// a CUDA graph, the rules of stream capture, and element access by CUDA's data types.
#pragma once

#include <cuda_bf16.h>
#include <cuda_fp16.h>
#include <cuda_runtime.h>
#include <library_types.h>

#include <cstddef>
#include <functional>

namespace tandem::gpu::emulation {

/// Runs `work` on `stream` now or, where the stream is being captured, records it: it then runs
/// at every launch of the graph made from the capture, reading memory as it is then, as a
/// captured kernel does. The legacy stream (null) and streams not being captured run it now.
cudaError_t enqueue(cudaStream_t stream, std::function<void()> work);

/// For a call that would wait for the device or allocate (cudaMalloc, cudaFree, cudaMemcpy,
/// cudaStreamSynchronize, ...): CUDA forbids it to a thread that is capturing a stream in the
/// ThreadLocal or Global mode (and to every thread during a Global capture). Where it is
/// forbidden, the capture is invalidated, as on the GPU, and the call's error returned.
cudaError_t outside_capture(const char* call);

/// A capture fails at its end (cudaStreamEndCapture gives no graph) where one of its launches did.
void fail_capture(cudaStream_t stream);

/// The error cudaGetLastError reports next.
void set_launch_error(cudaError_t error);

/// A kernel's dynamic shared memory limit, as cudaFuncSetAttribute left it.
size_t max_dynamic_shared_bytes(const void* function);

/// Element i of an array of f32, f16 or bf16; other types abort.
float load(const void* p, cudaDataType type, size_t i);
void store(void* p, cudaDataType type, size_t i, float v);
size_t element_bytes(cudaDataType type);

/// Writes a NaN pattern over scratch memory that a library may use as it likes (a workspace, a
/// buffer it is free to overwrite), so that a caller who keeps data there sees it lost.
void scribble(void* p, size_t bytes);

}  // namespace tandem::gpu::emulation
