#!/usr/bin/env bash
# Cluster scaling: a latency-bound crawl of the simulated web on 1, 2 and 4 silos on this machine,
# every silo with the same fixed width (standing for one machine's capacity); prints pages/s for each
# and the ratio to 1 silo; then a run on 4 silos where one is kill -9ed mid-way: URLs lost (must be 0)
# and URLs written twice (must be 0). Not a test: figures depend on the machine.
#   bench/cluster.sh                 WIDTH=4 SITES=100 TIME_SCALE=0.5
# Needs Debian's postgresql (a private server is started as the postgres user in a temporary folder).
set -euo pipefail
cd "$(dirname "$0")/.."
WIDTH=${WIDTH:-4}
SITES=${SITES:-100}
TIME_SCALE=${TIME_SCALE:-0.5}
PG=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
[[ -x "$PG/initdb" ]] || { echo "bench/cluster.sh: PostgreSQL is not installed (apt-get install postgresql)" >&2; exit 2; }

work=$(mktemp -d)
chown postgres "$work" 2>/dev/null || true
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null || true; done
  [[ -f "$work/pg/postmaster.pid" ]] && runuser -u postgres -- "$PG/pg_ctl" -D "$work/pg" -m immediate -w stop >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
as_postgres() { if [[ $(id -u) == 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi; }

dotnet build -c Release -v quiet -nologo src/Quiver.Cli >/dev/null
dotnet build -c Release -v quiet -nologo src/Quiver.Cluster.Cli >/dev/null
quiver=(dotnet src/Quiver.Cli/bin/Release/net10.0/Quiver.Cli.dll)
companion=(dotnet src/Quiver.Cluster.Cli/bin/Release/net10.0/quiver-cluster.dll)

pg_port=$(free_port)
as_postgres "$PG/initdb" -D "$work/pg" -U postgres --auth=trust --no-sync >/dev/null
as_postgres "$PG/pg_ctl" -D "$work/pg" -l "$work/pg.log" -w -o "-c listen_addresses=127.0.0.1 -p $pg_port -k $work -c fsync=off -c synchronous_commit=off -c max_connections=300" start >/dev/null

http_port=$(free_port); https_port=$(free_port)
"${quiver[@]}" sim --dir "$work/sim" --http-port "$http_port" --https-port "$https_port" --time-scale "$TIME_SCALE" >"$work/sim.log" 2>&1 &
pids+=($!)
for _ in $(seq 600); do grep -q ready "$work/sim.log" && break; sleep 0.1; done
head -"$SITES" "$work/sim/top500.txt" >"$work/seeds.txt"

echo "machine: $(nproc) cores, $(dotnet --version) SDK; crawl: $SITES sim sites (host scope, robots ignored so the Crawl-delays do not set the pace), time scale $TIME_SCALE, per-silo width $WIDTH"

# run NAME SILOS KILL: a fresh database, SILOS silo processes, one crawl; KILL=1 kill -9s a silo a third of the way.
run() {
  local name=$1 silos=$2 kill=$3 db
  as_postgres psql -q -h 127.0.0.1 -p "$pg_port" -U postgres -c "create database $name" >/dev/null
  db="Host=127.0.0.1;Port=$pg_port;Username=postgres;Database=$name;Maximum Pool Size=50"
  "${companion[@]}" cluster init --db "$db" 2>/dev/null
  local silo_pids=()
  for i in $(seq "$silos"); do
    "${companion[@]}" cluster silo --db "$db" -c "$WIDTH" --silo-port "$(free_port)" --gateway-port "$(free_port)" \
      --resolve-file "$work/sim/resolve.txt" --ca-cert "$work/sim/ca.pem" --lease 10 --sweep 1 --probe-timeout 1 \
      >"$work/$name-silo$i.log" 2>&1 &
    silo_pids+=($!); pids+=($!)
  done
  for i in $(seq "$silos"); do
    for _ in $(seq 1200); do grep -qs "node up" "$work/$name-silo$i.log" && break; sleep 0.1; done
  done
  local expected=$((SITES * 9))
  "${companion[@]}" crawl --cluster "$db" $(cat "$work/seeds.txt") --scope host --ignore-robots --delay 0 \
    -o "$work/$name.jsonl" >"$work/$name.out" 2>"$work/$name.err" &
  local client=$!
  if [[ $kill == 1 ]]; then
    while kill -0 "$client" 2>/dev/null; do
      done_now=$(psql -tA -h 127.0.0.1 -p "$pg_port" -U postgres -d "$name" -c "select count(*) from quiver_results")
      ((done_now * 3 >= expected)) && break
      sleep 0.1
    done
    kill -9 "${silo_pids[1]}"
  fi
  wait "$client"
  for p in "${silo_pids[@]}"; do kill -9 "$p" 2>/dev/null || true; done
  local lines distinct seconds
  lines=$(wc -l <"$work/$name.jsonl")
  grep -o '"url":"[^"]*"' "$work/$name.jsonl" | sort -u >"$work/$name.urls"
  distinct=$(wc -l <"$work/$name.urls")
  seconds=$(grep -o 'in [0-9.]* s' "$work/$name.err" | awk '{print $2}')
  echo "$name $silos $lines $distinct $seconds"
}

results=()
for silos in 1 2 4; do results+=("$(run "s$silos" "$silos" 0)"); done
kill_run=$(run kill4 4 1)

printf '%-8s %6s %8s %10s %10s %8s\n' run silos pages "wall s" "pages/s" ratio
base=""
for r in "${results[@]}"; do
  read -r name silos lines distinct seconds <<<"$r"
  rate=$(awk -v l="$lines" -v s="$seconds" 'BEGIN { printf "%.1f", l / s }')
  [[ -z $base ]] && base=$rate
  printf '%-8s %6s %8s %10s %10s %8s\n' "$name" "$silos" "$lines" "$seconds" "$rate" "$(awk -v r="$rate" -v b="$base" 'BEGIN { printf "%.2fx", r / b }')"
done
read -r name silos lines distinct seconds <<<"$kill_run"
lost=$(comm -23 "$work/s1.urls" "$work/kill4.urls" | wc -l)
echo "kill -9 of one of 4 silos mid-way: $lines lines, $distinct distinct URLs, $lost URLs of the 1-silo crawl lost, $((lines - distinct)) written twice, $seconds s"
