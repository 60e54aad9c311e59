#!/usr/bin/env bash
# bench/auto.sh: --concurrency auto against a sweep of fixed widths, each in one run, on
#   (a) the simulated top 500 at time scale 1.0 and 0.1 (quiver sim),
#   (b) a loopback throughput list on nginx (H hosts on 127.0.0.x, N URLs),
#   (c) a list whose hosts answer 429 beyond LIMIT requests in flight each (bench/throttle-server.cs).
# Each run is `quiver race-run` (the race's own single run: wall time around the strategy alone,
# process CPU, peak memory). Prints wall, goodput (2xx/3xx/4xx answers other than 429 per second), CPU,
# failures, 429s, peak memory, and auto ÷ best fixed.
#
#   bench/auto.sh                         # defaults
#   N=200000 WIDTHS="4 16 64 256 1024" bench/auto.sh
#
# Knobs: WIDTHS (default "4 16 64 256 1024"), SCALES ("1.0 0.1"), N (nginx URLs, 200000), H (hosts, 100),
# N429 (URLs of the 429 list, 20000), H429 (its hosts, 20), LIMIT (per-host in flight before 429, 4),
# DELAY_MS (429 server think time, 20), PARTS ("sim nginx throttle"), KEEP=1 keeps the temp folder.
# Every server binds 127.0.0.0/8 only.
set -euo pipefail
WIDTHS=${WIDTHS:-"4 16 64 256 1024"}
SCALES=${SCALES:-"1.0 0.1"}
N=${N:-200000}
H=${H:-100}
N429=${N429:-20000}
H429=${H429:-20}
LIMIT=${LIMIT:-4}
DELAY_MS=${DELAY_MS:-20}
PARTS=${PARTS:-"sim nginx throttle"}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
log() { printf '%s\n' "$*" >&2; }

command -v nginx >/dev/null || [[ -x /usr/sbin/nginx ]] || { log "installing nginx (Debian)"; apt-get update -qq; DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx >/dev/null; }
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"

WORK=$(mktemp -d /tmp/quiver-auto.XXXXXX)
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
  if [[ "${KEEP:-0}" == 1 ]]; then log "kept $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

log "building quiver (Release)"
dotnet build "$ROOT/src/Quiver.Cli/Quiver.Cli.csproj" -c Release -o "$WORK/quiver" -v q -nologo >/dev/null
Q=(dotnet "$WORK/quiver/Quiver.Cli.dll")

free_port() {
  local port
  for _ in $(seq 50); do
    port=$((20000 + RANDOM % 12000))
    if ! ss -Htan "( sport = :$port )" | grep -q .; then echo "$port"; return; fi
  done
  log "no free port"; exit 1
}

# One run: prints "wall goodput cpu failed n429 peak_mb"
run_one() { # tag list width args...
  local tag=$1 list=$2 width=$3; shift 3
  local out="$WORK/$tag-$width.jsonl" line
  line=$("${Q[@]}" race-run "$list" --strategy async --concurrency "$width" --out "$out" "$@" 2>"$WORK/$tag-$width.err")
  local wall peak cpu
  wall=$(sed -n 's/.*wall=\([^ ]*\).*/\1/p' <<<"$line"); peak=$(sed -n 's/.*peak=\([^ ]*\).*/\1/p' <<<"$line"); cpu=$(sed -n 's/.*cpu=\([^ ]*\).*/\1/p' <<<"$line")
  local total failed n429
  total=$(wc -l <"$out"); failed=$(grep -c '"error":' "$out" || true); n429=$(grep -c '"status":429' "$out" || true)
  awk -v w="$wall" -v t="$total" -v f="$failed" -v z="$n429" -v c="$cpu" -v p="$peak" \
    'BEGIN { printf "%.3f %.1f %.2f %d %d %.0f\n", w, (t - f - z) / w, c, f, z, p / 1048576 }'
  [[ $width == auto ]] && sed -n 's/^width: *//p' "$WORK/$tag-$width.err" | sed 's/^/    auto: /' >&2 || true
}

