// The model cache: keys, lookups, and blobs written atomically.
#include "runtime/model_cache.h"

#include <fmt/format.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>

#include "runtime/device_selection.h"
#include "runtime/model_blob.h"
#include "runtime/model_hash.h"

namespace tandem::runtime {
namespace {

namespace fs = std::filesystem;

// The whole file, or nothing when it cannot be read (a missing file is a cache miss).
std::optional<std::string> read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream bytes;
  bytes << in.rdbuf();
  if (!in && !in.eof()) return std::nullopt;
  return std::move(bytes).str();
}

void write_atomically(const fs::path& path, const std::string& bytes) {
  std::error_code ec;
  fs::create_directories(path.parent_path(), ec);
  if (ec)
    throw Error(ErrorKind::InvalidArgument,
                fmt::format("compile_model: CACHE_DIR '{}' cannot be created: {}",
                            path.parent_path().string(), ec.message()));
  // Unique per process and call: two compiles of one model never write the same temporary file.
  static std::atomic<uint64_t> serial{0};
  const fs::path temporary = path.string() + fmt::format(".{}.{}.tmp", ::getpid(), serial++);
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), std::streamsize(bytes.size()));
    if (!out.flush()) {
      fs::remove(temporary, ec);
      throw Error(ErrorKind::InvalidArgument,
                  fmt::format("compile_model: CACHE_DIR: cannot write {}", temporary.string()));
    }
  }
  fs::rename(temporary, path, ec);
  if (ec) {
    fs::remove(temporary, ec);
    throw Error(ErrorKind::InvalidArgument,
                fmt::format("compile_model: CACHE_DIR: cannot rename into {}: {}", path.string(),
                            ec.message()));
  }
}

std::string key(uint64_t model, const std::string& device, const CompileConfig& config) {
  Hasher h;
  h.add(model);
  h.add(device);
  // AUTO and accelerators resolve by what is present now: a device that appears gets its own blob.
  for (const devices::Device* d : choose_devices(device, config).devices) h.add(d->info().name);
  h.add(config.precision);
  h.add(uint64_t(config.allow_cpu_fallback));
  h.add(config.device_priorities);
  h.add(tandem_version());
  h.add(onednn_version());
  return fmt::format("{:016x}", h.value());
}

}  // namespace

std::string cache_file(const ir::Model& model, const std::string& device,
                       const CompileConfig& config) {
  return (fs::path(config.cache_dir) / (key(model_hash(model), device, config) + ".blob")).string();
}

std::shared_ptr<const CompiledState> compile_cached(std::shared_ptr<const ir::Model> model,
                                                    const std::string& device,
                                                    const AnyMap& properties,
                                                    const CompileConfig& config) {
  const uint64_t hash = model_hash(*model);
  const fs::path path = fs::path(config.cache_dir) / (key(hash, device, config) + ".blob");
  if (std::optional<std::string> bytes = read_file(path); bytes && is_blob(*bytes)) {
    try {
      BlobHeader header = read_blob_header(*bytes);
      // The key is a hash: the header tells a collision from a hit.
      if (header.model_hash == hash && header.device == device)
        return read_blob(*bytes, properties);
    } catch (const Error&) {
      // Corrupt or stale: compiled again below, and replaced.
    }
  }
  auto state = std::make_shared<const CompiledState>(std::move(model), device, config);
  write_atomically(path, write_blob(*state));
  return state;
}

}  // namespace tandem::runtime
