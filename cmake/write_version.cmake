# Writes OUTPUT (privet/version.h) from cmake/version.h.in with the current git commit.
# Run at every build (the privet_version target), not only at configure time, so an
# attestation never names a stale commit. configure_file rewrites the header only when its
# content changes, so an unchanged commit triggers no rebuild.
execute_process(
  COMMAND git rev-parse --short=12 HEAD
  WORKING_DIRECTORY ${SOURCE_DIR}
  OUTPUT_VARIABLE PRIVET_BUILD_COMMIT
  OUTPUT_STRIP_TRAILING_WHITESPACE
  ERROR_QUIET)
if(NOT PRIVET_BUILD_COMMIT)
  set(PRIVET_BUILD_COMMIT "unknown")
endif()
execute_process(
  COMMAND git status --porcelain --untracked-files=no
  WORKING_DIRECTORY ${SOURCE_DIR}
  OUTPUT_VARIABLE PRIVET_DIRTY
  OUTPUT_STRIP_TRAILING_WHITESPACE
  ERROR_QUIET)
if(PRIVET_DIRTY)
  # Built from uncommitted changes: say so rather than claim the commit.
  string(APPEND PRIVET_BUILD_COMMIT "-modified")
endif()
set(PROJECT_VERSION ${VERSION})
configure_file(${SOURCE_DIR}/cmake/version.h.in ${OUTPUT} @ONLY)
