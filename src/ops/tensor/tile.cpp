// Tile: repeats a tensor along each dim.
#include "ops/tensor/tensor_common.h"

namespace tandem::ops {
namespace {
// Opset 1 took a scalar count (input 1) and a scalar axis (input 2); opset 6 made input 1 the
// repeats of every dim.
std::vector<int64_t> repeats_of(const NodeContext& ctx, size_t rank, std::vector<int64_t> tiles,
                                const std::optional<std::vector<int64_t>>& axis) {
  if (ctx.opset() < 6) {
    if (tiles.size() != 1 || !axis || axis->size() != 1)
      throw ctx.error(ErrorKind::InvalidModel, "tiles and axis must be scalars");
    std::vector<int64_t> repeats(rank, 1);
    repeats[size_t(normalize_axis(ctx, (*axis)[0], rank))] = tiles[0];
    tiles = repeats;
  }
  if (tiles.size() != rank)
    throw ctx.error(ErrorKind::InvalidModel, "repeats {} do not fit rank {}", to_string(tiles), rank);
  for (int64_t r : tiles)
    if (r < 0) throw ctx.error(ErrorKind::InvalidModel, "repeats {} has a negative count", to_string(tiles));
  return tiles;
}

void infer(InferContext& ctx) {
  check_index_type(ctx, 1);
  const PartialShape& in = ctx.input_shape(0);
  auto tiles = known_ints(ctx, 1);
  std::optional<std::vector<int64_t>> axis;
  if (ctx.opset() < 6) axis = known_ints(ctx, 2);
  if (!in.rank_known()) {
    ctx.set_output(0, ctx.input_type(0), PartialShape());
    return;
  }
  if (!tiles || (ctx.opset() < 6 && !axis)) {
    ctx.set_output(0, ctx.input_type(0), PartialShape::of_rank(in.rank()));
    return;
  }
  std::vector<int64_t> repeats = repeats_of(ctx, in.rank(), *tiles, axis);
  std::vector<Dimension> out = in.dims();
  for (size_t d = 0; d < out.size(); ++d) {
    if (out[d].is_static()) out[d] = Dimension(out[d].value * repeats[d]);
    else if (repeats[d] != 1) out[d] = Dimension();
  }
  ctx.set_output(0, ctx.input_type(0), PartialShape(std::move(out)));
}

void reference(KernelContext& ctx) {
  const Tensor& x = ctx.input(0);
  std::optional<std::vector<int64_t>> axis;
  if (ctx.opset() < 6) axis = input_ints(ctx, 2);
  const std::vector<int64_t> repeats = repeats_of(ctx, x.rank(), input_ints(ctx, 1), axis);
  const size_t rank = x.rank();
  Shape out_shape = x.shape();
  for (size_t d = 0; d < rank; ++d) out_shape[d] *= repeats[d];
  Tensor& y = ctx.allocate_output(0, x.element_type(), out_shape);
  if (y.size() == 0) return;
  if (rank == 0) {
    ctx.set_output(0, x.clone());
    return;
  }
  const std::vector<int64_t> strides = strides_of(x.shape());
  const int64_t row = x.shape()[rank - 1];
  visit_storage(x.element_type(), [&]<class S>() {
    const S* src = storage<S>(x);
    S* dst = storage<S>(y);
    std::vector<int64_t> pos(rank, 0);  // output position of the row being written
    for (int64_t done = 0; done < y.size(); done += out_shape[rank - 1]) {
      int64_t offset = 0;
      for (size_t d = 0; d + 1 < rank; ++d) offset += (pos[d] % x.shape()[d]) * strides[d];
      for (int64_t r = 0; r < repeats[rank - 1]; ++r) dst = std::copy(src + offset, src + offset + row, dst);
      for (size_t d = rank - 1; d-- > 0;) {
        if (++pos[d] < out_shape[d]) break;
        pos[d] = 0;
      }
    }
  });
}
}  // namespace

const OpDef& tile_op() {
  static const OpDef def{.name = "Tile", .versions = {1, 6, 13}, .infer = infer, .reference = reference};
  return def;
}
}  // namespace tandem::ops
