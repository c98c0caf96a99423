// GroupNormalization: normalise each (sample, group of channels), then scale and shift.
#include <cmath>
#include <cstdint>
#include <vector>

#include "ops/dispatch.h"
#include "ops/op.h"

namespace tandem::ops {
namespace {

// Versions: 18 has scale and bias per group, shape (num_groups); 21 has them per channel, shape
// (C), and adds stash_type, the float type of stage one (the normalisation): ONNX casts X to it,
// normalises, and casts the result back to X's type before scaling. We normalise in double and
// round through the stash type and X's type, which is what that cast chain does.
ElementType stash_type(const NodeContext& ctx) {
  if (ctx.opset() < 21) return ElementType::Undefined;
  const auto type = ElementType(ctx.attr<int64_t>("stash_type", 1));
  switch (type) {
    case ElementType::F32:
    case ElementType::F64:
    case ElementType::F16:
    case ElementType::BF16:
      return type;
    default:
      throw ctx.error(ErrorKind::InvalidModel, "stash_type {} is not a floating type", int(type));
  }
}

int64_t num_groups(const NodeContext& ctx) {
  const int64_t groups = ctx.attr<int64_t>("num_groups");
  if (groups <= 0)
    throw ctx.error(ErrorKind::InvalidModel, "num_groups must be positive, got {}", groups);
  return groups;
}

// How many scale and bias values the version wants for C channels.
int64_t parameter_count(const NodeContext& ctx, int64_t channels) {
  return ctx.opset() >= 21 ? channels : num_groups(ctx);
}

void infer(InferContext& ctx) {
  const PartialShape& x = ctx.input_shape(0);
  stash_type(ctx);
  const int64_t groups = num_groups(ctx);
  if (x.rank_known()) {
    if (x.rank() < 2)
      throw ctx.error(ErrorKind::InvalidModel, "input X must have rank >= 2, got shape {}",
                      to_string(x));
    if (x[1].is_static() && x[1].value % groups != 0)
      throw ctx.error(ErrorKind::InvalidModel, "num_groups {} does not divide the {} channels",
                      groups, x[1].value);
    for (size_t i : {1, 2}) {
      const PartialShape& p = ctx.input_shape(i);
      if (!x[1].is_static() || !p.rank_known()) continue;
      const int64_t expected = parameter_count(ctx, x[1].value);
      if (p.rank() != 1 || (p[0].is_static() && p[0].value != expected))
        throw ctx.error(ErrorKind::InvalidModel, "input {} ({}) has shape {}, expected [{}]", i,
                        i == 1 ? "scale" : "bias", to_string(p), expected);
    }
  }
  ctx.set_output(0, ctx.input_type(0), x);
}

// Rounds a double through float type U, as a cast to U and back does.
double round_through(ElementType type, double v) {
  switch (type) {
    case ElementType::F32:
      return double(float(v));
    case ElementType::F16:
      return double(float(float16(float(v))));
    case ElementType::BF16:
      return double(float(bfloat16(float(v))));
    default:
      return v;
  }
}

void reference(KernelContext& ctx) {
  const Tensor& x = ctx.input(0);
  const Shape& shape = x.shape();
  if (shape.size() < 2)
    throw ctx.error(ErrorKind::InvalidArgument, "input X must have rank >= 2, got shape {}",
                    to_string(shape));
  const int64_t groups = num_groups(ctx);
  const int64_t n = shape[0], c = shape[1];
  if (c % groups != 0)
    throw ctx.error(ErrorKind::InvalidArgument, "num_groups {} does not divide the {} channels",
                    groups, c);
  int64_t plane = 1;
  for (size_t d = 2; d < shape.size(); ++d) plane *= shape[d];
  const int64_t channels_per_group = c / groups;
  const int64_t group_size = channels_per_group * plane;
  const auto scale = ctx.input(1).to_double();
  const auto bias = ctx.input(2).to_double();
  const int64_t expected = parameter_count(ctx, c);
  if (int64_t(scale.size()) != expected || int64_t(bias.size()) != expected)
    throw ctx.error(ErrorKind::InvalidArgument,
                    "scale and bias must have {} elements, got {} and {}", expected, scale.size(),
                    bias.size());
  const bool per_channel = ctx.opset() >= 21;
  const ElementType stash = stash_type(ctx);
  const double epsilon = ctx.attr<float>("epsilon", 1e-5f);
  visit_float(x.element_type(), [&]<class T>() {
    using C = compute_t<T>;
    const T* xs = x.data<T>();
    T* ys = ctx.output(0).data<T>();
    for (int64_t b = 0; b < n; ++b)
      for (int64_t g = 0; g < groups; ++g) {
        const int64_t base = (b * groups + g) * group_size;
        const T* xg = xs + base;
        T* yg = ys + base;
        double mean = 0, var = 0;
        for (int64_t k = 0; k < group_size; ++k) mean += double(C(xg[k]));
        mean /= double(group_size);
        for (int64_t k = 0; k < group_size; ++k) {
          const double d = double(C(xg[k])) - mean;
          var += d * d;
        }
        var /= double(group_size);
        const double inv_std_dev = 1.0 / std::sqrt(var + epsilon);
        for (int64_t k = 0; k < group_size; ++k) {
          const int64_t p = per_channel ? g * channels_per_group + k / plane : g;
          double normalized = (double(C(xg[k])) - mean) * inv_std_dev;
          if (per_channel) normalized = double(C(T(C(round_through(stash, normalized)))));
          yg[k] = T(C(normalized * scale[p] + bias[p]));
        }
      }
  });
}

}  // namespace

const OpDef& group_normalization_op() {
  static const OpDef def{.name = "GroupNormalization",
                         .domain = "",
                         .versions = {18, 21},
                         .infer = infer,
                         .reference = reference};
  return def;
}

}  // namespace tandem::ops
