// SplitToSequence: a tensor cut along `axis` into a sequence of pieces, by the sizes in `split`
// (a scalar: chunks of that size, the last one possibly smaller), else into pieces of one
// (dropped axis when keepdims is 0).
#include "ops/op.h"
#include "ops/sequence/pieces.h"
#include "ops/sequence/sequence_common.h"
#include "ops/shape_utils.h"

namespace tandem::ops {
namespace {
void infer(InferContext& ctx) {
  const ValueType& input = ctx.input(0);
  PartialShape shape;
  if (input.shape.rank_known()) {
    const size_t rank = input.shape.rank();
    const auto axis = size_t(normalize_axis(ctx, ctx.attr<int64_t>("axis", 0), rank));
    std::vector<Dimension> dims = input.shape.dims();
    if (!ctx.has_input(1) && ctx.attr<int64_t>("keepdims", 1) == 0)
      dims.erase(dims.begin() + ptrdiff_t(axis));
    else
      dims[axis] = ctx.has_input(1) ? Dimension() : Dimension(1);
    shape = PartialShape(std::move(dims));
  }
  ctx.set_output(0, ValueType::sequence_of(ValueType::tensor(input.element_type, std::move(shape))));
}

std::vector<int64_t> piece_sizes(const KernelContext& ctx, int64_t dim) {
  if (!ctx.has_input(1)) return std::vector<int64_t>(size_t(dim), 1);
  const Tensor& split = ctx.input(1);
  if (split.element_type() != ElementType::I32 && split.element_type() != ElementType::I64)
    throw ctx.error(ErrorKind::InvalidArgument, "split must be int32 or int64, got {}", describe(split));
  if (split.rank() == 0) {
    const int64_t chunk = split.scalar<int64_t>();
    if (chunk <= 0) throw ctx.error(ErrorKind::InvalidArgument, "split must be positive, got {}", chunk);
    std::vector<int64_t> sizes;
    for (int64_t start = 0; start < dim; start += chunk) sizes.push_back(std::min(chunk, dim - start));
    return sizes;
  }
  if (split.rank() != 1)
    throw ctx.error(ErrorKind::InvalidArgument, "split must be a scalar or 1-D, got {}", describe(split));
  std::vector<int64_t> sizes = split.to_int64();
  int64_t total = 0;
  for (int64_t s : sizes) {
    if (s < 0) throw ctx.error(ErrorKind::InvalidArgument, "split holds a negative size {}", s);
    total += s;
  }
  if (total != dim)
    throw ctx.error(ErrorKind::InvalidArgument, "split sizes {} add up to {}, but the axis has {}", sizes,
                    total, dim);
  return sizes;
}

void reference(KernelContext& ctx) {
  const Tensor& input = ctx.input(0);
  const auto axis = size_t(normalize_axis(ctx, ctx.attr<int64_t>("axis", 0), input.rank()));
  const bool squeeze = !ctx.has_input(1) && ctx.attr<int64_t>("keepdims", 1) == 0;
  std::vector<Tensor> pieces;
  int64_t start = 0;
  for (int64_t size : piece_sizes(ctx, input.shape()[axis])) {
    Tensor piece = slice_along(input, axis, start, size);
    start += size;
    if (squeeze) {
      Shape s = piece.shape();
      s.erase(s.begin() + ptrdiff_t(axis));
      piece = piece.reshaped(std::move(s));
    }
    pieces.push_back(std::move(piece));
  }
  ctx.set_output(0, Value::sequence(std::move(pieces), input.element_type()));
}
}  // namespace

const OpDef& split_to_sequence_op() {
  static const OpDef def{.name = "SplitToSequence", .versions = {11, 24}, .infer = infer, .reference = reference};
  return def;
}

}  // namespace tandem::ops
