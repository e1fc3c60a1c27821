--[[
  stream: stores a payment's result, then XACKs and XDELs its entry, in one step: the entry leaves
  the pending list only once its result is stored.

  KEYS[1] the payment's status hash
  KEYS[2] the stream                     (stream:payment)
  ARGV[1] the consumer group             (payment-processors)
  ARGV[2] the entry id
  ARGV[3..] field, value pairs of the result (empty for "already final, just acknowledge")

  Returns the number of entries acknowledged (1, or 0 if another consumer acknowledged it first)
]]
if #ARGV > 2 then
  redis.call('HSET', KEYS[1], unpack(ARGV, 3))
end
local acked = redis.call('XACK', KEYS[2], ARGV[1], ARGV[2])
redis.call('XDEL', KEYS[2], ARGV[2])
return acked
