// What the GPU judges' tests check of an answer: that the judge took the op as its family's, and
// accepted it, or declined it for the reason expected.
#pragma once

#include <gtest/gtest.h>

#include <optional>
#include <string>

#include "devices/device.h"

namespace tandem::gpu::testing {

inline void expect_yes(const std::optional<devices::Support>& s) {
  ASSERT_TRUE(s.has_value());
  EXPECT_TRUE(s->ok) << s->reason;
}

/// `reason` is a part of the reason given.
inline void expect_no(const std::optional<devices::Support>& s, const std::string& reason) {
  ASSERT_TRUE(s.has_value());
  EXPECT_FALSE(s->ok);
  EXPECT_NE(s->reason.find(reason), std::string::npos) << s->reason;
}

}  // namespace tandem::gpu::testing
