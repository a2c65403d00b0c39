# llm.sh - the test model server (tests/lib/llm-server.py) for shell tests.
#
#   . "$TOP/tests/lib/llm.sh"        (after tap.sh)
#   llm_server_start [ARG...]  start it on a free loopback port, logging to
#                              $LLM_LOG (default $TMP/log); its port in $TMP/port; stopped when
#                              the test ends, pass or fail
llm_server_start () {
  /usr/bin/python3 "$TOP/tests/lib/llm-server.py" --port-file "$TMP/port" --log "${LLM_LOG:-$TMP/log}" "$@" &
  SERVER=$!
  [ -n "${llm_hooked:-}" ] || { at_exit llm_server_stop; llm_hooked=1; }
  wait_port "$TMP/port"
}
llm_server_stop () { kill "$SERVER" 2>/dev/null; wait "$SERVER" 2>/dev/null; }
