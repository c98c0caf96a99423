// The GPU's kernel tests' harness: a node's kernel made by its family's make_*_kernel, run on the
// GPU on random inputs and compared with the op's CPU kernel.
//
// KernelCase runs the reference through the public API, for the elementwise, normalization and
// data-movement families:
//
//   KernelCase("Add", 14).random({2, 3, 8}).random({8}).expect_matches(make_elementwise_kernel,
//                                                                     ElementType::F16);
//
// The library-backed families (conv, pool, matmul, attention) call the pieces below it instead:
// random_tensor, reference, run_kernel, and compare in their own terms.
#pragma once

#include <cuda_runtime.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstddef>
#include <cstring>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "devices/gpu/cuda/cuda_check.h"
#include "devices/gpu/cuda/device_memory.h"
#include "devices/gpu/cuda/gpu_kernel.h"
#include "ops/infer_context.h"
#include "ops/kernel_context.h"
#include "ops/op.h"
#include "ops/op_case.h"
#include "ops/registry.h"

namespace tandem::gpu::testing {

using MakeKernel = std::unique_ptr<GpuKernel> (*)(const GpuNode&);

/// `v` as the storage type holds it.
inline float rounded(float v, ElementType storage) {
  if (storage == ElementType::F16) return float(float16(v));
  if (storage == ElementType::BF16) return float(bfloat16(v));
  return v;
}

/// An f32 tensor of uniform random values in [lo, hi], rounded to the storage type so that the
/// reference and the GPU read the same numbers.
inline Tensor random_tensor(const Shape& shape, ElementType storage, std::mt19937& rng,
                            float lo = -1.0f, float hi = 1.0f) {
  std::uniform_real_distribution<float> d(lo, hi);
  Tensor t(ElementType::F32, shape);
  for (float& v : t.span<float>()) v = rounded(d(rng), storage);
  return t;
}

/// An input of the node under test: absent, a constant (its host value given to the kernel's
/// maker) or a tensor the run passes.
struct Input {
  std::optional<Tensor> value;
  bool constant = false;
};

/// A random input in [-1, 1] of its own seed.
inline Input random_input(const Shape& shape, ElementType storage, bool constant, uint32_t seed) {
  std::mt19937 rng(seed);
  return {random_tensor(shape, storage, rng), constant};
}

/// The op's reference kernel over the f32 inputs: its first output.
inline Tensor reference(const ir::Node& node, int opset, const std::vector<Input>& inputs) {
  std::vector<Value> values;
  std::vector<ValueType> types;
  values.reserve(inputs.size());
  types.reserve(inputs.size());
  for (const Input& in : inputs) {
    values.push_back(in.value ? Value(*in.value) : Value());
    types.push_back(in.value ? ValueType::tensor(ElementType::F32, PartialShape(in.value->shape()))
                             : ValueType());
  }
  std::vector<const Value*> value_ptrs;
  std::vector<const ValueType*> type_ptrs;
  for (size_t i = 0; i < inputs.size(); ++i) {
    value_ptrs.push_back(inputs[i].value ? &values[i] : nullptr);
    type_ptrs.push_back(inputs[i].value ? &types[i] : nullptr);
  }
  const ops::OpDef* def = ops::Registry::global().find(node.domain, node.op_type);
  EXPECT_NE(def, nullptr);
  ops::InferContext infer(node, opset, type_ptrs, value_ptrs);
  def->infer(infer);
  const std::vector<ValueType> outputs = infer.outputs();
  ops::KernelContext ctx(node, opset, value_ptrs, outputs, nullptr);
  def->reference(ctx);
  return ctx.results()[0].tensor();
}

/// A float tensor's values as f32.
inline std::vector<float> to_floats(const Tensor& host) {
  std::vector<float> out(size_t(host.size()));
  for (size_t i = 0; i < out.size(); ++i) {
    switch (host.element_type()) {
      case ElementType::F32:
        out[i] = host.data<float>()[i];
        break;
      case ElementType::F16:
        out[i] = float(host.data<float16>()[i]);
        break;
      default:
        out[i] = float(host.data<bfloat16>()[i]);
        break;
    }
  }
  return out;
}

/// The libraries whose handles a kernel calls.
struct Libraries {
  bool cudnn = false, cublas = false, cublas_lt = false;
};

/// How run_kernel passes the node to its kernel.
struct RunOptions {
  Libraries libraries;
  /// Whether a constant input's upload is passed too; else null, as the executor passes nothing
  /// for the constants a kernel holds.
  bool pass_constants = false;
  /// Whether the workspace is poisoned too, as the output always is.
  bool poison_workspace = false;
  /// The input whose memory the output is written over (FusedConv's sum, in place), if any.
  std::optional<size_t> output_over;
  /// Whether the kernel reads and writes its images channels-last (GpuNode::channels_last): its
  /// 4-D activations are uploaded [N, H, W, C] and its output read back from that layout.
  bool channels_last = false;
};

/// A 4-D tensor's elements moved between [N, C, H, W] and [N, H, W, C] (`to_last`), its shape
/// kept: what a channels-last kernel's memory holds.
inline Tensor relaid(const Tensor& t, bool to_last) {
  const Shape& s = t.shape();
  const int64_t n = s[0], c = s[1], h = s[2], w = s[3];
  Tensor out(t.element_type(), s);
  const size_t size = element_size(t.element_type());
  const auto* from = static_cast<const std::byte*>(t.data());
  auto* to = static_cast<std::byte*>(out.data());
  for (int64_t a = 0; a < n; ++a)
    for (int64_t b = 0; b < c; ++b)
      for (int64_t y = 0; y < h; ++y)
        for (int64_t x = 0; x < w; ++x) {
          const size_t first = size_t(((a * c + b) * h + y) * w + x), last = size_t(((a * h + y) * w + x) * c + b);
          std::memcpy(to + (to_last ? last : first) * size, from + (to_last ? first : last) * size, size);
        }
  return out;
}

/// What one run gave: the output as f32, and the kernel's name.
struct Run {
  std::vector<float> output;
  std::string kernel;
};

/// The node's kernel made by `make` and launched on a stream of its own, with the libraries'
/// handles bound to it: present inputs uploaded in the compute type, the output poisoned first
/// (all ones: NaN in every float type). An empty output where `make` makes no kernel.
inline Run run_kernel(MakeKernel make, const ir::Node& node, int opset,
                      const std::vector<Input>& inputs, const Shape& out_shape, ElementType compute,
                      const RunOptions& options) {
  Handles handles;
  cudaStream_t stream = nullptr;
  check(cudaStreamCreate(&stream), "cudaStreamCreate");
  if (options.libraries.cudnn) {
    check(cudnnCreate(&handles.cudnn), "cudnnCreate");
    check(cudnnSetStream(handles.cudnn, stream), "cudnnSetStream");
  }
  if (options.libraries.cublas) {
    check(cublasCreate(&handles.cublas), "cublasCreate");
    check(cublasSetStream(handles.cublas, stream), "cublasSetStream");
  }
  if (options.libraries.cublas_lt) check(cublasLtCreate(&handles.cublas_lt), "cublasLtCreate");
  Run run;
  {
    GpuNode g{node, opset, {}, {}, {}, {out_shape}, {compute}, compute, &handles, options.channels_last};
    std::vector<DeviceBuffer> buffers;
    std::vector<const void*> pointers;
    for (const Input& in : inputs) {
      g.input_shapes.push_back(in.value ? in.value->shape() : Shape{});
      g.input_types.push_back(in.value ? compute : ElementType::Undefined);
      g.constants.push_back(in.value && in.constant ? &*in.value : nullptr);
      if (!in.value || (in.constant && !options.pass_constants)) {
        pointers.push_back(nullptr);
        continue;
      }
      const bool image = options.channels_last && in.value->shape().size() == 4;
      buffers.push_back(upload(image ? relaid(*in.value, true) : *in.value, compute));
      pointers.push_back(buffers.back().get());
    }
    const std::unique_ptr<GpuKernel> kernel = make(g);
    EXPECT_NE(kernel, nullptr);
    if (kernel) {
      run.kernel = std::string(kernel->name());
      const size_t out_bytes = size_t(shape_size(out_shape)) * element_size(compute);
      DeviceBuffer output(out_bytes);
      void* y = output.get();
      if (options.output_over)
        y = const_cast<void*>(pointers.at(*options.output_over));
      else
        check(cudaMemset(y, 0xff, out_bytes), "poisoning the output");
      DeviceBuffer workspace(kernel->workspace_bytes());
      if (options.poison_workspace)
        check(cudaMemset(workspace.get(), 0xff, workspace.bytes()), "poisoning the workspace");
      std::vector<void*> outputs{y};
      kernel->launch(Launch{stream, &handles, pointers, outputs, workspace.get()});
      check(cudaStreamSynchronize(stream), "running the kernel");
      Tensor host(compute, out_shape);
      check(cudaMemcpy(host.data(), y, host.byte_size(), cudaMemcpyDeviceToHost), "copying back");
      run.output = to_floats(options.channels_last ? relaid(host, false) : host);
    }
  }
  if (handles.cublas_lt) cublasLtDestroy(handles.cublas_lt);
  if (handles.cublas) cublasDestroy(handles.cublas);
  if (handles.cudnn) cudnnDestroy(handles.cudnn);
  cudaStreamDestroy(stream);
  return run;
}

/// That `make` leaves an f32 Add node to the other families.
inline void expect_no_kernel_for_add(MakeKernel make) {
  ir::Node add;
  add.op_type = "Add";
  const GpuNode node{add,
                     13,
                     {{2}, {2}},
                     {ElementType::F32, ElementType::F32},
                     {nullptr, nullptr},
                     {{2}},
                     {ElementType::F32},
                     ElementType::F32,
                     nullptr};
  EXPECT_EQ(make(node), nullptr);
}

/// How near a GPU output must be to the reference, relative to the reference's largest magnitude
/// (taken as at least `floor`): within `f32` in f32; in f16 and bf16 within `low_precision` and
/// at cosine 0.999.
struct Tolerance {
  double f32 = 1e-5, low_precision = 1e-2, floor = 1e-3;
};

/// Every value finite (no poison left, no overflow) and as near the f32 reference as `tolerance`.
inline void expect_close(const std::vector<float>& got, const Tensor& want, ElementType compute,
                         const Tolerance& tolerance) {
  auto w = want.span<const float>();
  ASSERT_EQ(got.size(), w.size());
  double largest = tolerance.floor, worst = 0, dot = 0, got_norm = 0, want_norm = 0;
  for (size_t i = 0; i < w.size(); ++i) {
    ASSERT_TRUE(std::isfinite(got[i])) << "at " << i << " (poison left or overflow)";
    largest = std::max(largest, std::abs(double(w[i])));
    worst = std::max(worst, std::abs(double(got[i]) - w[i]));
    dot += double(got[i]) * w[i];
    got_norm += double(got[i]) * got[i];
    want_norm += double(w[i]) * w[i];
  }
  if (compute == ElementType::F32) {
    EXPECT_LE(worst / largest, tolerance.f32);
  } else {
    EXPECT_LE(worst / largest, tolerance.low_precision);
    EXPECT_GE(dot / std::sqrt(got_norm * want_norm), 0.999);
  }
}

class KernelCase {
 public:
  KernelCase(std::string op, int opset, std::string domain = "") : opset_(opset) {
    node_.name = "node";
    node_.op_type = std::move(op);
    node_.domain = std::move(domain);
  }
  KernelCase& attr(const std::string& name, ir::Attribute value) {
    node_.attributes[name] = std::move(value);
    return *this;
  }
  /// An activation input (given by the executor at run time).
  KernelCase& input(Tensor value) { return add(std::move(value), false); }
  /// A constant input (its host value given to the kernel's maker).
  KernelCase& constant(Tensor value) { return add(std::move(value), true); }
  /// An f32 activation of uniform random values in [lo, hi], never all zeros.
  KernelCase& random(Shape shape, float lo = -2.0f, float hi = 2.0f) {
    return input(random_tensor(std::move(shape), lo, hi));
  }
  KernelCase& random_constant(Shape shape, float lo = -2.0f, float hi = 2.0f) {
    return constant(random_tensor(std::move(shape), lo, hi));
  }
  KernelCase& outputs(int count) {
    outputs_ = count;
    return *this;
  }

