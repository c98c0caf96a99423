// Pad: grows (or, with negative pads, crops) each dim, filling with a constant, a mirror image of
// the edge (reflect) or the edge value repeated (edge).
#include "ops/tensor/tensor_common.h"

namespace tandem::ops {
namespace {
// Opset 1 names the pads attribute `paddings`, opset 2 `pads`, both with the float attribute
// `value`; opset 11 moved pads (i64) and constant_value (a scalar of the data's type) to inputs.
std::optional<std::vector<int64_t>> pads_of(const InferContext& ctx) {
  if (ctx.opset() < 11) return ctx.attr<std::vector<int64_t>>(ctx.opset() < 2 ? "paddings" : "pads");
  return known_ints(ctx, 1);
}

std::string mode_of(const NodeContext& ctx) {
  std::string mode = ctx.attr<std::string>("mode", "constant");
  if (mode != "constant" && mode != "reflect" && mode != "edge")
    throw ctx.error(ErrorKind::Unsupported, "mode '{}' is not supported (constant, reflect, edge are)", mode);
  return mode;
}

void check_pads(const NodeContext& ctx, const std::vector<int64_t>& pads, size_t rank) {
  if (pads.size() != 2 * rank)
    throw ctx.error(ErrorKind::InvalidModel, "pads {} do not fit rank {}", to_string(pads), rank);
}

void infer(InferContext& ctx) {
  mode_of(ctx);
  if (ctx.opset() >= 11) check_index_type(ctx, 1);
  const PartialShape& in = ctx.input_shape(0);
  auto pads = pads_of(ctx);
  if (!in.rank_known() || !pads) {
    ctx.set_output(0, ctx.input_type(0), in.rank_known() ? PartialShape::of_rank(in.rank()) : PartialShape());
    return;
  }
  const size_t rank = in.rank();
  check_pads(ctx, *pads, rank);
  std::vector<Dimension> out(rank);
  for (size_t d = 0; d < rank; ++d) {
    if (!in[d].is_static()) continue;
    const int64_t size = in[d].value + (*pads)[d] + (*pads)[rank + d];
    if (size < 0)
      throw ctx.error(ErrorKind::InvalidModel, "pads {} crop dim {} of {} below zero", to_string(*pads), d,
                      to_string(in));
    out[d] = size;
  }
  ctx.set_output(0, ctx.input_type(0), PartialShape(std::move(out)));
}

// Where output coordinate o of a dim of size n reads from, or -1 for the constant.
int64_t source(const std::string& mode, int64_t o, int64_t begin, int64_t n) {
  int64_t i = o - begin;
  if (i >= 0 && i < n) return i;
  if (mode == "constant" || n == 0) return -1;
  if (mode == "edge" || n == 1) return i < 0 ? 0 : n - 1;
  const int64_t period = 2 * (n - 1);
  i %= period;
  if (i < 0) i += period;
  return i < n ? i : period - i;
}

template <class T>
T constant_value(const KernelContext& ctx) {
  if (ctx.opset() >= 11) {
    if (!ctx.has_input(2)) return T{};
    const Tensor& c = ctx.input(2);
    if (c.size() != 1)
      throw ctx.error(ErrorKind::InvalidArgument, "constant_value must hold one value, got {}", describe(c));
    return c.data<T>()[0];
  }
  if constexpr (std::is_same_v<T, std::string>)
    return T{};
  else if constexpr (std::is_same_v<T, bool>)
    return ctx.attr<float>("value", 0.0f) != 0.0f;
  else
    return T(ctx.attr<float>("value", 0.0f));
}

void reference(KernelContext& ctx) {
  const Tensor& x = ctx.input(0);
  const std::string mode = mode_of(ctx);
  const size_t rank = x.rank();
  const std::vector<int64_t> pads =
      ctx.opset() < 11 ? ctx.attr<std::vector<int64_t>>(ctx.opset() < 2 ? "paddings" : "pads")
                       : input_ints(ctx, 1);
  check_pads(ctx, pads, rank);
  Shape out_shape(rank);
  for (size_t d = 0; d < rank; ++d) {
    out_shape[d] = x.shape()[d] + pads[d] + pads[rank + d];
    if (out_shape[d] < 0)
      throw ctx.error(ErrorKind::InvalidArgument, "pads {} crop dim {} of {} below zero", to_string(pads), d,
                      describe(x));
    if (mode != "constant" && x.shape()[d] == 0 && out_shape[d] > 0)
      throw ctx.error(ErrorKind::InvalidArgument, "mode '{}' cannot pad the empty dim {} of {}", mode, d,
                      describe(x));
  }
  // Per dim, the source offset (in elements) of each output coordinate, -1 for the constant.
  const std::vector<int64_t> strides = strides_of(x.shape());
  std::vector<std::vector<int64_t>> offsets(rank);
  for (size_t d = 0; d < rank; ++d)
    for (int64_t o = 0; o < out_shape[d]; ++o) {
      int64_t s = source(mode, o, pads[d], x.shape()[d]);
      offsets[d].push_back(s < 0 ? -1 : s * strides[d]);
    }
  Tensor& y = ctx.allocate_output(0, x.element_type(), out_shape);
  if (y.size() == 0) return;
  visit_all(x.element_type(), [&]<class T>() {
    const T value = constant_value<T>(ctx);
    const T* src = static_cast<const T*>(x.data());
    T* dst = static_cast<T*>(y.data());
    if (rank == 0) {
      dst[0] = src[0];
      return;
    }
    const std::vector<int64_t>& inner = offsets[rank - 1];
    std::vector<int64_t> pos(rank, 0);
    for (int64_t done = 0; done < y.size(); done += out_shape[rank - 1]) {
      int64_t base = 0;
      bool outside = false;
      for (size_t d = 0; d + 1 < rank; ++d) {
        if (offsets[d][size_t(pos[d])] < 0) outside = true;
        base += offsets[d][size_t(pos[d])];
      }
      for (int64_t s : inner) *dst++ = outside || s < 0 ? value : src[base + s];
      for (size_t d = rank - 1; d-- > 0;) {
        if (++pos[d] < out_shape[d]) break;
        pos[d] = 0;
      }
    }
  });
}
}  // namespace

const OpDef& pad_op() {
  static const OpDef def{.name = "Pad", .versions = {1, 2, 11, 13}, .infer = infer, .reference = reference};
  return def;
}
}  // namespace tandem::ops
