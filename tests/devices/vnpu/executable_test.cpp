// The VNPU's executable against the CPU: FP16 results within FP16 tolerance, profile records that
// say VNPU and the precision, and identical results from many threads running one executable.
#include "devices/vnpu/executable.h"

#include <gtest/gtest.h>

#include <cstring>
#include <random>
#include <thread>

#include "devices/vnpu/memory.h"
#include "devices/vnpu/vnpu_test_util.h"
#include "ops/op_case.h"

namespace tandem::vnpu {
namespace {

using testing::ModelBuilder;

// x[1,3,16,16] -> Conv(8, 3x3, pad 1) -> Relu -> Reshape [1, 8, 256] -> MatMul [256, 10] ->
// Softmax.
std::shared_ptr<const ir::Model> classifier(std::mt19937& rng) {
  ir::Node conv{"conv", "Conv", "", {"x", "w", "b"}, {"c"}, {}};
  conv.attributes["pads"] = std::vector<int64_t>{1, 1, 1, 1};
  ir::Node softmax{"softmax", "Softmax", "", {"logits"}, {"y"}, {}};
  softmax.attributes["axis"] = int64_t(-1);
  return ModelBuilder()
      .input("x", ElementType::F32, {1, 3, 16, 16})
      .constant("w", testing::random_f32({8, 3, 3, 3}, rng))
      .constant("b", testing::random_f32({8}, rng))
      .constant("shape", Tensor::from<int64_t>({1, 8, 256}))
      .constant("fc", testing::random_f32({256, 10}, rng, -0.1f, 0.1f))
      .node(conv)
      .node({"relu", "Relu", "", {"c"}, {"r"}, {}})
      .node({"flatten", "Reshape", "", {"r", "shape"}, {"f"}, {}})
      .node({"fc", "MatMul", "", {"f", "fc"}, {"logits"}, {}})
      .node(softmax)
      .output("y")
      .build();
}

TEST(VnpuExecutable, ConvReluMatMulSoftmaxMatchesTheCpu) {
  std::mt19937 rng(7);
  auto model = classifier(rng);
  const Tensor x = testing::random_f32({1, 3, 16, 16}, rng);
  const std::vector<Tensor> want = testing::run_on(cpu::cpu_device(), model, {x});
  const std::vector<Tensor> got = testing::run_on(vnpu_device(), model, {x});
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].shape(), (Shape{1, 8, 10}));
  testing::expect_fp16_close(got[0], want[0]);
}

TEST(VnpuExecutable, ComputesInF16NotF32) {
  // 1 + 2^-12 is exact in f32 and rounds to 1 in f16 (10 mantissa bits).
  auto model = ModelBuilder()
                   .input("x", ElementType::F32, {1})
                   .constant("tiny", Tensor::from<float>({0x1p-12f}))
                   .node({"add", "Add", "", {"x", "tiny"}, {"y"}, {}})
                   .output("y")
                   .build();
  const Tensor one = Tensor::from<float>({1.0f});
  EXPECT_EQ(testing::run_on(cpu::cpu_device(), model, {one})[0].span<const float>()[0],
            1.0f + 0x1p-12f);
  EXPECT_EQ(testing::run_on(vnpu_device(), model, {one})[0].span<const float>()[0], 1.0f);
}

TEST(VnpuExecutable, AccumulatesInF32) {
  // 4096 products of 1 x 1: an f16 accumulator stops at 2048 (its spacing there is 2, so adding 1
  // rounds back), an f32 one reaches 4096, which f16 holds exactly.
  auto model = ModelBuilder()
                   .input("a", ElementType::F32, {1, 4096})
                   .constant("b", Tensor::from<float>(std::vector<float>(4096, 1.0f), {4096, 1}))
                   .node({"dot", "MatMul", "", {"a", "b"}, {"y"}, {}})
                   .output("y")
                   .build();
  const Tensor ones = Tensor::from<float>(std::vector<float>(4096, 1.0f), {1, 4096});
  EXPECT_EQ(testing::run_on(vnpu_device(), model, {ones})[0].span<const float>()[0], 4096.0f);
}

