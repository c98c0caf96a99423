// Attention (opsets 23, 24, 25): scaled dot-product attention over heads, with grouped KV heads,
// an internal KV cache (past/present), masks, soft capping and the optional QK output.
//
// 24 added the nonpad_kv_seqlen input (an external cache: the per-batch count of valid keys, which
// also moves the causal frontier); 25 added left_window_size / right_window_size and forbids
// q_num_heads / kv_num_heads with 4-D inputs. The arithmetic follows ONNX's reference
// (onnx/reference/ops/op_attention.py) step by step: scores are softcapped before the bias is
// added (so -inf stays -inf), and each step is rounded to the input type where the reference's
// numpy arithmetic rounds, which float16 and bfloat16 results depend on.
#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>
#include <span>
#include <tuple>
#include <vector>

#include "ops/attention/attention_common.h"
#include "ops/op.h"

namespace tandem::ops {
namespace {

constexpr double kNegInf = -std::numeric_limits<double>::infinity();

// What the optional fourth output holds.
enum QkOutputMode : int64_t { kRawScores = 0, kSoftcapped = 1, kWithBias = 2, kProbabilities = 3 };

// The sizes of one call; inside, tensors are heads-first (batch, heads, sequence, head size).
struct Layout {
  bool packed = false;  // 3-D inputs (batch, sequence, heads * head size)
  int64_t batch = 0, q_heads = 0, kv_heads = 0;
  int64_t q_len = 0, kv_len = 0, past_len = 0, total_len = 0;
  int64_t head_size = 0, v_head_size = 0;
};

// The heads attributes of 3-D inputs; they must both be given and positive.
std::pair<int64_t, int64_t> packed_heads(const NodeContext& ctx) {
  if (!ctx.has_attr("q_num_heads") || !ctx.has_attr("kv_num_heads"))
    throw ctx.error(ErrorKind::InvalidModel,
                    "3-D Q, K and V need the q_num_heads and kv_num_heads attributes");
  const int64_t q_heads = ctx.attr<int64_t>("q_num_heads");
  const int64_t kv_heads = ctx.attr<int64_t>("kv_num_heads");
  if (q_heads <= 0 || kv_heads <= 0)
    throw ctx.error(ErrorKind::InvalidModel,
                    "q_num_heads ({}) and kv_num_heads ({}) must be positive", q_heads, kv_heads);
  return {q_heads, kv_heads};
}

Layout read_layout(const NodeContext& ctx, const Shape& q, const Shape& k, const Shape& v,
                   const Shape* past_key, const Shape* past_value) {
  auto mismatch = [&](const char* what) {
    return ctx.error(ErrorKind::InvalidArgument, "{}: Q {}, K {}, V {}", what, to_string(q),
                     to_string(k), to_string(v));
  };
  if (q.size() != k.size() || q.size() != v.size() || (q.size() != 3 && q.size() != 4))
    throw mismatch("Q, K and V must all be 3-D or all 4-D");
  Layout l;
  l.packed = q.size() == 3;
  l.batch = q[0];
  if (k[0] != l.batch || v[0] != l.batch) throw mismatch("Q, K and V differ in batch size");
  if (l.packed) {
    std::tie(l.q_heads, l.kv_heads) = packed_heads(ctx);
    if (q[2] % l.q_heads != 0 || v[2] % l.kv_heads != 0)
      throw mismatch("hidden sizes must be multiples of the head counts");
    l.head_size = q[2] / l.q_heads;
    l.v_head_size = v[2] / l.kv_heads;
    if (k[2] != l.kv_heads * l.head_size)
      throw mismatch("K's hidden size must be kv_num_heads times Q's head size");
    l.q_len = q[1];
    l.kv_len = k[1];
    if (v[1] != l.kv_len) throw mismatch("K and V differ in sequence length");
  } else {
    if (ctx.opset() >= 25 && (ctx.has_attr("q_num_heads") || ctx.has_attr("kv_num_heads")))
      throw ctx.error(ErrorKind::InvalidModel,
                      "q_num_heads and kv_num_heads must not be given with 4-D inputs");
    l.q_heads = q[1];
    l.kv_heads = k[1];
    l.q_len = q[2];
    l.kv_len = k[2];
    l.head_size = q[3];
    l.v_head_size = v[3];
    if (v[1] != l.kv_heads || v[2] != l.kv_len) throw mismatch("K and V differ in heads or length");
    if (k[3] != l.head_size) throw mismatch("Q and K differ in head size");
  }
  if (l.kv_heads <= 0 || l.q_heads % l.kv_heads != 0)
    throw ctx.error(ErrorKind::InvalidArgument, "{} query heads are not a multiple of {} KV heads",
                    l.q_heads, l.kv_heads);
  if (past_key && past_value) {
    const Shape& pk = *past_key;
    const Shape& pv = *past_value;
    l.past_len = pk.size() == 4 ? pk[2] : -1;
    if (pk != Shape{l.batch, l.kv_heads, l.past_len, l.head_size} ||
        pv != Shape{l.batch, l.kv_heads, l.past_len, l.v_head_size})
      throw ctx.error(ErrorKind::InvalidArgument,
                      "past_key {} and past_value {} must be [{},{},past,{}] and [{},{},past,{}]",
                      to_string(pk), to_string(pv), l.batch, l.kv_heads, l.head_size, l.batch,
                      l.kv_heads, l.v_head_size);
  }
  l.total_len = l.past_len + l.kv_len;
  return l;
}

// Checks of the node alone: which inputs go together, attribute ranges.
void check_node(const NodeContext& ctx) {
  if (ctx.has_input(4) != ctx.has_input(5))
    throw ctx.error(ErrorKind::InvalidModel, "past_key and past_value must be given together");
  if (ctx.has_input(6)) {
    if (ctx.opset() < 24)
      throw ctx.error(ErrorKind::InvalidModel, "nonpad_kv_seqlen is an input from opset 24 on");
    if (ctx.has_input(4))
      throw ctx.error(ErrorKind::InvalidModel,
                      "nonpad_kv_seqlen cannot be combined with past_key and past_value");
  }
  const int64_t mode = ctx.attr<int64_t>("qk_matmul_output_mode", kRawScores);
  if (mode < kRawScores || mode > kProbabilities)
    throw ctx.error(ErrorKind::InvalidModel, "qk_matmul_output_mode {} is not 0, 1, 2 or 3", mode);
  for (const char* name : {"left_window_size", "right_window_size"})
    if (ctx.opset() >= 25 && ctx.attr<int64_t>(name, -1) < -1)
      throw ctx.error(ErrorKind::InvalidModel, "{} must be -1 or nonnegative, got {}", name,
                      ctx.attr<int64_t>(name, -1));
  softmax_precision(ctx, ElementType::F32);
}

void infer(InferContext& ctx) {
  check_node(ctx);
  check_floating_input(ctx, 0, "Q");
  check_floating_input(ctx, 1, "K");
  check_floating_input(ctx, 2, "V");
  const bool has_past = ctx.has_input(4);
  const PartialShape& q = ctx.input_shape(0);
  const PartialShape& k = ctx.input_shape(1);
  const PartialShape& v = ctx.input_shape(2);
  PartialShape y, present_key, present_value, qk;
  if (q.is_static() && k.is_static() && v.is_static() &&
      (!has_past || (ctx.input_shape(4).is_static() && ctx.input_shape(5).is_static()))) {
    const Shape pk = has_past ? ctx.input_shape(4).to_shape() : Shape();
    const Shape pv = has_past ? ctx.input_shape(5).to_shape() : Shape();
    const Layout l = read_layout(ctx, q.to_shape(), k.to_shape(), v.to_shape(),
                                 has_past ? &pk : nullptr, has_past ? &pv : nullptr);
    y = l.packed ? PartialShape{l.batch, l.q_len, l.q_heads * l.v_head_size}
                 : PartialShape{l.batch, l.q_heads, l.q_len, l.v_head_size};
    present_key = PartialShape{l.batch, l.kv_heads, l.total_len, l.head_size};
    present_value = PartialShape{l.batch, l.kv_heads, l.total_len, l.v_head_size};
    qk = PartialShape{l.batch, l.q_heads, l.q_len, l.total_len};
  } else if (q.rank_known() && q.rank() == 4) {
    const Dimension past = has_past ? dim_at(ctx.input_shape(4), 2) : Dimension(0);
    const Dimension total = dim_add(past, dim_at(k, 2));
    y = PartialShape({q[0], q[1], q[2], dim_at(v, 3)});
    present_key = PartialShape({q[0], dim_at(k, 1), total, dim_at(k, 3)});
    present_value = PartialShape({q[0], dim_at(k, 1), total, dim_at(v, 3)});
    qk = PartialShape({q[0], q[1], q[2], total});
  } else if (q.rank_known() && q.rank() == 3) {
    const auto [q_heads, kv_heads] = packed_heads(ctx);
    const Dimension past = has_past ? dim_at(ctx.input_shape(4), 2) : Dimension(0);
    const Dimension total = dim_add(past, dim_at(k, 1));
    const Dimension v_head_size = dim_div(dim_at(v, 2), kv_heads);
    y = PartialShape({q[0], q[1], dim_mul(q_heads, v_head_size)});
    present_key = PartialShape({q[0], kv_heads, total, dim_div(q[2], q_heads)});
    present_value = PartialShape({q[0], kv_heads, total, v_head_size});
    qk = PartialShape({q[0], q_heads, q[1], total});
  }
  const ElementType t1 = ctx.input_type(0);
  ctx.set_output(0, t1, y);
  if (ctx.has_output(1)) ctx.set_output(1, t1, present_key);
  if (ctx.has_output(2)) ctx.set_output(2, ctx.input_type(2), present_value);
  if (ctx.has_output(3)) ctx.set_output(3, t1, qk);
}

// attn_mask as an additive bias over (batch, q_heads, q_len, total_len), broadcast from the right.
// Keys beyond its last dimension are masked: the reference pads it with -inf (false), never
// broadcasts that dimension. A boolean mask gives 0 where true, -inf where false.
class MaskBias {
 public:
  MaskBias(const KernelContext& ctx, const Tensor& mask, const Layout& l) {
    const Shape& s = mask.shape();
    const Shape target{l.batch, l.q_heads, l.q_len, l.total_len};
    bool fits = !s.empty() && s.size() <= 4 && s.back() <= l.total_len;
    width_ = s.empty() ? 0 : s.back();
    int64_t* strides[3] = {&batch_stride_, &head_stride_, &row_stride_};
    int64_t stride = width_;
    for (size_t k = 1; fits && k < s.size(); ++k) {
      const int64_t d = s[s.size() - 1 - k];
      const size_t axis = 3 - k;
      fits = d == 1 || d == target[axis];
      *strides[axis] = d == 1 ? 0 : stride;
      stride *= d;
    }
    if (!fits)
      throw ctx.error(ErrorKind::InvalidArgument,
                      "attn_mask of shape {} does not broadcast to {} (its last dimension may be "
                      "shorter, not longer)",
                      to_string(s), to_string(target));
    if (mask.element_type() == ElementType::Bool) {
      for (int64_t allowed : mask.to_int64()) values_.push_back(allowed ? 0.0 : kNegInf);
    } else {
      values_ = mask.to_double();
    }
  }
  // The bias of key j for query row i of head h in batch b.
  double at(int64_t b, int64_t h, int64_t i, int64_t j) const {
    if (j >= width_) return kNegInf;
    return values_[b * batch_stride_ + h * head_stride_ + i * row_stride_ + j];
  }

