# Sourced by the report e2e tests: makes a stand-in "synthetic" table from a real CSV. The
# report does not care where a synthetic file comes from, and a deterministic perturbed copy
# gives small but non-zero distances without depending on the generator.
#
# make_synthetic REAL OUT KEEP_EVERY DROP_COLUMNS SHIFT_COLUMN
#   keeps every KEEP_EVERY-th data row, drops the first DROP_COLUMNS columns (identifiers the
#   synthetic file never has), and in every 4th kept row replaces column SHIFT_COLUMN (1-based,
#   after dropping) with the previous kept row's value, which breaks some of its relationships.
#   Fields must not contain quoted commas (true of the shipped fixtures).
make_synthetic() {
  awk -F, -v OFS=, -v keep="$3" -v drop="$4" -v shift_col="$5" '
    function emit(   i, line) {
      line = ""
      for (i = drop + 1; i <= NF; i++) line = line (i > drop + 1 ? OFS : "") $i
      print line
    }
    NR == 1 { emit(); next }
    (NR - 1) % keep == 0 {
      kept++
      current = $(drop + shift_col)
      if (kept % 4 == 0 && previous != "") $(drop + shift_col) = previous
      previous = current
      emit()
    }' "$1" > "$2"
}
