#!/usr/bin/env bash
# Whole-run scale bench: quiver against wrk (this machine's ceiling) and curl --parallel (a peer),
# all on the same local nginx in the same run, over plain HTTP/1.1 keep-alive and HTTPS. A bare
# HttpClient loop (bench/bare-httpclient.cs) runs too: the most a .NET client gets from this machine.
#
#   bench/scale.sh                       # defaults: finishes in about a minute
#   N=1000000 H=10000 RUNS=1 bench/scale.sh   # the million-URL run (under 10 minutes)
#
# Knobs (environment):
#   N            URLs quiver fetches per run                       (default 20000)
#   H            distinct host names the URLs spread over          (default 100)
#   RUNS         runs per client; medians are quoted               (default 3)
#   PROTOCOLS    "http https", or one of them                      (default both)
#   CONCURRENCY  wrk connections, and quiver --concurrency         (default 256)
#   QUIVER_C     quiver --concurrency, when it should differ       (default CONCURRENCY)
#   QUIVER_ARGS  extra quiver fetch flags, e.g. "--max-connections 2048" (default none)
#   QUIVER_ENV   environment for quiver alone, e.g. "MALLOC_ARENA_MAX=2 DOTNET_GCgen0size=1000000" (default none;
#                GC values are hex: write them without 0x, which the native build silently ignores)
#   CURL_MAX     curl --parallel-max values tried; the best counts (default "64 256";
#                64 alone from N = 500000, as 64 beat 256 in every run over 10,000 hosts)
#   CURL_N       URLs per curl run (curl is slow at N=1M)          (default min(N, 10000))
#   WRK_SECONDS  duration of each wrk run                          (default 3)
#   ADDRESSES    127.0.0.x addresses nginx listens on              (default 8)
#   SMALL_N      quiver also runs once at this N, to compare RSS   (default N/10 when N >= 500000, else 0 = skip)
#   NGINX_WORKERS nginx worker_processes                           (default 1)
#   BARE_RUNS    runs that include the bare HttpClient loop        (default RUNS; 1 from N = 500000,
#                to keep the million-URL run under 10 minutes)
#   BUILD        native: quiver and the bare loop as `dotnet publish` makes them, ahead-of-time
#                compiled; jit: as `dotnet build` makes them, on the JIT     (default native)
#   TLS_FLOOR=1  measure only what TLS alone holds: bench/tls-floor.cs keeps one SslStream open to each
#                of the H hosts over HTTPS, with OpenSSL's buffers kept and released; prints RSS, exits
#   PEERS=0      quiver alone (no wrk, curl or bare loop, no ratios): for trying one quiver setting
#   KEEP=1       keep the temp folder (URL lists, outputs, logs)
#
# Every server and client runs on loopback (127.0.0.0/8) only. Host names hNNNNN.bench.test are
# mapped onto the nginx addresses with --resolve (curl, one per URL) and --resolve-file (quiver);
# wrk hits one URL.
set -euo pipefail

N=${N:-20000}
H=${H:-100}
RUNS=${RUNS:-3}
PROTOCOLS=${PROTOCOLS:-"http https"}
CONCURRENCY=${CONCURRENCY:-256}
QUIVER_C=${QUIVER_C:-$CONCURRENCY}
CURL_MAX=${CURL_MAX:-$([[ $N -lt 500000 ]] && echo "64 256" || echo 64)}
CURL_N=${CURL_N:-$((N < 10000 ? N : 10000))}
WRK_SECONDS=${WRK_SECONDS:-3}
ADDRESSES=${ADDRESSES:-8}
SMALL_N=${SMALL_N:-$((N >= 500000 ? N / 10 : 0))}
NGINX_WORKERS=${NGINX_WORKERS:-1}
PEERS=${PEERS:-1}
BUILD=${BUILD:-native}
TLS_FLOOR=${TLS_FLOOR:-0}
BARE_RUNS=${BARE_RUNS:-$([[ $N -lt 500000 ]] && echo "$RUNS" || echo 1)}
ROOT=$(cd "$(dirname "$0")/.." && pwd)

log() { printf '%s\n' "$*" >&2; }

