--[[
  Takes one PG permit if both limits allow: fewer than ARGV[2] live leases, and fewer than ARGV[3]
  call starts in the last ARGV[4] ms. Time is the Redis server's (TIME), never a client's clock.

  KEYS[1] leases  zset  member = lease id, score = expiry (ms, Redis time)
  KEYS[2] starts  zset  member = lease id, score = the call's start (ms, Redis time); until the
                        holder says the request went out (sent-1.lua), the lease's end: an unsent
                        call cannot leave the window, and one whose holder died leaves it at last
  ARGV[1] lease id (unique per acquisition; only its holder knows it)
  ARGV[2] concurrency limit
  ARGV[3] rate limit (starts per window)
  ARGV[4] window ms (1000 + margin)
  ARGV[5] lease ttl ms

  Returns {1, now}      granted; now = the start recorded (ms, with microseconds, as a string)
          {0, waitMs}   refused; waitMs = when a limit can next allow a start, at the latest
                        (a live lease may be released sooner: watch the release channel)
]]
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000
local concurrency = tonumber(ARGV[2])
local rate = tonumber(ARGV[3])
local window = tonumber(ARGV[4])

-- A lease past its expiry belongs to a holder that stopped renewing it (killed): its slot is free.
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now - window)

if redis.call('ZCARD', KEYS[1]) >= concurrency then
  local first = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
  return {0, math.max(1, math.ceil(tonumber(first[2]) - now))}
end
if redis.call('ZCARD', KEYS[2]) >= rate then
  local oldest = redis.call('ZRANGE', KEYS[2], 0, 0, 'WITHSCORES')
  return {0, math.max(1, math.ceil(tonumber(oldest[2]) + window - now))}
end

local ttl = tonumber(ARGV[5])
redis.call('ZADD', KEYS[1], now + ttl, ARGV[1])
-- Stamped with the grant time, a call would leave the window early by however long the grant's
-- answer took to reach its holder and the holder to write the request: on a busy machine, more
-- than the margin. So it counts from the lease's end until sent-1.lua (or release-2.lua) moves it.
redis.call('ZADD', KEYS[2], now + ttl, ARGV[1])
-- Keys vanish when idle, so a changed prefix or limit leaves nothing behind.
redis.call('PEXPIRE', KEYS[1], ttl * 2)
redis.call('PEXPIRE', KEYS[2], (ttl + window) * 2)
return {1, string.format('%.3f', now)}
