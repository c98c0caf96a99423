// make_data_movement_kernel: reads a data-movement node and plans its copy (data_movement.h) at
// compile time: strides, tiles and the pieces of a Concat are fixed before the first launch.
#include <fmt/format.h>

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "devices/gpu/cuda/cuda_check.h"
#include "devices/gpu/cuda/device_memory.h"
#include "devices/gpu/cuda/kernels/data_movement.h"
#include "ops/node_context.h"
#include "ops/shape_utils.h"
#include "ops/tensor/slice.h"
#include "tandem/error.h"

namespace tandem::gpu {
namespace {

using data_movement::StridedCopy;

Error unsupported(const ops::NodeContext& ctx, const std::string& why) {
  return ctx.error(ErrorKind::Unsupported, "GPU: {}", why);
}

const Tensor* constant(const GpuNode& node, size_t i) {
  return i < node.constants.size() ? node.constants[i] : nullptr;
}

// The inputs a kernel reads: the executor's pointer, or the constant uploaded at compile time in
// its device storage type (a float table in the compute type).
class Operands {
 public:
  Operands(const GpuNode& node, size_t count) : held_(count) {
    for (size_t i = 0; i < count; ++i)
      if (const Tensor* c = constant(node, i)) held_[i] = upload(*c, node.input_types[i]);
  }
  const void* get(const Launch& launch, size_t i) const {
    return held_[i].get() ? held_[i].get() : launch.inputs[i];
  }

 private:
  std::vector<DeviceBuffer> held_;
};

std::string kernel_name(const GpuNode& node, std::string_view kind) {
  return fmt::format("cuda_{}_{}", kind, to_string(node.output_types[0]));
}

// Reshape, Flatten, Squeeze, Unsqueeze, Identity: the bytes as they are.
class CopyKernel final : public GpuKernel {
 public:
  explicit CopyKernel(const GpuNode& node)
      : name_(kernel_name(node, "copy")),
        bytes_(size_t(shape_size(node.output_shapes[0])) * element_size(node.output_types[0])),
        operands_(node, 1) {}
  std::string_view name() const override { return name_; }
  void launch(const Launch& l) const override {
    if (bytes_)
      check(cudaMemcpyAsync(l.outputs[0], operands_.get(l, 0), bytes_, cudaMemcpyDeviceToDevice,
                            l.stream),
            "copying a view");
  }

 private:
  std::string name_;
  size_t bytes_;
  Operands operands_;
};

class StridedKernel final : public GpuKernel {
 public:
  StridedKernel(const GpuNode& node, std::string_view kind, const StridedCopy& copy)
      : name_(kernel_name(node, kind)),
        element_bytes_(element_size(node.output_types[0])),
        copy_(copy),
        operands_(node, 1) {}
  std::string_view name() const override { return name_; }
  void launch(const Launch& l) const override {
    data_movement::strided_copy(element_bytes_, copy_, operands_.get(l, 0), l.outputs[0], l.stream);
  }

 private:
  std::string name_;
  size_t element_bytes_;
  StridedCopy copy_;
  Operands operands_;
};

class TransposeKernel final : public GpuKernel {
 public:
  TransposeKernel(const GpuNode& node, int64_t batch, int64_t rows, int64_t cols)
      : name_(kernel_name(node, "transpose_tiled")),
        element_bytes_(element_size(node.output_types[0])),
        batch_(batch),
        rows_(rows),
        cols_(cols),
        operands_(node, 1) {}
  std::string_view name() const override { return name_; }
  void launch(const Launch& l) const override {
    data_movement::transpose_last2(element_bytes_, operands_.get(l, 0), l.outputs[0], batch_, rows_,
                                   cols_, l.stream);
  }

 private:
  std::string name_;
  size_t element_bytes_;
  int64_t batch_, rows_, cols_;
  Operands operands_;
};

// Concat: each input is `outer` rows of its own width, placed at its column of the output's rows:
// one 2-D device-to-device copy per input.
class ConcatKernel final : public GpuKernel {
 public:
  struct Piece {
    size_t width = 0, offset = 0;  // bytes
  };
  ConcatKernel(const GpuNode& node, int64_t outer, size_t pitch, std::vector<Piece> pieces)
      : name_(kernel_name(node, "concat")),
        outer_(outer),
        pitch_(pitch),
        pieces_(std::move(pieces)),
        operands_(node, pieces_.size()) {}
  std::string_view name() const override { return name_; }
  void launch(const Launch& l) const override {
    for (size_t i = 0; i < pieces_.size(); ++i) {
      const Piece& p = pieces_[i];
      if (p.width == 0 || outer_ == 0) continue;
      check(cudaMemcpy2DAsync(static_cast<char*>(l.outputs[0]) + p.offset, pitch_,
                              operands_.get(l, i), p.width, p.width, size_t(outer_),
                              cudaMemcpyDeviceToDevice, l.stream),
            "Concat's copy");
    }
  }

