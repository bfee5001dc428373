# Shared by the shell end-to-end tests (source it; bash only):
#   e2e_scratch           a fresh temporary folder in $work, removed by an EXIT trap
#   fail MESSAGE...       prints "FAIL: MESSAGE" to stderr and exits 1
#   expect_code CODE COMMAND...
#                         runs COMMAND with its stdout in $work/out.txt and its stderr in
#                         $work/err.txt, and fails (showing both) unless it exits with CODE
work=""

e2e_scratch() {
  work="$(mktemp -d)"
  trap 'rm -rf "$work"' EXIT
}

fail() { echo "FAIL: $*" >&2; exit 1; }

expect_code() {
  local want="$1"; shift
  set +e; "$@" >"$work/out.txt" 2>"$work/err.txt"; local got=$?; set -e
  [ "$got" -eq "$want" ] || { cat "$work/out.txt" "$work/err.txt" >&2; fail "exit $got, wanted $want: $*"; }
}
