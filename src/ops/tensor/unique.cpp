// Unique: the distinct elements (or slices along `axis`), sorted or in order of first occurrence,
// with the index of each one's first occurrence, each input's position among them, and counts.
#include "ops/tensor/tensor_common.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace tandem::ops {
namespace {
void infer(InferContext& ctx) {
  const PartialShape& in = ctx.input_shape(0);
  // Every output's length is the number of distinct values, known only to the kernel.
  PartialShape y = PartialShape::of_rank(1);
  if (ctx.has_attr("axis") && in.rank_known()) {
    const size_t axis = size_t(normalize_axis(ctx, ctx.attr<int64_t>("axis"), in.rank()));
    std::vector<Dimension> dims = in.dims();
    dims[axis] = Dimension();
    y = PartialShape(std::move(dims));
  } else if (ctx.has_attr("axis")) {
    y = PartialShape();
  }
  ctx.set_output(0, ctx.input_type(0), y);
  ctx.set_output(1, ElementType::I64, PartialShape::of_rank(1));
  ctx.set_output(2, ElementType::I64, PartialShape::of_rank(1));
  ctx.set_output(3, ElementType::I64, PartialShape::of_rank(1));
}

void reference(KernelContext& ctx) {
  const Tensor& x = ctx.input(0);
  const bool has_axis = ctx.has_attr("axis");
  const bool sorted = ctx.attr<int64_t>("sorted", 1) != 0;
  const size_t axis = has_axis ? size_t(normalize_axis(ctx, ctx.attr<int64_t>("axis"), x.rank())) : 0;
  // Slice j is the elements (o, j, i) for o < outer, i < inner; without an axis each is one element.
  int64_t outer = 1, inner = 1, count = x.size();
  if (has_axis) {
    count = x.shape()[axis];
    for (size_t d = 0; d < axis; ++d) outer *= x.shape()[d];
    for (size_t d = axis + 1; d < x.rank(); ++d) inner *= x.shape()[d];
  }
  std::vector<int64_t> order(static_cast<size_t>(count));
  std::iota(order.begin(), order.end(), 0);
  // group: slice -> index of its distinct value in `firsts`, the first occurrences in sorted order.
  std::vector<int64_t> group(static_cast<size_t>(count));
  std::vector<int64_t> firsts;
  visit_all(x.element_type(), [&]<class T>() {
    using C = compute_t<T>;
    const T* src = static_cast<const T*>(x.data());
    auto at = [&](int64_t slice, int64_t o, int64_t i) { return C(src[(o * count + slice) * inner + i]); };
    auto compare = [&](int64_t a, int64_t b) {  // -1, 0, 1, lexicographic over the slices' elements
      for (int64_t o = 0; o < outer; ++o)
        for (int64_t i = 0; i < inner; ++i) {
          const C va = at(a, o, i), vb = at(b, o, i);
          if constexpr (std::is_floating_point_v<C>) {
            // NaNs sort last and equal each other, keeping the order strict and weak.
            if (std::isnan(va) || std::isnan(vb)) {
              if (std::isnan(va) != std::isnan(vb)) return std::isnan(va) ? 1 : -1;
              continue;
            }
          }
          if (va < vb) return -1;
          if (vb < va) return 1;
        }
      return 0;
    };
    std::stable_sort(order.begin(), order.end(), [&](int64_t a, int64_t b) { return compare(a, b) < 0; });
    // Runs of equal slices in sorted order; a stable sort puts each run's first occurrence first.
    for (size_t k = 0; k < order.size(); ++k) {
      if (k == 0 || compare(order[k - 1], order[k]) != 0) firsts.push_back(order[k]);
      group[size_t(order[k])] = int64_t(firsts.size()) - 1;
    }
  });
  const int64_t unique = int64_t(firsts.size());
  // Output position of each run: sorted order as is, else by first occurrence.
  std::vector<int64_t> rank_of(static_cast<size_t>(unique));
  std::iota(rank_of.begin(), rank_of.end(), 0);
  if (!sorted) {
    std::vector<int64_t> by_first(static_cast<size_t>(unique));
    std::iota(by_first.begin(), by_first.end(), 0);
    std::sort(by_first.begin(), by_first.end(),
              [&](int64_t a, int64_t b) { return firsts[size_t(a)] < firsts[size_t(b)]; });
    for (int64_t p = 0; p < unique; ++p) rank_of[size_t(by_first[size_t(p)])] = p;
  }
  std::vector<int64_t> first_out(static_cast<size_t>(unique));
  std::vector<int64_t> counts(static_cast<size_t>(unique), 0);
  std::vector<int64_t> inverse(static_cast<size_t>(count));
  for (int64_t g = 0; g < unique; ++g) first_out[size_t(rank_of[size_t(g)])] = firsts[size_t(g)];
  for (int64_t j = 0; j < count; ++j) {
    inverse[size_t(j)] = rank_of[size_t(group[size_t(j)])];
    ++counts[size_t(inverse[size_t(j)])];
  }
  Shape y_shape{unique};
  if (has_axis) {
    y_shape = x.shape();
    y_shape[axis] = unique;
  }
  Tensor& y = ctx.allocate_output(0, x.element_type(), y_shape);
  visit_storage(x.element_type(), [&]<class S>() {
    const S* src = storage<S>(x);
    S* dst = storage<S>(y);
    for (int64_t o = 0; o < outer; ++o)
      for (int64_t f : first_out) {
        const S* row = src + (o * count + f) * inner;
        dst = std::copy(row, row + inner, dst);
      }
  });
  auto emit = [&](size_t i, const std::vector<int64_t>& v) {
    if (ctx.has_output(i)) ctx.set_output(i, Tensor::from<int64_t>(v, Shape{int64_t(v.size())}));
  };
  emit(1, first_out);
  emit(2, inverse);
  emit(3, counts);
}
}  // namespace

const OpDef& unique_op() {
  static const OpDef def{
      .name = "Unique", .versions = {11, 28}, .infer = infer, .reference = reference};
  return def;
}
}  // namespace tandem::ops
