// A GPU executable as the model cache keeps it (Device::save and load): its subgraph as ONNX and
// the choices its kernels made at compile time by timing them on the GPU (a convolution's
// algorithm), so that loading it on the same GPU compiles without timing anything again. Plain
// C++, so that its format is tested in every build.
#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <string_view>

namespace tandem::gpu {

struct SavedExecutable {
  std::string subgraph;                   // the subgraph as compiled, as ONNX
  std::map<size_t, std::string> choices;  // by the step of the compiled plan that made them
};

std::string write_saved_executable(const SavedExecutable& saved);
/// Throws InvalidArgument saying what is wrong where `payload` is not what write_saved_executable
/// wrote.
SavedExecutable read_saved_executable(std::string_view payload);

}  // namespace tandem::gpu
