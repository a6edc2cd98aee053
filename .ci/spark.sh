# Starts a local standalone Spark cluster for the tests — a master and two workers on
# loopback, from the `pyspark` package (installed if missing; Java 17 must be on the
# machine) — in a temporary directory. Source it (after exit-hooks.sh), then call
# `spark_start`: it exports SPARK_HOME and SEG_TEST_SPARK_MASTER and stops the cluster when
# the calling shell exits.

spark_start() {
  if ! python3 -c 'import pyspark' 2>/dev/null; then
    echo "== installing pyspark"
    python3 -m pip install --quiet --disable-pip-version-check pyspark
  fi
  command -v java >/dev/null || { echo "Spark needs Java 17 (java not found)" >&2; return 1; }
  SPARK_HOME="$(python3 -c 'import os, pyspark; print(os.path.dirname(pyspark.__file__))')"
  export SPARK_HOME SPARK_LOCAL_IP=127.0.0.1
  SPARK_DIR="$(mktemp -d /tmp/seglang-spark.XXXXXX)"
  local port
  port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
  "$SPARK_HOME/bin/spark-class" org.apache.spark.deploy.master.Master \
    --host 127.0.0.1 --port "$port" --webui-port 0 >"$SPARK_DIR/master.log" 2>&1 &
  SPARK_PIDS=($!)
  add_exit_hook spark_stop
  local worker
  for worker in 1 2; do
    "$SPARK_HOME/bin/spark-class" org.apache.spark.deploy.worker.Worker "spark://127.0.0.1:$port" \
      --host 127.0.0.1 --cores 1 --memory 1g --webui-port 0 --work-dir "$SPARK_DIR/worker$worker" \
      >"$SPARK_DIR/worker$worker.log" 2>&1 &
    SPARK_PIDS+=($!)
  done
  local waited=0
  until [ "$(grep -c 'Registering worker' "$SPARK_DIR/master.log" 2>/dev/null)" -ge 2 ]; do
    sleep 1
    waited=$((waited + 1))
    if [ "$waited" -gt 120 ]; then
      echo "the Spark cluster did not start:" >&2
      tail -20 "$SPARK_DIR"/*.log >&2
      return 1
    fi
  done
  export SEG_TEST_SPARK_MASTER="spark://127.0.0.1:$port"
  echo "== Spark $(python3 -c 'import pyspark; print(pyspark.__version__)'): a master and two workers at $SEG_TEST_SPARK_MASTER"
}

spark_stop() {
  if [ -n "${SPARK_PIDS:-}" ]; then
    kill "${SPARK_PIDS[@]}" 2>/dev/null || true
    wait "${SPARK_PIDS[@]}" 2>/dev/null || true
  fi
  if [ -n "${SPARK_DIR:-}" ]; then rm -rf "$SPARK_DIR"; fi
}
