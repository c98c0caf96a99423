// Recognising attention written out: BERT's and ViT's forms become one MultiHeadAttention of
// domain com.tandem with the same outputs, and what is not exactly attention stays as it was.
#include <stdexcept>

#include "ops/tandem_domain.h"
#include "passes/optimize.h"
#include "passes/pass_test_util.h"
#include "passes/passes.h"

namespace tandem::passes {
namespace {

using testing::ModelBuilder;
using Perm = std::vector<int64_t>;

constexpr int64_t kBatch = 2, kHeads = 3, kHeadSize = 4;  // the scale is 1 / sqrt(4)

// How the attention is written.
struct Form {
  bool batched = true;       // BERT's q [B, S, H, D]; false: ViT's [S, H, D], batch in the heads
  int64_t length = 5;        // S
  int scale = 0;             // 0: scores / 2; 1: 0.5 * scores; 2: Q / 2 (ViT's)
  bool mask = false;         // an Add of the mask input after the scale
  bool mask_first = false;   // Add(mask, scores)
  bool mask_scaled = false;  // the Add before the scale, which then scales the mask too
  Shape mask_shape;          // default: [B, 1, 1, S] batched, [1, S, S] not
  bool keys_in_two = false;  // K^T by Transpose(0, 2, 1, 3) then Transpose(0, 1, 3, 2)
  Perm key_perm;             // default: the one that makes K^T
  int64_t softmax_axis = -1;
};

Shape projection_shape(const Form& f) {
  return f.batched ? Shape{kBatch, f.length, kHeads * kHeadSize}
                   : Shape{f.length, 1, kHeads * kHeadSize};
}
Shape mask_shape(const Form& f) {
  if (!f.mask_shape.empty()) return f.mask_shape;
  return f.batched ? Shape{kBatch, 1, 1, f.length} : Shape{1, f.length, f.length};
}

// q_in, k_in, v_in (the projections) [, mask] -> the written-out attention -> y, as the torch
// exporter writes it.
ModelBuilder written_out(const Form& f) {
  ModelBuilder b(13);
  const Shape projection = projection_shape(f);
  b.input("q_in", projection).input("k_in", projection).input("v_in", projection);
  if (f.mask) b.input("mask", mask_shape(f));
  b.output("y");
  const Perm heads_first = f.batched ? Perm{0, 2, 1, 3} : Perm{1, 0, 2};
  const Perm keys = !f.key_perm.empty() ? f.key_perm : f.batched ? Perm{0, 2, 3, 1} : Perm{1, 2, 0};
  b.initializer("split", f.batched ? Tensor::from<int64_t>({kBatch, f.length, kHeads, kHeadSize})
                                   : Tensor::from<int64_t>({f.length, kHeads, kHeadSize}));
  b.initializer("merge", f.batched ? Tensor::from<int64_t>({kBatch, f.length, -1})
                                   : Tensor::from<int64_t>({f.length, -1}));
  b.initializer("two", Tensor::scalar(2.0f)).initializer("half", Tensor::scalar(0.5f));
  for (const char* x : {"q", "k", "v"}) b.node("Reshape", {std::string(x) + "_in", "split"}, {x});
  b.node("Transpose", {"q"}, {"qt"}, {{"perm", heads_first}});
  std::string query = "qt";
  if (f.scale == 2) {
    b.node("Div", {"qt", "two"}, {"qs"});
    query = "qs";
  }
  if (f.keys_in_two) {
    b.node("Transpose", {"k"}, {"kh"}, {{"perm", Perm{0, 2, 1, 3}}});
    b.node("Transpose", {"kh"}, {"kt"}, {{"perm", Perm{0, 1, 3, 2}}});
  } else {
    b.node("Transpose", {"k"}, {"kt"}, {{"perm", keys}});
  }
  b.node("Transpose", {"v"}, {"vt"}, {{"perm", heads_first}});
  b.node("MatMul", {query, "kt"}, {"scores"});
  std::string scores = "scores";
  const auto add_mask = [&] {
    if (!f.mask) return;
    b.node("Add",
           f.mask_first ? std::vector<std::string>{"mask", scores}
                        : std::vector<std::string>{scores, "mask"},
           {scores + "_masked"});
    scores += "_masked";
  };
  if (f.mask_scaled) add_mask();
  if (f.scale == 0) b.node("Div", {scores, "two"}, {scores + "_scaled"});
  if (f.scale == 1) b.node("Mul", {"half", scores}, {scores + "_scaled"});
  if (f.scale != 2) scores += "_scaled";
  if (!f.mask_scaled) add_mask();
  b.node("Softmax", {scores}, {"p"}, {{"axis", f.softmax_axis}});
  b.node("MatMul", {"p", "vt"}, {"o"});
  b.node("Transpose", {"o"}, {"ot"}, {{"perm", heads_first}});
  b.node("Reshape", {"ot", "merge"}, {"y"});
  return b;
}

std::shared_ptr<ir::Model> fused(const ir::Model& model) {
  auto copy = std::make_shared<ir::Model>(model);
  copy->graph = std::make_shared<ir::Graph>(*model.graph);
  fuse_attention(*copy);
  return copy;
}

void expect_same_outputs(const Form& f, const ir::Model& before, const ir::Model& after) {
  std::mt19937 rng(3);
  std::vector<Value> inputs;
  for (int i = 0; i < 3; ++i)
    inputs.emplace_back(testing::random_tensor(projection_shape(f), rng, -2, 2));
  if (f.mask) inputs.emplace_back(testing::random_tensor(mask_shape(f), rng, -3, 0));
  // The fused reference computes in double where the written-out ops round each step to f32.
  testing::expect_close(testing::run_reference(after, inputs)[0].tensor(),
                        testing::run_reference(before, inputs)[0].tensor(), 1e-5f);
}

const ir::Node& node_of(const ir::Model& model, const std::string& op) {
  for (const ir::Node& node : model.graph->nodes)
    if (node.op_type == op) return node;
  throw std::runtime_error("no " + op);
}

void expect_fused(const Form& f) {
  SCOPED_TRACE(f.batched ? "batched" : "heads hold the batch");
  const auto before = written_out(f).build();
  const auto after = fused(*before);
  // The Reshapes stay: views of the projections, which the fused node reads in place.
  ASSERT_EQ(testing::op_types(*after), (std::vector<std::string>{"Reshape", "Reshape", "Reshape",
                                                                 "MultiHeadAttention", "Reshape"}));
  const ir::Node& node = after->graph->nodes[3];
  EXPECT_EQ(node.domain, ops::kTandemDomain);
  EXPECT_EQ(node.name, node_of(*before, "Softmax").name);
  EXPECT_EQ(after->opset(std::string(ops::kTandemDomain)), ops::kTandemOpset);
  std::vector<std::string> inputs{"q", "k", "v"};
  if (f.mask) inputs.push_back("mask");
  EXPECT_EQ(node.inputs, inputs);
  EXPECT_EQ(node.outputs, std::vector<std::string>{"ot"});
  EXPECT_EQ(std::get<float>(node.attributes.at("scale")), 0.5f);
  expect_same_outputs(f, *before, *after);
}

void expect_left_alone(const Form& f) {
  const auto before = written_out(f).build();
  EXPECT_EQ(testing::op_types(*fused(*before)), testing::op_types(*before));
}

TEST(FuseAttention, BertScoresDividedThenMasked) {
  expect_fused(Form{});
  expect_fused(Form{.mask = true});
  expect_fused(Form{.scale = 1, .mask = true, .mask_first = true});
}

TEST(FuseAttention, VitQueryDividedHeadsHoldTheBatch) {
  expect_fused(Form{.batched = false, .scale = 2});
  expect_fused(Form{.batched = false, .scale = 2, .mask = true});
}

TEST(FuseAttention, TransposesComposeAndMasksBroadcast) {
  expect_fused(Form{.keys_in_two = true});
  expect_fused(Form{.mask = true, .mask_shape = {5, 5}});
  expect_fused(Form{.mask = true, .mask_shape = {1}});
}

TEST(FuseAttention, ReportsTheNodesItTookIn) {
  const auto before = written_out(Form{.mask = true}).build();
  const auto after = fused(*before);
  const auto absorbed = absorbed_nodes(*before->graph, *after->graph);
  // All but the four Reshapes and the Softmax, whose name the fused node took.
  EXPECT_EQ(absorbed.size(), before->graph->nodes.size() - 5);
  for (const auto& [name, into] : absorbed)
    EXPECT_EQ(into, node_of(*before, "Softmax").name) << name;
}

TEST(FuseAttention, LeavesWhatIsNotExactlyAttention) {
  // Softmax over the queries, not the keys.
  expect_left_alone(Form{.softmax_axis = 2});
  // K not transposed (S = D, so that Q.K is still a product).
  expect_left_alone(Form{.length = kHeadSize, .key_perm = {0, 2, 1, 3}});
  // The mask added before the scale is scaled with the scores.
  expect_left_alone(Form{.mask = true, .mask_scaled = true});
  // A mask of higher rank widens the scores.
  expect_left_alone(Form{.mask = true, .mask_shape = {2, 1, 1, 1, 5}});
}

TEST(FuseAttention, LeavesScoresThatAnotherNodeReads) {
  auto b = written_out(Form{});
  b.output("scores");
  const auto before = b.build();
  EXPECT_EQ(testing::op_types(*fused(*before)), testing::op_types(*before));
}

// After the whole pipeline: the optimised model computes the same.
TEST(FuseAttention, RunsInThePipeline) {
  const Form f{.mask = true};
  const auto before = written_out(f).build();
  const auto after = optimize(before);
  EXPECT_EQ(testing::op_types(*after), (std::vector<std::string>{"Reshape", "Reshape", "Reshape",
                                                                 "MultiHeadAttention", "Reshape"}));
  expect_same_outputs(f, *before, *after);
}

}  // namespace
}  // namespace tandem::passes
