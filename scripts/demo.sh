#!/usr/bin/env bash
# Runs the tap against the project's own Lucca emulator: no Lucca account needed.
#   scripts/demo.sh            legacy API (API key) -> JSONL files (make demo)
#   scripts/demo.sh new-api    new Lucca API (OAuth client) -> JSONL files (make demo-new-api)
#   scripts/demo.sh warehouse  legacy API -> DuckDB, then the dbt models (make warehouse)
# DEMO_PORT=8766 runs it on another port than the demo environment's 8765; DEMO_USERS=300
# on a tenant of another size (default: 2,500, or 1,000 for the new API).
set -euo pipefail
cd "$(dirname "$0")/.."

mode=${1:-legacy}
case $mode in legacy | new-api | warehouse) ;; *)
  echo "usage: scripts/demo.sh [new-api|warehouse]" >&2
  exit 2
  ;;
esac

# The demo speaks to the emulator only: none of the shell's TAP_LUCCA_* settings (a
# real tenant's URL or key) may take it elsewhere.
for variable in $(compgen -e); do
  if [[ $variable == TAP_LUCCA_* ]]; then unset "$variable"; fi
done
PORT=${DEMO_PORT:-8765}
export TAP_LUCCA_API_URL=http://127.0.0.1:$PORT
export TAP_LUCCA_OAUTH_TOKEN_URL=$TAP_LUCCA_API_URL/connect/token
if [ "$mode" = new-api ]; then
  export TAP_LUCCA_CLIENT_ID=emulator-client TAP_LUCCA_CLIENT_SECRET=emulator-secret
  export LUCCA_EMULATOR_CLIENT_SECRET=$TAP_LUCCA_CLIENT_SECRET
  output=output/demo/new-api
  # Its pages hold 100 records at most, at Lucca's 50 requests a minute: about a minute.
  users=${DEMO_USERS:-1000}
else
  export TAP_LUCCA_API_KEY=emulator-demo-key
  export LUCCA_EMULATOR_API_KEY=$TAP_LUCCA_API_KEY
  output=output/demo
  users=${DEMO_USERS:-2500}
fi
before=$(date +%s)

# Each start of the emulator changes a few users, so a second demo is incremental.
started=$(mktemp)
python -m lucca_emulator --port "$PORT" --users "$users" --seed 42 --activity 25 >"$started" 2>&1 &
emulator=$!
trap 'kill "$emulator" 2>/dev/null || true; rm -f "$started"' EXIT
# Wait for this emulator's own "listening" line: never run against whatever else
# answers on the port.
for _ in $(seq 300); do
  grep -q "listening" "$started" && break
  if ! kill -0 "$emulator" 2>/dev/null; then
    target=$([ "$mode" = legacy ] && echo demo || echo "${mode/new-api/demo-new-api}")
    echo "demo: $(tail -n 1 "$started"): free it, or pick another port: DEMO_PORT=8766 make $target" >&2
    exit 1
  fi
  sleep 0.2
done
grep -q "listening" "$started" || { echo "demo: the emulator did not start in 60 s" >&2; exit 1; }
mkdir -p "$output" # target-duckdb creates its file, not the file's folder

if [ "$mode" = warehouse ]; then
  meltano --environment=demo run tap-lucca target-duckdb dbt-duckdb:build
  echo
  echo "Built in output/demo/warehouse.duckdb: schemas lucca (tables), demo_staging and demo_analytics."
  python - <<'PY'
import duckdb

with duckdb.connect("output/demo/warehouse.duckdb", read_only=True) as db:
    print("Headcount at the end of the last six months:")
    for month_end, headcount, people, fte in db.sql(
        "SELECT month_end, sum(headcount), sum(people_headcount), round(sum(fte_headcount), 1) "
        "FROM demo_analytics.headcount_by_department_month GROUP BY month_end "
        "ORDER BY month_end DESC LIMIT 6"
    ).fetchall():
        print(f"  {month_end}  {headcount:5d} accounts  {people:5d} people  {fte:7.1f} FTE")
PY
  exit
fi

if [ "$mode" = new-api ]; then
  # Its own state (`demo:tap-lucca-to-target-jsonl:new-api`) and folder: the two APIs'
  # streams and bookmarks never mix.
  TARGET_JSONL_DESTINATION_PATH=$output \
    meltano --environment=demo run --state-id-suffix=new-api tap-lucca target-jsonl
else
  meltano --environment=demo run tap-lucca target-jsonl
fi

echo
echo "Files written by this run ($output):"
find "$output" -maxdepth 1 -name '*.jsonl' -newermt "@$before" | sort | while read -r file; do
  printf '  %-66s %7d records\n' "$file" "$(wc -l <"$file")"
done
if [ "$mode" = legacy ]; then
  echo "Run 'make demo' again: the second run only reads the users changed since the first."
fi
