// NonZero: the coordinates of the non-zero elements, one column each ([rank, count], i64).
#include "ops/tensor/tensor_common.h"

namespace tandem::ops {
namespace {
void infer(InferContext& ctx) {
  const PartialShape& in = ctx.input_shape(0);
  // The count is only known once the kernel has looked at the values.
  std::vector<Dimension> out{
      in.rank_known() ? Dimension(int64_t(std::max<size_t>(in.rank(), 1))) : Dimension(), Dimension()};
  ctx.set_output(0, ElementType::I64, PartialShape(std::move(out)));
}

void reference(KernelContext& ctx) {
  const Tensor& x = ctx.input(0);
  std::vector<int64_t> found;
  visit_types<kNumeric | kBool>(x.element_type(), [&]<class T>() {
    const T* src = x.data<T>();
    for (int64_t i = 0; i < x.size(); ++i)
      if (compute_t<T>(src[i]) != compute_t<T>(0)) found.push_back(i);
  });
  // A scalar counts as a 1-D tensor of one element, as numpy does.
  const Shape shape = x.rank() ? x.shape() : Shape{1};
  const size_t rank = shape.size();
  const int64_t count = int64_t(found.size());
  int64_t* y = ctx.allocate_output(0, ElementType::I64, {int64_t(rank), count}).data<int64_t>();
  for (int64_t n = 0; n < count; ++n) {
    int64_t flat = found[size_t(n)];
    for (size_t d = rank; d-- > 0;) {
      y[int64_t(d) * count + n] = flat % shape[d];
      flat /= shape[d];
    }
  }
}
}  // namespace

const OpDef& non_zero_op() {
  static const OpDef def{.name = "NonZero", .versions = {9, 13}, .infer = infer, .reference = reference};
  return def;
}
}  // namespace tandem::ops
