// The Reduce* ops: ReduceL1, ReduceL2, ReduceLogSum, ReduceLogSumExp, ReduceMax, ReduceMean,
// ReduceMin, ReduceProd, ReduceSum and ReduceSumSquare, sharing one walk over the input.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <type_traits>
#include <vector>

#include "ops/dispatch.h"
#include "ops/op.h"
#include "ops/shape_utils.h"

namespace tandem::ops {
namespace {

enum class Kind { L1, L2, LogSum, LogSumExp, Max, Mean, Min, Prod, Sum, SumSquare };

// Versions: 1 has the axes attribute (non-negative axes); 11 allows negative axes; 12 adds
// int8/uint8 to Max and Min; 13 adds bfloat16, and moves ReduceSum's axes to an optional int64
// input with noop_with_empty_axes; 18 does the same for every other op. 20 adds bool to Max and
// Min (false < true); 28 limits LogSum and LogSumExp to the floating types. No axes means every
// axis, unless noop_with_empty_axes asks to reduce over none: then each element is its own
// reduction, so the element-wise steps still apply (ReduceSumSquare squares, ReduceLogSum takes
// the log), as the onnx 1.23 spec and reference say.
template <Kind kind>
bool axes_from_input(const NodeContext& ctx) {
  return ctx.opset() >= (kind == Kind::Sum ? 13 : 18);
}

// The element types the op accepts at the model's opset, beyond the dispatch's own set.
template <Kind kind>
void check_type(const NodeContext& ctx, ElementType type) {
  if (type == ElementType::Bool && ctx.opset() < 20)
    throw ctx.error(ErrorKind::InvalidModel, "bool input needs opset 20 or later");
  const bool is_float = type == ElementType::F32 || type == ElementType::F64 ||
                        type == ElementType::F16 || type == ElementType::BF16;
  if ((kind == Kind::LogSum || kind == Kind::LogSumExp) && ctx.opset() >= 28 && !is_float)
    throw ctx.error(ErrorKind::InvalidModel, "input must be a floating type from opset 28, got {}",
                    to_string(type));
}

// The axes to reduce; nullopt when they are an input whose value is not known yet.
template <Kind kind, class Context>
std::optional<std::vector<int64_t>> axes_of(const Context& ctx) {
  if (!axes_from_input<kind>(ctx)) return ctx.template attr<std::vector<int64_t>>("axes", {});
  if (!ctx.has_input(1)) return std::vector<int64_t>{};
  if constexpr (std::is_same_v<Context, InferContext>) {
    const Tensor* t = ctx.input_tensor(1);
    if (!t) return std::nullopt;
    return t->to_int64();
  } else {
    return ctx.input(1).to_int64();
  }
}

// Which axes a rank-`rank` input reduces.
std::vector<bool> reduced_axes(const NodeContext& ctx, const std::vector<int64_t>& axes,
                               size_t rank) {
  const bool none = axes.empty() && ctx.attr<int64_t>("noop_with_empty_axes", 0) != 0;
  std::vector<bool> reduced(rank, axes.empty() && !none);
  for (int64_t a : axes) reduced[normalize_axis(ctx, a, rank)] = true;
  return reduced;
}

template <Kind kind>
void infer(InferContext& ctx) {
  const PartialShape& x = ctx.input_shape(0);
  check_type<kind>(ctx, ctx.input_type(0));
  const bool keepdims = ctx.attr<int64_t>("keepdims", 1) != 0;
  const auto axes = axes_of<kind>(ctx);
  if (!x.rank_known() || !axes) {
    // Unknown axes: with keepdims the rank survives, the sizes do not.
    ctx.set_output(0, ctx.input_type(0),
                   x.rank_known() && keepdims ? PartialShape::of_rank(x.rank()) : PartialShape());
    return;
  }
  const std::vector<bool> reduced = reduced_axes(ctx, *axes, x.rank());
  std::vector<Dimension> dims;
  for (size_t d = 0; d < x.rank(); ++d) {
    if (!reduced[d])
      dims.push_back(x[d]);
    else if (keepdims)
      dims.push_back(Dimension(1));
  }
  ctx.set_output(0, ctx.input_type(0), PartialShape(dims));
}

// Accumulation: double for floating inputs and for the ops that take logs or roots; 64-bit
// integers otherwise, wrapping as the element type would.
template <Kind kind, class T>
using accumulator_t =
    std::conditional_t<is_floating_v<T> || kind == Kind::L2 || kind == Kind::LogSum ||
                           kind == Kind::LogSumExp,
                       double, std::conditional_t<std::is_signed_v<T>, int64_t, uint64_t>>;

template <Kind kind, class A>
A initial() {
  if constexpr (kind == Kind::Prod) return A(1);
  if constexpr (kind == Kind::Max)
    return std::numeric_limits<A>::has_infinity ? -std::numeric_limits<A>::infinity()
                                                : std::numeric_limits<A>::lowest();
  if constexpr (kind == Kind::Min)
    return std::numeric_limits<A>::has_infinity ? std::numeric_limits<A>::infinity()
                                                : std::numeric_limits<A>::max();
  return A(0);
}

// One step; for LogSumExp `shift` is the line's maximum, so exp never overflows.
template <Kind kind, class A>
A accumulate(A acc, A v, A shift) {
  if constexpr (kind == Kind::Max) return v > acc || v != v ? v : acc;
  if constexpr (kind == Kind::Min) return v < acc || v != v ? v : acc;
  if constexpr (kind == Kind::Prod) return acc * v;
  if constexpr (kind == Kind::L1) return acc + (v < A(0) ? A(0) - v : v);
  if constexpr (kind == Kind::L2 || kind == Kind::SumSquare) return acc + v * v;
  if constexpr (kind == Kind::LogSumExp) return acc + std::exp(v - shift);
  return acc + v;
}

template <Kind kind, class A>
A finish(A acc, int64_t count, A shift) {
  if constexpr (kind == Kind::L2) return std::sqrt(acc);
  if constexpr (kind == Kind::LogSum) return std::log(acc);
  if constexpr (kind == Kind::LogSumExp) return std::log(acc) + shift;
  if constexpr (kind == Kind::Mean) {
    if constexpr (std::is_floating_point_v<A>) return acc / A(count);
    return count == 0 ? A(0) : A(acc / A(count));
  }
  return acc;
}

// For each input element in row-major order, calls f(input_offset, output_offset).
template <class F>
void for_each_reduced(const Shape& shape, const std::vector<bool>& reduced, F&& f) {
  Shape kept(shape.size());
  for (size_t d = 0; d < shape.size(); ++d) kept[d] = reduced[d] ? 1 : shape[d];
  const std::vector<int64_t> strides = strides_of(kept);
  const int64_t n = shape_size(shape);
  std::vector<int64_t> idx(shape.size(), 0);
  int64_t o = 0;
  for (int64_t i = 0; i < n; ++i) {
    f(i, o);
    for (size_t d = shape.size(); d-- > 0;) {
      ++idx[d];
      if (!reduced[d]) o += strides[d];
      if (idx[d] < shape[d]) break;
      if (!reduced[d]) o -= strides[d] * idx[d];
      idx[d] = 0;
    }
  }
}

template <Kind kind>
void reference(KernelContext& ctx) {
  const Tensor& x = ctx.input(0);
  Tensor& y = ctx.output(0);
  const std::vector<bool> reduced = reduced_axes(ctx, *axes_of<kind>(ctx), x.rank());
  check_type<kind>(ctx, x.element_type());
  constexpr unsigned types = kind == Kind::Max || kind == Kind::Min ? kNumeric | kBool : kNumeric;
  visit_types<types>(x.element_type(), [&]<class T>() {
    using A = accumulator_t<kind, T>;
    using C = compute_t<T>;
    const T* xs = x.data<T>();
    T* ys = y.data<T>();
    const int64_t outputs = y.size();
    std::vector<A> shift(outputs, A(0));
    if constexpr (kind == Kind::LogSumExp) {
      std::vector<A> max(outputs, initial<Kind::Max, A>());
      for_each_reduced(x.shape(), reduced, [&](int64_t i, int64_t o) {
        max[o] = accumulate<Kind::Max, A>(max[o], A(C(xs[i])), A(0));
      });
      for (int64_t o = 0; o < outputs; ++o) shift[o] = std::isfinite(max[o]) ? max[o] : A(0);
    }
    std::vector<A> acc(outputs, initial<kind, A>());
    for_each_reduced(x.shape(), reduced, [&](int64_t i, int64_t o) {
      acc[o] = accumulate<kind, A>(acc[o], A(C(xs[i])), shift[o]);
    });
    const int64_t count = outputs == 0 ? 0 : x.size() / outputs;
    for (int64_t o = 0; o < outputs; ++o) ys[o] = T(C(finish<kind, A>(acc[o], count, shift[o])));
  });
}

template <Kind kind>
std::vector<int> versions() {
  if constexpr (kind == Kind::Max || kind == Kind::Min) return {1, 11, 12, 13, 18, 20};
  if constexpr (kind == Kind::LogSum || kind == Kind::LogSumExp) return {1, 11, 13, 18, 28};
  if constexpr (kind == Kind::Sum) return {1, 11, 13};
  return {1, 11, 13, 18};
}

template <Kind kind>
OpDef make(std::string_view name) {
  return OpDef{.name = name,
               .domain = "",
               .versions = versions<kind>(),
               .infer = infer<kind>,
               .reference = reference<kind>};
}

}  // namespace

const OpDef& reduce_l1_op() {
  static const OpDef def = make<Kind::L1>("ReduceL1");
  return def;
}
const OpDef& reduce_l2_op() {
  static const OpDef def = make<Kind::L2>("ReduceL2");
  return def;
}
const OpDef& reduce_log_sum_op() {
  static const OpDef def = make<Kind::LogSum>("ReduceLogSum");
  return def;
}
const OpDef& reduce_log_sum_exp_op() {
  static const OpDef def = make<Kind::LogSumExp>("ReduceLogSumExp");
  return def;
}
const OpDef& reduce_max_op() {
  static const OpDef def = make<Kind::Max>("ReduceMax");
  return def;
}
const OpDef& reduce_mean_op() {
  static const OpDef def = make<Kind::Mean>("ReduceMean");
  return def;
}
const OpDef& reduce_min_op() {
  static const OpDef def = make<Kind::Min>("ReduceMin");
  return def;
}
const OpDef& reduce_prod_op() {
  static const OpDef def = make<Kind::Prod>("ReduceProd");
  return def;
}
const OpDef& reduce_sum_op() {
  static const OpDef def = make<Kind::Sum>("ReduceSum");
  return def;
}
const OpDef& reduce_sum_square_op() {
  static const OpDef def = make<Kind::SumSquare>("ReduceSumSquare");
  return def;
}

}  // namespace tandem::ops
