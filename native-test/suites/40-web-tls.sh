#!/usr/bin/env bash
# The web config file (exporter-toolkit format) end to end: TLS with a CA made for the run, basic
# auth, mutual TLS, a real Prometheus scraping over TLS with basic auth, the same file served by
# Prometheus itself (--web.config.file), and a certificate rotated under a live exporter.
# Everything on 127.0.0.1 and ::1; every process is stopped by its PID; temp files only.
set -u
. "$(cd "$(dirname "$0")/.." && pwd)/lib.sh"

need openssl openssl || finish
need curl curl || finish
need htpasswd apache2-utils --no-install-recommends || finish
need prometheus prometheus --no-install-recommends || finish
need promtool prometheus --no-install-recommends || finish
need gcc gcc || finish
need python3 python3 || finish

work="$(mktemp -d /tmp/ssh-exporter-nt-web.XXXXXX)"
on_exit rm -rf "$work"
cd "$work" || { fail "temp dir" "cannot enter $work"; finish; }

# --- a PKI for this run (as operators make theirs: openssl)
ossl() { openssl "$@" >>"$work/openssl.log" 2>&1 || { fail "openssl $1" "$(tail -2 "$work/openssl.log")"; finish; }; }
ossl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout ca.key -out ca.crt -days 2 \
    -subj "/CN=nt-web CA" -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign
# leaf NAME server|client KEYCMD...: NAME.key made by KEYCMD, NAME.crt signed by the CA.
leaf() {
    local name="$1" use="$2"; shift 2
    "$@" -out "$name.key" >>"$work/openssl.log" 2>&1 || { fail "key $name" "$*"; finish; }
    printf 'subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1\nextendedKeyUsage=%sAuth\n' "$use" >"$name.ext"
    ossl req -new -key "$name.key" -out "$name.csr" -subj "/CN=$name"
    ossl x509 -req -in "$name.csr" -CA ca.crt -CAkey ca.key -CAcreateserial -out "$name.crt" -days 2 -extfile "$name.ext"
}
leaf server server openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048          # PKCS#8
leaf rotated server openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256       # PKCS#8 EC
openssl ec -in rotated.key -out rotated.key 2>/dev/null                                   # -> SEC1
leaf client client openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048
openssl rsa -in client.key -traditional -out client.key 2>/dev/null                      # -> PKCS#1
check "test keys are PKCS#8, SEC1 and PKCS#1" grep -q "BEGIN EC PRIVATE KEY" rotated.key
grep -q "BEGIN RSA PRIVATE KEY" client.key || fail "PKCS#1 client key" "$(head -1 client.key)"

hash="$(htpasswd -nbBC 10 "" 'pr0m s3cret' | tr -d ':\n')"
# Relative file names: relative to this file's directory, for both programs.
cat >web.yml <<EOF
tls_server_config:
  cert_file: server.crt
  key_file: server.key
basic_auth_users:
  prom: $hash
EOF
promtool_ok() { promtool check web-config web.yml >/dev/null 2>&1; }
check "promtool check web-config accepts the file" promtool_ok

# --- a utmp file with one session, written by glibc
gcc -O2 -o utmpx_writer "$REPO_DIR/src/test/c/utmpx_writer.c" || { fail "utmpx_writer builds" "gcc failed"; finish; }
: >utmp
./utmpx_writer "$work/utmp" login pts/1 alice 203.0.113.7 203.0.113.7 4242 || fail "utmp written" "utmpx_writer failed"

port="$(free_port)"
start_exporter "$work/exporter.log" --web.listen-address "127.0.0.1:$port" --web.listen-address "[::1]:$port" \
    -f "$work/utmp" --wtmp.file= --btmp.file= --web.config.file "$work/web.yml" || finish
listening() { [ "$(grep -c 'msg=listening.*tls=true' "$work/exporter.log")" = 2 ]; }
if ! wait_for 30 listening; then
    fail "exporter starts with TLS on 127.0.0.1 and ::1" "$(tail -3 "$work/exporter.log" | tr '\n' ' ')"; finish
