--[[
  Counts a call's start later by ARGV[2] ms: its answer showed the PG stamped it that much later
  than the send that sent-1.lua stamped (lateStartMs in ../margin.ts). Only ever later (GT), and
  only while the start is still in the log (XX). release-2.lua's LT cannot undo it: the answer,
  and so the release, comes after the shifted start.

  KEYS[1] starts  zset
  ARGV[1] lease id
  ARGV[2] ms to add

  Returns 1 if moved, 0 if the entry was gone.
]]
local start = redis.call('ZSCORE', KEYS[1], ARGV[1])
if not start then return 0 end
return redis.call('ZADD', KEYS[1], 'XX', 'GT', 'CH', tonumber(start) + tonumber(ARGV[2]), ARGV[1])
