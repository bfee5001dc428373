#include "privacy/random_source.h"

#include <openssl/rand.h>

#include "privacy/errors.h"

namespace privet::privacy {

RandomSource RandomSource::Secure() {
  RandomSource source;
  source.Refill();  // fail now, not at the first draw, if the CSPRNG is unavailable
  return source;
}

RandomSource RandomSource::Seeded(std::uint64_t seed) {
  RandomSource source;
  source.seeded_ = std::make_unique<boost::random::mt19937_64>(seed);
  return source;
}

void RandomSource::Refill() {
  if (RAND_bytes(reinterpret_cast<unsigned char*>(buffer_.data()),
                 static_cast<int>(sizeof(buffer_))) != 1) {
    throw CryptoError("OpenSSL RAND_bytes failed: the system CSPRNG is not available");
  }
  next_ = 0;
}

RandomSource::result_type RandomSource::operator()() {
  if (seeded_) return (*seeded_)();
  if (next_ == kBufferWords) Refill();
  return buffer_[next_++];
}

std::uint64_t RandomSource::UniformBelow(std::uint64_t bound) {
  if (bound == 0) throw Error("UniformBelow: bound must be positive");
  // Reject the lowest (2^64 mod bound) values: what remains is a whole number of copies of
  // [0, bound), so the result is exactly uniform.
  const std::uint64_t threshold = (0 - bound) % bound;  // 2^64 mod bound
  for (;;) {
    const std::uint64_t draw = (*this)();
    if (draw >= threshold) return draw % bound;
  }
}

}  // namespace privet::privacy
