# shellcheck shell=bash
# Process and port helpers shared by infra/run-local and the fault scripts (infra/faults/lib.sh); sourced, not
# run. Everything works by process id or by an exact command-line match, never by a broad name, and talks only
# to 127.0.0.1.

pid_alive() { # pid: true while it runs (a zombie counts as dead)
  local state
  [[ -n "$1" ]] && kill -0 "$1" 2>/dev/null || return 1
  state="$(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null || true)"
  [[ "$state" != Z ]]
}

wait_gone() { # pid seconds: true once pid has exited, false if it still runs after that long
  local i
  for ((i = 0; i < $2 * 10; i++)); do pid_alive "$1" || return 0; sleep 0.1; done
  return 1
}

# Prints the pid of every java process whose command line (arguments joined by spaces, with a trailing space)
# matches the bash glob pattern; e.g. java_pids_matching "* kafka.Kafka $dir/server.properties *".
java_pids_matching() { # glob
  local f pid cmd
  for f in /proc/[0-9]*/cmdline; do
    pid="${f#/proc/}" pid="${pid%/cmdline}"
    cmd="$( (tr "\\0" " " <"$f") 2>/dev/null)" || continue
    [[ "$cmd" == *java* ]] || continue
    # shellcheck disable=SC2053  # $1 is a glob on purpose
    if [[ "$cmd" == $1 ]]; then echo "$pid"; fi
  done
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

http_status() { # port path -> prints the HTTP status code, fails if there is no answer
  (
    exec 3<>"/dev/tcp/127.0.0.1/$1" || exit 1
    printf 'GET %s HTTP/1.1\r\nHost: 127.0.0.1:%s\r\nConnection: close\r\n\r\n' "$2" "$1" >&3
    IFS=' ' read -r -t 5 _ code _ <&3 || exit 1
    printf '%s' "$code"
  ) 2>/dev/null
}
