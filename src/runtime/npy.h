// numpy .npy files: versions 1.0, 2.0 and 3.0, the dtypes ONNX tensors use, bfloat16 and the narrow
// types as ml_dtypes writes them ('<V2'; '<V1', '<f1') and unicode strings ('<U').
#pragma once

#include "tandem/tensor.h"

#include <string>

namespace tandem::runtime {

/// Reads a .npy file; Fortran-ordered arrays are transposed to C order, big-endian ones swapped.
/// Throws InvalidArgument "<path>: …" for malformed files and for object or structured arrays.
Tensor read_npy(const std::string& path);

/// Writes version 1.0 (2.0 if the header needs it), little endian, C order; strings as '<U'
/// (they must be valid UTF-8). Throws InvalidArgument when the file cannot be written.
void write_npy(const std::string& path, const Tensor& tensor);

}  // namespace tandem::runtime
