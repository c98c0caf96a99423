// Streams per device: the CPU splits its threads into streams by the hint, a device with streams
// of its own (the GPU's CUDA streams, the VNPU's queue) runs 1 under LATENCY and its
// throughput_streams under THROUGHPUT, and NUM_STREAMS, where given, sets them all. The model
// reports the first device's, and the placement each device's.
#include <gtest/gtest.h>

#include <algorithm>
#include <sstream>
#include <vector>

#include "runtime/compile_config.h"
#include "sandwich_model.h"
#include "tandem/tandem.h"

namespace tandem::runtime {
namespace {

const devices::DeviceInfo kCpu{.name = "CPU", .throughput_streams = 0};
const devices::DeviceInfo kFourStreams{.name = "GPU", .throughput_streams = 4};

CompileConfig resolve(const std::string& hint, const std::string& streams = "", int threads = 8) {
  AnyMap properties{{properties::kPerformanceHint, hint},
                    {properties::kInferenceNumThreads, std::to_string(threads)}};
  if (!streams.empty()) properties[properties::kNumStreams] = streams;
  return CompileConfig::resolve(properties, "HETERO:GPU,CPU");
}

TEST(DeviceStreams, LatencyRunsOneRequestAtATimeOnEveryDevice) {
  const CompileConfig c = resolve("LATENCY");
  EXPECT_EQ(c.streams_on(kCpu), 1);
  EXPECT_EQ(c.streams_on(kFourStreams), 1);
}

TEST(DeviceStreams, ThroughputTakesEachDevicesOwnCount) {
  const CompileConfig c = resolve("THROUGHPUT");
  EXPECT_EQ(c.streams_on(kCpu), 8);  // a stream per thread
  EXPECT_EQ(c.streams_on(kFourStreams), 4);
}

TEST(DeviceStreams, NumStreamsSetsThemAll) {
  const CompileConfig c = resolve("THROUGHPUT", "3");
  EXPECT_EQ(c.streams_on(kCpu), 3);
  EXPECT_EQ(c.streams_on(kFourStreams), 3);
  // The CPU's never outnumber its threads; another device's streams take no CPU threads.
  const CompileConfig few_threads = resolve("THROUGHPUT", "6", 2);
  EXPECT_EQ(few_threads.streams_on(kCpu), 2);
  EXPECT_EQ(few_threads.streams_on(kFourStreams), 6);
}

TEST(DeviceStreams, TheFirstDevicesStreamsAreReportedWithARequestQueuedBehindEach) {
  CompileConfig c = resolve("THROUGHPUT");
  c.adopt(kFourStreams);
  EXPECT_EQ(c.to_map().at(properties::kNumStreams), "4");
  EXPECT_EQ(c.to_map().at(properties::kOptimalNumberOfInferRequests), "8");
  CompileConfig latency = resolve("LATENCY");
  latency.adopt(kFourStreams);
  EXPECT_EQ(latency.to_map().at(properties::kOptimalNumberOfInferRequests), "1");
}

TEST(DeviceStreams, CompiledModelAndPlacementSayWhatEachDeviceRuns) {
  Core core;
  const AnyMap throughput{{properties::kPerformanceHint, "THROUGHPUT"},
                          {properties::kInferenceNumThreads, "2"}};
  CompiledModel hetero = core.compile_model(testing::sandwich_model(), "HETERO:VNPU,CPU", throughput);
  EXPECT_EQ(hetero.placement().devices, (std::vector<std::string>{"VNPU", "CPU"}));
  EXPECT_EQ(hetero.placement().streams, (std::vector<int>{1, 2}));
  EXPECT_EQ(hetero.get_property(properties::kNumStreams), "1");
  EXPECT_EQ(hetero.get_property(properties::kOptimalNumberOfInferRequests), "2");

  AnyMap three = throughput;
  three[properties::kNumStreams] = "3";
  CompiledModel pinned = core.compile_model(testing::sandwich_model(), "HETERO:VNPU,CPU", three);
  EXPECT_EQ(pinned.placement().streams, (std::vector<int>{3, 2}));
  EXPECT_EQ(pinned.get_property(properties::kNumStreams), "3");
  EXPECT_EQ(pinned.get_property(properties::kOptimalNumberOfInferRequests), "6");

  // A blob imported with other properties runs with those.
  std::stringstream blob;
  pinned.export_model(blob);
  CompiledModel imported = core.import_model(blob, throughput);
  EXPECT_EQ(imported.placement().streams, (std::vector<int>{1, 2}));
  EXPECT_EQ(imported.get_property(properties::kNumStreams), "1");

  // Six requests in flight on three VNPU workers each give the bits of a request run alone.
  const Tensor x = testing::random_tensor({64, 256}, 7);
  InferRequest alone = pinned.create_infer_request();
  alone.set_tensor("x", x);
  alone.infer();
  const Tensor want = alone.get_tensor("y").clone();
  std::vector<InferRequest> requests;
  for (int r = 0; r < 6; ++r) {
    requests.push_back(pinned.create_infer_request());
    requests.back().set_tensor("x", x);
    requests.back().start_async();
  }
  for (InferRequest& request : requests) {
    request.wait();
    const Tensor got = request.get_tensor("y");
    ASSERT_EQ(got.shape(), want.shape());
    EXPECT_TRUE(std::equal(got.span<float>().begin(), got.span<float>().end(), want.span<float>().begin()));
  }
}

}  // namespace
}  // namespace tandem::runtime
