// RNN: the plain (Elman) recurrent layer, Ht = f(Xt*W + Ht-1*R + Wb + Rb), over a whole sequence.
// (The file is not rnn.cpp because that name is the family's list.)
#include "ops/op.h"
#include "ops/rnn/rnn_common.h"

namespace tandem::ops {
namespace {
// Opset 1 had output_sequence; 7 made every output optional; 14 added layout.
void infer(InferContext& ctx) { rnn::infer_outputs(ctx, 1, false); }

template <class C>
void run(KernelContext& ctx) {
  const rnn::Inputs<C> in = rnn::read_inputs<C>(ctx, 1, false);
  const auto acts = rnn::read_activations(ctx, {"Tanh"}, int(in.dirs));
  const int64_t H = in.hidden, I = in.input, B = in.batch;
  std::vector<C> y(size_t(in.seq * in.dirs * B * H), C(0));
  std::vector<C> y_h(size_t(in.dirs * B * H));
  std::vector<C> pre(H);
  for (int64_t d = 0; d < in.dirs; ++d) {
    const rnn::Activation& f = acts[d];
    const C* w = &in.w[d * H * I];
    const C* r = &in.r[d * H * H];
    const C* wb = &in.b[d * 2 * H];
    const C* rb = wb + H;
    for (int64_t b = 0; b < B; ++b) {
      const size_t state = size_t((d * B + b) * H);
      std::vector<C> hs(in.h0.begin() + state, in.h0.begin() + state + H);
      const int64_t len = in.lengths[b];
      for (int64_t s = 0; s < len; ++s) {
        const int64_t t = in.backwards(d) ? len - 1 - s : s;
        for (int64_t j = 0; j < H; ++j) pre[j] = wb[j] + rb[j];
        rnn::add_matvec(w, &in.x[(t * B + b) * I], H, I, pre.data());
        rnn::add_matvec(r, hs.data(), H, H, pre.data());
        rnn::apply_clip(in.clip, pre.data(), H);
        for (int64_t j = 0; j < H; ++j) hs[j] = f(pre[j]);
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

const OpDef& rnn_op() {
  static const OpDef def{.name = "RNN", .versions = {1, 7, 14, 22}, .infer = infer, .reference = reference};
  return def;
}

}  // namespace tandem::ops
