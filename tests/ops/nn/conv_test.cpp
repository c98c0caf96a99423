// Conv and ConvTranspose against naive loops written from the ONNX formulas, over 1-D, 2-D and
// 3-D cases with groups, strides, dilations and asymmetric pads; auto_pad, and the integer forms.
#include <array>
#include <random>

#include "ops/op_case.h"

namespace tandem::testing {
namespace {

struct ConvCase {
  Shape x, w;  // X [N, C, spatial...], Conv W [M, C/g, k...], ConvTranspose W [C, M/g, k...]
  int64_t group = 1;
  std::vector<int64_t> strides, dilations, pads;
};

std::vector<float> small_values(int64_t count, std::mt19937& rng) {
  std::uniform_int_distribution<int> d(-3, 3);
  std::vector<float> v(static_cast<size_t>(count));
  for (auto& e : v) e = float(d(rng));
  return v;
}

// Spatial dims padded in front to three, so one set of loops serves every rank.
std::array<int64_t, 3> pad3(const std::vector<int64_t>& v, size_t from, int64_t fill) {
  std::array<int64_t, 3> out{fill, fill, fill};
  const size_t n = v.size() - from;
  for (size_t i = 0; i < n; ++i) out[3 - n + i] = v[from + i];
  return out;
}

Tensor naive_conv(const ConvCase& c, const std::vector<float>& x, const std::vector<float>& w,
                  bool transpose) {
  const size_t n = c.x.size() - 2;
  const auto in = pad3(c.x, 2, 1), k = pad3(c.w, 2, 1), s = pad3(c.strides, 0, 1),
             d = pad3(c.dilations, 0, 1);
  const auto pb = pad3(std::vector<int64_t>(c.pads.begin(), c.pads.begin() + n), 0, 0);
  const auto pe = pad3(std::vector<int64_t>(c.pads.begin() + n, c.pads.end()), 0, 0);
  const int64_t batch = c.x[0], channels = c.x[1];
  const int64_t out_channels = transpose ? c.w[1] * c.group : c.w[0];
  const int64_t cg = channels / c.group, mg = out_channels / c.group;
  std::array<int64_t, 3> out;
  for (int i = 0; i < 3; ++i)
    out[i] = transpose ? s[i] * (in[i] - 1) + (k[i] - 1) * d[i] + 1 - pb[i] - pe[i]
                       : (in[i] + pb[i] + pe[i] - (k[i] - 1) * d[i] - 1) / s[i] + 1;
  Shape y_shape{batch, out_channels};
  for (size_t i = 0; i < n; ++i) y_shape.push_back(out[3 - n + i]);
  Tensor y(ElementType::F32, y_shape);
  auto ys = y.span<float>();
  const int64_t ksize = k[0] * k[1] * k[2];
  for (int64_t b = 0; b < batch; ++b)
    for (int64_t g = 0; g < c.group; ++g)
      for (int64_t m = 0; m < mg; ++m)
        for (int64_t ch = 0; ch < cg; ++ch)
          for (int64_t i0 = 0; i0 < (transpose ? in : out)[0]; ++i0)
            for (int64_t i1 = 0; i1 < (transpose ? in : out)[1]; ++i1)
              for (int64_t i2 = 0; i2 < (transpose ? in : out)[2]; ++i2)
                for (int64_t k0 = 0; k0 < k[0]; ++k0)
                  for (int64_t k1 = 0; k1 < k[1]; ++k1)
                    for (int64_t k2 = 0; k2 < k[2]; ++k2) {
                      const int64_t p0 = i0 * s[0] - pb[0] + k0 * d[0];
                      const int64_t p1 = i1 * s[1] - pb[1] + k1 * d[1];
                      const int64_t p2 = i2 * s[2] - pb[2] + k2 * d[2];
                      const auto& lim = transpose ? out : in;
                      if (p0 < 0 || p0 >= lim[0] || p1 < 0 || p1 >= lim[1] || p2 < 0 ||
                          p2 >= lim[2])
                        continue;
                      const int64_t kk = (k0 * k[1] + k1) * k[2] + k2;
                      const int64_t xc = b * channels + g * cg + ch;
                      const int64_t yc = b * out_channels + g * mg + m;
                      if (!transpose) {
                        const float xv =
                            x[size_t((xc * in[0] + p0) * in[1] * in[2] + p1 * in[2] + p2)];
                        const float wv = w[size_t(((g * mg + m) * cg + ch) * ksize + kk)];
                        ys[size_t(((yc * out[0] + i0) * out[1] + i1) * out[2] + i2)] += xv * wv;
                      } else {
                        const float xv = x[size_t(((xc * in[0] + i0) * in[1] + i1) * in[2] + i2)];
                        const float wv = w[size_t(((g * cg + ch) * mg + m) * ksize + kk)];
                        ys[size_t(((yc * out[0] + p0) * out[1] + p1) * out[2] + p2)] += xv * wv;
                      }
                    }
  return y;
}

const ConvCase kCases[] = {
    {{2, 4, 7, 6}, {6, 2, 3, 2}, 2, {2, 1}, {1, 2}, {1, 0, 2, 1}},
    {{1, 3, 10}, {2, 3, 4}, 1, {3}, {1}, {2, 1}},
    {{1, 2, 4, 5, 3}, {2, 2, 2, 3, 1}, 1, {1, 2, 1}, {2, 1, 1}, {0, 1, 0, 1, 0, 0}},
    {{1, 3, 5, 5}, {3, 1, 3, 3}, 3, {1, 1}, {1, 1}, {1, 1, 1, 1}},
    {{1, 8, 4, 4}, {5, 8, 1, 1}, 1, {1, 1}, {1, 1}, {0, 0, 0, 0}},
};

OpCase with_attributes(OpCase c, const ConvCase& cc) {
  return std::move(c.attr("group", int(cc.group))
                       .attr("strides", cc.strides)
                       .attr("dilations", cc.dilations)
                       .attr("pads", cc.pads));
}

TEST(Conv, MatchesNaiveLoops) {
  std::mt19937 rng(3);
  for (const ConvCase& cc : kCases) {
    SCOPED_TRACE(to_string(cc.x) + " * " + to_string(cc.w));
    auto x = small_values(shape_size(cc.x), rng), w = small_values(shape_size(cc.w), rng);
    Tensor want = naive_conv(cc, x, w, false);
    auto c = with_attributes(OpCase("Conv", 11), cc).input<float>(cc.x, x).input<float>(cc.w, w);
    expect_tensor<float>(
        c.run_tensor(), want.shape(),
        std::vector<float>(want.span<const float>().begin(), want.span<const float>().end()));
  }
}

TEST(ConvTranspose, MatchesNaiveLoops) {
  std::mt19937 rng(4);
  for (ConvCase cc : kCases) {
    // W [C, M/g, k...]: reuse the Conv cases with W's first two dims read the other way.
    cc.w[0] = cc.x[1];
    cc.w[1] = cc.w[1] == 1 && cc.group > 1 ? 1 : 2;
    SCOPED_TRACE(to_string(cc.x) + " * " + to_string(cc.w));
    auto x = small_values(shape_size(cc.x), rng), w = small_values(shape_size(cc.w), rng);
    Tensor want = naive_conv(cc, x, w, true);
    auto c = with_attributes(OpCase("ConvTranspose", 11), cc)
                 .input<float>(cc.x, x)
                 .input<float>(cc.w, w);
    expect_tensor<float>(
        c.run_tensor(), want.shape(),
        std::vector<float>(want.span<const float>().begin(), want.span<const float>().end()));
  }
}

TEST(Conv, SameLowerPadsTheStartSameUpperTheEnd) {
  // Width 4, kernel 2: one pad in total. Lower: [0,1,2,3] -> sums (0+1)... with the pad first.
  auto lower = OpCase("Conv", 11)
                   .attr("auto_pad", "SAME_LOWER")
                   .input<float>({1, 1, 4}, {1, 2, 3, 4})
                   .input<float>({1, 1, 2}, {1, 1});
  expect_tensor<float>(lower.run_tensor(), {1, 1, 4}, {1, 3, 5, 7});
  auto upper = OpCase("Conv", 11)
                   .attr("auto_pad", "SAME_UPPER")
                   .input<float>({1, 1, 4}, {1, 2, 3, 4})
                   .input<float>({1, 1, 2}, {1, 1});
  expect_tensor<float>(upper.run_tensor(), {1, 1, 4}, {3, 5, 7, 4});
}

TEST(Conv, BiasAndDouble) {
  auto c = OpCase("Conv", 1)
               .input<double>({1, 1, 2}, {1, 2})
               .input<double>({2, 1, 1}, {1, -1})
               .input<double>({2}, {10, 20});
  expect_tensor<double>(c.run_tensor(), {1, 2, 2}, {11, 12, 19, 18});
}

TEST(Conv, Bfloat16FromOpset22) {
  auto c = OpCase("Conv", 22)
               .input<bfloat16>({1, 1, 3}, {1.0f, 2.0f, 3.0f})
               .input<bfloat16>({1, 1, 2}, {1.0f, -1.0f})
               .input<bfloat16>({1}, {0.5f});
  Tensor y = c.run_tensor();
  ASSERT_EQ(y.element_type(), ElementType::BF16);
  ASSERT_EQ(y.shape(), (Shape{1, 1, 2}));
  EXPECT_EQ(float(y.span<const bfloat16>()[0]), -0.5f);
  EXPECT_EQ(float(y.span<const bfloat16>()[1]), -0.5f);
}

TEST(Conv, ChannelMismatchIsInvalid) {
  auto c = OpCase("Conv", 11)
               .input<float>({1, 3, 4}, std::vector<float>(12))
               .input<float>({1, 2, 1}, {1, 1});
  EXPECT_THROW_KIND(c.run(), ErrorKind::InvalidModel, "channels");
}

TEST(Conv, WindowLargerThanInputIsInvalid) {
  auto c = OpCase("Conv", 11).input<float>({1, 1, 2}, {1, 2}).input<float>({1, 1, 3}, {1, 1, 1});
  EXPECT_THROW_KIND(c.run(), ErrorKind::InvalidModel, "smaller than the window");
}

TEST(ConvTranspose, OutputShapeAndOutputPadding) {
  // x [1,2], kernel 1, stride 2: natural size 3; output_padding 1 makes 4, output_shape 5 pads
  // the end with zeros.
  auto pad = OpCase("ConvTranspose", 11)
                 .attr("strides", std::vector<int64_t>{2})
                 .attr("output_padding", std::vector<int64_t>{1})
                 .input<float>({1, 1, 2}, {1, 2})
                 .input<float>({1, 1, 1}, {3});
  expect_tensor<float>(pad.run_tensor(), {1, 1, 4}, {3, 0, 6, 0});
  auto shape = OpCase("ConvTranspose", 11)
                   .attr("strides", std::vector<int64_t>{2})
                   .attr("output_shape", std::vector<int64_t>{5})
                   .input<float>({1, 1, 2}, {1, 2})
                   .input<float>({1, 1, 1}, {3});
  expect_tensor<float>(shape.run_tensor(), {1, 1, 5}, {3, 0, 6, 0, 0});
}

TEST(ConvInteger, ZeroPointsShiftAndPadding) {
  // x - 2 = [-1, 0, 1], w - 1 = [1, 2]; pads 1 read x's zero point, i.e. 0 after the shift.
  auto c = OpCase("ConvInteger", 10)
               .attr("pads", std::vector<int64_t>{1, 0})
               .input<uint8_t>({1, 1, 3}, {1, 2, 3})
               .input<uint8_t>({1, 1, 2}, {2, 3})
               .input<uint8_t>({}, {2})
               .input<uint8_t>({}, {1});
  expect_tensor<int32_t>(c.run_tensor(), {1, 1, 3}, {-2, -1, 2});
}

TEST(QLinearConv, PerChannelScalesAndBias) {
  auto c = OpCase("QLinearConv", 10)
               .input<uint8_t>({1, 1, 2}, {4, 6})
               .input<float>({}, {0.5f})
               .input<uint8_t>({}, {2})
               .input<int8_t>({2, 1, 1}, {1, -1})
               .input<float>({2}, {1.0f, 2.0f})
               .input<int8_t>({2}, {0, 0})
               .input<float>({}, {1.0f})
               .input<uint8_t>({}, {100})
               .input<int32_t>({2}, {1, 0});
  // ch0: ([2, 4] + 1) * 0.5 = 1.5, 2.5 -> 2, 2 (half to even); ch1: [-2, -4] * 1.0.
  expect_tensor<uint8_t>(c.run_tensor(), {1, 2, 2}, {102, 102, 98, 96});
}

}  // namespace
}  // namespace tandem::testing
