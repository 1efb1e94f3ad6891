#!/usr/bin/env bash
# deploy/cluster.sh — the scale-out example, runnable on one machine: three Chartside replicas
# sharing PostgreSQL (accounts, audit trail, sign-in throttling, and sessions unless Redis is given),
# optionally Redis for sessions, behind HAProxy that terminates TLS with a self-signed certificate,
# and one shared Epic sandbox standing in for Epic. Everything listens on loopback only.
#
#   DATABASE_URL=postgres://postgres@127.0.0.1:5432/chartside?sslmode=disable \
#   [SESSION_STORE=redis://127.0.0.1:6379/0] deploy/cluster.sh
#
# then open https://127.0.0.1:8443 (accept the self-signed certificate) and sign in as "admin" with
# the password in $RUN_DIR/admin-password. Ctrl-C (or SIGTERM) stops every process it started.
#
# Settings (environment; defaults in brackets):
#   DATABASE_URL    required: a postgres:// URL; the database must exist (migrations run on start)
#   SESSION_STORE   optional redis:// URL; unset = sessions in PostgreSQL
#   WEB             the web binary [bin/web; build it with `make build`]
#   RUN_DIR         certificate, keys, pids and logs [data/cluster]
#   LB_PORT         HTTPS port of the balancer [8443]
#   STATS_PORT      HAProxy status page, http://127.0.0.1:STATS_PORT/ [8404]
#   SANDBOX_PORT    the shared Epic sandbox [9090]
#   WEB_PORTS       the three replicas' ports ["8081 8082 8083"]
#   ADMIN_USER      the admin account created or reset on start [admin]
#   ADMIN_PASSWORD  its password [generated once, kept in $RUN_DIR/admin-password]
#
# The replicas talk to the sandbox exactly as they would to Epic (EPIC_* settings, a shared signing
# key, the JWK Set URL on the balancer), so for production replace the sandbox with Epic's URLs and
# the key registered with Epic; see deploy/README.md.
set -euo pipefail

cd "$(dirname "$0")/.."
: "${DATABASE_URL:?set DATABASE_URL to a postgres:// URL (the database must exist)}"
WEB=$(realpath "${WEB:-bin/web}")
RUN_DIR=${RUN_DIR:-data/cluster}
LB_PORT=${LB_PORT:-8443}
STATS_PORT=${STATS_PORT:-8404}
SANDBOX_PORT=${SANDBOX_PORT:-9090}
read -r -a PORTS <<<"${WEB_PORTS:-8081 8082 8083}"
ADMIN_USER=${ADMIN_USER:-admin}
CLIENT_ID=chartside-cluster
# The embedded sandbox's MRN identifier system; with a real Epic ask its analysts for the value.
MRN_SYSTEM=urn:oid:1.2.840.114350.1.13.0.1.7.5.737384.14

