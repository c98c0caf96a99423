// The conversions at an executable's edges (convert.cu) against tandem's own float16 and bfloat16:
// every pair of f32, f16 and bf16, bit for bit, on values that round every way (ties to even,
// overflow to infinity, subnormals, signed zeros, NaN) and on counts past one grid of blocks.
#include "devices/gpu/cuda/convert.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <string>
#include <random>
#include <vector>

#include "devices/gpu/cuda/device_memory.h"
#include "devices/gpu/cuda/gpu_test_util.h"
#include "tandem/tensor.h"

namespace tandem::gpu {
namespace {

using testing::gpu_present;

constexpr ElementType kTypes[] = {ElementType::F32, ElementType::F16, ElementType::BF16};

// f32 values that test the rounding: halfway cases of both 16-bit formats, their largest finite
// values and past them, subnormals of each, signed zeros, infinities and NaN, then random ones.
std::vector<float> awkward_values(size_t count) {
  const float inf = std::numeric_limits<float>::infinity();
  std::vector<float> v = {0.0f,        -0.0f,       1.0f,         -1.0f,     1.0f + 0x1p-11f,
                          1.0f + 0x3p-11f, 1.0f + 0x1p-8f, 1.0f + 0x3p-8f, 65504.0f,  65519.0f,
                          65520.0f,    -65520.0f,   0x1p-24f,     0x1p-25f,  0x1.8p-25f,
                          0x1p-133f,   3.0e38f,     -3.4e38f,     inf,       -inf,
                          std::numeric_limits<float>::quiet_NaN()};
  std::mt19937 rng(1);
  std::uniform_real_distribution<float> d(-1000.0f, 1000.0f);
  while (v.size() < count) v.push_back(d(rng));
  v.resize(count);
  return v;
}

// `values` as the host stores them in `type` (tandem's float16 and bfloat16 round to nearest even).
Tensor host_tensor(const std::vector<float>& values, ElementType type) {
  Tensor t(type, {int64_t(values.size())});
  for (size_t i = 0; i < values.size(); ++i) {
    if (type == ElementType::F32) t.data<float>()[i] = values[i];
    else if (type == ElementType::F16) t.data<float16>()[i] = float16(values[i]);
    else t.data<bfloat16>()[i] = bfloat16(values[i]);
  }
  return t;
}

// The bits of `t` converted to `to` on the host, as the device should give them: through f32,
// which holds every f16 and bf16 value exactly.
Tensor host_converted(const Tensor& t, ElementType to) {
  const std::vector<double> exact = t.to_double();
  return host_tensor(std::vector<float>(exact.begin(), exact.end()), to);
}

bool same_bits_or_both_nan(const Tensor& got, const Tensor& want) {
  if (got.byte_size() != want.byte_size()) return false;
  const std::vector<double> g = got.to_double(), w = want.to_double();
  for (size_t i = 0; i < w.size(); ++i) {
    if (std::isnan(g[i]) && std::isnan(w[i])) continue;
    const size_t size = element_size(got.element_type());
    if (std::memcmp(static_cast<const char*>(got.data()) + i * size,
                    static_cast<const char*>(want.data()) + i * size, size) != 0) {
      ADD_FAILURE() << "element " << i << ": got " << g[i] << ", want " << w[i];
      return false;
    }
  }
  return true;
}

void expect_converts(const std::vector<float>& values, ElementType from, ElementType to) {
  SCOPED_TRACE(std::string(to_string(from)) + " to " + std::string(to_string(to)) + ", " +
               std::to_string(values.size()) + " elements");
  const Tensor source = host_tensor(values, from);
  const Tensor on_device = to_device(source);
  Tensor target = device_tensor(to, source.shape());
  convert(on_device.data(), from, target.data(), to, values.size(), nullptr);
  ASSERT_EQ(cudaStreamSynchronize(nullptr), cudaSuccess);
  EXPECT_TRUE(same_bits_or_both_nan(to_host(target), host_converted(source, to)));
}

TEST(GpuConvert, EveryPairRoundsAsTheHost) {
  if (!gpu_present()) GTEST_SKIP() << "no GPU";
  for (size_t count : {21, 1000})
    for (ElementType from : kTypes)
      for (ElementType to : kTypes) expect_converts(awkward_values(count), from, to);
}

// More elements than one grid of 65535 blocks of 256 threads: the grid-stride loop's second lap.
TEST(GpuConvert, CountsPastOneGrid) {
  if (!gpu_present()) GTEST_SKIP() << "no GPU";
  const std::vector<float> values = awkward_values(65535 * 256 + 3);
  expect_converts(values, ElementType::F32, ElementType::F16);
  expect_converts(values, ElementType::BF16, ElementType::F32);
}

}  // namespace
}  // namespace tandem::gpu
