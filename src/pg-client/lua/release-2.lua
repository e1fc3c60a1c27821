--[[
  Returns a permit. Only the lease id's holder knows it, so nobody else can free its slot.
  The start stays in the starts log, so the rate window still counts the call; a call released
  before it was sent (it failed before writing its request) counts from now.

  KEYS[1] leases  zset
  KEYS[2] starts  zset
  ARGV[1] lease id
  ARGV[2] release channel (waiters in every worker subscribe to it)

  Returns 1 if the lease was held, 0 if it had already expired.
]]
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000
local removed = redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('ZADD', KEYS[2], 'XX', 'LT', now, ARGV[1])
redis.call('PUBLISH', ARGV[2], '1')
return removed