# A sweep: each fixed width, then auto; prints the table and the ratios. $1 tag, $2 list, rest: flags.
sweep() {
  local tag=$1 list=$2; shift 2
  printf '\n## %s\n%-6s %9s %11s %7s %7s %7s %8s\n' "$tag" width "wall s" "goodput/s" "CPU s" failed 429s "peak MB"
  : >"$WORK/$tag.rows"
  for w in $WIDTHS auto; do
    read -r wall good cpu failed n429 peak < <(run_one "$tag" "$list" "$w" "$@")
    printf '%-6s %9s %11s %7s %7s %7s %8s\n' "$w" "$wall" "$good" "$cpu" "$failed" "$n429" "$peak"
    echo "$w $wall $good $cpu $failed $n429 $peak" >>"$WORK/$tag.rows"
  done
}

# --- (a) the simulated top 500 ----------------------------------------------------------------
if [[ " $PARTS " == *" sim "* ]]; then
  for scale in $SCALES; do
    dir="$WORK/sim-$scale"; addr="127.0.$((RANDOM % 200 + 20)).$((RANDOM % 200 + 2))"
    "${Q[@]}" sim --time-scale "$scale" --dir "$dir" --address "$addr" >"$WORK/sim-$scale.log" 2>&1 &
    PIDS+=($!)
    for _ in $(seq 300); do grep -q "ready" "$WORK/sim-$scale.log" && break; sleep 0.1; done
    grep -q "ready" "$WORK/sim-$scale.log" || { log "the sim did not start"; cat "$WORK/sim-$scale.log" >&2; exit 1; }
    # The race's client timeout: 10 s at scale 1, scaled, never under 2 s.
    timeout=$(awk -v s="$scale" 'BEGIN { t = 10 * s; print (t < 2 ? 2 : t) }')
    flags=(--resolve-file "$dir/resolve.txt" --ca-cert "$dir/ca.pem" --timeout "$timeout" --connect-timeout "$timeout")
    # One uncounted run: the sim issues its certificates once.
    run_one "warm-$scale" "$dir/top500.txt" 64 "${flags[@]}" >/dev/null
    sweep "top500-scale-$scale" "$dir/top500.txt" "${flags[@]}"
    # The best fixed width is the one with the fewest failed URLs, then the shortest wall: a width that
    # finishes sooner because its URLs time out is not the one a user wants.
    awk 'BEGIN { best = 1e18; bf = 1e18 } $1 != "auto" { if ($5 < bf || ($5 == bf && $2 < best)) { best = $2; bw = $1; bf = $5 } }
         $1 == "auto" { aw = $2; af = $5 }
         END { printf "auto wall %.3f s ÷ best fixed (%s: %.3f s, %d failed) = %.2f (target <= 1.05); auto failed %d\n", aw, bw, best, bf, aw / best, af }' "$WORK/top500-scale-$scale.rows"
    kill "${PIDS[-1]}"; wait "${PIDS[-1]}" 2>/dev/null || true; unset 'PIDS[-1]'
  done
fi

