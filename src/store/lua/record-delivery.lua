-- record-delivery: how delivery of an outbound message ended, and its platform message id
-- once sent (so later edits, replies and deletions find it), together.
--
-- KEYS[1]  the conversation's meta hash (`<base>c:<id>`); the overlays are KEYS[1] .. ':d'
--          (delivery states) and KEYS[1] .. ':p' (platform id -> seq), same hash tag
-- ARGV[1]  the message's seq
-- ARGV[2]  delivery state JSON
-- ARGV[3]  platform message id ("" if none)
-- ARGV[4]  "1": keep a delivery state already recorded (a late record must not overwrite
--          an earlier, truer one); anything else replaces it
-- Returns  1 if the delivery state was written, 0 if one already recorded was kept
local written = 1
if ARGV[4] == '1' then
  written = redis.call('HSETNX', KEYS[1] .. ':d', ARGV[1], ARGV[2])
else
  redis.call('HSET', KEYS[1] .. ':d', ARGV[1], ARGV[2])
end
if ARGV[3] ~= '' then redis.call('HSET', KEYS[1] .. ':p', ARGV[3], ARGV[1]) end
return written
