-- read-turn: a conversation's meta and one of its messages with the message's overlays,
-- in one round trip (the router's read for every event it handles).
--
-- KEYS[1]  the conversation's meta hash (`<base>c:<id>`); its messages, edits and
--          deliveries are KEYS[1] .. ':m' / ':e' / ':d' (same shard, same hash tag)
-- ARGV[1]  the message's seq, or 0 for no message
-- Returns { meta, entry, edits, delivery }
--   meta      HGETALL of the conversation (empty when it does not exist)
--   entry     the stored message JSON, or false (no such message, or seq 0)
--   edits     its edit history JSON, or false
--   delivery  its delivery state JSON, or false
local meta = redis.call('HGETALL', KEYS[1])
local seq = tonumber(ARGV[1])
if #meta == 0 or seq < 1 then return { meta, false, false, false } end
return {
  meta,
  redis.call('LINDEX', KEYS[1] .. ':m', seq - 1),
  redis.call('HGET', KEYS[1] .. ':e', seq),
  redis.call('HGET', KEYS[1] .. ':d', seq),
}