  /// Runs both and compares every output: f32 within `tolerance` (relative, absolute below 1),
  /// f16/bf16 by cosine >= 0.999 and within 1e-2 (bf16: 2e-2), integers exactly.
  void expect_matches(MakeKernel make, ElementType compute, double tolerance = 1e-5) const {
    // Float inputs are rounded to the compute type first, so that both sides see the same values.
    std::vector<Tensor> inputs;
    for (const Tensor& t : inputs_) inputs.push_back(rounded(t, compute));

    tandem::testing::OpCase reference(node_.op_type, opset_, node_.domain);
    for (const auto& [name, value] : node_.attributes) reference.set_attr(name, value);
    for (const Tensor& t : inputs) reference.input(Value(t));
    reference.outputs(outputs_);
    const std::vector<Value> expected = reference.run();

    ir::Node node = node_;
    for (int i = 0; i < outputs_; ++i) node.outputs.push_back("y" + std::to_string(i));
    GpuNode gpu{.node = node, .opset = opset_, .compute = compute};
    for (size_t i = 0; i < inputs.size(); ++i) {
      gpu.input_shapes.push_back(inputs[i].shape());
      gpu.input_types.push_back(storage(inputs[i].element_type(), compute));
      gpu.constants.push_back(constant_[i] ? &inputs[i] : nullptr);
    }
    for (const Value& v : expected) {
      gpu.output_shapes.push_back(v.tensor().shape());
      gpu.output_types.push_back(storage(v.tensor().element_type(), compute));
    }
    std::unique_ptr<GpuKernel> kernel = make(gpu);
    ASSERT_NE(kernel, nullptr) << node_.op_type;

    std::vector<Tensor> device_inputs, device_outputs;
    std::vector<const void*> input_pointers;
    std::vector<void*> output_pointers;
    for (size_t i = 0; i < inputs.size(); ++i) {
      if (constant_[i]) {  // the kernel holds its constants: it must not read the executor's
        input_pointers.push_back(nullptr);
        continue;
      }
      device_inputs.push_back(to_device(converted(inputs[i], gpu.input_types[i])));
      input_pointers.push_back(device_inputs.back().data());
    }
    for (size_t i = 0; i < expected.size(); ++i) {
      device_outputs.push_back(device_tensor(gpu.output_types[i], gpu.output_shapes[i]));
      // Poison: NaN in every float type, so that an unwritten element shows.
      ASSERT_EQ(cudaMemset(device_outputs.back().data(), 0xFF, device_outputs.back().byte_size()),
                cudaSuccess);
      output_pointers.push_back(device_outputs.back().data());
    }
    DeviceBuffer workspace(kernel->workspace_bytes());
    cudaStream_t stream = nullptr;
    ASSERT_EQ(cudaStreamCreate(&stream), cudaSuccess);
    const Launch launch{.stream = stream,
                        .handles = nullptr,
                        .inputs = input_pointers,
                        .outputs = output_pointers,
                        .workspace = workspace.get()};
    kernel->launch(launch);
    ASSERT_EQ(cudaStreamSynchronize(stream), cudaSuccess);
    cudaStreamDestroy(stream);

    for (size_t i = 0; i < expected.size(); ++i)
      compare(to_host(device_outputs[i]), expected[i].tensor(), tolerance, int(i));
  }

