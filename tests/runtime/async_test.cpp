// Asynchronous requests, streams and properties: completion, errors, cancellation, many in flight.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "ir/graph.h"
#include "ops/op_case.h"
#include "tandem/tandem.h"

namespace tandem {
namespace {

// y = Relu(Neg(x)) with x: f32[batch, 4], a dynamic batch.
Model chain_model() {
  auto model = std::make_shared<ir::Model>();
  model->graph = std::make_shared<ir::Graph>();
  model->opsets[""] = 13;
  ir::Graph& g = *model->graph;
  g.inputs.push_back(Port{"x", ValueType::tensor(ElementType::F32, PartialShape({Dimension::named("batch"), 4}))});
  g.outputs.push_back(Port{"y", ValueType::tensor(ElementType::F32, PartialShape())});
  g.nodes.push_back(ir::Node{"neg", "Neg", "", {"x"}, {"t"}, {}});
  g.nodes.push_back(ir::Node{"relu", "Relu", "", {"t"}, {"y"}, {}});
  return Model(model);
}

Tensor input_of(float value, int64_t batch = 2) {
  Tensor t(ElementType::F32, {batch, 4});
  for (float& v : t.span<float>()) v = value;
  return t;
}

TEST(AsyncRequest, StartAndWaitGivesTheSyncResult) {
  CompiledModel compiled = Core().compile_model(chain_model());
  InferRequest request = compiled.create_infer_request();
  request.set_tensor("x", input_of(-3));
  request.start_async();
  request.wait();
  testing::expect_tensor<float>(request.get_tensor("y"), {2, 4}, std::vector<float>(8, 3));
  EXPECT_TRUE(request.wait_for(std::chrono::milliseconds(0)));
}

TEST(AsyncRequest, ErrorsReachTheCallbackAndWait) {
  CompiledModel compiled = Core().compile_model(chain_model());
  InferRequest request = compiled.create_infer_request();  // x is dynamic: nothing bound
  std::atomic<int> calls = 0;
  std::string message;
  request.set_callback([&](std::exception_ptr error) {
    ++calls;
    try {
      if (error) std::rethrow_exception(error);
    } catch (const Error& e) {
      message = e.what();
    }
  });
  request.start_async();
  EXPECT_THROW_KIND(request.wait(), ErrorKind::InvalidArgument, "input 'x'");
  EXPECT_EQ(calls, 1);
  EXPECT_NE(message.find("is not set"), std::string::npos);
  // Still usable afterwards.
  request.set_tensor("x", input_of(-1));
  request.start_async();
  request.wait();
  EXPECT_EQ(calls, 2);
}

TEST(AsyncRequest, CallbackMayRunAnotherRequestSynchronously) {
  // One stream: the synchronous run from the callback must not queue behind the callback itself.
  CompiledModel compiled = Core().compile_model(chain_model(), "CPU", {{properties::kNumStreams, "1"}});
  InferRequest first = compiled.create_infer_request(), second = compiled.create_infer_request();
  first.set_tensor("x", input_of(-2));
  second.set_tensor("x", input_of(-5));
  first.set_callback([&](std::exception_ptr) { second.infer(); });
  first.start_async();
  first.wait();
  testing::expect_tensor<float>(second.get_tensor("y"), {2, 4}, std::vector<float>(8, 5));
}

TEST(AsyncRequest, BusyRequestRefusesASecondStartAndRebinding) {
  CompiledModel compiled = Core().compile_model(chain_model());
  InferRequest request = compiled.create_infer_request();
  request.set_tensor("x", input_of(1, 20000));
  request.start_async();
  try {
    request.start_async();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("already running"), std::string::npos);
  }
  request.wait();
}

TEST(AsyncRequest, CancelledQueuedRunsCompleteWithAnError) {
  CompiledModel compiled = Core().compile_model(chain_model(), "CPU", {{properties::kNumStreams, "1"}});
  std::vector<InferRequest> requests;
  std::atomic<int> completed = 0, cancelled = 0;
  for (int i = 0; i < 8; ++i) {
    requests.push_back(compiled.create_infer_request());
    requests.back().set_tensor("x", input_of(-1, 50000));
    requests.back().set_callback([&](std::exception_ptr error) {
      ++completed;
      if (error) ++cancelled;
    });
  }
  for (auto& r : requests) r.start_async();
  for (size_t i = 4; i < requests.size(); ++i) requests[i].cancel();
  for (size_t i = 0; i < requests.size(); ++i) {
    try {
      requests[i].wait();
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find("cancelled"), std::string::npos);
    }
  }
  EXPECT_EQ(completed, 8);
  EXPECT_LE(cancelled, 4);  // a request may already have started before its cancel
}

