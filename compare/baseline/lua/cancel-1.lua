--[[
  Cancels a payment no consumer has started on: PENDING becomes CANCELLED, and the consumer that
  later takes its message only acknowledges it (mark-processing-1.lua treats CANCELLED as final).

  KEYS[1] the payment's status hash
  ARGV[1] completedAt (ISO-8601)

  Returns 'cancelled' (now or before), 'absent', or the status that forbids it (PROCESSING,
  SUCCESS, FAILED)
]]
local status = redis.call('HGET', KEYS[1], 'status')
if not status then return 'absent' end
if status ~= 'PENDING' then return status == 'CANCELLED' and 'cancelled' or status end
redis.call('HSET', KEYS[1], 'status', 'CANCELLED', 'completedAt', ARGV[1])
return 'cancelled'
