// The VNPU's memory: transfers convert f32 to f16 and back, every tensor in it is counted until
// its last handle dies, and running out says how much was asked and how much is in use.
#include "devices/vnpu/memory.h"

#include <gtest/gtest.h>

#include <random>

#include "devices/vnpu/executable.h"
#include "devices/vnpu/vnpu_test_util.h"
#include "ops/op_case.h"

namespace tandem::vnpu {
namespace {

using testing::ModelBuilder;

TEST(VnpuMemory, F32TravelsAsF16AndComesBackAsF32) {
  std::mt19937 rng(3);
  const Tensor host = testing::random_f32({2, 3, 5}, rng, -100.0f, 100.0f);
  const Value on_device = vnpu_device().copy_to_device(Value(host));
  ASSERT_EQ(on_device.tensor().element_type(), ElementType::F16);
  EXPECT_EQ(on_device.tensor().shape(), host.shape());
  const Tensor back =
      vnpu_device()
          .copy_to_host(on_device, ValueType::tensor(ElementType::F32, PartialShape({2, 3, 5})))
          .tensor();
  ASSERT_EQ(back.element_type(), ElementType::F32);
  auto want = host.span<const float>();
  auto got = back.span<const float>();
  for (size_t i = 0; i < want.size(); ++i) {
    EXPECT_EQ(got[i], float(float16(want[i]))) << "at " << i;
    EXPECT_NEAR(got[i], want[i], std::fabs(want[i]) * 0x1p-11f) << "at " << i;  // f16's rounding
  }
}

TEST(VnpuMemory, OtherTypesTravelAsTheyAre) {
  const Tensor host = Tensor::from<int8_t>({-128, -1, 0, 1, 127});
  const Value on_device = vnpu_device().copy_to_device(Value(host));
  ASSERT_EQ(on_device.tensor().element_type(), ElementType::I8);
  EXPECT_NE(on_device.tensor().data(), host.data());  // a copy, not the host's memory
  const Tensor back =
      vnpu_device()
          .copy_to_host(on_device, ValueType::tensor(ElementType::I8, PartialShape({5})))
          .tensor();
  ::tandem::testing::expect_tensor<int8_t>(back, {5}, {-128, -1, 0, 1, 127});
}

TEST(VnpuMemory, CopiesAreCountedUntilTheirLastHandleDies) {
  const size_t before = device_memory().in_use();
  {
    const Value a = vnpu_device().copy_to_device(Value(Tensor(ElementType::F32, {1000})));
    EXPECT_EQ(device_memory().in_use(), before + 2000);
    Value b = vnpu_device().copy_to_device(Value(Tensor(ElementType::U8, {10})));
    EXPECT_EQ(device_memory().in_use(), before + 2010);
    const Tensor shared = b.tensor();
    b = Value();
    EXPECT_EQ(device_memory().in_use(), before + 2010);  // `shared` still holds it
  }
  EXPECT_EQ(device_memory().in_use(), before);
}

TEST(VnpuMemory, RunningOutSaysWhatWasAskedAndWhatIsInUse) {
  MemoryPool pool(4 << 20);
  const auto held = pool.reserve(3 << 20);
  EXPECT_THROW_KIND(pool.reserve(2 << 20), ErrorKind::Runtime,
                    "VNPU: out of device memory: needs 2.0 MiB, 3.0 of 4 MiB in use");
  EXPECT_EQ(pool.in_use(), size_t(3 << 20));      // a refused reservation takes nothing
  const Tensor big(ElementType::F32, {3 << 18});  // 3 MiB, 1.5 MiB as f16
  EXPECT_THROW_KIND(to_device(big, pool), ErrorKind::Runtime, "needs 1.5 MiB");
  EXPECT_THROW_KIND(pool.adopt(big), ErrorKind::Runtime, "needs 3.0 MiB");
  const Tensor fits(ElementType::F32, {1 << 18});
  const Tensor placed = to_device(fits, pool);
  EXPECT_EQ(pool.in_use(), size_t(3 << 20) + (1 << 19));
}

TEST(VnpuMemory, WeightsActivationsAndOutputsReturnToZero) {
  std::mt19937 rng(5);
  auto model =
      ModelBuilder()
          .input("x", ElementType::F32, {1, 4, 8, 8})
          .constant("w", testing::random_f32({8, 4, 3, 3}, rng))
          .node(
              {"conv", "Conv", "", {"x", "w"}, {"c"}, {{"pads", std::vector<int64_t>{1, 1, 1, 1}}}})
          .node({"relu", "Relu", "", {"c"}, {"y"}, {}})
          .output("y")
          .build();
  const size_t before = device_memory().in_use();
  {
    auto executable = vnpu_device().compile(model, {});
    const size_t weights = 8 * 4 * 3 * 3 * 2;  // f16
    EXPECT_EQ(device_memory().in_use(), before + weights);
    std::vector<Value> inputs{
        vnpu_device().copy_to_device(Value(testing::random_f32({1, 4, 8, 8}, rng)))};
    std::vector<Value> outputs = executable->run(inputs, nullptr);
    const size_t output_bytes = 8 * 8 * 8 * 2;
    EXPECT_EQ(device_memory().in_use(), before + weights + 4 * 8 * 8 * 2 + output_bytes);
  }
  EXPECT_EQ(device_memory().in_use(), before);
}

TEST(VnpuMemory, PlansActivationsStatically) {
  auto model = ModelBuilder()
                   .input("x", ElementType::F32, {1000})
                   .node({"a", "Relu", "", {"x"}, {"a_out"}, {}})
                   .node({"b", "Neg", "", {"a_out"}, {"b_out"}, {}})
                   .node({"c", "Abs", "", {"b_out"}, {"y"}, {}})
                   .output("y")
                   .build();
  auto executable = vnpu_device().compile(model, {});
  // At most an op's input and output are alive at once: 2 x 1000 f16 values.
  EXPECT_EQ(dynamic_cast<const VnpuExecutable&>(*executable).activation_bytes(), size_t(4000));
}

}  // namespace
}  // namespace tandem::vnpu
