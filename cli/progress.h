// Stage-by-stage progress on stderr for the long-running commands.
//
// Shown only when stderr is a terminal and --quiet was not given, so logs and pipes stay
// clean. Each line names the stage, its position among the command's stages as a percent,
// and the elapsed wall time. Progress lines never carry a statistic of the private data.
#ifndef PRIVET_CLI_PROGRESS_H_
#define PRIVET_CLI_PROGRESS_H_

#include <chrono>
#include <string>

namespace privet::cli {

class Progress {
 public:
  // total_stages: how many Stage() calls the command will make (for the percent).
  Progress(int total_stages, bool quiet);
  ~Progress();
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;

  void Stage(const std::string& name);

 private:
  void FinishLine();

  const int total_stages_;
  const bool enabled_;
  int stage_ = 0;
  bool line_open_ = false;
  std::chrono::steady_clock::time_point start_;
};

}  // namespace privet::cli

#endif  // PRIVET_CLI_PROGRESS_H_