 private:
  KernelCase& add(Tensor value, bool constant) {
    node_.inputs.push_back("x" + std::to_string(inputs_.size()));
    inputs_.push_back(std::move(value));
    constant_.push_back(constant);
    return *this;
  }

  Tensor random_tensor(Shape shape, float lo, float hi) {
    std::uniform_real_distribution<float> dist(lo, hi);
    std::vector<float> values(size_t(shape_size(shape)));
    for (float& v : values) v = dist(random_);
    return Tensor::from<float>(std::move(values), std::move(shape));
  }

  // A float activation is stored in the compute type; the rest as they are.
  static ElementType storage(ElementType type, ElementType compute) {
    return type == ElementType::F32 ? compute : type;
  }

  static Tensor converted(const Tensor& t, ElementType type) {
    if (t.element_type() == type) return t;
    Tensor out(type, t.shape());
    const std::vector<double> values = t.to_double();
    for (size_t i = 0; i < values.size(); ++i) {
      const float v = float(values[i]);
      if (type == ElementType::F32) out.data<float>()[i] = v;
      else if (type == ElementType::F16) out.data<float16>()[i] = float16(v);
      else out.data<bfloat16>()[i] = bfloat16(v);
    }
    return out;
  }

  static Tensor rounded(const Tensor& t, ElementType compute) {
    if (t.element_type() != ElementType::F32 || compute == ElementType::F32) return t;
    return converted(converted(t, compute), ElementType::F32);
  }

