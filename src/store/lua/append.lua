-- append: add a message written by the bot, an agent or the system (or a private note)
-- to a known conversation, at most once per idempotency key.
--
-- KEYS[1]  the conversation's meta hash (`<base>c:<id>`)
-- KEYS[2]  idempotency mark (`<base>seen:out:<key>`), same shard
-- ARGV[1]  base: the shard prefix shared by KEYS
-- ARGV[2]  conversation id
-- ARGV[3]  now, ms
-- ARGV[4]  message JSON
-- ARGV[5]  idempotency TTL in seconds
-- ARGV[6]  "1" when the author is a human agent (marks the conversation read)
-- Returns { code, seq }
--   code  1 appended
--   code  0 duplicate: the same key was appended before; seq is that message's
--   code -2 no such conversation
local base, id, now = ARGV[1], ARGV[2], ARGV[3]
local current = redis.call('HMGET', KEYS[1], 'status', 'assignee')
if not current[1] then return { -2, 0 } end

local previous = redis.call('GET', KEYS[2])
if previous then return { 0, tonumber(previous) } end

local seq = redis.call('RPUSH', KEYS[1] .. ':m', ARGV[4])
redis.call('SET', KEYS[2], seq, 'EX', tonumber(ARGV[5]))
local changes = { 'lastMessageAt', now, 'updatedAt', now, 'messageCount', seq }
if ARGV[6] == '1' then
  changes[#changes + 1] = 'unread'
  changes[#changes + 1] = 0
end
redis.call('HSET', KEYS[1], unpack(changes))
local assignee = current[2]
if assignee == false or assignee == '' then assignee = '~' end
for _, name in ipairs(activity_indexes(current[1], assignee)) do redis.call('ZADD', base .. name, now, id) end
return { 1, seq }
