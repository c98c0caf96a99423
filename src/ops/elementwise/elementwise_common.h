// What the elementwise ops share: inference of same-shape and broadcast outputs, and the loops
// of unary, binary and variadic kernels, so each op states only its functor.
//
//   .reference = [](KernelContext& ctx) {
//     unary_kernel<kFloat>(ctx, [](auto x) { return std::exp(x); });
//   }
#pragma once

#include <cstdint>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "ops/dispatch.h"
#include "ops/op.h"
#include "ops/shape_utils.h"

namespace tandem::ops {

/// Output 0 gets input 0's element type and shape.
void infer_unary(InferContext& ctx);
/// The definition of an op whose output is like its input: name, versions, kernel.
inline OpDef unary_op(std::string_view name, std::vector<int> versions, KernelFn reference) {
  return OpDef{
      .name = name, .versions = std::move(versions), .infer = infer_unary, .reference = reference};
}
/// Output 0 of element type `type` with the broadcast shape of every present input. Before opset
/// 7 binary ops broadcast the ONNX-1 way (the `broadcast` and `axis` attributes): the output then
/// has input 0's shape.
void infer_broadcast(InferContext& ctx, ElementType type);
/// Throws InvalidModel unless every present input has the element type of input 0 (where known).
void check_same_types(const InferContext& ctx);
/// check_same_types, then infer_broadcast with input 0's element type.
void infer_broadcast_same(InferContext& ctx);
/// check_same_types, then infer_broadcast with a bool output (comparisons).
void infer_broadcast_bool(InferContext& ctx);

/// Whether the node broadcasts the ONNX-1 way: a binary op of the default domain before opset 7.
bool is_legacy_broadcast(const NodeContext& ctx);
/// The shape input 1 takes when broadcast against input 0 of shape `a`: itself under numpy rules;
/// under ONNX-1 rules placed at `axis` (default: aligned to the end) and padded with ones. Throws
/// InvalidModel when it does not fit.
Shape rhs_broadcast_shape(const NodeContext& ctx, const Shape& a, const Shape& b);

/// The value arithmetic works on: compute_t<T> (float for the half and narrow float types, int
/// for the narrow integers), the element itself otherwise (a reference, so strings are not copied).
template <class T>
decltype(auto) widen(const T& v) {
  if constexpr (!std::is_same_v<compute_t<T>, T>)
    return compute_t<T>(v);
  else
    return (v);
}

/// y[i] = U(f(x[i])) over every element; x and y have the same number of elements.
template <class T, class U, class F>
void map_unary(const Tensor& x, Tensor& y, F&& f) {
  auto in = x.span<const T>();
  auto out = y.span<U>();
  for (size_t i = 0; i < in.size(); ++i) out[i] = U(f(widen(in[i])));
}

/// y = f(a, b) elementwise, b read as if of shape `b_shape` (same size, broadcast to y's shape).
template <class A, class B, class U, class F>
void map_binary(const Tensor& a, const Tensor& b, const Shape& b_shape, Tensor& y, F&& f) {
  auto pa = a.span<const A>();
  auto pb = b.span<const B>();
  auto out = y.span<U>();
  for_each_broadcast(a.shape(), b_shape, y.shape(), [&](int64_t i, int64_t ia, int64_t ib) {
    out[i] = U(f(widen(pa[ia]), widen(pb[ib])));
  });
}

/// y = f(a, b) elementwise with the node's broadcasting; y is allocated with the inferred shape.
template <class A, class B, class U, class F>
void map_binary(const NodeContext& ctx, const Tensor& a, const Tensor& b, Tensor& y, F&& f) {
  map_binary<A, B, U>(a, b, rhs_broadcast_shape(ctx, a.shape(), b.shape()), y, f);
}

/// A unary op keeping the element type: y = f(x), for element types in `Set`.
template <unsigned Set, class F>
void unary_kernel(KernelContext& ctx, F&& f) {
  const Tensor& x = ctx.input(0);
  visit_types<Set>(x.element_type(), [&]<class T>() { map_unary<T, T>(x, ctx.output(0), f); });
}

/// A binary op over two inputs of one element type in `Set`; the output is of type T, or of
/// type Out when it is given (bool for comparisons).
template <unsigned Set, class Out = void, class F>
void binary_kernel(KernelContext& ctx, F&& f) {
  const Tensor& a = ctx.input(0);
  const Tensor& b = ctx.input(1);
  visit_types<Set>(a.element_type(), [&]<class T>() {
    using U = std::conditional_t<std::is_void_v<Out>, T, Out>;
    map_binary<T, T, U>(ctx, a, b, ctx.output(0), f);
  });
}

struct KeepValue {
  template <class C>
  C operator()(C v) const {
    return v;
  }
};

/// A variadic op (Max, Min, Sum, Mean): y = finish(f(...f(f(x0, x1), x2)..., xn)) with
/// broadcasting, accumulated in the compute type of T.
template <unsigned Set, class F, class G = KeepValue>
void variadic_kernel(KernelContext& ctx, F&& f, G&& finish = {}) {
  Tensor& y = ctx.output(0);
  visit_types<Set>(y.element_type(), [&]<class T>() {
    using C = compute_t<T>;
    std::vector<C> acc(size_t(y.size()));
    bool first = true;
    for (size_t k = 0; k < ctx.num_inputs(); ++k) {
      if (!ctx.has_input(k)) continue;
      const Tensor& x = ctx.input(k);
      auto px = x.span<const T>();
      for_each_broadcast(y.shape(), x.shape(), y.shape(), [&](int64_t i, int64_t, int64_t ix) {
        acc[i] = first ? C(px[ix]) : C(f(acc[i], C(px[ix])));
      });
      first = false;
    }
    auto out = y.span<T>();
    for (size_t i = 0; i < out.size(); ++i) out[i] = T(C(finish(acc[i])));
  });
}

}  // namespace tandem::ops
