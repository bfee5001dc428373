// Strict parsing of the officer's budget options (`budget init`, `dataset register`): numbers
// are plain decimals, checked where they enter (HOUSE_STYLE, "Errors").
#ifndef PRIVET_CLI_NUMBER_OPTIONS_H_
#define PRIVET_CLI_NUMBER_OPTIONS_H_

#include <string>

#include "privacy/ledger.h"

namespace privet::cli {

// A plain decimal such as 1, 0.5, 1e-6: digits, one point, an exponent. Hexadecimal floats
// (0x10), "inf" and "nan", which strtod accepts, are refused. InputError names the option.
double ParseDecimal(const std::string& option, const std::string& text);
// A finite epsilon > 0.
double ParseEpsilon(const std::string& option, const std::string& text);
// A delta in [0, 1).
double ParseDelta(const std::string& option, const std::string& text);
// --epsilon, --delta and the optional --per-release-epsilon (empty = none) as a budget; the
// cap may not exceed the total.
privacy::Budget ParseBudget(const std::string& epsilon, const std::string& delta,
                            const std::string& per_release_epsilon);

// Who acts, when not given: $USER, else "unknown".
std::string DefaultOwner();

}  // namespace privet::cli

#endif  // PRIVET_CLI_NUMBER_OPTIONS_H_
