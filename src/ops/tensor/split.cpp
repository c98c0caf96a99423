// Split: cuts a tensor along one axis into parts of given or equal sizes.
#include "ops/tensor/tensor_common.h"

#include <numeric>

namespace tandem::ops {
namespace {
// The sizes: opset 1 took them from input 1 or the `split` attribute, opset 2-12 from the
// attribute, opset 13 from input 1. Absent, the dim is cut into equal parts, one per output.
// Opset 18 added the alternative `num_outputs` (exclusive with input 1), under which the parts
// are ceil(dim / n) long and the last one is shorter when the dim does not divide evenly.
std::optional<std::vector<int64_t>> given_sizes(const NodeContext& ctx, const Tensor* input1) {
  if (ctx.opset() >= 13 || (ctx.opset() < 2 && ctx.has_input(1))) {
    if (!ctx.has_input(1)) return std::vector<int64_t>{};
    if (!input1) return std::nullopt;
    return input1->to_int64();
  }
  return ctx.attr<std::vector<int64_t>>("split", {});
}

// Opset 18's num_outputs, checked against the node; 0 when not given.
int64_t num_outputs(const NodeContext& ctx) {
  if (ctx.opset() < 18 || !ctx.has_attr("num_outputs")) return 0;
  const int64_t n = ctx.attr<int64_t>("num_outputs");
  if (ctx.has_input(1))
    throw ctx.error(ErrorKind::InvalidModel, "takes either input 'split' or num_outputs, not both");
  if (n < 1 || size_t(n) != ctx.num_outputs())
    throw ctx.error(ErrorKind::InvalidModel, "num_outputs is {} but the node has {} outputs", n,
                    ctx.num_outputs());
  return n;
}

std::vector<int64_t> part_sizes(const NodeContext& ctx, int64_t dim, std::vector<int64_t> sizes) {
  const size_t outputs = ctx.num_outputs();
  if (const int64_t n = num_outputs(ctx)) {
    const int64_t chunk = (dim + n - 1) / n;
    std::vector<int64_t> parts(size_t(n), chunk);
    parts.back() = dim - chunk * (n - 1);
    if (parts.back() < 0)
      throw ctx.error(ErrorKind::InvalidModel, "dim of size {} cannot be split into {} parts of {}",
                      dim, n, chunk);
    return parts;
  }
  if (sizes.empty()) {
    if (dim % int64_t(outputs) != 0)
      throw ctx.error(ErrorKind::InvalidModel, "dim of size {} cannot be split into {} equal parts", dim,
                      outputs);
    return std::vector<int64_t>(outputs, dim / int64_t(outputs));
  }
  if (sizes.size() != outputs)
    throw ctx.error(ErrorKind::InvalidModel, "split has {} sizes for {} outputs", sizes.size(), outputs);
  for (int64_t s : sizes)
    if (s < 0) throw ctx.error(ErrorKind::InvalidModel, "split size {} is negative", s);
  if (std::accumulate(sizes.begin(), sizes.end(), int64_t(0)) != dim)
    throw ctx.error(ErrorKind::InvalidModel, "split sizes {} do not add up to the dim {}", to_string(sizes),
                    dim);
  return sizes;
}

void infer(InferContext& ctx) {
  const ElementType type = ctx.input_type(0);
  const PartialShape& in = ctx.input_shape(0);
  if (!in.rank_known()) {
    for (size_t i = 0; i < ctx.num_outputs(); ++i) ctx.set_output(i, type, PartialShape());
    return;
  }
  const size_t axis = size_t(normalize_axis(ctx, ctx.attr<int64_t>("axis", 0), in.rank()));
  if (ctx.has_input(1) && ctx.input_tensor(1) == nullptr) check_index_type(ctx, 1);
  num_outputs(ctx);
  auto sizes = given_sizes(ctx, ctx.input_tensor(1));
  std::vector<Dimension> dims = in.dims();
  for (size_t i = 0; i < ctx.num_outputs(); ++i) {
    dims[axis] = Dimension();
    if (sizes && !sizes->empty() && sizes->size() == ctx.num_outputs()) dims[axis] = (*sizes)[i];
    ctx.set_output(i, type, PartialShape(dims));
  }
  if (sizes && in[axis].is_static()) {
    std::vector<int64_t> parts = part_sizes(ctx, in[axis].value, *sizes);
    for (size_t i = 0; i < ctx.num_outputs(); ++i) {
      dims[axis] = parts[i];
      ctx.set_output(i, type, PartialShape(dims));
    }
  }
}

void reference(KernelContext& ctx) {
  const Tensor& x = ctx.input(0);
  const size_t axis = size_t(normalize_axis(ctx, ctx.attr<int64_t>("axis", 0), x.rank()));
  const Tensor* input1 = ctx.has_input(1) ? &ctx.input(1) : nullptr;
  std::vector<int64_t> parts = part_sizes(ctx, x.shape()[axis], *given_sizes(ctx, input1));
  int64_t outer = 1, inner = 1;
  for (size_t d = 0; d < axis; ++d) outer *= x.shape()[d];
  for (size_t d = axis + 1; d < x.rank(); ++d) inner *= x.shape()[d];
  const int64_t in_row = x.shape()[axis] * inner;
  visit_storage(x.element_type(), [&]<class S>() {
    const S* src = storage<S>(x);
    int64_t column = 0;
    for (size_t i = 0; i < parts.size(); ++i) {
      Shape shape = x.shape();
      shape[axis] = parts[i];
      const int64_t row = parts[i] * inner;
      if (ctx.has_output(i)) {
        S* dst = storage<S>(ctx.allocate_output(i, x.element_type(), shape));
        for (int64_t o = 0; o < outer; ++o)
          std::copy(src + o * in_row + column, src + o * in_row + column + row, dst + o * row);
      }
      column += row;
    }
  });
}
}  // namespace

const OpDef& split_op() {
  static const OpDef def{
      .name = "Split", .versions = {1, 2, 11, 13, 18}, .infer = infer, .reference = reference};
  return def;
}
}  // namespace tandem::ops
