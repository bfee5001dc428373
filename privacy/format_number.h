// Numbers in error messages and human reports: `significant_digits` significant digits in
// the shortest of fixed or scientific notation (std::ostream's default float format).
#ifndef PRIVET_PRIVACY_FORMAT_NUMBER_H_
#define PRIVET_PRIVACY_FORMAT_NUMBER_H_

#include <sstream>
#include <string>

namespace privet {

inline std::string FormatNumber(double value, int significant_digits = 10) {
  std::ostringstream out;
  out.precision(significant_digits);
  out << value;
  return out.str();
}

}  // namespace privet

#endif  // PRIVET_PRIVACY_FORMAT_NUMBER_H_
