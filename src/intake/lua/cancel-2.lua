--[[
  Cancels a payment that no PG call has claimed yet.
  KEYS[1] the payment's record   KEYS[2] the counts
  ARGV[1] completedAt (ISO)
  Returns 'cancelled' (now or before), 'absent', or the status that forbids it (PROCESSING,
  SUCCESS, FAILED).
]]
local status = redis.call('HGET', KEYS[1], 'status')
if not status then return 'absent' end
if status ~= 'PENDING' then return status == 'CANCELLED' and 'cancelled' or status end
redis.call('HSET', KEYS[1], 'status', 'CANCELLED', 'completedAt', ARGV[1])
if redis.call('HGET', KEYS[1], 'workflow') == '1' then
  -- A record from before PGs were named was pg-main's.
  local pg = redis.call('HGET', KEYS[1], 'pg') or 'pg-main'
  redis.call('HINCRBY', KEYS[2], 'ended', 1)
  redis.call('HINCRBY', KEYS[2], 'ended:' .. pg, 1)
end
return 'cancelled'