# --- tools -------------------------------------------------------------------------------------
need=()
command -v nginx >/dev/null || [[ -x /usr/sbin/nginx ]] || need+=(nginx)
command -v wrk >/dev/null || need+=(wrk)
command -v curl >/dev/null || need+=(curl)
command -v openssl >/dev/null || need+=(openssl)
[[ -x /usr/bin/time ]] || need+=(time)
if [[ $BUILD == native ]]; then # the native linker's needs
  command -v clang >/dev/null || need+=(clang)
  [[ -e /usr/include/zlib.h ]] || need+=(zlib1g-dev)
fi
if ((${#need[@]})); then
  log "installing ${need[*]} (Debian packages)"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
# 10,000 hosts mean ~10,000 sockets on each side; raise the descriptor limit as far as allowed.
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"

# --- workspace, builds, certificate, nginx -----------------------------------------------------
case $BUILD in
  native) build=publish ;; # both are published ahead of time: the CLI sets PublishAot when publishing, a file-based program by default
  jit) build=build ;;
  *) log "BUILD must be native or jit, not $BUILD"; exit 2 ;;
esac
WORK=$(mktemp -d /tmp/quiver-scale.XXXXXX)
if [[ -z "${QUIVER:-}" && $TLS_FLOOR != 1 ]]; then # TLS_FLOOR runs no client but its own
  log "building quiver (Release, $BUILD)"
  dotnet $build "$ROOT/src/Quiver.Cli/Quiver.Cli.csproj" -c Release -o "$ROOT/src/Quiver.Cli/bin/Release/$BUILD" -v q -nologo >/dev/null
  QUIVER="$ROOT/src/Quiver.Cli/bin/Release/$BUILD/$([[ $BUILD == native ]] && echo quiver || echo Quiver.Cli)"
fi
[[ $TLS_FLOOR == 1 ]] || dotnet $build "$ROOT/bench/bare-httpclient.cs" -c Release -o "$WORK/bare" -v q -nologo >/dev/null
BARE="$WORK/bare/bare-httpclient"
NGINX_PID=""
cleanup() {
  if [[ -n "$NGINX_PID" ]]; then kill "$NGINX_PID" 2>/dev/null || true; wait "$NGINX_PID" 2>/dev/null || true; fi
  if [[ "${KEEP:-0}" == 1 ]]; then log "kept $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() {
  local port
  for _ in $(seq 50); do
    # Below the ephemeral range (32768+), so no client connection can be holding the port.
    port=$((20000 + RANDOM % 12000))
    if ! ss -Htan "( sport = :$port )" | grep -q .; then echo "$port"; return; fi
  done
  log "no free port found"; exit 1
}
HTTP_PORT=$(free_port)
HTTPS_PORT=$(free_port)
while [[ "$HTTPS_PORT" == "$HTTP_PORT" ]]; do HTTPS_PORT=$(free_port); done

openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=Quiver bench CA" \
  -keyout "$WORK/ca.key" -out "$WORK/ca.pem" \
  -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign" 2>/dev/null
openssl req -newkey rsa:2048 -nodes -subj "/CN=bench.test" -keyout "$WORK/server.key" -out "$WORK/server.csr" 2>/dev/null
printf 'subjectAltName=DNS:*.bench.test,DNS:bench.test,IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' > "$WORK/server.ext"
openssl x509 -req -in "$WORK/server.csr" -CA "$WORK/ca.pem" -CAkey "$WORK/ca.key" -CAcreateserial \
  -days 2 -extfile "$WORK/server.ext" -out "$WORK/server.pem" 2>/dev/null

