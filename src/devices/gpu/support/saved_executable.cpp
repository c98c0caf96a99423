// The saved GPU executable's bytes: a header line, then the subgraph and each choice as a line
// naming it and its length, followed by that many bytes. Written by hand: three length-prefixed
// fields need no serialisation library.
#include "devices/gpu/support/saved_executable.h"

#include <fmt/format.h>

#include <charconv>

#include "tandem/error.h"

namespace tandem::gpu {
namespace {

constexpr std::string_view kHeader = "tandem GPU executable 1\n";

[[noreturn]] void malformed(const std::string& what) {
  throw Error(ErrorKind::InvalidArgument, "GPU: the payload is no saved GPU executable: " + what);
}

// Reads "<word> <number>... \n" fields off the front of `rest`.
class Reader {
 public:
  explicit Reader(std::string_view bytes) : rest_(bytes) {}
  bool done() const { return rest_.empty(); }

  std::string_view line() {
    const size_t end = rest_.find('\n');
    if (end == std::string_view::npos) malformed("a field line has no end");
    const std::string_view line = rest_.substr(0, end);
    rest_.remove_prefix(end + 1);
    return line;
  }
  static size_t number(std::string_view text) {
    size_t value = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error != std::errc() || end != text.data() + text.size()) malformed(fmt::format("'{}' is no number", text));
    return value;
  }
  std::string_view bytes(size_t count) {
    if (count > rest_.size()) malformed(fmt::format("a field of {} bytes has {} left", count, rest_.size()));
    const std::string_view bytes = rest_.substr(0, count);
    rest_.remove_prefix(count);
    return bytes;
  }

 private:
  std::string_view rest_;
};

}  // namespace

std::string write_saved_executable(const SavedExecutable& saved) {
  std::string out(kHeader);
  out += fmt::format("subgraph {}\n", saved.subgraph.size());
  out += saved.subgraph;
  for (const auto& [step, choice] : saved.choices) {
    out += fmt::format("choice {} {}\n", step, choice.size());
    out += choice;
  }
  return out;
}

SavedExecutable read_saved_executable(std::string_view payload) {
  if (payload.substr(0, kHeader.size()) != kHeader) malformed("it does not begin with its header");
  Reader reader(payload.substr(kHeader.size()));
  SavedExecutable saved;
  const std::string_view subgraph = reader.line();
  if (subgraph.substr(0, 9) != "subgraph ") malformed("the subgraph is missing");
  saved.subgraph = std::string(reader.bytes(Reader::number(subgraph.substr(9))));
  while (!reader.done()) {
    const std::string_view field = reader.line();
    const size_t space = field.find(' ', 7);
    if (field.substr(0, 7) != "choice " || space == std::string_view::npos)
      malformed(fmt::format("'{}' is no choice", field));
    const size_t step = Reader::number(field.substr(7, space - 7));
    saved.choices[step] = std::string(reader.bytes(Reader::number(field.substr(space + 1))));
  }
  return saved;
}

}  // namespace tandem::gpu
