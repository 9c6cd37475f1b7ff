-- wrk: each connection waits 5 ms after a reply before its next request
-- (tests/soak/flood.soak's paced client: ~350 requests/s on 2 connections)
function delay()
	return 5
end
