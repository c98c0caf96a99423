// Function inlining, on the protos before conversion, so the IR never sees a function call.
#include "frontend/onnx/functions.h"

#include "tandem/error.h"

#include <fmt/format.h>

#include <map>
#include <unordered_map>

namespace tandem::onnx_frontend {
namespace {
using Nodes = google::protobuf::RepeatedPtrField<onnx::NodeProto>;

// Deep enough for any sane nesting; a function calling itself hits it.
constexpr int kMaxDepth = 64;
// Functions calling functions twice at each level grow exponentially; a model past this is hostile.
constexpr int64_t kMaxInlinedNodes = int64_t(1) << 22;

std::string normalize_domain(const std::string& domain) {
  return domain == "ai.onnx" ? "" : domain;
}

class Inliner {
 public:
  Inliner(onnx::ModelProto& model, const std::string& path) : path_(path) {
    for (const auto& f : model.functions()) functions_[{normalize_domain(f.domain()), f.name()}] = &f;
  }

  void graph(onnx::GraphProto& g, int depth) {
    Nodes out;
    for (auto& node : *g.mutable_node()) expand(node, out, depth);
    g.mutable_node()->Swap(&out);
  }

 private:
  using Names = std::unordered_map<std::string, std::string>;

  void expand(onnx::NodeProto& node, Nodes& out, int depth) {
    for (auto& a : *node.mutable_attribute()) {
      if (a.has_g()) graph(*a.mutable_g(), depth);
      for (auto& g : *a.mutable_graphs()) graph(g, depth);
    }
    auto it = functions_.find({normalize_domain(node.domain()), node.op_type()});
    if (it == functions_.end()) {
      *out.Add() = std::move(node);
      return;
    }
    const onnx::FunctionProto& f = *it->second;
    if (depth >= kMaxDepth)
      throw Error(
          ErrorKind::InvalidModel,
          fmt::format("{}: function '{}' calls itself (nesting deeper than {})", path_, f.name(), kMaxDepth));
    std::string call = node.name().empty() ? fmt::format("{}_call{}", node.op_type(), calls_++) : node.name();
    Names names;
    for (int i = 0; i < f.input_size(); ++i) names[f.input(i)] = i < node.input_size() ? node.input(i) : "";
    for (int i = 0; i < f.output_size(); ++i)
      names[f.output(i)] = i < node.output_size() ? node.output(i) : "";
    std::map<std::string, const onnx::AttributeProto*> args;
    for (const auto& a : node.attribute()) args[a.name()] = &a;
    for (int i = 0; i < f.node_size(); ++i) {
      onnx::NodeProto body = f.node(i);
      rename(body, names, call + "/");
      resolve(body, args);
      body.set_name(call + "/" +
                    (f.node(i).name().empty() ? fmt::format("{}_{}", body.op_type(), i) : f.node(i).name()));
      if (++inlined_ > kMaxInlinedNodes)
        throw Error(ErrorKind::InvalidModel, fmt::format("{}: inlining function '{}' makes over {} nodes",
                                                         path_, f.name(), kMaxInlinedNodes));
      expand(body, out, depth + 1);
    }
  }

  static std::string renamed(const std::string& name, const Names& names, const std::string& prefix) {
    if (name.empty()) return name;
    auto it = names.find(name);
    return it != names.end() ? it->second : prefix + name;
  }

  // Every value name in a body node, and in its subgraphs, is renamed consistently: formals to the
  // call's values, everything else under the call's prefix.
  static void rename(onnx::NodeProto& node, const Names& names, const std::string& prefix) {
    for (auto& s : *node.mutable_input()) s = renamed(s, names, prefix);
    for (auto& s : *node.mutable_output()) s = renamed(s, names, prefix);
    for (auto& a : *node.mutable_attribute()) {
      if (a.has_g()) rename(*a.mutable_g(), names, prefix);
      for (auto& g : *a.mutable_graphs()) rename(g, names, prefix);
    }
  }
  static void rename(onnx::GraphProto& g, const Names& names, const std::string& prefix) {
    for (auto* list : {g.mutable_input(), g.mutable_output(), g.mutable_value_info()})
      for (auto& v : *list) v.set_name(renamed(v.name(), names, prefix));
    for (auto& t : *g.mutable_initializer()) t.set_name(renamed(t.name(), names, prefix));
    for (auto& n : *g.mutable_node()) rename(n, names, prefix);
  }

  static void resolve(onnx::NodeProto& node, const std::map<std::string, const onnx::AttributeProto*>& args) {
    google::protobuf::RepeatedPtrField<onnx::AttributeProto> kept;
    for (auto& a : *node.mutable_attribute()) {
      if (a.has_g()) resolve(*a.mutable_g(), args);
      for (auto& g : *a.mutable_graphs()) resolve(g, args);
      if (a.ref_attr_name().empty()) {
        *kept.Add() = std::move(a);
        continue;
      }
      auto it = args.find(a.ref_attr_name());
      if (it == args.end()) continue;  // not given by the call: the op's default applies
      onnx::AttributeProto value = *it->second;
      value.set_name(a.name());
      *kept.Add() = std::move(value);
    }
    node.mutable_attribute()->Swap(&kept);
  }
  static void resolve(onnx::GraphProto& g, const std::map<std::string, const onnx::AttributeProto*>& args) {
    for (auto& n : *g.mutable_node()) resolve(n, args);
  }

  std::string path_;
  std::map<std::pair<std::string, std::string>, const onnx::FunctionProto*> functions_;
  int calls_ = 0;
  int64_t inlined_ = 0;
};
}  // namespace

void inline_functions(onnx::ModelProto& model, const std::string& path) {
  if (model.functions_size() == 0 || !model.has_graph()) return;
  Inliner(model, path).graph(*model.mutable_graph(), 0);
}

}  // namespace tandem::onnx_frontend
