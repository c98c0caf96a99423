// XXH64 against the reference implementation's values, and what the model hash does and does not
// depend on.
#include "runtime/model_hash.h"

#include <gtest/gtest.h>

#include <numeric>
#include <string>

namespace tandem::runtime {
namespace {

// From libxxhash 0.8.1 (XXH64), covering the short path, the 4- and 8-byte tails and the stripes.
TEST(ModelHash, Xxh64MatchesTheReference) {
  EXPECT_EQ(hash_bytes(""), 0xef46db3751d8e999ull);
  EXPECT_EQ(hash_bytes("a"), 0xd24ec4f1a98c6e5bull);
  EXPECT_EQ(hash_bytes("abc"), 0x44bc2cf5ad770999ull);
  EXPECT_EQ(hash_bytes("Nobody inspects the spammish repetition"), 0xfbcea83c8a378bf1ull);
  std::string bytes(100, '\0');
  std::iota(bytes.begin(), bytes.end(), '\0');
  EXPECT_EQ(hash_bytes(bytes, 7), 0x80653e7e9b887cddull);
}

TEST(ModelHash, PartsDoNotRunIntoEachOther) {
  Hasher a, b;
  a.add("ab"), a.add("c");
  b.add("a"), b.add("bc");
  EXPECT_NE(a.value(), b.value());
}

std::shared_ptr<ir::Model> add_model() {
  auto model = std::make_shared<ir::Model>();
  model->opsets[""] = 17;
  model->path = "a.onnx";
  model->graph = std::make_shared<ir::Graph>();
  model->graph->inputs.push_back(Port{"x", ValueType::tensor(ElementType::F32, PartialShape({2}))});
  model->graph->outputs.push_back(
      Port{"y", ValueType::tensor(ElementType::F32, PartialShape({2}))});
  model->graph->initializers.emplace("w", Tensor::from<float>({1, 2}));
  model->graph->nodes.push_back(ir::Node{"add", "Add", "", {"x", "w"}, {"y"}, {}});
  return model;
}

TEST(ModelHash, FollowsContentNotPath) {
  auto a = add_model(), b = add_model();
  b->path = "elsewhere/b.onnx";
  b->producer = "another exporter";
  EXPECT_EQ(model_hash(*a), model_hash(*b));
  b->graph->initializers["w"] = Tensor::from<float>({1, 3});
  EXPECT_NE(model_hash(*a), model_hash(*b));
  auto c = add_model();
  c->graph->inputs[0].type.shape = PartialShape({Dimension::named("n")});
  EXPECT_NE(model_hash(*a), model_hash(*c));
  auto d = add_model();
  d->graph->nodes[0].attributes["axis"] = int64_t(0);
  EXPECT_NE(model_hash(*a), model_hash(*d));
}

}  // namespace
}  // namespace tandem::runtime
