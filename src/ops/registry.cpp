// The registry: one line per family; each family lists its own ops.
#include "ops/registry.h"

#include <algorithm>

#include "ops/dispatch.h"
#include "ops/onnx_op_versions.h"

namespace tandem::ops {

int OpDef::since_version(int opset) const {
  int found = 0;
  for (int v : versions)
    if (v <= opset) found = std::max(found, v);
  return found;
}

int onnx_since_version(std::string_view domain, std::string_view name, int opset) {
  if (domain == "ai.onnx") domain = "";
  for (const OnnxOpVersions& op : onnx_op_versions()) {
    if (op.domain != domain || op.name != name) continue;
    int found = 0;
    for (int v : op.versions)
      if (v <= opset) found = v;
    return found;
  }
  return 0;
}

const Registry& Registry::global() {
  static const Registry registry = [] {
    Registry r;
    register_elementwise(r);
    register_math(r);
    register_nn(r);
    register_normalization(r);
    register_reduce(r);
    register_quant(r);
    register_tensor(r);
    register_control(r);
    register_sequence(r);
    register_rnn(r);
    register_misc(r);
    register_attention(r);
    register_text(r);
    register_ml(r);
    return r;
  }();
  return registry;
}

void Registry::add(const OpDef& def) {
  ops_[{std::string(def.domain), std::string(def.name)}] = &def;
}

const OpDef* Registry::find(std::string_view domain, std::string_view name) const {
  auto it = ops_.find({std::string(domain == "ai.onnx" ? "" : domain), std::string(name)});
  return it == ops_.end() ? nullptr : it->second;
}

void throw_unsupported_type(ElementType type, const char* what) {
  throw Error(ErrorKind::Unsupported,
              fmt::format("element type {} is not supported by {}", to_string(type), what));
}

}  // namespace tandem::ops
