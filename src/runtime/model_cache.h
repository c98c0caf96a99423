// The model cache (CACHE_DIR): compiled models kept as blobs, one file per model, device,
// precision and shapes.
#pragma once

#include <memory>
#include <string>

#include "runtime/compile_config.h"
#include "runtime/compiled_state.h"

namespace tandem::runtime {

/// The file in `config.cache_dir` that a compile of `model` for `device` is kept in:
/// "<dir>/<16 hex digits>.blob", the digits hashing the model's content (its input shapes
/// included), the device string and the devices it resolves to now, the precision, the fallback
/// settings, and tandem's and oneDNN's versions.
std::string cache_file(const ir::Model& model, const std::string& device,
                       const CompileConfig& config);

/// compile_model with CACHE_DIR: loads the blob of cache_file if it is there and valid, else
/// compiles and writes it (to a temporary file renamed into place, so a reader never sees half a
/// blob). A blob that does not load (corrupt, another version) is replaced. Throws what compiling
/// throws, and InvalidArgument when the folder cannot be created or written.
std::shared_ptr<const CompiledState> compile_cached(std::shared_ptr<const ir::Model> model,
                                                    const std::string& device,
                                                    const AnyMap& properties,
                                                    const CompileConfig& config);

}  // namespace tandem::runtime
