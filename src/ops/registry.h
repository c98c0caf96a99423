// The op registry: every op the library defines, listed family by family.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <utility>

#include "ops/op.h"

namespace tandem::ops {

class Registry {
 public:
  /// All ops of every family; built once, on first use.
  static const Registry& global();

  void add(const OpDef& def);
  /// The op of that domain and name, or null.
  const OpDef* find(std::string_view domain, std::string_view name) const;
  const std::map<std::pair<std::string, std::string>, const OpDef*>& all() const { return ops_; }

 private:
  std::map<std::pair<std::string, std::string>, const OpDef*> ops_;
};

// One function per family, each in its folder (src/ops/<family>/<family>.cpp), listing its ops.
void register_elementwise(Registry& registry);
void register_math(Registry& registry);
void register_nn(Registry& registry);
void register_normalization(Registry& registry);
void register_reduce(Registry& registry);
void register_quant(Registry& registry);
void register_tensor(Registry& registry);
void register_control(Registry& registry);
void register_sequence(Registry& registry);
void register_rnn(Registry& registry);
void register_misc(Registry& registry);
void register_attention(Registry& registry);
void register_text(Registry& registry);
void register_ml(Registry& registry);

}  // namespace tandem::ops
