// External data: location/offset/length keys, checked against the model folder and the file size.
#include "frontend/onnx/external_data.h"

#include <fmt/format.h>

#include <charconv>

namespace tandem::onnx_frontend {
namespace fs = std::filesystem;

ExternalData::ExternalData(std::string model_path, ErrorKind kind)
    : model_path_(std::move(model_path)), folder_(fs::path(model_path_).parent_path()), kind_(kind) {}

Error ExternalData::error(const std::string& label, const std::string& what) const {
  return Error(kind_, fmt::format("{}: {}: {}", model_path_, label, what));
}

std::shared_ptr<MappedFile> ExternalData::map(const std::string& location, const std::string& label) {
  // Checked lexically, not through symlinks: model hubs keep files as links into a blob store.
  fs::path relative = fs::path(location).lexically_normal();
  if (location.empty() || relative.is_absolute() || relative.has_root_name() ||
      (!relative.empty() && *relative.begin() == ".."))
    throw error(label, fmt::format("external data location '{}' is outside the model's folder", location));
  std::string path = (folder_ / relative).string();
  auto it = files_.find(path);
  if (it != files_.end()) return it->second;
  std::error_code ec;
  if (!fs::is_regular_file(path, ec))
    throw error(label, fmt::format("external data file '{}' not found", path));
  auto file = MappedFile::open(path, kind_);
  files_.emplace(path, file);
  return file;
}

ExternalData::Bytes ExternalData::read(const onnx::TensorProto& proto, size_t needed,
                                       const std::string& label) {
  std::string location;
  uint64_t offset = 0, length = 0;
  bool has_length = false;
  auto parse_number = [&](const std::string& key, const std::string& text) {
    uint64_t v = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec != std::errc() || end != text.data() + text.size())
      throw error(label, fmt::format("external data {} '{}' is not a number", key, text));
    return v;
  };
  for (const auto& entry : proto.external_data()) {
    if (entry.key() == "location")
      location = entry.value();
    else if (entry.key() == "offset")
      offset = parse_number("offset", entry.value());
    else if (entry.key() == "length")
      length = parse_number("length", entry.value()), has_length = true;
  }
  if (location.empty()) throw error(label, "external data has no location");
  auto file = map(location, label);
  if (offset > file->size())
    throw error(label, fmt::format("external data offset {} is past the end of '{}' ({} bytes)", offset,
                                   file->path(), file->size()));
  if (!has_length) length = needed;
  if (length > file->size() - offset)
    throw error(label, fmt::format("external data range {}+{} is past the end of '{}' ({} bytes)", offset,
                                   length, file->path(), file->size()));
  return Bytes{file->bytes().data() + offset, size_t(length), file};
}

}  // namespace tandem::onnx_frontend
