# For test scripts (source it): start_rpad LOG RPAD ARGS... runs `RPAD serve --listen
# 127.0.0.1:0 ARGS...` in the background with its log in LOG, sets rpad_pid, and prints the
# port it bound once the "listening" line is logged (nothing, and status 1, if it never is).
start_rpad() {
  local log=$1 rpad=$2
  shift 2
  "$rpad" serve --listen 127.0.0.1:0 "$@" 2>"$log" >/dev/null &
  rpad_pid=$!
  local port
  for _ in $(seq 100); do
    port=$(grep -o 'addr=127.0.0.1:[0-9]*' "$log" | head -1 | cut -d: -f2) || true
    [[ -n $port ]] && { echo "$port"; return 0; }
    sleep 0.05
  done
  return 1
}