mkdir -p "$WORK/nginx/logs" "$WORK/nginx/tmp"
{
  echo "worker_processes $NGINX_WORKERS;"
  echo "worker_rlimit_nofile 65536;"
  echo "daemon off;"
  echo "pid $WORK/nginx/nginx.pid;"
  echo "error_log $WORK/nginx/logs/error.log warn;"
  echo "events { worker_connections 32768; multi_accept on; }"
  echo "http {"
  echo "  access_log off;"
  for t in client_body proxy fastcgi uwsgi scgi; do echo "  ${t}_temp_path $WORK/nginx/tmp/$t;"; done
  echo "  keepalive_requests 100000000;"
  echo "  keepalive_timeout 300s;"
  echo "  ssl_session_cache shared:bench:10m;"
  echo "  server {"
  for a in $(seq 1 "$ADDRESSES"); do
    echo "    listen 127.0.0.$a:$HTTP_PORT reuseport backlog=4096;"
    echo "    listen 127.0.0.$a:$HTTPS_PORT ssl reuseport backlog=4096;"
  done
  echo "    ssl_certificate $WORK/server.pem;"
  echo "    ssl_certificate_key $WORK/server.key;"
  echo "    location / { default_type text/plain; return 200 \"ok\\n\"; }"
  echo "  }"
  echo "}"
} > "$WORK/nginx/nginx.conf"
"$NGINX" -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf" -e "$WORK/nginx/logs/error.log" &
NGINX_PID=$!
for _ in $(seq 100); do
  curl -s -o /dev/null "http://127.0.0.1:$HTTP_PORT/" && break
  sleep 0.1
done
curl -sf -o /dev/null "http://127.0.0.1:$HTTP_PORT/" || { log "nginx did not start"; cat "$WORK/nginx/logs/error.log" >&2; exit 1; }

# --- inputs ------------------------------------------------------------------------------------
# URL i goes to host i mod H, so consecutive URLs hit different hosts (the hard case for pools);
# host h is mapped onto 127.0.0.(1 + h mod ADDRESSES).
make_inputs() { # scheme port count -> urls.txt, curl config
  local scheme=$1 port=$2 count=$3 tag=$1-$3 extra=""
  awk -v n="$count" -v h="$H" -v s="$scheme" -v p="$port" \
    'BEGIN { for (i = 1; i <= n; i++) printf "%s://h%05d.bench.test:%d/item/%d\n", s, i % h, p, i }' > "$WORK/urls-$tag.txt"
  # curl gets one option group per URL (separated by 'next'), each with its own --resolve entry:
  # 10,000 global --resolve entries would be re-read for every transfer and stall curl.
  [[ $scheme == https ]] && extra="cacert = \"$WORK/ca.pem\"\nhttp1.1\n"
  awk -v n="$count" -v h="$H" -v a="$ADDRESSES" -v s="$scheme" -v p="$port" -v extra="$extra" \
    'BEGIN { for (i = 1; i <= n; i++) { host = sprintf("h%05d.bench.test", i % h)
               if (i > 1) print "next"
               printf "url = \"%s://%s:%d/item/%d\"\nresolve = \"%s:%d:127.0.0.%d\"\noutput = \"/dev/null\"\n", s, host, p, i, host, p, 1 + (i % h) % a
               printf "write-out = \"%%{http_code} %%{exitcode} %%{url}\\n\"\n%s", extra } }' > "$WORK/curl-$tag.cfg"
}
awk -v h="$H" -v a="$ADDRESSES" -v p1="$HTTP_PORT" -v p2="$HTTPS_PORT" \
  'BEGIN { for (i = 0; i < h; i++) { ip = sprintf("127.0.0.%d", 1 + i % a); printf "h%05d.bench.test:%d:%s\nh%05d.bench.test:%d:%s\n", i, p1, ip, i, p2, ip } }' > "$WORK/resolve.txt"

# --- TLS alone (TLS_FLOOR=1) ------------------------------------------------------------------
if [[ $TLS_FLOOR == 1 ]]; then
  dotnet $build "$ROOT/bench/tls-floor.cs" -c Release -o "$WORK/tls-floor" -v q -nologo >/dev/null
  for mode in kept release; do
    read -r held rss managed < <("$WORK/tls-floor/tls-floor" "$H" "$WORK/resolve.txt" "$HTTPS_PORT" "$mode")
    printf 'TLS alone, %s SslStream connections held, OpenSSL buffers %s: RSS %s MB (managed heap %s MB)\n' \
      "$held" "$([[ $mode == kept ]] && echo kept || echo released)" "$rss" "$managed"
  done
  exit 0
fi

