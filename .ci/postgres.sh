# Starts a throwaway PostgreSQL server for the tests, on loopback on a free port, in a
# temporary data directory; installs PostgreSQL from Debian's packages if it is missing.
# The server offers TLS with a certificate for `localhost` signed by a throwaway authority
# (openssl), and a role `tlsonly` that may connect only over TLS. Source it (after
# exit-hooks.sh), then call `postgres_start`: it exports SEG_TEST_POSTGRES_URL and
# SEG_TEST_POSTGRES_CA (the authority's certificate) and stops the server (and removes its directory) when the calling shell
# exits.

postgres_bin() {
  local dir
  for dir in /usr/lib/postgresql/*/bin; do
    if [ -x "$dir/pg_ctl" ]; then echo "$dir"; return 0; fi
  done
  if command -v pg_ctl >/dev/null 2>&1; then dirname "$(command -v pg_ctl)"; return 0; fi
  return 1
}

postgres_install() {
  echo "== installing PostgreSQL from Debian's packages"
  local sudo=""
  if [ "$(id -u)" != 0 ]; then sudo="sudo"; fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq postgresql >/dev/null
}

postgres_free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

postgres_start() {
  local bin
  bin="$(postgres_bin)" || { postgres_install; bin="$(postgres_bin)"; }
  POSTGRES_DIR="$(mktemp -d /tmp/seglang-postgres.XXXXXX)"
  local port as=()
  port="$(postgres_free_port)"
  # PostgreSQL refuses to run as root: the server then runs as the `postgres` user.
  if [ "$(id -u)" = 0 ]; then
    id postgres >/dev/null 2>&1 || useradd --system --no-create-home postgres
    chown postgres "$POSTGRES_DIR"
    as=(runuser -u postgres --)
  fi
  "${as[@]}" "$bin/initdb" -D "$POSTGRES_DIR/data" -U seg --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
  # A throwaway authority, and the server's certificate for localhost signed by it.
  openssl req -new -x509 -days 2 -nodes -subj "/CN=seglang test CA" \
    -keyout "$POSTGRES_DIR/ca.key" -out "$POSTGRES_DIR/ca.crt" 2>/dev/null
  openssl req -new -nodes -subj "/CN=localhost" \
    -keyout "$POSTGRES_DIR/server.key" -out "$POSTGRES_DIR/server.csr" 2>/dev/null
  printf 'subjectAltName=DNS:localhost\nbasicConstraints=CA:FALSE\n' > "$POSTGRES_DIR/server.ext"
  openssl x509 -req -days 2 -in "$POSTGRES_DIR/server.csr" -CA "$POSTGRES_DIR/ca.crt" \
    -CAkey "$POSTGRES_DIR/ca.key" -CAcreateserial -extfile "$POSTGRES_DIR/server.ext" \
    -out "$POSTGRES_DIR/server.crt" 2>/dev/null
  chmod 600 "$POSTGRES_DIR/server.key"
  if [ "$(id -u)" = 0 ]; then chown postgres "$POSTGRES_DIR/server.key" "$POSTGRES_DIR/server.crt"; fi
  # tlsonly may not connect without TLS; everyone else may connect either way.
  local hba="$POSTGRES_DIR/data/pg_hba.conf"
  printf 'hostnossl all tlsonly 127.0.0.1/32 reject\nhostnossl all tlsonly ::1/128 reject\n' |
    cat - "$hba" > "$hba.new"
  mv "$hba.new" "$hba"
  if [ "$(id -u)" = 0 ]; then chown postgres "$hba"; fi
  "${as[@]}" "$bin/pg_ctl" -D "$POSTGRES_DIR/data" -l "$POSTGRES_DIR/log" -w \
    -o "-c listen_addresses=127.0.0.1 -p $port -k $POSTGRES_DIR -c fsync=off -c ssl=on -c ssl_cert_file=$POSTGRES_DIR/server.crt -c ssl_key_file=$POSTGRES_DIR/server.key" start >/dev/null
  "$bin/psql" -q -h 127.0.0.1 -p "$port" -U seg -d postgres -c "CREATE ROLE tlsonly LOGIN SUPERUSER" >/dev/null
  add_exit_hook postgres_stop
  POSTGRES_BIN="$bin"
  export SEG_TEST_POSTGRES_URL="postgresql://seg@127.0.0.1:$port/postgres"
  export SEG_TEST_POSTGRES_CA="$POSTGRES_DIR/ca.crt"
  echo "== PostgreSQL $("$bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$port"
}

postgres_stop() {
  if [ -n "${POSTGRES_DIR:-}" ] && [ -d "$POSTGRES_DIR/data" ]; then
    local as=()
    if [ "$(id -u)" = 0 ]; then as=(runuser -u postgres --); fi
    "${as[@]}" "$POSTGRES_BIN/pg_ctl" -D "$POSTGRES_DIR/data" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$POSTGRES_DIR"
  fi
}
