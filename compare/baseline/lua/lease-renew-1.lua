--[[
  Lease semaphore: extends the leases a live holder still has. A lease already expired (and so
  possibly granted to someone else) is not revived.

  KEYS[1] the leases sorted set
  ARGV[1] lease length in ms
  ARGV[2..] the holder's tokens

  Returns one flag per token: 1 renewed, 0 lost
]]
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local flags = {}
for i = 2, #ARGV do
  local expiry = tonumber(redis.call('ZSCORE', KEYS[1], ARGV[i]))
  if expiry and expiry > now then
    redis.call('ZADD', KEYS[1], 'XX', now + tonumber(ARGV[1]), ARGV[i])
    flags[#flags + 1] = 1
  else
    redis.call('ZREM', KEYS[1], ARGV[i])
    flags[#flags + 1] = 0
  end
end
return flags
