// Attention: hand-computed cases, the differences between opsets 23, 24 and 25, and bad input.
#include <cmath>

#include "ops/op_case.h"

namespace tandem::testing {
namespace {

// One head, one query, two keys: Q=[1], K=[0,1], V=[10,20], scale 1 gives weights
// [1, e] / (1 + e).
TEST(Attention, WeighsValuesBySoftmaxOfScores) {
  auto c = OpCase("Attention", 23)
               .attr("scale", 1.0f)
               .input<float>({1, 1, 1, 1}, {1})
               .input<float>({1, 1, 2, 1}, {0, 1})
               .input<float>({1, 1, 2, 1}, {10, 20});
  const double e = std::exp(1.0);
  expect_tensor<float>(c.run_tensor(), {1, 1, 1, 1}, {float((10 + 20 * e) / (1 + e))});
}

// Causal: the first query sees only the first key.
TEST(Attention, CausalFirstQuerySeesOnlyFirstKey) {
  auto c = OpCase("Attention", 23)
               .attr("is_causal", 1)
               .input<float>({1, 1, 2, 1}, {1, 1})
               .input<float>({1, 1, 2, 1}, {1, 1})
               .input<float>({1, 1, 2, 1}, {3, 5});
  expect_tensor<float>(c.run_tensor(), {1, 1, 2, 1}, {3, 4});
}

// 3-D inputs pack heads into the last dimension; two query heads share one KV head.
TEST(Attention, PackedInputsWithGroupedHeads) {
  auto c = OpCase("Attention", 23)
               .attr("q_num_heads", 2)
               .attr("kv_num_heads", 1)
               .input<float>({1, 1, 2}, {0, 0})
               .input<float>({1, 2, 1}, {0, 0})
               .input<float>({1, 2, 1}, {2, 4});
  expect_tensor<float>(c.run_tensor(), {1, 1, 2}, {3, 3});
}

// A row whose boolean mask is all false gives zeros, not NaN.
TEST(Attention, FullyMaskedRowIsZero) {
  auto c = OpCase("Attention", 23)
               .input<float>({1, 1, 2, 1}, {1, 1})
               .input<float>({1, 1, 2, 1}, {1, 1})
               .input<float>({1, 1, 2, 1}, {3, 5})
               .input(Value(Tensor::from<bool>({false, false, true, false}, {2, 2})));
  expect_tensor<float>(c.run_tensor(), {1, 1, 2, 1}, {0, 3});
}

// A mask narrower than the keys leaves the keys beyond it masked.
TEST(Attention, ShortMaskMasksTheRemainingKeys) {
  auto c = OpCase("Attention", 23)
               .input<float>({1, 1, 1, 1}, {1})
               .input<float>({1, 1, 3, 1}, {1, 1, 1})
               .input<float>({1, 1, 3, 1}, {3, 5, 7})
               .input<float>({1}, {0});
  expect_tensor<float>(c.run_tensor(), {1, 1, 1, 1}, {3});
}

// The causal frontier follows each query even when the mask broadcasts over queries.
TEST(Attention, CausalComposesWithAMaskBroadcastOverQueries) {
  auto c = OpCase("Attention", 23)
               .attr("is_causal", 1)
               .input<float>({1, 1, 2, 1}, {1, 1})
               .input<float>({1, 1, 2, 1}, {1, 1})
               .input<float>({1, 1, 2, 1}, {3, 5})
               .input<float>({1, 2}, {0, 0});
  expect_tensor<float>(c.run_tensor(), {1, 1, 2, 1}, {3, 4});
}

// The past cache is prepended: present holds past then new keys, and causal offsets by it.
TEST(Attention, PastKeysArePrependedAndShiftTheCausalFrontier) {
  auto c = OpCase("Attention", 23)
               .attr("is_causal", 1)
               .input<float>({1, 1, 1, 1}, {0})
               .input<float>({1, 1, 1, 1}, {0})
               .input<float>({1, 1, 1, 1}, {6})
               .omitted_input()
               .input<float>({1, 1, 1, 1}, {0})
               .input<float>({1, 1, 1, 1}, {2})
               .outputs(3);
  auto out = c.run();
  expect_tensor<float>(out[0].tensor(), {1, 1, 1, 1}, {4});
  expect_tensor<float>(out[1].tensor(), {1, 1, 2, 1}, {0, 0});
  expect_tensor<float>(out[2].tensor(), {1, 1, 2, 1}, {2, 6});
}

// Mode 0 is the raw product, mode 1 the softcapped one: softcap * tanh(s / softcap).
TEST(Attention, QkOutputModesBeforeAndAfterSoftcap) {
  for (int mode : {0, 1}) {
    auto c = OpCase("Attention", 23)
                 .attr("scale", 1.0f)
                 .attr("softcap", 2.0f)
                 .attr("qk_matmul_output_mode", mode)
                 .input<float>({1, 1, 1, 1}, {3})
                 .input<float>({1, 1, 1, 1}, {1})
                 .input<float>({1, 1, 1, 1}, {1})
                 .outputs(4);
    expect_tensor<float>(c.run().at(3).tensor(), {1, 1, 1, 1},
                         {mode == 0 ? 3.0f : float(2 * std::tanh(1.5))});
  }
}

// nonpad_kv_seqlen (opset 24) masks padding keys and moves the causal frontier to the end of
// the valid keys.
TEST(Attention, NonpadLengthsMaskPaddingAndOffsetCausal) {
  auto c = OpCase("Attention", 24)
               .attr("is_causal", 1)
               .input<float>({1, 1, 1, 1}, {0})
               .input<float>({1, 1, 3, 1}, {0, 0, 0})
               .input<float>({1, 1, 3, 1}, {2, 4, 100})
               .omitted_input()
               .omitted_input()
               .omitted_input()
               .input<int64_t>({1}, {2});
  expect_tensor<float>(c.run_tensor(), {1, 1, 1, 1}, {3});
}

TEST(Attention, Opset23HasNoNonpadInput) {
  auto c = OpCase("Attention", 23)
               .input<float>({1, 1, 1, 1}, {0})
               .input<float>({1, 1, 1, 1}, {0})
               .input<float>({1, 1, 1, 1}, {0})
               .omitted_input()
               .omitted_input()
               .omitted_input()
               .input<int64_t>({1}, {1});
  EXPECT_THROW_KIND(c.run(), ErrorKind::InvalidModel, "from opset 24 on");
}

// Opset 25's windows: left 0 and right 0 keep only the key at the query's own position.
TEST(Attention, Opset25WindowKeepsTheQueryPosition) {
  auto c = OpCase("Attention", 25)
               .attr("left_window_size", 0)
               .attr("right_window_size", 0)
               .input<float>({1, 1, 3, 1}, {0, 0, 0})
               .input<float>({1, 1, 3, 1}, {0, 0, 0})
               .input<float>({1, 1, 3, 1}, {1, 2, 3});
  expect_tensor<float>(c.run_tensor(), {1, 1, 3, 1}, {1, 2, 3});
}

TEST(Attention, Opset25RejectsHeadCountsWith4DInputs) {
  auto make = [](int opset) {
    return OpCase("Attention", opset)
        .attr("q_num_heads", 1)
        .attr("kv_num_heads", 1)
        .input<float>({1, 1, 1, 1}, {0})
        .input<float>({1, 1, 1, 1}, {0})
        .input<float>({1, 1, 1, 1}, {5});
  };
  expect_tensor<float>(make(24).run_tensor(), {1, 1, 1, 1}, {5});
  EXPECT_THROW_KIND(make(25).run(), ErrorKind::InvalidModel, "must not be given with 4-D");
}

TEST(Attention, PackedInputsNeedHeadCounts) {
  auto c = OpCase("Attention", 23)
               .input<float>({1, 1, 2}, {0, 0})
               .input<float>({1, 1, 2}, {0, 0})
               .input<float>({1, 1, 2}, {0, 0});
  EXPECT_THROW_KIND(c.run(), ErrorKind::InvalidModel, "q_num_heads and kv_num_heads");
}

TEST(Attention, QueryHeadsMustBeAMultipleOfKvHeads) {
  auto c = OpCase("Attention", 23)
               .input<float>({1, 3, 1, 1}, {0, 0, 0})
               .input<float>({1, 2, 1, 1}, {0, 0})
               .input<float>({1, 2, 1, 1}, {0, 0});
  EXPECT_THROW_KIND(c.run(), ErrorKind::InvalidArgument, "not a multiple");
}

TEST(Attention, MaskWiderThanTheKeysIsAnError) {
  auto c = OpCase("Attention", 23)
               .input<float>({1, 1, 1, 1}, {0})
               .input<float>({1, 1, 1, 1}, {0})
               .input<float>({1, 1, 1, 1}, {0})
               .input<float>({2}, {0, 0});
  EXPECT_THROW_KIND(c.run(), ErrorKind::InvalidArgument, "does not broadcast");
}

TEST(Attention, PastKeyWithoutPastValueIsInvalid) {
  auto c = OpCase("Attention", 23)
               .input<float>({1, 1, 1, 1}, {0})
               .input<float>({1, 1, 1, 1}, {0})
               .input<float>({1, 1, 1, 1}, {0})
               .omitted_input()
               .input<float>({1, 1, 1, 1}, {0});
  EXPECT_THROW_KIND(c.run(), ErrorKind::InvalidModel, "given together");
}

}  // namespace
}  // namespace tandem::testing
