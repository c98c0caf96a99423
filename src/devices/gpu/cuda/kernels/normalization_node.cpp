// make_normalization_kernel: reads a normalization node's attributes and constants and plans its
// kernel (normalization.h) at compile time: parameters folded and uploaded in f32, layouts fixed.
#include <fmt/format.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "devices/gpu/cuda/device_memory.h"
#include "devices/gpu/cuda/kernels/normalization.h"
#include "devices/gpu/support/judge_util.h"
#include "ops/node_context.h"
#include "ops/shape_utils.h"
#include "tandem/error.h"

namespace tandem::gpu {
namespace {

// [outer, n, inner]: the axis a kernel works along, with what lies before and after it.
struct Layout {
  int64_t outer = 1, n = 1, inner = 1;
};

Error unsupported(const ops::NodeContext& ctx, const std::string& why) {
  return ctx.error(ErrorKind::Unsupported, "GPU: {}", why);
}

const Tensor* constant(const GpuNode& node, size_t i) {
  return i < node.constants.size() ? node.constants[i] : nullptr;
}

DeviceBuffer upload_f32(const std::vector<float>& values) {
  return upload_bytes(values.data(), values.size() * sizeof(float));
}

class LayerNormKernel final : public GpuKernel {
 public:
  LayerNormKernel(ElementType type, Layout layout, float epsilon, DeviceBuffer scale,
                  DeviceBuffer bias, ElementType stats_type)
      : name_(fmt::format("cuda_layer_norm_{}", to_string(type))),
        type_(type),
        layout_(layout),
        epsilon_(epsilon),
        scale_(std::move(scale)),
        bias_(std::move(bias)),
        stats_type_(stats_type) {}
  std::string_view name() const override { return name_; }
  void launch(const Launch& l) const override {
    auto output = [&](size_t i) { return i < l.outputs.size() ? l.outputs[i] : nullptr; };
    normalization::layer_norm(type_, l.inputs[0], l.outputs[0],
                              static_cast<const float*>(scale_.get()),
                              static_cast<const float*>(bias_.get()), layout_.outer, layout_.n,
                              epsilon_, output(1), output(2), stats_type_, l.stream);
  }

 private:
  std::string name_;
  ElementType type_;
  Layout layout_;
  float epsilon_;
  DeviceBuffer scale_, bias_;  // f32, one value per element of a row; bias_ may be empty
  ElementType stats_type_;
};

class SoftmaxKernel final : public GpuKernel {
 public:
  SoftmaxKernel(ElementType type, bool log, Layout layout)
      : name_(fmt::format("cuda_{}_{}", log ? "log_softmax" : "softmax", to_string(type))),
        type_(type),
        log_(log),
        layout_(layout) {}
  std::string_view name() const override { return name_; }
  void launch(const Launch& l) const override {
    normalization::softmax(type_, log_, l.inputs[0], l.outputs[0], layout_.outer, layout_.n,
                           layout_.inner, l.stream);
  }

 private:
  std::string name_;
  ElementType type_;
  bool log_;
  Layout layout_;
};

class BatchNormKernel final : public GpuKernel {
 public:
  BatchNormKernel(ElementType type, int64_t total, int64_t channels, int64_t spatial,
                  DeviceBuffer a, DeviceBuffer b)
      : name_(fmt::format("cuda_batch_norm_{}", to_string(type))),
        type_(type),
        total_(total),
        channels_(channels),
        spatial_(spatial),
        a_(std::move(a)),
        b_(std::move(b)) {}
  std::string_view name() const override { return name_; }
  void launch(const Launch& l) const override {
    normalization::channel_affine(type_, l.inputs[0], l.outputs[0],
                                  static_cast<const float*>(a_.get()),
                                  static_cast<const float*>(b_.get()), total_, channels_, spatial_,
                                  l.stream);
  }

 private:
  std::string name_;
  ElementType type_;
  int64_t total_, channels_, spatial_;
  DeviceBuffer a_, b_;  // y = x * a[c] + b[c]
};

class ReduceKernel final : public GpuKernel {
 public:
  ReduceKernel(std::string name, ElementType type, Layout layout, float scale)
      : name_(std::move(name)), type_(type), layout_(layout), scale_(scale) {}
  std::string_view name() const override { return name_; }
  void launch(const Launch& l) const override {
    normalization::reduce_sum(type_, l.inputs[0], l.outputs[0], layout_.outer, layout_.n,
                              layout_.inner, scale_, l.stream);
  }

