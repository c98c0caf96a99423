// What every device shares: its diagnosis, the bytes a value takes in its memory, and the default
// no to saving and loading executables.
#include "devices/device.h"

#include "tandem/tensor.h"

#include <fmt/format.h>

#include <algorithm>

namespace tandem::devices {

void Diagnosis::check(std::string what, bool ok, std::string found, std::string fix) {
  checks_.push_back(Check{std::move(what), ok, std::move(found), std::move(fix)});
}

bool Diagnosis::available() const {
  return std::all_of(checks_.begin(), checks_.end(), [](const Check& c) { return c.ok; });
}

std::string Diagnosis::summary() const {
  for (const Check& c : checks_)
    if (!c.ok) return fmt::format("{}: unavailable: {}; {}", device_, c.found, c.fix);
  return fmt::format("{}: available", device_);
}

size_t Device::device_bytes(const ValueType& type) const {
  if (!type.is_tensor() || !type.shape.is_static()) return 0;
  const auto count = size_t(shape_size(type.shape.to_shape()));
  const ElementType stored = storage_type(type.element_type);
  const int bits = packed_bits(stored);
  return bits < 8 ? (count * bits + 7) / 8 : count * element_size(stored);
}

std::string Device::save(const Executable&) const {
  throw Error(ErrorKind::Unsupported, fmt::format("{}: cannot save a compiled executable", info().name));
}

std::unique_ptr<Executable> Device::load(std::string_view, const CompileOptions&) const {
  throw Error(ErrorKind::Unsupported, fmt::format("{}: cannot load a compiled executable", info().name));
}

}  // namespace tandem::devices