# --- measuring ---------------------------------------------------------------------------------
median() { sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) print "nan"; else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
peak_rss_mb() { awk '/Maximum resident set size/ { printf "%.1f", $NF / 1024 }' "$1"; }
elapsed_s() { awk '/Elapsed \(wall clock\)/ { n = split($NF, t, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + t[i]; print s }' "$1"; }

run_wrk() { # scheme port run
  local url="$1://127.0.0.1:$2/" out="$WORK/wrk-$1-$3"
  /usr/bin/time -v -o "$out.time" wrk -t2 -c"$CONCURRENCY" -d"${WRK_SECONDS}s" "$url" > "$out.txt"
  echo "$(awk '/^Requests\/sec/ { print $2 }' "$out.txt") $(peak_rss_mb "$out.time")"
}

run_curl() { # scheme run parallel-max
  local tag="$1-$CURL_N" out="$WORK/curl-$1-$2-$3"
  /usr/bin/time -v -o "$out.time" curl -s --no-progress-meter --parallel --parallel-max "$3" \
    -K "$WORK/curl-$tag.cfg" > "$out.txt" 2> "$out.err" || true
  local ok; ok=$(awk '$1 == 200' "$out.txt" | wc -l)
  [[ $ok == "$CURL_N" ]] || log "  curl: only $ok of $CURL_N answered 200"
  echo "$(awk -v n="$CURL_N" -v s="$(elapsed_s "$out.time")" 'BEGIN { printf "%.0f", n / s }') $(peak_rss_mb "$out.time")"
}

run_bare() { # scheme run
  local out="$WORK/bare-$1-$2" extra=()
  [[ $1 == https ]] && extra=("$WORK/ca.pem")
  /usr/bin/time -v -o "$out.time" "$BARE" "$WORK/urls-$1-$N.txt" "$WORK/resolve.txt" "$QUIVER_C" "${extra[@]}" > "$out.txt"
  [[ $(cat "$out.txt") == "$N" ]] || log "  bare HttpClient: $(cat "$out.txt") of $N answered 200"
  echo "$(awk -v n="$N" -v s="$(elapsed_s "$out.time")" 'BEGIN { printf "%.0f", n / s }') $(peak_rss_mb "$out.time")"
}

run_quiver() { # scheme count run
  local tag="$1-$2" out="$WORK/quiver-$1-$2-$3" extra=()
  [[ $1 == https ]] && extra=(--ca-cert "$WORK/ca.pem")
  env ${QUIVER_ENV:-} /usr/bin/time -v -o "$out.time" "$QUIVER" fetch "$WORK/urls-$tag.txt" --strategy async --concurrency "$QUIVER_C" \
    --resolve-file "$WORK/resolve.txt" "${extra[@]}" ${QUIVER_ARGS:-} --quiet --out "$out.jsonl"
  # Every URL accounted for: one result line per input line, each line number once, all 200.
  local lines unique ok
  lines=$(wc -l < "$out.jsonl")
  unique=$(grep -o '"line":[0-9]*' "$out.jsonl" | sort -u | wc -l)
  ok=$(grep -c '"status":200,' "$out.jsonl" || true)
  if [[ $lines != "$2" || $unique != "$2" || $ok != "$2" ]]; then
    log "  quiver: $lines result lines, $unique distinct line numbers, $ok with status 200 (expected $2 each)"
    ACCOUNTED=no
  fi
  # CPU and connections opened (a record has connectMs when its fetch opened one) go to the log.
  log "  quiver: CPU $(awk '/User time/ { u = $NF } /System time/ { s = $NF } END { printf "%.2f", u + s }' "$out.time") s, peak RSS $(peak_rss_mb "$out.time") MB, $(grep -c '"connectMs":' "$out.jsonl" || true) connections opened"
  rm -f "$out.jsonl"
  echo "$(awk -v n="$2" -v s="$(elapsed_s "$out.time")" 'BEGIN { printf "%.0f", n / s }') $(peak_rss_mb "$out.time")"
}

