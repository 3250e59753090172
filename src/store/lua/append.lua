-- append: add a message written by the bot, an agent or the system (or a private note)
-- to a known conversation, at most once per idempotency key.
--
-- KEYS[1]  the conversation's meta hash (`<base>c:<id>`)
-- KEYS[2]  idempotency mark (`<base>seen:out:<key>`), same shard
-- ARGV[1]  base: the shard prefix shared by KEYS
-- ARGV[2]  conversation id
-- ARGV[3]  now, ms
-- ARGV[4]  message JSON without its opening "{" and without id/conversationId/seq
-- ARGV[5]  idempotency TTL in seconds
-- ARGV[6]  "1" when the author is a human agent (marks the conversation read)
-- Returns { code, seq }
--   code  1 appended
--   code  0 duplicate: the same key was appended before; seq is that message's
--   code -2 no such conversation
local base, id, now = ARGV[1], ARGV[2], ARGV[3]
local meta = load_meta(KEYS[1])
if not meta then return { -2, 0 } end

local previous = redis.call('GET', KEYS[2])
if previous then return { 0, tonumber(previous) } end

remove_from_indexes(base, id, meta)
local seq = redis.call('HINCRBY', KEYS[1], 'messageCount', 1)
redis.call('RPUSH', KEYS[1] .. ':m',
  '{"id":"' .. id .. '.' .. seq .. '","conversationId":"' .. id .. '","seq":' .. seq .. ',' .. ARGV[4])
redis.call('SET', KEYS[2], seq, 'EX', tonumber(ARGV[5]))
meta.lastMessageAt = now
redis.call('HSET', KEYS[1], 'lastMessageAt', now, 'updatedAt', now)
if ARGV[6] == '1' then redis.call('HSET', KEYS[1], 'unread', 0) end
add_to_indexes(base, id, meta)
return { 1, seq }
