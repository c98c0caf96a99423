// Removing Identity nodes and Casts to their input's own type: the readers read the input, the
// outputs stay the same, and what a graph output or another type needs stays.
#include "passes/pass_test_util.h"
#include "passes/passes.h"

namespace tandem::passes {
namespace {

using testing::ModelBuilder;

int64_t to(ElementType type) { return int64_t(type); }

TEST(RemoveIdentities, IdentitiesAndSameTypeCastsGo) {
  std::mt19937 rng(1);
  // x -> Identity -> Cast(f32) -> Cast(f32) -> Relu -> Cast(f16) -> Cast(f32) -> y, and w through an
  // Identity into an Add.
  auto model = ModelBuilder()
                   .input("x", {2, 3})
                   .output("y")
                   .initializer("w", testing::random_tensor({2, 3}, rng))
                   .node("Identity", {"x"}, {"a"})
                   .node("Cast", {"a"}, {"b"}, {{"to", to(ElementType::F32)}})
                   .node("Cast", {"b"}, {"c"}, {{"to", to(ElementType::F32)}})
                   .node("Relu", {"c"}, {"r"})
                   .node("Cast", {"r"}, {"h"}, {{"to", to(ElementType::F16)}})
                   .node("Cast", {"h"}, {"f"}, {{"to", to(ElementType::F32)}})
                   .node("Identity", {"w"}, {"w2"})
                   .node("Add", {"f", "w2"}, {"y"})
                   .build();
  const auto before = testing::copy_of(*model);
  remove_identities(*model);
  EXPECT_EQ(testing::op_types(*model), (std::vector<std::string>{"Relu", "Cast", "Cast", "Add"}));
  EXPECT_EQ(model->graph->nodes[0].inputs, std::vector<std::string>{"x"});
  EXPECT_EQ(model->graph->nodes[3].inputs, (std::vector<std::string>{"f", "w"}));
  const Tensor x = testing::random_tensor({2, 3}, rng);
  testing::expect_close(testing::run_reference(*model, {x})[0].tensor(),
                        testing::run_reference(*before, {x})[0].tensor(), 0);
}

TEST(RemoveIdentities, GraphOutputsKeepTheirNodes) {
  auto model = ModelBuilder()
                   .input("x", {4})
                   .output("y")
                   .output("z")
                   .node("Relu", {"x"}, {"r"})
                   .node("Identity", {"r"}, {"y"})
                   .node("Cast", {"r"}, {"z"}, {{"to", to(ElementType::F32)}})
                   .build();
  remove_identities(*model);
  EXPECT_EQ(testing::op_types(*model), (std::vector<std::string>{"Relu", "Identity", "Cast"}));
}

TEST(RemoveIdentities, AGraphWithNoneIsUnchanged) {
  auto model = ModelBuilder().input("x", {4}).output("y").node("Relu", {"x"}, {"y"}).build();
  remove_identities(*model);
  EXPECT_EQ(testing::op_types(*model), std::vector<std::string>{"Relu"});
  EXPECT_EQ(model->graph->nodes[0].outputs, std::vector<std::string>{"y"});
}

}  // namespace
}  // namespace tandem::passes