ACCOUNTED=yes
log "machine: $(nproc) cores, $(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo), $(. /etc/os-release; echo "$PRETTY_NAME"), .NET $(dotnet --version), nginx $("$NGINX" -v 2>&1 | sed 's|.*/||'), $(wrk -v 2>&1 | head -1 | awk '{ print "wrk " $2 }'), $(curl --version | head -1 | awk '{ print "curl " $2 }')"
log "BUILD=$BUILD N=$N H=$H RUNS=$RUNS CONCURRENCY=$CONCURRENCY QUIVER_C=$QUIVER_C CURL_N=$CURL_N CURL_MAX=\"$CURL_MAX\" nginx workers=$NGINX_WORKERS addresses=$ADDRESSES"

printf '%-6s %-22s %12s %12s\n' proto client "req/s" "peak RSS MB"
for proto in $PROTOCOLS; do
  port=$HTTP_PORT; [[ $proto == https ]] && port=$HTTPS_PORT
  make_inputs "$proto" "$port" "$N"
  [[ $CURL_N != "$N" ]] && make_inputs "$proto" "$port" "$CURL_N"
  declare -A rate=() rss=()
  for run in $(seq 1 "$RUNS"); do
    log "$proto run $run/$RUNS"
    if [[ $PEERS == 1 ]]; then
      read -r r m < <(run_wrk "$proto" "$port" "$run"); rate[wrk]+="$r "; rss[wrk]+="$m "
      for p in $CURL_MAX; do
        read -r r m < <(run_curl "$proto" "$run" "$p"); rate[curl$p]+="$r "; rss[curl$p]+="$m "
      done
      if [[ $run -le $BARE_RUNS ]]; then read -r r m < <(run_bare "$proto" "$run"); rate[bare]+="$r "; rss[bare]+="$m "; fi
    fi
    read -r r m < <(run_quiver "$proto" "$N" "$run"); rate[quiver]+="$r "; rss[quiver]+="$m "
  done
  declare -A med=()
  clients=quiver
  [[ $PEERS == 1 ]] && clients="wrk $(for p in $CURL_MAX; do echo "curl$p"; done) bare quiver"
  for client in $clients; do
    med[$client]=$(tr ' ' '\n' <<< "${rate[$client]}" | grep . | median)
    label=$client
    [[ $client == curl* ]] && label="curl --parallel-max ${client#curl}"
    [[ $client == quiver ]] && label="quiver (async, c=$QUIVER_C)"
    [[ $client == bare ]] && label="bare HttpClient loop"
    printf '%-6s %-22s %12.0f %12s\n' "$proto" "$label" "${med[$client]}" "$(tr ' ' '\n' <<< "${rss[$client]}" | grep . | sort -g | tail -1)"
  done
  if [[ $PEERS != 1 ]]; then unset rate rss med; continue; fi
  best_curl=0
  for p in $CURL_MAX; do best_curl=$(awk -v a="$best_curl" -v b="${med[curl$p]}" 'BEGIN { print (b > a ? b : a) }'); done
  printf '%-6s quiver/wrk = %.2f   quiver/best curl = %.2f   quiver/bare HttpClient = %.2f   bare/wrk = %.2f\n' "$proto" \
    "$(awk -v q="${med[quiver]}" -v w="${med[wrk]}" 'BEGIN { print q / w }')" \
    "$(awk -v q="${med[quiver]}" -v c="$best_curl" 'BEGIN { print q / c }')" \
    "$(awk -v q="${med[quiver]}" -v b="${med[bare]}" 'BEGIN { print q / b }')" \
    "$(awk -v b="${med[bare]}" -v w="${med[wrk]}" 'BEGIN { print b / w }')"
  unset rate rss med
done

if [[ $SMALL_N -gt 0 ]]; then
  proto=${PROTOCOLS%% *}
  port=$HTTP_PORT; [[ $proto == https ]] && port=$HTTPS_PORT
  make_inputs "$proto" "$port" "$SMALL_N"
  read -r _ small_rss < <(run_quiver "$proto" "$SMALL_N" small)
  big_rss=$(peak_rss_mb "$WORK/quiver-$proto-$N-1.time")
  printf 'quiver peak RSS: %s MB at N=%s, %s MB at N=%s (ratio %.2f)\n' "$small_rss" "$SMALL_N" "$big_rss" "$N" \
    "$(awk -v a="$big_rss" -v b="$small_rss" 'BEGIN { print a / b }')"
fi
echo "every URL accounted for in quiver's output: $ACCOUNTED"
