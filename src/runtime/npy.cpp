// .npy: a magic string, a version, a header that is a Python dict literal, then the raw array.
// https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html
#include "runtime/npy.h"

#include "tandem/shape.h"

#include <fmt/format.h>

#include <algorithm>
#include <bit>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <optional>
#include <variant>
#include <vector>

namespace tandem::runtime {
namespace {
constexpr char kMagic[] = "\x93NUMPY";
constexpr size_t kMagicSize = 6;
// 2^56 elements of at most 16 bytes stays far from overflowing size_t.
constexpr int64_t kMaxElements = int64_t(1) << 56;

struct NpyError {
  const std::string& path;
  template <class... Args>
  Error operator()(fmt::format_string<Args...> format, Args&&... args) const {
    return Error(ErrorKind::InvalidArgument,
                 fmt::format("{}: {}", path, fmt::format(format, std::forward<Args>(args)...)));
  }
};

// The subset of Python literals numpy writes into headers.
struct PyValue {
  std::variant<std::monostate, std::string, int64_t, bool, std::vector<PyValue>> value;
  bool is_list = false;  // a [list] rather than a (tuple): structured dtypes
};

class HeaderParser {
 public:
  HeaderParser(std::string_view text, const NpyError& error) : text_(text), error_(error) {}

  std::vector<std::pair<std::string, PyValue>> parse_dict() {
    std::vector<std::pair<std::string, PyValue>> dict;
    expect('{');
    while (!accept('}')) {
      PyValue key = parse_value();
      if (!std::holds_alternative<std::string>(key.value)) throw error_("npy header: a key is not a string");
      expect(':');
      dict.emplace_back(std::get<std::string>(key.value), parse_value());
      if (!accept(',')) {
        expect('}');
        break;
      }
    }
    skip_space();
    if (pos_ != text_.size()) throw error_("npy header: unexpected text after the dictionary");
    return dict;
  }

 private:
  void skip_space() {
    while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\n' || text_[pos_] == '\t')) ++pos_;
  }
  bool accept(char c) {
    skip_space();
    if (pos_ < text_.size() && text_[pos_] == c) return ++pos_, true;
    return false;
  }
  void expect(char c) {
    if (!accept(c)) throw error_("npy header: expected '{}' at offset {}", c, pos_);
  }
  bool accept_word(std::string_view word) {
    skip_space();
    if (text_.substr(pos_, word.size()) != word) return false;
    pos_ += word.size();
    return true;
  }

  PyValue parse_value(int depth = 0) {
    if (depth > 8) throw error_("npy header: nesting too deep");
    skip_space();
    if (pos_ >= text_.size()) throw error_("npy header: ends early");
    char c = text_[pos_];
    if (c == '\'' || c == '"') return parse_string(c);
    if (c == '(' || c == '[') {
      char close = c == '(' ? ')' : ']';
      ++pos_;
      std::vector<PyValue> items;
      while (!accept(close)) {
        items.push_back(parse_value(depth + 1));
        if (!accept(',')) {
          expect(close);
          break;
        }
      }
      PyValue v{std::move(items)};
      v.is_list = c == '[';
      return v;
    }
    if (accept_word("True")) return PyValue{true};
    if (accept_word("False")) return PyValue{false};
    if (accept_word("None")) return PyValue{};
    if (c == '-' || (c >= '0' && c <= '9')) return parse_int();
    throw error_("npy header: unexpected '{}' at offset {}", c, pos_);
  }

  PyValue parse_string(char quote) {
    ++pos_;
    std::string s;
    while (pos_ < text_.size() && text_[pos_] != quote) {
      if (text_[pos_] == '\\' && pos_ + 1 < text_.size()) ++pos_;
      s += text_[pos_++];
    }
    if (pos_ >= text_.size()) throw error_("npy header: unterminated string");
    ++pos_;
    return PyValue{std::move(s)};
  }

