--[[
  Moves a call's start to when its request really went out, on Redis's clock: the caller sends
  this right after writing the request, so Redis's TIME now is at or after the real send time.
  (A start computed from the grant time plus the caller's elapsed time would be early by however
  long the grant's answer took to reach a busy caller, and an early start leaves the window early.)
  Later than admission, never earlier.

  KEYS[1] starts  zset
  ARGV[1] lease id

  Returns 1 if moved, 0 if the entry was gone.
]]
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000
return redis.call('ZADD', KEYS[1], 'XX', 'GT', 'CH', now, ARGV[1])