[[ -x $WEB ]] || { echo "cluster: $WEB is missing; run make build" >&2; exit 1; }
command -v haproxy >/dev/null || { echo "cluster: haproxy is missing; apt-get install haproxy" >&2; exit 1; }
[[ ${#PORTS[@]} -eq 3 ]] || { echo "cluster: WEB_PORTS needs three ports (deploy/haproxy.cfg names web1..web3)" >&2; exit 1; }

mkdir -p -m 0700 "$RUN_DIR"
RUN_DIR=$(realpath "$RUN_DIR")
mkdir -p -m 0700 "$RUN_DIR/tls" "$RUN_DIR/keys" "$RUN_DIR/logs"
PUBLIC_URL="https://127.0.0.1:$LB_PORT"

pids=()
stop() {
	trap - EXIT INT TERM
	local p
	for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
	for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
	echo "cluster: stopped"
}
trap stop EXIT
trap 'exit 0' INT TERM

# TLS for the balancer: self-signed, for 127.0.0.1 and localhost. Production uses the hospital's
# certificate; HAProxy wants the chain and the key in one PEM file.
if [[ ! -s $RUN_DIR/tls/haproxy.pem ]]; then
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 30 \
		-subj "/CN=localhost" -addext "subjectAltName=IP:127.0.0.1,DNS:localhost" \
		-keyout "$RUN_DIR/tls/key.pem" -out "$RUN_DIR/tls/cert.pem" 2>/dev/null
	cat "$RUN_DIR/tls/cert.pem" "$RUN_DIR/tls/key.pem" >"$RUN_DIR/tls/haproxy.pem"
	chmod 0600 "$RUN_DIR/tls/key.pem" "$RUN_DIR/tls/haproxy.pem"
fi

# One signing key shared by every replica: each replica gets its own access token from Epic (the
# token cache is per process), but all of them sign with the key behind the registered JWK Set URL.
if [[ ! -s $RUN_DIR/keys/epic-signing.pem ]]; then
	"$WEB" keygen --out "$RUN_DIR/keys/epic-signing.pem" >/dev/null
fi

# The stand-in for Epic. It fetches the JWK Set through the balancer, over HTTPS, as Epic fetches a
# registered JKU; SSL_CERT_FILE makes it trust the self-signed certificate.
SSL_CERT_FILE="$RUN_DIR/tls/cert.pem" "$WEB" sandbox --addr "127.0.0.1:$SANDBOX_PORT" \
	--client "$CLIENT_ID=$PUBLIC_URL/.well-known/jwks.json" \
	>"$RUN_DIR/logs/sandbox.log" 2>&1 &
pids+=($!)
echo $! >"$RUN_DIR/sandbox.pid"

# The environment every replica shares; only LISTEN_ADDR differs. Nothing else is inherited, so this
# list is the whole configuration.
common_env=(
	PATH="$PATH"
	PUBLIC_URL="$PUBLIC_URL"
	TRUSTED_PROXIES=127.0.0.1
	DATABASE_URL="$DATABASE_URL"
	EPIC_FHIR_BASE_URL="http://127.0.0.1:$SANDBOX_PORT/interconnect-fhir-oauth/api/FHIR/R4"
	EPIC_CLIENT_ID="$CLIENT_ID"
	EPIC_PRIVATE_KEY_FILE="$RUN_DIR/keys/epic-signing.pem"
	EPIC_MRN_SYSTEM="$MRN_SYSTEM"
	LOG_FORMAT=json
)
if [[ -n ${SESSION_STORE:-} ]]; then
	common_env+=(SESSION_STORE="$SESSION_STORE")
fi

# The admin account (this also applies the database migrations before any replica starts).
if [[ -z ${ADMIN_PASSWORD:-} ]]; then
	if [[ ! -s $RUN_DIR/admin-password ]]; then
		(umask 077 && openssl rand -base64 18 >"$RUN_DIR/admin-password")
	fi
	ADMIN_PASSWORD=$(<"$RUN_DIR/admin-password")
fi
if env -i "${common_env[@]}" "$WEB" staff list | awk 'NR > 1 { print $1 }' | grep -qx "$ADMIN_USER"; then
	printf '%s\n' "$ADMIN_PASSWORD" | env -i "${common_env[@]}" "$WEB" staff reset-password "$ADMIN_USER" --password-stdin >/dev/null
else
	printf '%s\n' "$ADMIN_PASSWORD" | env -i "${common_env[@]}" "$WEB" staff add --username "$ADMIN_USER" --role admin --password-stdin >/dev/null
fi

for i in 1 2 3; do
	env -i "${common_env[@]}" LISTEN_ADDR="127.0.0.1:${PORTS[i - 1]}" DATA_DIR="$RUN_DIR/web$i" \
		"$WEB" serve >"$RUN_DIR/logs/web$i.log" 2>&1 &
	pids+=($!)
	echo $! >"$RUN_DIR/web$i.pid"
done

CHARTSIDE_LB_ADDR="127.0.0.1:$LB_PORT" \
CHARTSIDE_LB_CERT="$RUN_DIR/tls/haproxy.pem" \
CHARTSIDE_LB_STATS_ADDR="127.0.0.1:$STATS_PORT" \
CHARTSIDE_WEB1="127.0.0.1:${PORTS[0]}" \
CHARTSIDE_WEB2="127.0.0.1:${PORTS[1]}" \
CHARTSIDE_WEB3="127.0.0.1:${PORTS[2]}" \
	haproxy -db -f deploy/haproxy.cfg >"$RUN_DIR/logs/haproxy.log" 2>&1 &
haproxy_pid=$!
pids+=("$haproxy_pid")
echo "$haproxy_pid" >"$RUN_DIR/haproxy.pid"

# Ready once HAProxy sees every replica healthy (each /readyz passed twice).
ready=
for _ in $(seq 1 150); do
	if up=$(curl -fsS "http://127.0.0.1:$STATS_PORT/;csv" 2>/dev/null | awk -F, '$1 == "chartside" && $2 ~ /^web[0-9]$/ && $18 == "UP"' | wc -l) && [[ $up -eq 3 ]]; then
		ready=1
		break
	fi
	for p in "${pids[@]}"; do
		kill -0 "$p" 2>/dev/null || { echo "cluster: a process exited during start-up; see $RUN_DIR/logs" >&2; exit 1; }
	done
	sleep 0.2
done
[[ -n $ready ]] || { echo "cluster: replicas not healthy after 30s; see $RUN_DIR/logs" >&2; exit 1; }

echo "cluster ready: $PUBLIC_URL (sign in as $ADMIN_USER; password in $RUN_DIR/admin-password unless ADMIN_PASSWORD was given)"
echo "balancer status: http://127.0.0.1:$STATS_PORT/   logs: $RUN_DIR/logs"
# The cluster lives as long as the balancer; a replica that dies is HAProxy's business (and the demo).
wait "$haproxy_pid" || true
