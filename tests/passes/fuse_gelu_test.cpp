// Recognising a written-out GELU: the exporters' orders of the exact and the tanh forms become one
// Gelu of domain com.tandem with the same outputs, and the patterns that are not exactly one stay
// as they were.
#include <cmath>
#include <numbers>

#include "ops/tandem_domain.h"
#include "passes/optimize.h"
#include "passes/pass_test_util.h"
#include "passes/passes.h"

namespace tandem::passes {
namespace {

using testing::ModelBuilder;

// How the product 0.5 * x * (1 + f) is written.
enum class Product { XTimesPThenHalf, XTimesHalfP, HalfXTimesP, XTimesPOverTwo };

// x [3, 17] -> Relu -> r, read by the written-out GELU (so that x is an intermediate value of
// the graph, as the bias Add before BERT's GELU is) -> y.
ModelBuilder model_start(float root_two, bool divide) {
  ModelBuilder b(13);
  b.input("x", {3, 17}).output("y");
  b.initializer("one", Tensor::scalar(1.0f)).initializer("half", Tensor::scalar(0.5f));
  b.initializer("two", Tensor::scalar(2.0f));
  b.initializer("root_two", Tensor::scalar(divide ? root_two : 1.0f / root_two));
  b.node("Relu", {"x"}, {"r"});
  return b;
}

void finish(ModelBuilder& b, const std::string& f, Product product) {
  b.node("Add", {"one", f}, {"p"});
  switch (product) {
    case Product::XTimesPThenHalf:
      b.node("Mul", {"r", "p"}, {"xp"}).node("Mul", {"xp", "half"}, {"y"});
      break;
    case Product::XTimesHalfP:
      b.node("Mul", {"p", "half"}, {"hp"}).node("Mul", {"r", "hp"}, {"y"});
      break;
    case Product::HalfXTimesP:
      b.node("Mul", {"half", "r"}, {"hx"}).node("Mul", {"hx", "p"}, {"y"});
      break;
    case Product::XTimesPOverTwo:
      b.node("Mul", {"p", "r"}, {"xp"}).node("Div", {"xp", "two"}, {"y"});
      break;
  }
}

ModelBuilder exact(Product product, bool divide = true,
                   float root_two = float(std::numbers::sqrt2)) {
  ModelBuilder b = model_start(root_two, divide);
  b.node(divide ? "Div" : "Mul", {"r", "root_two"}, {"s"}).node("Erf", {"s"}, {"e"});
  finish(b, "e", product);
  return b;
}

ModelBuilder tanh_form(Product product, bool pow) {
  ModelBuilder b = model_start(1, true);
  b.initializer("three", Tensor::scalar(3.0f)).initializer("c", Tensor::scalar(0.044715f));
  b.initializer("k", Tensor::scalar(float(std::sqrt(2 / std::numbers::pi))));
  if (pow)
    b.node("Pow", {"r", "three"}, {"cube"});
  else
    b.node("Mul", {"r", "r"}, {"square"}).node("Mul", {"square", "r"}, {"cube"});
  b.node("Mul", {"cube", "c"}, {"cc"}).node("Add", {"r", "cc"}, {"inner"});
  b.node("Mul", {"k", "inner"}, {"t"}).node("Tanh", {"t"}, {"th"});
  finish(b, "th", product);
  return b;
}

std::shared_ptr<ir::Model> fused(const ir::Model& model) {
  auto copy = std::make_shared<ir::Model>(model);
  copy->graph = std::make_shared<ir::Graph>(*model.graph);
  fuse_gelu(*copy);
  return copy;
}

// `tolerance`: relative, beyond the rounding of each written-out step to f32 (1e-6).
void expect_fused(const ModelBuilder& b, const std::string& approximate,
                  const std::string& function, float tolerance = 1e-6f) {
  const auto before = b.build();
  const auto after = fused(*before);
  ASSERT_EQ(testing::op_types(*after), (std::vector<std::string>{"Relu", "Gelu"}));
  const ir::Node& node = after->graph->nodes[1];
  EXPECT_EQ(node.domain, ops::kTandemDomain);
  EXPECT_EQ(after->opset(std::string(ops::kTandemDomain)), ops::kTandemOpset);
  EXPECT_EQ(node.name, function);
  EXPECT_EQ(node.inputs, std::vector<std::string>{"r"});
  EXPECT_EQ(node.outputs, std::vector<std::string>{"y"});
  EXPECT_EQ(std::get<std::string>(node.attributes.at("approximate")), approximate);
  std::mt19937 rng(3);
  const Tensor x = testing::random_tensor({3, 17}, rng, -4, 4);
  // The fused reference computes in double where the written-out ops round each step to f32.
  testing::expect_close(testing::run_reference(*after, {x})[0].tensor(),
                        testing::run_reference(*before, {x})[0].tensor(), tolerance);
}

TEST(FuseGelu, ExactInEveryOrder) {
  for (Product product : {Product::XTimesPThenHalf, Product::XTimesHalfP, Product::HalfXTimesP,
                          Product::XTimesPOverTwo}) {
    SCOPED_TRACE(int(product));
    expect_fused(exact(product), "none", "Erf2");
    expect_fused(exact(product, false), "none", "Erf2");
  }
}

// 1.4142: what some exporters write for sqrt(2); the function it gives is within 1e-5 of GELU.
TEST(FuseGelu, TruncatedRootTwo) {
  expect_fused(exact(Product::XTimesPThenHalf, true, 1.4142f), "none", "Erf2", 1e-5f);
}

TEST(FuseGelu, TanhApproximation) {
  for (Product product : {Product::XTimesPThenHalf, Product::HalfXTimesP}) {
    expect_fused(tanh_form(product, true), "tanh", "Tanh5");
    expect_fused(tanh_form(product, false), "tanh", "Tanh6");
  }
}

TEST(FuseGelu, ReportsTheNodesItTookIn) {
  const auto before = exact(Product::XTimesPThenHalf).build();
  const auto after = fused(*before);
  const auto absorbed = absorbed_nodes(*before->graph, *after->graph);
  EXPECT_EQ(absorbed.size(), 4u);  // all but the Relu and the Erf, whose name the Gelu took
  for (const auto& [name, into] : absorbed) EXPECT_EQ(into, "Erf2") << name;
}

TEST(FuseGelu, LeavesWhatIsNotExactlyOne) {
  auto expect_unchanged = [](ModelBuilder b, const std::string& what) {
    SCOPED_TRACE(what);
    const auto before = b.build();
    EXPECT_EQ(testing::op_types(*fused(*before)), testing::op_types(*before));
  };
  expect_unchanged(exact(Product::XTimesPThenHalf, true, 1.5f), "x / 1.5 is no x / sqrt(2)");
  expect_unchanged(exact(Product::XTimesPThenHalf).output("e"), "Erf's output is a graph output");
  expect_unchanged(exact(Product::XTimesHalfP).output("q").node("Neg", {"hp"}, {"q"}),
                   "the half product is read elsewhere");
  expect_unchanged(exact(Product::XTimesPThenHalf).initializer("half", Tensor::scalar(0.25f)),
                   "0.25 * x * (1 + erf)");
  expect_unchanged(exact(Product::XTimesPThenHalf)
                       .initializer("half", Tensor::from<float>({0.5f}, {1, 1, 1})),
                   "a half of three dimensions broadcasts x of two");
  expect_unchanged(tanh_form(Product::XTimesPThenHalf, true)
                       .initializer("c", Tensor::scalar(0.05f)),
                   "another cubic coefficient");
}

}  // namespace
}  // namespace tandem::passes
