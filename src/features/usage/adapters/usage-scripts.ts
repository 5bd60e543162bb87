/**
 * The Redis gate's two Lua scripts. Each runs atomically on the server, so every replica sees one
 * set of counters with no sync gap, and each admission or settlement is ONE round trip.
 *
 * Per scope (a user or an API key) five keys, in this order:
 *   rpm     ZSET  admission id -> admission time (ms): the sliding minute
 *   leases  ZSET  hold -> lease expiry (ms); hold = "id|day|month|tokensDay|tokensMonth|cost"
 *   tokDay  STRING tokens used + reserved today (UTC), created from the database when first needed
 *   tokMon  STRING the same for the month
 *   cost    STRING micro-USD used + reserved this month
 *
 * An expired lease (its replica crashed or its stream outlived the lease) is reclaimed by the next
 * admission of its scope: removed, and its reservation given back to the counters it came from.
 */

/** Adds delta to a counter only when it exists: missing counters are created from the database. */
const ADD_IF_EXISTS = `
local function addIfExists(key, delta)
  if delta ~= 0 and redis.call('EXISTS', key) == 1 then redis.call('INCRBY', key, delta) end
end
`

/**
 * KEYS: 5 per scope. ARGV: now, holdId, day, month, tokens, cost, rpmWindowMs, leaseUntil,
 * then 9 per scope: rpmLimit, streamLimit, tokDayLimit, tokMonLimit, costLimit (-1 = none),
 * reserveTokDay, reserveTokMon, reserveCost, hold ('' = no lease).
 * Returns {'ok'} | {'seed', scope, counter, ...} (counter 3..5 = key index) |
 * {'reject', scope, limitIndex (1..5), used, retryAfterMs}.
 */
export const ADMIT_SCRIPT = `${ADD_IF_EXISTS}
local now, id, day, month = tonumber(ARGV[1]), ARGV[2], ARGV[3], ARGV[4]
local demand = { 0, 0, tonumber(ARGV[5]), tonumber(ARGV[5]), tonumber(ARGV[6]) }
local window, leaseUntil = tonumber(ARGV[7]), tonumber(ARGV[8])
-- Long enough that a crashed replica's hold is still there to be given back while its month lasts.
local keepLeases = 35 * 86400000
local scopes = #KEYS / 5
local missing = {}
for s = 0, scopes - 1 do
  local k, a = s * 5, 8 + s * 9
  local leases = KEYS[k + 2]
  local expired = redis.call('ZRANGEBYSCORE', leases, '-inf', now)
  for _, hold in ipairs(expired) do
    local _, d, m, td, tm, c = string.match(hold, '^([^|]*)|([^|]*)|([^|]*)|([^|]*)|([^|]*)|([^|]*)$')
    if d == day then addIfExists(KEYS[k + 3], -tonumber(td)) end
    if m == month then addIfExists(KEYS[k + 4], -tonumber(tm)) ; addIfExists(KEYS[k + 5], -tonumber(c)) end
  end
  if #expired > 0 then redis.call('ZREMRANGEBYSCORE', leases, '-inf', now) end

  local rpm = tonumber(ARGV[a + 1])
  if rpm >= 0 then
    redis.call('ZREMRANGEBYSCORE', KEYS[k + 1], '-inf', now - window)
    local count = redis.call('ZCARD', KEYS[k + 1])
    if count >= rpm then
      local freeing = redis.call('ZRANGE', KEYS[k + 1], count - rpm, count - rpm, 'WITHSCORES')
      return { 'reject', s, 1, count, tonumber(freeing[2]) + window - now }
    end
  end
  local streams = tonumber(ARGV[a + 2])
  if streams >= 0 then
    local active = redis.call('ZCARD', leases)
    if active >= streams then return { 'reject', s, 2, active, 0 } end
  end
  for i = 3, 5 do
    local limit = tonumber(ARGV[a + i])
    if limit >= 0 then
      local used = redis.call('GET', KEYS[k + i])
      if not used then
        table.insert(missing, s) ; table.insert(missing, i)
      elseif tonumber(used) + demand[i] > limit then
        return { 'reject', s, i, tonumber(used), 0 }
      end
    end
  end
end
if #missing > 0 then return { 'seed', unpack(missing) } end

for s = 0, scopes - 1 do
  local k, a = s * 5, 8 + s * 9
  if tonumber(ARGV[a + 1]) >= 0 then
    redis.call('ZADD', KEYS[k + 1], now, id)
    redis.call('PEXPIRE', KEYS[k + 1], window)
  end
  for i = 3, 5 do
    local reserve = tonumber(ARGV[a + i + 3])
    if reserve > 0 then redis.call('INCRBY', KEYS[k + i], reserve) end
  end
  local hold = ARGV[a + 9]
  if hold ~= '' then
    redis.call('ZADD', KEYS[k + 2], leaseUntil, hold)
    redis.call('PEXPIREAT', KEYS[k + 2], leaseUntil + keepLeases)
  end
end
return { 'ok' }
`

/**
 * KEYS: 4 per scope: leases, tokDay, tokMon, cost (of the admission's day and month).
 * ARGV: tokens, cost, then 4 per scope: hold ('' = none), reservedTokDay, reservedTokMon, reservedCost.
 * A hold that is gone was reclaimed on expiry: its reservation was given back already.
 */
export const SETTLE_SCRIPT = `${ADD_IF_EXISTS}
local tokens, cost = tonumber(ARGV[1]), tonumber(ARGV[2])
for s = 0, #KEYS / 4 - 1 do
  local k, a = s * 4, 2 + s * 4
  local hold = ARGV[a + 1]
  local held = hold ~= '' and redis.call('ZREM', KEYS[k + 1], hold) == 1
  local function reserved(i) if held then return tonumber(ARGV[a + i]) else return 0 end end
  addIfExists(KEYS[k + 2], tokens - reserved(2))
  addIfExists(KEYS[k + 3], tokens - reserved(3))
  addIfExists(KEYS[k + 4], cost - reserved(4))
end
return 1
`
