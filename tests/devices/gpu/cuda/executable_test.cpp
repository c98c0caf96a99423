// Whole models on the GPU through the public API, against the CPU: f32 within 1e-4, f16 and bf16
// by cosine; one with an op the GPU lacks on HETERO:GPU,CPU with the transfers the report states.
// Runs where a GPU is present (scripts/gpu_check); skipped elsewhere.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <sstream>

#include "devices/gpu/cuda/device_memory.h"
#include "devices/gpu/cuda/executable.h"
#include "devices/gpu/cuda/gpu_test_util.h"
#include "ir/graph.h"
#include "tandem/tandem.h"

namespace tandem {
namespace {

Tensor random_tensor(Shape shape, unsigned seed, float scale = 0.1f) {
  Tensor t(ElementType::F32, std::move(shape));
  std::mt19937 gen(seed);
  std::uniform_real_distribution<float> dist(-scale, scale);
  for (float& x : t.span<float>()) x = dist(gen);
  return t;
}

ir::Attribute ints(std::vector<int64_t> values) { return values; }

// A small CNN: Conv+Relu (fused by the passes), MaxPool, Conv+Add residual, GlobalAveragePool,
// Flatten, Gemm. `sin` puts a Sin (no GPU kernel) before the classifier.
Model small_cnn(bool sin) {
  auto model = std::make_shared<ir::Model>();
  model->graph = std::make_shared<ir::Graph>();
  model->opsets[""] = 17;
  model->path = "small_cnn.onnx";
  ir::Graph& g = *model->graph;
  g.inputs.push_back(Port{"x", ValueType::tensor(ElementType::F32, PartialShape({2, 3, 16, 16}))});
  g.outputs.push_back(Port{"y", ValueType::tensor(ElementType::F32, PartialShape({2, 10}))});
  g.initializers.emplace("w1", random_tensor({16, 3, 3, 3}, 1, 0.3f));
  g.initializers.emplace("b1", random_tensor({16}, 2));
  g.initializers.emplace("w2", random_tensor({16, 16, 3, 3}, 3, 0.1f));
  g.initializers.emplace("fc", random_tensor({10, 16}, 4, 0.3f));
  g.initializers.emplace("fc_b", random_tensor({10}, 5));
  ir::Node conv1{"conv1", "Conv", "", {"x", "w1", "b1"}, {"c1"}, {}};
  conv1.attributes["pads"] = ints({1, 1, 1, 1});
  g.nodes.push_back(conv1);
  g.nodes.push_back(ir::Node{"relu1", "Relu", "", {"c1"}, {"r1"}, {}});
  ir::Node pool{"pool", "MaxPool", "", {"r1"}, {"p"}, {}};
  pool.attributes["kernel_shape"] = ints({2, 2});
  pool.attributes["strides"] = ints({2, 2});
  g.nodes.push_back(pool);
  ir::Node conv2{"conv2", "Conv", "", {"p", "w2"}, {"c2"}, {}};
  conv2.attributes["pads"] = ints({1, 1, 1, 1});
  g.nodes.push_back(conv2);
  g.nodes.push_back(ir::Node{"add", "Add", "", {"c2", "p"}, {"s"}, {}});
  g.nodes.push_back(ir::Node{"relu2", "Relu", "", {"s"}, {"r2"}, {}});
  g.nodes.push_back(ir::Node{"gap", "GlobalAveragePool", "", {"r2"}, {"gp"}, {}});
  g.nodes.push_back(ir::Node{"flatten", "Flatten", "", {"gp"}, {sin ? "f" : "features"}, {}});
  if (sin) g.nodes.push_back(ir::Node{"sin", "Sin", "", {"f"}, {"features"}, {}});
  ir::Node gemm{"gemm", "Gemm", "", {"features", "fc", "fc_b"}, {"y"}, {}};
  gemm.attributes["transB"] = int64_t{1};
  g.nodes.push_back(gemm);
  return Model(model);
}

Tensor infer_once(const CompiledModel& compiled, const Tensor& x) {
  InferRequest request = compiled.create_infer_request();
  request.set_tensor("x", x);
  request.infer();
  return request.get_tensor("y");
}

double max_relative_error(const Tensor& a, const Tensor& b) {
  double worst = 0, scale = 1e-6;
  auto x = a.span<const float>(), y = b.span<const float>();
  for (size_t i = 0; i < y.size(); ++i) scale = std::max(scale, double(std::abs(y[i])));
  for (size_t i = 0; i < x.size(); ++i) worst = std::max(worst, std::abs(double(x[i]) - y[i]) / scale);
  return worst;
}

double cosine(const Tensor& a, const Tensor& b) {
  double ab = 0, aa = 0, bb = 0;
  auto x = a.span<const float>(), y = b.span<const float>();
  for (size_t i = 0; i < x.size(); ++i) ab += x[i] * y[i], aa += x[i] * x[i], bb += y[i] * y[i];
  return ab / std::sqrt(aa * bb);
}

class GpuModel : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!gpu::testing::gpu_present()) GTEST_SKIP() << "no GPU on this machine";
  }
};

