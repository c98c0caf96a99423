// The public file IO of include/tandem/io.h: .npy through runtime/npy, .pb through the ONNX frontend.
#include "tandem/io.h"

#include <algorithm>
#include <filesystem>

#include "frontend/onnx/value_proto.h"
#include "runtime/npy.h"

namespace tandem {

namespace {

Value read_by_extension(const std::string& path, const ValueType& declared) {
  std::string ext = std::filesystem::path(path).extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return char(std::tolower(c)); });
  if (ext == ".npy") return runtime::read_npy(path);
  if (ext == ".pb")
    return onnx_frontend::read_value_file(path, declared.kind == ValueType::Kind::Unknown ? nullptr : &declared);
  throw Error(ErrorKind::InvalidArgument, path + ": unknown file type '" + ext + "'; expected .npy or .pb");
}

}  // namespace

Value load_value(const std::string& path, const ValueType& declared) {
  Value value = read_by_extension(path, declared);
  // numpy has no bfloat16, so files written from it hold the bits as uint16.
  if (declared.is_tensor() && declared.element_type == ElementType::BF16 && value.is_tensor() &&
      value.tensor().element_type() == ElementType::U16) {
    Tensor bits = value.tensor();
    return Tensor::wrap(ElementType::BF16, bits.shape(), bits.data(), std::make_shared<Tensor>(bits));
  }
  // Nor has it the narrow types: ml_dtypes' np.save writes their bytes as '<V1', read as u8.
  if (declared.is_tensor() && is_narrow(declared.element_type) && value.is_tensor() &&
      value.tensor().element_type() == ElementType::U8) {
    Tensor bits = value.tensor();
    return Tensor::wrap(declared.element_type, bits.shape(), bits.data(),
                        std::make_shared<Tensor>(bits));
  }
  return value;
}

void save_npy(const std::string& path, const Tensor& tensor) { runtime::write_npy(path, tensor); }

void save_pb(const std::string& path, const Value& value, bool as_optional, const std::string& name) {
  onnx_frontend::write_value_file(path, value, as_optional, name);
}

}  // namespace tandem
