// Stage-by-stage progress on stderr for the long-running commands.
//
// Shown only when stderr is a terminal and --quiet was not given, so logs and pipes stay
// clean. Each stage is one ended line naming it and its position among the command's stages as
// a percent; "[100%] done" ends the work before the command prints its summary on stdout.
// No timings: on a release path the time a stage takes grows with the number of rows, an
// un-noised statistic of the private data (docs/privacy.md, "Threat model").
#ifndef PRIVET_CLI_PROGRESS_H_
#define PRIVET_CLI_PROGRESS_H_

#include <string_view>

#include "release/release_request.h"

namespace privet::cli {

class Progress {
 public:
  // total_stages: how many Stage() calls the command will make (for the percent).
  Progress(int total_stages, bool quiet);
  ~Progress();
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;

  void Stage(std::string_view name);
  // A callback for release/ that calls Stage; valid while this object lives.
  release::StageCallback Callback();

 private:
  const int total_stages_;
  const bool enabled_;
  int stage_ = 0;
};

}  // namespace privet::cli

#endif  // PRIVET_CLI_PROGRESS_H_
