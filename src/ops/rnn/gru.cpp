// GRU: a gated recurrent unit layer over a whole sequence, forward, reverse or both ways.
#include "ops/op.h"
#include "ops/rnn/rnn_common.h"

namespace tandem::ops {
namespace {
// Opset 1 had output_sequence; 3 added linear_before_reset; 7 made every output optional; 14
// added layout. Gates are ordered z, r, h in W, R and B.
void infer(InferContext& ctx) { rnn::infer_outputs(ctx, 3, false); }

template <class C>
void run(KernelContext& ctx) {
  const rnn::Inputs<C> in = rnn::read_inputs<C>(ctx, 3, false);
  const auto acts = rnn::read_activations(ctx, {"Sigmoid", "Tanh"}, int(in.dirs));
  const bool linear_before_reset = ctx.attr<int64_t>("linear_before_reset", 0) != 0;
  const int64_t H = in.hidden, G = 3 * H, I = in.input, B = in.batch;
  std::vector<C> y(size_t(in.seq * in.dirs * B * H), C(0));
  std::vector<C> y_h(size_t(in.dirs * B * H));
  std::vector<C> xg(G), zr(2 * H), rh(H), reset_h(H);
  auto clip = [&](C v) {
    if (!in.clip) return v;
    const C hi = C(*in.clip);
    return v < -hi ? -hi : (v > hi ? hi : v);
  };
  for (int64_t d = 0; d < in.dirs; ++d) {
    const rnn::Activation &f = acts[d * 2], &g = acts[d * 2 + 1];
    const C* w = &in.w[d * G * I];
    const C* r = &in.r[d * G * H];
    const C* wb = &in.b[d * 2 * G];
    const C* rb = wb + G;
    for (int64_t b = 0; b < B; ++b) {
      const size_t state = size_t((d * B + b) * H);
      std::vector<C> hs(in.h0.begin() + state, in.h0.begin() + state + H);
      const int64_t len = in.lengths[b];
      for (int64_t s = 0; s < len; ++s) {
        const int64_t t = in.backwards(d) ? len - 1 - s : s;
        std::copy(wb, wb + G, xg.begin());
        rnn::add_matvec(w, &in.x[(t * B + b) * I], G, I, xg.data());
        std::copy(rb, rb + 2 * H, zr.begin());
        rnn::add_matvec(r, hs.data(), 2 * H, H, zr.data());
        for (int64_t j = 0; j < 2 * H; ++j) zr[j] = f(clip(xg[j] + zr[j]));
        const C* z = &zr[0];
        const C* reset = &zr[H];
        std::copy(rb + 2 * H, rb + G, rh.begin());
        if (linear_before_reset) {
          rnn::add_matvec(r + 2 * H * H, hs.data(), H, H, rh.data());
          for (int64_t j = 0; j < H; ++j) rh[j] *= reset[j];
        } else {
          for (int64_t j = 0; j < H; ++j) reset_h[j] = reset[j] * hs[j];
          rnn::add_matvec(r + 2 * H * H, reset_h.data(), H, H, rh.data());
        }
        for (int64_t j = 0; j < H; ++j) {
          const C candidate = g(clip(xg[2 * H + j] + rh[j]));
          hs[j] = (C(1) - z[j]) * candidate + z[j] * hs[j];
        }
        std::copy(hs.begin(), hs.end(), &y[((t * in.dirs + d) * B + b) * H]);
      }
      std::copy(hs.begin(), hs.end(), &y_h[state]);
    }
  }
  rnn::write_outputs<C>(ctx, in, y, {y_h});
}

void reference(KernelContext& ctx) {
  rnn::dispatch_compute(ctx, [&]<class C>() { run<C>(ctx); });
}
}  // namespace

const OpDef& gru_op() {
  static const OpDef def{.name = "GRU", .versions = {1, 3, 7, 14, 22}, .infer = infer, .reference = reference};
  return def;
}

}  // namespace tandem::ops
