-- Shared helpers, prepended by src/store/scripts.ts to every script that changes a
-- conversation. Every key they touch is `base .. <suffix>`, where `base` is the shard
-- prefix (`verity:{s7}:`) passed in ARGV: all such keys share the hash tag of the
-- script's declared KEYS, so they live on the same Redis Cluster slot.
--
-- Two kinds of index:
--   activity indexes, sorted sets scored by last activity, re-scored on every message:
--     i:all, i:status:<status>, i:assignee:<agent or ~>
--   membership indexes, plain sets, changed only when the field changes:
--     i:channel:<c>, i:priority:<p>, i:team:<t>, i:language:<l>, i:tag:<t>
-- Each message costs three ZADDs, not one per field (see docs/store.md for the numbers).

local function load_meta(key)
  local flat = redis.call('HGETALL', key)
  if #flat == 0 then return nil end
  local meta = {}
  for i = 1, #flat, 2 do meta[flat[i]] = flat[i + 1] end
  return meta
end

local function assignee_of(meta)
  if meta.assignee == nil or meta.assignee == '' then return '~' end
  return meta.assignee
end

local function activity_indexes(status, assignee)
  return { 'i:all', 'i:status:' .. status, 'i:assignee:' .. assignee }
end

local function membership_indexes(meta)
  local names = { 'i:channel:' .. meta.channel, 'i:priority:' .. meta.priority }
  if meta.team and meta.team ~= '' then names[#names + 1] = 'i:team:' .. meta.team end
  if meta.language and meta.language ~= '' then names[#names + 1] = 'i:language:' .. meta.language end
  for tag in string.gmatch(meta.tags or '', '[^,]+') do names[#names + 1] = 'i:tag:' .. tag end
  return names
end

local function add_to_indexes(base, id, meta)
  local score = tonumber(meta.lastMessageAt)
  for _, name in ipairs(activity_indexes(meta.status, assignee_of(meta))) do
    redis.call('ZADD', base .. name, score, id)
  end
  for _, name in ipairs(membership_indexes(meta)) do redis.call('SADD', base .. name, id) end
end

local function remove_from_indexes(base, id, meta)
  for _, name in ipairs(activity_indexes(meta.status, assignee_of(meta))) do redis.call('ZREM', base .. name, id) end
  for _, name in ipairs(membership_indexes(meta)) do redis.call('SREM', base .. name, id) end
end

-- Append a message written by the bot, an agent or the system to conversation `id` (meta
-- hash `meta_key`), at most once per idempotency mark `mark_key`; `by_agent` marks the
-- conversation read. Returns code, seq: 1 appended; 0 a duplicate (seq is the message
-- appended before under that mark); -2 no such conversation.
local function append_out(meta_key, mark_key, base, id, now, body, ttl, by_agent)
  local current = redis.call('HMGET', meta_key, 'status', 'assignee')
  if not current[1] then return -2, 0 end
  local previous = redis.call('GET', mark_key)
  if previous then return 0, tonumber(previous) end
  local seq = redis.call('RPUSH', meta_key .. ':m', body)
  redis.call('SET', mark_key, seq, 'EX', ttl)
  local changes = { 'lastMessageAt', now, 'updatedAt', now, 'messageCount', seq }
  if by_agent then
    changes[#changes + 1] = 'unread'
    changes[#changes + 1] = 0
  end
  redis.call('HSET', meta_key, unpack(changes))
  local assignee = current[2]
  if assignee == false or assignee == '' then assignee = '~' end
  for _, name in ipairs(activity_indexes(current[1], assignee)) do redis.call('ZADD', base .. name, now, id) end
  return 1, seq
end