 private:
  std::string name_;
  int64_t outer_;
  size_t pitch_;
  std::vector<Piece> pieces_;
  Operands operands_;
};

class GatherKernel final : public GpuKernel {
 public:
  GatherKernel(const GpuNode& node, int64_t outer, int64_t axis_dim, int64_t count, int64_t inner)
      : name_(kernel_name(node, "gather")),
        element_bytes_(element_size(node.output_types[0])),
        index_type_(node.input_types[1]),
        outer_(outer),
        axis_dim_(axis_dim),
        count_(count),
        inner_(inner),
        operands_(node, 2) {}
  std::string_view name() const override { return name_; }
  void launch(const Launch& l) const override {
    data_movement::gather(element_bytes_, index_type_, operands_.get(l, 0), operands_.get(l, 1),
                          l.outputs[0], outer_, axis_dim_, count_, inner_, l.stream);
  }

 private:
  std::string name_;
  size_t element_bytes_;
  ElementType index_type_;
  int64_t outer_, axis_dim_, count_, inner_;
  Operands operands_;
};

// The copy y[i...] = x[base + sum(i_d * strides[d])] with size-1 dimensions dropped and neighbours
// merged where the outer one's stride is the inner one's run.
StridedCopy plan_strided(const ops::NodeContext& ctx, const Shape& dims,
                         const std::vector<int64_t>& strides, int64_t base) {
  std::vector<int64_t> d2, s2;
  for (size_t d = 0; d < dims.size(); ++d) {
    if (dims[d] == 1) continue;
    if (!d2.empty() && s2.back() == strides[d] * dims[d]) {
      d2.back() *= dims[d];
      s2.back() = strides[d];
      continue;
    }
    d2.push_back(dims[d]);
    s2.push_back(strides[d]);
  }
  if (d2.size() > size_t(data_movement::kMaxRank))
    throw unsupported(ctx, fmt::format("a copy over {} dimensions, more than {}", d2.size(),
                                       data_movement::kMaxRank));
  StridedCopy copy;
  copy.n = shape_size(dims);
  copy.rank = int(d2.size());
  copy.base = base;
  for (size_t d = 0; d < d2.size(); ++d) {
    copy.dims[d] = int32_t(d2[d]);
    copy.strides[d] = s2[d];
  }
  return copy;
}

std::unique_ptr<GpuKernel> make_transpose(const ops::NodeContext& ctx, const GpuNode& node) {
  const Shape& in = node.input_shapes[0];
  const size_t rank = in.size();
  std::vector<int64_t> perm = ctx.attr<std::vector<int64_t>>("perm", {});
  if (!ctx.has_attr("perm"))
    for (size_t i = rank; i-- > 0;) perm.push_back(int64_t(i));
  if (perm.size() != rank) throw unsupported(ctx, "perm does not match the input's rank");
  const std::vector<int64_t> in_strides = ops::strides_of(in);
  Shape dims(rank);
  std::vector<int64_t> strides(rank);
  for (size_t d = 0; d < rank; ++d) {
    const int64_t p = ops::normalize_axis(ctx, perm[d], rank);
    dims[d] = in[p];
    strides[d] = in_strides[p];
  }
  const StridedCopy c = plan_strided(ctx, dims, strides, 0);
  // A swap of the last two (collapsed) dimensions: y [batch, d1, d2] from x [batch, d2, d1].
  const int r = c.rank;
  const bool swap = r >= 2 && r <= 3 && c.strides[r - 2] == 1 && c.strides[r - 1] == c.dims[r - 2] &&
                    (r == 2 || c.strides[0] == int64_t(c.dims[1]) * c.dims[2]);
  if (swap) {
    const int64_t batch = r == 3 ? c.dims[0] : 1;
    const int64_t rows = c.dims[r - 1], cols = c.dims[r - 2];
    if (batch <= 65535 && (rows + 31) / 32 <= 65535)
      return std::make_unique<TransposeKernel>(node, batch, rows, cols);
  }
  return std::make_unique<StridedKernel>(node, "transpose", c);
}

std::unique_ptr<GpuKernel> make_slice(const ops::NodeContext& ctx, const GpuNode& node) {
  const std::optional<ops::SliceView> view =
      ops::slice_view(ctx, node.input_shapes[0], [&](size_t i) -> std::optional<std::vector<int64_t>> {
        if (const Tensor* t = constant(node, i)) return t->to_int64();
        return std::nullopt;
      });
  if (!view) throw unsupported(ctx, "Slice's starts, ends, axes and steps must be constants");
  return std::make_unique<StridedKernel>(node, "slice",
                                         plan_strided(ctx, view->shape, view->strides, view->base));
}

std::unique_ptr<GpuKernel> make_expand(const ops::NodeContext& ctx, const GpuNode& node) {
  const Shape& in = node.input_shapes[0];
  const Shape& out = node.output_shapes[0];
  if (in.size() > out.size()) throw unsupported(ctx, "Expand to a lower rank");
  const std::vector<int64_t> in_strides = ops::strides_of(in);
  std::vector<int64_t> strides(out.size(), 0);
  for (size_t k = 0; k < in.size(); ++k) {
    const size_t d = in.size() - 1 - k, o = out.size() - 1 - k;
    strides[o] = in[d] == 1 ? 0 : in_strides[d];
  }
  return std::make_unique<StridedKernel>(node, "expand", plan_strided(ctx, out, strides, 0));
}

std::unique_ptr<GpuKernel> make_concat(const ops::NodeContext& ctx, const GpuNode& node) {
  const Shape& out = node.output_shapes[0];
  const int64_t axis = ops::normalize_axis(
      ctx, ctx.opset() < 4 ? ctx.attr<int64_t>("axis", 1) : ctx.attr<int64_t>("axis"), out.size());
  const size_t bytes = element_size(node.output_types[0]);
  int64_t outer = 1;
  for (int64_t d = 0; d < axis; ++d) outer *= out[d];
  std::vector<ConcatKernel::Piece> pieces;
  size_t offset = 0;
  for (size_t i = 0; i < node.input_shapes.size(); ++i) {
    const Shape& in = node.input_shapes[i];
    int64_t row = 1;
    for (size_t d = axis; d < in.size(); ++d) row *= in[d];
    pieces.push_back({size_t(row) * bytes, offset});
    offset += size_t(row) * bytes;
  }
  return std::make_unique<ConcatKernel>(node, outer, offset, std::move(pieces));
}

std::unique_ptr<GpuKernel> make_gather(const ops::NodeContext& ctx, const GpuNode& node) {
  const Shape& data = node.input_shapes[0];
  if (data.empty()) throw unsupported(ctx, "Gather from a scalar");
  const size_t axis = size_t(ops::normalize_axis(ctx, ctx.attr<int64_t>("axis", 0), data.size()));
  const ElementType index_type = node.input_types[1];
  if (index_type != ElementType::I64 && index_type != ElementType::I32)
    throw unsupported(ctx, fmt::format("Gather indices of {}", to_string(index_type)));
  int64_t outer = 1, inner = 1;
  for (size_t d = 0; d < axis; ++d) outer *= data[d];
  for (size_t d = axis + 1; d < data.size(); ++d) inner *= data[d];
  return std::make_unique<GatherKernel>(node, outer, data[axis], shape_size(node.input_shapes[1]),
                                        inner);
}

bool is_view(const std::string& op) {
  return op == "Reshape" || op == "Flatten" || op == "Squeeze" || op == "Unsqueeze" ||
         op == "Identity";
}

}  // namespace

std::unique_ptr<GpuKernel> make_data_movement_kernel(const GpuNode& node) {
  const std::string& op = node.node.op_type;
  const std::string& domain = node.node.domain;
  if (!domain.empty() && domain != "ai.onnx") return nullptr;
  const bool known = is_view(op) || op == "Concat" || op == "Transpose" || op == "Slice" ||
                     op == "Gather" || op == "Expand";
  if (!known) return nullptr;
  const ops::NodeContext ctx(node.node, node.opset);
  const ElementType type = node.output_types[0];
  if (type == ElementType::String || element_size(type) > 8)
    throw unsupported(ctx, fmt::format("{} of {}", op, to_string(type)));
  for (size_t i = 0; i < node.input_types.size(); ++i) {
    const bool data = i == 0 || op == "Concat";
    if (data && node.input_types[i] != type)
      throw unsupported(ctx, fmt::format("input {} stored as {}, the output as {}", i,
                                         to_string(node.input_types[i]), to_string(type)));
  }
  for (const Shape& shape : node.input_shapes)
    if (shape_size(shape) > std::numeric_limits<int32_t>::max())
      throw unsupported(ctx, "tensors of 2^31 elements or more");
  if (shape_size(node.output_shapes[0]) > std::numeric_limits<int32_t>::max())
    throw unsupported(ctx, "tensors of 2^31 elements or more");

  if (is_view(op)) return std::make_unique<CopyKernel>(node);
  if (op == "Concat") return make_concat(ctx, node);
  if (op == "Transpose") return make_transpose(ctx, node);
  if (op == "Slice") return make_slice(ctx, node);
  if (op == "Expand") return make_expand(ctx, node);
  return make_gather(ctx, node);
}

}  // namespace tandem::gpu
