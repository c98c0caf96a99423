// Tensor bytes stored beside the model (data_location EXTERNAL), mapped rather than read.
#pragma once

#include "frontend/onnx/mapped_file.h"
#include "tandem/error.h"

#include <onnx/onnx_pb.h>

#include <cstddef>
#include <filesystem>
#include <map>
#include <memory>
#include <string>

namespace tandem::onnx_frontend {

/// The external data files of one model. Each file is mapped once and shared by every tensor in it;
/// the mapping lives as long as any of those tensors.
class ExternalData {
 public:
  /// Locations are resolved relative to the folder of model_path; errors name model_path.
  explicit ExternalData(std::string model_path, ErrorKind kind = ErrorKind::InvalidModel);

  struct Bytes {
    std::byte* data = nullptr;
    size_t size = 0;
    std::shared_ptr<const void> owner;
  };
  /// The bytes a tensor's external_data entries (location, offset, length) point at; without a
  /// length, the needed bytes from the offset. Throws when the location leaves the model's folder,
  /// the file is missing, or the range is outside it. label names the tensor ("tensor 'W'").
  Bytes read(const onnx::TensorProto& proto, size_t needed, const std::string& label);

 private:
  std::shared_ptr<MappedFile> map(const std::string& location, const std::string& label);
  Error error(const std::string& label, const std::string& what) const;

  std::string model_path_;
  std::filesystem::path folder_;
  ErrorKind kind_;
  std::map<std::string, std::shared_ptr<MappedFile>> files_;
};

}  // namespace tandem::onnx_frontend
