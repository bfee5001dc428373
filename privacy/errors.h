// The error hierarchy every privet module throws, and the CLI exit code of each class.
//
// Errors are exceptions (C++ Core Guidelines E.2): each carries one line of text that names
// the file, line or field at fault and says what to do. The CLI prints that line alone on
// stderr and exits with the class's code, so scripts can tell a budget refusal from a bad
// file without parsing text. Third-party errors (OpenSSL, SQLite, JSON) are wrapped into one
// of these where they are caught.
#ifndef PRIVET_PRIVACY_ERRORS_H_
#define PRIVET_PRIVACY_ERRORS_H_

#include <stdexcept>
#include <string>

namespace privet {

// Exit codes of the `privet` binary. 0 is success; 2 is reserved for command-line usage
// errors (CLI11's own parse errors map there too).
enum class ExitCode : int {
  kOk = 0,
  kInternal = 1,
  kUsage = 2,
  kInput = 3,
  kBudgetExceeded = 4,
  kIntegrity = 5,
  kCrypto = 6,
  kStorage = 7,
  // `--plan` only: the planned release would be refused (per-release cap or budget); nothing
  // was charged (release/budget_preview.h).
  kPlanRefused = 8,
};

class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& message) : std::runtime_error(message) {}
  virtual ExitCode exit_code() const { return ExitCode::kInternal; }
};

// A command line that asks for something impossible (conflicting or missing options).
class UsageError : public Error {
 public:
  using Error::Error;
  ExitCode exit_code() const override { return ExitCode::kUsage; }
};

// Bad data, config or parameter supplied by the user: a ragged CSV row, an unknown
// attribute type, epsilon <= 0. The message names the file/line/field.
class InputError : public Error {
 public:
  using Error::Error;
  ExitCode exit_code() const override { return ExitCode::kInput; }
};

// A request that would take a dataset past its budget or a per-release cap. The message
// says what is left.
class BudgetExceeded : public Error {
 public:
  using Error::Error;
  ExitCode exit_code() const override { return ExitCode::kBudgetExceeded; }
};

// Something that should be intact is not: a signature or digest that does not verify, a
// broken ledger hash chain, an attestation inconsistent with its ledger.
class IntegrityError : public Error {
 public:
  using Error::Error;
  ExitCode exit_code() const override { return ExitCode::kIntegrity; }
};

// Key generation, loading or signing failed inside OpenSSL.
class CryptoError : public Error {
 public:
  using Error::Error;
  ExitCode exit_code() const override { return ExitCode::kCrypto; }
};

// The ledger database or an output file could not be read or written.
class StorageError : public Error {
 public:
  using Error::Error;
  ExitCode exit_code() const override { return ExitCode::kStorage; }
};

}  // namespace privet

#endif  // PRIVET_PRIVACY_ERRORS_H_
