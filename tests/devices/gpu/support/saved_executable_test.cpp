// The saved GPU executable's format: what is written reads back as it was, any bytes in its
// fields; a truncated or foreign payload is an InvalidArgument saying what is wrong.
#include "devices/gpu/support/saved_executable.h"

#include <gtest/gtest.h>

#include "ops/op_case.h"

namespace tandem::gpu {
namespace {

TEST(SavedGpuExecutable, ReadsBackWhatWasWritten) {
  SavedExecutable saved;
  saved.subgraph = std::string("\x08\x07\n\0onnx bytes\nchoice 1 2\n", 25);
  saved.choices[0] = "algo=1 math=1 workspace=0";
  saved.choices[17] = std::string("line\nbreak\0", 11);
  const SavedExecutable read = read_saved_executable(write_saved_executable(saved));
  EXPECT_EQ(read.subgraph, saved.subgraph);
  EXPECT_EQ(read.choices, saved.choices);
  EXPECT_TRUE(read_saved_executable(write_saved_executable({"x", {}})).choices.empty());
}

TEST(SavedGpuExecutable, MalformedPayloadsAreNamed) {
  const std::string good = write_saved_executable({"subgraph", {{3, "algo=0"}}});
  EXPECT_THROW_KIND(read_saved_executable("\x08\x07onnx"), ErrorKind::InvalidArgument,
                    "GPU: the payload is no saved GPU executable: it does not begin with its header");
  EXPECT_THROW_KIND(read_saved_executable(good.substr(0, good.size() - 2)), ErrorKind::InvalidArgument,
                    "a field of 6 bytes has 4 left");
  std::string bad = good;
  bad.replace(bad.find("choice 3"), 8, "choice x");
  EXPECT_THROW_KIND(read_saved_executable(bad), ErrorKind::InvalidArgument, "'x' is no number");
}

}  // namespace
}  // namespace tandem::gpu
