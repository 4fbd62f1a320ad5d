-- wrk script of src/main/bench/run: one chat completion per request, as POST with a JSON body.
--   BENCH_STREAM=1      ask for an SSE stream ("stream":true); wrk counts a stream when its last chunk arrived
--   BENCH_AUTH=<value>  sent as the Authorization header (the simulator's key, or the gateway's client key);
--                       read from the environment, so that no key shows in the process list
-- The same body goes to the upstream and to the gateway, model included, so that both do the same work.
local stream = os.getenv("BENCH_STREAM") == "1"

wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
if stream then
  wrk.headers["Accept"] = "text/event-stream"
  wrk.body = '{"model":"mistral-small-2506","messages":[{"role":"user","content":"ping"}],"stream":true}'
else
  wrk.body = '{"model":"mistral-small-2506","messages":[{"role":"user","content":"ping"}]}'
end

local auth = os.getenv("BENCH_AUTH")
if auth ~= nil and auth ~= "" then
  wrk.headers["Authorization"] = auth
end
