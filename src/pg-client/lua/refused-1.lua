--[[
  The PG refused a call with 429: widens the margin every worker adds to the one-second window,
  unless a wider one came after the call was granted (its refusal then belongs to the old margin,
  and the widening already answered it). afterRefusal() in src/pg-client/margin.ts is the same
  rule and says why; acquire-3.lua reads the result.

  KEYS[1] margin  hash  widened, failed, at (ms, Redis time): the last refusal's lesson
  ARGV[1] when the refused call was granted (ms, Redis time, acquire-3.lua's `now`)
  ARGV[2] the margin it was granted under, ms
  ARGV[3] floor: the configured margin, ms
  ARGV[4] cap: the widest margin, ms
  ARGV[5] widen by, ms: the margin becomes max(2m, m + this)
  ARGV[6] how long the lesson is kept when no refusal follows, ms (longer than the margin takes to
          come back to the floor)

  Returns {1, margin}   widened; margin = the new margin (ms, as a string)
          {0, 0}        a refusal of a call granted before the last widening: nothing learnt
]]
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000
local granted = tonumber(ARGV[1])
local at = redis.call('HGET', KEYS[1], 'at')
if at and granted < tonumber(at) then return {0, 0} end

local failed = tonumber(ARGV[2])
local ceiling = math.max(tonumber(ARGV[4]), tonumber(ARGV[3]))
local widened = math.min(ceiling, math.max(2 * failed, failed + tonumber(ARGV[5])))
redis.call('HSET', KEYS[1], 'widened', widened, 'failed', failed, 'at', string.format('%.3f', now))
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[6]))
return {1, string.format('%.3f', widened)}
