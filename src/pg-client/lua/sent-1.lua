--[[
  Moves a call's start to when its request really went out (later than admission, never earlier),
  so the rate window measures what the PG sees, not when the permit was granted.

  KEYS[1] starts  zset
  ARGV[1] lease id
  ARGV[2] start ms (Redis time)

  Returns 1 if moved, 0 if the entry was gone or already later.
]]
return redis.call('ZADD', KEYS[1], 'XX', 'GT', 'CH', tonumber(ARGV[2]), ARGV[1])