 private:
  std::vector<double> values_;
  int64_t width_ = 0, batch_stride_ = 0, head_stride_ = 0, row_stride_ = 0;
};

// Attributes and inputs of the computation, read once.
struct Problem {
  Layout layout;
  std::vector<double> q, k, v;  // heads-first; k and v hold past and new keys/values
  std::optional<MaskBias> mask;
  std::vector<int64_t> nonpad;  // valid keys per batch, when given
  bool causal = false;
  int64_t left_window = -1, right_window = -1;
  double scale = 0, softcap = 0;
  bool scale_given = false;
  int64_t qk_mode = kRawScores;
};

// Past and new keys (or values) concatenated along the sequence: (batch, kv_heads, total, size).
std::vector<double> concat_cache(const Tensor* past, const std::vector<double>& now,
                                 const Layout& l, int64_t size) {
  const std::vector<double> before = past ? past->to_double() : std::vector<double>();
  std::vector<double> all(size_t(l.batch * l.kv_heads * l.total_len * size));
  double* out = all.data();
  for (int64_t bh = 0; bh < l.batch * l.kv_heads; ++bh) {
    out = std::copy_n(before.data() + bh * l.past_len * size, l.past_len * size, out);
    out = std::copy_n(now.data() + bh * l.kv_len * size, l.kv_len * size, out);
  }
  return all;
}

// The reference's _softmax of one row in precision P: a row whose maximum is -inf (fully masked)
// gives zeros instead of NaN; a NaN anywhere makes the row NaN, as numpy's max propagates it.
template <class P>
void softmax_row(std::span<double> x) {
  double top = kNegInf;
  bool nan = false;
  for (double v : x) {
    if (std::isnan(v)) nan = true;
    top = std::max(top, v);
  }
  if (nan) top = std::numeric_limits<double>::quiet_NaN();
  const double shift = top == kNegInf ? 0.0 : top;
  for (double& v : x) v = round_as<P>(std::exp(round_as<P>(v - shift)));
  double sum = sum_as<P>(x);
  if (sum == 0) sum = 1;
  for (double& v : x) v = round_as<P>(v / sum);
}

// T: Q's element type, the precision of the scores; P: the softmax precision.
template <class T, class P>
void attend(const Problem& p, std::vector<double>& y, std::vector<double>& qk_out) {
  const Layout& l = p.layout;
  // The reference divides half-precision scores by the float32 softcap attribute, which numpy
  // promotes to float32: softcapped scores, and everything up to the softmax, are then float32.
  const bool wide = is_half_v<T> && p.softcap > 0;
  auto round_score = [wide](double x) { return wide ? round_as<float>(x) : round_as<T>(x); };

  // sqrt(scale) in float32 for the attribute (a float32), in double for the default.
  const double root =
      round_as<T>(p.scale_given ? double(std::sqrt(float(p.scale))) : std::sqrt(p.scale));
  std::vector<double> q(p.q.size()), k(p.k.size());
  for (size_t i = 0; i < q.size(); ++i) q[i] = round_as<T>(p.q[i] * root);
  for (size_t i = 0; i < k.size(); ++i) k[i] = round_as<T>(p.k[i] * root);

  const int64_t group = l.q_heads / l.kv_heads, n = l.total_len, dk = l.head_size,
                dv = l.v_head_size;
  std::vector<double> scores(n), bias(n), acc(dv);
  for (int64_t b = 0; b < l.batch; ++b) {
    const int64_t offset = l.past_len > 0     ? l.past_len
                           : p.nonpad.empty() ? 0
                                              : p.nonpad[b] - l.q_len;
    for (int64_t h = 0; h < l.q_heads; ++h) {
      const int64_t kv_head = (b * l.kv_heads + h / group) * n;
      for (int64_t i = 0; i < l.q_len; ++i) {
        const int64_t row = (b * l.q_heads + h) * l.q_len + i;
        const double* qi = q.data() + row * dk;
        double* qk_row = qk_out.empty() ? nullptr : qk_out.data() + row * n;
        for (int64_t j = 0; j < n; ++j) {
          const double* kj = k.data() + (kv_head + j) * dk;
          double dot = 0;
          for (int64_t d = 0; d < dk; ++d) dot += qi[d] * kj[d];
          scores[j] = round_as<T>(dot);
        }
        if (qk_row && p.qk_mode == kRawScores) std::copy(scores.begin(), scores.end(), qk_row);
        if (p.softcap > 0)
          for (double& s : scores)
            s = round_score(round_score(std::tanh(round_score(s / p.softcap))) * p.softcap);
        if (qk_row && p.qk_mode == kSoftcapped) std::copy(scores.begin(), scores.end(), qk_row);

        bool all_masked = true;
        for (int64_t j = 0; j < n; ++j) {
          double bj = p.mask ? p.mask->at(b, h, i, j) : 0.0;
          const int64_t ahead = j - (i + offset);  // > 0: a key after the query's position
          if (p.causal && ahead > 0) bj += kNegInf;
          if (p.left_window >= 0 && -ahead > p.left_window) bj += kNegInf;
          if (p.right_window >= 0 && ahead > p.right_window) bj += kNegInf;
          if (!p.nonpad.empty() && j >= p.nonpad[b]) bj += kNegInf;
          all_masked = all_masked && bj == kNegInf;
          scores[j] = round_score(scores[j] + bj);
        }
        if (qk_row && p.qk_mode == kWithBias) std::copy(scores.begin(), scores.end(), qk_row);

        for (double& s : scores) s = round_as<P>(s);
        softmax_row<P>(scores);
        // A row with no key to attend gives zeros, decided on the bias rather than the scores
        // (a masked +inf score would otherwise poison it with NaN).
        for (double& s : scores) s = all_masked ? 0.0 : round_as<T>(s);
        if (qk_row && p.qk_mode == kProbabilities) std::copy(scores.begin(), scores.end(), qk_row);

        std::fill(acc.begin(), acc.end(), 0.0);
        for (int64_t j = 0; j < n; ++j) {
          const double* vj = p.v.data() + (kv_head + j) * dv;
          for (int64_t d = 0; d < dv; ++d) acc[d] += scores[j] * vj[d];
        }
        double* yi = y.data() + (l.packed ? ((b * l.q_len + i) * l.q_heads + h) * dv : row * dv);
        std::copy(acc.begin(), acc.end(), yi);
      }
    }
  }
}

void reference(KernelContext& ctx) {
  check_node(ctx);
  const Tensor& q = ctx.input(0);
  const Tensor& k = ctx.input(1);
  const Tensor& v = ctx.input(2);
  const Tensor* past_key = ctx.has_input(4) ? &ctx.input(4) : nullptr;
  const Tensor* past_value = ctx.has_input(5) ? &ctx.input(5) : nullptr;
  Problem p;
  Layout& l = p.layout;
  l = read_layout(ctx, q.shape(), k.shape(), v.shape(), past_key ? &past_key->shape() : nullptr,
                  past_value ? &past_value->shape() : nullptr);

  p.q = heads_first(q, l.q_heads);
  p.k = concat_cache(past_key, heads_first(k, l.kv_heads), l, l.head_size);
  p.v = concat_cache(past_value, heads_first(v, l.kv_heads), l, l.v_head_size);
  if (ctx.has_output(1)) store(p.k, ctx.output(1));
  if (ctx.has_output(2)) store(p.v, ctx.output(2));

  if (ctx.has_input(3)) p.mask.emplace(ctx, ctx.input(3), l);
  if (ctx.has_input(6)) {
    const Tensor& lengths = ctx.input(6);
    if (lengths.element_type() != ElementType::I64 || lengths.shape() != Shape{l.batch})
      throw ctx.error(ErrorKind::InvalidArgument, "nonpad_kv_seqlen must be i64[{}], got {}",
                      l.batch, describe(lengths));
    p.nonpad = lengths.to_int64();
  }
  p.causal = ctx.attr<int64_t>("is_causal", 0) != 0;
  if (ctx.opset() >= 25) {
    p.left_window = ctx.attr<int64_t>("left_window_size", -1);
    p.right_window = ctx.attr<int64_t>("right_window_size", -1);
  }
  // The default is 1/sqrt(head_size); Q and K are each scaled by its square root.
  p.scale_given = ctx.has_attr("scale");
  p.scale = ctx.has_attr("scale") ? double(ctx.attr<float>("scale"))
                                  : 1.0 / std::sqrt(double(l.head_size));
  p.softcap = ctx.attr<float>("softcap", 0.0f);
  p.qk_mode = ctx.attr<int64_t>("qk_matmul_output_mode", kRawScores);

  const ElementType t1 = q.element_type();
  // Without softmax_precision the softmax runs in the scores' type: T1, or float32 for softcapped
  // half-precision scores (see attend).
  const bool half = t1 == ElementType::F16 || t1 == ElementType::BF16;
  const ElementType fallback = half && p.softcap > 0 ? ElementType::F32 : t1;
  const ElementType precision = softmax_precision(ctx, fallback);
  std::vector<double> y(size_t(l.batch * l.q_heads * l.q_len * l.v_head_size));
  std::vector<double> qk;
  if (ctx.has_output(3)) qk.resize(size_t(l.batch * l.q_heads * l.q_len * l.total_len));
  visit_float(
      t1, [&]<class T>() { visit_float(precision, [&]<class P>() { attend<T, P>(p, y, qk); }); });
  store(y, ctx.output(0));
  if (ctx.has_output(3)) store(qk, ctx.output(3));
}

}  // namespace

const OpDef& attention_op() {
  static const OpDef def{
      .name = "Attention", .versions = {23, 24, 25}, .infer = infer, .reference = reference};
  return def;
}

}  // namespace tandem::ops
