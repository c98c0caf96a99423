// Tensors in a device's own memory through the public API: made, copied, bound as inputs and kept
// as outputs, with the copies that saves. The virtual NPU has memory of its own (and keeps f32 as
// f16), so every path runs here; the GPU takes the same paths (docs/gpu.md).
#include <gtest/gtest.h>

#include "ops/op_case.h"
#include "runtime/sandwich_model.h"
#include "tandem/tandem.h"

namespace tandem {
namespace {

using testing::random_tensor;
using testing::sandwich_model;

// The copies a run made, as "value:direction".
std::vector<std::string> transfers(const InferRequest& request) {
  std::vector<std::string> copies;
  for (const ProfilingInfo& p : request.profiling_info())
    if (p.node_type == "Transfer") copies.push_back(p.node_name + ":" + p.exec_type);
  return copies;
}

std::vector<float> host_floats(const Tensor& tensor) {
  const Tensor host = Core().copy_tensor(tensor, "CPU");
  std::vector<float> values;
  for (double v : host.to_double()) values.push_back(float(v));
  return values;
}

void expect_near(const std::vector<float>& got, const std::vector<float>& want, float tolerance) {
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i) ASSERT_NEAR(got[i], want[i], tolerance) << "element " << i;
}

TEST(DeviceTensor, MadeCopiedAndGuarded) {
  Core core;
  const Tensor x = random_tensor({4, 8}, 3);
  const Tensor on_vnpu = core.copy_tensor(x, "VNPU");
  EXPECT_EQ(on_vnpu.device(), "VNPU");
  EXPECT_FALSE(on_vnpu.on_host());
  EXPECT_EQ(on_vnpu.element_type(), ElementType::F16);  // the VNPU keeps f32 as f16
  EXPECT_EQ(on_vnpu.shape(), (Shape{4, 8}));
  EXPECT_EQ(describe(on_vnpu), "f16[4,8] in VNPU memory");
  expect_near(host_floats(on_vnpu), std::vector<float>(x.span<const float>().begin(), x.span<const float>().end()),
              1e-4f);

  // Its elements are not host memory: reading them is an error, not a crash.
  EXPECT_THROW_KIND(on_vnpu.span<const float16>(), ErrorKind::InvalidArgument,
                    "reading a tensor's elements: the tensor is in VNPU memory; copy it to the host first");
  EXPECT_THROW_KIND(on_vnpu.clone(), ErrorKind::InvalidArgument, "Tensor::clone: the tensor is in VNPU memory");
  EXPECT_THROW_KIND(on_vnpu.to_double(), ErrorKind::InvalidArgument, "Tensor::to_double");

  const Tensor zeros = core.create_tensor(ElementType::I64, {3}, "VNPU");
  EXPECT_EQ(zeros.device(), "VNPU");
  EXPECT_EQ(core.copy_tensor(zeros, "CPU").to_int64(), (std::vector<int64_t>{0, 0, 0}));

  const Tensor on_cpu = core.create_tensor(ElementType::F32, {2}, "CPU");
  EXPECT_TRUE(on_cpu.on_host());
  EXPECT_EQ(on_cpu.device(), "CPU");
  Tensor copy = core.copy_tensor(on_cpu, "CPU");  // a copy, not the same memory
  EXPECT_NE(copy.data(), on_cpu.data());
  EXPECT_TRUE(core.create_host_tensor(ElementType::F32, {2}, "VNPU").on_host());
}

TEST(DeviceTensor, BadDevicesAreNamed) {
  Core core;
  EXPECT_THROW_KIND(core.create_tensor(ElementType::F32, {2}, "TPU"), ErrorKind::InvalidArgument,
                    "create_tensor: tandem has no device 'TPU'; tandem knows ");
  EXPECT_THROW_KIND(core.copy_tensor(Tensor(ElementType::F32, {2}), "HETERO:VNPU,CPU"), ErrorKind::InvalidArgument,
                    "copy_tensor: tandem has no device 'HETERO:VNPU,CPU'");
  EXPECT_THROW_KIND(core.create_tensor(ElementType::String, {2}, "VNPU"), ErrorKind::InvalidArgument,
                    "create_tensor: strings stay in host memory, not VNPU's");
  // Host memory marked as a device nobody knows.
  const Tensor unknown = Tensor(ElementType::F32, {2}).in_memory_of("TPU");
  EXPECT_THROW_KIND(core.copy_tensor(unknown, "CPU"), ErrorKind::InvalidArgument,
                    "copy_tensor: the tensor is marked as in TPU memory, and tandem has no device 'TPU'");
}

TEST(DeviceTensor, InputOnTheDeviceIsNotCopiedThere) {
  Core core;
  CompiledModel compiled = core.compile_model(sandwich_model(), "VNPU", {{"ENABLE_PROFILING", "YES"}});
  const Tensor x = random_tensor({64, 256}, 4);

  InferRequest host = compiled.create_infer_request();
  host.set_tensor("x", x);
  host.infer();
  EXPECT_EQ(transfers(host), (std::vector<std::string>{"x:copy_to_device", "a:copy_to_host", "b:copy_to_device",
                                                       "y:copy_to_host"}));

  InferRequest resident = compiled.create_infer_request();
  resident.set_tensor("x", core.copy_tensor(x, "VNPU"));
  resident.infer();
  // Add reads x on the VNPU too, and nothing reads it on the host: no copy of x at all.
  EXPECT_EQ(transfers(resident), (std::vector<std::string>{"a:copy_to_host", "b:copy_to_device", "y:copy_to_host"}));
  expect_near(host_floats(resident.get_tensor("y")), host_floats(host.get_tensor("y")), 0);
}

TEST(DeviceTensor, OutputKeptOnTheDeviceFeedsTheNextModel) {
  Core core;
  CompiledModel compiled = core.compile_model(sandwich_model(), "VNPU", {{"ENABLE_PROFILING", "YES"}});
  const Tensor x = random_tensor({64, 256}, 5);

  InferRequest first = compiled.create_infer_request();
  first.set_tensor("x", x);
  first.set_output_device("y", "VNPU");
  first.infer();
  const Tensor y = first.get_tensor("y");
  EXPECT_EQ(y.device(), "VNPU");
  EXPECT_EQ(transfers(first), (std::vector<std::string>{"x:copy_to_device", "a:copy_to_host", "b:copy_to_device"}));

  // The pipeline's second stage takes it as it is.
  InferRequest second = compiled.create_infer_request();
  second.set_tensor("x", y);
  second.infer();
  EXPECT_EQ(transfers(second), (std::vector<std::string>{"a:copy_to_host", "b:copy_to_device", "y:copy_to_host"}));

  // Both ends in VNPU memory: only the copies around the Sin the CPU runs are left.
  InferRequest resident = compiled.create_infer_request();
  resident.set_tensor("x", y);
  resident.set_output_device("y", "VNPU");
  resident.infer();
  EXPECT_EQ(transfers(resident), (std::vector<std::string>{"a:copy_to_host", "b:copy_to_device"}));
  expect_near(host_floats(resident.get_tensor("y")), host_floats(second.get_tensor("y")), 0);

  // The same two models from host memory, through f16 as the VNPU stores them.
  InferRequest check = compiled.create_infer_request();
  check.set_tensor("x", Tensor::from<float>(host_floats(y), {64, 256}));
  check.infer();
  expect_near(host_floats(second.get_tensor("y")), host_floats(check.get_tensor("y")), 0);

  // Back to host memory on request.
  first.set_output_device("y", "CPU");
  first.infer();
  EXPECT_TRUE(first.get_tensor("y").on_host());
}

TEST(DeviceTensor, ModelsOnOtherDevicesCopyThroughTheHost) {
  Core core;
  CompiledModel on_cpu = core.compile_model(sandwich_model(), "CPU");
  const Tensor x = random_tensor({64, 256}, 6);
  InferRequest reference = on_cpu.create_infer_request();
  reference.set_tensor("x", x);
  reference.infer();

  // A VNPU tensor into a CPU model, its output delivered to the VNPU.
  InferRequest request = on_cpu.create_infer_request();
  request.set_tensor("x", core.copy_tensor(x, "VNPU"));
  request.set_output_device("y", "VNPU");
  request.infer();
  EXPECT_EQ(request.get_tensor("y").device(), "VNPU");
  // x and y each pass through f16 once.
  expect_near(host_floats(request.get_tensor("y")), host_floats(reference.get_tensor("y")), 2e-3f);
}

TEST(DeviceTensor, BindingsAreChecked) {
  Core core;
  CompiledModel compiled = core.compile_model(sandwich_model(), "VNPU");
  InferRequest request = compiled.create_infer_request();
  // f32 bytes marked as VNPU memory: the VNPU keeps an f32 input as f16.
  EXPECT_THROW_KIND(request.set_tensor("x", Tensor(ElementType::F32, {64, 256}).in_memory_of("VNPU")),
                    ErrorKind::InvalidArgument,
                    "set_tensor: input 'x' expects f16[64,256] in VNPU memory, got f32[64,256] in VNPU memory");
  EXPECT_THROW_KIND(request.set_tensor("x", core.create_tensor(ElementType::F32, {64, 255}, "VNPU")),
                    ErrorKind::InvalidArgument, "got f16[64,255] in VNPU memory");
  EXPECT_THROW_KIND(request.set_output_device("z", "VNPU"), ErrorKind::InvalidArgument,
                    "set_output_device: the model has no output 'z'; its outputs are 'y'");
  EXPECT_THROW_KIND(request.set_output_device("y", "TPU"), ErrorKind::InvalidArgument,
                    "set_output_device: tandem has no device 'TPU'");
  // The request is still usable.
  request.set_tensor("x", random_tensor({64, 256}, 7));
  request.infer();
  EXPECT_TRUE(request.get_tensor("y").on_host());
}

}  // namespace
}  // namespace tandem
