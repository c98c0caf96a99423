// AffineGrid (opset 20): the sampling grid of GridSample for a batch of affine matrices, theta
// [N, 2, 3] (2-D) or [N, 3, 4] (3-D) applied to the evenly spaced positions of an output of
// size (N, C, H, W) or (N, C, D, H, W). grid[n, ..., i] = theta[n, i, :] . (x, y[, z], 1), x the
// innermost (W) position, each in [-1, 1]: pixel centres with align_corners, else the centres of
// cells that split [-1, 1] evenly.
#include <vector>

#include "ops/misc/misc_common.h"

namespace tandem::ops {
namespace {

void check_theta(const NodeContext& ctx, const PartialShape& theta) {
  if (!theta.rank_known()) return;
  const bool ok =
      theta.rank() == 3 && (!theta[1].is_static() || theta[1].value == 2 || theta[1].value == 3) &&
      (!theta[1].is_static() || !theta[2].is_static() || theta[2].value == theta[1].value + 1);
  if (!ok)
    throw ctx.error(ErrorKind::InvalidModel, "theta must be [N, 2, 3] or [N, 3, 4], got {}",
                    to_string(theta));
}

// The spatial sizes (H, W) or (D, H, W) of `size`, checked against theta's batch and shape.
std::vector<int64_t> spatial_sizes(const NodeContext& ctx, const Tensor& size,
                                   const PartialShape& theta) {
  if (size.rank() != 1 || (size.size() != 4 && size.size() != 5))
    throw ctx.error(ErrorKind::InvalidArgument, "size must hold 4 or 5 values, got {}",
                    describe(size));
  const std::vector<int64_t> s = size.to_int64();
  for (int64_t v : s)
    if (v < 0) throw ctx.error(ErrorKind::InvalidArgument, "size {} has a negative value", s);
  const int64_t r = int64_t(s.size()) - 2;
  if (theta.rank_known() && ((theta[1].is_static() && theta[1].value != r) ||
                             (theta[0].is_static() && theta[0].value != s[0])))
    throw ctx.error(ErrorKind::InvalidArgument, "size {} does not fit theta {}", s,
                    to_string(theta));
  return {s.begin() + 2, s.end()};
}

void infer(InferContext& ctx) {
  const ElementType type = ctx.input_type(0);
  if (!is_float_at(ctx, type, 20))
    throw ctx.error(ErrorKind::InvalidModel, "theta must be {}, got {}", float_names_at(ctx, 20),
                    to_string(type));
  if (ctx.input_type(1) != ElementType::I64)
    throw ctx.error(ErrorKind::InvalidModel, "size must be int64, got {}",
                    to_string(ctx.input_type(1)));
  const PartialShape& theta = ctx.input_shape(0);
  check_theta(ctx, theta);
  const Dimension batch = theta.rank_known() ? theta[0] : Dimension();
  if (const Tensor* size = ctx.input_tensor(1)) {
    std::vector<Dimension> dims{batch};
    for (int64_t d : spatial_sizes(ctx, *size, theta)) dims.emplace_back(d);
    dims.emplace_back(int64_t(dims.size()) - 1);
    ctx.set_output(0, type, PartialShape(std::move(dims)));
    return;
  }
  if (theta.rank_known() && theta[1].is_static()) {
    const int64_t r = theta[1].value;
    std::vector<Dimension> dims(size_t(r + 2));
    dims.front() = batch;
    dims.back() = r;
    ctx.set_output(0, type, PartialShape(std::move(dims)));
    return;
  }
  ctx.set_output(0, type, PartialShape());
}

// The n evenly spaced positions of one axis in [-1, 1].
std::vector<double> positions(int64_t n, bool align_corners) {
  std::vector<double> p(static_cast<size_t>(n));
  for (int64_t k = 0; k < n; ++k)
    p[k] = align_corners ? (n == 1 ? -1.0 : -1.0 + 2.0 * double(k) / double(n - 1))
                         : -1.0 + (2.0 * double(k) + 1.0) / double(n);
  return p;
}

void reference(KernelContext& ctx) {
  const Tensor& theta_t = ctx.input(0);
  check_theta(ctx, PartialShape(theta_t.shape()));
  const std::vector<int64_t> sizes =
      spatial_sizes(ctx, ctx.input(1), PartialShape(theta_t.shape()));
  const bool align_corners = ctx.attr<int64_t>("align_corners", 0) != 0;
  const size_t r = sizes.size();
  const int64_t n = theta_t.shape()[0];
  // Axis positions in the homogeneous vector's order: x (innermost) first.
  std::vector<std::vector<double>> axis(r);
  int64_t points = 1;
  for (size_t i = 0; i < r; ++i) {
    axis[i] = positions(sizes[r - 1 - i], align_corners);
    points *= sizes[i];
  }
  const std::vector<double> theta = theta_t.to_double();
  Tensor& grid_t = ctx.output(0);
  std::vector<double> grid(size_t(grid_t.size()));
  std::vector<int64_t> index(r, 0);  // [z,] y, x of the current point, outermost first
  std::vector<double> p(r + 1, 1.0);
  for (int64_t b = 0; b < n; ++b) {
    const double* m = &theta[size_t(b) * r * (r + 1)];
    std::fill(index.begin(), index.end(), 0);
    for (int64_t i = 0; i < points; ++i) {
      for (size_t j = 0; j < r; ++j) p[j] = axis[j][size_t(index[r - 1 - j])];
      double* out = &grid[size_t((b * points + i) * int64_t(r))];
      for (size_t row = 0; row < r; ++row) {
        double sum = 0;
        for (size_t j = 0; j <= r; ++j) sum += m[row * (r + 1) + j] * p[j];
        out[row] = sum;
      }
      for (size_t d = r; d-- > 0;) {
        if (++index[d] < sizes[d]) break;
        index[d] = 0;
      }
    }
  }
  store_doubles(grid_t, grid);
}

}  // namespace

const OpDef& affine_grid_op() {
  static const OpDef def{
      .name = "AffineGrid", .versions = {20}, .infer = infer, .reference = reference};
  return def;
}

}  // namespace tandem::ops
