// KernelCase: one node run on the GPU through a family's make_*_kernel and on the CPU through the
// public API, on the same random inputs, and the outputs compared. For the kernel tests of the
// elementwise, normalization and data-movement families.
//
//   KernelCase("Add", 14).random({2, 3, 8}).random({8}).expect_matches(make_elementwise_kernel,
//                                                                     ElementType::F16);
#pragma once

#include <cuda_runtime.h>
#include <gtest/gtest.h>

#include <cmath>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "devices/gpu/cuda/device_memory.h"
#include "devices/gpu/cuda/gpu_kernel.h"
#include "ops/op_case.h"

namespace tandem::gpu::testing {

using MakeKernel = std::unique_ptr<GpuKernel> (*)(const GpuNode&);

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