TEST_F(GpuModel, F32MatchesTheCpu) {
  const Tensor x = random_tensor({2, 3, 16, 16}, 7, 1.0f);
  const Tensor on_cpu = infer_once(Core().compile_model(small_cnn(false), "CPU"), x);
  CompiledModel on_gpu = Core().compile_model(small_cnn(false), "GPU");
  for (const PlacedNode& node : on_gpu.placement().nodes) EXPECT_EQ(node.device, "GPU") << node.name;
  for (int run = 0; run < 3; ++run)  // the first run captures the CUDA graph, the next replay it
    EXPECT_LT(max_relative_error(infer_once(on_gpu, x), on_cpu), 1e-4) << "run " << run;
}

TEST_F(GpuModel, ExportedAndImportedRunsTheSame) {
  const Tensor x = random_tensor({2, 3, 16, 16}, 10, 1.0f);
  CompiledModel compiled = Core().compile_model(small_cnn(false), "GPU");
  std::stringstream blob;
  compiled.export_model(blob);
  CompiledModel imported = Core().import_model(blob);
  EXPECT_LT(max_relative_error(infer_once(imported, x), infer_once(compiled, x)), 1e-6);
}

TEST_F(GpuModel, ReducedPrecisionIsClose) {
  const Tensor x = random_tensor({2, 3, 16, 16}, 8, 1.0f);
  const Tensor on_cpu = infer_once(Core().compile_model(small_cnn(false), "CPU"), x);
  for (const char* precision : {"f16", "bf16"}) {
    CompiledModel on_gpu = Core().compile_model(small_cnn(false), "GPU", {{"INFERENCE_PRECISION_HINT", precision}});
    EXPECT_GE(cosine(infer_once(on_gpu, x), on_cpu), 0.999) << precision;
  }
}

// The executable itself, as the plugin makes it: after the first run captured them, the kernels
// of every run are one CUDA graph launch.
TEST_F(GpuModel, EachRunIsOneGraphLaunch) {
  const Model model = small_cnn(false);
  gpu::GpuExecutable executable(model.ir(), devices::CompileOptions{});
  const Tensor x = random_tensor({2, 3, 16, 16}, 13, 1.0f);
  for (int run = 0; run < 3; ++run) executable.run({Value(gpu::to_device(x))}, nullptr);
  const gpu::GpuExecutable::RunCounts counts = executable.run_counts();
  EXPECT_EQ(counts.graph_launches, 3);
  EXPECT_EQ(counts.eager_runs, 0) << "capture failed: the kernels ran one by one";
  std::vector<ProfilingInfo> profile;
  executable.run({Value(gpu::to_device(x))}, &profile);
  EXPECT_EQ(executable.run_counts().profiled_runs, 1);
  EXPECT_FALSE(profile.empty());
}

// The same through the public API, as tandem bench reports it: a profiled run launches the nodes'
// kernels one by one instead, and says so.
TEST_F(GpuModel, CompiledModelCountsItsLaunches) {
  const Tensor x = random_tensor({2, 3, 16, 16}, 14, 1.0f);
  CompiledModel compiled = Core().compile_model(small_cnn(false), "GPU");
  for (int run = 0; run < 3; ++run) infer_once(compiled, x);
  EXPECT_EQ(compiled.device_launches().at("GPU").graphs, 3);
  EXPECT_EQ(compiled.device_launches().at("GPU").kernels, 0);
  CompiledModel profiled = Core().compile_model(small_cnn(false), "GPU", {{"ENABLE_PROFILING", "YES"}});
  infer_once(profiled, x);
  EXPECT_EQ(profiled.device_launches().at("GPU").graphs, 0);
  EXPECT_GT(profiled.device_launches().at("GPU").kernels, 0);
}

// In f16 each convolution's algorithm is the fastest of those timed on it; a saved executable
// keeps the choices, and one made from them takes them again.
TEST_F(GpuModel, TimedChoicesAreKept) {
  const Model model = small_cnn(false);
  const devices::CompileOptions f16{.inference_precision = ElementType::F16};
  gpu::GpuExecutable timed(model.ir(), f16);
  const std::map<size_t, std::string> choices = timed.choices();
  EXPECT_EQ(choices.size(), 2u) << "conv1 and conv2";
  gpu::GpuExecutable again(model.ir(), f16, choices);
  EXPECT_EQ(again.choices(), choices);
  const Tensor x = random_tensor({2, 3, 16, 16}, 14, 1.0f);
  const Tensor a = gpu::to_host(timed.run({Value(gpu::to_device(x))}, nullptr)[0].tensor());
  const Tensor b = gpu::to_host(again.run({Value(gpu::to_device(x))}, nullptr)[0].tensor());
  EXPECT_LT(max_relative_error(a, b), 1e-6);
}

