// Compiling for the virtual NPU with CPU fallback: placement, copies, pipelining, static shapes.
#include <gtest/gtest.h>

#include <cmath>

#include "ir/graph.h"
#include "ops/op_case.h"
#include "runtime/sandwich_model.h"
#include "tandem/tandem.h"

namespace tandem {
namespace {

using testing::random_tensor;
using testing::sandwich_model;

double cosine(const Tensor& a, const Tensor& b) {
  double ab = 0, aa = 0, bb = 0;
  auto x = a.span<const float>(), y = b.span<const float>();
  for (size_t i = 0; i < x.size(); ++i) ab += x[i] * y[i], aa += x[i] * x[i], bb += y[i] * y[i];
  return ab / std::sqrt(aa * bb);
}

Tensor infer_once(const CompiledModel& compiled, const Tensor& x) {
  InferRequest request = compiled.create_infer_request();
  request.set_tensor("x", x);
  request.infer();
  return request.get_tensor("y");
}

TEST(Hetero, FallbackIsPlacedReportedAndMatchesTheCpu) {
  CompiledModel compiled = Core().compile_model(sandwich_model(), "HETERO:VNPU,CPU");
  const Placement& placement = compiled.placement();
  ASSERT_EQ(placement.nodes.size(), 4u);
  EXPECT_EQ(placement.nodes[1].device, "CPU");
  EXPECT_NE(placement.nodes[1].reason.find("VNPU does not run Sin"), std::string::npos) << placement.nodes[1].reason;
  ASSERT_EQ(placement.subgraphs.size(), 3u);
  EXPECT_EQ(placement.summary(), "3 nodes on VNPU in 2 subgraphs, 1 node on CPU: Sin×1; 4 transfers, 128.0 KiB per inference");
  // x goes to the VNPU once, though both VNPU subgraphs read it.
  int x_copies = 0;
  for (const PlacedTransfer& t : placement.transfers) x_copies += t.value == "x";
  EXPECT_EQ(x_copies, 1);

  Tensor x = random_tensor({64, 256}, 3);
  Tensor on_cpu = infer_once(Core().compile_model(sandwich_model()), x);
  EXPECT_GE(cosine(infer_once(compiled, x), on_cpu), 0.999);
  EXPECT_EQ(Core().query_model(sandwich_model(), "VNPU"),
            (std::map<std::string, std::string>{{"mm1", "VNPU"}, {"sin", "CPU"}, {"add", "VNPU"}, {"mm2", "VNPU"}}));
}

TEST(Hetero, AModelFoldedWholeAtCompileTimeStillRuns) {
  auto model = std::make_shared<ir::Model>();
  model->graph = std::make_shared<ir::Graph>();
  model->opsets[""] = 17;
  model->graph->inputs.push_back(Port{"x", ValueType::tensor(ElementType::F32, PartialShape({2, 3}))});
  model->graph->outputs.push_back(Port{"y", ValueType::tensor(ElementType::I64, PartialShape({2}))});
  model->graph->nodes.push_back(ir::Node{"shape", "Shape", "", {"x"}, {"y"}, {}});
  CompiledModel compiled = Core().compile_model(Model(model), "VNPU");
  EXPECT_EQ(compiled.placement().summary(), "no node runs per inference (1 folded at compile time); no transfers");
  InferRequest request = compiled.create_infer_request();
  request.set_tensor("x", Tensor(ElementType::F32, {2, 3}));
  request.infer();
  testing::expect_tensor<int64_t>(request.get_tensor("y"), {2}, {2, 3});
}

TEST(Hetero, AcceleratorAloneFallsBackUnlessForbidden) {
  EXPECT_EQ(Core().compile_model(sandwich_model(), "VNPU").placement().devices,
            (std::vector<std::string>{"VNPU", "CPU"}));
  EXPECT_THROW_KIND(Core().compile_model(sandwich_model(), "VNPU", {{"ALLOW_CPU_FALLBACK", "NO"}}),
                    ErrorKind::Unsupported,
                    "compile_model: ALLOW_CPU_FALLBACK is NO and VNPU cannot run 1 node(s): node 'sin' (Sin, opset "
                    "17): VNPU does not run Sin");
}

TEST(Hetero, DynamicShapesNeedAReshapeFirst) {
  Model dynamic = sandwich_model(PartialShape({Dimension::named("rows"), 256}));
  EXPECT_THROW_KIND(Core().compile_model(dynamic, "VNPU"), ErrorKind::InvalidArgument,
                    "compile_model: VNPU needs static shapes, but input 'x' is f32[rows,256]; reshape the model "
                    "first (Model::reshape, or -shape on the command line)");
  Model fixed = dynamic.reshape({{"x", PartialShape({64, 256})}});
  Tensor x = random_tensor({64, 256}, 4);
  EXPECT_GE(cosine(infer_once(Core().compile_model(fixed, "VNPU"), x),
                   infer_once(Core().compile_model(sandwich_model()), x)),
            0.999);
}

// With several requests in flight, the CPU runs one request's Sin while the VNPU runs another
// request's MatMul: their profiled intervals overlap. Every copy happens once per request.
// Threads may be scheduled so that a batch never overlaps; one batch in three must.
bool batch_overlaps(const CompiledModel& compiled) {
  std::vector<InferRequest> requests;
  for (int i = 0; i < 8; ++i) {
    requests.push_back(compiled.create_infer_request());
    requests.back().set_tensor("x", random_tensor({64, 256}, 10 + i));
  }
  for (InferRequest& r : requests) r.start_async();
  using Interval = std::pair<std::chrono::steady_clock::time_point, std::chrono::steady_clock::time_point>;
  std::vector<std::vector<Interval>> on_vnpu(requests.size()), on_cpu(requests.size());
  for (size_t i = 0; i < requests.size(); ++i) {
    requests[i].wait();
    int transfers = 0;
    for (const ProfilingInfo& p : requests[i].profiling_info()) {
      if (p.node_type == "Transfer") {
        ++transfers;
        continue;
      }
      (p.device == "VNPU" ? on_vnpu : on_cpu)[i].emplace_back(p.start, p.start + p.real_time);
    }
    EXPECT_EQ(transfers, 4);
  }
  for (size_t i = 0; i < requests.size(); ++i)
    for (size_t j = 0; j < requests.size(); ++j)
      for (const Interval& cpu : on_cpu[i])
        for (const Interval& vnpu : on_vnpu[j])
          if (i != j && cpu.first < vnpu.second && vnpu.first < cpu.second) return true;
  return false;
}

TEST(Hetero, RequestsInFlightKeepBothDevicesBusyAtOnce) {
  CompiledModel compiled = Core().compile_model(sandwich_model(), "VNPU", {{"ENABLE_PROFILING", "YES"}});
  // On two busy cores (ctest -j2 beside the model tests) a batch can run without overlapping by
  // chance; each try takes milliseconds, so many tries keep this a test of the pipeline alone.
  bool overlapped = false;
  for (int attempt = 0; attempt < 30 && !overlapped; ++attempt) overlapped = batch_overlaps(compiled);
  EXPECT_TRUE(overlapped);
  auto busy = compiled.device_busy_time();
  EXPECT_GT(busy.at("VNPU").count(), 0);
  EXPECT_GT(busy.at("CPU").count(), 0);
}

// Launches are counted by devices that enqueue work (the GPU's CUDA graphs); the VNPU's and the
// CPU's kernels run on host threads, so both are listed with none.
TEST(Hetero, DevicesRunningOnHostThreadsCountNoLaunches) {
  CompiledModel compiled = Core().compile_model(sandwich_model(), "HETERO:VNPU,CPU");
  InferRequest request = compiled.create_infer_request();
  request.set_tensor("x", random_tensor({64, 256}, 3));
  request.infer();
  const std::map<std::string, DeviceLaunches> launches = compiled.device_launches();
  ASSERT_EQ(launches.size(), 2u);
  for (const char* device : {"VNPU", "CPU"}) {
    EXPECT_EQ(launches.at(device).graphs, 0) << device;
    EXPECT_EQ(launches.at(device).kernels, 0) << device;
  }
}

}  // namespace
}  // namespace tandem
