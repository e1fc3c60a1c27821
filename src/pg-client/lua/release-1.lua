--[[
  Returns a permit. Only the lease id's holder knows it, so nobody else can free its slot.
  The start time stays in the starts log: the rate window still counts the call.

  KEYS[1] leases  zset
  ARGV[1] lease id
  ARGV[2] release channel (waiters in every worker subscribe to it)

  Returns 1 if the lease was held, 0 if it had already expired.
]]
local removed = redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('PUBLISH', ARGV[2], '1')
return removed
