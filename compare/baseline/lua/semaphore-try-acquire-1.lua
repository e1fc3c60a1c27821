--[[
  list mode: Redisson RSemaphore.tryAcquire() as the study document uses it: a plain counter of free permits.
  Nothing records who holds a permit, so a holder that dies never gives it back (the study document's flaw,
  kept on purpose).

  KEYS[1] the semaphore                  (semaphore:pg:api)
  ARGV[1] permits to take (1)

  Returns 1 acquired, 0 none free
]]
local free = tonumber(redis.call('GET', KEYS[1]) or '0')
local want = tonumber(ARGV[1])
if free >= want then
  redis.call('DECRBY', KEYS[1], want)
  return 1
end
return 0
