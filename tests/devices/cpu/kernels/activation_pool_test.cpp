// The recycled output buffers: a released buffer serves the next request of its size, a held one
// never does, and every buffer is aligned for oneDNN.
#include "devices/cpu/kernels/activation_pool.h"

#include <gtest/gtest.h>

#include <cstdint>

namespace tandem::cpu {
namespace {

constexpr size_t kLarge = size_t(3) << 20;  // a ResNet-50 activation

bool aligned(const std::byte* p) { return reinterpret_cast<std::uintptr_t>(p) % 64 == 0; }

TEST(ActivationPool, ReleasedBufferServesTheNextRequestOfItsSize) {
  std::byte* first = nullptr;
  {
    auto buffer = take_buffer(kLarge);
    first = buffer.get();
    ASSERT_TRUE(aligned(first));
  }
  auto again = take_buffer(kLarge);
  EXPECT_EQ(again.get(), first);
}

TEST(ActivationPool, HeldBuffersAreNeverShared) {
  auto a = take_buffer(kLarge), b = take_buffer(kLarge);
  EXPECT_NE(a.get(), b.get());
  a.get()[kLarge - 1] = std::byte{1};  // the whole size is usable
  b.get()[kLarge - 1] = std::byte{2};
  EXPECT_EQ(a.get()[kLarge - 1], std::byte{1});
}

TEST(ActivationPool, SmallBuffersAreAlignedToo) {
  auto small = take_buffer(100);
  EXPECT_TRUE(aligned(small.get()));
}

}  // namespace
}  // namespace tandem::cpu
