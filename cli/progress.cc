#include "cli/progress.h"

#include <unistd.h>

#include <cstdio>

namespace privet::cli {

Progress::Progress(int total_stages, bool quiet)
    : total_stages_(total_stages),
      enabled_(!quiet && isatty(STDERR_FILENO) == 1),
      start_(std::chrono::steady_clock::now()) {}

Progress::~Progress() {
  if (!enabled_) return;
  FinishLine();
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  std::fprintf(stderr, "[100%%] done in %.1f s\n", seconds);
}

void Progress::Stage(const std::string& name) {
  if (!enabled_) return;
  FinishLine();
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  const int percent = total_stages_ > 0 ? 100 * stage_ / total_stages_ : 0;
  ++stage_;
  // Stay on one line (\r) so the terminal shows the current stage, not a scroll of them.
  std::fprintf(stderr, "\r[%3d%%] %-40s %6.1f s", percent, name.c_str(), seconds);
  std::fflush(stderr);
  line_open_ = true;
}

void Progress::FinishLine() {
  if (line_open_) std::fputc('\n', stderr);
  line_open_ = false;
}

}  // namespace privet::cli
