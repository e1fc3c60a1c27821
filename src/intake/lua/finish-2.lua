--[[
  Records a payment's final status, once: a retried activity or a late duplicate changes nothing.
  KEYS[1] the payment's record   KEYS[2] the counts
  ARGV[1] status (SUCCESS | FAILED)   ARGV[2] attempts   ARGV[3] completedAt (ISO)
  ARGV[4] transactionId or ''   ARGV[5] error code or ''   ARGV[6] startedAt (ISO) or ''
  Returns 1 when recorded now, 0 otherwise.
]]
local status = redis.call('HGET', KEYS[1], 'status')
if not status or status == 'SUCCESS' or status == 'FAILED' or status == 'CANCELLED' then return 0 end
redis.call('HSET', KEYS[1], 'status', ARGV[1], 'attempts', ARGV[2], 'completedAt', ARGV[3])
if ARGV[4] ~= '' then redis.call('HSET', KEYS[1], 'transactionId', ARGV[4]) end
if ARGV[5] ~= '' then redis.call('HSET', KEYS[1], 'error', ARGV[5]) end
if ARGV[6] ~= '' then redis.call('HSETNX', KEYS[1], 'startedAt', ARGV[6]) end
if redis.call('HGET', KEYS[1], 'workflow') == '1' then
  -- A record from before PGs were named was pg-main's.
  local pg = redis.call('HGET', KEYS[1], 'pg') or 'pg-main'
  redis.call('HINCRBY', KEYS[2], 'ended', 1)
  redis.call('HINCRBY', KEYS[2], 'ended:' .. pg, 1)
end
return 1
