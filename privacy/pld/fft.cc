#include "privacy/pld/fft.h"

#include <bit>
#include <cmath>
#include <numbers>
#include <utility>

#include "privacy/errors.h"

namespace privet::privacy::pld {

std::vector<std::complex<double>> FftTwiddles(std::size_t n) {
  if (n < 2 || !std::has_single_bit(n)) throw InputError("fft: size must be a power of two >= 2");
  std::vector<std::complex<double>> twiddles(n / 2);
  for (std::size_t k = 0; k < n / 2; ++k) {
    // k / n is exact (n is a power of two), so only cos/sin round: mu <= 2u.
    const double angle =
        -2.0 * std::numbers::pi * (static_cast<double>(k) / static_cast<double>(n));
    twiddles[k] = {std::cos(angle), std::sin(angle)};
  }
  return twiddles;
}

void Fft(std::span<std::complex<double>> data, std::span<const std::complex<double>> twiddles,
         bool inverse) {
  const std::size_t n = data.size();
  if (n < 2 || !std::has_single_bit(n) || twiddles.size() * 2 != n) {
    throw InputError("fft: data size must be a power of two equal to twice the twiddle count");
  }
  // Bit-reversal permutation, then log2(n) butterfly stages (decimation in time).
  for (std::size_t i = 1, j = 0; i < n; ++i) {
    std::size_t bit = n >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) std::swap(data[i], data[j]);
  }
  for (std::size_t length = 2; length <= n; length <<= 1) {
    const std::size_t half = length / 2;
    const std::size_t stride = n / length;
    for (std::size_t start = 0; start < n; start += length) {
      for (std::size_t k = 0; k < half; ++k) {
        // Written out rather than std::complex's operator*, which calls the slow
        // inf/nan-aware __muldc3; every value here is finite.
        const double wr = twiddles[k * stride].real();
        const double wi = inverse ? -twiddles[k * stride].imag() : twiddles[k * stride].imag();
        const std::complex<double> x = data[start + k + half];
        const std::complex<double> odd{wr * x.real() - wi * x.imag(),
                                       wr * x.imag() + wi * x.real()};
        data[start + k + half] = data[start + k] - odd;
        data[start + k] += odd;
      }
    }
  }
}

double FftRelativeErrorBound(std::size_t n) {
  const double stages = static_cast<double>(std::bit_width(n) - 1);
  return stages * kFftEta / (1.0 - stages * kFftEta);
}

}  // namespace privet::privacy::pld
