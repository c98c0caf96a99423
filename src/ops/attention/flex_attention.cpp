// FlexAttention (ai.onnx.preview, version 1): scaled dot-product attention over rank-4 inputs
// whose scores and probabilities pass through optional subgraphs (score_mod after Q K^T, prob_mod
// after the softmax), like PyTorch's flex_attention. Query heads share KV heads in groups.
//
// As in ONNX's reference: Q and K are each scaled by sqrt(scale) rounded to their type, the
// scores are cast to the softmax precision (default float32 below 32 bits, else the input type),
// the modifiers and the softmax run in it, and P V is cast back to V's type.
#include <cmath>
#include <limits>
#include <vector>

#include "ops/attention/attention_common.h"
#include "ops/op.h"

namespace tandem::ops {
namespace {

ElementType precision_of(const NodeContext& ctx, ElementType input) {
  const ElementType fallback = input == ElementType::F64 ? ElementType::F64 : ElementType::F32;
  return softmax_precision(ctx, fallback);
}

void infer(InferContext& ctx) {
  for (size_t i : {0, 1, 2}) check_floating_input(ctx, i, i == 0 ? "Q" : i == 1 ? "K" : "V");
  precision_of(ctx, ctx.input_type(0));
  for (size_t i : {0, 1, 2})
    if (ctx.input_shape(i).rank_known() && ctx.input_shape(i).rank() != 4)
      throw ctx.error(ErrorKind::InvalidModel, "Q, K and V must be 4-D, input {} is {}", i,
                      to_string(ctx.input_shape(i)));
  const PartialShape& q = ctx.input_shape(0);
  const PartialShape& v = ctx.input_shape(2);
  ctx.set_output(0, ctx.input_type(0),
                 PartialShape({dim_at(q, 0), dim_at(q, 1), dim_at(q, 2), dim_at(v, 3)}));
}

// Runs a modifier subgraph on the (batch, q_heads, q_len, kv_len) tensor held in `values`.
void modify(KernelContext& ctx, const char* name, ElementType precision, const Shape& shape,
            std::vector<double>& values) {
  if (!ctx.has_attr(name)) return;
  Tensor in(precision, shape);
  store(values, in);
  std::vector<Value> out = ctx.run_subgraph(ctx.subgraph(name), {Value(in)});
  if (out.size() != 1 || !out[0].is_tensor() || out[0].tensor().shape() != shape ||
      !is_wide_float(out[0].tensor().element_type()))
    throw ctx.error(ErrorKind::InvalidArgument, "{} must give one floating tensor of shape {}",
                    name, to_string(shape));
  values = out[0].tensor().to_double();
  for (double& x : values) x = round_as(precision, x);
}

void reference(KernelContext& ctx) {
  const Tensor& q = ctx.input(0);
  const Tensor& k = ctx.input(1);
  const Tensor& v = ctx.input(2);
  const Shape& qs = q.shape();
  const Shape& ks = k.shape();
  const Shape& vs = v.shape();
  if (qs.size() != 4 || ks.size() != 4 || vs.size() != 4 || ks[0] != qs[0] || vs[0] != qs[0] ||
      vs[1] != ks[1] || vs[2] != ks[2] || ks[3] != qs[3] || ks[1] <= 0 || qs[1] % ks[1] != 0)
    throw ctx.error(ErrorKind::InvalidArgument,
                    "Q {}, K {}, V {} must be (batch, heads, length, size), K and V alike, with "
                    "query heads a multiple of KV heads",
                    to_string(qs), to_string(ks), to_string(vs));
  const int64_t batch = qs[0], q_heads = qs[1], q_len = qs[2], dk = qs[3];
  const int64_t kv_heads = ks[1], kv_len = ks[2], dv = vs[3], group = q_heads / kv_heads;
  const ElementType type = q.element_type();
  const ElementType precision = precision_of(ctx, type);
  // The reference takes sqrt of the scale in float32, then rounds it to the input type.
  const double scale =
      ctx.has_attr("scale") ? double(ctx.attr<float>("scale")) : 1.0 / std::sqrt(double(dk));
  const double root = round_as(type, double(std::sqrt(float(scale))));

  std::vector<double> qv = q.to_double(), kv = k.to_double();
  for (double& x : qv) x = round_as(type, x * root);
  for (double& x : kv) x = round_as(type, x * root);
  const std::vector<double> vv = v.to_double();

  const Shape score_shape{batch, q_heads, q_len, kv_len};
  std::vector<double> scores(size_t(shape_size(score_shape)));
  for (int64_t b = 0; b < batch; ++b)
    for (int64_t h = 0; h < q_heads; ++h) {
      const double* kh = kv.data() + (b * kv_heads + h / group) * kv_len * dk;
      for (int64_t i = 0; i < q_len; ++i) {
        const double* qi = qv.data() + ((b * q_heads + h) * q_len + i) * dk;
        double* row = scores.data() + ((b * q_heads + h) * q_len + i) * kv_len;
        for (int64_t j = 0; j < kv_len; ++j) {
          double dot = 0;
          for (int64_t d = 0; d < dk; ++d) dot += qi[d] * kh[j * dk + d];
          row[j] = round_as(precision, round_as(type, dot));
        }
      }
    }
  modify(ctx, "score_mod", precision, score_shape, scores);

  // A plain softmax: a fully masked row gives NaN, as in the reference.
  visit_float(precision, [&]<class P>() {
    for (int64_t r = 0; r * kv_len < int64_t(scores.size()); ++r) {
      std::span<double> row(scores.data() + r * kv_len, size_t(kv_len));
      double top = -std::numeric_limits<double>::infinity();
      for (double x : row) top = std::isnan(x) || std::isnan(top) ? x + top : std::max(top, x);
      for (double& x : row) x = round_as<P>(std::exp(round_as<P>(x - top)));
      const double sum = sum_as<P>(row);
      for (double& x : row) x = round_as<P>(x / sum);
    }
  });
  modify(ctx, "prob_mod", precision, score_shape, scores);

  std::vector<double> y(size_t(batch * q_heads * q_len * dv));
  for (int64_t b = 0; b < batch; ++b)
    for (int64_t h = 0; h < q_heads; ++h) {
      const double* vh = vv.data() + (b * kv_heads + h / group) * kv_len * dv;
      for (int64_t i = 0; i < q_len; ++i) {
        const int64_t row = (b * q_heads + h) * q_len + i;
        double* yi = y.data() + row * dv;
        for (int64_t j = 0; j < kv_len; ++j) {
          const double p = scores[row * kv_len + j];
          for (int64_t d = 0; d < dv; ++d) yi[d] += p * vh[j * dv + d];
        }
        for (int64_t d = 0; d < dv; ++d) yi[d] = round_as(precision, yi[d]);
      }
    }
  store(y, ctx.output(0));
}

}  // namespace

const OpDef& flex_attention_op() {
  static const OpDef def{.name = "FlexAttention",
                         .domain = "ai.onnx.preview",
                         .versions = {1},
                         .infer = infer,
                         .reference = reference};
  return def;
}

}  // namespace tandem::ops
