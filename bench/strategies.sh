#!/usr/bin/env bash
# Strategy baseline: every strategy fetches the same 1,000 loopback URLs whose server think time
# is 5-34 ms (every 100th URL 300 ms); prints each strategy's median wall time over REPEAT runs,
# min-max, and its ratio to the fastest. Not a test: figures depend on the machine.
#   bench/strategies.sh            N=1000 REPEAT=3 PORT=18180
#   N=5000 REPEAT=5 bench/strategies.sh
#   SWEEP="16 64 256" bench/strategies.sh    also async at each --concurrency and async-processes at
#                                            each --chunk-size (how the defaults were chosen)
set -euo pipefail
cd "$(dirname "$0")/.."
N=${N:-1000}
REPEAT=${REPEAT:-3}
PORT=${PORT:-18180}
STRATEGIES=${STRATEGIES:-"sequential threads async processes async-processes"}
SWEEP=${SWEEP:-}
work=$(mktemp -d)
trap 'kill ${server_pid:-0} 2>/dev/null || true; rm -rf "$work"' EXIT

dotnet build -c Release -v quiet -nologo src/Quiver.Cli >/dev/null
dotnet build -c Release -v quiet -nologo bench/delay-server.cs >/dev/null
quiver=(dotnet src/Quiver.Cli/bin/Release/net10.0/Quiver.Cli.dll)

dotnet run -c Release --no-build bench/delay-server.cs -- "$PORT" >"$work/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$PORT/ready" >/dev/null && break; sleep 0.1; done

awk -v n="$N" -v port="$PORT" 'BEGIN { for (i = 1; i <= n; i++) { ms = (i % 100 == 0) ? 300 : 5 + (i * 37) % 30; printf "http://127.0.0.1:%d/delay/%d/%d\n", port, ms, i } }' >"$work/urls.txt"
total_ms=$(awk -F/ '{ s += $5 } END { print s }' "$work/urls.txt")
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(dotnet --version) SDK; list: $N URLs, server think time sum ${total_ms} ms, max 300 ms; $REPEAT runs each"

# Each run: a label and the fetch arguments.
runs=()
for s in $STRATEGIES; do runs+=("$s|--strategy $s"); done
for v in $SWEEP; do runs+=("async -c $v|--strategy async --concurrency $v"); done
for v in $SWEEP; do runs+=("async-proc k=$v|--strategy async-processes --chunk-size $v"); done

printf '%-22s %10s %20s %10s\n' run "median s" "min-max s" "ok"
declare -A median
for run in "${runs[@]}"; do
  label=${run%%|*}; read -r -a args <<<"${run#*|}"
  times=()
  for _ in $(seq "$REPEAT"); do
    start=$(date +%s.%N)
    "${quiver[@]}" fetch "$work/urls.txt" "${args[@]}" --quiet --out "$work/out.jsonl"
    end=$(date +%s.%N)
    times+=("$(awk -v a="$start" -v b="$end" 'BEGIN { print b - a }')")
  done
  sorted=$(printf '%s\n' "${times[@]}" | sort -g)
  med=$(echo "$sorted" | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }')
  ok=$(grep -c '"status":200' "$work/out.jsonl" || true)
  median[$label]=$med
  printf '%-22s %10.3f %9.3f-%-10.3f %10s\n' "$label" "$med" "$(echo "$sorted" | head -1)" "$(echo "$sorted" | tail -1)" "$ok/$N"
done
best=$(printf '%s\n' "${median[@]}" | sort -g | head -1)
echo "ratio to the fastest (median wall / best median):"
for run in "${runs[@]}"; do
  label=${run%%|*}
  printf '  %-22s %7.2fx\n' "$label" "$(awk -v a="${median[$label]}" -v b="$best" 'BEGIN { print a / b }')"
done
