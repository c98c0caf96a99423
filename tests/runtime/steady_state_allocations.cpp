// Counts the heap allocations of steady-state inferences (issue 9: there are none). This program
// interposes malloc and its kin, so it is a binary of its own rather than part of tandem_tests.
//
// oneDNN 2.6's dnnl_primitive_execute builds an std::unordered_map of the arguments on every call
// (its exec_ctx_t), about one allocation per argument, which no caller can avoid. That function is
// interposed too, and what is allocated while any primitive executes is counted apart and
// reported, not asserted: everything tandem itself does per inference must allocate nothing.
#include <dlfcn.h>
#include <gtest/gtest.h>
#include <oneapi/dnnl/dnnl.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "ir/graph.h"
#include "passes/pass_test_util.h"
#include "tandem/tandem.h"

extern "C" {
void* __libc_malloc(size_t);
void* __libc_calloc(size_t, size_t);
void* __libc_realloc(void*, size_t);
void* __libc_memalign(size_t, size_t);
}

namespace {

std::atomic<bool> counting{false};
std::atomic<int> in_onednn{0};  // primitives executing now, on any thread
std::atomic<long> ours{0}, onednns{0};

void count() {
  if (!counting.load(std::memory_order_relaxed)) return;
  (in_onednn.load(std::memory_order_relaxed) > 0 ? onednns : ours).fetch_add(1, std::memory_order_relaxed);
}

}  // namespace

extern "C" {

void* malloc(size_t n) {
  count();
  return __libc_malloc(n);
}
void* calloc(size_t n, size_t size) {
  count();
  return __libc_calloc(n, size);
}
void* realloc(void* p, size_t n) {
  count();
  return __libc_realloc(p, n);
}
void* aligned_alloc(size_t alignment, size_t n) {
  count();
  return __libc_memalign(alignment, n);
}
void* memalign(size_t alignment, size_t n) {
  count();
  return __libc_memalign(alignment, n);
}
int posix_memalign(void** p, size_t alignment, size_t n) {
  count();
  *p = __libc_memalign(alignment, n);
  return *p ? 0 : ENOMEM;
}

dnnl_status_t dnnl_primitive_execute(const_dnnl_primitive_t primitive, dnnl_stream_t stream, int nargs,
                                     const dnnl_exec_arg_t* args) {
  using Fn = dnnl_status_t (*)(const_dnnl_primitive_t, dnnl_stream_t, int, const dnnl_exec_arg_t*);
  static const auto real = reinterpret_cast<Fn>(dlsym(RTLD_NEXT, "dnnl_primitive_execute"));
  in_onednn.fetch_add(1);
  const dnnl_status_t status = real(primitive, stream, nargs, args);
  in_onednn.fetch_sub(1);
  return status;
}

}  // extern "C"

