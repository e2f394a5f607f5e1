#!/bin/sh
# Produce and consume throughput over SASL_SSL (SCRAM-SHA-512, TLS 1.3) as a ratio to
# PLAINTEXT, same server, same run: `sluice perf` (librdkafka) against one
# `sluice serve` with both listeners. Results: bench/RESULTS.md.
#
# usage: bench/security_transport_bench.sh [SLUICE_BINARY] [RECORDS] [ROUNDS]
set -eu
SLUICE=$(realpath "${1:-build/release/cli/sluice}")
RECORDS=${2:-1000000}
ROUNDS=${3:-3}
DIR=$(mktemp -d /tmp/sluice-tls-bench.XXXXXX)
SERVER=""
trap '[ -n "$SERVER" ] && kill $SERVER 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$DIR"' EXIT INT TERM

cd "$DIR"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 -keyout ca.key -out ca.crt \
  -subj /CN=bench-ca 2>/dev/null
echo "subjectAltName=DNS:localhost,IP:127.0.0.1" > server.ext
openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout server.key -out server.csr \
  -subj /CN=localhost 2>/dev/null
openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 1 -out server.crt \
  -extfile server.ext 2>/dev/null
echo "bench-password" > pw
"$SLUICE" users add bench --mechanism SCRAM-SHA-512 --password-file pw --data-dir data >/dev/null
"$SLUICE" serve --data-dir data --http 127.0.0.1:0 --listen 127.0.0.1:0 --advertise 127.0.0.1:0 \
  --listeners SASL_SSL://127.0.0.1:0 --tls-cert server.crt --tls-key server.key 2> serve.log &
SERVER=$!
for _ in $(seq 100); do grep -q "(SASL_SSL" serve.log && break; sleep 0.1; done
PLAIN=$(sed -n 's/.*ready: Kafka API on [0-9.]*:\([0-9]*\) (PLAINTEXT.*/\1/p' serve.log)
SECURE=$(sed -n 's/.*ready: Kafka API on [0-9.]*:\([0-9]*\) (SASL_SSL.*/\1/p' serve.log)
SASL="-X security.protocol=SASL_SSL -X ssl.ca.location=$DIR/ca.crt -X sasl.mechanisms=SCRAM-SHA-512 \
  -X sasl.username=bench -X sasl.password=bench-password"

rate() { sed -n 's/.* = \([0-9]*\) records\/s.*/\1/p'; }
echo "round produce-plain produce-sasl_ssl ratio consume-plain consume-sasl_ssl ratio (records/s, $RECORDS x 100 B)"
for round in $(seq "$ROUNDS"); do
  pp=$("$SLUICE" perf produce "p$round" --bootstrap "127.0.0.1:$PLAIN" -n "$RECORDS" | rate)
  # shellcheck disable=SC2086
  sp=$("$SLUICE" perf produce "s$round" --bootstrap "127.0.0.1:$SECURE" -n "$RECORDS" $SASL | rate)
  pc=$("$SLUICE" perf consume "p$round" --bootstrap "127.0.0.1:$PLAIN" -n "$RECORDS" | rate)
  # shellcheck disable=SC2086
  sc=$("$SLUICE" perf consume "s$round" --bootstrap "127.0.0.1:$SECURE" -n "$RECORDS" $SASL | rate)
  echo "$round $pp $sp $(echo "scale=2; $sp / $pp" | bc) $pc $sc $(echo "scale=2; $sc / $pc" | bc)"
done
