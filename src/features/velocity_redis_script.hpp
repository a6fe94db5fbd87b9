#pragma once
// The Lua script the Redis velocity store runs once per (feature, entity, event).
//
// KEYS[1] sorted set: event id -> event time (microseconds)
// KEYS[2] hash: "e:"..id -> value text, "newest" -> newest recorded event time
// ARGV: time, window, lateness, id, aggregation, value text ("" = none), record (1/0),
//       ttl in ms, read-from ("(" .. time - window)
// Returns {"late"} or {"ok", aggregate text, duplicate (1/0)}. Times are integers below
// 2^53, exact in Lua's doubles; every number sent back to Redis is formatted with
// "%.0f" (Redis would format a Lua number with 14 significant digits).

namespace riskkit::detail {

inline constexpr const char *kVelocityScript = R"lua(
local t = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local lateness = tonumber(ARGV[3])
local id = ARGV[4]
local agg = ARGV[5]
local value = ARGV[6]
local newest = tonumber(redis.call('HGET', KEYS[2], 'newest'))
if newest and t < newest - lateness then return {'late'} end

local count, sum, lo, hi = 0, 0, nil, nil
local seen, distinct = {}, 0
local need_values = agg ~= 'count'
local stored = redis.call('ZSCORE', KEYS[1], id)
if not need_values then
  -- count: O(log n), without fetching the window; a stored copy of this event is not counted
  count = redis.call('ZCOUNT', KEYS[1], ARGV[9], ARGV[1])
  if stored and tonumber(stored) > t - window and tonumber(stored) <= t then count = count - 1 end
end
if need_values then
  local fields = {}
  for _, m in ipairs(redis.call('ZRANGEBYSCORE', KEYS[1], ARGV[9], ARGV[1])) do
    if m ~= id then fields[#fields + 1] = 'e:' .. m end
  end
  count = #fields
  -- HMGET in chunks: unpack() of a long window would overflow Lua's stack
  for first = 1, count, 1000 do
    local values = redis.call('HMGET', KEYS[2], unpack(fields, first, math.min(first + 999, count)))
    for _, v in ipairs(values) do
      if agg == 'distinct_count' then
        if not seen[v] then seen[v] = true; distinct = distinct + 1 end
      else
        local x = tonumber(v)
        sum = sum + x
        if lo == nil or x < lo then lo = x end
        if hi == nil or x > hi then hi = x end
      end
    end
  end
end
local result
if agg == 'count' then result = count
elseif agg == 'sum' then result = sum
elseif agg == 'min' then result = lo
elseif agg == 'max' then result = hi
elseif agg == 'mean' then if count > 0 then result = sum / count end
else result = distinct end
local text = 'nan'
if result ~= nil then text = string.format('%.17g', result) end

local duplicate = 0
if ARGV[7] == '1' and (agg == 'count' or value ~= '') then
  if stored then
    duplicate = 1
  else
    redis.call('ZADD', KEYS[1], ARGV[1], id)
    if need_values then redis.call('HSET', KEYS[2], 'e:' .. id, value) end
    if newest == nil or t > newest then
      newest = t
      redis.call('HSET', KEYS[2], 'newest', ARGV[1])
    end
    local horizon = string.format('%.0f', newest - window - lateness)
    if need_values then
      local old = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', horizon)
      for _, m in ipairs(old) do redis.call('HDEL', KEYS[2], 'e:' .. m) end
    end
    redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', horizon)
  end
  redis.call('PEXPIRE', KEYS[1], ARGV[8])
  redis.call('PEXPIRE', KEYS[2], ARGV[8])
end
return {'ok', text, tostring(duplicate)}
)lua";

}  // namespace riskkit::detail