TEST(VnpuExecutable, ProfileSaysVnpuAndThePrecision) {
  std::mt19937 rng(9);
  std::vector<ProfilingInfo> profile;
  testing::run_on(vnpu_device(), classifier(rng), {testing::random_f32({1, 3, 16, 16}, rng)},
                  &profile);
  ASSERT_EQ(profile.size(), 5u);
  for (const ProfilingInfo& record : profile) {
    EXPECT_EQ(record.device, "VNPU") << record.node_name;
    EXPECT_EQ(record.exec_type, "vnpu_f16") << record.node_name;
  }
  EXPECT_EQ(profile[0].node_name, "conv");
}

TEST(VnpuExecutable, QuantisedOpsRunInInt8AndKeepTheirScalesF32) {
  // QuantizeLinear at opset 13 takes only f32: the rewrite casts the f16 activation for it, and the
  // Cast's time is counted in the QuantizeLinear's record.
  std::mt19937 rng(11);
  auto model = ModelBuilder(13)
                   .input("x", ElementType::F32, {4, 16})
                   .constant("scale", Tensor::scalar<float>(0.02f))
                   .constant("zero", Tensor::scalar<uint8_t>(128))
                   .node({"relu", "Relu", "", {"x"}, {"r"}, {}})
                   .node({"quantize", "QuantizeLinear", "", {"r", "scale", "zero"}, {"q"}, {}})
                   .node({"dequantize", "DequantizeLinear", "", {"q", "scale", "zero"}, {"y"}, {}})
                   .output("y")
                   .build();
  const Tensor x = testing::random_f32({4, 16}, rng, -2.0f, 2.0f);
  std::vector<ProfilingInfo> profile;
  const Tensor got = testing::run_on(vnpu_device(), model, {x}, &profile)[0];
  const Tensor want = testing::run_on(cpu::cpu_device(), model, {x})[0];
  // x rounded to f16 may cross a rounding boundary of the quantisation: one step (the scale) at
  // most.
  auto g = got.span<const float>(), w = want.span<const float>();
  for (size_t i = 0; i < w.size(); ++i) EXPECT_NEAR(g[i], w[i], 0.02f * 1.001f) << "at " << i;
  ASSERT_EQ(profile.size(), 3u);
  EXPECT_EQ(profile[0].exec_type, "vnpu_f16");
  EXPECT_EQ(profile[1].node_name, "quantize");
  EXPECT_EQ(profile[1].exec_type, "vnpu_int8");
  EXPECT_EQ(profile[2].exec_type, "vnpu_int8");
}

TEST(VnpuExecutable, ManyThreadsOnOneExecutableGetIdenticalResults) {
  std::mt19937 rng(13);
  auto executable = vnpu_device().compile(classifier(rng), {});
  const Value x = vnpu_device().copy_to_device(Value(testing::random_f32({1, 3, 16, 16}, rng)));
  const Tensor want = executable->run({x}, nullptr)[0].tensor();
  constexpr int kThreads = 8, kRuns = 20;
  std::vector<int> mismatches(kThreads, 0);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&, t] {
      for (int r = 0; r < kRuns; ++r) {
        const Tensor got = executable->run({x}, nullptr)[0].tensor();
        if (got.byte_size() != want.byte_size() ||
            std::memcmp(got.data(), want.data(), want.byte_size()) != 0)
          ++mismatches[t];
      }
    });
  for (std::thread& thread : threads) thread.join();
  for (int t = 0; t < kThreads; ++t) EXPECT_EQ(mismatches[t], 0) << "thread " << t;
}

TEST(VnpuExecutable, RefusesHostInputs) {
  std::mt19937 rng(15);
  auto executable = vnpu_device().compile(classifier(rng), {});
  EXPECT_THROW_KIND(executable->run({Value(testing::random_f32({1, 3, 16, 16}, rng))}, nullptr),
                    ErrorKind::InvalidArgument,
                    "VNPU: input 0 ('x') is f32[1,3,16,16], expected f16");
}

}  // namespace
}  // namespace tandem::vnpu
