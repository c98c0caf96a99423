// Range: start, start + delta, … up to (not including) limit. Opset 27 added float16 and bfloat16,
// computed in the type `stash_type` names (float, the default, or double) and rounded at the end.
#include "ops/tensor/tensor_common.h"

#include <cmath>

namespace tandem::ops {
namespace {
int64_t count_of(const NodeContext& ctx, double start, double limit, double delta) {
  if (delta == 0) throw ctx.error(ErrorKind::InvalidArgument, "delta is 0");
  const double n = std::ceil((limit - start) / delta);
  if (!(n < 1e12)) {
    if (n <= 0) return 0;
    throw ctx.error(ErrorKind::InvalidArgument, "range of {} elements is too large", n);
  }
  return std::max<int64_t>(int64_t(n), 0);
}

void infer(InferContext& ctx) {
  const ElementType type = ctx.input_type(0);
  for (size_t i = 1; i < 3; ++i)
    if (ctx.input_type(i) != type)
      throw ctx.error(ErrorKind::InvalidModel, "input {} is {}, start is {}", i, to_string(ctx.input_type(i)),
                      to_string(type));
  // ONNX asks for scalars; one-element vectors (as ONNX's own AffineGrid function makes, and as
  // ONNX Runtime accepts) are read the same.
  for (size_t i = 0; i < 3; ++i) {
    const PartialShape& s = ctx.input_shape(i);
    const bool one = s.rank() == 0 || (s.rank() == 1 && (!s[0].is_static() || s[0].value == 1));
    if (s.rank_known() && !one)
      throw ctx.error(ErrorKind::InvalidModel, "input {} must be a scalar, got shape {}", i,
                      to_string(s));
  }
  const Tensor *s = ctx.input_tensor(0), *l = ctx.input_tensor(1), *d = ctx.input_tensor(2);
  if (s && l && d) {
    const int64_t n = count_of(ctx, s->scalar<double>(), l->scalar<double>(), d->scalar<double>());
    ctx.set_output(0, type, PartialShape(std::vector<int64_t>{n}));
    return;
  }
  ctx.set_output(0, type, PartialShape::of_rank(1));
}

void reference(KernelContext& ctx) {
  for (size_t i = 0; i < 3; ++i)
    if (ctx.input(i).size() != 1 || ctx.input(i).element_type() != ctx.input(0).element_type())
      throw ctx.error(ErrorKind::InvalidArgument, "input {} must be a scalar like start, got {}", i,
                      describe(ctx.input(i)));
  const int64_t stash = ctx.opset() >= 27 ? ctx.attr<int64_t>("stash_type", 1) : 1;
  if (stash != int64_t(ElementType::F32) && stash != int64_t(ElementType::F64))
    throw ctx.error(ErrorKind::InvalidModel, "stash_type {} is neither float (1) nor double (11)",
                    stash);
  visit_types<kFloat | kSigned>(ctx.input(0).element_type(), [&]<class T>() {
    auto run = [&]<class C>() {
      const C start = C(compute_t<T>(ctx.input(0).data<T>()[0]));
      const C limit = C(compute_t<T>(ctx.input(1).data<T>()[0]));
      const C delta = C(compute_t<T>(ctx.input(2).data<T>()[0]));
      const int64_t n = count_of(ctx, double(start), double(limit), double(delta));
      T* y = ctx.allocate_output(0, element_type_of<T>(), {n}).template data<T>();
      for (int64_t i = 0; i < n; ++i) y[i] = T(compute_t<T>(start + C(i) * delta));
    };
    if (is_half_v<T> && stash == int64_t(ElementType::F64))
      run.template operator()<double>();
    else
      run.template operator()<compute_t<T>>();
  });
}
}  // namespace

const OpDef& range_op() {
  static const OpDef def{
      .name = "Range", .versions = {11, 27}, .infer = infer, .reference = reference};
  return def;
}
}  // namespace tandem::ops
