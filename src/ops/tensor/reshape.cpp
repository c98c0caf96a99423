// Reshape: the same elements under another shape; 0 copies an input dim, -1 is inferred.
#include "ops/tensor/tensor_common.h"

namespace tandem::ops {
namespace {
// Opset 1-4 carry the target as the `shape` attribute; opset 5 made it input 1; opset 14 added
// allowzero, under which 0 is a real zero-sized dim instead of "copy the input's".
std::optional<std::vector<int64_t>> target_shape(const InferContext& ctx) {
  if (ctx.opset() < 5) return ctx.attr<std::vector<int64_t>>("shape");
  return known_ints(ctx, 1);
}

PartialShape resolve(const NodeContext& ctx, const PartialShape& in, const std::vector<int64_t>& target,
                     bool allowzero) {
  std::vector<Dimension> out(target.size());
  int infer_at = -1;
  bool has_zero = false;
  int64_t known_product = 1;
  bool product_static = true;
  for (size_t i = 0; i < target.size(); ++i) {
    int64_t d = target[i];
    if (d == -1) {
      if (infer_at >= 0)
        throw ctx.error(ErrorKind::InvalidModel, "shape {} has more than one -1", to_string(target));
      infer_at = int(i);
      continue;
    }
    if (d < -1) throw ctx.error(ErrorKind::InvalidModel, "shape {} has a negative dim", to_string(target));
    if (d == 0 && !allowzero) {
      if (in.rank_known() && i >= in.rank())
        throw ctx.error(ErrorKind::InvalidModel, "shape {} copies dim {} of an input of rank {}",
                        to_string(target), i, in.rank());
      if (!in.rank_known()) {
        product_static = false;
        continue;
      }
      out[i] = in[i];
    } else {
      if (d == 0) has_zero = true;
      out[i] = Dimension(d);
    }
    if (out[i].is_static())
      known_product *= out[i].value;
    else
      product_static = false;
  }
  if (infer_at >= 0 && has_zero)
    throw ctx.error(ErrorKind::InvalidModel, "shape {} has both -1 and 0 with allowzero", to_string(target));
  if (infer_at >= 0) {
    if (product_static && in.is_static()) {
      int64_t total = shape_size(in.to_shape());
      if (known_product == 0 || total % known_product != 0)
        throw ctx.error(ErrorKind::InvalidModel, "cannot reshape {} to {}", to_string(in), to_string(target));
      out[size_t(infer_at)] = Dimension(total / known_product);
    }
  } else if (product_static && in.is_static() && shape_size(in.to_shape()) != known_product) {
    throw ctx.error(ErrorKind::InvalidModel, "cannot reshape {} to {}", to_string(in), to_string(target));
  }
  return PartialShape(std::move(out));
}

void infer(InferContext& ctx) {
  const ElementType type = ctx.input_type(0);
  if (ctx.opset() >= 5) check_index_type(ctx, 1);
  const bool allowzero = ctx.opset() >= 14 && ctx.attr<int64_t>("allowzero", 0) != 0;
  if (auto target = target_shape(ctx)) {
    ctx.set_output(0, type, resolve(ctx, ctx.input_shape(0), *target, allowzero));
    return;
  }
  const PartialShape& s = ctx.input_shape(1);
  if (s.rank() == 1 && s[0].is_static()) {
    ctx.set_output(0, type, PartialShape::of_rank(size_t(s[0].value)));
    return;
  }
  ctx.set_output(0, type, PartialShape());
}

void reference(KernelContext& ctx) {
  const Tensor& x = ctx.input(0);
  const bool allowzero = ctx.opset() >= 14 && ctx.attr<int64_t>("allowzero", 0) != 0;
  std::vector<int64_t> target =
      ctx.opset() < 5 ? ctx.attr<std::vector<int64_t>>("shape") : input_ints(ctx, 1);
  Shape out = resolve(ctx, PartialShape(x.shape()), target, allowzero).to_shape();
  ctx.set_output(0, copy_reshaped(x, std::move(out)));
}
}  // namespace

const OpDef& reshape_op() {
  static const OpDef def{.name = "Reshape",
                         .versions = {1, 5, 13, 14, 19, 21, 23, 24, 25},
                         .infer = infer,
                         .reference = reference};
  return def;
}
}  // namespace tandem::ops
