// oneDNN MatMul and Gemm kernels against the reference kernels: one-node models with constant
// weights, random values, shapes around the tile edges, run through the public API.
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "ir/graph.h"
#include "tandem/tandem.h"

namespace tandem {
namespace {

constexpr int64_t kEdges[] = {1, 7, 16, 17, 64, 65};

Tensor random_tensor(const Shape& shape, std::mt19937& rng) {
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  Tensor t(ElementType::F32, shape);
  for (float& v : t.span<float>()) v = dist(rng);
  return t;
}

struct NodeCase {
  std::string op = "MatMul";
  int opset = 13;
  std::map<std::string, ir::Attribute> attributes;
  Tensor a, b, c;          // c is invalid when the node has no C
  bool dynamic_a = false;  // A declared with unknown dimensions
  int64_t k = 1;           // the reduction length
  float scale = 1.0f;      // |alpha| + |beta|: how far results grow beyond a dot product

  std::string describe() const {
    std::string s = fmt::format("{}-{} A={} B={}", op, opset, a.shape(), b.shape());
    if (c.is_valid()) s += fmt::format(" C={}", c.shape());
    for (const auto& [name, value] : attributes) {
      if (const auto* i = std::get_if<int64_t>(&value)) s += fmt::format(" {}={}", name, *i);
      if (const auto* f = std::get_if<float>(&value)) s += fmt::format(" {}={}", name, *f);
    }
    return s;
  }
};

// How the node's operands reach it: B and C as initializers (linear layers, packed once), as
// graph inputs of static shapes (attention), or as graph inputs with A of unknown dimensions, so
// that every oneDNN kernel declines and the reference kernel runs.
enum class Weights { kConstant, kInputs, kReference };

// The node alone in a model.
Model model_of(const NodeCase& c, Weights weights) {
  const bool constant = weights == Weights::kConstant;
  auto model = std::make_shared<ir::Model>();
  model->graph = std::make_shared<ir::Graph>();
  model->opsets[""] = c.opset;
  ir::Graph& g = *model->graph;
  const PartialShape a_shape = c.dynamic_a || weights == Weights::kReference
                                   ? PartialShape::of_rank(c.a.rank())
                                   : PartialShape(c.a.shape());
  g.inputs.push_back(Port{"a", ValueType::tensor(ElementType::F32, a_shape)});
  std::vector<std::string> inputs = {"a", "b"};
  if (c.c.is_valid()) inputs.push_back("c");
  for (size_t i = 1; i < inputs.size(); ++i) {
    const Tensor& t = i == 1 ? c.b : c.c;
    if (constant)
      g.initializers[inputs[i]] = t;
    else
      g.inputs.push_back(
          Port{inputs[i], ValueType::tensor(ElementType::F32, PartialShape(t.shape()))});
  }
  g.outputs.push_back(Port{"y", ValueType::tensor(ElementType::F32, PartialShape())});
  g.nodes.push_back(ir::Node{"node", c.op, "", inputs, {"y"}, c.attributes});
  return Model(model);
}

struct Outcome {
  Tensor y;
  std::string exec_type;
};

Outcome run(const NodeCase& c, Weights weights, const std::string& precision = "f32") {
  const bool constant = weights == Weights::kConstant;
  CompiledModel compiled = Core().compile_model(
      model_of(c, weights), "CPU",
      // Unknown dimensions stay unknown (no compile for the run's shapes): the reference runs.
      {{properties::kEnableProfiling, "YES"}, {properties::kInferencePrecisionHint, precision}, {properties::kShapeCacheCapacity, "0"}});
  InferRequest request = compiled.create_infer_request();
  request.set_tensor("a", c.a);
  if (!constant) {
    request.set_tensor("b", c.b);
    if (c.c.is_valid()) request.set_tensor("c", c.c);
  }
  request.infer();
  auto profile = request.profiling_info();
  return {request.get_tensor("y").clone(), profile.empty() ? "" : profile[0].exec_type};
}

// Each output element is a sum of k products of numbers in [-1, 1], rounded at every step:
// 1e-6·k (about 17 ulp of 1 per term) bounds the difference between two summation orders.
float tolerance(const NodeCase& c) { return 1e-6f * float(c.k) * c.scale + 1e-6f; }

void expect_close(const Tensor& got, const Tensor& want, float tol) {
  ASSERT_EQ(got.shape(), want.shape());
  auto g = got.span<const float>();
  auto w = want.span<const float>();
  int reported = 0;
  for (size_t i = 0; i < w.size(); ++i)
    if (!(std::abs(g[i] - w[i]) <= tol) && reported++ < 5)
      ADD_FAILURE() << "element " << i << ": got " << g[i] << ", reference " << w[i]
                    << " (tolerance " << tol << ")";
}

// bf16 rounds A and B to 8 significant bits (relative error up to 2^-8 each); the k rounding
// errors of a dot product are independent and centred, so they grow as sqrt(k): for products of
// numbers in [-1, 1] their standard deviation is about 0.27·2^-8·sqrt(k), and 2^-7·sqrt(k) is
// more than 7 of those. Accumulation stays f32, hence the f32 term.
float bf16_tolerance(const NodeCase& c) {
  return 0x1p-7f * std::sqrt(float(c.k)) * c.scale + tolerance(c);
}

void expect_matches_reference(const NodeCase& c, const std::string& kernel,
                              const std::string& precision = "f32",
                              Weights weights = Weights::kConstant) {
  SCOPED_TRACE(c.describe() + " " + precision +
               (weights == Weights::kInputs ? " B an input" : " B constant"));
  const Outcome fast = run(c, weights, precision), reference = run(c, Weights::kReference);
  EXPECT_EQ(reference.exec_type, "reference");
  EXPECT_EQ(fast.exec_type, kernel);
  expect_close(fast.y, reference.y, precision == "bf16" ? bf16_tolerance(c) : tolerance(c));
}

// The bf16 hint needs AVX-512 BF16 or AMX; elsewhere compile_model refuses it.
bool cpu_has_bf16() {
  try {
    Core().compile_model(model_of(NodeCase{.a = Tensor(ElementType::F32, Shape{1, 1}),
                                           .b = Tensor(ElementType::F32, Shape{1, 1})},
                                  Weights::kConstant),
                         "CPU", {{properties::kInferencePrecisionHint, "bf16"}});
    return true;
  } catch (const Error& e) {
    if (e.kind() != ErrorKind::Unsupported) throw;
    return false;
  }
}

NodeCase matmul_case(const Shape& a, const Shape& b, std::mt19937& rng) {
  NodeCase c;
  c.a = random_tensor(a, rng);
  c.b = random_tensor(b, rng);
  c.k = a.back();
  return c;
}

TEST(OnednnMatMul, MatchesReferenceAroundTileEdges) {
  std::mt19937 rng(17);
  for (int64_t m : {1, 5, 33})
    for (int64_t k : kEdges)
      for (int64_t n : kEdges)
        expect_matches_reference(matmul_case({m, k}, {k, n}, rng), "onednn_matmul_f32");
}

TEST(OnednnMatMul, BatchedAFoldsIntoRows) {
  std::mt19937 rng(18);
  for (int64_t k : {7, 64, 65})
    for (int64_t n : {16, 17}) {
      expect_matches_reference(matmul_case({3, 5, k}, {k, n}, rng), "onednn_matmul_f32");
      expect_matches_reference(matmul_case({2, 3, 4, k}, {k, n}, rng), "onednn_matmul_f32");
      expect_matches_reference(matmul_case({2, 7, k}, {1, k, n}, rng), "onednn_matmul_f32");
      expect_matches_reference(matmul_case({7, k}, {1, 1, k, n}, rng), "onednn_matmul_f32");
    }
}

TEST(OnednnMatMul, BroadcastsBatchDimensions) {
  std::mt19937 rng(19);
  const std::vector<std::pair<Shape, Shape>> shapes = {
      {{3, 5, 17}, {3, 17, 7}},       {{5, 17}, {4, 17, 7}},
      {{1, 5, 16}, {3, 16, 65}},      {{2, 1, 5, 7}, {3, 7, 17}},
      {{2, 3, 5, 65}, {3, 65, 16}},   {{2, 1, 4, 16}, {1, 3, 16, 7}},
      {{1, 3, 1, 64}, {2, 1, 64, 1}}, {{4, 9, 64}, {2, 1, 1, 64, 17}}};
  for (const auto& [a, b] : shapes)
    expect_matches_reference(matmul_case(a, b, rng), "onednn_matmul_f32");
}

// Both operands computed, as attention's Q·Kᵀ and P·V are.
TEST(OnednnMatMul, InputWeightsMatchReference) {
  std::mt19937 rng(31);
  const std::vector<std::pair<Shape, Shape>> shapes = {{{5, 17}, {17, 7}},
                                                       {{1, 12, 128, 64}, {1, 12, 64, 128}},
                                                       {{1, 12, 197, 197}, {1, 12, 197, 64}},
                                                       {{3, 5, 65}, {65, 16}},
                                                       {{2, 1, 4, 16}, {1, 3, 16, 7}},
                                                       {{3, 5, 17}, {1, 17, 7}}};
  for (const auto& [a, b] : shapes)
    for (const char* precision : {"f32", "bf16"}) {
      if (precision == std::string("bf16") && !cpu_has_bf16()) continue;
      expect_matches_reference(matmul_case(a, b, rng), fmt::format("onednn_matmul_{}", precision),
                               precision, Weights::kInputs);
    }
}

TEST(OnednnMatMul, LinearLayerOfBert) {
  std::mt19937 rng(20);
  expect_matches_reference(matmul_case({1, 128, 768}, {768, 768}, rng), "onednn_matmul_f32");
  expect_matches_reference(matmul_case({1, 128, 768}, {768, 3072}, rng), "onednn_matmul_f32");
}

TEST(OnednnMatMulBf16, MatchesReferenceAroundTileEdges) {
  if (!cpu_has_bf16()) GTEST_SKIP() << "this CPU has neither AVX-512 BF16 nor AMX";
  std::mt19937 rng(27);
  for (int64_t m : {1, 5, 33})
    for (int64_t k : kEdges)
      for (int64_t n : kEdges)
        expect_matches_reference(matmul_case({m, k}, {k, n}, rng), "onednn_matmul_bf16", "bf16");
}

TEST(OnednnMatMulBf16, BatchedAndBroadcast) {
  if (!cpu_has_bf16()) GTEST_SKIP() << "this CPU has neither AVX-512 BF16 nor AMX";
  std::mt19937 rng(28);
  const std::vector<std::pair<Shape, Shape>> shapes = {{{3, 5, 65}, {65, 17}},
                                                       {{2, 3, 4, 16}, {16, 7}},
                                                       {{3, 5, 17}, {3, 17, 7}},
                                                       {{2, 1, 4, 16}, {1, 3, 16, 7}}};
  for (const auto& [a, b] : shapes)
    expect_matches_reference(matmul_case(a, b, rng), "onednn_matmul_bf16", "bf16");
}

// The linear layers of BERT: also proves the product really is taken in bf16, since some
// elements then differ from the f32 reference by more than f32 summation could explain.
TEST(OnednnMatMulBf16, LinearLayerOfBertRoundsToBf16) {
  if (!cpu_has_bf16()) GTEST_SKIP() << "this CPU has neither AVX-512 BF16 nor AMX";
  std::mt19937 rng(29);
  const NodeCase c = matmul_case({1, 128, 768}, {768, 768}, rng);
  expect_matches_reference(c, "onednn_matmul_bf16", "bf16");
  const Outcome bf16 = run(c, Weights::kConstant, "bf16"), reference = run(c, Weights::kReference);
  float largest = 0;
  auto got = bf16.y.span<const float>(), want = reference.y.span<const float>();
  for (size_t i = 0; i < want.size(); ++i) largest = std::max(largest, std::abs(got[i] - want[i]));
  EXPECT_GT(largest, tolerance(c));
}

TEST(OnednnMatMul, DeclinesWhatItDoesNotCover) {
  std::mt19937 rng(21);
  auto expect_reference = [](const NodeCase& c) {
    SCOPED_TRACE(c.describe());
    for (Weights weights : {Weights::kConstant, Weights::kInputs}) {
      const Outcome fast = run(c, weights), reference = run(c, Weights::kReference);
      EXPECT_EQ(fast.exec_type, "reference");
      expect_close(fast.y, reference.y, 0.0f);
    }
  };
  expect_reference(matmul_case({7}, {7, 5}, rng));     // 1-D A
  expect_reference(matmul_case({3, 7}, {7}, rng));     // 1-D B
  expect_reference(matmul_case({3, 0}, {0, 5}, rng));  // empty reduction
  NodeCase dynamic = matmul_case({3, 7}, {7, 5}, rng);
  dynamic.dynamic_a = true;
  expect_reference(dynamic);
  EXPECT_EQ(run(matmul_case({3, 7}, {7, 5}, rng), Weights::kReference).exec_type, "reference");
}

// Many requests at once on one compiled model share the primitive and the packed weights; in bf16
// each thread rounds A into its own buffer.
void expect_concurrent_requests_match(const std::string& precision) {
  std::mt19937 rng(22);
  NodeCase c = matmul_case({2, 33, 65}, {65, 64}, rng);
  const Outcome reference = run(c, Weights::kReference);
  CompiledModel compiled = Core().compile_model(
      model_of(c, Weights::kConstant), "CPU",
      {{properties::kNumStreams, "4"}, {properties::kInferencePrecisionHint, precision}});
  std::vector<std::thread> threads;
  std::vector<Tensor> results(8);
  for (size_t t = 0; t < results.size(); ++t)
    threads.emplace_back([&, t] {
      InferRequest request = compiled.create_infer_request();
      for (int i = 0; i < 20; ++i) {
        request.set_tensor("a", c.a);
        request.infer();
      }
      results[t] = request.get_tensor("y").clone();
    });
  for (auto& thread : threads) thread.join();
  const float tol = precision == "bf16" ? bf16_tolerance(c) : tolerance(c);
  for (const Tensor& y : results) expect_close(y, reference.y, tol);
}

TEST(OnednnMatMul, ConcurrentRequestsShareOneKernel) { expect_concurrent_requests_match("f32"); }

TEST(OnednnMatMulBf16, ConcurrentRequestsShareOneKernel) {
  if (!cpu_has_bf16()) GTEST_SKIP() << "this CPU has neither AVX-512 BF16 nor AMX";
  expect_concurrent_requests_match("bf16");
}

NodeCase gemm_case(int64_t m, int64_t k, int64_t n, bool ta, bool tb, float alpha, float beta,
                   std::optional<Shape> c_shape, std::mt19937& rng) {
  NodeCase c;
  c.op = "Gemm";
  c.attributes = {
      {"transA", int64_t(ta)}, {"transB", int64_t(tb)}, {"alpha", alpha}, {"beta", beta}};
  c.a = random_tensor(ta ? Shape{k, m} : Shape{m, k}, rng);
  c.b = random_tensor(tb ? Shape{n, k} : Shape{k, n}, rng);
  if (c_shape) c.c = random_tensor(*c_shape, rng);
  c.k = k;
  c.scale = std::abs(alpha) + std::abs(beta);
  return c;
}

TEST(OnednnGemm, MatchesReferenceForEveryTransposeAndBias) {
  std::mt19937 rng(23);
  const std::vector<std::pair<float, float>> scales = {{1.0f, 1.0f}, {0.5f, 2.0f}, {-1.5f, 0.0f}};
  for (int64_t m : {1, 17})
    for (int64_t k : {7, 64, 65})
      for (int64_t n : {1, 16, 65})
        for (bool ta : {false, true})
          for (bool tb : {false, true})
            for (auto [alpha, beta] : scales)
              for (std::optional<Shape> c_shape : std::vector<std::optional<Shape>>{
                       std::nullopt, Shape{}, Shape{n}, Shape{1, n}, Shape{m, n}, Shape{m, 1}})
                expect_matches_reference(gemm_case(m, k, n, ta, tb, alpha, beta, c_shape, rng),
                                         "onednn_gemm_f32");
}

TEST(OnednnGemm, TileEdgesWithBias) {
  std::mt19937 rng(24);
  for (int64_t k : kEdges)
    for (int64_t n : kEdges)
      expect_matches_reference(gemm_case(5, k, n, false, true, 1.0f, 1.0f, Shape{n}, rng),
                               "onednn_gemm_f32");
}

TEST(OnednnGemmBf16, MatchesReferenceForEveryTransposeAndBias) {
  if (!cpu_has_bf16()) GTEST_SKIP() << "this CPU has neither AVX-512 BF16 nor AMX";
  std::mt19937 rng(30);
  const std::vector<std::pair<float, float>> scales = {{1.0f, 1.0f}, {0.5f, 2.0f}, {-1.5f, 0.0f}};
  for (int64_t m : {1, 17})
    for (int64_t k : {7, 64, 65})
      for (int64_t n : {1, 16, 65})
        for (bool ta : {false, true})
          for (bool tb : {false, true})
            for (auto [alpha, beta] : scales)
              for (std::optional<Shape> c_shape :
                   std::vector<std::optional<Shape>>{std::nullopt, Shape{n}, Shape{m, n}})
                expect_matches_reference(gemm_case(m, k, n, ta, tb, alpha, beta, c_shape, rng),
                                         "onednn_gemm_bf16", "bf16");
}

TEST(OnednnGemm, OlderOpsets) {
  std::mt19937 rng(25);
  NodeCase broadcast = gemm_case(4, 16, 7, false, true, 1.0f, 1.0f, Shape{7}, rng);
  broadcast.opset = 6;
  broadcast.attributes["broadcast"] = int64_t(1);
  expect_matches_reference(broadcast, "onednn_gemm_f32");
  NodeCase full = gemm_case(4, 16, 7, true, false, 2.0f, 0.5f, Shape{4, 7}, rng);
  full.opset = 6;
  expect_matches_reference(full, "onednn_gemm_f32");
  NodeCase no_c = gemm_case(4, 16, 7, false, false, 1.0f, 1.0f, std::nullopt, rng);
  no_c.opset = 11;
  expect_matches_reference(no_c, "onednn_gemm_f32");
}

TEST(OnednnGemm, DeclinesNonConstantBiasAndDynamicShapes) {
  std::mt19937 rng(26);
  NodeCase dynamic = gemm_case(4, 16, 7, false, true, 1.0f, 1.0f, Shape{7}, rng);
  dynamic.dynamic_a = true;
  EXPECT_EQ(run(dynamic, Weights::kConstant).exec_type, "reference");
  // C a graph input while B is constant.
  NodeCase c = gemm_case(4, 16, 7, false, true, 1.0f, 1.0f, Shape{7}, rng);
  Model model = model_of(c, Weights::kConstant);
  auto ir = std::make_shared<ir::Model>(*model.ir());
  auto graph = std::make_shared<ir::Graph>(*ir->graph);
  graph->initializers.erase("c");
  graph->inputs.push_back(Port{"c", ValueType::tensor(ElementType::F32, PartialShape({7}))});
  ir->graph = graph;
  CompiledModel compiled =
      Core().compile_model(Model(ir), "CPU", {{properties::kEnableProfiling, "YES"}, {properties::kShapeCacheCapacity, "0"}});
  InferRequest request = compiled.create_infer_request();
  request.set_tensor("a", c.a);
  request.set_tensor("c", c.c);
  request.infer();
  EXPECT_EQ(request.profiling_info().at(0).exec_type, "reference");
  expect_close(request.get_tensor("y"), run(c, Weights::kReference).y, 0.0f);
}

}  // namespace
}  // namespace tandem
