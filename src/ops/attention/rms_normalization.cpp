// RMSNormalization (opset 23): y = x / sqrt(mean(x^2) + epsilon) * scale, the mean taken over the
// axes from `axis` on. Stage one (the normalisation) runs in stash_type and is rounded to X's
// type; Y takes scale's type, scale broadcasting to X from the right.
#include <cmath>
#include <vector>

#include "ops/attention/attention_common.h"
#include "ops/op.h"
#include "ops/shape_utils.h"

namespace tandem::ops {
namespace {

ElementType stash_type(const NodeContext& ctx) {
  const int64_t code = ctx.attr<int64_t>("stash_type", 1);
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
      throw ctx.error(ErrorKind::InvalidModel, "stash_type {} is not a floating type", code);
  }
}

void infer(InferContext& ctx) {
  check_floating_input(ctx, 0, "X");
  check_floating_input(ctx, 1, "scale");
  stash_type(ctx);
  const PartialShape& x = ctx.input_shape(0);
  if (x.rank_known()) normalize_axis(ctx, ctx.attr<int64_t>("axis", -1), x.rank());
  ctx.set_output(0, ctx.input_type(1), x);
}

void reference(KernelContext& ctx) {
  const Tensor& x = ctx.input(0);
  const Tensor& scale = ctx.input(1);
  const Shape& shape = x.shape();
  const int64_t axis = normalize_axis(ctx, ctx.attr<int64_t>("axis", -1), shape.size());
  const double epsilon = ctx.attr<float>("epsilon", 1e-5f);
  const ElementType stash = stash_type(ctx);
  const ElementType x_type = x.element_type();

  const Shape& s = scale.shape();
  bool fits = s.size() <= shape.size();
  for (size_t k = 0; fits && k < s.size(); ++k) {
    const int64_t d = s[s.size() - 1 - k];
    fits = d == 1 || d == shape[shape.size() - 1 - k];
  }
  if (!fits)
    throw ctx.error(ErrorKind::InvalidArgument, "scale of shape {} does not broadcast to X's {}",
                    to_string(s), to_string(shape));
  std::vector<int64_t> scale_at;
  broadcast_offsets(s, shape, scale_at);
  const std::vector<double> scales = scale.to_double();
  const std::vector<double> xs = x.to_double();

  int64_t inner = 1;
  for (size_t d = axis; d < shape.size(); ++d) inner *= shape[d];
  const int64_t outer = inner == 0 ? 0 : x.size() / inner;
  auto in_stash = [&](double v) { return round_as(stash, v); };
  std::vector<double> y(xs.size());
  for (int64_t o = 0; o < outer; ++o) {
    const double* xr = xs.data() + o * inner;
    double sum = 0;
    for (int64_t k = 0; k < inner; ++k) sum += xr[k] * xr[k];
    const double rms = in_stash(std::sqrt(in_stash(in_stash(sum / double(inner)) + epsilon)));
    for (int64_t k = 0; k < inner; ++k) {
      const double normalized = round_as(x_type, in_stash(xr[k] / rms));
      y[o * inner + k] = normalized * scales[scale_at[o * inner + k]];
    }
  }
  store(y, ctx.output(0));
}

}  // namespace

const OpDef& rms_normalization_op() {
  static const OpDef def{
      .name = "RMSNormalization", .versions = {23}, .infer = infer, .reference = reference};
  return def;
}

}  // namespace tandem::ops
