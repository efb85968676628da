# Helpers shared by kafka.sh and flink.sh; sourced, not run.
# Every wait here is bounded; every process is addressed by the PID its script recorded.

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
WORK="${LINKAGE_WORK:-$HERE/work}"
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"

die() { echo "$(basename "$0"): $*" >&2; exit 1; }
say() { echo "$(basename "$0"): $*"; }

# ensure_jars PROFILE DIR: resolve the jars of one service with deploy/local/pom.xml, once,
# and again only when the pom changed.
ensure_jars() {
  local profile="$1" dir="$2" marker="$2/.resolved"
  if [[ -f "$marker" && "$marker" -nt "$HERE/pom.xml" ]]; then return 0; fi
  command -v mvn >/dev/null || die "mvn not found: it is needed once to resolve the $profile jars"
  say "resolving the $profile jars from Maven Central into ${dir#"$HERE"/} (first use only) ..."
  mkdir -p "$HERE/target"
  local log="$HERE/target/mvn-$profile.log"
  rm -rf "$dir"
  if ! mvn -q -B -Dstyle.color=never -f "$HERE/pom.xml" -P"$profile" dependency:copy-dependencies >"$log" 2>&1; then
    cat "$log" >&2
    rm -rf "$dir"
    die "could not resolve the $profile jars (log: $log)"
  fi
  touch "$marker"
}

# pid_alive PIDFILE PATTERN: true when the recorded process runs and its command line still
# contains PATTERN (guards against a PID reused by an unrelated process).
pid_alive() {
  local pidfile="$1" pattern="$2" pid
  [[ -f "$pidfile" ]] || return 1
  pid="$(cat "$pidfile" 2>/dev/null)" || return 1
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  [[ -r "/proc/$pid/cmdline" ]] || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -F -- "$pattern" >/dev/null
}

# stop_pid PIDFILE PATTERN NAME [GRACE_SECONDS]: SIGTERM, wait, then SIGKILL; removes the pid file.
stop_pid() {
  local pidfile="$1" pattern="$2" name="$3" grace="${4:-30}" pid i
  if ! pid_alive "$pidfile" "$pattern"; then rm -f "$pidfile"; return 0; fi
  pid="$(cat "$pidfile")"
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < grace * 5; i++)); do
    pid_alive "$pidfile" "$pattern" || break
    sleep 0.2
  done
  if pid_alive "$pidfile" "$pattern"; then
    say "$name (pid $pid) still running after ${grace}s: SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
    for ((i = 0; i < 50; i++)); do pid_alive "$pidfile" "$pattern" || break; sleep 0.1; done
  fi
  pid_alive "$pidfile" "$pattern" && die "$name (pid $pid) did not exit"
  rm -f "$pidfile"
  say "stopped $name (pid $pid)"
}

# port_open PORT: something accepts TCP connections on 127.0.0.1:PORT.
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

require_free_port() {
  if port_open "$1"; then die "127.0.0.1:$1 ($2) is already in use by another process"; fi
}

# rss_mb PID: resident set size in MB.
rss_mb() { awk '/^VmRSS:/ { printf "%d", $2 / 1024 }' "/proc/$1/status" 2>/dev/null || echo "?"; }

# start_java LOGFILE ARGS...: the JVM in its own session (so it outlives the calling shell and
# its terminal) with stdout/stderr in LOGFILE; prints the PID. setsid from a background job
# execs in place, so the PID is the JVM's own. Returns once that PID runs Java: until the child
# has exec'd, its command line is this shell's, and pid_alive would take a starting JVM for one
# that exited (seen on a loaded machine: a broker restart reported "exited during start", and
# the clean-up then stopped the JVM it had just started).
start_java() {
  local out="$1" pid i; shift
  setsid "$JAVA" "$@" </dev/null >"$out" 2>&1 &
  pid=$!
  for ((i = 0; i < 200; i++)); do
    [[ "$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null)" == "$JAVA "* ]] && break
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.05
  done
  echo "$pid"
}
