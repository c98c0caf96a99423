// numpy matmul shapes and batch offsets.
#include "ops/math/matmul_plan.h"

#include "ops/shape_utils.h"

namespace tandem::ops {

ElementType common_element_type(const NodeContext& ctx, ElementType a, ElementType b,
                                const char* a_name, const char* b_name) {
  if (a == ElementType::Undefined) return b;
  if (b == ElementType::Undefined || a == b) return a;
  throw ctx.error(ErrorKind::InvalidModel, "{} is {} but {} is {}", a_name, to_string(a), b_name,
                  to_string(b));
}

MatMulPlan plan_matmul(const NodeContext& ctx, const Shape& a_in, const Shape& b_in) {
  if (a_in.empty() || b_in.empty())
    throw ctx.error(ErrorKind::InvalidModel, "matmul operands must not be scalars, got {} and {}",
                    to_string(a_in), to_string(b_in));
  Shape a = a_in, b = b_in;
  if (a.size() == 1) a.insert(a.begin(), 1);
  if (b.size() == 1) b.push_back(1);
  MatMulPlan p;
  p.m = a[a.size() - 2];
  p.k = a.back();
  p.n = b.back();
  if (b[b.size() - 2] != p.k)
    throw ctx.error(ErrorKind::InvalidModel,
                    "inner dimensions differ: A has shape {} and B has shape {}", to_string(a_in),
                    to_string(b_in));
  const Shape a_batch(a.begin(), a.end() - 2), b_batch(b.begin(), b.end() - 2);
  const Shape batch = broadcast_shapes(ctx, a_batch, b_batch);
  const int64_t count = shape_size(batch);
  std::vector<int64_t> ai, bi;
  broadcast_offsets(a_batch, batch, ai);
  broadcast_offsets(b_batch, batch, bi);
  p.a_offsets.resize(size_t(count));
  p.b_offsets.resize(size_t(count));
  bool folds = true;
  for (int64_t i = 0; i < count; ++i) {
    p.a_offsets[size_t(i)] = ai[size_t(i)] * p.m * p.k;
    p.b_offsets[size_t(i)] = bi[size_t(i)] * p.k * p.n;
    folds = folds && bi[size_t(i)] == 0 && ai[size_t(i)] == i;
  }
  p.folds_into_m = folds;
  p.out = batch;
  if (a_in.size() > 1) p.out.push_back(p.m);
  if (b_in.size() > 1) p.out.push_back(p.n);
  return p;
}

PartialShape matmul_shape(const NodeContext& ctx, const PartialShape& a, const PartialShape& b) {
  if (!a.rank_known() || !b.rank_known()) return PartialShape();
  if (a.rank() == 0 || b.rank() == 0)
    throw ctx.error(ErrorKind::InvalidModel, "matmul operands must not be scalars, got {} and {}",
                    to_string(a), to_string(b));
  std::vector<Dimension> ad = a.dims(), bd = b.dims();
  if (ad.size() == 1) ad.insert(ad.begin(), Dimension(1));
  if (bd.size() == 1) bd.push_back(Dimension(1));
  const Dimension& ka = ad.back();
  const Dimension& kb = bd[bd.size() - 2];
  if (ka.is_static() && kb.is_static() && ka.value != kb.value)
    throw ctx.error(ErrorKind::InvalidModel,
                    "inner dimensions differ: A has shape {} and B has shape {}", to_string(a),
                    to_string(b));
  PartialShape batch =
      broadcast_shapes(ctx, PartialShape(std::vector<Dimension>(ad.begin(), ad.end() - 2)),
                       PartialShape(std::vector<Dimension>(bd.begin(), bd.end() - 2)));
  std::vector<Dimension> out = batch.rank_known() ? batch.dims() : std::vector<Dimension>{};
  if (!batch.rank_known()) return PartialShape();
  if (a.rank() > 1) out.push_back(ad[ad.size() - 2]);
  if (b.rank() > 1) out.push_back(bd.back());
  return PartialShape(std::move(out));
}

}  // namespace tandem::ops