# --- (b) loopback throughput on nginx ---------------------------------------------------------
if [[ " $PARTS " == *" nginx "* ]]; then
  PORT=$(free_port); ADDRESSES=8
  mkdir -p "$WORK/nginx/logs" "$WORK/nginx/tmp"
  {
    echo "worker_processes 1; worker_rlimit_nofile 65536; daemon off; pid $WORK/nginx/nginx.pid;"
    echo "error_log $WORK/nginx/logs/error.log warn; events { worker_connections 32768; multi_accept on; }"
    echo "http { access_log off; keepalive_requests 100000000; keepalive_timeout 300s;"
    for t in client_body proxy fastcgi uwsgi scgi; do echo "  ${t}_temp_path $WORK/nginx/tmp/$t;"; done
    echo "  server {"
    for a in $(seq 1 $ADDRESSES); do echo "    listen 127.0.0.$a:$PORT reuseport backlog=4096;"; done
    echo "    location / { default_type text/plain; return 200 \"ok\\n\"; } } }"
  } >"$WORK/nginx/nginx.conf"
  "$NGINX" -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf" -e "$WORK/nginx/logs/error.log" &
  PIDS+=($!)
  for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$PORT/" && break; sleep 0.1; done
  awk -v n="$N" -v h="$H" -v p="$PORT" 'BEGIN { for (i = 1; i <= n; i++) printf "http://h%05d.bench.test:%d/item/%d\n", i % h, p, i }' >"$WORK/nginx.txt"
  awk -v h="$H" -v a="$ADDRESSES" -v p="$PORT" 'BEGIN { for (i = 0; i < h; i++) printf "h%05d.bench.test:%d:127.0.0.%d\n", i, p, 1 + i % a }' >"$WORK/nginx-resolve.txt"
  sweep "nginx-$N-urls-$H-hosts" "$WORK/nginx.txt" --resolve-file "$WORK/nginx-resolve.txt"
  awk 'BEGIN { best = -1 } $1 != "auto" { if ($3 > best) { best = $3; bw = $1; bm = $7 } } $1 == "auto" { ag = $3; am = $7 }
       END { printf "auto %.1f req/s ÷ best fixed (%s: %.1f req/s) = %.2f (target >= 0.9); peak memory %d MB against %d MB (target <= %.0f)\n", ag, bw, best, ag / best, am, bm, bm * 1.1 }' "$WORK/nginx-$N-urls-$H-hosts.rows"
  kill "${PIDS[-1]}"; wait "${PIDS[-1]}" 2>/dev/null || true; unset 'PIDS[-1]'
fi

# --- (c) hosts that answer 429 beyond LIMIT in flight -----------------------------------------
if [[ " $PARTS " == *" throttle "* ]]; then
  PORT=$(free_port)
  dotnet build "$ROOT/bench/throttle-server.cs" -c Release -o "$WORK/throttle" -v q -nologo >/dev/null
  "$WORK/throttle/throttle-server" "$PORT" "$LIMIT" "$DELAY_MS" >"$WORK/throttle.log" 2>&1 &
  PIDS+=($!)
  for _ in $(seq 100); do curl -sf "http://127.0.0.1:$PORT/ready" >/dev/null && break; sleep 0.1; done
  awk -v n="$N429" -v h="$H429" -v p="$PORT" 'BEGIN { for (i = 1; i <= n; i++) printf "http://t%03d.bench.test:%d/item/%d\n", i % h, p, i }' >"$WORK/throttle.txt"
  awk -v h="$H429" -v p="$PORT" 'BEGIN { for (i = 0; i < h; i++) printf "t%03d.bench.test:%d:127.0.0.1\n", i, p }' >"$WORK/throttle-resolve.txt"
  sweep "429-list-$N429-urls-$H429-hosts-limit-$LIMIT" "$WORK/throttle.txt" --resolve-file "$WORK/throttle-resolve.txt"
  # The best fixed width by goodput, and the fixed width closest to 4x it (the sweep's widths are 4x apart).
  awk 'BEGIN { best = -1 } $1 != "auto" { g[$1] = $3; z[$1] = $6; if ($3 > best) { best = $3; bw = $1 } } $1 == "auto" { ag = $3; az = $6 }
       END { four = bw * 4; printf "auto goodput %.1f/s ÷ best fixed (%s: %.1f/s) = %.2f (target >= 0.9); auto 429s %d against %s at 4x the best width (%d): target fewer\n",
             ag, bw, best, ag / best, az, (four in z ? z[four] : "n/a"), four }' "$WORK/429-list-$N429-urls-$H429-hosts-limit-$LIMIT.rows"
fi
