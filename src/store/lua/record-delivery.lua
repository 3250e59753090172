-- record-delivery: how delivery of an outbound message ended, its platform message id once
-- sent (so later edits, replies and deletions find it) and its command's sent mark, together.
--
-- KEYS[1]  the conversation's meta hash (`<base>c:<id>`); the overlays are KEYS[1] .. ':d'
--          (delivery states) and KEYS[1] .. ':p' (platform id -> seq), same hash tag
-- ARGV[1]  the message's seq
-- ARGV[2]  delivery state JSON
-- ARGV[3]  platform message id ("" if none)
-- ARGV[4]  the outbound command's id, to set its sent mark KEYS[1] .. ':sent:' .. id (same
--          hash tag) to the platform message id in the same step; "" sets no mark
-- ARGV[5]  the mark's TTL in seconds
-- Returns  1
redis.call('HSET', KEYS[1] .. ':d', ARGV[1], ARGV[2])
if ARGV[3] ~= '' then redis.call('HSET', KEYS[1] .. ':p', ARGV[3], ARGV[1]) end
if ARGV[4] ~= '' then
  redis.call('SET', KEYS[1] .. ':sent:' .. ARGV[4], ARGV[3], 'EX', tonumber(ARGV[5]))
end
return 1
