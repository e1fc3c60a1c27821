--[[
  Takes one PG permit if both limits allow: fewer than ARGV[2] live leases, and fewer than ARGV[3]
  call starts in the last 1000 ms + the margin. Time is the Redis server's (TIME), never a
  client's clock. The margin is the one every worker has learnt from the PG's 429s (refused-1.lua):
  the same function of KEYS[3] and the time as marginAt() in src/pg-client/margin.ts, which says why.

  KEYS[1] leases  zset  member = lease id, score = expiry (ms, Redis time)
  KEYS[2] starts  zset  member = lease id, score = the call's start (ms, Redis time); until the
                        holder says the request went out (sent-1.lua), the lease's end: an unsent
                        call cannot leave the window, and one whose holder died leaves it at last
  KEYS[3] margin  hash  widened, failed, at: the last refusal's lesson (absent: none, the floor)
  ARGV[1] lease id (unique per acquisition; only its holder knows it)
  ARGV[2] concurrency limit
  ARGV[3] rate limit (starts per window)
  ARGV[4] floor: the configured margin, ms
  ARGV[5] lease ttl ms
  ARGV[6] cap: the widest margin, ms (starts are kept for 1000 + this)
  ARGV[7] hold ms      ARGV[8] shrink every ms    ARGV[9] shrink factor
  ARGV[10] headroom    ARGV[11] forget ms

  Returns {1, now, margin}      granted; now = the start recorded (ms, with microseconds), margin
                                = the margin it was granted under (ms), both as strings
          {0, waitMs, margin}   refused; waitMs = when a limit can next allow a start, at the latest
                                (a live lease may be released sooner: watch the release channel)
]]
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000
local concurrency = tonumber(ARGV[2])
local rate = tonumber(ARGV[3])
local floor = tonumber(ARGV[4])
local ttl = tonumber(ARGV[5])
local longest = 1000 + math.max(tonumber(ARGV[6]), floor)

local margin = floor
local lesson = redis.call('HMGET', KEYS[3], 'widened', 'failed', 'at')
if lesson[1] then
  local widened, failed, at = tonumber(lesson[1]), tonumber(lesson[2]), tonumber(lesson[3])
  local quiet = now - at
  local hold, every = tonumber(ARGV[7]), tonumber(ARGV[8])
  if quiet < hold then
    margin = widened
  else
    local shrunk = widened * tonumber(ARGV[9]) ^ (math.floor((quiet - hold) / every) + 1)
    local remembered = 0
    if quiet < tonumber(ARGV[11]) then remembered = failed * tonumber(ARGV[10]) end
    margin = math.max(floor, math.min(widened, math.max(shrunk, remembered)))
  end
end
local window = 1000 + margin
local shown = string.format('%.3f', margin)

-- A lease past its expiry belongs to a holder that stopped renewing it (killed): its slot is free.
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
-- Starts are kept for the widest window: a margin widened now must still see the starts behind it.
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now - longest)

if redis.call('ZCARD', KEYS[1]) >= concurrency then
  local first = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
  return {0, math.max(1, math.ceil(tonumber(first[2]) - now)), shown}
end
local since = '(' .. string.format('%.3f', now - window)
if redis.call('ZCOUNT', KEYS[2], since, '+inf') >= rate then
  local oldest = redis.call('ZRANGEBYSCORE', KEYS[2], since, '+inf', 'WITHSCORES', 'LIMIT', 0, 1)
  return {0, math.max(1, math.ceil(tonumber(oldest[2]) + window - now)), shown}
end

redis.call('ZADD', KEYS[1], now + ttl, ARGV[1])
-- Stamped with the grant time, a call would leave the window early by however long the grant's
-- answer took to reach its holder and the holder to write the request: on a busy machine, more
-- than the margin. So it counts from the lease's end until sent-1.lua (or release-2.lua) moves it.
redis.call('ZADD', KEYS[2], now + ttl, ARGV[1])
-- Keys vanish when idle, so a changed prefix or limit leaves nothing behind.
redis.call('PEXPIRE', KEYS[1], ttl * 2)
redis.call('PEXPIRE', KEYS[2], (ttl + longest) * 2)
return {1, string.format('%.3f', now), shown}