 private:
  std::string name_;
  ElementType type_;
  Layout layout_;
  float scale_;
};

// A normalisation parameter broadcast (numpy-style) to a row's shape, as f32 values.
DeviceBuffer row_parameter(const ops::NodeContext& ctx, const Tensor& t, const Shape& row,
                           const char* name) {
  const Shape& s = t.shape();
  bool fits = s.size() <= row.size();
  for (size_t k = 0; fits && k < s.size(); ++k) {
    const int64_t d = s[s.size() - 1 - k];
    fits = d == 1 || d == row[row.size() - 1 - k];
  }
  if (!fits)
    throw unsupported(ctx, fmt::format("{} of shape {} does not broadcast to {}", name,
                                       to_string(s), to_string(row)));
  std::vector<int64_t> offsets;
  ops::broadcast_offsets(s, row, offsets);
  const std::vector<double> values = t.to_double();
  std::vector<float> expanded(offsets.size());
  for (size_t k = 0; k < offsets.size(); ++k) expanded[k] = float(values[offsets[k]]);
  return upload_f32(expanded);
}

std::unique_ptr<GpuKernel> make_layer_norm(const ops::NodeContext& ctx, const GpuNode& node,
                                           ElementType type) {
  const Shape& shape = node.input_shapes[0];
  const int64_t axis = ops::normalize_axis(ctx, ctx.attr<int64_t>("axis", -1), shape.size());
  const Shape row(shape.begin() + axis, shape.end());
  Layout layout;
  layout.n = shape_size(row);
  layout.outer = layout.n == 0 ? 0 : shape_size(shape) / layout.n;
  const Tensor* scale = constant(node, 1);
  if (!scale) throw unsupported(ctx, "LayerNormalization's Scale is not a constant");
  DeviceBuffer bias;
  if (ctx.has_input(2)) {
    if (!constant(node, 2)) throw unsupported(ctx, "LayerNormalization's B is not a constant");
    bias = row_parameter(ctx, *constant(node, 2), row, "B");
  }
  ElementType stats_type = ElementType::F32;
  for (size_t i : {1, 2})
    if (ctx.has_output(i)) {
      stats_type = node.output_types[i];
      if (!is_float(stats_type))
        throw unsupported(ctx, fmt::format("output {} stored as {}", i, to_string(stats_type)));
    }
  if (ctx.has_output(1) && ctx.has_output(2) && node.output_types[1] != node.output_types[2])
    throw unsupported(ctx, "Mean and InvStdDev stored in different types");
  return std::make_unique<LayerNormKernel>(type, layout, ctx.attr<float>("epsilon", 1e-5f),
                                           row_parameter(ctx, *scale, row, "Scale"),
                                           std::move(bias), stats_type);
}

// As the reference: before opset 13 the input is coerced to 2-D at `axis` (default 1) and each
// row normalised whole; from 13 the op works along the one axis (default -1).
std::unique_ptr<GpuKernel> make_softmax(const ops::NodeContext& ctx, const GpuNode& node,
                                        ElementType type) {
  const Shape& shape = node.input_shapes[0];
  Layout l;
  if (!shape.empty()) {
    const int64_t axis = ops::normalize_axis(
        ctx, ctx.attr<int64_t>("axis", ctx.opset() < 13 ? 1 : -1), shape.size());
    for (int64_t d = 0; d < axis; ++d) l.outer *= shape[d];
    if (ctx.opset() < 13) {
      for (size_t d = axis; d < shape.size(); ++d) l.n *= shape[d];
    } else {
      l.n = shape[axis];
      for (size_t d = axis + 1; d < shape.size(); ++d) l.inner *= shape[d];
    }
  }
  return std::make_unique<SoftmaxKernel>(type, ctx.node().op_type == "LogSoftmax", l);
}

// Inference only: y = (x - mean) / sqrt(var + epsilon) * scale + B, folded per channel.
std::unique_ptr<GpuKernel> make_batch_norm(const ops::NodeContext& ctx, const GpuNode& node,
                                           ElementType type) {
  const Shape& shape = node.input_shapes[0];
  if (shape.size() < 2) throw unsupported(ctx, "BatchNormalization of rank below 2");
  for (size_t i = 1; i < ctx.num_outputs(); ++i)
    if (ctx.has_output(i)) throw unsupported(ctx, "BatchNormalization's statistics outputs (training)");
  if (ctx.opset() >= 14 && ctx.attr<int64_t>("training_mode", 0) != 0)
    throw unsupported(ctx, "BatchNormalization in training mode");
  if (ctx.opset() < 9 && ctx.attr<int64_t>("spatial", 1) == 0)
    throw unsupported(ctx, "BatchNormalization with spatial = 0");
  const int64_t channels = shape[1];
  std::vector<std::vector<double>> p;  // scale, B, mean, var
  for (size_t i = 1; i <= 4; ++i) {
    const Tensor* t = constant(node, i);
    if (!t) throw unsupported(ctx, fmt::format("BatchNormalization's input {} is not a constant", i));
    if (t->size() != channels)
      throw unsupported(ctx, fmt::format("BatchNormalization's input {} has {} values for {} channels",
                                         i, t->size(), channels));
    p.push_back(t->to_double());
  }
  const double epsilon = ctx.attr<float>("epsilon", 1e-5f);
  std::vector<float> a(channels), b(channels);
  for (int64_t c = 0; c < channels; ++c) {
    const double scale = p[0][c] / std::sqrt(p[3][c] + epsilon);
    a[c] = float(scale);
    b[c] = float(p[1][c] - p[2][c] * scale);
  }
  const int64_t total = shape_size(shape);
  const int64_t spatial = total == 0 ? 0 : total / shape[0] / channels;  // an empty batch too
  return std::make_unique<BatchNormKernel>(type, total, channels, spatial, upload_f32(a),
                                           upload_f32(b));
}

// The axes ReduceMean/ReduceSum reduce; from the input at opset 18 (ReduceSum: 13).
std::vector<bool> reduced_axes(const ops::NodeContext& ctx, const GpuNode& node) {
  const size_t rank = node.input_shapes[0].size();
  const bool from_input = ctx.opset() >= (ctx.node().op_type == "ReduceSum" ? 13 : 18);
  std::vector<int64_t> axes;
  if (!from_input) {
    axes = ctx.attr<std::vector<int64_t>>("axes", {});
  } else if (ctx.has_input(1)) {
    if (!constant(node, 1)) throw unsupported(ctx, "the axes input is not a constant");
    axes = constant(node, 1)->to_int64();
  }
  const bool none = axes.empty() && ctx.attr<int64_t>("noop_with_empty_axes", 0) != 0;
  std::vector<bool> reduced(rank, axes.empty() && !none);
  for (int64_t a : axes) reduced[ops::normalize_axis(ctx, a, rank)] = true;
  return reduced;
}

std::unique_ptr<GpuKernel> make_reduce(const ops::NodeContext& ctx, const GpuNode& node,
                                       ElementType type) {
  const Shape& shape = node.input_shapes[0];
  const std::string& op = ctx.node().op_type;
  const std::vector<bool> reduced = reduced_axes(ctx, node);
  Layout l;
  // Size-1 axes lay out alike reduced or not; the others must be one contiguous run.
  int stage = 0;  // 0: before the reduced run, 1: in it, 2: after it
  for (size_t d = 0; d < shape.size(); ++d) {
    if (shape[d] == 1) continue;
    if (reduced[d] && stage == 2)
      throw unsupported(ctx, "reduced axes that are not contiguous");
    if (reduced[d]) stage = 1;
    else if (stage == 1) stage = 2;
    (stage == 0 ? l.outer : stage == 1 ? l.n : l.inner) *= shape[d];
  }
  const bool mean = op != "ReduceSum";
  return std::make_unique<ReduceKernel>(
      fmt::format("cuda_{}_{}", mean ? "reduce_mean" : "reduce_sum", to_string(type)), type, l,
      // The mean of nothing is NaN, as the reference's 0 / 0.
      !mean ? 1.0f : l.n > 0 ? float(1.0 / double(l.n)) : std::numeric_limits<float>::quiet_NaN());
}

}  // namespace

std::unique_ptr<GpuKernel> make_normalization_kernel(const GpuNode& node) {
  const std::string& op = node.node.op_type;
  const std::string& domain = node.node.domain;
  const bool onnx = domain.empty() || domain == "ai.onnx";
  const bool layer_norm = op == "LayerNormalization" && (onnx || domain == "com.tandem");
  const bool softmax = onnx && (op == "Softmax" || op == "LogSoftmax");
  const bool batch_norm = onnx && op == "BatchNormalization";
  const bool reduce =
      onnx && (op == "ReduceMean" || op == "ReduceSum");
  if (!layer_norm && !softmax && !batch_norm && !reduce) return nullptr;
  const ops::NodeContext ctx(node.node, node.opset);
  const ElementType type = node.output_types[0];
  if (!is_float(type) || node.input_types[0] != type)
    throw unsupported(ctx, fmt::format("{} from {} to {}", op, to_string(node.input_types[0]),
                                       to_string(type)));
  if (layer_norm) return make_layer_norm(ctx, node, type);
  if (softmax) return make_softmax(ctx, node, type);
  if (batch_norm) return make_batch_norm(ctx, node, type);
  return make_reduce(ctx, node, type);
}

}  // namespace tandem::gpu
