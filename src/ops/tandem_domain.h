// The domain of tandem's own ops, which only the graph passes make (FusedConv, FusedMatMul,
// MultiHeadAttention, and LayerNormalization and Gelu for models whose opset predates them), and
// its one version.
#pragma once

#include <string_view>

namespace tandem::ops {

inline constexpr std::string_view kTandemDomain = "com.tandem";
inline constexpr int kTandemOpset = 1;

}  // namespace tandem::ops
