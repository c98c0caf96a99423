// oneDNN engine, per-thread streams and workspaces.
#include "devices/cpu/kernels/onednn_common.h"

#include <omp.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <functional>
#include <new>
#include <unordered_map>
#include <vector>

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

namespace {

struct ArgKey {
  dnnl_primitive_t primitive;
  int id;
  bool operator==(const ArgKey&) const = default;
};
struct ArgKeyHash {
  size_t operator()(const ArgKey& k) const { return std::hash<const void*>()(k.primitive) ^ size_t(k.id) * 0x9e3779b97f4a7c15u; }
};
// Entries of primitives since destroyed stay until the cache is cleared at this size; a key whose
// address a new primitive reuses is still right where the layout matches, and remade where not.
constexpr size_t kMaxCachedArgs = 16384;
constexpr size_t kMaxArgs = 64;

dnnl_memory_t memory_for(dnnl_primitive_t primitive, const Arg& arg) {
  thread_local std::unordered_map<ArgKey, dnnl::memory, ArgKeyHash> cache;
  auto it = cache.find({primitive, arg.id});
  if (it == cache.end() || it->second.get_desc() != *arg.desc) {
    if (cache.size() >= kMaxCachedArgs) cache.clear();
    dnnl::memory memory(*arg.desc, cpu_engine(), const_cast<void*>(arg.data));
    it = cache.insert_or_assign({primitive, arg.id}, std::move(memory)).first;
  } else if (it->second.get_data_handle() != arg.data) {
    // Only where the buffer moved: setting a handle zero-fills a padded layout's padding.
    it->second.set_data_handle(const_cast<void*>(arg.data));
  }
  return it->second.get();
}

}  // namespace

void enqueue(const dnnl::primitive& primitive, std::span<const Arg> args) {
  dnnl_exec_arg_t on_stack[kMaxArgs];
  std::vector<dnnl_exec_arg_t> on_heap(args.size() > kMaxArgs ? args.size() : 0);  // a concat of many
  dnnl_exec_arg_t* c_args = on_heap.empty() ? on_stack : on_heap.data();
  for (size_t i = 0; i < args.size(); ++i) c_args[i] = {args[i].id, memory_for(primitive.get(), args[i])};
  dnnl::error::wrap_c_api(dnnl_primitive_execute(primitive.get(), thread_stream().get(), int(args.size()), c_args),
                          "could not execute a primitive");
}

void execute_memory_bound(const dnnl::primitive& primitive, std::span<const Arg> args, size_t elements) {
  // omp_set_num_threads is a per-thread setting (the streams set their share with it), so the
  // narrower team lasts for this run only and is restored however the run ends.
  struct Team {
    int threads = omp_get_max_threads();
    explicit Team(int wanted) { omp_set_num_threads(std::min(wanted, threads)); }
    ~Team() { omp_set_num_threads(threads); }
  } team(int(std::max<size_t>(1, elements / kElementsPerThread)));
  enqueue(primitive, args);
  thread_stream().wait();
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