  static void compare(const Tensor& got, const Tensor& want, double tolerance, int output) {
    ASSERT_EQ(got.shape(), want.shape()) << "output " << output;
    const std::vector<double> g = got.to_double(), w = want.to_double();
    const ElementType type = got.element_type();
    if (!is_floating_type(type)) {
      for (size_t i = 0; i < w.size(); ++i) ASSERT_EQ(g[i], w[i]) << "output " << output << " at " << i;
      return;
    }
    if (type == ElementType::F16) tolerance = std::max(tolerance, 1e-2);
    if (type == ElementType::BF16) tolerance = std::max(tolerance, 2e-2);
    double dot = 0, gg = 0, ww = 0;
    for (size_t i = 0; i < w.size(); ++i) {
      ASSERT_LE(std::abs(g[i] - w[i]), tolerance * std::max(1.0, std::abs(w[i])))
          << "output " << output << " at " << i << ": got " << g[i] << ", expected " << w[i];
      dot += g[i] * w[i];
      gg += g[i] * g[i];
      ww += w[i] * w[i];
    }
    if (type != ElementType::F32 && gg > 0 && ww > 0) {
      EXPECT_GE(dot / std::sqrt(gg * ww), 0.999) << "output " << output;
    }
  }

  ir::Node node_;
  int opset_;
  int outputs_ = 1;
  std::vector<Tensor> inputs_;
  std::vector<bool> constant_;
  std::mt19937 random_{20240607};
};

}  // namespace tandem::gpu::testing
