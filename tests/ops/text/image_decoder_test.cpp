// ImageDecoder (opset 20): the formats decoded in tandem itself (BMP, PNM) and through libwebp and
// OpenJPEG, pixel formats, and what happens to bytes it cannot decode.
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

TEST(ImageDecoder, AsciiPnmIsUnsupported) {
  EXPECT_THROW_KIND(decoder(bytes("P3\n1 1\n255\n0 0 0\n")).run(), ErrorKind::Unsupported,
                    "ASCII and bitmap PNM");
}

// A 2x1 image, a red pixel then (10, 200, 30), as Pillow writes it losslessly: WebP (VP8L) and a
// bare JPEG 2000 codestream (reversible wavelet). Skipped where the build lacks the codec.
const std::string kWebp =
    "\x52\x49\x46\x46\x20\x00\x00\x00\x57\x45\x42\x50\x56\x50\x38\x4c\x14\x00\x00\x00\x2f\x01\x00\x00"
    "\x00\x0f\x30\xc8\x5f\xf8\x1f\x8f\xf9\x0f\x2d\x54\x20\xa2\xff\x01"s;
const std::string kJpeg2000 =
    "\xff\x4f\xff\x51\x00\x2f\x00\x00\x00\x00\x00\x02\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00\x00\x00"
    "\x00\x00\x00\x02\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x03\x07\x01\x01\x07\x01\x01"
    "\x07\x01\x01\xff\x52\x00\x0c\x00\x00\x00\x01\x00\x00\x04\x04\x00\x01\xff\x5c\x00\x04\x40\x40\xff"
    "\x64\x00\x25\x00\x01\x43\x72\x65\x61\x74\x65\x64\x20\x62\x79\x20\x4f\x70\x65\x6e\x4a\x50\x45\x47"
    "\x20\x76\x65\x72\x73\x69\x6f\x6e\x20\x32\x2e\x35\x2e\x30\xff\x90\x00\x0a\x00\x00\x00\x00\x00\x20"
    "\x00\x01\xff\x93\xcf\xb4\x0c\x00\x46\x7f\xdf\x80\x18\x05\xb1\x7f\xdf\x80\x18\x05\xef\x9f\xff\xd9"s;

void expect_two_pixels(const std::string& file, const char* codec) {
  try {
    expect_tensor<uint8_t>(decoder(bytes(file)).run_tensor(), {1, 2, 3}, {255, 0, 0, 10, 200, 30});
  } catch (const Error& e) {
    if (e.kind() != ErrorKind::Unsupported) throw;
    GTEST_SKIP() << codec << " is not built in: " << e.what();
  }
}

TEST(ImageDecoder, LosslessWebp) { expect_two_pixels(kWebp, "libwebp"); }

TEST(ImageDecoder, Jpeg2000Codestream) { expect_two_pixels(kJpeg2000, "OpenJPEG"); }

TEST(ImageDecoder, TruncatedWebpAndJpeg2000DecodeToAnEmptyImage) {
  for (const std::string* file : {&kWebp, &kJpeg2000}) {
    try {
      expect_tensor<uint8_t>(decoder(bytes(file->substr(0, 24))).run_tensor(), {0, 0, 3}, {});
    } catch (const Error& e) {
      if (e.kind() != ErrorKind::Unsupported) throw;
    }
  }
}

TEST(ImageDecoder, UnknownPixelFormatIsInvalid) {
  EXPECT_THROW_KIND(decoder(bytes(kPpm), "RGBA").run(), ErrorKind::InvalidModel, "pixel_format");
}

}  // namespace
}  // namespace tandem::testing
