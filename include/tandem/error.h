// The one exception type tandem throws, with a kind a caller can branch on.
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>

namespace tandem {

enum class ErrorKind { InvalidModel, Unsupported, InvalidArgument, DeviceUnavailable, Runtime };

/// Lower-case name of a kind, e.g. "invalid model".
std::string_view to_string(ErrorKind kind);

/// Thrown by every tandem API on failure. The message starts with where the error happened (file,
/// node, op, API call), then says what was expected and what was found.
class Error : public std::runtime_error {
 public:
  Error(ErrorKind kind, std::string message) : std::runtime_error(std::move(message)), kind_(kind) {}
  ErrorKind kind() const noexcept { return kind_; }

 private:
  ErrorKind kind_;
};

}  // namespace tandem