  PyValue parse_int() {
    bool negative = text_[pos_] == '-';
    if (negative) ++pos_;
    int64_t v = 0;
    size_t start = pos_;
    for (; pos_ < text_.size() && text_[pos_] >= '0' && text_[pos_] <= '9'; ++pos_) {
      if (v > (std::numeric_limits<int64_t>::max() - 9) / 10) throw error_("npy header: number too large");
      v = v * 10 + (text_[pos_] - '0');
    }
    if (pos_ == start) throw error_("npy header: malformed number");
    if (pos_ < text_.size() && text_[pos_] == 'L') ++pos_;  // Python 2 longs
    return PyValue{negative ? -v : v};
  }

  std::string_view text_;
  size_t pos_ = 0;
  const NpyError& error_;
};

enum class Order { Little, Big, None };

// A numpy dtype string such as '<f4', '|b1', '<U5', '<V2'.
struct Dtype {
  ElementType type = ElementType::Undefined;
  Order order = Order::None;
  char kind = 0;         // numpy's kind letter
  size_t item_size = 0;  // bytes per element in the file
  size_t swap_unit = 0;  // bytes to reverse for big-endian data (0: none)
};

Dtype parse_dtype(const std::string& descr, const NpyError& error) {
  if (descr.size() < 2) throw error("unsupported dtype '{}'", descr);
  Dtype d;
  size_t i = 0;
  switch (descr[0]) {
    case '<':
    case '=': d.order = Order::Little, i = 1; break;
    case '>': d.order = Order::Big, i = 1; break;
    case '|': i = 1; break;
    default: break;
  }
  d.kind = descr[i++];
  if (d.kind == 'O') throw error("object arrays (dtype 'O') are not supported; save a numeric or 'U' array");
  std::string digits = descr.substr(i);
  if (digits.empty() || digits.size() > 9 || !std::all_of(digits.begin(), digits.end(), ::isdigit))
    throw error("unsupported dtype '{}'", descr);
  size_t n = std::stoul(digits);
  struct Known {
    char kind;
    size_t size;
    ElementType type;
  };
  static constexpr Known kKnown[] = {
      {'b', 1, ElementType::Bool}, {'i', 1, ElementType::I8},
      {'i', 2, ElementType::I16},  {'i', 4, ElementType::I32},
      {'i', 8, ElementType::I64},  {'u', 1, ElementType::U8},
      {'u', 2, ElementType::U16},  {'u', 4, ElementType::U32},
      {'u', 8, ElementType::U64},  {'f', 2, ElementType::F16},
      {'f', 4, ElementType::F32},  {'f', 8, ElementType::F64},
      {'c', 8, ElementType::C64},  {'c', 16, ElementType::C128},
      {'V', 2, ElementType::BF16},  // ml_dtypes' bfloat16 has no dtype string of its own
      // np.save writes '<f1' for ml_dtypes' float8_e5m2 and '<V1' for its other one-byte types
      // (float8, float6, float4, e8m0, int4, int2): those read as their bits, u8, and load_value
      // gives them the declared type.
      {'f', 1, ElementType::F8E5M2},
      {'V', 1, ElementType::U8},
  };
  for (const Known& k : kKnown) {
    if (k.kind != d.kind || k.size != n) continue;
    d.type = k.type;
    d.item_size = n;
    d.swap_unit = d.order == Order::Big && n > 1 ? (d.kind == 'c' ? n / 2 : n) : 0;
    return d;
  }
  if ((d.kind == 'U' || d.kind == 'S') && n > 0 && n < (size_t(1) << 24)) {
    d.type = ElementType::String;
    d.item_size = d.kind == 'U' ? 4 * n : n;
    d.swap_unit = d.kind == 'U' && d.order == Order::Big ? 4 : 0;
    return d;
  }
  throw error("unsupported dtype '{}'", descr);
}

void append_utf8(std::string& out, uint32_t c) {
  if (c < 0x80) {
    out += char(c);
  } else if (c < 0x800) {
    out += char(0xc0 | (c >> 6)), out += char(0x80 | (c & 0x3f));
  } else if (c < 0x10000) {
    out += char(0xe0 | (c >> 12)), out += char(0x80 | ((c >> 6) & 0x3f)), out += char(0x80 | (c & 0x3f));
  } else {
    out += char(0xf0 | (c >> 18)), out += char(0x80 | ((c >> 12) & 0x3f));
    out += char(0x80 | ((c >> 6) & 0x3f)), out += char(0x80 | (c & 0x3f));
  }
}

// Code points of a UTF-8 string; nullopt when it is not valid UTF-8.
std::optional<std::vector<uint32_t>> decode_utf8(const std::string& s) {
  std::vector<uint32_t> out;
  for (size_t i = 0; i < s.size();) {
    auto b = uint8_t(s[i]);
    int extra = b < 0x80 ? 0 : (b >> 5) == 0x6 ? 1 : (b >> 4) == 0xe ? 2 : (b >> 3) == 0x1e ? 3 : -1;
    if (extra < 0 || s.size() - i <= size_t(extra)) return std::nullopt;
    uint32_t c = extra == 0 ? b : b & (0x3f >> extra);
    for (int k = 1; k <= extra; ++k) {
      auto cont = uint8_t(s[i + size_t(k)]);
      if ((cont & 0xc0) != 0x80) return std::nullopt;
      c = (c << 6) | (cont & 0x3f);
    }
    static constexpr uint32_t kMin[] = {0, 0x80, 0x800, 0x10000};
    if (c < kMin[extra] || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff)) return std::nullopt;
    out.push_back(c);
    i += size_t(extra) + 1;
  }
  return out;
}

// Fortran order to C order, on whole elements of item_size bytes.
std::vector<char> fortran_to_c(const std::vector<char>& data, const Shape& shape, size_t item_size) {
  std::vector<char> out(data.size());
  size_t rank = shape.size();
  int64_t count = shape_size(shape);
  std::vector<int64_t> f_stride(rank, 1), index(rank, 0);
  for (size_t k = 1; k < rank; ++k) f_stride[k] = f_stride[k - 1] * shape[k - 1];
  int64_t offset = 0;
  for (int64_t i = 0; i < count; ++i) {
    std::memcpy(out.data() + size_t(i) * item_size, data.data() + size_t(offset) * item_size, item_size);
    for (size_t k = rank; k-- > 0;) {  // the C-order odometer: last axis fastest
      offset += f_stride[k];
      if (++index[k] < shape[k]) break;
      offset -= f_stride[k] * shape[k];
      index[k] = 0;
    }
  }
  return out;
}

void swap_bytes(char* data, size_t bytes, size_t unit) {
  for (size_t i = 0; i + unit <= bytes; i += unit) std::reverse(data + i, data + i + unit);
}

Tensor strings_from(const std::vector<char>& data, const Shape& shape, const Dtype& d,
                    const NpyError& error) {
  Tensor t(ElementType::String, shape);
  auto out = t.span<std::string>();
  for (size_t i = 0; i < out.size(); ++i) {
    const char* item = data.data() + i * d.item_size;
    std::string s;
    if (d.kind == 'S') {
      s.assign(item, d.item_size);
    } else {
      for (size_t k = 0; k < d.item_size / 4; ++k) {
        uint32_t c;
        std::memcpy(&c, item + 4 * k, 4);
        if (c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
          throw error("string element {} holds the invalid code point {:#x}", i, c);
        append_utf8(s, c);
      }
    }
    s.erase(s.find_last_not_of('\0') + 1);  // numpy pads with NULs and strips them on reading
    out[i] = std::move(s);
  }
  return t;
}

struct Header {
  Dtype dtype;
  bool fortran = false;
  Shape shape;
};

Header parse_header(std::string_view text, const NpyError& error) {
  Header h;
  bool has_descr = false, has_shape = false;
  for (auto& [key, value] : HeaderParser(text, error).parse_dict()) {
    if (key == "descr") {
      if (!std::holds_alternative<std::string>(value.value))
        throw error("structured arrays (a list descr) are not supported");
      h.dtype = parse_dtype(std::get<std::string>(value.value), error);
      has_descr = true;
    } else if (key == "fortran_order") {
      if (!std::holds_alternative<bool>(value.value)) throw error("npy header: fortran_order is not a bool");
      h.fortran = std::get<bool>(value.value);
    } else if (key == "shape") {
      const auto* items = std::get_if<std::vector<PyValue>>(&value.value);
      if (!items || value.is_list) throw error("npy header: shape is not a tuple");
      int64_t count = 1;
      for (const PyValue& item : *items) {
        const auto* d = std::get_if<int64_t>(&item.value);
        if (!d || *d < 0) throw error("npy header: shape holds something other than sizes");
        if (*d != 0 && count > kMaxElements / *d) throw error("npy header: shape is too large");
        count *= *d;
        h.shape.push_back(*d);
      }
      has_shape = true;
    }
  }
  if (!has_descr || !has_shape) throw error("npy header lacks '{}'", has_descr ? "shape" : "descr");
  return h;
}
}  // namespace

Tensor read_npy(const std::string& path) {
  NpyError error{path};
  std::ifstream in(path, std::ios::binary);
  if (!in) throw error("cannot open");
  std::error_code ec;
  uint64_t file_size = std::filesystem::file_size(path, ec);
  if (ec) throw error("cannot read its size: {}", ec.message());

  char prefix[12] = {};
  if (file_size < 10 || !in.read(prefix, 10) || std::memcmp(prefix, kMagic, kMagicSize) != 0)
    throw error("not a .npy file (no \\x93NUMPY magic)");
  int major = uint8_t(prefix[6]);
  uint64_t header_len = 0;
  size_t prefix_size = 10;
  if (major == 1) {
    header_len = uint8_t(prefix[8]) | uint64_t(uint8_t(prefix[9])) << 8;
  } else if (major == 2 || major == 3) {
    if (!in.read(prefix + 10, 2)) throw error("the header is truncated");
    prefix_size = 12;
    for (int k = 0; k < 4; ++k) header_len |= uint64_t(uint8_t(prefix[8 + k])) << (8 * k);
  } else {
    throw error("unsupported .npy version {}.{}", major, int(uint8_t(prefix[7])));
  }
  if (header_len > file_size - prefix_size) throw error("the header is truncated");
  std::string header_text(header_len, '\0');
  if (!in.read(header_text.data(), std::streamsize(header_len))) throw error("the header is truncated");
  Header h = parse_header(header_text, error);

  int64_t count = shape_size(h.shape);
  uint64_t needed = uint64_t(count) * h.dtype.item_size;
  uint64_t available = file_size - prefix_size - header_len;
  if (available != needed)
    throw error("holds {} bytes of data, {} of shape {} needs {}", available,
                std::string(to_string(h.dtype.type)), to_string(h.shape), needed);

  bool direct = h.dtype.type != ElementType::String && (!h.fortran || h.shape.size() < 2);
  if (direct) {  // read straight into the tensor's memory
    Tensor t(h.dtype.type, h.shape);
    if (needed && !in.read(static_cast<char*>(t.data()), std::streamsize(needed)))
      throw error("the data is truncated");
    if (h.dtype.swap_unit) swap_bytes(static_cast<char*>(t.data()), needed, h.dtype.swap_unit);
    if (t.element_type() == ElementType::Bool)
      for (auto& b : std::span(static_cast<uint8_t*>(t.data()), size_t(count))) b = b != 0;
    return t;
  }
  std::vector<char> data(needed);
  if (needed && !in.read(data.data(), std::streamsize(needed))) throw error("the data is truncated");
  if (h.dtype.swap_unit) swap_bytes(data.data(), needed, h.dtype.swap_unit);
  if (h.fortran && h.shape.size() >= 2) data = fortran_to_c(data, h.shape, h.dtype.item_size);
  if (h.dtype.type == ElementType::String) return strings_from(data, h.shape, h.dtype, error);
  Tensor t(h.dtype.type, h.shape);
  std::memcpy(t.data(), data.data(), needed);
  if (t.element_type() == ElementType::Bool)
    for (auto& b : std::span(static_cast<uint8_t*>(t.data()), size_t(count))) b = b != 0;
  return t;
}

void write_npy(const std::string& path, const Tensor& tensor) {
  NpyError error{path};
  static_assert(std::endian::native == std::endian::little, "npy data is written in host order");
  static constexpr std::pair<ElementType, const char*> kDescr[] = {
      {ElementType::Bool, "|b1"}, {ElementType::I8, "|i1"},    {ElementType::U8, "|u1"},
      {ElementType::I16, "<i2"},  {ElementType::U16, "<u2"},   {ElementType::I32, "<i4"},
      {ElementType::U32, "<u4"},  {ElementType::I64, "<i8"},   {ElementType::U64, "<u8"},
      {ElementType::F16, "<f2"},  {ElementType::F32, "<f4"},   {ElementType::F64, "<f8"},
      {ElementType::C64, "<c8"},  {ElementType::C128, "<c16"}, {ElementType::BF16, "<V2"},
      // The narrow types as ml_dtypes' np.save writes them, except float8_e5m2, whose '<f1' numpy
      // cannot read back: one byte each, '|V1' (np.load(...).view(ml_dtypes.<type>) restores it).
      {ElementType::F8E4M3FN, "|V1"}, {ElementType::F8E4M3FNUZ, "|V1"}, {ElementType::F8E5M2, "|V1"},
      {ElementType::F8E5M2FNUZ, "|V1"}, {ElementType::U4, "|V1"},       {ElementType::I4, "|V1"},
      {ElementType::F4E2M1, "|V1"},     {ElementType::F8E8M0, "|V1"},   {ElementType::U2, "|V1"},
      {ElementType::I2, "|V1"},         {ElementType::F6E2M3, "|V1"},   {ElementType::F6E3M2, "|V1"},
  };
  std::string descr;
  std::vector<char> strings;  // UTF-32 payload for string tensors
  if (tensor.element_type() == ElementType::String) {
    auto items = tensor.span<std::string>();
    std::vector<std::vector<uint32_t>> decoded;
    size_t width = 1;
    for (size_t i = 0; i < items.size(); ++i) {
      auto code_points = decode_utf8(items[i]);
      if (!code_points) throw error("string element {} is not valid UTF-8, which .npy's 'U' dtype needs", i);
      width = std::max(width, code_points->size());
      decoded.push_back(std::move(*code_points));
    }
    descr = fmt::format("<U{}", width);
    strings.assign(items.size() * width * 4, 0);
    for (size_t i = 0; i < decoded.size(); ++i)
      std::memcpy(strings.data() + i * width * 4, decoded[i].data(), decoded[i].size() * 4);
  } else {
    for (auto [type, name] : kDescr)
      if (type == tensor.element_type()) descr = name;
    if (descr.empty())
      throw error("cannot save a {} tensor as .npy", std::string(to_string(tensor.element_type())));
  }

  std::string shape;
  for (int64_t d : tensor.shape()) shape += fmt::format("{}, ", d);
  if (tensor.rank() > 1)
    shape.resize(shape.size() - 2);
  else if (tensor.rank() == 1)
    shape.pop_back();  // "(3,)"
  std::string header =
      fmt::format("{{'descr': '{}', 'fortran_order': False, 'shape': ({}), }}", descr, shape);
  // The data starts 64-byte aligned: pad with spaces, end with a newline.
  size_t prefix = 10 + header.size() + 64 > 65535 ? 12 : 10;  // version 1.0 has a 16-bit length
  header.append((64 - (prefix + header.size() + 1) % 64) % 64, ' ');
  header += '\n';

  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) throw error("cannot open for writing");
  out.write(kMagic, kMagicSize);
  uint32_t len = uint32_t(header.size());
  char version[2] = {char(prefix == 10 ? 1 : 2), 0};
  out.write(version, 2);
  char len_bytes[4] = {char(len & 0xff), char((len >> 8) & 0xff), char((len >> 16) & 0xff), char(len >> 24)};
  out.write(len_bytes, std::streamsize(prefix - 8));
  out << header;
  if (tensor.element_type() == ElementType::String)
    out.write(strings.data(), std::streamsize(strings.size()));
  else
    out.write(static_cast<const char*>(tensor.data()), std::streamsize(tensor.byte_size()));
  if (!out.flush()) throw error("cannot write");
}

}  // namespace tandem::runtime
