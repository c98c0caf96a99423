// RotaryEmbedding: rotations by hand, both pairings, partial rotation and bad position ids.
#include "ops/op_case.h"

namespace tandem::testing {
namespace {

// cos 0, sin 1 rotates each pair (x1, x2) by 90 degrees to (-x2, x1).
TEST(RotaryEmbedding, QuarterTurnHalvesPairing) {
  auto c = OpCase("RotaryEmbedding", 23)
               .input<float>({1, 1, 1, 4}, {1, 2, 3, 4})
               .input<float>({1, 2}, {0, 0})
               .input<float>({1, 2}, {1, 1})
               .input<int64_t>({1, 1}, {0});
  expect_tensor<float>(c.run_tensor(), {1, 1, 1, 4}, {-3, -4, 1, 2});
}

TEST(RotaryEmbedding, QuarterTurnInterleavedPairing) {
  auto c = OpCase("RotaryEmbedding", 23)
               .attr("interleaved", 1)
               .input<float>({1, 1, 1, 4}, {1, 2, 3, 4})
               .input<float>({1, 2}, {0, 0})
               .input<float>({1, 2}, {1, 1})
               .input<int64_t>({1, 1}, {0});
  expect_tensor<float>(c.run_tensor(), {1, 1, 1, 4}, {-2, 1, -4, 3});
}

// rotary_embedding_dim 2 rotates the first pair of each head; the rest passes through. The
// 3-D input packs two heads; without position_ids the caches are per (batch, position).
TEST(RotaryEmbedding, PartialRotationOfPackedHeads) {
  auto c = OpCase("RotaryEmbedding", 23)
               .attr("num_heads", 2)
               .attr("rotary_embedding_dim", 2)
               .input<float>({1, 1, 8}, {1, 2, 3, 4, 5, 6, 7, 8})
               .input<float>({1, 1, 1}, {0})
               .input<float>({1, 1, 1}, {1});
  expect_tensor<float>(c.run_tensor(), {1, 1, 8}, {-2, 1, 3, 4, -6, 5, 7, 8});
}

TEST(RotaryEmbedding, PositionIdBeyondTheCacheIsAnError) {
  auto c = OpCase("RotaryEmbedding", 23)
               .input<float>({1, 1, 1, 2}, {1, 2})
               .input<float>({1, 1}, {1})
               .input<float>({1, 1}, {0})
               .input<int64_t>({1, 1}, {1});
  EXPECT_THROW_KIND(c.run(), ErrorKind::InvalidArgument, "outside the caches");
}

TEST(RotaryEmbedding, PackedInputNeedsNumHeads) {
  auto c = OpCase("RotaryEmbedding", 23)
               .input<float>({1, 1, 2}, {1, 2})
               .input<float>({1, 1, 1}, {1})
               .input<float>({1, 1, 1}, {0});
  EXPECT_THROW_KIND(c.run(), ErrorKind::InvalidModel, "num_heads");
}

}  // namespace
}  // namespace tandem::testing
