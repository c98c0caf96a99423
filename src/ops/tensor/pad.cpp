// Pad: grows (or, with negative pads, crops) each dim, filling with a constant, a mirror image of
// the edge (reflect), the edge value repeated (edge) or the other end of the dim (wrap).
#include "ops/tensor/pad.h"

#include "ops/tensor/tensor_common.h"

namespace tandem::ops {
namespace {
// Opset 1 names the pads attribute `paddings`, opset 2 `pads`, both with the float attribute
// `value`; opset 11 moved pads (i64) and constant_value (a scalar of the data's type) to inputs.
// Opset 18 added input 3, `axes`: then pads holds begins and ends of those axes only. Opset 19
// added mode `wrap`; 21 and later only add element types, which this kernel moves as bytes.
std::optional<std::vector<int64_t>> raw_pads(const InferContext& ctx) {
  if (ctx.opset() < 11) return ctx.attr<std::vector<int64_t>>(ctx.opset() < 2 ? "paddings" : "pads");
  return known_ints(ctx, 1);
}

void infer(InferContext& ctx) {
  pad_mode(ctx);
  if (ctx.opset() >= 11) check_index_type(ctx, 1);
  if (ctx.opset() >= 18) check_index_type(ctx, 3);
  const PartialShape& in = ctx.input_shape(0);
  auto pads = raw_pads(ctx);
  std::optional<std::vector<int64_t>> axes;
  bool axes_known = true;
  if (ctx.opset() >= 18 && ctx.has_input(3)) {
    axes = known_ints(ctx, 3);
    axes_known = axes.has_value();
  }
  if (!in.rank_known() || !pads || !axes_known) {
    ctx.set_output(0, ctx.input_type(0), in.rank_known() ? PartialShape::of_rank(in.rank()) : PartialShape());
    return;
  }
  const size_t rank = in.rank();
  const std::vector<int64_t> full = full_pads(ctx, *pads, axes, rank);
  std::vector<Dimension> out(rank);
  for (size_t d = 0; d < rank; ++d) {
    if (!in[d].is_static()) continue;
    const int64_t size = in[d].value + full[d] + full[rank + d];
    if (size < 0)
      throw ctx.error(ErrorKind::InvalidModel, "pads {} crop dim {} of {} below zero",
                      to_string(full), d, to_string(in));
    out[d] = size;
  }
  ctx.set_output(0, ctx.input_type(0), PartialShape(std::move(out)));
}

// The fill value as a one-element tensor of the data's type.
Tensor fill_value(const KernelContext& ctx, ElementType type) {
  if (ctx.opset() >= 11) {
    if (!ctx.has_input(2)) return Tensor(type, Shape{});
    const Tensor& c = ctx.input(2);
    if (c.element_type() != type)
      throw ctx.error(ErrorKind::InvalidModel, "constant_value is {}, the data {}",
                      to_string(c.element_type()), to_string(type));
    if (c.size() != 1)
      throw ctx.error(ErrorKind::InvalidArgument, "constant_value must hold one value, got {}", describe(c));
    return c;
  }
  const float value = ctx.attr<float>("value", 0.0f);
  Tensor t(type, Shape{});
  if (type == ElementType::String) return t;
  visit_types<kNumeric | kBool>(type, [&]<class T>() {
    if constexpr (std::is_same_v<T, bool>)
      t.data<T>()[0] = value != 0.0f;
    else
      t.data<T>()[0] = T(value);
  });
  return t;
}

void reference(KernelContext& ctx) {
  const Tensor& x = ctx.input(0);
  const std::string mode = pad_mode(ctx);
  const size_t rank = x.rank();
  std::vector<int64_t> pads =
      ctx.opset() < 11 ? ctx.attr<std::vector<int64_t>>(ctx.opset() < 2 ? "paddings" : "pads")
                       : input_ints(ctx, 1);
  std::optional<std::vector<int64_t>> axes;
  if (ctx.opset() >= 18 && ctx.has_input(3)) axes = input_ints(ctx, 3);
  pads = full_pads(ctx, pads, axes, rank);
  Shape out_shape(rank);
  for (size_t d = 0; d < rank; ++d) {
    out_shape[d] = x.shape()[d] + pads[d] + pads[rank + d];
    if (out_shape[d] < 0)
      throw ctx.error(ErrorKind::InvalidArgument, "pads {} crop dim {} of {} below zero", to_string(pads), d,
                      describe(x));
    const int64_t kept =
        x.shape()[d] + std::min<int64_t>(pads[d], 0) + std::min<int64_t>(pads[rank + d], 0);
    if (mode != "constant" && kept <= 0 && out_shape[d] > 0)
      throw ctx.error(ErrorKind::InvalidArgument,
                      "mode '{}' cannot pad dim {} of {}: nothing is left of it", mode, d,
                      describe(x));
  }
  // Per dim, the source offset (in elements) of each output coordinate, -1 for the constant.
  const std::vector<int64_t> strides = strides_of(x.shape());
  std::vector<std::vector<int64_t>> offsets(rank);
  for (size_t d = 0; d < rank; ++d) {
    const int64_t lo = std::max<int64_t>(-pads[d], 0);
    const int64_t hi = x.shape()[d] - std::max<int64_t>(-pads[rank + d], 0);
    for (int64_t o = 0; o < out_shape[d]; ++o) {
      int64_t s = pad_source(mode, o, pads[d], lo, hi);
      offsets[d].push_back(s < 0 ? -1 : s * strides[d]);
    }
  }
  const Tensor fill = fill_value(ctx, x.element_type());
  Tensor& y = ctx.allocate_output(0, x.element_type(), out_shape);
  if (y.size() == 0) return;
  visit_storage(x.element_type(), [&]<class S>() {
    const S value = storage<S>(fill)[0];
    const S* src = storage<S>(x);
    S* dst = storage<S>(y);
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

std::string pad_mode(const NodeContext& ctx) {
  std::string mode = ctx.attr<std::string>("mode", "constant");
  if (mode == "wrap" && ctx.opset() < 19)
    throw ctx.error(ErrorKind::InvalidModel, "mode 'wrap' needs opset 19");
  if (mode != "constant" && mode != "reflect" && mode != "edge" && mode != "wrap")
    throw ctx.error(ErrorKind::InvalidModel,
                    "mode '{}' is not one of constant, reflect, edge, wrap", mode);
  return mode;
}

std::vector<int64_t> full_pads(const NodeContext& ctx, const std::vector<int64_t>& pads,
                               const std::optional<std::vector<int64_t>>& axes, size_t rank) {
  if (!axes) {
    if (pads.size() != 2 * rank)
      throw ctx.error(ErrorKind::InvalidModel, "pads {} do not fit rank {}", to_string(pads), rank);
    return pads;
  }
  const size_t n = axes->size();
  if (pads.size() != 2 * n)
    throw ctx.error(ErrorKind::InvalidModel, "pads {} do not fit the {} axes {}", to_string(pads),
                    n, to_string(*axes));
  std::vector<int64_t> full(2 * rank, 0);
  std::vector<bool> seen(rank, false);
  for (size_t i = 0; i < n; ++i) {
    const size_t axis = size_t(normalize_axis(ctx, (*axes)[i], rank));
    if (seen[axis])
      throw ctx.error(ErrorKind::InvalidModel, "axes {} repeat an axis", to_string(*axes));
    seen[axis] = true;
    full[axis] = pads[i];
    full[rank + axis] = pads[n + i];
  }
  return full;
}

int64_t pad_source(const std::string& mode, int64_t o, int64_t begin, int64_t lo, int64_t hi) {
  const int64_t n = hi - lo;
  int64_t i = o - std::max<int64_t>(begin, 0);
  if (i >= 0 && i < n) return lo + i;
  if (mode == "constant") return -1;
  if (mode == "edge" || n == 1) return lo + (i < 0 ? 0 : n - 1);
  if (mode == "wrap") return lo + ((i % n) + n) % n;
  const int64_t period = 2 * (n - 1);
  i %= period;
  if (i < 0) i += period;
  return lo + (i < n ? i : period - i);
}

const OpDef& pad_op() {
  static const OpDef def{.name = "Pad",
                         .versions = {1, 2, 11, 13, 18, 19, 21, 23, 24, 25},
                         .infer = infer,
                         .reference = reference};
  return def;
}
}  // namespace tandem::ops
