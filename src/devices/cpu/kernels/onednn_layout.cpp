// Tensors that hold a blocked layout, and what kernels passing them need to know of their format
// and padding.
#include "devices/cpu/kernels/onednn_layout.h"

#include <algorithm>
#include <array>
#include <cassert>
#include <cstring>
#include <memory>

#include "devices/cpu/kernels/activation_pool.h"
#include "devices/cpu/kernels/onednn_common.h"

namespace tandem::cpu {

Tensor blocked_tensor(const Shape& shape, const dnnl::memory::desc& layout) {
  std::shared_ptr<std::byte> bytes = take_buffer(layout.get_size());
  return Tensor::wrap(ElementType::F32, shape, bytes.get(), bytes);
}

std::optional<dnnl::memory::desc> same_format(const dnnl::memory::desc& layout,
                                              const dnnl::memory::dims& dims) {
  using Tag = dnnl::memory::format_tag;
  static constexpr Tag kTags[3][5] = {
      {Tag::ncw, Tag::nwc, Tag::nCw16c, Tag::nCw8c, Tag::nCw4c},
      {Tag::nchw, Tag::nhwc, Tag::nChw16c, Tag::nChw8c, Tag::nChw4c},
      {Tag::ncdhw, Tag::ndhwc, Tag::nCdhw16c, Tag::nCdhw8c, Tag::nCdhw4c},
  };
  const dnnl::memory::dims from = layout.dims();
  if (from.size() != dims.size() || from.size() < 3 || from.size() > 5) return std::nullopt;
  const auto type = layout.data_type();
  for (Tag tag : kTags[from.size() - 3])
    if (dnnl::memory::desc(from, type, tag) == layout) return dnnl::memory::desc(dims, type, tag);
  return std::nullopt;
}

bool has_padding(const dnnl::memory::desc& layout) {
  const dnnl_memory_desc_t& md = layout.data;
  for (int d = 0; d < md.ndims; ++d)
    if (md.padded_dims[d] != md.dims[d]) return true;
  return false;
}

bool is_dense(const dnnl::memory::desc& layout) {
  const dnnl_memory_desc_t& md = layout.data;
  if (md.format_kind != dnnl_blocked || md.data_type != dnnl_f32 || md.offset0 != 0) return false;
  size_t elements = 1;
  for (int d = 0; d < md.ndims; ++d) elements *= size_t(md.padded_dims[d]);
  return layout.get_size() == elements * sizeof(float);
}

void zero_padding(const dnnl::memory::desc& layout, void* data) {
  const dnnl_memory_desc_t& md = layout.data;
  assert(md.format_kind == dnnl_blocked && (md.data_type == dnnl_f32 || md.data_type == dnnl_bf16));
  const size_t element = md.data_type == dnnl_f32 ? sizeof(float) : 2;
  const dnnl_blocking_desc_t& blocking = md.format_desc.blocking;
  using Index = std::array<dnnl_dim_t, DNNL_MAX_NDIMS>;
  // oneDNN's offset of an element: the position within the inner blocks, innermost last, then
  // the outer dimensions' strides.
  const auto offset = [&](Index index) {
    dnnl_dim_t result = md.offset0, block_stride = 1;
    for (int b = blocking.inner_nblks - 1; b >= 0; --b) {
      const int d = blocking.inner_idxs[b];
      result += index[d] % blocking.inner_blks[b] * block_stride;
      index[d] /= blocking.inner_blks[b];
      block_stride *= blocking.inner_blks[b];
    }
    for (int d = 0; d < md.ndims; ++d) result += index[d] * blocking.strides[d];
    return result;
  };
  std::byte* bytes = static_cast<std::byte*>(data);
  // Per padded dimension, every element whose index there lies beyond the logical size. Where
  // that dimension is the only inner block (nChw16c's channels), those elements lie side by side
  // at the end of each last block: one run of zeros each.
  for (int padded = 0; padded < md.ndims; ++padded) {
    if (md.padded_dims[padded] == md.dims[padded]) continue;
    const bool runs = blocking.inner_nblks == 1 && blocking.inner_idxs[0] == padded;
    const dnnl_dim_t run = runs ? md.padded_dims[padded] - md.dims[padded] : 1;
    Index first{}, end{};
    std::copy(md.padded_dims, md.padded_dims + md.ndims, end.begin());
    first[padded] = md.dims[padded];
    if (runs) end[padded] = first[padded] + 1;
    for (Index index = first;;) {
      std::memset(bytes + offset(index) * element, 0, size_t(run) * element);  // zero in f32 and bf16 alike
      int d = md.ndims - 1;
      for (; d >= 0 && ++index[d] == end[d]; --d) index[d] = first[d];
      if (d < 0) break;
    }
  }
}

std::optional<dnnl::reorder> reorder_between(const dnnl::memory::desc& from,
                                             const dnnl::memory::desc& to) {
  if (from == to) return std::nullopt;
  return dnnl::reorder(dnnl::reorder::primitive_desc(cpu_engine(), from, cpu_engine(), to));
}

}  // namespace tandem::cpu
