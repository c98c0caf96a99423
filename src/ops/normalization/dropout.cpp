// Dropout: identity at inference; random zeroing when opset 12+ asks for training mode.
#include <cstdint>
#include <cstring>
#include <random>
#include <type_traits>
#include <vector>

#include "ops/dispatch.h"
#include "ops/op.h"

namespace tandem::ops {
namespace {

// Versions: 1 and 6 carry is_test (default 0, yet models exported for inference leave it so);
// 7 drops it; mask is of X's type until 10 makes it bool; 12 moves ratio to an optional input and
// adds the training_mode input and a seed. Training happens only when that input is true: before
// 12 nothing at run time can ask for it, so earlier versions are the identity, as in ONNX Runtime.
// 22 adds the float8 types for the data and the ratio.
ElementType mask_type(const NodeContext& ctx, ElementType x) {
  return ctx.opset() >= 10 ? ElementType::Bool : x;
}

void infer(InferContext& ctx) {
  const PartialShape& x = ctx.input_shape(0);
  if (ctx.opset() >= 12 && ctx.has_input(1) && ctx.input_shape(1).rank_known() &&
      ctx.input_shape(1).rank() != 0)
    throw ctx.error(ErrorKind::InvalidModel, "ratio must be a scalar, got shape {}",
                    to_string(ctx.input_shape(1)));
  ctx.set_output(0, ctx.input_type(0), x);
  if (ctx.has_output(1)) ctx.set_output(1, mask_type(ctx, ctx.input_type(0)), x);
}

struct Mode {
  bool training = false;
  double ratio = 0.5;
};

Mode mode_of(const KernelContext& ctx) {
  Mode m;
  if (ctx.opset() < 12) return m;
  if (ctx.has_input(1)) m.ratio = ctx.input(1).scalar<double>();
  if (ctx.has_input(2)) m.training = ctx.input(2).scalar<bool>();
  if (m.training && (m.ratio < 0 || m.ratio >= 1))
    throw ctx.error(ErrorKind::InvalidArgument, "ratio must be in [0, 1), got {}", m.ratio);
  return m;
}

void reference(KernelContext& ctx) {
  const Tensor& x = ctx.input(0);
  const Mode m = mode_of(ctx);
  const bool dropping = m.training && m.ratio > 0;
  std::vector<char> keep(size_t(x.size()), 1);
  if (dropping) {
    // numpy's legacy RandomState(seed).uniform: MT19937 seeded as std::mt19937 is, two draws
    // per 53-bit double. Matching it reproduces ONNX's reference outputs for a given seed.
    std::mt19937 engine(ctx.has_attr("seed") ? uint32_t(ctx.attr<int64_t>("seed"))
                                             : std::random_device{}());
    for (char& k : keep) {
      const uint32_t a = engine() >> 5, b = engine() >> 6;
      const double uniform = (a * 67108864.0 + b) / 9007199254740992.0;
      k = uniform >= m.ratio;
    }
  }
  const double scale = dropping ? 1.0 / (1.0 - m.ratio) : 1.0;
  if (!dropping) {
    // The identity: bytes copied as they are, whatever the element type.
    std::memcpy(ctx.output(0).data(), x.data(), x.byte_size());
  } else {
    visit_types<kFloat | kFloat8>(x.element_type(), [&]<class T>() {
      using C = compute_t<T>;
      const T* xs = x.data<T>();
      T* ys = ctx.output(0).data<T>();
      for (int64_t i = 0; i < x.size(); ++i) ys[i] = T(C(keep[i] ? double(C(xs[i])) * scale : 0.0));
    });
  }
  if (!ctx.has_output(1)) return;
  Tensor& mask = ctx.output(1);
  visit_types<kFloat | kBool>(mask.element_type(), [&]<class M>() {
    M* ms = mask.data<M>();
    for (int64_t i = 0; i < x.size(); ++i) {
      if constexpr (std::is_same_v<M, bool>)
        ms[i] = keep[i] != 0;
      else
        ms[i] = M(compute_t<M>(keep[i] ? 1 : 0));
    }
  });
}

}  // namespace

const OpDef& dropout_op() {
  static const OpDef def{.name = "Dropout",
                         .domain = "",
                         .versions = {1, 6, 7, 10, 12, 13, 22},
                         .infer = infer,
                         .reference = reference};
  return def;
}

}  // namespace tandem::ops
