// Bytes of compiled-model blobs: the runtime's header and layout, and device payloads made of
// several parts (the VNPU's). Little-endian fixed-width integers and length-prefixed strings.
// Reading checks every length against the bytes left, so bad bytes are an error, never a read past
// the end or an allocation a corrupt count asked for.
#pragma once

#include <fmt/format.h>

#include <bit>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "tandem/error.h"

namespace tandem::devices {

static_assert(std::endian::native == std::endian::little, "blobs are written in host byte order");

class BlobWriter {
 public:
  void u8(uint8_t v) { fixed(v); }
  void u32(uint32_t v) { fixed(v); }
  void u64(uint64_t v) { fixed(v); }
  void i64(int64_t v) { fixed(v); }
  /// Length-prefixed.
  void bytes(std::string_view b) {
    u64(b.size());
    out_.append(b);
  }
  /// As they are, no length: for fixed-size fields such as the magic.
  void raw(std::string_view b) { out_.append(b); }
  std::string& buffer() { return out_; }
  std::string take() { return std::move(out_); }

 private:
  template <class T>
  void fixed(T v) {
    char b[sizeof(T)];
    std::memcpy(b, &v, sizeof(T));
    out_.append(b, sizeof(T));
  }
  std::string out_;
};

class BlobReader {
 public:
  /// `where` prefixes messages: "import_model", "VNPU payload".
  BlobReader(std::string_view bytes, std::string where) : bytes_(bytes), where_(std::move(where)) {}

  uint8_t u8() { return fixed<uint8_t>(); }
  uint32_t u32() { return fixed<uint32_t>(); }
  uint64_t u64() { return fixed<uint64_t>(); }
  int64_t i64() { return fixed<int64_t>(); }
  /// Length-prefixed; a view into the bytes read.
  std::string_view bytes() { return raw(u64()); }
  std::string string() { return std::string(bytes()); }
  std::string_view raw(uint64_t size) {
    if (size > left())
      throw error(fmt::format("the blob is truncated: {} bytes needed, {} left", size, left()));
    std::string_view part = bytes_.substr(offset_, size_t(size));
    offset_ += size_t(size);
    return part;
  }
  /// A count of items that each take at least `min_item_bytes`: one the bytes left cannot hold is
  /// an error, so a corrupt count never sizes an allocation.
  size_t count(size_t min_item_bytes = 1) {
    const uint64_t n = u64();
    if (min_item_bytes > 0 && n > left() / min_item_bytes)
      throw error(fmt::format(
          "the blob is corrupt: a count of {} items cannot fit in the {} bytes left", n, left()));
    return size_t(n);
  }
  size_t left() const { return bytes_.size() - offset_; }
  size_t offset() const { return offset_; }
  /// InvalidArgument "<where>: <what> (at byte N)".
  Error error(const std::string& what) const {
    return Error(ErrorKind::InvalidArgument,
                 fmt::format("{}: {} (at byte {})", where_, what, offset_));
  }

 private:
  template <class T>
  T fixed() {
    std::string_view b = raw(sizeof(T));
    T v;
    std::memcpy(&v, b.data(), sizeof(T));
    return v;
  }
  std::string_view bytes_;
  size_t offset_ = 0;
  std::string where_;
};

}  // namespace tandem::devices
