#include "privacy/pld/privacy_loss_distribution.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <complex>
#include <limits>

#include "privacy/errors.h"
#include "privacy/pld/fft.h"

namespace privet::privacy::pld {
namespace {

constexpr double kInfinity = std::numeric_limits<double>::infinity();

void RequireInterval(double interval) {
  if (!std::isfinite(interval) || interval <= 0) {
    throw InputError("pld: the discretisation interval must be a finite number > 0");
  }
}

// Grid index j with j h <= loss < (j + 1) h, corrected for the rounding of loss / h.
std::int64_t FloorIndex(double loss, double interval) {
  auto j = static_cast<std::int64_t>(std::floor(loss / interval));
  while (interval * static_cast<double>(j) > loss) --j;
  while (interval * static_cast<double>(j + 1) <= loss) ++j;
  return j;
}

std::complex<double> Multiply(std::complex<double> a, std::complex<double> b) {
  // Written out: std::complex's operator* calls the slow inf/nan-aware __muldc3.
  return {a.real() * b.real() - a.imag() * b.imag(), a.real() * b.imag() + a.imag() * b.real()};
}

// A measure's positive atoms as (log mass, loss), for its moment generating function.
struct LogAtoms {
  std::vector<double> log_mass;
  std::vector<double> loss;
};

LogAtoms PositiveAtoms(const DiscretePld& pld) {
  LogAtoms atoms;
  for (std::size_t i = 0; i < pld.masses.size(); ++i) {
    if (pld.masses[i] > 0) {
      atoms.log_mass.push_back(std::log(pld.masses[i]));
      atoms.loss.push_back(pld.LossAt(i));
    }
  }
  return atoms;
}

// log of sum_i m_i exp(t l_i) (a finite measure's moment generating function at t).
double LogMoment(const LogAtoms& atoms, double t) {
  double top = -kInfinity;
  for (std::size_t i = 0; i < atoms.loss.size(); ++i) {
    top = std::max(top, atoms.log_mass[i] + t * atoms.loss[i]);
  }
  if (top == -kInfinity) return -kInfinity;
  double sum = 0;
  for (std::size_t i = 0; i < atoms.loss.size(); ++i) {
    sum += std::exp(atoms.log_mass[i] + t * atoms.loss[i] - top);
  }
  return top + std::log(sum);
}

}  // namespace

double DiscretePld::Delta(double epsilon) const {
  double delta = infinity_mass;
  for (std::size_t i = 0; i < masses.size(); ++i) {
    const double loss = LossAt(i);
    if (loss > epsilon) delta += masses[i] * -std::expm1(epsilon - loss);
  }
  return delta;
}

double DiscretePld::EpsilonForDelta(double delta) const {
  if (!(delta > 0 && delta < 1)) throw InputError("pld: delta must be in (0, 1)");
  if (infinity_mass >= delta) return kInfinity;
  // On [l_{i-1}, l_i] (both >= 0) H(epsilon) = infinity_mass + S0_i - exp(epsilon) S1_i with
  // S0_i = sum_{k >= i} m_k and S1_i = sum_{k >= i} m_k exp(-l_k): scan down from the top.
  // Only positive losses enter, so exp(-l) <= 1 never overflows.
  double s0 = 0;
  double s1 = 0;
  for (std::size_t i = masses.size(); i-- > 0;) {
    const double loss = LossAt(i);
    if (loss <= 0) break;
    s0 += masses[i];
    s1 += masses[i] * std::exp(-loss);
    const double below =
        std::max(0.0, interval * static_cast<double>(offset + static_cast<std::int64_t>(i) - 1));
    const double at_below = infinity_mass + s0 - std::exp(below) * s1;
    if (at_below > delta) {
      // The root of infinity_mass + s0 - exp(epsilon) s1 = delta lies in (below, loss].
      const double epsilon = std::log((infinity_mass + s0 - delta) / s1);
      return std::clamp(epsilon, below, loss) * (1 + 1e-12) + 1e-15;
    }
  }
  return 0.0;
}

DiscretePld DiscretiseAtoms(std::span<const LossAtom> atoms, double infinity_mass,
                            double interval) {
  RequireInterval(interval);
  DiscretePld pld;
  pld.interval = interval;
  pld.infinity_mass = infinity_mass;
  if (atoms.empty()) return pld;
  std::int64_t low = std::numeric_limits<std::int64_t>::max();
  std::int64_t high = std::numeric_limits<std::int64_t>::min();
  for (const LossAtom& atom : atoms) {
    if (!std::isfinite(atom.loss) || !(atom.probability >= 0)) {
      throw InputError("pld: an atom needs a finite loss and a probability >= 0");
    }
    const std::int64_t j = FloorIndex(atom.loss, interval);
    low = std::min(low, j);
    high = std::max(high, j + 1);
  }
  pld.offset = low;
  pld.masses.assign(static_cast<std::size_t>(high - low + 1), 0.0);
  for (const LossAtom& atom : atoms) {
    const std::int64_t j = FloorIndex(atom.loss, interval);
    const double excess = atom.loss - interval * static_cast<double>(j);  // in [0, h)
    // Connect the dots: keep E_P[1] and E_P[exp(-L)] (Doroshenko et al. 2022).
    const double upper = std::clamp(atom.probability * std::expm1(-excess) / std::expm1(-interval),
                                    0.0, atom.probability);
    pld.masses[static_cast<std::size_t>(j - low)] += atom.probability - upper;
    pld.masses[static_cast<std::size_t>(j + 1 - low)] += upper;
  }
  return pld;
}

DiscretePld DiscretiseSymmetricCurve(const std::function<double(double)>& delta_up,
                                     double epsilon_max, double interval) {
  RequireInterval(interval);
  if (!std::isfinite(epsilon_max) || epsilon_max < 0) {
    throw InputError("pld: epsilon_max must be a finite number >= 0");
  }
  const auto top = static_cast<std::int64_t>(std::ceil(epsilon_max / interval));
  // Points (x, H) with x = exp(j h); x = 0 carries H = 1.
  struct Point {
    std::int64_t index;
    double x;
    double y;
  };
  std::vector<Point> points;
  points.reserve(static_cast<std::size_t>(2 * top + 2));
  points.push_back({0, 0.0, 1.0});
  double running = 1.0;
  for (std::int64_t j = -top; j <= top; ++j) {
    const double epsilon = interval * static_cast<double>(j);
    double bound;
    if (j >= 0) {
      bound = delta_up(epsilon);
    } else {
      // Swap identity for a family closed under swapping P and Q.
      const double mirrored = delta_up(-epsilon);
      bound = -std::expm1(epsilon) + std::exp(epsilon) * mirrored;
    }
    running = std::min(running, std::clamp(bound, 0.0, 1.0));  // H is non-increasing in x
    points.push_back({j, std::exp(epsilon), running});
  }
  // Greatest convex minorant: the lower convex hull (monotone chain).
  std::vector<Point> hull;
  for (const Point& p : points) {
    while (hull.size() >= 2) {
      const Point& o = hull[hull.size() - 2];
      const Point& a = hull.back();
      if ((a.x - o.x) * (p.y - o.y) - (a.y - o.y) * (p.x - o.x) <= 0) {
        hull.pop_back();
      } else {
        break;
      }
    }
    hull.push_back(p);
  }
  DiscretePld pld;
  pld.interval = interval;
  pld.offset = -top;
  pld.masses.assign(static_cast<std::size_t>(2 * top + 1), 0.0);
  pld.infinity_mass = hull.back().y;
  // A vertex at x_k with slopes s_k (left) and s_{k+1} (right, 0 after the last vertex)
  // carries mass x_k (s_{k+1} - s_k): the measure whose curve is the hull.
  for (std::size_t k = 1; k < hull.size(); ++k) {
    const double left = (hull[k].y - hull[k - 1].y) / (hull[k].x - hull[k - 1].x);
    const double right =
        k + 1 < hull.size() ? (hull[k + 1].y - hull[k].y) / (hull[k + 1].x - hull[k].x) : 0.0;
    pld.masses[static_cast<std::size_t>(hull[k].index + top)] +=
        std::max(0.0, hull[k].x * (right - left));
  }
  return pld;
}

std::optional<DiscretePld> Compose(std::span<const PldGroup> groups,
                                   const CompositionLimits& limits) {
  if (groups.empty()) throw InputError("pld: nothing to compose");
  const double interval = groups.front().pld->interval;
  // Atoms at +infinity: prod T_g^c - prod F_g^c, T total and F finite mass.
  double log_total = 0;
  double log_ratio = 0;  // log(prod F^c / prod T^c), accurate for tiny infinity masses
  double natural_low = 0;
  double natural_high = 0;
  for (const PldGroup& group : groups) {
    if (group.pld->interval != interval) throw InputError("pld: groups on different grids");
    double finite = 0;
    for (double m : group.pld->masses) finite += m;
    const double total = finite + group.pld->infinity_mass;
    const auto count = static_cast<double>(group.count);
    log_total += count * std::log(total);
    log_ratio += count * std::log1p(-group.pld->infinity_mass / total);
    natural_low += count * static_cast<double>(group.pld->offset);
    natural_high +=
        count * static_cast<double>(group.pld->offset +
                                    static_cast<std::int64_t>(group.pld->masses.size()) - 1);
  }
  const double infinity_mass = std::exp(log_total) * -std::expm1(log_ratio);

  // The window: the natural support, cut by Chernoff bounds where that is narrower
  // (for a finite measure too, nu(S >= U) <= exp(-tU) integral exp(tS) d nu).
  double low = natural_low;
  double high = natural_high;
  double folded_bound = 0;
  if (high - low + 1 > 4096) {
    double best_high = kInfinity;
    double best_low = -kInfinity;
    std::vector<LogAtoms> atoms;
    for (const PldGroup& group : groups) atoms.push_back(PositiveAtoms(*group.pld));
    const double log_tail = std::log(limits.tail_mass);
    for (int k = 0; k <= 15; ++k) {
      const double t = std::pow(10.0, -2.0 + 5.0 * k / 15.0);
      double up = 0;
      double down = 0;
      for (std::size_t g = 0; g < groups.size(); ++g) {
        up += static_cast<double>(groups[g].count) * LogMoment(atoms[g], t);
        down += static_cast<double>(groups[g].count) * LogMoment(atoms[g], -t);
      }
      best_high = std::min(best_high, (up - log_tail) / t);  // in nats
      best_low = std::max(best_low, -(down - log_tail) / t);
    }
    // Each side's bound holds up to the rounding of the log-sum-exp: inflate it.
    if (std::ceil(best_high / interval) < high) {
      high = std::ceil(best_high / interval);
      folded_bound += limits.tail_mass * (1 + 1e-6);
    }
    if (std::floor(best_low / interval) > low) {
      low = std::floor(best_low / interval);
      folded_bound += limits.tail_mass * (1 + 1e-6);
    }
  }
  if (!(high - low + 1 <= static_cast<double>(limits.max_size))) return std::nullopt;
  const std::size_t n =
      std::max<std::size_t>(2, std::bit_ceil(static_cast<std::size_t>(high - low + 1)));
  if (static_cast<double>(groups.size()) * static_cast<double>(n) *
          static_cast<double>(std::bit_width(n)) >
      limits.max_work) {
    return std::nullopt;
  }
  const auto window_low = static_cast<std::int64_t>(low);
  const auto size = static_cast<std::int64_t>(n);

  const std::vector<std::complex<double>> twiddles = FftTwiddles(n);
  const double fft_relative = FftRelativeErrorBound(n);
  std::vector<std::complex<double>> product(n, {1.0, 0.0});
  std::vector<double> magnitude(n, 1.0);  // bounds |true| and |computed| product
  std::vector<double> error(n, 0.0);      // bounds |computed - true| product
  std::vector<std::complex<double>> buffer(n);
  for (const PldGroup& group : groups) {
    std::fill(buffer.begin(), buffer.end(), std::complex<double>{});
    double norm2 = 0;
    for (std::size_t i = 0; i < group.pld->masses.size(); ++i) {
      const double m = group.pld->masses[i];
      if (m == 0) continue;
      // Index i goes to position i mod n: sums of indices then land on their sum mod n.
      const std::int64_t index = group.pld->offset + static_cast<std::int64_t>(i);
      buffer[static_cast<std::size_t>(((index % size) + size) % size)] += m;
      norm2 += m * m;
    }
    Fft(buffer, twiddles, /*inverse=*/false);
    // ||FFT x||_2 = sqrt(n) ||x||_2 (Parseval), so each coefficient is off by at most this.
    const double coefficient_error =
        fft_relative * std::sqrt(static_cast<double>(n) * norm2) * (1 + 1e-10);
    const auto count = static_cast<double>(group.count);
    for (std::size_t j = 0; j < n; ++j) {
      const std::complex<double> z = buffer[j];
      const double r = std::abs(z);
      std::complex<double> power = z;
      double power_error = coefficient_error;
      if (group.count != 1) {
        // Binary powering (repeated squaring): about 2 log2(count) complex products; the
        // same powering on the real bound r + e gives (r + e)^(count - 1).
        const double bound = r + coefficient_error;
        power = {1.0, 0.0};
        std::complex<double> base = z;
        double bound_power = 1.0;  // bound^(count - 1)
        double bound_base = bound;
        int products = 0;
        for (std::uint64_t e = group.count; e > 0; e >>= 1) {
          if (e & 1) {
            power = Multiply(power, base);
            ++products;
          }
          if (e > 1) {
            base = Multiply(base, base);
            ++products;
          }
        }
        for (std::uint64_t e = group.count - 1; e > 0; e >>= 1) {
          if (e & 1) bound_power *= bound_base;
          bound_base *= bound_base;
        }
        // |a^c - b^c| <= c max(|a|,|b|)^(c-1) |a - b| for the input's error, plus the
        // products' rounding: each complex product is off by at most sqrt(5) u relative
        // (Brent, Percival, Zimmermann 2007), so products * 3u relative of bound^c, with room
        // (the real powering's own rounding is relative 2 log2(count) u, inside the 3u).
        power_error = count * bound_power * coefficient_error * (1 + 1e-12) +
                      bound_power * bound * (products + 1) * 3 * kUnitRoundoff;
      }
      const double power_magnitude = std::abs(power) + power_error;
      const std::complex<double> p = product[j];
      product[j] = Multiply(p, power);
      error[j] = error[j] * power_magnitude + magnitude[j] * power_error +
                 4 * kUnitRoundoff * magnitude[j] * power_magnitude;
      magnitude[j] *= power_magnitude;
    }
  }
  double error_norm2 = 0;
  double magnitude_norm2 = 0;
  for (std::size_t j = 0; j < n; ++j) {
    error_norm2 += error[j] * error[j];
    magnitude_norm2 += magnitude[j] * magnitude[j];
  }
  Fft(product, twiddles, /*inverse=*/true);
  // L1 error of the result <= sqrt(n) L2 error = ||error||_2 + fft_relative ||product||_2
  // (dividing by n, a power of two, is exact).
  const double fft_error =
      (std::sqrt(error_norm2) + fft_relative * std::sqrt(magnitude_norm2)) * (1 + 1e-10);

  DiscretePld result;
  result.interval = interval;
  result.offset = window_low;
  result.masses.resize(n);
  for (std::size_t i = 0; i < n; ++i) {
    const std::int64_t index = window_low + static_cast<std::int64_t>(i);
    const auto position = static_cast<std::size_t>(((index % size) + size) % size);
    result.masses[i] = std::max(0.0, product[position].real() / static_cast<double>(n));
  }
  result.infinity_mass = infinity_mass + fft_error + folded_bound;
  return result;
}

}  // namespace privet::privacy::pld
