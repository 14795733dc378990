#!/usr/bin/env bash
# Runs the main job against the project's own Lucca emulator: no Lucca account needed.
#   scripts/demo.sh            tap-lucca -> JSONL files (make demo)
#   scripts/demo.sh warehouse  tap-lucca -> DuckDB, then the dbt models (make warehouse)
set -euo pipefail
cd "$(dirname "$0")/.."

PORT=8765
export TAP_LUCCA_API_KEY=emulator-demo-key
export LUCCA_EMULATOR_API_KEY=$TAP_LUCCA_API_KEY
before=$(date +%s)

# Each start of the emulator changes a few users, so a second demo is incremental.
python -m lucca_emulator --port "$PORT" --users 2500 --seed 42 --activity 25 &
emulator=$!
trap 'kill "$emulator" 2>/dev/null || true' EXIT
for _ in $(seq 50); do
  python -c "import socket; socket.create_connection(('127.0.0.1', $PORT), 0.2)" 2>/dev/null && break
  sleep 0.2
done

if [ "${1:-}" = warehouse ]; then
  mkdir -p output/demo  # target-duckdb creates the file, not its folder
  meltano --environment=demo run tap-lucca target-duckdb dbt-duckdb:build
  echo
  echo "Built in output/demo/warehouse.duckdb: schemas lucca (tables), staging and analytics."
  python - <<'PY'
import duckdb

with duckdb.connect("output/demo/warehouse.duckdb", read_only=True) as db:
    print("Headcount at the end of the last six months:")
    for month_end, headcount, people, fte in db.sql(
        "SELECT month_end, sum(headcount), sum(people_headcount), round(sum(fte_headcount), 1) "
        "FROM analytics.headcount_by_department_month GROUP BY month_end "
        "ORDER BY month_end DESC LIMIT 6"
    ).fetchall():
        print(f"  {month_end}  {headcount:5d} accounts  {people:5d} people  {fte:7.1f} FTE")
PY
  exit
fi

meltano --environment=demo run tap-lucca target-jsonl

echo
echo "Files written by this run (output/demo):"
find output/demo -name '*.jsonl' -newermt "@$before" | sort | while read -r file; do
  printf '  %-66s %7d records\n' "$file" "$(wc -l < "$file")"
done
echo "Run 'make demo' again: the second run only reads the users changed since the first."
