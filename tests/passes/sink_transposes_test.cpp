// Moving Transposes past elementwise ops until they meet their inverse: a channels-last model's
// Convs wrapped in Transposes keep one at the input and one at the output, with the same outputs;
// a move that would add Transposes is not made.
#include <algorithm>

#include "passes/pass_test_util.h"
#include "passes/passes.h"

namespace tandem::passes {
namespace {

using testing::copy_of;
using testing::ModelBuilder;
using Ints = std::vector<int64_t>;

const Ints kToChannelsFirst{0, 3, 1, 2}, kToChannelsLast{0, 2, 3, 1};

size_t transposes(const ir::Model& model) {
  const auto ops = testing::op_types(model);
  return size_t(std::count(ops.begin(), ops.end(), "Transpose"));
}

void expect_same_outputs(const ir::Model& before, const ir::Model& after, const Shape& x_shape, std::mt19937& rng) {
  const Tensor x = testing::random_tensor(x_shape, rng);
  const std::vector<Value> got = testing::run_reference(after, {x}), want = testing::run_reference(before, {x});
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < want.size(); ++i) testing::expect_close(got[i].tensor(), want[i].tensor(), 1e-6f);
}

// A channels-last conv block as converters write it: Transpose to channels-first, Conv,
// Transpose back, then bias, normalisation and activation in channels-last.
void conv_block(ModelBuilder& b, std::mt19937& rng, const std::string& in, const std::string& out, const std::string& tag) {
  b.initializer("w" + tag, testing::random_tensor({4, 4, 3, 3}, rng));
  b.initializer("bias" + tag, testing::random_tensor({4}, rng));
  b.initializer("scale" + tag, testing::random_tensor({1, 1, 4}, rng));
  b.node("Transpose", {in}, {"nchw" + tag}, {{"perm", kToChannelsFirst}});
  b.node("Conv", {"nchw" + tag, "w" + tag}, {"conv" + tag}, {{"pads", Ints{1, 1, 1, 1}}});
  b.node("Transpose", {"conv" + tag}, {"nhwc" + tag}, {{"perm", kToChannelsLast}});
  b.node("Add", {"nhwc" + tag, "bias" + tag}, {"biased" + tag});
  b.node("Mul", {"scale" + tag, "biased" + tag}, {"scaled" + tag});
  b.node("Relu", {"scaled" + tag}, {out});
}

TEST(SinkTransposes, ChannelsLastConvsKeepOneTransposeEachEnd) {
  std::mt19937 rng(1);
  // x -> block 1 -> r1 -> block 2 -> r2; y = r2 + r1 (a residual, both channels-last).
  ModelBuilder b;
  b.input("x", {1, 6, 5, 4}).output("y");
  conv_block(b, rng, "x", "r1", "1");
  conv_block(b, rng, "r1", "r2", "2");
  b.node("Add", {"r2", "r1"}, {"y"});
  const auto before = b.build();
  auto after = copy_of(*before);
  sink_transposes(*after);
  EXPECT_EQ(transposes(*before), 4u);
  EXPECT_EQ(transposes(*after), 2u);
  EXPECT_EQ(after->graph->nodes.front().op_type, "Transpose");
  EXPECT_EQ(after->graph->nodes.back().op_type, "Transpose");
  EXPECT_EQ(after->graph->nodes.back().outputs, std::vector<std::string>{"y"});
  expect_same_outputs(*before, *after, {1, 6, 5, 4}, rng);
}

TEST(SinkTransposes, TwoInARowBecomeOne) {
  std::mt19937 rng(2);
  auto model = ModelBuilder()
                   .input("x", {2, 3, 4, 5})
                   .output("y")
                   .node("Transpose", {"x"}, {"a"}, {{"perm", Ints{0, 2, 3, 1}}})
                   .node("Transpose", {"a"}, {"y"}, {{"perm", Ints{1, 0, 2, 3}}})
                   .build();
  const auto before = copy_of(*model);
  sink_transposes(*model);
  ASSERT_EQ(testing::op_types(*model), std::vector<std::string>{"Transpose"});
  expect_same_outputs(*before, *model, {2, 3, 4, 5}, rng);
}

// A fire module laid out channels-last (SqueezeNet): two branches transposed back to channels-first
// for their Concat, then forward again for the next Conv. The Concat joins the channels-last
// branches along their last axis instead, and no Transpose is left between them.
TEST(SinkTransposes, ConcatOfTransposedBranchesConcatenatesAlongTheMappedAxis) {
  std::mt19937 rng(4);
  for (const int64_t axis : {int64_t{1}, int64_t{-3}}) {
    SCOPED_TRACE(axis);
    auto model = ModelBuilder()
                     .input("x", {1, 3, 4, 2})
                     .output("y")
                     .initializer("c", testing::random_tensor({1, 2, 3, 4}, rng))
                     .node("Relu", {"x"}, {"a"})
                     .node("Sigmoid", {"x"}, {"b"})
                     .node("Transpose", {"a"}, {"ta"}, {{"perm", kToChannelsFirst}})
                     .node("Transpose", {"b"}, {"tb"}, {{"perm", kToChannelsFirst}})
                     .node("Concat", {"ta", "c", "tb"}, {"cat"}, {{"axis", axis}})
                     .node("Transpose", {"cat"}, {"forward"}, {{"perm", kToChannelsLast}})
                     .node("Relu", {"forward"}, {"y"})
                     .build();
    const auto before = copy_of(*model);
    sink_transposes(*model);
    EXPECT_EQ(transposes(*model), 0u);
    const auto ops = testing::op_types(*model);
    const auto concat = std::find(ops.begin(), ops.end(), "Concat");
    ASSERT_NE(concat, ops.end());
    EXPECT_EQ(std::get<int64_t>(model->graph->nodes[size_t(concat - ops.begin())].attributes.at("axis")), 3);
    expect_same_outputs(*before, *model, {1, 3, 4, 2}, rng);
  }
}

TEST(SinkTransposes, LeavesMovesThatAddTransposes) {
  std::mt19937 rng(3);
  {
    SCOPED_TRACE("two elementwise readers would need one Transpose each");
    auto model = ModelBuilder()
                     .input("x", {1, 2, 3, 4})
                     .output("y")
                     .output("z")
                     .node("Transpose", {"x"}, {"t"}, {{"perm", kToChannelsLast}})
                     .node("Relu", {"t"}, {"y"})
                     .node("Sigmoid", {"t"}, {"z"})
                     .build();
    const auto before = copy_of(*model);
    sink_transposes(*model);
    EXPECT_EQ(testing::op_types(*model), testing::op_types(*before));
  }
  {
    SCOPED_TRACE("the other operand is neither constant nor transposed alike");
    auto model = ModelBuilder()
                     .input("x", {1, 2, 3, 4})
                     .input("v", {1, 3, 4, 2})
                     .output("y")
                     .node("Transpose", {"x"}, {"t"}, {{"perm", kToChannelsLast}})
                     .node("Add", {"t", "v"}, {"y"})
                     .build();
    sink_transposes(*model);
    EXPECT_EQ(testing::op_types(*model), (std::vector<std::string>{"Transpose", "Add"}));
  }
  {
    SCOPED_TRACE("a Concat with an operand neither constant nor transposed alike");
    auto model = ModelBuilder()
                     .input("x", {1, 2, 3, 4})
                     .input("v", {1, 3, 4, 2})
                     .output("y")
                     .node("Transpose", {"x"}, {"t"}, {{"perm", kToChannelsLast}})
                     .node("Concat", {"t", "v"}, {"y"}, {{"axis", int64_t{3}}})
                     .build();
    sink_transposes(*model);
    EXPECT_EQ(testing::op_types(*model), (std::vector<std::string>{"Transpose", "Concat"}));
  }
  {
    SCOPED_TRACE("the Transpose's output is a graph output");
    auto model = ModelBuilder()
                     .input("x", {1, 2, 3, 4})
                     .output("t")
                     .output("y")
                     .node("Transpose", {"x"}, {"t"}, {{"perm", kToChannelsLast}})
                     .node("Relu", {"t"}, {"y"})
                     .build();
    sink_transposes(*model);
    EXPECT_EQ(testing::op_types(*model), (std::vector<std::string>{"Transpose", "Relu"}));
  }
}

}  // namespace
}  // namespace tandem::passes
