#include "cli/progress.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <exception>
#include <string>

namespace privet::cli {

Progress::Progress(int total_stages, bool quiet)
    : total_stages_(total_stages), enabled_(!quiet && isatty(STDERR_FILENO) == 1) {}

Progress::~Progress() {
  if (!enabled_) return;
  // Printed when the work is over and before the caller prints its summary (callers end the
  // Progress's scope first), unless the command failed: then the error line follows instead.
  if (std::uncaught_exceptions() == 0) std::fprintf(stderr, "[100%%] done\n");
  std::fflush(stderr);
}

void Progress::Stage(std::string_view name) {
  if (!enabled_) return;
  const int percent = total_stages_ > 0 ? std::min(99, 100 * stage_ / total_stages_) : 0;
  ++stage_;
  // One ended line per stage: nothing printed later (the summary on stdout, an error) can run
  // into it, and a scroll-back shows every stage the command went through.
  const std::string text(name);
  std::fprintf(stderr, "[%3d%%] %s\n", percent, text.c_str());
  std::fflush(stderr);
}

release::StageCallback Progress::Callback() {
  return [this](std::string_view name) { Stage(name); };
}

}  // namespace privet::cli
