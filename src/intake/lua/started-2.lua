--[[
  The starter started (or found) the payment's workflow. Counted once, however often the starter
  retries, so `started - ended` is the number of payments Temporal holds, in all and per PG
  (`started:<pg>`, `ended:<pg>`).
  KEYS[1] the payment's record   KEYS[2] the counts
  Returns 1 when counted now, 0 when counted before or the record is gone.
]]
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
if redis.call('HSETNX', KEYS[1], 'workflow', '1') == 0 then return 0 end
-- A record from before PGs were named was pg-main's.
local pg = redis.call('HGET', KEYS[1], 'pg') or 'pg-main'
redis.call('HINCRBY', KEYS[2], 'started', 1)
redis.call('HINCRBY', KEYS[2], 'started:' .. pg, 1)
-- Ended before this mark (cancelled while its start was in flight, or charged that fast): finish
-- and cancel did not count it, since it was not yet marked started, so it is counted here.
local status = redis.call('HGET', KEYS[1], 'status')
if status == 'SUCCESS' or status == 'FAILED' or status == 'CANCELLED' then
  redis.call('HINCRBY', KEYS[2], 'ended', 1)
  redis.call('HINCRBY', KEYS[2], 'ended:' .. pg, 1)
end
return 1
