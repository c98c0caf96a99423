// The registry against ONNX's own version table: every version an op lists is one ONNX defines.
#include <gtest/gtest.h>

#include <algorithm>

#include "ops/onnx_op_versions.h"
#include "ops/registry.h"

namespace tandem::ops {
namespace {

TEST(Registry, EveryListedVersionIsAnOnnxVersion) {
  for (const auto& [key, def] : Registry::global().all()) {
    const auto& [domain, name] = key;
    if (domain == "com.tandem") continue;  // tandem's internal ops (FusedConv): not ONNX's
    SCOPED_TRACE(domain + "." + name);
    const auto& table = onnx_op_versions();
    auto it = std::find_if(table.begin(), table.end(),
                           [&](const OnnxOpVersions& op) { return op.domain == domain && op.name == name; });
    ASSERT_NE(it, table.end()) << "ONNX does not define this op";
    for (int v : def->versions)
      EXPECT_NE(std::find(it->versions.begin(), it->versions.end(), v), it->versions.end())
          << "version " << v << " is not an ONNX version of the op";
  }
}

TEST(Registry, OnnxSinceVersionPicksTheVersionInForce) {
  EXPECT_EQ(onnx_since_version("", "Softmax", 12), 11);
  EXPECT_EQ(onnx_since_version("", "Softmax", 13), 13);
  EXPECT_EQ(onnx_since_version("ai.onnx", "Relu", 5), 1);
  EXPECT_EQ(onnx_since_version("", "NoSuchOp", 13), 0);
  EXPECT_EQ(onnx_since_version("", "Gelu", 19), 0);
}

}  // namespace
}  // namespace tandem::ops
