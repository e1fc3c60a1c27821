--[[
  Stamps a call's start with when its request really went out, on Redis's clock: the caller sends
  this right after writing the request, so Redis's TIME now is at or after the real send time.
  Until then the start held the lease's end (acquire-3.lua), so the call could not leave the window
  early; only an earlier time replaces it (LT), so a second stamp never moves a start later.
  Wakes the waiters: a start that moved earlier may free the window sooner than they were told.

  KEYS[1] starts  zset
  ARGV[1] lease id
  ARGV[2] release channel

  Returns 1 if moved, 0 if the entry was gone or already stamped.
]]
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000
local moved = redis.call('ZADD', KEYS[1], 'XX', 'LT', 'CH', now, ARGV[1])
if moved == 1 then redis.call('PUBLISH', ARGV[2], '1') end
return moved
