// Shared parts of RNN, GRU and LSTM: activations, shapes, layouts.
#include "ops/rnn/rnn_common.h"

#include <algorithm>
#include <cctype>
#include <cmath>

#include "ops/dispatch.h"

namespace tandem::ops::rnn {
namespace {

struct ActivationInfo {
  const char* name;
  Activation::Kind kind;
  bool uses_alpha, uses_beta;
  double alpha, beta;  // the defaults of the ONNX op of that name
};

constexpr ActivationInfo kActivations[] = {
    {"relu", Activation::Kind::Relu, false, false, 0, 0},
    {"tanh", Activation::Kind::Tanh, false, false, 0, 0},
    {"sigmoid", Activation::Kind::Sigmoid, false, false, 0, 0},
    {"affine", Activation::Kind::Affine, true, true, 1.0, 0.0},
    {"leakyrelu", Activation::Kind::LeakyRelu, true, false, 0.01, 0},
    {"thresholdedrelu", Activation::Kind::ThresholdedRelu, true, false, 1.0, 0},
    {"scaledtanh", Activation::Kind::ScaledTanh, true, true, 1.0, 1.0},
    {"hardsigmoid", Activation::Kind::HardSigmoid, true, true, 0.2, 0.5},
    {"elu", Activation::Kind::Elu, true, false, 1.0, 0},
    {"softsign", Activation::Kind::Softsign, false, false, 0, 0},
    {"softplus", Activation::Kind::Softplus, false, false, 0, 0},
};

std::string lower(std::string s) {
  for (char& c : s) c = char(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

template <class C>
std::vector<C> to_compute(const Tensor& t) {
  std::vector<double> d = t.to_double();
  return {d.begin(), d.end()};
}

void check_shape(const KernelContext& ctx, const char* name, const Tensor& t, const Shape& expected) {
  if (t.shape() != expected)
    throw ctx.error(ErrorKind::InvalidArgument, "input {} has shape {}, expected {}", name,
                    to_string(t.shape()), to_string(expected));
}

int64_t layout_of(const NodeContext& ctx) {
  int64_t layout = ctx.opset() >= 14 ? ctx.attr<int64_t>("layout", 0) : 0;
  if (layout != 0 && layout != 1)
    throw ctx.error(ErrorKind::InvalidModel, "layout must be 0 or 1, got {}", layout);
  return layout;
}

// Reads a state input ([dirs, batch, hidden], or [batch, dirs, hidden] batch-first) in layout 0.
template <class C>
std::vector<C> read_state(const KernelContext& ctx, size_t index, const char* name, const Inputs<C>& in) {
  const size_t n = size_t(in.dirs * in.batch * in.hidden);
  if (!ctx.has_input(index)) return std::vector<C>(n, C(0));
  const Tensor& t = ctx.input(index);
  if (!in.layout_batch_first) {
    check_shape(ctx, name, t, {in.dirs, in.batch, in.hidden});
    return to_compute<C>(t);
  }
  check_shape(ctx, name, t, {in.batch, in.dirs, in.hidden});
  std::vector<C> src = to_compute<C>(t), out(n);
  for (int64_t b = 0; b < in.batch; ++b)
    for (int64_t d = 0; d < in.dirs; ++d)
      std::copy_n(&src[(b * in.dirs + d) * in.hidden], in.hidden, &out[(d * in.batch + b) * in.hidden]);
  return out;
}

template <class C>
void write(KernelContext& ctx, size_t index, Shape shape, const std::vector<C>& values) {
  if (!ctx.has_output(index)) return;
  ElementType type = ctx.input(0).element_type();
  Tensor& out = ctx.allocate_output(index, type, std::move(shape));
  visit_float(type, [&]<class T>() {
    auto dst = out.span<T>();
    for (size_t i = 0; i < values.size(); ++i) dst[i] = T(values[i]);
  });
}

}  // namespace

template <class C>
C Activation::operator()(C x) const {
  const C a = C(alpha), b = C(beta);
  switch (kind) {
    case Kind::Relu:
      return x > C(0) ? x : C(0);
    case Kind::Tanh:
      return std::tanh(x);
    case Kind::Sigmoid:
      return C(1) / (C(1) + std::exp(-x));
    case Kind::Affine:
      return a * x + b;
    case Kind::LeakyRelu:
      return x >= C(0) ? x : a * x;
    case Kind::ThresholdedRelu:
      return x > a ? x : C(0);
    case Kind::ScaledTanh:
      return a * std::tanh(b * x);
    case Kind::HardSigmoid:
      return std::clamp(a * x + b, C(0), C(1));
    case Kind::Elu:
      return x >= C(0) ? x : a * (std::exp(x) - C(1));
    case Kind::Softsign:
      return x / (C(1) + std::abs(x));
    case Kind::Softplus:
      return std::log1p(std::exp(x));
  }
  return x;
}
template float Activation::operator()(float) const;
template double Activation::operator()(double) const;

int num_directions(const NodeContext& ctx) {
  std::string direction = ctx.attr<std::string>("direction", "forward");
  if (direction == "forward" || direction == "reverse") return 1;
  if (direction == "bidirectional") return 2;
  throw ctx.error(ErrorKind::InvalidModel, "direction must be forward, reverse or bidirectional, got '{}'",
                  direction);
}

std::vector<Activation> read_activations(const NodeContext& ctx, const std::vector<std::string>& defaults,
                                         int num_directions) {
  std::vector<std::string> names = ctx.attr<std::vector<std::string>>("activations", {});
  if (names.empty())
    for (int d = 0; d < num_directions; ++d) names.insert(names.end(), defaults.begin(), defaults.end());
  if (names.size() == defaults.size() && num_directions == 2) {
    std::vector<std::string> both = names;
    both.insert(both.end(), names.begin(), names.end());
    names = std::move(both);
  }
  if (names.size() != defaults.size() * size_t(num_directions))
    throw ctx.error(ErrorKind::InvalidModel, "expected {} activations ({} per direction), got {}",
                    defaults.size() * size_t(num_directions), defaults.size(), names.size());
  const auto alphas = ctx.attr<std::vector<float>>("activation_alpha", {});
  const auto betas = ctx.attr<std::vector<float>>("activation_beta", {});
  size_t next_alpha = 0, next_beta = 0;
  std::vector<Activation> out;
  for (const std::string& name : names) {
    const std::string key = lower(name);
    auto it = std::find_if(std::begin(kActivations), std::end(kActivations),
                           [&](const ActivationInfo& info) { return key == info.name; });
    if (it == std::end(kActivations))
      throw ctx.error(ErrorKind::Unsupported, "activation '{}' is not supported", name);
    Activation a{it->kind, it->alpha, it->beta};
    if (it->uses_alpha && next_alpha < alphas.size()) a.alpha = alphas[next_alpha++];
    if (it->uses_beta && next_beta < betas.size()) a.beta = betas[next_beta++];
    out.push_back(a);
  }
  return out;
}

void infer_outputs(InferContext& ctx, int num_gates, bool has_cell) {
  const ElementType type = ctx.input_type(0);
  // Opset 22 added bfloat16 (computed through float); nothing else changed.
  const bool bf16_ok = ctx.opset() >= 22;
  if (type != ElementType::Undefined && type != ElementType::F32 && type != ElementType::F64 &&
      type != ElementType::F16 && !(type == ElementType::BF16 && bf16_ok))
    throw ctx.error(ErrorKind::InvalidModel, "input X must be {}float16, float or double, got {}",
                    bf16_ok ? "bfloat16, " : "", to_string(type));
  const Dimension dirs = num_directions(ctx);
  const bool batch_first = layout_of(ctx) == 1;
  Dimension seq, batch, hidden;
  const int64_t hidden_size = ctx.attr<int64_t>("hidden_size", -1);
  if (hidden_size > 0) hidden = hidden_size;
  const PartialShape& x = ctx.input_shape(0);
  if (x.rank_known()) {
    if (x.rank() != 3)
      throw ctx.error(ErrorKind::InvalidModel, "input X must have rank 3, got {}", to_string(x));
    seq = x[batch_first ? 1 : 0];
    batch = x[batch_first ? 0 : 1];
  }
  const PartialShape& r = ctx.input_shape(2);
  if (!hidden.is_static() && r.rank_known() && r.rank() == 3) hidden = r[2];
  if (!hidden.is_static()) {
    const PartialShape& w = ctx.input_shape(1);
    if (w.rank_known() && w.rank() == 3 && w[1].is_static()) hidden = w[1].value / num_gates;
  }
  if (batch_first) {
    ctx.set_output(0, type, PartialShape({batch, seq, dirs, hidden}));
    ctx.set_output(1, type, PartialShape({batch, dirs, hidden}));
    if (has_cell) ctx.set_output(2, type, PartialShape({batch, dirs, hidden}));
    return;
  }
  ctx.set_output(0, type, PartialShape({seq, dirs, batch, hidden}));
  ctx.set_output(1, type, PartialShape({dirs, batch, hidden}));
  if (has_cell) ctx.set_output(2, type, PartialShape({dirs, batch, hidden}));
}

template <class C>
Inputs<C> read_inputs(const KernelContext& ctx, int num_gates, bool has_cell) {
  Inputs<C> in;
  in.gates = num_gates;
  in.dirs = num_directions(ctx);
  in.reverse = ctx.attr<std::string>("direction", "forward") == "reverse";
  in.layout_batch_first = layout_of(ctx) == 1;
  if (ctx.has_attr("clip")) in.clip = ctx.attr<float>("clip");

  const Tensor& x = ctx.input(0);
  const Tensor& w = ctx.input(1);
  const Tensor& r = ctx.input(2);
  if (x.rank() != 3)
    throw ctx.error(ErrorKind::InvalidArgument, "input X must have rank 3, got {}", describe(x));
  if (w.rank() != 3)
    throw ctx.error(ErrorKind::InvalidArgument, "input W must have rank 3, got {}", describe(w));
  if (r.rank() != 3)
    throw ctx.error(ErrorKind::InvalidArgument, "input R must have rank 3, got {}", describe(r));
  for (const Tensor* t : {&w, &r})
    if (t->element_type() != x.element_type())
      throw ctx.error(ErrorKind::InvalidArgument, "W and R must have X's element type {}, got {}",
                      to_string(x.element_type()), describe(*t));
  in.seq = x.shape()[in.layout_batch_first ? 1 : 0];
  in.batch = x.shape()[in.layout_batch_first ? 0 : 1];
  in.input = x.shape()[2];
  in.hidden = r.shape()[2];
  const int64_t hidden_size = ctx.attr<int64_t>("hidden_size", in.hidden);
  if (hidden_size != in.hidden)
    throw ctx.error(ErrorKind::InvalidArgument, "hidden_size is {} but R has shape {}", hidden_size,
                    to_string(r.shape()));
  const int64_t gh = num_gates * in.hidden;
  check_shape(ctx, "W", w, {in.dirs, gh, in.input});
  check_shape(ctx, "R", r, {in.dirs, gh, in.hidden});

  std::vector<C> xs = to_compute<C>(x);
  if (in.layout_batch_first) {
    in.x.resize(xs.size());
    for (int64_t b = 0; b < in.batch; ++b)
      for (int64_t t = 0; t < in.seq; ++t)
        std::copy_n(&xs[(b * in.seq + t) * in.input], in.input, &in.x[(t * in.batch + b) * in.input]);
  } else {
    in.x = std::move(xs);
  }
  in.w = to_compute<C>(w);
  in.r = to_compute<C>(r);
  if (ctx.has_input(3)) {
    check_shape(ctx, "B", ctx.input(3), {in.dirs, 2 * gh});
    in.b = to_compute<C>(ctx.input(3));
  } else {
    in.b.assign(size_t(in.dirs * 2 * gh), C(0));
  }
  in.lengths.assign(size_t(in.batch), in.seq);
  if (ctx.has_input(4)) {
    const Tensor& lens = ctx.input(4);
    check_shape(ctx, "sequence_lens", lens, {in.batch});
    in.lengths = lens.to_int64();
    for (int64_t n : in.lengths)
      if (n < 0 || n > in.seq)
        throw ctx.error(ErrorKind::InvalidArgument, "sequence_lens holds {}, outside [0, {}]", n, in.seq);
  }
  in.h0 = read_state(ctx, 5, "initial_h", in);
  if (has_cell) {
    in.c0 = read_state(ctx, 6, "initial_c", in);
    if (ctx.has_input(7)) {
      check_shape(ctx, "P", ctx.input(7), {in.dirs, 3 * in.hidden});
      in.p = to_compute<C>(ctx.input(7));
    } else {
      in.p.assign(size_t(in.dirs * 3 * in.hidden), C(0));
    }
  }
  return in;
}
template Inputs<float> read_inputs<float>(const KernelContext&, int, bool);
template Inputs<double> read_inputs<double>(const KernelContext&, int, bool);

template <class C>
void write_outputs(KernelContext& ctx, const Inputs<C>& in, const std::vector<C>& y,
                   const std::vector<std::vector<C>>& states) {
  const int64_t h = in.hidden;
  if (!in.layout_batch_first) {
    write(ctx, 0, {in.seq, in.dirs, in.batch, h}, y);
    for (size_t i = 0; i < states.size(); ++i) write(ctx, 1 + i, {in.dirs, in.batch, h}, states[i]);
    return;
  }
  std::vector<C> yt(y.size());
  for (int64_t t = 0; t < in.seq; ++t)
    for (int64_t d = 0; d < in.dirs; ++d)
      for (int64_t b = 0; b < in.batch; ++b)
        std::copy_n(&y[((t * in.dirs + d) * in.batch + b) * h], h, &yt[((b * in.seq + t) * in.dirs + d) * h]);
  write(ctx, 0, {in.batch, in.seq, in.dirs, h}, yt);
  for (size_t i = 0; i < states.size(); ++i) {
    std::vector<C> st(states[i].size());
    for (int64_t d = 0; d < in.dirs; ++d)
      for (int64_t b = 0; b < in.batch; ++b)
        std::copy_n(&states[i][(d * in.batch + b) * h], h, &st[(b * in.dirs + d) * h]);
    write(ctx, 1 + i, {in.batch, in.dirs, h}, st);
  }
}
template void write_outputs<float>(KernelContext&, const Inputs<float>&, const std::vector<float>&,
                                   const std::vector<std::vector<float>>&);
template void write_outputs<double>(KernelContext&, const Inputs<double>&, const std::vector<double>&,
                                    const std::vector<std::vector<double>>&);

}  // namespace tandem::ops::rnn
