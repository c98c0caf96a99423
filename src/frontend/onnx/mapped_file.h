// MappedFile: a whole file mapped into memory, so large weights are read without copying them.
#pragma once

#include "tandem/error.h"

#include <cstddef>
#include <memory>
#include <span>
#include <string>

namespace tandem::onnx_frontend {

/// A private (copy-on-write) mapping of a file: writes through it never reach the file. Not
/// copyable; share it through the shared_ptr, which tensors viewing its bytes keep as their owner.
class MappedFile {
 public:
  /// Throws Error(kind, "<path>: <reason>") when the file cannot be opened or mapped.
  static std::shared_ptr<MappedFile> open(const std::string& path, ErrorKind kind);
  ~MappedFile();
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;

  std::span<std::byte> bytes() const { return {data_, size_}; }
  size_t size() const { return size_; }
  const std::string& path() const { return path_; }
  /// Drops the whole pages within [begin, end) from the resident set; reading them again reads
  /// the file. Only for bytes never written through the mapping, whose writes would be lost.
  void release(size_t begin, size_t end) const;

 private:
  MappedFile() = default;

  std::string path_;
  std::byte* data_ = nullptr;
  size_t size_ = 0;
};

}  // namespace tandem::onnx_frontend
