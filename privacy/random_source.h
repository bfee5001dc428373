// The one source of random bits for privacy-protecting noise.
//
// `RandomSource` is a UniformRandomBitGenerator (C++ [rand.req.urng]) with two modes:
//   - Secure(): bits from OpenSSL's CSPRNG (RAND_bytes), buffered. Every release uses this.
//   - Seeded(seed): a Boost.Random mt19937_64, for tests and for explicitly seeded CLI runs,
//     whose attestations say "seeded: not for release".
// Randomness is always passed in by reference (abseil's BitGenRef idea), never global, so a
// test can drive exactly the code path a release runs with a reproducible stream.
#ifndef PRIVET_PRIVACY_RANDOM_SOURCE_H_
#define PRIVET_PRIVACY_RANDOM_SOURCE_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <memory>

#include <boost/random/mersenne_twister.hpp>

namespace privet::privacy {

class RandomSource {
 public:
  using result_type = std::uint64_t;

  // Bits from OpenSSL's CSPRNG. Throws CryptoError if OpenSSL cannot supply them.
  static RandomSource Secure();
  // A reproducible stream for tests and not-for-release runs.
  static RandomSource Seeded(std::uint64_t seed);

  RandomSource(RandomSource&&) noexcept = default;
  RandomSource& operator=(RandomSource&&) noexcept = default;
  RandomSource(const RandomSource&) = delete;
  RandomSource& operator=(const RandomSource&) = delete;

  static constexpr result_type min() { return 0; }
  static constexpr result_type max() { return std::numeric_limits<result_type>::max(); }
  result_type operator()();

  // True for the CSPRNG mode; the CLI records the mode in every attestation.
  bool is_secure() const { return seeded_ == nullptr; }

  // A uniform integer in [0, bound), bound > 0, without modulo bias (rejection sampling).
  std::uint64_t UniformBelow(std::uint64_t bound);

 private:
  RandomSource() = default;
  void Refill();

  // 512 bytes per RAND_bytes call amortises the call overhead over 64 draws.
  static constexpr std::size_t kBufferWords = 64;
  std::array<result_type, kBufferWords> buffer_{};
  std::size_t next_ = kBufferWords;
  std::unique_ptr<boost::random::mt19937_64> seeded_;
};

}  // namespace privet::privacy

#endif  // PRIVET_PRIVACY_RANDOM_SOURCE_H_
