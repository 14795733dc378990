#!/usr/bin/env bash
# Runs the tap against the project's own Lucca emulator: no Lucca account needed.
#   scripts/demo.sh            legacy API (API key) -> JSONL files (make demo)
#   scripts/demo.sh new-api    new Lucca API (OAuth client) -> JSONL files (make demo-new-api)
#   scripts/demo.sh warehouse  legacy API -> DuckDB, then the dbt models (make warehouse)
#   scripts/demo.sh fleet      two clients side by side, one per API (make demo-fleet)
# DEMO_PORT=8766 runs it on another port than the demo environment's 8765; DEMO_USERS=300
# on a tenant of another size (default: 2,500; 1,000 for the new API; 500 a client for the fleet).
set -euo pipefail
cd "$(dirname "$0")/.."

mode=${1:-legacy}
case $mode in legacy | new-api | warehouse | fleet) ;; *)
  echo "usage: scripts/demo.sh [new-api|warehouse|fleet]" >&2
  exit 2
  ;;
esac

# The demo speaks to the emulator only: none of the shell's TAP_LUCCA_* settings (a
# real tenant's URL or key) may take it elsewhere.
for variable in $(compgen -e); do
  if [[ $variable == TAP_LUCCA_* ]]; then unset "$variable"; fi
done
# The emulator's public demo credentials, whatever the shell says.
export LUCCA_EMULATOR_API_KEY=emulator-demo-key LUCCA_EMULATOR_CLIENT_SECRET=emulator-secret
PORT=${DEMO_PORT:-8765}
case $mode in legacy) make_target=demo ;; warehouse) make_target=warehouse ;; *) make_target=demo-$mode ;; esac
emulators=()
logs=()
trap 'kill "${emulators[@]}" 2>/dev/null || true; rm -f "${logs[@]}"' EXIT

# Starts an emulator of $3 users on port $1 from seed $2, and waits for its own
# "listening" line: never run against whatever else answers on the port.
start_emulator() {
  local port=$1 seed=$2 users=$3 started
  started=$(mktemp)
  logs+=("$started")
  # Each start changes a few users, so a second demo is incremental.
  python -m lucca_emulator --port "$port" --seed "$seed" --users "$users" --activity 25 \
    >"$started" 2>&1 &
  emulators+=($!)
  for _ in $(seq 300); do
    grep -q "listening" "$started" && return 0
    if ! kill -0 "${emulators[-1]}" 2>/dev/null; then
      local advice="free it, or pick another port: DEMO_PORT=$((port + 1)) make $make_target"
      [ "$mode" = fleet ] && advice="free it: the fleet's demo clients are on 8767 and 8768"
      echo "demo: $(tail -n 1 "$started"): $advice" >&2
      exit 1
    fi
    sleep 0.2
  done
  echo "demo: the emulator on port $port did not start in 60 s" >&2
  exit 1
}

if [ "$mode" = fleet ]; then
  # The fleet runs every client of a Meltano project: this one runs in a project of its
  # own (output/demo/fleet-project) that holds the two demo clients, clients/demo/, and
  # shares this project's plugins, so that your own clients/ stay out of the demo.
  users=${DEMO_USERS:-500}
  start_emulator 8767 42 "$users"
  start_emulator 8768 43 "$users"
  export TAP_LUCCA_DEMO_LEGACY_API_KEY=$LUCCA_EMULATOR_API_KEY
  export TAP_LUCCA_DEMO_NEW_API_CLIENT_ID=emulator-client
  export TAP_LUCCA_DEMO_NEW_API_CLIENT_SECRET=$LUCCA_EMULATOR_CLIENT_SECRET
  project=output/demo/fleet-project
  rm -rf "$project"
  mkdir -p "$project/clients" "$project/output"
  cp meltano.yml "$project/"
  cp clients/demo/*.meltano.yml "$project/clients/"
  for shared in .meltano .venv orchestrate; do ln -s "$PWD/$shared" "$project/$shared"; done
  before=$(date +%s)
  (cd "$project" && meltano --environment=demo run clients-to-jsonl)
  echo
  echo "Files written by each client in this run ($project/output/demo/<client>):"
  find "$project/output/demo" -name '*.jsonl' -newermt "@$before" | sort | while read -r file; do
    printf '  %-80s %7d records\n' "${file#"$project"/}" "$(wc -l <"$file")"
  done
  exit
fi

if [ "$mode" = new-api ]; then
  export TAP_LUCCA_CLIENT_ID=emulator-client TAP_LUCCA_CLIENT_SECRET=$LUCCA_EMULATOR_CLIENT_SECRET
  # Its pages hold 100 records at most, at Lucca's 50 requests a minute: about a minute.
  start_emulator "$PORT" 42 "${DEMO_USERS:-1000}"
  output=output/demo/new-api
else
  export TAP_LUCCA_API_KEY=$LUCCA_EMULATOR_API_KEY
  start_emulator "$PORT" 42 "${DEMO_USERS:-2500}"
  output=output/demo
fi
export TAP_LUCCA_API_URL=http://127.0.0.1:$PORT
export TAP_LUCCA_OAUTH_TOKEN_URL=$TAP_LUCCA_API_URL/connect/token
before=$(date +%s)
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
