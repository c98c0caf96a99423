// MultiHeadAttention (com.tandem): softmax(scale * Q.K^T + Mask).V over each batch and head, with
// the heads of Q, K, V and Y beside each other in the last two axes (multi_head_attention.h).
// The reference computes each row of scores, its softmax and the weighted sum of V in double and
// rounds once, to the element type, where the nodes it replaces rounded at every step.
#include "ops/attention/multi_head_attention.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "ops/attention/attention_common.h"
#include "ops/op.h"
#include "ops/tandem_domain.h"

namespace tandem::ops {
namespace {

// Checks that Q, K, V and the mask (null if absent) fit together, as far as their shapes are
// known, and returns Y's shape; throws `kind` naming the shapes where they do not.
PartialShape check_shapes(const NodeContext& ctx, ErrorKind kind, const PartialShape& q,
                          const PartialShape& k, const PartialShape& v, const PartialShape* mask) {
  const auto mismatch = [&](const char* what) {
    return ctx.error(kind, "{}: Q {}, K {}, V {}", what, to_string(q), to_string(k), to_string(v));
  };
  size_t rank = 0;
  for (const PartialShape* s : {&q, &k, &v}) {
    if (!s->rank_known()) continue;
    if (s->rank() != 3 && s->rank() != 4) throw mismatch("Q, K and V must be 3-D or 4-D");
    if (rank != 0 && s->rank() != rank) throw mismatch("Q, K and V must have the same rank");
    rank = s->rank();
  }
  if (rank == 0) return PartialShape();
  // Axes from the end: head size, heads, sequence, batch.
  const auto dim = [&](const PartialShape& s, size_t from_end) {
    return s.rank_known() ? s[rank - 1 - from_end] : Dimension();
  };
  const auto differ = [](const Dimension& a, const Dimension& b) {
    return a.is_static() && b.is_static() && a.value != b.value;
  };
  if (differ(dim(q, 1), dim(k, 1)) || differ(dim(q, 1), dim(v, 1)))
    throw mismatch("Q, K and V differ in heads");
  if (differ(dim(q, 0), dim(k, 0))) throw mismatch("Q and K differ in head size");
  if (differ(dim(k, 2), dim(v, 2))) throw mismatch("K and V differ in sequence length");
  if (rank == 4 && (differ(dim(q, 3), dim(k, 3)) || differ(dim(q, 3), dim(v, 3))))
    throw mismatch("Q, K and V differ in batch");

  // Y is Q with V's head size; the scores are [B,] H, S_q, S_kv.
  std::vector<Dimension> y(rank), scores(rank);
  for (size_t i = 0; i < rank; ++i) y[rank - 1 - i] = dim(q, i);
  y[rank - 1] = dim(v, 0);
  if (rank == 4) scores[0] = dim(q, 3);
  scores[rank - 3] = dim(q, 1);
  scores[rank - 2] = dim(q, 2);
  scores[rank - 1] = dim(k, 2);
  // The mask may broadcast to the scores but not grow them.
  if (!mask || !mask->rank_known()) return PartialShape(std::move(y));
  bool fits = mask->rank() <= rank;
  for (size_t i = 0; fits && i < mask->rank(); ++i) {
    const Dimension& m = (*mask)[mask->rank() - 1 - i];
    fits = m.value == 1 || !differ(m, scores[rank - 1 - i]);
  }
  if (!fits)
    throw ctx.error(kind, "Mask {} does not broadcast to the scores {}", to_string(*mask),
                    to_string(PartialShape(scores)));
  return PartialShape(std::move(y));
}

void infer(InferContext& ctx) {
  const bool has_mask = ctx.has_input(kMultiHeadAttentionMaskInput);
  ElementType type = ElementType::Undefined;
  static constexpr const char* kNames[] = {"Q", "K", "V", "Mask"};
  for (size_t i = 0; i < (has_mask ? 4u : 3u); ++i) {
    check_floating_input(ctx, i, kNames[i]);
    const ElementType t = ctx.input_type(i);
    if (type != ElementType::Undefined && t != ElementType::Undefined && t != type)
      throw ctx.error(ErrorKind::InvalidModel, "inputs are {} and {}, expected one element type",
                      to_string(type), to_string(t));
    if (t != ElementType::Undefined) type = t;
  }
  ctx.attr<float>("scale");  // required
  ctx.set_output(0, type,
                 check_shapes(ctx, ErrorKind::InvalidModel, ctx.input_shape(0), ctx.input_shape(1),
                              ctx.input_shape(2),
                              has_mask ? &ctx.input_shape(kMultiHeadAttentionMaskInput) : nullptr));
}

void reference(KernelContext& ctx) {
  const Tensor &q = ctx.input(0), &k = ctx.input(1), &v = ctx.input(2);
  const Tensor* mask = ctx.has_input(kMultiHeadAttentionMaskInput)
                           ? &ctx.input(kMultiHeadAttentionMaskInput)
                           : nullptr;
  const PartialShape mask_shape = mask ? PartialShape(mask->shape()) : PartialShape();
  check_shapes(ctx, ErrorKind::InvalidArgument, q.shape(), k.shape(), v.shape(),
               mask ? &mask_shape : nullptr);
  const double scale = ctx.attr<float>("scale");
  const size_t rank = q.rank();
  const int64_t batch = rank == 4 ? q.shape()[0] : 1;
  const int64_t q_len = q.shape()[rank - 3], heads = q.shape()[rank - 2];
  const int64_t head_size = q.shape()[rank - 1];
  const int64_t kv_len = k.shape()[rank - 3], v_head_size = v.shape()[rank - 1];

  // The mask's element for scores [b, h, i, j]: broadcast axes step by 0.
  std::vector<int64_t> mask_strides(4, 0);
  if (mask) {
    const Shape& m = mask->shape();
    int64_t stride = 1;
    for (size_t a = 0; a < m.size(); ++a) {
      const size_t axis = m.size() - 1 - a;
      mask_strides[3 - a] = m[axis] == 1 ? 0 : stride;
      stride *= m[axis];
    }
  }
  const std::vector<double> qs = q.to_double(), ks = k.to_double(), vs = v.to_double();
  const std::vector<double> ms = mask ? mask->to_double() : std::vector<double>();
  std::vector<double> y(size_t(batch * q_len * heads * v_head_size)), p(kv_len);
  for (int64_t b = 0; b < batch; ++b)
    for (int64_t h = 0; h < heads; ++h)
      for (int64_t i = 0; i < q_len; ++i) {
        const double* qi = qs.data() + ((b * q_len + i) * heads + h) * head_size;
        double max = -std::numeric_limits<double>::infinity();
        for (int64_t j = 0; j < kv_len; ++j) {
          const double* kj = ks.data() + ((b * kv_len + j) * heads + h) * head_size;
          double dot = 0;
          for (int64_t d = 0; d < head_size; ++d) dot += qi[d] * kj[d];
          p[j] = scale * dot;
          if (mask)
            p[j] += ms[b * mask_strides[0] + h * mask_strides[1] + i * mask_strides[2] +
                       j * mask_strides[3]];
          max = std::max(max, p[j]);
        }
        double sum = 0;
        for (double& x : p) sum += x = std::exp(x - max);
        double* yi = y.data() + ((b * q_len + i) * heads + h) * v_head_size;
        for (int64_t j = 0; j < kv_len; ++j) {
          const double* vj = vs.data() + ((b * kv_len + j) * heads + h) * v_head_size;
          const double weight = p[j] / sum;
          for (int64_t d = 0; d < v_head_size; ++d) yi[d] += weight * vj[d];
        }
      }
  store(y, ctx.output(0));
}

}  // namespace

const OpDef& multi_head_attention_op() {
  static const OpDef def{.name = "MultiHeadAttention",
                         .domain = kTandemDomain,
                         .versions = {kTandemOpset},
                         .infer = infer,
                         .reference = reference};
  return def;
}

}  // namespace tandem::ops
