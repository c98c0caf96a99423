// The GPU's data-movement kernels against the ops' CPU kernels, on random data: float activations
// in f32 and f16 storage, and int64 tensors.
#include "devices/gpu/cuda/kernels/data_movement.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "devices/gpu/cuda/gpu_test_util.h"
#include "devices/gpu/cuda/kernel_case.h"

namespace tandem::gpu {
namespace {

using testing::KernelCase;

constexpr ElementType kComputeTypes[] = {ElementType::F32, ElementType::F16};

class GpuDataMovement : public ::testing::TestWithParam<ElementType> {
 protected:
  void SetUp() override {
    if (!testing::gpu_present()) GTEST_SKIP() << "no GPU";
  }
};

Tensor random_indices(Shape shape, int64_t lo, int64_t hi) {
  std::mt19937 random(7);
  std::uniform_int_distribution<int64_t> dist(lo, hi);
  std::vector<int64_t> values(size_t(shape_size(shape)));
  for (int64_t& v : values) v = dist(random);
  return Tensor::from<int64_t>(std::move(values), std::move(shape));
}

TEST_P(GpuDataMovement, ConcatOnEveryAxis) {
  for (const int64_t axis : {int64_t(0), int64_t(1), int64_t(2), int64_t(-1)}) {
    SCOPED_TRACE("axis " + std::to_string(axis));
    Shape a{2, 3, 4}, b{2, 3, 4}, c{2, 3, 4};
    const size_t k = size_t(axis < 0 ? axis + 3 : axis);
    b[k] = 5;
    c[k] = 1;
    KernelCase("Concat", 13).attr("axis", axis).random(a).random(b).random_constant(c)
        .expect_matches(make_data_movement_kernel, GetParam());
  }
}

TEST_P(GpuDataMovement, TransposeTiledAndGeneral) {
  KernelCase("Transpose", 13).attr("perm", std::vector<int64_t>{1, 0}).random({67, 45})
      .expect_matches(make_data_movement_kernel, GetParam());
  KernelCase("Transpose", 13).attr("perm", std::vector<int64_t>{0, 1, 3, 2}).random({2, 3, 33, 70})
      .expect_matches(make_data_movement_kernel, GetParam());
  KernelCase("Transpose", 13).attr("perm", std::vector<int64_t>{0, 2, 1, 3}).random({2, 9, 4, 16})
      .expect_matches(make_data_movement_kernel, GetParam());
  KernelCase("Transpose", 13).random({2, 3, 4, 5})  // no perm: reversed
      .expect_matches(make_data_movement_kernel, GetParam());
}

TEST_P(GpuDataMovement, SliceWithStepsAndNegativeSteps) {
  KernelCase("Slice", 13).random({6, 10, 8}).constant(Tensor::from<int64_t>({1, -9}))
      .constant(Tensor::from<int64_t>({5, 10})).constant(Tensor::from<int64_t>({0, 1}))
      .constant(Tensor::from<int64_t>({2, 3})).expect_matches(make_data_movement_kernel, GetParam());
  KernelCase("Slice", 13).random({6, 10}).constant(Tensor::from<int64_t>({-1}))
      .constant(Tensor::from<int64_t>({-100})).constant(Tensor::from<int64_t>({1}))
      .constant(Tensor::from<int64_t>({-2})).expect_matches(make_data_movement_kernel, GetParam());
  KernelCase("Slice", 1).attr("starts", std::vector<int64_t>{1}).attr("ends", std::vector<int64_t>{3})
      .attr("axes", std::vector<int64_t>{1}).random({4, 5})
      .expect_matches(make_data_movement_kernel, GetParam());
}

TEST_P(GpuDataMovement, GatherEmbeddingsAndActivations) {
  // BERT's lookup: a constant table, int64 ids (a negative one counts from the end).
  Tensor ids = random_indices({2, 11}, 0, 99);
  ids.data<int64_t>()[3] = -1;
  KernelCase("Gather", 13).random_constant({100, 64}).input(ids)
      .expect_matches(make_data_movement_kernel, GetParam());
  KernelCase("Gather", 13).attr("axis", int64_t(1)).random({3, 7, 5})
      .constant(random_indices({4}, 0, 6)).expect_matches(make_data_movement_kernel, GetParam());
  KernelCase("Gather", 13).random({9, 3}).input(Tensor::from<int32_t>({8, 0, 2}, {3}))
      .expect_matches(make_data_movement_kernel, GetParam());
  // Rows of one 16-byte word in f32 (8 bytes in f16 and bf16): the word once copied a byte of
  // each row, being tandem::uint4 instead of CUDA's (found running the kernel on the CPU).
  KernelCase("Gather", 13).random_constant({50, 4}).input(random_indices({6}, 0, 49))
      .expect_matches(make_data_movement_kernel, GetParam());
}

TEST_P(GpuDataMovement, ExpandAndViews) {
  KernelCase("Expand", 13).random({3, 1, 5}).constant(Tensor::from<int64_t>({2, 3, 4, 5}))
      .expect_matches(make_data_movement_kernel, GetParam());
  KernelCase("Reshape", 14).random({2, 3, 4}).constant(Tensor::from<int64_t>({6, -1}))
      .expect_matches(make_data_movement_kernel, GetParam());
  KernelCase("Flatten", 13).attr("axis", int64_t(2)).random({2, 3, 4, 5})
      .expect_matches(make_data_movement_kernel, GetParam());
  KernelCase("Unsqueeze", 13).random({3, 4}).constant(Tensor::from<int64_t>({0}))
      .expect_matches(make_data_movement_kernel, GetParam());
  KernelCase("Squeeze", 11).attr("axes", std::vector<int64_t>{1}).random({3, 1, 4})
      .expect_matches(make_data_movement_kernel, GetParam());
  KernelCase("Identity", 16).random({7}).expect_matches(make_data_movement_kernel, GetParam());
}

TEST_P(GpuDataMovement, IntegerTensorsMoveAsTheyAre) {
  KernelCase("Concat", 13).attr("axis", int64_t(0)).input(random_indices({3}, -50, 50))
      .input(random_indices({2}, -50, 50)).expect_matches(make_data_movement_kernel, GetParam());
  KernelCase("Transpose", 13).input(random_indices({5, 6}, -50, 50))
      .expect_matches(make_data_movement_kernel, GetParam());
}

INSTANTIATE_TEST_SUITE_P(ComputeTypes, GpuDataMovement, ::testing::ValuesIn(kComputeTypes),
                         [](const auto& info) { return std::string(to_string(info.param)); });

}  // namespace
}  // namespace tandem::gpu
