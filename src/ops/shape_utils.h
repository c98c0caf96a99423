// Shape arithmetic shared by ops: axes, strides, broadcasting.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "ops/node_context.h"
#include "tandem/shape.h"
#include "tandem/tensor.h"

namespace tandem::ops {

/// Maps a possibly negative axis into [0, rank); throws InvalidModel (with the node) if outside.
int64_t normalize_axis(const NodeContext& ctx, int64_t axis, size_t rank);
/// Row-major strides in elements.
std::vector<int64_t> strides_of(const Shape& shape);

/// Numpy broadcasting of two shapes; throws InvalidModel naming both when they do not broadcast.
Shape broadcast_shapes(const NodeContext& ctx, const Shape& a, const Shape& b);
/// The same over partial shapes (unknown stays unknown where it cannot be decided).
PartialShape broadcast_shapes(const NodeContext& ctx, const PartialShape& a, const PartialShape& b);

/// For each element of `out_shape` (row-major), the offset of the element of a tensor of `in_shape`
/// that broadcasts to it. Fills `offsets` (resized to shape_size(out_shape)).
void broadcast_offsets(const Shape& in_shape, const Shape& out_shape, std::vector<int64_t>& offsets);

/// Calls f(out_index, offset_a, offset_b) for every output element of a broadcast binary op,
/// without materialising offset tables; same-shape inputs take a straight loop.
template <class F>
void for_each_broadcast(const Shape& a, const Shape& b, const Shape& out, F&& f) {
  const int64_t n = shape_size(out);
  if (a == out && b == out) {
    for (int64_t i = 0; i < n; ++i) f(i, i, i);
    return;
  }
  const size_t rank = out.size();
  std::vector<int64_t> sa(rank, 0), sb(rank, 0), idx(rank, 0);
  auto fill = [&](const Shape& s, std::vector<int64_t>& st) {
    int64_t stride = 1;
    for (size_t k = 0; k < s.size(); ++k) {
      size_t d = s.size() - 1 - k, o = rank - 1 - k;
      st[o] = s[d] == 1 ? 0 : stride;
      stride *= s[d];
    }
  };
  fill(a, sa);
  fill(b, sb);
  int64_t oa = 0, ob = 0;
  for (int64_t i = 0; i < n; ++i) {
    f(i, oa, ob);
    for (size_t d = rank; d-- > 0;) {
      ++idx[d];
      oa += sa[d];
      ob += sb[d];
      if (idx[d] < out[d]) break;
      oa -= sa[d] * idx[d];
      ob -= sb[d] * idx[d];
      idx[d] = 0;
    }
  }
}

}  // namespace tandem::ops