// In f16 the convolutions and pools read and write channels-last images (ChannelsLast nodes of
// passes/channels_last.h, cuDNN's NHWC tensors), and compute what they did channels-first.
TEST_F(GpuModel, HalfPrecisionConvolutionsRunChannelsLast) {
  const Tensor x = random_tensor({2, 3, 16, 16}, 11, 1.0f);
  const Tensor on_cpu = infer_once(Core().compile_model(small_cnn(false), "CPU"), x);
  CompiledModel on_gpu = Core().compile_model(small_cnn(false), "GPU",
                                              {{"INFERENCE_PRECISION_HINT", "f16"}, {"ENABLE_PROFILING", "YES"}});
  InferRequest request = on_gpu.create_infer_request();
  request.set_tensor("x", x);
  request.infer();
  EXPECT_GE(cosine(request.get_tensor("y"), on_cpu), 0.999);
  std::vector<std::string> nhwc;
  for (const ProfilingInfo& record : request.profiling_info())
    if (record.exec_type.find("_nhwc") != std::string::npos) nhwc.push_back(record.node_name);
  EXPECT_EQ(nhwc.size(), 4u) << "conv1, pool, conv2 and gap channels-last";
}

// Inputs made in GPU memory and outputs kept there: no copy at the model's boundary, the same
// results as through host memory.
TEST_F(GpuModel, DeviceTensorsNeedNoCopies) {
  Core core;
  const Tensor x = random_tensor({2, 3, 16, 16}, 12, 1.0f);
  CompiledModel compiled = core.compile_model(small_cnn(false), "GPU", {{"ENABLE_PROFILING", "YES"}});
  const Tensor through_host = infer_once(compiled, x);
  InferRequest request = compiled.create_infer_request();
  const Tensor on_gpu = core.copy_tensor(x, "GPU");
  EXPECT_EQ(on_gpu.device(), "GPU");
  request.set_tensor("x", on_gpu);
  request.set_output_device("y", "GPU");
  request.infer();
  const Tensor y = request.get_tensor("y");
  EXPECT_EQ(y.device(), "GPU");
  for (const ProfilingInfo& record : request.profiling_info()) EXPECT_NE(record.node_type, "Transfer") << record.node_name;
  EXPECT_LT(max_relative_error(core.copy_tensor(y, "CPU"), through_host), 1e-6);
  const Tensor pinned = core.create_host_tensor(ElementType::F32, {2, 3, 16, 16}, "GPU");
  EXPECT_TRUE(pinned.on_host());
}

// Under THROUGHPUT the GPU runs four contexts at once (a stream, arena and CUDA graph each):
// eight requests in flight with different inputs each give the bits of their input run alone.
TEST_F(GpuModel, RequestsInFlightOnFourStreams) {
  CompiledModel compiled = Core().compile_model(small_cnn(false), "GPU", {{"PERFORMANCE_HINT", "THROUGHPUT"}});
  EXPECT_EQ(compiled.placement().streams.front(), 4);
  std::vector<Tensor> inputs, alone;
  for (unsigned i = 0; i < 8; ++i) {
    inputs.push_back(random_tensor({2, 3, 16, 16}, 20 + i, 1.0f));
    alone.push_back(infer_once(compiled, inputs.back()));
  }
  std::vector<InferRequest> requests;
  for (const Tensor& x : inputs) {
    requests.push_back(compiled.create_infer_request());
    requests.back().set_tensor("x", x);
    requests.back().start_async();
  }
  for (size_t i = 0; i < requests.size(); ++i) {
    requests[i].wait();
    const Tensor got = requests[i].get_tensor("y");
    EXPECT_TRUE(std::equal(got.span<const float>().begin(), got.span<const float>().end(),
                           alone[i].span<const float>().begin()))
        << "request " << i;
  }
  EXPECT_EQ(compiled.device_launches().at("GPU").kernels, 0) << "a context's capture failed";
}

TEST_F(GpuModel, FallbackRunsOnTheCpuWithTheReportedTransfers) {
  CompiledModel compiled = Core().compile_model(small_cnn(true), "HETERO:GPU,CPU");
  const Placement& placement = compiled.placement();
  for (const PlacedNode& node : placement.nodes)
    EXPECT_EQ(node.device, node.name == "sin" ? "CPU" : "GPU") << node.name;
  EXPECT_FALSE(placement.transfers.empty());
  const Tensor x = random_tensor({2, 3, 16, 16}, 9, 1.0f);
  const Tensor on_cpu = infer_once(Core().compile_model(small_cnn(true), "CPU"), x);
  EXPECT_LT(max_relative_error(infer_once(compiled, x), on_cpu), 1e-4);
}

}  // namespace
}  // namespace tandem
