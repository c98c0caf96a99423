// The discrete Fourier transform of one line, shared by DFT and STFT.
#pragma once

#include <complex>
#include <cstddef>
#include <numbers>
#include <span>
#include <vector>

namespace tandem::ops {

/// An n-point DFT, forward (e^{-2 pi i jk/n}) or inverse (e^{+2 pi i jk/n}, divided by n), in
/// double precision. Powers of two take a radix-2 FFT; other lengths the direct sum over a table
/// of the n twiddles, indexed by jk mod n so that no angle loses precision.
class FourierPlan {
 public:
  FourierPlan(size_t n, bool inverse) : n_(n), inverse_(inverse), twiddle_(n) {
    const double sign = inverse ? 1.0 : -1.0;
    for (size_t k = 0; k < n; ++k)
      twiddle_[k] = std::polar(1.0, sign * 2.0 * std::numbers::pi * double(k) / double(n));
  }

  size_t size() const { return n_; }

  /// x and y hold n values each and must not overlap.
  void transform(std::span<const std::complex<double>> x, std::span<std::complex<double>> y) const {
    if (n_ == 0) return;
    if ((n_ & (n_ - 1)) == 0) {
      fft(x, y);
    } else {
      for (size_t k = 0; k < n_; ++k) {
        std::complex<double> sum = 0;
        size_t index = 0;  // j * k mod n, advanced by k each step
        for (size_t j = 0; j < n_; ++j) {
          sum += x[j] * twiddle_[index];
          index += k;
          if (index >= n_) index -= n_;
        }
        y[k] = sum;
      }
    }
    if (inverse_)
      for (size_t k = 0; k < n_; ++k) y[k] /= double(n_);
  }

 private:
  void fft(std::span<const std::complex<double>> x, std::span<std::complex<double>> y) const {
    size_t bits = 0;
    while ((size_t(1) << bits) < n_) ++bits;
    for (size_t i = 0; i < n_; ++i) {
      size_t r = 0;
      for (size_t b = 0; b < bits; ++b) r |= ((i >> b) & 1) << (bits - 1 - b);
      y[r] = x[i];
    }
    for (size_t len = 2; len <= n_; len <<= 1) {
      const size_t stride = n_ / len;
      for (size_t start = 0; start < n_; start += len) {
        for (size_t k = 0; k < len / 2; ++k) {
          const std::complex<double> t = twiddle_[k * stride] * y[start + k + len / 2];
          y[start + k + len / 2] = y[start + k] - t;
          y[start + k] += t;
        }
      }
    }
  }

  size_t n_;
  bool inverse_;
  std::vector<std::complex<double>> twiddle_;
};

}  // namespace tandem::ops
