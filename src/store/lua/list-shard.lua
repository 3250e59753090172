-- list-shard: one shard's page of conversations, newest activity first, from a cursor.
--   Walks the most selective index the caller chose and checks the remaining filters on
--   each conversation's meta. The walk is bounded by a budget so one sparse filter cannot
--   stall Redis; the caller merges the shards' pages.
--
-- KEYS[1]  the index to walk (`<base>i:…`, a sorted set scored by last activity)
-- ARGV[1]  base: the shard prefix shared by KEYS[1]
-- ARGV[2]  cursor score ("+inf" to start at the newest); entries at this score are
-- ARGV[3]  … only taken if their id sorts before this cursor id ("" takes all of them)
-- ARGV[4]  how many matches to return at most
-- ARGV[5]  budget: how many index entries to examine at most
-- ARGV[6]  number N of filters, then N (field, value) pairs checked on the meta hash;
--          field "tags" matches when the value is one of the comma-separated tags
-- Returns { state, resumeScore, resumeId, id1, score1, id2, score2, … }
--   state 1: the index was read to its end
--   state 2: `limit` matches were found (more may follow the last one)
--   state 0: the budget ran out; the walk stopped at (resumeScore, resumeId)
local base = ARGV[1]
local cursorScore, cursorId = ARGV[2], ARGV[3]
local limit, budget = tonumber(ARGV[4]), tonumber(ARGV[5])
local nfilters = tonumber(ARGV[6])
local fields, wanted = {}, {}
for i = 1, nfilters do
  fields[i] = ARGV[5 + 2 * i]
  wanted[i] = ARGV[6 + 2 * i]
end

local out = { 1, '', '' }
local found, examined, offset = 0, 0, 0
local batch = 256
while found < limit and examined < budget do
  local page = redis.call('ZREVRANGEBYSCORE', KEYS[1], cursorScore, '-inf', 'WITHSCORES', 'LIMIT', offset, batch)
  if #page == 0 then return out end
  offset = offset + #page / 2
  for j = 1, #page, 2 do
    local id, score = page[j], page[j + 1]
    local skip = cursorId ~= '' and tonumber(score) == tonumber(cursorScore) and id >= cursorId
    if not skip then
      examined = examined + 1
      local ok = true
      if nfilters > 0 then
        local values = redis.call('HMGET', base .. 'c:' .. id, unpack(fields))
        for i = 1, nfilters do
          local v = values[i] or ''
          if fields[i] == 'tags' then
            if not string.find(',' .. v .. ',', ',' .. wanted[i] .. ',', 1, true) then ok = false end
          elseif v ~= wanted[i] then
            ok = false
          end
        end
      end
      if ok then
        out[#out + 1] = id
        out[#out + 1] = score
        found = found + 1
      end
      if found >= limit then
        out[1] = 2
        return out
      end
      if examined >= budget then
        out[1], out[2], out[3] = 0, score, id
        return out
      end
    end
  end
  if #page < batch * 2 then return out end
end
if found < limit then out[1], out[2], out[3] = 0, cursorScore, cursorId end
return out
