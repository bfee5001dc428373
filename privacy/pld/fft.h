// In-place iterative radix-2 Cooley-Tukey FFT with a stated roundoff bound.
//
// Why our own and not Eigen's unsupported/FFT (kissfft backend): the PLD accountant adds the
// FFT's roundoff to delta, so it needs a proven bound for the exact algorithm it runs. The
// radix-2 Cooley-Tukey FFT with directly computed twiddle factors has one (Higham 2002,
// "Accuracy and Stability of Numerical Algorithms", 2nd ed., Theorem 24.2):
//   ||fl(FFT x) - FFT x||_2 <= log2(N) eta / (1 - log2(N) eta) * ||FFT x||_2,
//   eta = mu + gamma_4 (sqrt(2) + mu), gamma_4 = 4u / (1 - 4u),
// where mu bounds the relative error of each computed twiddle factor and u = 2^-53. The
// twiddles are computed one by one with cos/sin of an exactly representable fraction of pi
// (no recurrence), so mu <= 2u generously; kFftEta below is 10u, above the theorem's
// 2u + 4.0000001u (sqrt(2) + 2u) = 7.66u.
#ifndef PRIVET_PRIVACY_PLD_FFT_H_
#define PRIVET_PRIVACY_PLD_FFT_H_

#include <complex>
#include <cstddef>
#include <span>
#include <vector>

namespace privet::privacy::pld {

inline constexpr double kUnitRoundoff = 0x1p-53;
inline constexpr double kFftEta = 10 * kUnitRoundoff;

// Twiddle factors exp(-2 pi i k / n), k < n/2, for a power-of-two n >= 2.
std::vector<std::complex<double>> FftTwiddles(std::size_t n);

// Unnormalised DFT X_k = sum_j x_j exp(-2 pi i jk/n) (inverse = false) or its conjugate
// transform sum_j x_j exp(+2 pi i jk/n) (inverse = true; the caller divides by n).
// data.size() must be a power of two equal to 2 * twiddles.size(). InputError otherwise.
void Fft(std::span<std::complex<double>> data, std::span<const std::complex<double>> twiddles,
         bool inverse);

// Higham's relative bound log2(N) eta / (1 - log2(N) eta) for size n.
double FftRelativeErrorBound(std::size_t n);

}  // namespace privet::privacy::pld

#endif  // PRIVET_PRIVACY_PLD_FFT_H_
