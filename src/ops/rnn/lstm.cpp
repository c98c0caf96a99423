// LSTM: a long short-term memory layer over a whole sequence, forward, reverse or both ways.
#include "ops/op.h"
#include "ops/rnn/rnn_common.h"

namespace tandem::ops {
namespace {
// Opset 1 had output_sequence (only whether Y may be omitted); 7 made every output optional;
// 14 added layout (batch-first X, Y, states). Gates are ordered i, o, f, c in W, R and B, and
// the peepholes P as i, o, f.
void infer(InferContext& ctx) { rnn::infer_outputs(ctx, 4, true); }

template <class C>
void run(KernelContext& ctx) {
  const rnn::Inputs<C> in = rnn::read_inputs<C>(ctx, 4, true);
  const auto acts = rnn::read_activations(ctx, {"Sigmoid", "Tanh", "Tanh"}, int(in.dirs));
  const bool input_forget = ctx.attr<int64_t>("input_forget", 0) != 0;
  const int64_t H = in.hidden, G = 4 * H, I = in.input, B = in.batch;
  std::vector<C> y(size_t(in.seq * in.dirs * B * H), C(0));
  std::vector<C> y_h(size_t(in.dirs * B * H)), y_c(y_h.size());
  std::vector<C> gates(G);
  auto clip = [&](C v) {
    if (!in.clip) return v;
    const C hi = C(*in.clip);
    return v < -hi ? -hi : (v > hi ? hi : v);
  };
  for (int64_t d = 0; d < in.dirs; ++d) {
    const rnn::Activation &f = acts[d * 3], &g = acts[d * 3 + 1], &h = acts[d * 3 + 2];
    const C* w = &in.w[d * G * I];
    const C* r = &in.r[d * G * H];
    const C* wb = &in.b[d * 2 * G];
    const C* rb = wb + G;
    const C* p = &in.p[d * 3 * H];
    for (int64_t b = 0; b < B; ++b) {
      const size_t state = size_t((d * B + b) * H);
      std::vector<C> hs(in.h0.begin() + state, in.h0.begin() + state + H);
      std::vector<C> cs(in.c0.begin() + state, in.c0.begin() + state + H);
      const int64_t len = in.lengths[b];
      for (int64_t s = 0; s < len; ++s) {
        const int64_t t = in.backwards(d) ? len - 1 - s : s;
        for (int64_t j = 0; j < G; ++j) gates[j] = wb[j] + rb[j];
        rnn::add_matvec(w, &in.x[(t * B + b) * I], G, I, gates.data());
        rnn::add_matvec(r, hs.data(), G, H, gates.data());
        const C *gi = &gates[0], *go = &gates[H], *gf = &gates[2 * H], *gc = &gates[3 * H];
        for (int64_t j = 0; j < H; ++j) {
          const C i = f(clip(gi[j] + p[j] * cs[j]));
          const C fg = input_forget ? C(1) - i : f(clip(gf[j] + p[2 * H + j] * cs[j]));
          const C c = fg * cs[j] + i * g(clip(gc[j]));
          const C o = f(clip(go[j] + p[H + j] * c));
          cs[j] = c;
          hs[j] = o * h(c);
        }
        std::copy(hs.begin(), hs.end(), &y[((t * in.dirs + d) * B + b) * H]);
      }
      std::copy(hs.begin(), hs.end(), &y_h[state]);
      std::copy(cs.begin(), cs.end(), &y_c[state]);
    }
  }
  rnn::write_outputs<C>(ctx, in, y, {y_h, y_c});
}

void reference(KernelContext& ctx) {
  rnn::dispatch_compute(ctx, [&]<class C>() { run<C>(ctx); });
}
}  // namespace

const OpDef& lstm_op() {
  static const OpDef def{.name = "LSTM", .versions = {1, 7, 14, 22}, .infer = infer, .reference = reference};
  return def;
}

}  // namespace tandem::ops
