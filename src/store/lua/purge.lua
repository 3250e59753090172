-- purge: delete a resolved conversation whose retention has passed, with its messages,
-- overlays, support state, thread mapping and index entries, all or nothing.
--
-- KEYS[1]  the conversation's meta hash (`<base>c:<id>`)
-- KEYS[2]  the shard's threads hash (`<base>threads`)
-- ARGV[1]  base: the shard prefix shared by KEYS
-- ARGV[2]  conversation id
-- ARGV[3]  cutoff, ms: only a conversation resolved at or before it is deleted
-- Returns  1 deleted | 0 kept (re-opened since, or resolved after the cutoff) | -2 no such conversation
local base, id = ARGV[1], ARGV[2]
local meta = load_meta(KEYS[1])
if not meta then
  redis.call('ZREM', base .. 'i:resolved-at', id)
  return -2
end
if meta.status ~= 'resolved' or tonumber(meta.resolvedAt or '0') > tonumber(ARGV[3]) then return 0 end
remove_from_indexes(base, id, meta)
redis.call('ZREM', base .. 'i:resolved-at', id)
local field = meta.channel .. '|' .. meta.threadKey
if redis.call('HGET', KEYS[2], field) == id then redis.call('HDEL', KEYS[2], field) end
redis.call('DEL', KEYS[1], KEYS[1] .. ':m', KEYS[1] .. ':e', KEYS[1] .. ':d', KEYS[1] .. ':p', KEYS[1] .. ':support')
return 1
