--[[
  The PG activity claims the payment just before its PG call: from here on it can no longer be
  cancelled. A cancelled payment is never charged.
  KEYS[1] the payment's record
  ARGV[1] attempt   ARGV[2] startedAt (ISO)
  Returns 'claimed', 'cancelled', or 'absent' (no record: a payment started without the intake).
]]
local status = redis.call('HGET', KEYS[1], 'status')
if not status then return 'absent' end
if status == 'CANCELLED' then return 'cancelled' end
if status == 'PENDING' or status == 'PROCESSING' then
  redis.call('HSET', KEYS[1], 'status', 'PROCESSING', 'attempts', ARGV[1])
  redis.call('HSETNX', KEYS[1], 'startedAt', ARGV[2])
end
return 'claimed'
