#include "cli/progress.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <string>

namespace privet::cli {

Progress::Progress(int total_stages, bool quiet)
    : total_stages_(total_stages), enabled_(!quiet && isatty(STDERR_FILENO) == 1) {}

Progress::~Progress() {
  if (!enabled_) return;
  FinishLine();
  std::fprintf(stderr, "[100%%] done\n");
}

void Progress::Stage(std::string_view name) {
  if (!enabled_) return;
  FinishLine();
  const int percent = total_stages_ > 0 ? std::min(99, 100 * stage_ / total_stages_) : 0;
  ++stage_;
  // Stay on one line (\r) so the terminal shows the current stage, not a scroll of them.
  const std::string text(name);
  std::fprintf(stderr, "\r[%3d%%] %-40s", percent, text.c_str());
  std::fflush(stderr);
  line_open_ = true;
}

release::StageCallback Progress::Callback() {
  return [this](std::string_view name) { Stage(name); };
}

void Progress::FinishLine() {
  if (line_open_) std::fputc('\n', stderr);
  line_open_ = false;
}

}  // namespace privet::cli
