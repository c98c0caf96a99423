// DFT and STFT: lengths on both transform paths, one-sided and inverse forms, padding, errors.
#include <cmath>
#include <complex>
#include <numbers>
#include <vector>

#include "ops/op_case.h"

namespace tandem::testing {
namespace {

// The textbook sum, as the oracle for both the radix-2 and the direct path.
std::vector<float> naive_dft(const std::vector<float>& x, size_t n, bool inverse) {
  std::vector<float> out;
  for (size_t k = 0; k < n; ++k) {
    std::complex<double> sum;
    for (size_t j = 0; j < n && j < x.size(); ++j)
      sum += double(x[j]) *
             std::polar(1.0, (inverse ? 2 : -2) * std::numbers::pi * double(j * k) / double(n));
    if (inverse) sum /= double(n);
    out.push_back(float(sum.real()));
    out.push_back(float(sum.imag()));
  }
  return out;
}

TEST(Dft, MatchesTheDefinitionOnPowerOfTwoAndOtherLengths) {
  for (int64_t n : {1, 2, 7, 8, 12, 16}) {
    SCOPED_TRACE(n);
    std::vector<float> x;
    for (int64_t i = 0; i < n; ++i) x.push_back(float(std::sin(0.7 * double(i)) + 0.1 * double(i)));
    auto c = OpCase("DFT", 17).attr("axis", 1).input<float>({1, n, 1}, x);
    expect_tensor<float>(c.run_tensor(), {1, n, 2}, naive_dft(x, size_t(n), false), 1e-4);
  }
}

TEST(Dft, OnesidedKeepsHalfTheBinsAndDftLengthPadsOrTruncates) {
  const std::vector<float> x{1, 2, 3, 4, 5};
  auto padded =
      OpCase("DFT", 17).attr("onesided", 1).input<float>({1, 5, 1}, x).input<int64_t>({}, {8});
  auto full = naive_dft(x, 8, false);
  expect_tensor<float>(padded.run_tensor(), {1, 5, 2},
                       std::vector<float>(full.begin(), full.begin() + 10), 1e-4);
  auto truncated = OpCase("DFT", 17).input<float>({1, 5, 1}, x).input<int32_t>({}, {3});
  expect_tensor<float>(truncated.run_tensor(), {1, 3, 2}, naive_dft({1, 2, 3}, 3, false), 1e-4);
}

TEST(Dft, InverseOfForwardIsIdentityAndNegativeAxisCountsTheComplexDimension) {
  // x: [2, 3, 2] complex; axis -2 is the length-3 axis.
  const std::vector<float> x{1, 0, 2, 1, -1, 3, 0.5, 0.5, 4, -2, 1, 1};
  Tensor spectrum = OpCase("DFT", 17).attr("axis", -2).input<float>({2, 3, 2}, x).run_tensor();
  auto back = OpCase("DFT", 17).attr("axis", 1).attr("inverse", 1).input(Value(spectrum));
  expect_tensor<float>(back.run_tensor(), {2, 3, 2}, x, 1e-5);
}

TEST(Dft, InverseOnesidedRebuildsTheRealSignal) {
  const std::vector<float> signal{3, -1, 4, 1, -5, 9};
  Tensor half = OpCase("DFT", 17).attr("onesided", 1).input<float>({1, 6, 1}, signal).run_tensor();
  ASSERT_EQ(half.shape(), (Shape{1, 4, 2}));
  auto c = OpCase("DFT", 17).attr("onesided", 1).attr("inverse", 1).input(Value(half));
  expect_tensor<float>(c.run_tensor(), {1, 6, 1}, signal, 1e-5);
}

TEST(Dft, RejectsBadAxesAndChannels) {
  auto axis = OpCase("DFT", 17).attr("axis", 2).input<float>({1, 4, 1}, {1, 2, 3, 4});
  EXPECT_THROW_KIND(axis.run(), ErrorKind::InvalidModel, "axis 2 is out of range");
  auto channels = OpCase("DFT", 17).input<float>({1, 2, 3}, {1, 2, 3, 4, 5, 6});
  EXPECT_THROW_KIND(channels.run(), ErrorKind::InvalidModel, "must be 1 (real) or 2 (complex)");
  auto onesided = OpCase("DFT", 17).attr("onesided", 1).input<float>({1, 2, 2}, {1, 2, 3, 4});
  EXPECT_THROW_KIND(onesided.run(), ErrorKind::InvalidModel, "needs a real input");
  auto length = OpCase("DFT", 17).input<float>({1, 2, 1}, {1, 2}).input<int64_t>({}, {0});
  EXPECT_THROW_KIND(length.run(), ErrorKind::InvalidArgument, "dft_length must be > 0");
}

TEST(Stft, FramesAreWindowedDftsOfTheSignal) {
  // length 6, frame 4, step 2: frames [0..3] and [2..5]; two-sided output of 4 bins.
  const std::vector<float> x{1, 2, 3, 4, 5, 6};
  const std::vector<float> window{0.5f, 1, 1, 0.5f};
  auto c = OpCase("STFT", 17)
               .attr("onesided", 0)
               .input<float>({1, 6, 1}, x)
               .input<int64_t>({}, {2})
               .input<float>({4}, window);
  std::vector<float> expected;
  for (int start : {0, 2}) {
    std::vector<float> frame;
    for (int j = 0; j < 4; ++j) frame.push_back(x[start + j] * window[j]);
    auto bins = naive_dft(frame, 4, false);
    expected.insert(expected.end(), bins.begin(), bins.end());
  }
  expect_tensor<float>(c.run_tensor(), {1, 2, 4, 2}, expected, 1e-4);
}

TEST(Stft, FrameLengthDefaultsToTheSignalAndMustMatchTheWindow) {
  auto whole = OpCase("STFT", 17).input<float>({1, 4, 1}, {1, 2, 3, 4}).input<int64_t>({}, {1});
  EXPECT_EQ(whole.run_tensor().shape(), (Shape{1, 1, 3, 2}));
  auto mismatch = OpCase("STFT", 17)
                      .input<float>({1, 4, 1}, {1, 2, 3, 4})
                      .input<int64_t>({}, {1})
                      .input<float>({2}, {1, 1})
                      .input<int64_t>({}, {3});
  EXPECT_THROW_KIND(mismatch.run(), ErrorKind::InvalidArgument, "differs from the window");
  auto complex = OpCase("STFT", 17).input<float>({1, 2, 2}, {1, 2, 3, 4}).input<int64_t>({}, {1});
  EXPECT_THROW_KIND(complex.run(), ErrorKind::InvalidModel, "needs a real signal");
}

}  // namespace
}  // namespace tandem::testing
