--[[
  Extends the leases a live holder still has.

  KEYS[1] leases  zset  member = lease id, score = expiry (ms, Redis time)
  ARGV[1] lease ttl ms
  ARGV[2..] lease ids held by the caller

  Returns the ids that were no longer there (expired and possibly handed on: the caller lost them).
]]
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000
local ttl = tonumber(ARGV[1])
local lost = {}
for i = 2, #ARGV do
  local expiry = redis.call('ZSCORE', KEYS[1], ARGV[i])
  if expiry and tonumber(expiry) > now then
    redis.call('ZADD', KEYS[1], 'XX', now + ttl, ARGV[i])
  else
    redis.call('ZREM', KEYS[1], ARGV[i])
    table.insert(lost, ARGV[i])
  end
end
redis.call('PEXPIRE', KEYS[1], ttl * 2)
return lost
