// The GPU's normalization kernels against the ops' CPU kernels, on random data, in f32, f16, bf16.
#include "devices/gpu/cuda/kernels/normalization.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "devices/gpu/cuda/gpu_test_util.h"
#include "devices/gpu/cuda/kernel_case.h"

namespace tandem::gpu {
namespace {

using testing::KernelCase;

constexpr ElementType kComputeTypes[] = {ElementType::F32, ElementType::F16, ElementType::BF16};

class GpuNormalization : public ::testing::TestWithParam<ElementType> {
 protected:
  void SetUp() override {
    if (!testing::gpu_present()) GTEST_SKIP() << "no GPU";
  }
};

TEST_P(GpuNormalization, LayerNormOverShortAndLongRows) {
  // 768: BERT's rows (a warp per row); 3000: a block per row.
  for (const int64_t n : {int64_t(768), int64_t(3000), int64_t(5)}) {
    SCOPED_TRACE("row of " + std::to_string(n));
    KernelCase("LayerNormalization", 17).attr("epsilon", 1e-12f).random({2, 7, n}, -3, 5)
        .random_constant({n}).random_constant({n})
        .expect_matches(make_normalization_kernel, GetParam(), 1e-4);
  }
}

TEST_P(GpuNormalization, LayerNormAxisBroadcastScaleAndStatistics) {
  KernelCase("LayerNormalization", 17).attr("axis", int64_t(1)).random({3, 4, 10})
      .random_constant({1, 10}).outputs(3)
      .expect_matches(make_normalization_kernel, GetParam(), 1e-4);
  KernelCase("LayerNormalization", 1, "com.tandem").random({6, 32}).random_constant({32})
      .random_constant({32}).expect_matches(make_normalization_kernel, GetParam(), 1e-4);
}

TEST_P(GpuNormalization, SoftmaxAlongAnyAxis) {
  // Opset 13: one axis. Last axis: rows (short and long); a middle axis: columns.
  KernelCase("Softmax", 13).random({2, 12, 128}, -8, 8)
      .expect_matches(make_normalization_kernel, GetParam(), 1e-5);
  KernelCase("Softmax", 13).random({3, 5000}, -8, 8)
      .expect_matches(make_normalization_kernel, GetParam(), 1e-5);
  KernelCase("Softmax", 13).attr("axis", int64_t(1)).random({2, 7, 9}, -8, 8)
      .expect_matches(make_normalization_kernel, GetParam(), 1e-5);
  // Before 13: the input coerced to 2-D at axis 1.
  KernelCase("Softmax", 11).random({2, 7, 9}, -8, 8)
      .expect_matches(make_normalization_kernel, GetParam(), 1e-5);
  KernelCase("LogSoftmax", 13).random({4, 33}, -8, 8)
      .expect_matches(make_normalization_kernel, GetParam(), 1e-5);
}

TEST_P(GpuNormalization, BatchNormInference) {
  KernelCase("BatchNormalization", 15).random({2, 6, 5, 5}).random_constant({6})
      .random_constant({6}).random_constant({6}).random_constant({6}, 0.5f, 2.0f)
      .expect_matches(make_normalization_kernel, GetParam(), 1e-5);
}

TEST_P(GpuNormalization, MeanReductions) {
  KernelCase("ReduceMean", 13).attr("axes", std::vector<int64_t>{-1}).random({4, 6, 2000})
      .expect_matches(make_normalization_kernel, GetParam(), 1e-4);
  KernelCase("ReduceMean", 13).attr("axes", std::vector<int64_t>{1}).attr("keepdims", int64_t(0))
      .random({3, 10, 8}).expect_matches(make_normalization_kernel, GetParam(), 1e-5);
  KernelCase("ReduceMean", 18).random({2, 3, 4, 4}).constant(Tensor::from<int64_t>({2, 3}))
      .expect_matches(make_normalization_kernel, GetParam(), 1e-5);
  KernelCase("ReduceSum", 13).random({5, 40}).constant(Tensor::from<int64_t>({1}))
      .expect_matches(make_normalization_kernel, GetParam(), 1e-5);
}

INSTANTIATE_TEST_SUITE_P(ComputeTypes, GpuNormalization, ::testing::ValuesIn(kComputeTypes),
                         [](const auto& info) { return std::string(to_string(info.param)); });

}  // namespace
}  // namespace tandem::gpu
