// ImageDecoder (opset 20): decodes an encoded image (a 1-D uint8 tensor of the file's bytes) into
// uint8 pixels of shape [H, W, C], C = 3 for RGB and BGR, 1 for Grayscale.
//
// BMP, PNM and baseline TIFF are read here; JPEG, PNG, JPEG 2000 and WebP through libjpeg(-turbo),
// libpng, OpenJPEG and libwebp when the build links them (TANDEM_WITH_JPEG, TANDEM_WITH_PNG,
// TANDEM_WITH_OPENJPEG, TANDEM_WITH_WEBP). Formats the build lacks are refused as unsupported;
// bytes of no known format, or corrupt ones, decode to an empty [0, 0, C] image, as the spec asks.
#include <algorithm>
#include <array>
#include <cctype>
#include <csetjmp>
#include <cstdint>
#include <cstring>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "ops/op.h"

#if TANDEM_WITH_JPEG
#include <cstdio>  // jpeglib.h needs FILE
#include <jpeglib.h>
#endif
#if TANDEM_WITH_PNG
#include <png.h>
#endif
#if TANDEM_WITH_OPENJPEG
#include <openjpeg.h>
#endif
#if TANDEM_WITH_WEBP
#include <webp/decode.h>
#endif

namespace tandem::ops {
namespace {

// Pixels as 8-bit RGB, row-major; every format is decoded to this, then converted.
struct Image {
  int64_t height = 0, width = 0;
  std::vector<uint8_t> rgb;
};

// Whatever the failure, the image is empty: the caller turns it into a [0, 0, C] output.
using Decoded = std::optional<Image>;

enum class PixelFormat { Rgb, Bgr, Grayscale };

PixelFormat pixel_format(const NodeContext& ctx) {
  const std::string format = ctx.attr<std::string>("pixel_format", "RGB");
  if (format == "RGB") return PixelFormat::Rgb;
  if (format == "BGR") return PixelFormat::Bgr;
  if (format == "Grayscale") return PixelFormat::Grayscale;
  throw ctx.error(ErrorKind::InvalidModel, "pixel_format must be RGB, BGR or Grayscale, got '{}'",
                  format);
}

// Guards the allocation of a decoded image against sizes a header can claim but no file backs.
constexpr int64_t kMaxPixels = int64_t(1) << 28;

bool plausible_size(int64_t height, int64_t width) {
  return height > 0 && width > 0 && height <= kMaxPixels / width;
}

uint32_t read_le(std::span<const uint8_t> d, size_t at, int bytes) {
  uint32_t v = 0;
  for (int k = bytes - 1; k >= 0; --k) v = (v << 8) | d[at + size_t(k)];
  return v;
}

uint32_t read_be(std::span<const uint8_t> d, size_t at, int bytes) {
  uint32_t v = 0;
  for (int k = 0; k < bytes; ++k) v = (v << 8) | d[at + size_t(k)];
  return v;
}

// BMP with a BITMAPINFOHEADER or later: uncompressed 24- and 32-bit, and 8-bit paletted.
Decoded decode_bmp(std::span<const uint8_t> d) {
  if (d.size() < 54) return std::nullopt;
  const uint32_t data_offset = read_le(d, 10, 4), header_size = read_le(d, 14, 4);
  const int32_t width = int32_t(read_le(d, 18, 4)), height = int32_t(read_le(d, 22, 4));
  const uint32_t bits = read_le(d, 28, 2), compression = read_le(d, 30, 4);
  if (header_size < 40 || compression != 0 || (bits != 8 && bits != 24 && bits != 32))
    return std::nullopt;
  const bool top_down = height < 0;
  const int64_t h = top_down ? -int64_t(height) : height, w = width;
  if (!plausible_size(h, w)) return std::nullopt;
  const int64_t stride = (w * bits + 31) / 32 * 4;
  if (data_offset > d.size() || int64_t(d.size() - data_offset) < stride * h) return std::nullopt;

  std::vector<std::array<uint8_t, 3>> palette;
  if (bits == 8) {
    uint32_t colors = read_le(d, 46, 4);
    if (colors == 0 || colors > 256) colors = 256;
    const size_t at = 14 + size_t(header_size);
    if (at + size_t(colors) * 4 > data_offset) return std::nullopt;
    for (uint32_t c = 0; c < colors; ++c)
      palette.push_back({d[at + 4 * c + 2], d[at + 4 * c + 1], d[at + 4 * c]});
  }
  Image image{h, w, std::vector<uint8_t>(size_t(h * w * 3))};
  for (int64_t y = 0; y < h; ++y) {
    const uint8_t* row = d.data() + data_offset + (top_down ? y : h - 1 - y) * stride;
    uint8_t* out = image.rgb.data() + y * w * 3;
    for (int64_t x = 0; x < w; ++x, out += 3) {
      if (bits == 8) {
        if (row[x] >= palette.size()) return std::nullopt;
        std::memcpy(out, palette[row[x]].data(), 3);
        continue;
      }
      const uint8_t* p = row + x * (bits / 8);
      out[0] = p[2], out[1] = p[1], out[2] = p[0];
    }
  }
  return image;
}

// Binary PNM: P5 (grey) and P6 (RGB) with a maximum value of 255.
Decoded decode_pnm(std::span<const uint8_t> d) {
  const bool rgb = d[1] == '6';
  size_t at = 2;
  int64_t fields[3] = {0, 0, 0};  // width, height, maximum value
  for (int64_t& field : fields) {
    while (at < d.size() && (std::isspace(d[at]) || d[at] == '#')) {
      if (d[at] == '#')
        while (at < d.size() && d[at] != '\n') ++at;
      else
        ++at;
    }
    if (at >= d.size() || !std::isdigit(d[at])) return std::nullopt;
    for (; at < d.size() && std::isdigit(d[at]) && field < kMaxPixels; ++at)
      field = field * 10 + (d[at] - '0');
  }
  ++at;  // the single whitespace before the pixels
  const auto [w, h, max_value] = fields;
  if (max_value != 255 || !plausible_size(h, w)) return std::nullopt;
  const int64_t channels = rgb ? 3 : 1;
  if (at > d.size() || int64_t(d.size() - at) < h * w * channels) return std::nullopt;
  Image image{h, w, std::vector<uint8_t>(size_t(h * w * 3))};
  for (int64_t i = 0; i < h * w; ++i)
    for (int64_t c = 0; c < 3; ++c) image.rgb[i * 3 + c] = d[at + i * channels + (rgb ? c : 0)];
  return image;
}

// Baseline TIFF: uncompressed, 8 bits per sample, chunky, grey (1 or 2 samples) or RGB (3 or 4;
// the extra sample, alpha, is dropped), in strips.
Decoded decode_tiff(std::span<const uint8_t> d) {
  if (d.size() < 8) return std::nullopt;
  const bool little = d[0] == 'I';
  auto read = [&](size_t at, int bytes) -> std::optional<uint32_t> {
    if (at + size_t(bytes) > d.size()) return std::nullopt;
    return little ? read_le(d, at, bytes) : read_be(d, at, bytes);
  };
  const size_t ifd = *read(4, 4);
  const auto count = read(ifd, 2);
  if (!count) return std::nullopt;
  uint32_t width = 0, height = 0, compression = 1, photometric = 2, samples = 1, planar = 1;
  uint32_t rows_per_strip = UINT32_MAX;
  std::vector<uint32_t> bits_per_sample, strip_offsets, strip_sizes;
  for (uint32_t e = 0; e < *count; ++e) {
    const size_t entry = ifd + 2 + 12 * size_t(e);
    const auto tag = read(entry, 2), type = read(entry + 2, 2), n = read(entry + 4, 4);
    if (!tag || !type || !n) return std::nullopt;
    const int size = *type == 3 ? 2 : *type == 4 ? 4 : *type == 1 ? 1 : 0;
    if (size == 0 || *n > (1u << 24)) continue;  // a tag of a type baseline images do not need
    const size_t values = size_t(*n) * size_t(size) <= 4 ? entry + 8 : *read(entry + 8, 4);
    std::vector<uint32_t> v(*n);
    for (uint32_t k = 0; k < *n; ++k) {
      const auto value = read(values + size_t(k) * size_t(size), size);
      if (!value) return std::nullopt;
      v[k] = *value;
    }
    if (v.empty()) continue;
    switch (*tag) {
      case 256: width = v[0]; break;
      case 257: height = v[0]; break;
      case 258: bits_per_sample = v; break;
      case 259: compression = v[0]; break;
      case 262: photometric = v[0]; break;
      case 273: strip_offsets = v; break;
      case 277: samples = v[0]; break;
      case 278: rows_per_strip = v[0]; break;
      case 279: strip_sizes = v; break;
      case 284: planar = v[0]; break;
      default: break;
    }
  }
  for (uint32_t b : bits_per_sample)
    if (b != 8) return std::nullopt;
  const bool rgb = photometric == 2 && (samples == 3 || samples == 4);
  const bool grey = photometric == 1 && (samples == 1 || samples == 2);
  if (compression != 1 || planar != 1 || !(rgb || grey) || !plausible_size(height, width) ||
      strip_offsets.empty() || strip_offsets.size() != strip_sizes.size())
    return std::nullopt;
  // The strips, end to end, hold the rows.
  std::vector<uint8_t> pixels;
  const size_t needed = size_t(height) * width * samples;
  for (size_t s = 0; s < strip_offsets.size() && pixels.size() < needed; ++s) {
    if (strip_offsets[s] > d.size() || strip_sizes[s] > d.size() - strip_offsets[s])
      return std::nullopt;
    pixels.insert(pixels.end(), d.begin() + strip_offsets[s],
                  d.begin() + strip_offsets[s] + strip_sizes[s]);
  }
  (void)rows_per_strip;
  if (pixels.size() < needed) return std::nullopt;
  Image image{height, width, std::vector<uint8_t>(size_t(height) * width * 3)};
  for (size_t i = 0; i < size_t(height) * width; ++i)
    for (size_t c = 0; c < 3; ++c) image.rgb[i * 3 + c] = pixels[i * samples + (rgb ? c : 0)];
  return image;
}

#if TANDEM_WITH_JPEG
struct JpegError {
  jpeg_error_mgr manager;
  std::jmp_buf jump;
};

// libjpeg reports errors by calling error_exit, which must not return: it jumps back.
Decoded decode_jpeg(std::span<const uint8_t> d) {
  jpeg_decompress_struct info;
  JpegError error;
  info.err = jpeg_std_error(&error.manager);
  error.manager.error_exit = [](j_common_ptr c) {
    std::longjmp(reinterpret_cast<JpegError*>(c->err)->jump, 1);
  };
  error.manager.output_message = [](j_common_ptr) {};
  // Declared before setjmp and not modified after it, so longjmp leaves them valid.
  Image* volatile image = new Image();
  if (setjmp(error.jump)) {
    jpeg_destroy_decompress(&info);
    delete image;
    return std::nullopt;
  }
  jpeg_create_decompress(&info);
  jpeg_mem_src(&info, d.data(), static_cast<unsigned long>(d.size()));
  jpeg_read_header(&info, TRUE);
  info.out_color_space = JCS_RGB;  // greyscale sources are replicated, CMYK ones converted
  if (!plausible_size(info.image_height, info.image_width)) {
    jpeg_destroy_decompress(&info);
    delete image;
    return std::nullopt;
  }
  jpeg_start_decompress(&info);
  image->height = info.output_height;
  image->width = info.output_width;
  image->rgb.resize(size_t(image->height * image->width * 3));
  while (info.output_scanline < info.output_height) {
    JSAMPROW row = image->rgb.data() + size_t(info.output_scanline) * info.output_width * 3;
    jpeg_read_scanlines(&info, &row, 1);
  }
  jpeg_finish_decompress(&info);
  jpeg_destroy_decompress(&info);
  Image result = std::move(*image);
  delete image;
  return result;
}
#endif

#if TANDEM_WITH_PNG
// Every PNG is expanded to 8-bit RGB by libpng's simplified API: palettes and low bit depths
// expanded, grey replicated, alpha composed on black. It takes 16-bit samples as linear light and
// encodes them to sRGB, where Pillow would keep their high bytes.
Decoded decode_png(std::span<const uint8_t> d) {
  png_image image;
  std::memset(&image, 0, sizeof(image));
  image.version = PNG_IMAGE_VERSION;
  if (!png_image_begin_read_from_memory(&image, d.data(), d.size())) return std::nullopt;
  image.format = PNG_FORMAT_RGB;
  if (!plausible_size(image.height, image.width)) {
    png_image_free(&image);
    return std::nullopt;
  }
  Image out{image.height, image.width, std::vector<uint8_t>(PNG_IMAGE_SIZE(image))};
  if (!png_image_finish_read(&image, nullptr, out.rgb.data(), 0, nullptr)) {
    png_image_free(&image);
    return std::nullopt;
  }
  return out;
}
#endif

#if TANDEM_WITH_OPENJPEG
// OpenJPEG reads through a stream of callbacks; this one walks the bytes in memory.
struct MemoryStream {
  std::span<const uint8_t> bytes;
  size_t at = 0;
};

opj_stream_t* memory_stream(MemoryStream& m) {
  opj_stream_t* stream = opj_stream_create(OPJ_J2K_STREAM_CHUNK_SIZE, OPJ_TRUE);
  opj_stream_set_user_data(stream, &m, nullptr);
  opj_stream_set_user_data_length(stream, m.bytes.size());
  opj_stream_set_read_function(stream, [](void* buffer, OPJ_SIZE_T size, void* data) -> OPJ_SIZE_T {
    auto& s = *static_cast<MemoryStream*>(data);
    if (s.at >= s.bytes.size()) return OPJ_SIZE_T(-1);  // OpenJPEG's end-of-stream
    const size_t n = std::min(size, s.bytes.size() - s.at);
    std::memcpy(buffer, s.bytes.data() + s.at, n);
    s.at += n;
    return n;
  });
  opj_stream_set_skip_function(stream, [](OPJ_OFF_T n, void* data) -> OPJ_OFF_T {
    auto& s = *static_cast<MemoryStream*>(data);
    const OPJ_OFF_T skipped =
        std::clamp<OPJ_OFF_T>(n, -OPJ_OFF_T(s.at), OPJ_OFF_T(s.bytes.size() - s.at));
    s.at = size_t(OPJ_OFF_T(s.at) + skipped);
    return skipped;
  });
  opj_stream_set_seek_function(stream, [](OPJ_OFF_T to, void* data) -> OPJ_BOOL {
    auto& s = *static_cast<MemoryStream*>(data);
    if (to < 0 || size_t(to) > s.bytes.size()) return OPJ_FALSE;
    s.at = size_t(to);
    return OPJ_TRUE;
  });
  return stream;
}

// One sample scaled to 8 bits, as Pillow does: signed samples shifted to unsigned, wider ones
// keep their high bits.
uint8_t to_byte(int32_t v, const opj_image_comp_t& c) {
  if (c.sgnd) v += 1 << (c.prec - 1);
  if (c.prec > 8) v >>= c.prec - 8;
  if (c.prec < 8) v = v * 255 / ((1 << c.prec) - 1);
  return uint8_t(std::clamp(v, 0, 255));
}

// JPEG 2000, as a JP2 file or a bare codestream: grey (plus alpha) or RGB (plus alpha) components
// of one size; the alpha is dropped.
Decoded decode_jpeg2000(std::span<const uint8_t> d, bool jp2) {
  opj_codec_t* codec = opj_create_decompress(jp2 ? OPJ_CODEC_JP2 : OPJ_CODEC_J2K);
  auto quiet = [](const char*, void*) {};
  opj_set_error_handler(codec, quiet, nullptr);
  opj_set_warning_handler(codec, quiet, nullptr);
  opj_set_info_handler(codec, quiet, nullptr);
  opj_dparameters_t parameters;
  opj_set_default_decoder_parameters(&parameters);
  MemoryStream memory{d};
  opj_stream_t* stream = memory_stream(memory);
  opj_image_t* image = nullptr;
  Decoded result;
  if (opj_setup_decoder(codec, &parameters) && opj_read_header(stream, codec, &image) &&
      opj_decode(codec, stream, image) && opj_end_decompress(codec, stream) &&
      image->numcomps > 0) {
    const opj_image_comp_t* c = image->comps;
    const int64_t h = c[0].h, w = c[0].w;
    const bool rgb = image->numcomps >= 3;
    bool uniform = plausible_size(h, w);
    for (OPJ_UINT32 k = 0; k < image->numcomps; ++k)
      uniform = uniform && c[k].w == c[0].w && c[k].h == c[0].h && c[k].data && c[k].prec >= 1 &&
                c[k].prec <= 16;
    if (uniform) {
      Image out{h, w, std::vector<uint8_t>(size_t(h * w * 3))};
      for (int64_t i = 0; i < h * w; ++i)
        for (int k = 0; k < 3; ++k) {
          const opj_image_comp_t& comp = c[rgb ? k : 0];
          out.rgb[size_t(i * 3 + k)] = to_byte(comp.data[i], comp);
        }
      result = std::move(out);
    }
  }
  if (image) opj_image_destroy(image);
  opj_stream_destroy(stream);
  opj_destroy_codec(codec);
  return result;
}
#endif

#if TANDEM_WITH_WEBP
// WebP, lossy or lossless, decoded to RGB (alpha dropped) by libwebp.
Decoded decode_webp(std::span<const uint8_t> d) {
  int width = 0, height = 0;
  if (!WebPGetInfo(d.data(), d.size(), &width, &height) || !plausible_size(height, width))
    return std::nullopt;
  Image image{height, width, std::vector<uint8_t>(size_t(height) * size_t(width) * 3)};
  if (!WebPDecodeRGBInto(d.data(), d.size(), image.rgb.data(), image.rgb.size(), width * 3))
    return std::nullopt;
  return image;
}
#endif

bool starts_with(std::span<const uint8_t> d, std::string_view magic) {
  return d.size() >= magic.size() && std::memcmp(d.data(), magic.data(), magic.size()) == 0;
}

Decoded decode(const NodeContext& ctx, std::span<const uint8_t> d) {
  auto missing = [&](const char* format) {
    return ctx.error(ErrorKind::Unsupported, "decoding {} images is not built into tandem", format);
  };
  if (starts_with(d, "BM")) return decode_bmp(d);
  if (starts_with(d, "P5") || starts_with(d, "P6")) return decode_pnm(d);
  if (starts_with(d, "II*\0") || starts_with(d, "MM\0*")) return decode_tiff(d);
  if (starts_with(d, "\xFF\xD8\xFF")) {
#if TANDEM_WITH_JPEG
    return decode_jpeg(d);
#else
    throw missing("JPEG");
#endif
  }
  if (starts_with(d, "\x89PNG\r\n\x1A\n")) {
#if TANDEM_WITH_PNG
    return decode_png(d);
#else
    throw missing("PNG");
#endif
  }
  if (starts_with(d, "P1") || starts_with(d, "P2") || starts_with(d, "P3") ||
      starts_with(d, "P4"))
    throw missing("ASCII and bitmap PNM");
  if (starts_with(d, "RIFF") && d.size() >= 12 && std::memcmp(d.data() + 8, "WEBP", 4) == 0) {
#if TANDEM_WITH_WEBP
    return decode_webp(d);
#else
    throw missing("WebP");
#endif
  }
  const bool jp2 = starts_with(d, std::string_view("\0\0\0\x0CjP  ", 8));
  if (jp2 || starts_with(d, "\xFF\x4F\xFF\x51")) {
#if TANDEM_WITH_OPENJPEG
    return decode_jpeg2000(d, jp2);
#else
    throw missing("JPEG 2000");
#endif
  }
  return std::nullopt;
}

void infer(InferContext& ctx) {
  const PixelFormat format = pixel_format(ctx);
  if (ElementType t = ctx.input_type(0); t != ElementType::Undefined && t != ElementType::U8)
    throw ctx.error(ErrorKind::InvalidModel, "input must be u8, got {}", to_string(t));
  if (const PartialShape& s = ctx.input_shape(0); s.rank_known() && s.rank() != 1)
    throw ctx.error(ErrorKind::InvalidModel, "input must be 1-D, got shape {}", to_string(s));
  // Height and width are known only once the image is decoded.
  const int64_t channels = format == PixelFormat::Grayscale ? 1 : 3;
  ctx.set_output(0, ElementType::U8, PartialShape({Dimension(), Dimension(), Dimension(channels)}));
}

void reference(KernelContext& ctx) {
  const PixelFormat format = pixel_format(ctx);
  const Tensor& encoded = ctx.input(0);
  if (encoded.rank() != 1)
    throw ctx.error(ErrorKind::InvalidArgument, "input must be 1-D, got shape {}",
                    to_string(encoded.shape()));
  const Image image = decode(ctx, encoded.span<const uint8_t>()).value_or(Image{});
  const int64_t pixels = image.height * image.width;
  if (format == PixelFormat::Grayscale) {
    auto y = ctx.allocate_output(0, ElementType::U8, {image.height, image.width, 1}).span<uint8_t>();
    // ITU-R 601-2 luma in 16-bit fixed point, as Pillow's convert("L").
    for (int64_t i = 0; i < pixels; ++i) {
      const uint8_t* p = &image.rgb[size_t(i * 3)];
      y[i] = uint8_t((p[0] * 19595u + p[1] * 38470u + p[2] * 7471u + 0x8000u) >> 16);
    }
    return;
  }
  auto y = ctx.allocate_output(0, ElementType::U8, {image.height, image.width, 3}).span<uint8_t>();
  const bool bgr = format == PixelFormat::Bgr;
  for (int64_t i = 0; i < pixels; ++i)
    for (int64_t c = 0; c < 3; ++c) y[i * 3 + c] = image.rgb[size_t(i * 3 + (bgr ? 2 - c : c))];
}

}  // namespace

const OpDef& image_decoder_op() {
  static const OpDef def{
      .name = "ImageDecoder", .versions = {20}, .infer = infer, .reference = reference};
  return def;
}

}  // namespace tandem::ops
