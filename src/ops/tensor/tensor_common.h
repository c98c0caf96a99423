// What the tensor family shares: its op list, element moving without looking at types, and the
// reading of shape-like inputs that may or may not be known at inference time.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "ops/infer_context.h"
#include "ops/kernel_context.h"
#include "ops/dispatch.h"
#include "ops/op.h"
#include "ops/shape_utils.h"
#include "tandem/tensor.h"

namespace tandem::ops {

const OpDef& bit_cast_op();
const OpDef& center_crop_pad_op();
const OpDef& col2im_op();
const OpDef& compress_op();
const OpDef& concat_op();
const OpDef& constant_op();
const OpDef& constant_of_shape_op();
const OpDef& depth_to_space_op();
const OpDef& expand_op();
const OpDef& eye_like_op();
const OpDef& flatten_op();
const OpDef& gather_op();
const OpDef& gather_elements_op();
const OpDef& gather_nd_op();
const OpDef& identity_op();
const OpDef& non_zero_op();
const OpDef& one_hot_op();
const OpDef& pad_op();
const OpDef& range_op();
const OpDef& reshape_op();
const OpDef& resize_op();
const OpDef& reverse_sequence_op();
const OpDef& scatter_op();
const OpDef& scatter_elements_op();
const OpDef& scatter_nd_op();
const OpDef& shape_op();
const OpDef& size_op();
const OpDef& slice_op();
const OpDef& space_to_depth_op();
const OpDef& split_op();
const OpDef& squeeze_op();
const OpDef& tensor_scatter_op();
const OpDef& tile_op();
const OpDef& transpose_op();
const OpDef& trilu_op();
const OpDef& unique_op();
const OpDef& unsqueeze_op();
const OpDef& upsample_op();

/// Sixteen opaque bytes: the storage of c128 elements.
struct Bytes16 {
  uint64_t lo, hi;
};

/// Calls f.template operator()<S>() with a storage type S as wide as one element of `type`
/// (uint8_t … uint64_t, Bytes16), or std::string for strings: for kernels that move elements
/// without looking at them, so every element type is handled by six instantiations.
template <class F>
decltype(auto) visit_storage(ElementType type, F&& f) {
  if (type == ElementType::String) return f.template operator()<std::string>();
  switch (element_size(type)) {
    case 1: return f.template operator()<uint8_t>();
    case 2: return f.template operator()<uint16_t>();
    case 4: return f.template operator()<uint32_t>();
    case 8: return f.template operator()<uint64_t>();
    case 16: return f.template operator()<Bytes16>();
    default: break;
  }
  throw Error(ErrorKind::Unsupported,
              "element type " + std::string(to_string(type)) + " cannot be moved by this op");
}

/// The elements of a tensor as storage type S (see visit_storage); no type check beyond size.
template <class S>
const S* storage(const Tensor& t) {
  return static_cast<const S*>(t.data());
}
template <class S>
S* storage(Tensor& t) {
  return static_cast<S*>(t.data());
}

/// Fills dst (row-major over dst's shape) with src's elements at
/// base + sum(index[d] * strides[d]): transposes, slices, broadcasts (stride 0) in one loop.
template <class S>
void strided_copy(const S* src, int64_t base, const std::vector<int64_t>& strides, const Shape& out_shape,
                  S* dst) {
  const size_t rank = out_shape.size();
  const int64_t n = shape_size(out_shape);
  if (n == 0) return;
  if (rank == 0) {
    dst[0] = src[base];
    return;
  }
  const int64_t inner = out_shape[rank - 1], inner_stride = strides[rank - 1];
  std::vector<int64_t> index(rank, 0);
  int64_t offset = base;
  for (int64_t done = 0; done < n; done += inner) {
    const S* s = src + offset;
    for (int64_t k = 0; k < inner; ++k) *dst++ = s[k * inner_stride];
    for (size_t d = rank - 1; d-- > 0;) {
      offset += strides[d];
      if (++index[d] < out_shape[d]) break;
      offset -= strides[d] * index[d];
      index[d] = 0;
    }
  }
}
/// The same over tensors of any element type; dst is allocated with its shape.
void strided_copy(const Tensor& src, int64_t base, const std::vector<int64_t>& strides, Tensor& dst);

/// A copy of `src` with its own memory and another shape of the same size.
Tensor copy_reshaped(const Tensor& src, Shape shape);

/// Input i's values as int64 when known now (constant at compile time, always at run time).
std::optional<std::vector<int64_t>> known_ints(const InferContext& ctx, size_t i);
/// Input i's values as int64; throws InvalidModel unless it is an integer tensor.
std::vector<int64_t> input_ints(const KernelContext& ctx, size_t i);
/// Throws InvalidModel unless input i (if given) has an integer element type among `allowed`.
void check_index_type(const InferContext& ctx, size_t i);

/// An index into a dim of size `dim`, negative counting from the back; throws InvalidArgument
/// (naming the index and dim) when outside [-dim, dim).
int64_t checked_index(const NodeContext& ctx, int64_t index, int64_t dim);

/// The static dims of a partial shape, or nullopt if any is unknown (or the rank is).
std::optional<Shape> static_shape(const PartialShape& shape);

}  // namespace tandem::ops
