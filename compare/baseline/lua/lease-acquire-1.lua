--[[
  Lease semaphore: takes one of N permits as a lease that expires unless renewed. Expiry is read
  from Redis TIME here, never from a client clock, so clocks of consumer hosts do not matter.

  KEYS[1] the leases: sorted set of holder token -> expiry in ms (semaphore:pg:api:leases)
  ARGV[1] permits (N)
  ARGV[2] lease length in ms
  ARGV[3] the holder's token (unique per lease)

  Returns 1 acquired, 0 all N permits are held by live leases
]]
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[1]) then
  redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[3])
  return 1
end
return 0
