// The cosine windows and MelWeightMatrix: periodic and symmetric forms, output types, edges.
#include <vector>

#include "ops/op_case.h"

namespace tandem::testing {
namespace {

TEST(Windows, PeriodicAndSymmetricHann) {
  auto periodic = OpCase("HannWindow", 17).input<int64_t>({}, {4});
  expect_tensor<float>(periodic.run_tensor(), {4}, {0, 0.5f, 1, 0.5f});
  auto symmetric = OpCase("HannWindow", 17).attr("periodic", 0).input<int32_t>({}, {5});
  expect_tensor<float>(symmetric.run_tensor(), {5}, {0, 0.5f, 1, 0.5f, 0});
}

TEST(Windows, HammingAndBlackmanCoefficients) {
  auto hamming = OpCase("HammingWindow", 17)
                     .attr("periodic", 0)
                     .attr("output_datatype", 11)
                     .input<int64_t>({}, {3});
  expect_tensor<double>(hamming.run_tensor(), {3}, {4.0 / 46, 1.0, 4.0 / 46}, 1e-12);
  auto blackman = OpCase("BlackmanWindow", 17).input<int64_t>({}, {4});
  expect_tensor<float>(blackman.run_tensor(), {4}, {0, 0.34f, 1, 0.34f}, 1e-6);
}

TEST(Windows, EdgeSizesAndIntegerOutput) {
  auto one = OpCase("HannWindow", 17).attr("periodic", 0).input<int64_t>({}, {1});
  expect_tensor<float>(one.run_tensor(), {1}, {1});
  auto empty = OpCase("HammingWindow", 17).input<int64_t>({}, {0});
  EXPECT_EQ(empty.run_tensor().shape(), (Shape{0}));
  auto ints = OpCase("HannWindow", 17).attr("output_datatype", 7).input<int64_t>({}, {4});
  expect_tensor<int64_t>(ints.run_tensor(), {4}, {0, 0, 1, 0});
  auto negative = OpCase("BlackmanWindow", 17).input<int64_t>({}, {-2});
  EXPECT_THROW_KIND(negative.run(), ErrorKind::InvalidArgument, "window size must be >= 0");
  auto floats = OpCase("HannWindow", 17).input<float>({}, {4});
  EXPECT_THROW_KIND(floats.run(), ErrorKind::InvalidModel, "size must be int32 or int64");
}

TEST(MelWeightMatrix, MatchesOnnxReference) {
  // Values from onnx.reference for 3 bins, dft_length 12, 16 kHz, 100..7000 Hz.
  auto c = OpCase("MelWeightMatrix", 17)
               .input<int64_t>({}, {3})
               .input<int64_t>({}, {12})
               .input<int64_t>({}, {16000})
               .input<float>({}, {100})
               .input<float>({}, {7000});
  expect_tensor<float>(c.run_tensor(), {7, 3},
                       {1, 0, 0, 0, 1, 1, 0, 0, 0.5f, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0});
}

TEST(MelWeightMatrix, RejectsEdgesAboveNyquistAndBadSizes) {
  auto above = OpCase("MelWeightMatrix", 17)
                   .input<int64_t>({}, {2})
                   .input<int64_t>({}, {8})
                   .input<int64_t>({}, {100})
                   .input<float>({}, {0})
                   .input<float>({}, {1000});
  EXPECT_THROW_KIND(above.run(), ErrorKind::InvalidArgument, "maps beyond");
  auto zero = OpCase("MelWeightMatrix", 17)
                  .input<int64_t>({}, {0})
                  .input<int64_t>({}, {8})
                  .input<int64_t>({}, {100})
                  .input<float>({}, {0})
                  .input<float>({}, {50});
  EXPECT_THROW_KIND(zero.run(), ErrorKind::InvalidArgument, "must be > 0");
}

}  // namespace
}  // namespace tandem::testing
