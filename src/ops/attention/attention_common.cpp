// Helpers shared by the attention family's kernels.
#include "ops/attention/attention_common.h"

namespace tandem::ops {

double round_as(ElementType type, double x) {
  return visit_float(type, [&]<class T>() { return round_as<T>(x); });
}

bool is_wide_float(ElementType type) {
  return type == ElementType::F32 || type == ElementType::F64 || type == ElementType::F16 ||
         type == ElementType::BF16;
}

void check_floating_input(const InferContext& ctx, size_t i, std::string_view name) {
  const ElementType type = ctx.input_type(i);
  if (type != ElementType::Undefined && !is_wide_float(type))
    throw ctx.error(ErrorKind::Unsupported,
                    "input '{}' has element type {}, expected a floating type", name,
                    to_string(type));
}

ElementType softmax_precision(const NodeContext& ctx, ElementType fallback) {
  if (!ctx.has_attr("softmax_precision")) return fallback;
  const int64_t code = ctx.attr<int64_t>("softmax_precision");
  switch (code) {
    case 1:
      return ElementType::F32;
    case 10:
      return ElementType::F16;
    case 11:
      return ElementType::F64;
    case 16:
      return ElementType::BF16;
    default:
      throw ctx.error(ErrorKind::InvalidModel,
                      "softmax_precision {} is not one of 1 (float), 10 (float16), 11 (double), "
                      "16 (bfloat16)",
                      code);
  }
}

std::vector<double> heads_first(const Tensor& x, int64_t heads) {
  std::vector<double> values = x.to_double();
  if (x.rank() != 3) return values;
  const Shape& s = x.shape();
  const int64_t batch = s[0], length = s[1], head_size = heads == 0 ? 0 : s[2] / heads;
  std::vector<double> out(values.size());
  for (int64_t b = 0; b < batch; ++b)
    for (int64_t t = 0; t < length; ++t)
      for (int64_t h = 0; h < heads; ++h) {
        const double* from = values.data() + ((b * length + t) * heads + h) * head_size;
        double* to = out.data() + ((b * heads + h) * length + t) * head_size;
        std::copy(from, from + head_size, to);
      }
  return out;
}

void store(std::span<const double> values, Tensor& out) {
  visit_float(out.element_type(), [&]<class T>() {
    using C = compute_t<T>;
    T* o = out.data<T>();
    for (size_t i = 0; i < values.size(); ++i) o[i] = T(C(values[i]));
  });
}

Dimension dim_at(const PartialShape& shape, size_t i) {
  return shape.rank_known() && i < shape.rank() ? shape[i] : Dimension();
}

Dimension dim_mul(const Dimension& a, const Dimension& b) {
  return a.is_static() && b.is_static() ? Dimension(a.value * b.value) : Dimension();
}

Dimension dim_div(const Dimension& a, const Dimension& b) {
  return a.is_static() && b.is_static() && b.value > 0 ? Dimension(a.value / b.value) : Dimension();
}

Dimension dim_add(const Dimension& a, const Dimension& b) {
  return a.is_static() && b.is_static() ? Dimension(a.value + b.value) : Dimension();
}

}  // namespace tandem::ops
