// MaxUnpool: scatters pooled maxima back to the flat positions MaxPool's Indices recorded; every
// other element is zero.
#include <algorithm>

#include "ops/dispatch.h"
#include "ops/nn/window.h"
#include "ops/op.h"

namespace tandem::ops {
namespace {

// Opset 11 only changed the docs; 22 added bfloat16. The indices address the flat elements of the default shape,
// (in - 1) * stride + kernel - pads per spatial dimension; an output_shape input then places that
// result at the start of a zero tensor of its shape (as the ONNX test data expects).
std::vector<int64_t> default_shape(const NodeContext& ctx, const PartialShape& x) {
  const auto kernel = ctx.attr<std::vector<int64_t>>("kernel_shape");
  const Window w = read_window(ctx, kernel, false, false);
  if (!x.rank_known()) return {};
  if (x.rank() != kernel.size() + 2)
    throw ctx.error(ErrorKind::InvalidModel, "X has shape {}, expected rank {} for kernel_shape {}",
                    to_string(x), kernel.size() + 2, kernel);
  std::vector<int64_t> out{x[0].value, x[1].value};
  for (size_t i = 0; i < kernel.size(); ++i) {
    const int64_t in = x[i + 2].value;
    out.push_back(in < 0 ? -1
                         : (in - 1) * w.strides[i] + kernel[i] - w.pad_begin(i) - w.pad_end(i));
  }
  return out;
}

void infer(InferContext& ctx) {
  std::vector<int64_t> out = default_shape(ctx, ctx.input_shape(0));
  if (ctx.has_input(2)) {
    const Tensor* shape = ctx.input_tensor(2);
    if (!shape) {
      const PartialShape& x = ctx.input_shape(0);
      ctx.set_output(0, ctx.input_type(0),
                     x.rank_known() ? PartialShape::of_rank(x.rank()) : PartialShape());
      return;
    }
    out = shape->to_int64();
    if (!ctx.input_shape(0).rank_known() || out.size() != ctx.input_shape(0).rank())
      throw ctx.error(ErrorKind::InvalidModel, "output_shape {} must have X's rank", out);
  }
  ctx.set_output(0, ctx.input_type(0), out.empty() ? PartialShape() : partial_shape(out));
}

void reference(KernelContext& ctx) {
  const Tensor& x = ctx.input(0);
  const Tensor& indices = ctx.input(1);
  if (indices.shape() != x.shape())
    throw ctx.error(ErrorKind::InvalidModel, "I has shape {}, X {}; they must match",
                    to_string(indices.shape()), to_string(x.shape()));
  Tensor& y = ctx.output(0);
  const Shape inner = default_shape(ctx, PartialShape(x.shape()));
  const std::vector<int64_t> idx = indices.to_int64();
  visit_float(x.element_type(), [&]<class T>() {
    auto in = x.span<const T>();
    std::vector<T> scattered(size_t(shape_size(inner)));
    for (size_t i = 0; i < in.size(); ++i) {
      if (idx[i] < 0 || idx[i] >= int64_t(scattered.size()))
        throw ctx.error(ErrorKind::InvalidArgument, "index {} is outside the {} elements of {}",
                        idx[i], scattered.size(), to_string(inner));
      scattered[size_t(idx[i])] = in[i];
    }
    auto out = y.span<T>();
    if (y.shape() == inner) {
      std::copy(scattered.begin(), scattered.end(), out.begin());
      return;
    }
    // Copy the overlap of the default shape and output_shape, row-major index by index.
    const Shape& outer = y.shape();
    std::vector<int64_t> pos(inner.size(), 0);
    for (size_t i = 0; i < scattered.size(); ++i) {
      int64_t o = 0;
      bool inside = true;
      for (size_t d = 0; d < inner.size(); ++d) {
        inside = inside && pos[d] < outer[d];
        o = o * outer[d] + pos[d];
      }
      if (inside) out[size_t(o)] = scattered[i];
      for (size_t d = inner.size(); d-- > 0;) {
        if (++pos[d] < inner[d]) break;
        pos[d] = 0;
      }
    }
  });
}

}  // namespace

const OpDef& max_unpool_op() {
  static const OpDef def{.name = "MaxUnpool",
                         .domain = "",
                         .versions = {9, 11, 22},
                         .infer = infer,
                         .reference = reference};
  return def;
}

}  // namespace tandem::ops