fi
pass "exporter starts with TLS on 127.0.0.1 and ::1"

url="https://127.0.0.1:$port/metrics"
auth=(-u 'prom:pr0m s3cret')
code() { curl -s -o /dev/null -w '%{http_code}' --max-time 5 "$@"; }

body="$(curl -sf --max-time 5 --cacert ca.crt "${auth[@]}" "$url")"
if grep -q '^ssh_num_sessions{remote_ip="203.0.113.7"} 1' <<<"$body"; then
    pass "curl with the CA and the password: 200 with ssh_num_sessions"
else
    fail "curl with the CA and the password: 200 with ssh_num_sessions" "$(head -c 300 <<<"$body")"
fi
check "over [::1] too" [ "$(code --cacert ca.crt "${auth[@]}" "https://[::1]:$port/metrics")" = 200 ]
curl -s -o /dev/null --max-time 5 "${auth[@]}" "$url"; rc=$?
check "curl without the CA refuses the server (exit 60, got $rc)" [ "$rc" = 60 ]
check "no password: 401" [ "$(code --cacert ca.crt "$url")" = 401 ]
check "wrong password: 401" [ "$(code --cacert ca.crt -u prom:wrong "$url")" = 401 ]
check "unknown user: 401" [ "$(code --cacert ca.crt -u root:'pr0m s3cret' "$url")" = 401 ]
check "401 asks for basic auth" bash -c "curl -s -D - -o /dev/null --cacert ca.crt '$url' | grep -qi '^WWW-Authenticate: Basic'"
check "plain HTTP on the TLS port gets no metrics" bash -c "! curl -sf --max-time 5 -u 'prom:pr0m s3cret' http://127.0.0.1:$port/metrics"
check "landing page links the metrics" bash -c "curl -sf --cacert ca.crt -u 'prom:pr0m s3cret' https://localhost:$port/ | grep -q 'href=\"metrics\"'"
check "/-/healthy: 200" [ "$(code --cacert ca.crt "${auth[@]}" "https://127.0.0.1:$port/-/healthy")" = 200 ]
check "unknown path: 404" [ "$(code --cacert ca.crt "${auth[@]}" "https://127.0.0.1:$port/nope")" = 404 ]
check "POST: 405" [ "$(code --cacert ca.crt "${auth[@]}" -X POST "$url")" = 405 ]

# --- Prometheus scrapes it (scheme https, tls_config, basic_auth), and serves with the same web.yml
cat >prometheus.yml <<EOF
global:
  scrape_interval: 1s
  scrape_timeout: 1s
scrape_configs:
  - job_name: ssh
    scheme: https
    tls_config:
      ca_file: $work/ca.crt
    basic_auth:
      username: prom
      password: 'pr0m s3cret'
    static_configs:
      - targets: ['127.0.0.1:$port']
EOF
prom() { curl -sf --max-time 3 --cacert "$work/ca.crt" -u 'prom:pr0m s3cret' "$@"; }
prom_ready() { prom -o /dev/null "$1/-/ready"; }
if PROM_SCHEME=https start_prometheus "$work" --web.config.file="$work/web.yml"; then
    pass "prometheus serves with the same web.yml (TLS and basic auth)"
fi
check "prometheus too refuses a wrong password" [ "$(code --cacert ca.crt -u prom:wrong "$PROM_URL/-/ready")" = 401 ]
query() { prom -G --data-urlencode "query=$1" "$PROM_URL/api/v1/query"; }
series_seen() { query ssh_num_sessions | grep -q '"remote_ip":"203.0.113.7".*"1"\]'; }
if wait_for 20 series_seen; then
    pass "Prometheus query API returns ssh_num_sessions{remote_ip=\"203.0.113.7\"} 1, scraped over TLS + basic auth"
else
    fail "Prometheus query API returns ssh_num_sessions" "$(query ssh_num_sessions) / targets: $(prom "$PROM_URL/api/v1/targets" | head -c 400)"
fi
up_is_1() { query 'up{job="ssh"}' | grep -q '"1"\]'; }
check "up{job=\"ssh\"} is 1" up_is_1
kill_pid "$PROM_PID"

# --- rotation: new certificate and key renamed over the old ones, no restart
served_cn() { curl -sv --max-time 5 --cacert ca.crt "${auth[@]}" -o /dev/null "$url" 2>&1 | sed -n 's/^\*  subject: //p'; }
check "serves CN=server before rotation" [ "$(served_cn)" = "CN=server" ]
cp rotated.key server.key.new && cp rotated.crt server.crt.new && mv server.key.new server.key && mv server.crt.new server.crt
rotated() { [ "$(served_cn)" = "CN=rotated" ]; }
t0="$(now_ms)"
if wait_for 10 rotated; then
    pass "rotated certificate (SEC1 EC key) served without a restart ($(($(now_ms) - t0)) ms)"
else
    fail "rotated certificate served without a restart" "still $(served_cn)"
fi
check "the exporter said so" grep -q 'msg="web config reloaded".*certificate="CN=rotated"' exporter.log
# A broken edit: kept out, the last good config goes on, one error line.
cp web.yml web.yml.good
printf 'tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n  client_auth_type: Maybe\n' >web.yml
sleep 1.2; code --cacert ca.crt "${auth[@]}" "$url" >/dev/null; sleep 1.2
check "broken edit: still serving with the last good config" [ "$(code --cacert ca.crt "${auth[@]}" "$url")" = 200 ]
check "broken edit: still asking for the password" [ "$(code --cacert ca.crt "$url")" = 401 ]
check "broken edit: one error line" [ "$(grep -c 'web config not reloaded' exporter.log)" = 1 ]
cp web.yml.good web.yml
check "exporter alive" kill -0 "$EXPORTER_PID"
kill_pid "$EXPORTER_PID"

# --- mutual TLS: RequireAndVerifyClientCert with the run's CA
cat >mtls.yml <<EOF
tls_server_config:
  cert_file: server.crt
  key_file: server.key
  client_auth_type: RequireAndVerifyClientCert
  client_ca_file: ca.crt
EOF
port2="$(free_port)"
start_exporter "$work/exporter2.log" --web.listen-address "127.0.0.1:$port2" -f "$work/utmp" --wtmp.file= --btmp.file= \
    --web.config.file "$work/mtls.yml" || finish
mtls_up() { grep -q 'msg=listening' "$work/exporter2.log"; }
wait_for 30 mtls_up || fail "mTLS exporter starts" "$(tail -3 "$work/exporter2.log" | tr '\n' ' ')"
check "mTLS: client certificate (PKCS#1 key) accepted" [ "$(code --cacert ca.crt --cert client.crt --key client.key "https://127.0.0.1:$port2/metrics")" = 200 ]
curl -s -o /dev/null --max-time 5 --cacert ca.crt "https://127.0.0.1:$port2/metrics"; rc=$?
check "mTLS: a client without a certificate is rejected (curl exit $rc)" [ "$rc" != 0 ]
check "mTLS: a server certificate is no client certificate" bash -c "! curl -sf -o /dev/null --max-time 5 --cacert ca.crt --cert rotated.crt --key rotated.key https://127.0.0.1:$port2/metrics"
kill_pid "$EXPORTER_PID"

# --- an invalid file at start: one line, exit 2
printf 'tls_server_config:\n  cert_filse: server.crt\n' >bad.yml
java -jar "$(exporter_jar)" --web.listen-address "127.0.0.1:$port2" -f "$work/utmp" --wtmp.file= --btmp.file= --web.config.file "$work/bad.yml" \
    >bad.out 2>&1; rc=$?
check "invalid web config: exit 2 (got $rc)" [ "$rc" = 2 ]
check "invalid web config: one line naming the key" bash -c "[ \$(wc -l <bad.out) = 1 ] && grep -q 'unknown field \"cert_filse\"' bad.out"
finish
