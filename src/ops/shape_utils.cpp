// Shape arithmetic shared by ops.
#include "ops/shape_utils.h"

#include <algorithm>

namespace tandem::ops {

int64_t normalize_axis(const NodeContext& ctx, int64_t axis, size_t rank) {
  const int64_t r = int64_t(rank);
  if (axis < -r || axis >= r)
    throw ctx.error(ErrorKind::InvalidModel, "axis {} is out of range for rank {}", axis, rank);
  return axis < 0 ? axis + r : axis;
}

std::vector<int64_t> strides_of(const Shape& shape) {
  std::vector<int64_t> s(shape.size(), 1);
  for (size_t i = shape.size(); i-- > 1;) s[i - 1] = s[i] * shape[i];
  return s;
}

Shape broadcast_shapes(const NodeContext& ctx, const Shape& a, const Shape& b) {
  const size_t rank = std::max(a.size(), b.size());
  Shape out(rank);
  for (size_t k = 0; k < rank; ++k) {
    int64_t da = k < a.size() ? a[a.size() - 1 - k] : 1;
    int64_t db = k < b.size() ? b[b.size() - 1 - k] : 1;
    if (da != db && da != 1 && db != 1)
      throw ctx.error(ErrorKind::InvalidModel, "shapes {} and {} do not broadcast", to_string(a),
                      to_string(b));
    out[rank - 1 - k] = da == 1 ? db : da;
  }
  return out;
}

PartialShape broadcast_shapes(const NodeContext& ctx, const PartialShape& a, const PartialShape& b) {
  if (!a.rank_known() || !b.rank_known()) return {};
  const size_t rank = std::max(a.rank(), b.rank());
  std::vector<Dimension> out(rank);
  for (size_t k = 0; k < rank; ++k) {
    Dimension da = k < a.rank() ? a[a.rank() - 1 - k] : Dimension(1);
    Dimension db = k < b.rank() ? b[b.rank() - 1 - k] : Dimension(1);
    Dimension& o = out[rank - 1 - k];
    if (da.is_static() && db.is_static()) {
      if (da.value != db.value && da.value != 1 && db.value != 1)
        throw ctx.error(ErrorKind::InvalidModel, "shapes {} and {} do not broadcast", to_string(a),
                        to_string(b));
      o = da.value == 1 ? db : da;
    } else if (da.is_static() && da.value == 1) {
      o = db;
    } else if (db.is_static() && db.value == 1) {
      o = da;
    } else if (da.is_static() || db.is_static()) {
      o = da.is_static() ? da : db;
    } else if (da == db) {
      o = da;
    }
  }
  return PartialShape(std::move(out));
}

void broadcast_offsets(const Shape& in_shape, const Shape& out_shape, std::vector<int64_t>& offsets) {
  offsets.resize(size_t(shape_size(out_shape)));
  Shape same = out_shape;
  for_each_broadcast(in_shape, same, out_shape, [&](int64_t i, int64_t a, int64_t) { offsets[i] = a; });
}

}  // namespace tandem::ops
