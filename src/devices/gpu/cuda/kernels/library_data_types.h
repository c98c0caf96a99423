// The float storage types as the GPU libraries name them: cuDNN's for convolutions and pools,
// CUDA's (cuBLAS, cuBLASLt) for matrix products.
#pragma once

#include <cudnn.h>
#include <fmt/format.h>
#include <library_types.h>

#include <string_view>

#include "tandem/element_type.h"
#include "tandem/error.h"

namespace tandem::gpu {

/// F16 and BF16 as themselves, anything else as f32 (the judges admit no other float).
inline cudnnDataType_t cudnn_type(ElementType type) {
  switch (type) {
    case ElementType::F16:
      return CUDNN_DATA_HALF;
    case ElementType::BF16:
      return CUDNN_DATA_BFLOAT16;
    default:
      return CUDNN_DATA_FLOAT;
  }
}

/// F32, F16 and BF16; any other type is Unsupported, with `unsupported` formatted with its name.
inline cudaDataType_t cuda_type(ElementType type,
                                fmt::format_string<std::string_view> unsupported) {
  switch (type) {
    case ElementType::F32:
      return CUDA_R_32F;
    case ElementType::F16:
      return CUDA_R_16F;
    case ElementType::BF16:
      return CUDA_R_16BF;
    default:
      throw Error(ErrorKind::Unsupported, fmt::format(unsupported, to_string(type)));
  }
}

}  // namespace tandem::gpu
