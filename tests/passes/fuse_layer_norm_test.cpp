// Recognising a written-out layer normalisation: the exporters' variants become one
// LayerNormalization of domain com.tandem with the same outputs, and the patterns that are not
// exactly one stay as they were.
#include "ops/tandem_domain.h"
#include "passes/optimize.h"
#include "passes/pass_test_util.h"
#include "passes/passes.h"

namespace tandem::passes {
namespace {

using testing::ModelBuilder;

constexpr int64_t kWidth = 8;  // the normalised axis; x is [2, 5, kWidth]

// How the normalisation is written.
struct Form {
  int opset = 13;
  bool square_by_mul = false;    // d * d, not Pow(d, 2)
  int reciprocal = 0;            // 0: d / std; 1: d * Reciprocal(std); 2: d * (1 / std)
  bool beta = true;              // the final Add of beta
  bool gamma_by_identity = false;  // gamma read through an Identity, as torch shares weights
  int64_t axis = -1;             // the axis both ReduceMeans reduce
};

// x -> the written-out normalisation -> y, with constants as initializers. `extra` adds nodes
// after it.
ModelBuilder written_out(const Form& f, std::mt19937& rng) {
  ModelBuilder b(f.opset);
  b.input("x", {2, 5, kWidth}).output("y");
  b.initializer("two", Tensor::scalar(2.0f)).initializer("eps", Tensor::scalar(1e-5f));
  b.initializer("one", Tensor::scalar(1.0f));
  b.initializer("gamma", testing::random_tensor({kWidth}, rng, 0.5f, 1.5f));
  b.initializer("beta", testing::random_tensor({kWidth}, rng));
  b.initializer("axes", Tensor::from<int64_t>({f.axis}));
  const auto reduce_mean = [&](const std::string& in, const std::string& out) {
    if (f.opset >= 18)
      b.node("ReduceMean", {in, "axes"}, {out});
    else
      b.node("ReduceMean", {in}, {out}, {{"axes", std::vector<int64_t>{f.axis}}});
  };
  reduce_mean("x", "mean");
  b.node("Sub", {"x", "mean"}, {"d"});
  if (f.square_by_mul)
    b.node("Mul", {"d", "d"}, {"sq"});
  else
    b.node("Pow", {"d", "two"}, {"sq"});
  reduce_mean("sq", "var");
  b.node("Add", {"var", "eps"}, {"var_eps"});
  b.node("Sqrt", {"var_eps"}, {"std"});
  if (f.reciprocal == 0) b.node("Div", {"d", "std"}, {"n"});
  if (f.reciprocal == 1) b.node("Reciprocal", {"std"}, {"inv"});
  if (f.reciprocal == 2) b.node("Div", {"one", "std"}, {"inv"});
  if (f.reciprocal != 0) b.node("Mul", {"inv", "d"}, {"n"});
  std::string gamma = "gamma";
  if (f.gamma_by_identity) {
    b.node("Identity", {"gamma"}, {"gamma_shared"});
    gamma = "gamma_shared";
  }
  b.node("Mul", {"n", gamma}, {f.beta ? "scaled" : "y"});
  if (f.beta) b.node("Add", {"beta", "scaled"}, {"y"});
  return b;
}

std::shared_ptr<ir::Model> fused(const ir::Model& model) {
  auto copy = std::make_shared<ir::Model>(model);
  copy->graph = std::make_shared<ir::Graph>(*model.graph);
  fuse_layer_norm(*copy);
  return copy;
}

void expect_same_outputs(const ir::Model& before, const ir::Model& after, std::mt19937& rng) {
  const Tensor x = testing::random_tensor({2, 5, kWidth}, rng, -3, 3);
  const Tensor want = testing::run_reference(before, {x})[0].tensor();
  const Tensor got = testing::run_reference(after, {x})[0].tensor();
  // The fused reference accumulates in double where the written-out ops round each step to f32.
  testing::expect_close(got, want, 1e-5f);
}

void expect_fused(const Form& form, const std::vector<std::string>& inputs) {
  std::mt19937 rng(7);
  const auto before = written_out(form, rng).build();
  const auto after = fused(*before);
  const std::vector<std::string> kept =
      form.gamma_by_identity ? std::vector<std::string>{"Identity", "LayerNormalization"}
                             : std::vector<std::string>{"LayerNormalization"};
  ASSERT_EQ(testing::op_types(*after), kept);
  const ir::Node& node = after->graph->nodes.back();
  EXPECT_EQ(node.domain, ops::kTandemDomain);
  EXPECT_EQ(node.name, before->graph->nodes[0].name);  // the first ReduceMean's
  EXPECT_EQ(after->opset(std::string(ops::kTandemDomain)), ops::kTandemOpset);
  EXPECT_EQ(node.inputs, inputs);
  EXPECT_EQ(node.outputs, std::vector<std::string>{"y"});
  EXPECT_EQ(std::get<int64_t>(node.attributes.at("axis")), -1);
  EXPECT_EQ(std::get<float>(node.attributes.at("epsilon")), 1e-5f);
  expect_same_outputs(*before, *after, rng);
}

TEST(FuseLayerNorm, TorchExportOfOpset13) {
  expect_fused(Form{}, {"x", "gamma", "beta"});
}

TEST(FuseLayerNorm, AxesAsInputFromOpset18) {
  expect_fused(Form{.opset = 18}, {"x", "gamma", "beta"});
}

TEST(FuseLayerNorm, SquareByMulAndDivisionByReciprocal) {
  expect_fused(Form{.square_by_mul = true, .reciprocal = 1}, {"x", "gamma", "beta"});
  expect_fused(Form{.reciprocal = 2}, {"x", "gamma", "beta"});
}

TEST(FuseLayerNorm, PositiveAxisWithoutBeta) {
  expect_fused(Form{.beta = false, .axis = 2}, {"x", "gamma"});
}

TEST(FuseLayerNorm, GammaThroughIdentity) {
  expect_fused(Form{.gamma_by_identity = true}, {"x", "gamma_shared", "beta"});
}

TEST(FuseLayerNorm, ReportsTheNodesItTookIn) {
  std::mt19937 rng(8);
  const auto before = written_out(Form{}, rng).build();
  const auto after = fused(*before);
  const auto absorbed = absorbed_nodes(*before->graph, *after->graph);
  EXPECT_EQ(absorbed.size(), before->graph->nodes.size() - 1);
  for (const auto& [name, into] : absorbed) EXPECT_EQ(into, before->graph->nodes[0].name) << name;
}

// Each of these computes something else than one LayerNormalization, or needs an intermediate
// value elsewhere: the graph stays as it was.
TEST(FuseLayerNorm, LeavesWhatIsNotExactlyOne) {
  std::mt19937 rng(9);
  auto expect_unchanged = [&](ModelBuilder b, const std::string& what) {
    SCOPED_TRACE(what);
    const auto before = b.build();
    const auto after = fused(*before);
    EXPECT_EQ(testing::op_types(*after), testing::op_types(*before));
  };
  expect_unchanged(written_out(Form{.axis = 1}, rng), "normalised over another axis");
  expect_unchanged(written_out(Form{}, rng).output("d"), "d is a graph output");
  expect_unchanged(written_out(Form{}, rng).output("r").node("Relu", {"var"}, {"r"}),
                   "the variance is read elsewhere");
  auto input_gamma = written_out(Form{}, rng);
  input_gamma.input("gamma", {kWidth});
  expect_unchanged(input_gamma, "gamma is a graph input, not a constant");
  expect_unchanged(written_out(Form{}, rng).initializer("gamma",
                                                        testing::random_tensor({1, kWidth}, rng)),
                   "gamma of two dimensions");
  expect_unchanged(written_out(Form{}, rng).initializer("two", Tensor::scalar(3.0f)),
                   "a cube, not a square");
  expect_unchanged(written_out(Form{}, rng).initializer("eps", Tensor::scalar(-1.0f)),
                   "a negative epsilon");
}

TEST(FuseLayerNorm, KeepdimsZeroIsNotOne) {
  std::mt19937 rng(10);
  ModelBuilder b = written_out(Form{}, rng);
  auto model = b.build();
  model->graph->nodes[0].attributes["keepdims"] = int64_t(0);
  const auto after = fused(*model);
  EXPECT_EQ(testing::op_types(*after), testing::op_types(*model));
}

// BERT's and ViT's layer norms after the whole pipeline: the optimised model computes the same.
TEST(FuseLayerNorm, RunsInThePipeline) {
  std::mt19937 rng(11);
  const auto before = written_out(Form{}, rng).build();
  const auto after = optimize(before);
  EXPECT_EQ(testing::op_types(*after), std::vector<std::string>{"LayerNormalization"});
  expect_same_outputs(*before, *after, rng);
}

}  // namespace
}  // namespace tandem::passes
