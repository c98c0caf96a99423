// LayerNormalization (opset 17): normalise over the trailing axes from `axis` on. The same op in
// tandem's domain is what the graph passes make of a layer norm written out in older opsets.
#include <cmath>
#include <cstdint>
#include <vector>

#include "ops/dispatch.h"
#include "ops/op.h"
#include "ops/shape_utils.h"
#include "ops/tandem_domain.h"

namespace tandem::ops {
namespace {

// Mean and InvStdDev have X's shape with the normalised axes set to 1, in the stash type.
ElementType stash_type(const NodeContext& ctx) {
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

void infer(InferContext& ctx) {
  const PartialShape& x = ctx.input_shape(0);
  ctx.set_output(0, ctx.input_type(0), x);
  const ElementType stash = stash_type(ctx);
  PartialShape stats;
  if (x.rank_known()) {
    const int64_t axis = normalize_axis(ctx, ctx.attr<int64_t>("axis", -1), x.rank());
    std::vector<Dimension> dims = x.dims();
    for (size_t d = axis; d < dims.size(); ++d) dims[d] = Dimension(1);
    stats = PartialShape(dims);
  }
  for (size_t i : {1, 2})
    if (ctx.has_output(i)) ctx.set_output(i, stash, stats);
}

// Offsets into a parameter tensor broadcast (numpy-style, from the right) to the normalised shape.
std::vector<int64_t> parameter_offsets(const KernelContext& ctx, const Tensor& t,
                                       const Shape& normalized, const char* name) {
  const Shape& s = t.shape();
  bool fits = s.size() <= normalized.size();
  for (size_t k = 0; fits && k < s.size(); ++k) {
    const int64_t d = s[s.size() - 1 - k];
    fits = d == 1 || d == normalized[normalized.size() - 1 - k];
  }
  if (!fits)
    throw ctx.error(ErrorKind::InvalidArgument, "{} of shape {} does not broadcast to {}", name,
                    to_string(s), to_string(normalized));
  std::vector<int64_t> offsets;
  broadcast_offsets(s, normalized, offsets);
  return offsets;
}

void reference(KernelContext& ctx) {
  const Tensor& x = ctx.input(0);
  const Shape& shape = x.shape();
  const int64_t axis = normalize_axis(ctx, ctx.attr<int64_t>("axis", -1), shape.size());
  const Shape normalized(shape.begin() + axis, shape.end());
  const int64_t inner = shape_size(normalized);
  const int64_t outer = inner == 0 ? 0 : x.size() / inner;
  const double epsilon = ctx.attr<float>("epsilon", 1e-5f);

  const auto scale = ctx.input(1).to_double();
  const auto scale_at = parameter_offsets(ctx, ctx.input(1), normalized, "Scale");
  std::vector<double> bias;
  std::vector<int64_t> bias_at;
  if (ctx.has_input(2)) {
    bias = ctx.input(2).to_double();
    bias_at = parameter_offsets(ctx, ctx.input(2), normalized, "B");
  }
  std::vector<double> means(outer), inv_std_devs(outer);

  visit_float(x.element_type(), [&]<class T>() {
    using C = compute_t<T>;
    const T* xs = x.data<T>();
    T* ys = ctx.output(0).data<T>();
    for (int64_t o = 0; o < outer; ++o) {
      const T* xr = xs + o * inner;
      T* yr = ys + o * inner;
      double mean = 0, var = 0;
      for (int64_t k = 0; k < inner; ++k) mean += double(C(xr[k]));
      mean /= double(inner);
      for (int64_t k = 0; k < inner; ++k) {
        const double d = double(C(xr[k])) - mean;
        var += d * d;
      }
      var /= double(inner);
      const double inv_std_dev = 1.0 / std::sqrt(var + epsilon);
      for (int64_t k = 0; k < inner; ++k) {
        double y = (double(C(xr[k])) - mean) * inv_std_dev * scale[scale_at[k]];
        if (!bias.empty()) y += bias[bias_at[k]];
        yr[k] = T(C(y));
      }
      means[o] = mean;
      inv_std_devs[o] = inv_std_dev;
    }
  });

  auto write = [&](size_t i, const std::vector<double>& values) {
    if (!ctx.has_output(i)) return;
    Tensor& out = ctx.output(i);
    visit_float(out.element_type(), [&]<class U>() {
      U* o = out.data<U>();
      for (size_t k = 0; k < values.size(); ++k) o[k] = U(compute_t<U>(values[k]));
    });
  };
  write(1, means);
  write(2, inv_std_devs);
}

}  // namespace

const OpDef& layer_normalization_op() {
  static const OpDef def{.name = "LayerNormalization",
                         .domain = "",
                         .versions = {17},
                         .infer = infer,
                         .reference = reference};
  return def;
}

const OpDef& tandem_layer_normalization_op() {
  static const OpDef def{.name = "LayerNormalization",
                         .domain = kTandemDomain,
                         .versions = {kTandemOpset},
                         .infer = infer,
                         .reference = reference};
  return def;
}

}  // namespace tandem::ops
