// Compiled-model blobs: what CompiledModel::export_model writes, Core::import_model reads and the
// model cache (CACHE_DIR) keeps. A blob is
//   magic "TANDEM\0\1", u32 format version, u64 XXH64 checksum of all that follows;
//   header: tandem's and oneDNN's versions, the device string asked, the devices used, the
//     model's content hash, its input and output ports, INFERENCE_PRECISION_HINT;
//   layout: the model's path and opsets, values, stages, copies, constants, placement report;
//   one payload per stage, from its device's save().
// Integers are little-endian, strings and payloads length-prefixed (devices/blob_io.h).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/compiled_state.h"
#include "tandem/compiled_model.h"
#include "tandem/properties.h"

namespace tandem::runtime {

inline constexpr std::string_view kBlobMagic = kCompiledModelMagic;
/// Bumped whenever the layout of a blob changes; a blob of another version is refused.
inline constexpr uint32_t kBlobFormatVersion = 2;  // 2: placed nodes say what they were fused into

/// Whether `bytes` start with the blob magic.
bool is_blob(std::string_view bytes);

/// What a blob's header says.
struct BlobHeader {
  uint32_t format_version = 0;
  std::string tandem_version, onednn_version;
  std::string device;  // as compile_model was asked: "VNPU", "HETERO:VNPU,CPU", "AUTO"
  std::vector<std::string> devices;  // those used, in priority order
  uint64_t model_hash = 0;
  std::vector<Port> inputs, outputs;
  std::string precision;  // INFERENCE_PRECISION_HINT
};

/// This build's tandem and oneDNN versions, as a blob records them.
std::string tandem_version();
std::string onednn_version();

/// `state` as a blob. Throws Unsupported when a device it uses cannot save its executable.
std::string write_blob(const CompiledState& state);

/// Reads the header, after checking the magic, the format version and the checksum. Throws
/// InvalidArgument "import_model: …" naming what is wrong.
BlobHeader read_blob_header(std::string_view bytes);

/// A compiled model from a blob, compiling nothing. `properties` are compile_model's; those that
/// shape the compiled code must agree with the blob (INFERENCE_PRECISION_HINT,
/// ALLOW_CPU_FALLBACK=NO with a blob that falls back), the rest (streams, threads, profiling) apply
/// as given. Throws InvalidArgument naming the mismatch: not a blob, truncated or corrupt, another
/// format version or tandem or oneDNN version, a precision other than the blob's; DeviceUnavailable
/// when a device it uses is absent now. Bad bytes never crash.
std::shared_ptr<const CompiledState> read_blob(std::string_view bytes, const AnyMap& properties);

}  // namespace tandem::runtime
