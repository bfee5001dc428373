// libFuzzer target: the config parser, as Schema::Load runs it on a config file's bytes
// (privacy/bounded_json.h, then engine::Schema::FromJson). A valid config's CSV is not
// opened: FromJson only resolves its path. Anything but a Schema or an InputError is a bug.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "engine/table/schema.h"
#include "privacy/bounded_json.h"
#include "privacy/errors.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    const privet::engine::Schema schema = privet::engine::Schema::FromJson(
        privet::ParseBoundedJson(text, "fuzz.json"), "/nonexistent", "fuzz.json");
    (void)schema;
  } catch (const privet::InputError&) {
  }
  return 0;
}
