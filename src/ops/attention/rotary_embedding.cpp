// RotaryEmbedding (opset 23): rotates pairs of each head's first rotary_embedding_dim features by
// position-dependent angles given as cosine and sine caches (RoPE).
//
// Pairs are (k, k + dim/2) by default, (2k, 2k + 1) when interleaved. The caches are indexed by
// position_ids (batch, sequence) when given, else already (batch, sequence, dim/2). Each product
// and sum is rounded to the input type, as the reference's numpy arithmetic does.
#include <vector>

#include "ops/attention/attention_common.h"
#include "ops/op.h"

namespace tandem::ops {
namespace {

void infer(InferContext& ctx) {
  for (size_t i : {0, 1, 2})
    check_floating_input(ctx, i, i == 0 ? "X" : i == 1 ? "cos_cache" : "sin_cache");
  const PartialShape& x = ctx.input_shape(0);
  if (x.rank_known() && x.rank() != 3 && x.rank() != 4)
    throw ctx.error(ErrorKind::InvalidModel, "X must be 3-D or 4-D, got shape {}", to_string(x));
  if (x.rank_known() && x.rank() == 3 && ctx.attr<int64_t>("num_heads", 0) <= 0)
    throw ctx.error(ErrorKind::InvalidModel, "a 3-D X needs a positive num_heads attribute");
  ctx.set_output(0, ctx.input_type(0), x);
}

// Sizes, with X viewed as (batch, sequence, heads, head size) through strides.
struct Layout {
  int64_t batch = 0, length = 0, heads = 0, head_size = 0;
  int64_t batch_stride = 0, position_stride = 0, head_stride = 0;
};

Layout read_layout(const KernelContext& ctx, const Shape& x) {
  Layout l;
  if (x.size() == 4) {  // (batch, heads, sequence, head size)
    l = {x[0], x[2], x[1], x[3], x[1] * x[2] * x[3], x[3], x[2] * x[3]};
    return l;
  }
  if (x.size() != 3)
    throw ctx.error(ErrorKind::InvalidArgument, "X must be 3-D or 4-D, got shape {}", to_string(x));
  const int64_t heads = ctx.attr<int64_t>("num_heads", 0);
  if (heads <= 0 || x[2] % heads != 0)
    throw ctx.error(ErrorKind::InvalidArgument, "hidden size {} is not a multiple of num_heads {}",
                    x[2], heads);
  const int64_t head_size = x[2] / heads;
  return {x[0], x[1], heads, head_size, x[1] * x[2], x[2], head_size};
}

void reference(KernelContext& ctx) {
  const Tensor& x = ctx.input(0);
  const Tensor& cos_cache = ctx.input(1);
  const Tensor& sin_cache = ctx.input(2);
  const Layout l = read_layout(ctx, x.shape());
  int64_t dim = ctx.attr<int64_t>("rotary_embedding_dim", 0);
  if (dim == 0) dim = l.head_size;
  if (dim < 0 || dim > l.head_size || dim % 2 != 0)
    throw ctx.error(ErrorKind::InvalidArgument,
                    "rotary_embedding_dim {} must be even and at most the head size {}", dim,
                    l.head_size);
  const int64_t half = dim / 2;
  const bool interleaved = ctx.attr<int64_t>("interleaved", 0) != 0;

  // Row (b, s) of the caches: a position's row, or the (b, s) row itself without position_ids.
  std::vector<int64_t> cache_row(size_t(l.batch * l.length));
  const Shape& cs = cos_cache.shape();
  if (sin_cache.shape() != cs)
    throw ctx.error(ErrorKind::InvalidArgument, "cos_cache {} and sin_cache {} differ in shape",
                    to_string(cs), to_string(sin_cache.shape()));
  if (ctx.has_input(3)) {
    const Tensor& ids = ctx.input(3);
    if (ids.shape() != Shape{l.batch, l.length} || cs.size() != 2)
      throw ctx.error(ErrorKind::InvalidArgument,
                      "position_ids must be [{},{}] and the caches 2-D, got {} and {}", l.batch,
                      l.length, to_string(ids.shape()), to_string(cs));
    cache_row = ids.to_int64();
    for (int64_t id : cache_row)
      if (id < 0 || id >= cs[0])
        throw ctx.error(ErrorKind::InvalidArgument, "position id {} is outside the caches' {} rows",
                        id, cs[0]);
  } else {
    if (cs.size() != 3 || cs[0] != l.batch || cs[1] != l.length)
      throw ctx.error(ErrorKind::InvalidArgument,
                      "without position_ids the caches must be [{},{},{}], got {}", l.batch,
                      l.length, half, to_string(cs));
    for (size_t r = 0; r < cache_row.size(); ++r) cache_row[r] = int64_t(r);
  }
  if (cs.back() != half)
    throw ctx.error(ErrorKind::InvalidArgument,
                    "the caches' last dimension {} is not rotary_embedding_dim/2 = {}", cs.back(),
                    half);
  const std::vector<double> cosines = cos_cache.to_double(), sines = sin_cache.to_double();

  visit_float(x.element_type(), [&]<class T>() {
    auto r = [](double v) { return round_as<T>(v); };
    const T* in = x.data<T>();
    T* out = ctx.output(0).data<T>();
    std::copy(in, in + x.size(), out);  // features past `dim` pass through
    for (int64_t b = 0; b < l.batch; ++b)
      for (int64_t s = 0; s < l.length; ++s) {
        const int64_t row = cache_row[b * l.length + s] * half;
        for (int64_t h = 0; h < l.heads; ++h) {
          const int64_t base = b * l.batch_stride + s * l.position_stride + h * l.head_stride;
          for (int64_t k = 0; k < half; ++k) {
            const int64_t i1 = base + (interleaved ? 2 * k : k);
            const int64_t i2 = base + (interleaved ? 2 * k + 1 : k + half);
            const double x1 = double(compute_t<T>(in[i1])), x2 = double(compute_t<T>(in[i2]));
            const double c = cosines[row + k], sn = sines[row + k];
            out[i1] = T(compute_t<T>(r(r(c * x1) - r(sn * x2))));
            out[i2] = T(compute_t<T>(r(r(sn * x1) + r(c * x2))));
          }
        }
      }
  });
}

}  // namespace

const OpDef& rotary_embedding_op() {
  static const OpDef def{
      .name = "RotaryEmbedding", .versions = {23}, .infer = infer, .reference = reference};
  return def;
}

}  // namespace tandem::ops