namespace tandem {
namespace {

using Ints = std::vector<int64_t>;
std::vector<std::string> model_paths;  // from the command line: the model tests' models

using passes::testing::random_tensor;

// Every CPU kernel a CNN classifier runs: conv with bias and ReLU, max pool, a fire module's
// concat, squeeze and excitation (global average, sigmoid, multiply), a residual add fused into a
// conv, global average pool, flatten (a view) and a fully connected Gemm.
Model classifier(std::mt19937& rng) {
  auto model = std::make_shared<ir::Model>();
  model->graph = std::make_shared<ir::Graph>();
  model->opsets[""] = 17;
  ir::Graph& g = *model->graph;
  g.name = "classifier";
  g.inputs.push_back(Port{"x", ValueType::tensor(ElementType::F32, PartialShape(Shape{1, 3, 32, 32}))});
  g.outputs.push_back(Port{"logits", ValueType{}});
  g.initializers["w1"] = random_tensor({32, 3, 3, 3}, rng);
  g.initializers["b1"] = random_tensor({32}, rng);
  g.initializers["we1"] = random_tensor({16, 32, 1, 1}, rng);
  g.initializers["we3"] = random_tensor({16, 32, 3, 3}, rng);
  g.initializers["ws"] = random_tensor({32, 32, 1, 1}, rng);
  g.initializers["wr"] = random_tensor({32, 32, 3, 3}, rng);
  g.initializers["fc"] = random_tensor({10, 32}, rng);
  g.initializers["fcb"] = random_tensor({10}, rng);
  const std::map<std::string, ir::Attribute> same{{"pads", Ints{1, 1, 1, 1}}};
  g.nodes = {
      ir::Node{"conv1", "Conv", "", {"x", "w1", "b1"}, {"c1"}, same},
      ir::Node{"relu1", "Relu", "", {"c1"}, {"r1"}, {}},
      ir::Node{"pool", "MaxPool", "", {"r1"}, {"p"}, {{"kernel_shape", Ints{2, 2}}, {"strides", Ints{2, 2}}}},
      ir::Node{"expand1", "Conv", "", {"p", "we1"}, {"e1"}, {}},
      ir::Node{"expand3", "Conv", "", {"p", "we3"}, {"e3"}, same},
      ir::Node{"concat", "Concat", "", {"e1", "e3"}, {"cat"}, {{"axis", int64_t{1}}}},
      ir::Node{"squeeze", "GlobalAveragePool", "", {"cat"}, {"sq"}, {}},
      ir::Node{"excite", "Conv", "", {"sq", "ws"}, {"z"}, {}},
      ir::Node{"gate", "Sigmoid", "", {"z"}, {"s"}, {}},
      ir::Node{"scale", "Mul", "", {"cat", "s"}, {"m"}, {}},
      ir::Node{"conv_r", "Conv", "", {"m", "wr"}, {"cr"}, same},
      ir::Node{"residual", "Add", "", {"cr", "m"}, {"res"}, {}},
      ir::Node{"relu2", "Relu", "", {"res"}, {"r2"}, {}},
      ir::Node{"gap", "GlobalAveragePool", "", {"r2"}, {"gp"}, {}},
      ir::Node{"flatten", "Flatten", "", {"gp"}, {"f"}, {}},
      ir::Node{"fc", "Gemm", "", {"f", "fc", "fcb"}, {"logits"}, {{"transB", int64_t{1}}}},
  };
  return Model(model);
}

struct Counts {
  double ours = 0, onednn = 0;  // per inference
};

// Inferences after warming up: each thread's arena and argument lists, both output buffers.
template <class Infer>
Counts count_inferences(Infer infer, int runs = 20) {
  for (int i = 0; i < 3; ++i) infer();
  ours = onednns = 0;
  counting = true;
  for (int i = 0; i < runs; ++i) infer();
  counting = false;
  return {double(ours) / runs, double(onednns) / runs};
}

void expect_none(const CompiledModel& compiled, const std::string& what) {
  InferRequest request = compiled.create_infer_request();
  for (const Port& input : compiled.inputs()) {
    std::mt19937 rng(3);
    Tensor x = random_tensor(input.type.shape.to_shape(), rng);
    request.set_tensor(input.name, x);
  }
  const Counts sync = count_inferences([&] { request.infer(); });
  const Counts async = count_inferences([&] {
    request.start_async();
    request.wait();
  });
  std::printf("%s: %.1f allocations per inference by tandem (sync), %.1f (async); %.1f inside oneDNN's "
              "dnnl_primitive_execute\n",
              what.c_str(), sync.ours, async.ours, sync.onednn);
  EXPECT_EQ(sync.ours, 0) << what;
  EXPECT_EQ(async.ours, 0) << what;
}

TEST(SteadyStateAllocations, NonePerInferenceOfAClassifier) {
  std::mt19937 rng(5);
  Core core;
  expect_none(core.compile_model(classifier(rng), "CPU", {{properties::kPerformanceHint, "LATENCY"}}),
              "classifier");
}

TEST(SteadyStateAllocations, NonePerInferenceOfTheModelTestsCnns) {
  Core core;
  for (const std::string& path : model_paths) {
    if (!std::filesystem::exists(path)) {
      std::printf("%s: not exported yet (scripts/make_models), skipped\n", path.c_str());
      continue;
    }
    expect_none(core.compile_model(path, "CPU", {{properties::kPerformanceHint, "LATENCY"}}), path);
  }
}

}  // namespace
}  // namespace tandem

int main(int argc, char** argv) {
  testing::InitGoogleTest(&argc, argv);
  for (int i = 1; i < argc; ++i) tandem::model_paths.push_back(argv[i]);
  return RUN_ALL_TESTS();
}
