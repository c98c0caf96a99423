// oneDNN engine, per-thread streams and workspaces.
#include "devices/cpu/kernels/onednn_common.h"

#include <omp.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <new>

namespace tandem::cpu {

dnnl::engine& cpu_engine() {
  static dnnl::engine engine(dnnl::engine::kind::cpu, 0);
  return engine;
}

dnnl::stream& thread_stream() {
  thread_local dnnl::stream stream(cpu_engine());
  return stream;
}

AlignedBuffer allocate_aligned(size_t bytes) {
  void* p = std::aligned_alloc(kAlignment, align_up(std::max<size_t>(bytes, 1)));
  if (!p) throw std::bad_alloc();
  return AlignedBuffer(static_cast<std::byte*>(p));
}

std::byte* thread_workspace(size_t bytes) {
  thread_local AlignedBuffer buffer;
  thread_local size_t capacity = 0;
  if (bytes > capacity) {
    buffer.reset();
    buffer = allocate_aligned(bytes);
    capacity = align_up(bytes);
  }
  return buffer.get();
}

void release_pages(std::span<const std::byte> bytes) {
  static const uintptr_t page = uintptr_t(sysconf(_SC_PAGESIZE));
  const uintptr_t begin = (uintptr_t(bytes.data()) + page - 1) / page * page;
  const uintptr_t end = (uintptr_t(bytes.data()) + bytes.size()) / page * page;
  // Advice only: where the kernel declines (no swap for heap pages, an old kernel), the pages
  // simply stay resident.
  if (end > begin) ::madvise(reinterpret_cast<void*>(begin), end - begin, MADV_PAGEOUT);
}

void execute_memory_bound(const dnnl::primitive& primitive,
                          const std::unordered_map<int, dnnl::memory>& args, size_t elements) {
  // omp_set_num_threads is a per-thread setting (the streams set their share with it), so the
  // narrower team lasts for this run only and is restored however the run ends.
  struct Team {
    int threads = omp_get_max_threads();
    explicit Team(int wanted) { omp_set_num_threads(std::min(wanted, threads)); }
    ~Team() { omp_set_num_threads(threads); }
  } team(int(std::max<size_t>(1, elements / kElementsPerThread)));
  dnnl::stream& stream = thread_stream();
  primitive.execute(stream, args);
  stream.wait();
}

dnnl::memory::desc plain_desc(const dnnl::memory::dims& dims, dnnl::memory::data_type type) {
  dnnl::memory::dims strides(dims.size(), 1);
  for (size_t i = dims.size(); i-- > 1;) strides[i - 1] = strides[i] * dims[i];
  return {dims, type, strides};
}

std::optional<dnnl::memory::data_type> onednn_type(ElementType type) {
  using dt = dnnl::memory::data_type;
  switch (type) {
    case ElementType::F32: return dt::f32;
    case ElementType::F16: return dt::f16;
    case ElementType::BF16: return dt::bf16;
    case ElementType::I32: return dt::s32;
    case ElementType::I8: return dt::s8;
    case ElementType::U8: return dt::u8;
    default: return std::nullopt;
  }
}

}  // namespace tandem::cpu
