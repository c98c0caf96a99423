// Model: a network read from a file, not yet compiled for any device.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "tandem/value.h"

namespace tandem {

namespace ir {
struct Model;
}

/// A model as read from a file. Cheap to copy (shared, immutable once read).
class Model {
 public:
  explicit Model(std::shared_ptr<const ir::Model> model);

  const std::vector<Port>& inputs() const;
  const std::vector<Port>& outputs() const;
  /// Opset version per domain ("" is the default ONNX domain).
  std::map<std::string, int> opsets() const;
  std::string producer() const;
  std::string path() const;
  /// How many nodes of each op type the main graph holds ("Conv" → 53); subgraphs included.
  std::map<std::string, int> op_histogram() const;
  size_t node_count() const;

  /// A copy with new input shapes (by input name), e.g. another batch size, before compiling.
  /// Inputs not named keep theirs. Throws InvalidArgument for an unknown input or a rank change.
  Model reshape(const std::map<std::string, PartialShape>& shapes) const;

  /// For the runtime: the IR behind this model.
  const std::shared_ptr<const ir::Model>& ir() const { return model_; }
  /// For the runtime: the IR, handed over; this model is empty afterwards.
  std::shared_ptr<const ir::Model> release_ir() && { return std::move(model_); }

 private:
  std::shared_ptr<const ir::Model> model_;
};

}  // namespace tandem
