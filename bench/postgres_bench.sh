#!/bin/bash
# `privet synthesize` on a PostgreSQL source (issue 15): a ROWS x 20 table generated inside
# PostgreSQL with generate_series, on one server or sharded over postgres_fdw, registered on a
# test ledger and synthesized end to end. Records wall time, the time from "charging the ledger"
# to "sampling rows" (the counting phase: every count of the fit, in SQL), registration (the
# validation pass and the commitment) and privet's peak RSS (/usr/bin/time -v).
#
# usage: bench/postgres_bench.sh ROWS...      (starts its own servers with scripts/postgres run,
#                                              once single and once sharded; PRIVET_PG_TMPDIR
#                                              should be a disk folder for 10^7 rows)
#   MODES (default "single sharded"), BUILD_DIR (default build); appends a table row per run to
#   bench/results/<date>-vm-postgres.md. Run it with nice: it loads both cores.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
privet="${BUILD_DIR:-$root/build}/cli/privet"
out="$here/results/$(date -u +%Y-%m-%d)-vm-postgres.md"

if [ "${1:-}" = "--inside" ]; then
  # Inside `scripts/postgres run MODE`: generate, register, synthesize; print one table row.
  rows="$2"
  work="$(mktemp -d)"
  trap 'rm -rf "$work"' EXIT
  psql=(/usr/lib/postgresql/15/bin/psql -X -q -v ON_ERROR_STOP=1)
  columns="id bigint"
  for i in $(seq 0 19); do columns+=", a$i integer"; done
  # Two latent variables make the columns depend on each other in chains (a structure to find).
  select="g"
  for i in $(seq 0 19); do
    select+=", least(99, floor(100 * (0.6 * l$((i % 2)) + 0.4 * random())))::int"
  done
  generate() {  # generate CONNINFO TABLE FIRST LAST
    "${psql[@]}" "$1" -c "INSERT INTO public.$2 SELECT $select FROM (SELECT g, random() AS l0,
      random() AS l1 FROM generate_series($3, $4) AS g) AS latent" -c "ANALYZE public.$2"
  }
  if [ "$PRIVET_PG_MODE" = sharded ]; then
    IFS=';' read -r -a owners <<<"$PRIVET_PG_SHARD_OWNERS"
    read -r -a servers <<<"$PRIVET_PG_SHARD_SERVERS"
    n="${#servers[@]}"
    "${psql[@]}" "$PRIVET_PG_OWNER" -c "CREATE TABLE public.bench ($columns) PARTITION BY HASH (id)"
    for i in $(seq 0 $((n - 1))); do
      # Each shard generates its own rows (inserting through postgres_fdw would send them one
      # by one); hash routing only matters to partition pruning, which no count uses.
      "${psql[@]}" "${owners[$i]}" -c "CREATE TABLE public.bench_p$((i + 1)) ($columns)"
      "${psql[@]}" "$PRIVET_PG_OWNER" -c "CREATE FOREIGN TABLE public.bench_p$((i + 1))
        PARTITION OF public.bench FOR VALUES WITH (MODULUS $n, REMAINDER $i)
        SERVER ${servers[$i]} OPTIONS (schema_name 'public', table_name 'bench_p$((i + 1))')"
      generate "${owners[$i]}" "bench_p$((i + 1))" $((i * rows / n + 1)) $(((i + 1) * rows / n)) &
    done
    wait
  else
    "${psql[@]}" "$PRIVET_PG_OWNER" -c "CREATE TABLE public.bench ($columns)"
    generate "$PRIVET_PG_OWNER" bench 1 "$rows"
  fi
  python3 - "$work/bench.json" <<'EOF'
import json, sys
attributes = [{"name": "id", "type": "ignore"}] + [
    {"name": f"a{i}", "type": "integer", "min": 0, "max": 99, "bins": 10, "nullable": False}
    for i in range(20)]
json.dump({"schema_version": 1, "dataset": {"id": "bench"},
           "source": {"kind": "postgresql", "table": "bench",
                      "connection": {"environment": "PRIVET_PG_READER"}},
           "attributes": attributes}, open(sys.argv[1], "w"))
EOF
  export PRIVET_LEDGER="$work/ledger.db"
  "$privet" keygen --out "$work/keys" >/dev/null
  "$privet" ledger init --test-only >/dev/null
  start=$(date +%s.%N)
  "$privet" dataset register --config "$work/bench.json" --epsilon 10 --delta 1e-6 >/dev/null
  registered=$(date +%s.%N)
  # Progress lines go to a terminal only: script(1) gives synthesize one, and each line is
  # timestamped as it arrives.
  script -qefc "/usr/bin/time -v -o '$work/time.txt' '$privet' synthesize --dataset bench \
    --epsilon 1 --seed 1 --purpose bench --key '$work/keys/privet-signing.key' \
    --out '$work/release' >/dev/null" /dev/null |
    while IFS= read -r line; do echo "$(date +%s.%N) ${line%$'\r'}"; done >"$work/stages.txt"
  charge=$(awk '/charging the ledger/ {print $1; exit}' "$work/stages.txt")
  sampling=$(awk '/sampling rows/ {print $1; exit}' "$work/stages.txt")
  wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$work/time.txt")
  rss=$(awk -F': ' '/Maximum resident set size/ {printf "%.1f", $2 / 1024}' "$work/time.txt")
  synthetic=$(($(wc -l <"$work/release/synthetic.csv") - 1))
  printf '| %s | %s | %s | %.1f | %.1f | %s | %s |\n' "$rows" "$PRIVET_PG_MODE" "$wall" \
    "$(echo "$registered - $start" | bc)" "$(echo "$sampling - $charge" | bc)" "$rss" "$synthetic"
  exit 0
fi

[ $# -ge 1 ] || { sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
if [ ! -f "$out" ]; then
  {
    echo "# privet synthesize on a PostgreSQL source, $(date -u '+%Y-%m-%d')"
    echo
    echo "bench/postgres_bench.sh: a ROWS x 20 integer table (10 bins each, two latent variables)"
    echo "generated inside PostgreSQL 15, registered on a test ledger, \`synthesize --epsilon 1"
    echo "--seed 1\` end to end. counting = from \"charging the ledger\" to \"sampling rows\" (every"
    echo "count of the fit, in SQL); register = validation pass + data commitment."
    echo
    echo "| rows | servers | synthesize wall (m:ss) | register s | counting s | privet peak RSS MB | synthetic rows |"
    echo "|---|---|---|---|---|---|---|"
  } >"$out"
fi
for rows in "$@"; do
  for mode in ${MODES:-single sharded}; do
    echo "postgres_bench: $rows rows, $mode (load $(cut -d' ' -f1-3 /proc/loadavg))" >&2
    "$root/scripts/postgres" run "$mode" -- "$0" --inside "$rows" | tee -a "$out"
  done
done