// A cancelled run is that run's fate only: the request's next runs, synchronous ones made from a
// callback on a worker included, run.
TEST(AsyncRequest, ACancelledRunLeavesTheRequestsNextRunsAlone) {
  CompiledModel compiled = Core().compile_model(chain_model(), "CPU", {{properties::kNumStreams, "1"}});
  InferRequest busy = compiled.create_infer_request(), later = compiled.create_infer_request();
  busy.set_tensor("x", input_of(-1, 200000));
  later.set_tensor("x", input_of(-2));
  bool cancelled = false;
  for (int attempt = 0; attempt < 20 && !cancelled; ++attempt) {
    busy.start_async();
    later.start_async();
    later.cancel();
    busy.wait();
    try {
      later.wait();
    } catch (const Error& e) {
      cancelled = std::string(e.what()).find("cancelled") != std::string::npos;
    }
  }
  if (!cancelled) GTEST_SKIP() << "the queued run always started before its cancel";
  std::atomic<bool> ran = false;
  busy.set_callback([&](std::exception_ptr) {
    later.infer();  // on the worker: runs here, not queued
    ran = true;
  });
  busy.start_async();
  busy.wait();
  EXPECT_TRUE(ran);
  testing::expect_tensor<float>(later.get_tensor("y"), {2, 4}, std::vector<float>(8, 2));
  later.infer();
  testing::expect_tensor<float>(later.get_tensor("y"), {2, 4}, std::vector<float>(8, 2));
}

