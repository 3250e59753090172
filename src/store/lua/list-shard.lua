-- list-shard: one shard's page of conversations, newest activity first, after a cursor.
--   mode "walk": walks an activity index (sorted set) from the cursor and checks the other
--     filters on each conversation's meta, bounded by a budget so a sparse filter cannot
--     stall Redis.
--   mode "set": reads a membership index (plain set) whole, if it holds at most `budget`
--     members, and sorts the matches by last activity.
--   The caller merges the shards' pages.
--
-- KEYS[1]  the index (`<base>i:…`)
-- ARGV[1]  base: the shard prefix shared by KEYS[1]
-- ARGV[2]  mode: walk | set
-- ARGV[3]  cursor score ("+inf" to start at the newest); entries at this score are
-- ARGV[4]  … only taken if their id sorts before this cursor id ("" takes all of them)
-- ARGV[5]  how many matches to return at most
-- ARGV[6]  budget: index entries to examine (walk) or set size accepted (set)
-- ARGV[7]  number N of filters, then N (field, value) pairs checked on the meta hash;
--          field "tags" matches when the value is one of the comma-separated tags
-- Returns { state, resumeScore, resumeId, id1, score1, id2, score2, … }
--   state  1: the index was read to its end
--   state  2: `limit` matches were found (more may follow the last one)
--   state  0: the budget ran out; the walk stopped at (resumeScore, resumeId)
--   state -1: (set mode) the set is larger than the budget; walk another index instead
local base, mode = ARGV[1], ARGV[2]
local cursorScore, cursorId = ARGV[3], ARGV[4]
local limit, budget = tonumber(ARGV[5]), tonumber(ARGV[6])
local nfilters = tonumber(ARGV[7])
local fields, wanted = { 'lastMessageAt' }, {}
for i = 1, nfilters do
  fields[i + 1] = ARGV[6 + 2 * i]
  wanted[i + 1] = ARGV[7 + 2 * i]
end

local function matches(values)
  for i = 2, #fields do
    local v = values[i] or ''
    if fields[i] == 'tags' then
      if not string.find(',' .. v .. ',', ',' .. wanted[i] .. ',', 1, true) then return false end
    elseif v ~= wanted[i] then
      return false
    end
  end
  return true
end

local function after_cursor(id, score)
  if cursorScore == '+inf' then return true end
  local cs = tonumber(cursorScore)
  return score < cs or (score == cs and (cursorId == '' or id < cursorId))
end

if mode == 'set' then
  if redis.call('SCARD', KEYS[1]) > budget then return { -1, '', '' } end
  local hits = {}
  for _, id in ipairs(redis.call('SMEMBERS', KEYS[1])) do
    local values = redis.call('HMGET', base .. 'c:' .. id, unpack(fields))
    local score = tonumber(values[1])
    if score and matches(values) and after_cursor(id, score) then hits[#hits + 1] = { id, score } end
  end
  table.sort(hits, function(a, b) return a[2] > b[2] or (a[2] == b[2] and a[1] > b[1]) end)
  local out = { 1, '', '' }
  for i = 1, math.min(limit, #hits) do
    out[#out + 1] = hits[i][1]
    out[#out + 1] = hits[i][2]
  end
  if #hits > limit then out[1] = 2 end
  return out
end

local out = { 1, '', '' }
local found, examined, offset = 0, 0, 0
local batch = 256
while true do
  local page = redis.call('ZREVRANGEBYSCORE', KEYS[1], cursorScore, '-inf', 'WITHSCORES', 'LIMIT', offset, batch)
  if #page == 0 then return out end
  offset = offset + #page / 2
  for j = 1, #page, 2 do
    local id, score = page[j], tonumber(page[j + 1])
    if after_cursor(id, score) then
      examined = examined + 1
      local ok = true
      if nfilters > 0 then ok = matches(redis.call('HMGET', base .. 'c:' .. id, unpack(fields))) end
      if ok then
        out[#out + 1] = id
        out[#out + 1] = page[j + 1]
        found = found + 1
        if found >= limit then
          out[1] = 2
          return out
        end
      end
      if examined >= budget then
        out[1], out[2], out[3] = 0, page[j + 1], id
        return out
      end
    end
  end
  if #page < batch * 2 then return out end
end
