-- Shared helpers, prepended by src/store/scripts.ts to every script that changes a
-- conversation. Every key they touch is `base .. <suffix>`, where `base` is the shard
-- prefix (`verity:{s7}:`) passed in ARGV: all such keys share the hash tag of the
-- script's declared KEYS, so they live on the same Redis Cluster slot.

local function load_meta(key)
  local flat = redis.call('HGETALL', key)
  if #flat == 0 then return nil end
  local meta = {}
  for i = 1, #flat, 2 do meta[flat[i]] = flat[i + 1] end
  return meta
end

-- The index entries a conversation with this meta belongs to (`i:<field>:<value>`).
local function index_names(meta)
  local assignee = meta.assignee
  if assignee == nil or assignee == '' then assignee = '~' end
  local names = {
    'i:all',
    'i:status:' .. meta.status,
    'i:assignee:' .. assignee,
    'i:channel:' .. meta.channel,
    'i:priority:' .. meta.priority,
  }
  if meta.team and meta.team ~= '' then names[#names + 1] = 'i:team:' .. meta.team end
  if meta.language and meta.language ~= '' then names[#names + 1] = 'i:language:' .. meta.language end
  for tag in string.gmatch(meta.tags or '', '[^,]+') do names[#names + 1] = 'i:tag:' .. tag end
  return names
end

local function add_to_indexes(base, id, meta)
  local score = tonumber(meta.lastMessageAt)
  for _, name in ipairs(index_names(meta)) do redis.call('ZADD', base .. name, score, id) end
end

local function remove_from_indexes(base, id, meta)
  for _, name in ipairs(index_names(meta)) do redis.call('ZREM', base .. name, id) end
end