// Thousands of requests on several compiled models, some failing, some cancelled, handles
// dropped while in flight: every callback fires exactly once and every result is right.
TEST(AsyncRequest, StressManyRequestsAcrossModels) {
  constexpr int kModels = 3, kRequestsPerModel = 6, kRounds = 120;
  std::atomic<int> callbacks = 0, failures = 0, wrong = 0;
  {
    std::vector<CompiledModel> models;
    for (int m = 0; m < kModels; ++m)
      models.push_back(Core().compile_model(chain_model(), "CPU", {{properties::kPerformanceHint, "THROUGHPUT"}}));
    std::vector<InferRequest> requests;
    for (int m = 0; m < kModels; ++m)
      for (int r = 0; r < kRequestsPerModel; ++r) requests.push_back(models[m].create_infer_request());
    for (int round = 0; round < kRounds; ++round) {
      for (size_t i = 0; i < requests.size(); ++i) {
        InferRequest& request = requests[i];
        const bool bad = (round + i) % 7 == 0;
        const float value = -float(i + 1);
        // The callback holds a pointer, not a handle: a handle would keep the request alive forever.
        request.set_callback([&, value, handle = &request](std::exception_ptr error) {
          ++callbacks;
          if (error) {
            ++failures;
            return;
          }
          if (handle->get_tensor("y").span<float>()[0] != -value) ++wrong;
        });
        if (bad) {
          // A request whose dynamic input was never bound fails at run time; its handle is
          // dropped at once, with the run still queued.
          InferRequest unbound = models[i % kModels].create_infer_request();
          unbound.set_callback([&](std::exception_ptr error) {
            ++callbacks;
            if (error) ++failures;
          });
          unbound.start_async();  // stands in for this round's `request`
          continue;
        }
        request.set_tensor("x", input_of(value));
        request.start_async();
        if ((round + i) % 11 == 0) request.cancel();
      }
      for (InferRequest& request : requests) {
        try {
          request.wait();
        } catch (const Error&) {
        }
      }
    }
    // Leave a last round in flight while the handles go out of scope.
    for (InferRequest& request : requests) {
      request.set_callback([&](std::exception_ptr) { ++callbacks; });
      request.set_tensor("x", input_of(1));
      request.start_async();
    }
  }
  const int total = kModels * kRequestsPerModel * (kRounds + 1);
  // Requests and models are gone; their queued work still completes on the streams' threads.
  // Generous: sanitizers and a loaded machine slow the streams down many times.
  for (int i = 0; i < 6000 && callbacks < total; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  EXPECT_EQ(callbacks, total);
  EXPECT_EQ(wrong, 0);
  EXPECT_GT(failures, 0);
}

TEST(Properties, HintsPickStreamsAndExplicitValuesWin) {
  Core core;
  CompiledModel latency = core.compile_model(chain_model());
  EXPECT_EQ(latency.get_property(properties::kPerformanceHint), "LATENCY");
  EXPECT_EQ(latency.get_property(properties::kNumStreams), "1");
  EXPECT_EQ(latency.get_property(properties::kOptimalNumberOfInferRequests), "1");
  CompiledModel throughput = core.compile_model(
      chain_model(), "CPU", {{properties::kPerformanceHint, "THROUGHPUT"}, {properties::kInferenceNumThreads, "2"}});
  EXPECT_EQ(throughput.get_property(properties::kNumStreams), "2");
  EXPECT_EQ(throughput.get_property(properties::kOptimalNumberOfInferRequests), "4");
  CompiledModel pinned = core.compile_model(
      chain_model(), "CPU", {{properties::kPerformanceHint, "THROUGHPUT"}, {properties::kNumStreams, "1"}});
  EXPECT_EQ(pinned.get_property(properties::kNumStreams), "1");
}

TEST(Properties, UnknownKeysAndValuesAreClearErrors) {
  Core core;
  EXPECT_THROW_KIND(core.compile_model(chain_model(), "CPU", {{"TURBO", "YES"}}), ErrorKind::InvalidArgument,
                    "device CPU has no property 'TURBO'");
  EXPECT_THROW_KIND(core.compile_model(chain_model(), "CPU", {{properties::kPerformanceHint, "FAST"}}),
                    ErrorKind::InvalidArgument, "PERFORMANCE_HINT cannot be 'FAST'");
  EXPECT_THROW_KIND(core.compile_model(chain_model(), "CPU", {{properties::kNumStreams, "0"}}),
                    ErrorKind::InvalidArgument, "must be a positive integer");
  EXPECT_THROW_KIND(core.compile_model(chain_model(), "CPU", {{properties::kInferencePrecisionHint, "f16"}}),
                    ErrorKind::Unsupported, "f16 is not offered by CPU");
}

TEST(Profiling, RecordsEveryNodeWhenEnabled) {
  CompiledModel compiled =
      Core().compile_model(chain_model(), "CPU", {{properties::kEnableProfiling, "YES"}});
  InferRequest request = compiled.create_infer_request();
  request.set_tensor("x", input_of(1));
  request.infer();
  auto profile = request.profiling_info();
  ASSERT_EQ(profile.size(), 2u);
  EXPECT_EQ(profile[0].node_name, "neg");
  EXPECT_EQ(profile[1].node_type, "Relu");
  EXPECT_EQ(profile[1].device, "CPU");
  InferRequest plain = Core().compile_model(chain_model()).create_infer_request();
  plain.set_tensor("x", input_of(1));
  plain.infer();
  EXPECT_TRUE(plain.profiling_info().empty());
}

TEST(Reshape, FixesInputShapesBeforeCompiling) {
  Model model = chain_model().reshape({{"x", PartialShape({8, 4})}});
  EXPECT_EQ(to_string(model.inputs()[0].type.shape), "[8,4]");
  EXPECT_EQ(to_string(chain_model().inputs()[0].type.shape), "[batch,4]");
  InferRequest request = Core().compile_model(model).create_infer_request();
  EXPECT_EQ(request.get_tensor("x").shape(), (Shape{8, 4}));
  EXPECT_THROW_KIND(request.set_tensor("x", input_of(1, 2)), ErrorKind::InvalidArgument, "expects f32[8,4]");
  EXPECT_THROW_KIND(chain_model().reshape({{"images", PartialShape({1})}}), ErrorKind::InvalidArgument,
                    "no input 'images'");
  EXPECT_THROW_KIND(chain_model().reshape({{"x", PartialShape({1, 2, 3})}}), ErrorKind::InvalidArgument,
                    "another rank");
}

}  // namespace
}  // namespace tandem
