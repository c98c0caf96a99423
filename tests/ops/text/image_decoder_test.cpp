// ImageDecoder (opset 20): the formats decoded in tandem itself (BMP, PNM), pixel formats, and
// what happens to bytes it cannot decode.
#include <cstdint>
#include <string>
#include <vector>

#include "ops/op_case.h"

namespace tandem::testing {
namespace {

using namespace std::string_literals;  // the byte strings hold zeros

std::vector<uint8_t> bytes(const std::string& s) { return {s.begin(), s.end()}; }

OpCase decoder(const std::vector<uint8_t>& data, const char* format = "RGB") {
  return OpCase("ImageDecoder", 20)
      .attr("pixel_format", format)
      .input<uint8_t>({int64_t(data.size())}, data);
}

// A 2x1 binary PPM: a red pixel, then a grey one.
const std::string kPpm = "P6\n# comment\n2 1\n255\n\xFF\x00\x00\x80\x80\x80"s;

TEST(ImageDecoder, PnmAsRgbBgrAndGrayscale) {
  expect_tensor<uint8_t>(decoder(bytes(kPpm)).run_tensor(), {1, 2, 3}, {255, 0, 0, 128, 128, 128});
  expect_tensor<uint8_t>(decoder(bytes(kPpm), "BGR").run_tensor(), {1, 2, 3},
                         {0, 0, 255, 128, 128, 128});
  // Pillow's luma: (19595 R + 38470 G + 7471 B + 2^15) >> 16.
  expect_tensor<uint8_t>(decoder(bytes(kPpm), "Grayscale").run_tensor(), {1, 2, 1}, {76, 128});
}

TEST(ImageDecoder, BottomUpBmp) {
  // 1x2, 24 bits: rows are stored bottom first, BGR, padded to 4 bytes.
  std::vector<uint8_t> bmp = {'B', 'M', 62, 0, 0, 0, 0, 0, 0, 0, 54, 0, 0, 0,  // file header
                              40, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 1, 0, 24, 0,  // info header
                              0,  0, 0, 0, 8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,  0,
                              0,  0, 0, 0, 0, 0, 0, 0,
                              1,  2, 3, 0,   // bottom row: B=1 G=2 R=3
                              4,  5, 6, 0};  // top row
  expect_tensor<uint8_t>(decoder(bmp).run_tensor(), {2, 1, 3}, {6, 5, 4, 3, 2, 1});
}

TEST(ImageDecoder, CorruptOrUnknownBytesDecodeToAnEmptyImage) {
  expect_tensor<uint8_t>(decoder(bytes("P6\n2 1\n255\n\x01")).run_tensor(), {0, 0, 3}, {});
  expect_tensor<uint8_t>(decoder(bytes("not an image")).run_tensor(), {0, 0, 3}, {});
  expect_tensor<uint8_t>(decoder({}, "Grayscale").run_tensor(), {0, 0, 1}, {});
}

TEST(ImageDecoder, WebpIsUnsupported) {
  EXPECT_THROW_KIND(decoder(bytes("RIFF\x10\0\0\0WEBPVP8 "s)).run(), ErrorKind::Unsupported,
                    "WebP");
}

TEST(ImageDecoder, UnknownPixelFormatIsInvalid) {
  EXPECT_THROW_KIND(decoder(bytes(kPpm), "RGBA").run(), ErrorKind::InvalidModel, "pixel_format");
}

}  // namespace
}  // namespace tandem::testing
