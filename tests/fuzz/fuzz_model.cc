// libFuzzer target: the model loader (engine::BayesNetModel::FromText, what `privet sample`
// runs on a released model.json), then the schema the model embeds. Anything but a model or
// an InputError is a bug.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "engine/generator/model.h"
#include "privacy/errors.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    const privet::engine::BayesNetModel model =
        privet::engine::BayesNetModel::FromText(text, "fuzz-model.json");
    (void)model.LoadSchema();
    (void)model.ToJson();
  } catch (const privet::InputError&) {
  }
  return 0;
}
