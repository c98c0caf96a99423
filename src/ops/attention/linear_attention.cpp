// LinearAttention (opset 27): attention as a recurrence over a per-KV-head state S (d_k x d_v),
// one token at a time, as ONNX's reference runs it:
//   linear:      S = S + k v^T
//   gated:       S = exp(g) S + k v^T
//   delta:       S = S + k (beta (v - S^T k))^T
//   gated_delta: S = exp(g) S, then as delta
// and o = scale * q^T S. Query heads share KV heads in groups (GQA). Inputs are packed 3-D
// (batch, time, heads * size); the state is (batch, kv_heads, d_k, d_v). The reference computes
// in float32 whatever the input type; so does this kernel.
#include <cmath>
#include <string>
#include <vector>

#include "ops/attention/attention_common.h"
#include "ops/op.h"

namespace tandem::ops {
namespace {

struct Rule {
  bool gated = false;  // decays the state by exp(decay)
  bool delta = false;  // writes beta * (v - S^T k) rather than v
};

Rule read_rule(const NodeContext& ctx) {
  const std::string rule = ctx.attr<std::string>("update_rule", "gated_delta");
  if (rule != "linear" && rule != "gated" && rule != "delta" && rule != "gated_delta")
    throw ctx.error(ErrorKind::InvalidModel,
                    "update_rule '{}' is not one of linear, gated, delta, gated_delta", rule);
  const Rule r{rule == "gated" || rule == "gated_delta", rule == "delta" || rule == "gated_delta"};
  if (r.gated != ctx.has_input(4))
    throw ctx.error(ErrorKind::InvalidModel, "update_rule '{}' {} the decay input", rule,
                    r.gated ? "requires" : "forbids");
  if (r.delta != ctx.has_input(5))
    throw ctx.error(ErrorKind::InvalidModel, "update_rule '{}' {} the beta input", rule,
                    r.delta ? "requires" : "forbids");
  return r;
}

std::pair<int64_t, int64_t> read_heads(const NodeContext& ctx) {
  const int64_t q_heads = ctx.attr<int64_t>("q_num_heads");
  const int64_t kv_heads = ctx.attr<int64_t>("kv_num_heads");
  if (q_heads <= 0 || kv_heads <= 0 || q_heads % kv_heads != 0)
    throw ctx.error(ErrorKind::InvalidModel,
                    "q_num_heads ({}) must be a positive multiple of kv_num_heads ({})", q_heads,
                    kv_heads);
  return {q_heads, kv_heads};
}

void infer(InferContext& ctx) {
  read_rule(ctx);
  const auto [q_heads, kv_heads] = read_heads(ctx);
  for (size_t i : {0, 1, 2, 3, 4, 5})
    if (ctx.has_input(i))
      check_floating_input(ctx, i, "query, key, value, past_state, decay, beta");
  const PartialShape& q = ctx.input_shape(0);
  const PartialShape& v = ctx.input_shape(2);
  for (size_t i : {0, 1, 2})
    if (ctx.input_shape(i).rank_known() && ctx.input_shape(i).rank() != 3)
      throw ctx.error(ErrorKind::InvalidModel, "query, key and value must be 3-D, input {} is {}",
                      i, to_string(ctx.input_shape(i)));
  const Dimension d_k = dim_div(dim_at(q, 2), q_heads), d_v = dim_div(dim_at(v, 2), kv_heads);
  const ElementType type = ctx.input_type(0);
  ctx.set_output(0, type, PartialShape({dim_at(q, 0), dim_at(q, 1), dim_mul(q_heads, d_v)}));
  if (ctx.has_output(1))
    ctx.set_output(1, ctx.has_input(3) ? ctx.input_type(3) : type,
                   PartialShape({dim_at(q, 0), kv_heads, d_k, d_v}));
}

void reference(KernelContext& ctx) {
  const Rule rule = read_rule(ctx);
  const auto [q_heads, kv_heads] = read_heads(ctx);
  const Tensor& query = ctx.input(0);
  const Tensor& key = ctx.input(1);
  const Tensor& value = ctx.input(2);
  const Shape& qs = query.shape();
  const Shape& ks = key.shape();
  const Shape& vs = value.shape();
  if (qs.size() != 3 || ks.size() != 3 || vs.size() != 3 || ks[0] != qs[0] || vs[0] != qs[0] ||
      ks[1] != qs[1] || vs[1] != qs[1] || qs[2] % q_heads != 0 || vs[2] % kv_heads != 0 ||
      ks[2] != kv_heads * (qs[2] / q_heads))
    throw ctx.error(ErrorKind::InvalidArgument,
                    "query {}, key {}, value {} must be (batch, time, heads * size) with {} query "
                    "and {} KV heads of one key size",
                    to_string(qs), to_string(ks), to_string(vs), q_heads, kv_heads);
  const int64_t batch = qs[0], steps = qs[1], d_k = qs[2] / q_heads, d_v = vs[2] / kv_heads;
  const int64_t group = q_heads / kv_heads;

  // decay: one value per KV head or per key feature; beta: per KV head or one for all.
  std::vector<double> decay, beta;
  int64_t decay_width = 0, beta_width = 0;
  if (rule.gated) {
    const Tensor& g = ctx.input(4);
    decay_width = g.rank() == 3 ? g.shape()[2] : -1;
    if (g.shape() != Shape{batch, steps, decay_width} ||
        (decay_width != kv_heads && decay_width != kv_heads * d_k))
      throw ctx.error(ErrorKind::InvalidArgument, "decay must be [{},{},{} or {}], got {}", batch,
                      steps, kv_heads, kv_heads * d_k, to_string(g.shape()));
    decay = g.to_double();
  }
  if (rule.delta) {
    const Tensor& bt = ctx.input(5);
    beta_width = bt.rank() == 3 ? bt.shape()[2] : -1;
    if (bt.shape() != Shape{batch, steps, beta_width} ||
        (beta_width != kv_heads && beta_width != 1))
      throw ctx.error(ErrorKind::InvalidArgument, "beta must be [{},{},{} or 1], got {}", batch,
                      steps, kv_heads, to_string(bt.shape()));
    beta = bt.to_double();
  }
  const Shape state_shape{batch, kv_heads, d_k, d_v};
  std::vector<float> state(size_t(batch * kv_heads * d_k * d_v), 0.0f);
  if (ctx.has_input(3)) {
    const Tensor& past = ctx.input(3);
    if (past.shape() != state_shape)
      throw ctx.error(ErrorKind::InvalidArgument, "past_state must be {}, got {}",
                      to_string(state_shape), to_string(past.shape()));
    const std::vector<double> values = past.to_double();
    state.assign(values.begin(), values.end());
  }
  const float scale_attr = ctx.attr<float>("scale", 0.0f);
  const float scale = scale_attr == 0.0f ? float(1.0 / std::sqrt(double(d_k))) : scale_attr;

  const std::vector<double> qv = query.to_double(), kv = key.to_double(), vv = value.to_double();
  std::vector<double> out(size_t(batch * steps * q_heads * d_v));
  std::vector<float> update(d_v);
  for (int64_t b = 0; b < batch; ++b)
    for (int64_t t = 0; t < steps; ++t) {
      const int64_t token = b * steps + t;
      for (int64_t h = 0; h < kv_heads; ++h) {
        float* s = state.data() + (b * kv_heads + h) * d_k * d_v;
        const double* k = kv.data() + (token * kv_heads + h) * d_k;
        const double* v = vv.data() + (token * kv_heads + h) * d_v;
        if (rule.gated)
          for (int64_t d = 0; d < d_k; ++d) {
            const double g = decay_width == kv_heads ? decay[token * kv_heads + h]
                                                     : decay[(token * kv_heads + h) * d_k + d];
            const float factor = std::exp(float(g));
            for (int64_t m = 0; m < d_v; ++m) s[d * d_v + m] *= factor;
          }
        for (int64_t m = 0; m < d_v; ++m) update[m] = float(v[m]);
        if (rule.delta) {
          const float rate = float(beta[token * beta_width + (beta_width == 1 ? 0 : h)]);
          for (int64_t m = 0; m < d_v; ++m) {
            float retrieved = 0;
            for (int64_t d = 0; d < d_k; ++d) retrieved += s[d * d_v + m] * float(k[d]);
            update[m] = rate * (update[m] - retrieved);
          }
        }
        for (int64_t d = 0; d < d_k; ++d)
          for (int64_t m = 0; m < d_v; ++m) s[d * d_v + m] += float(k[d]) * update[m];
        for (int64_t hq = h * group; hq < (h + 1) * group; ++hq) {
          const double* q = qv.data() + (token * q_heads + hq) * d_k;
          double* o = out.data() + (token * q_heads + hq) * d_v;
          for (int64_t m = 0; m < d_v; ++m) {
            float dot = 0;
            for (int64_t d = 0; d < d_k; ++d) dot += float(q[d]) * s[d * d_v + m];
            o[m] = scale * dot;
          }
        }
      }
    }
  store(out, ctx.output(0));
  if (ctx.has_output(1)) store(std::vector<double>(state.begin(), state.end()), ctx.output(1));
}

}  // namespace

const OpDef& linear_attention_op() {
  static const OpDef def{
      .name = "LinearAttention", .versions = {27}, .infer = infer, .reference = reference};
  return def;
}

}  // namespace tandem::ops
