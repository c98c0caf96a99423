// What RNN, GRU and LSTM share: activations, direction and layout, input reading, output writing.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "ops/infer_context.h"
#include "ops/kernel_context.h"

namespace tandem::ops::rnn {

/// One activation function of an RNN cell, with the alpha/beta it was given.
struct Activation {
  enum class Kind {
    Relu,
    Tanh,
    Sigmoid,
    Affine,
    LeakyRelu,
    ThresholdedRelu,
    ScaledTanh,
    HardSigmoid,
    Elu,
    Softsign,
    Softplus
  };
  Kind kind = Kind::Tanh;
  double alpha = 0;
  double beta = 0;

  template <class C>
  C operator()(C x) const;
};

/// The `activations` attribute (or `defaults` when absent), per_direction functions for each
/// direction; a list given for one direction serves both. Alpha and beta come from
/// `activation_alpha`/`activation_beta` in order, taken only by the functions that use them (as
/// ONNX Runtime does), else the defaults of the ONNX op of that name.
std::vector<Activation> read_activations(const NodeContext& ctx, const std::vector<std::string>& defaults,
                                         int num_directions);

/// 1 for "forward" and "reverse", 2 for "bidirectional"; throws on anything else.
int num_directions(const NodeContext& ctx);

/// Output types for Y, Y_h (and Y_c when has_cell): shapes from X, W, R and the attributes.
void infer_outputs(InferContext& ctx, int num_gates, bool has_cell);

/// The inputs of one run in compute type C (float or double), brought to layout 0:
/// x [seq, batch, input], w [dirs, gates*hidden, input], r [dirs, gates*hidden, hidden],
/// b [dirs, 2*gates*hidden], h0 and c0 [dirs, batch, hidden], p [dirs, 3*hidden] (LSTM
/// peepholes); absent optional inputs read as zeros; lengths [batch] (seq when absent).
template <class C>
struct Inputs {
  int64_t seq = 0, batch = 0, input = 0, hidden = 0, dirs = 1, gates = 1;
  bool reverse = false;  // the single direction runs backwards ("reverse")
  bool layout_batch_first = false;
  std::optional<double> clip;
  std::vector<C> x, w, r, b, h0, c0, p;
  std::vector<int64_t> lengths;

  /// Whether direction d walks the sequence backwards.
  bool backwards(int64_t d) const { return d == 1 || reverse; }
};

/// Reads and checks every input. LSTM (has_cell) also reads initial_c (input 6) and P (input 7).
template <class C>
Inputs<C> read_inputs(const KernelContext& ctx, int num_gates, bool has_cell);

/// The results in layout 0, y [seq, dirs, batch, hidden] and states [dirs, batch, hidden], written
/// to the outputs the node declares in the input's element type and the node's layout.
template <class C>
void write_outputs(KernelContext& ctx, const Inputs<C>& in, const std::vector<C>& y,
                   const std::vector<std::vector<C>>& states);

/// Calls run.template operator()<C>() with C = double for f64 inputs, float for the other float
/// types; throws Unsupported otherwise.
template <class F>
void dispatch_compute(const KernelContext& ctx, F&& run) {
  switch (ctx.input(0).element_type()) {
    case ElementType::F64:
      return run.template operator()<double>();
    case ElementType::F32:
    case ElementType::F16:
    case ElementType::BF16:
      return run.template operator()<float>();
    default:
      break;
  }
  throw ctx.error(ErrorKind::Unsupported, "input X has element type {}, expected a float type",
                  to_string(ctx.input(0).element_type()));
}

/// y[j] += sum_k m[j*cols + k] * v[k] for j < rows: one gate block times a vector.
template <class C>
void add_matvec(const C* m, const C* v, int64_t rows, int64_t cols, C* y) {
  for (int64_t j = 0; j < rows; ++j) {
    const C* row = m + j * cols;
    C s = 0;
    for (int64_t k = 0; k < cols; ++k) s += row[k] * v[k];
    y[j] += s;
  }
}

/// Clamps to [-clip, clip] when a clip is set.
template <class C>
void apply_clip(const std::optional<double>& clip, C* v, int64_t n) {
  if (!clip) return;
  const C hi = C(*clip);
  for (int64_t i = 0; i < n; ++i) v[i] = v[i] < -hi ? -hi : (v[i] > hi ? hi : v[i]);
}

}  // namespace tandem::ops::rnn
