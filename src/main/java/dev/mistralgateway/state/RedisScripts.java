package dev.mistralgateway.state;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * The Lua scripts that make each check-and-count one atomic step on Redis, whatever the number of pods. Time comes
 * from Redis' own clock ({@code TIME}), so the pods' clocks may disagree. Rolling windows are hashes with one field per
 * bucket (a minute for the hour, an hour for a key's day, a day for its 30-day month: the bucket's number since the
 * epoch), trimmed as they are written and expiring a window after the last write; a request bucket is a hash that
 * expires once it would be full again.
 */
final class RedisScripts {

    /** Redis' time, and the rolling-hour helpers every script shares. */
    private static final String COMMON = """
            local t = redis.call('TIME')
            local nowMs = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
            -- The sum of a rolling window of buckets of bucketMs (a bucket is a field: its number since the epoch),
            -- plus unbooked (what the calling pod served but has not booked yet, as if in this bucket), and, when it
            -- is at or over limit (> 0), the ms until enough old buckets have left the window; -1 when under.
            local function windowOf(key, limit, unbooked, bucketMs, buckets)
              local now = math.floor(nowMs / bucketMs)
              local fields = redis.call('HGETALL', key)
              local sum, byBucket = unbooked, {[now] = unbooked}
              for i = 1, #fields, 2 do
                local b, v = tonumber(fields[i]), tonumber(fields[i + 1])
                if now - b < buckets then
                  sum = sum + v
                  byBucket[b] = (byBucket[b] or 0) + v
                end
              end
              if limit <= 0 or sum < limit then
                return sum, -1
              end
              local left = sum
              for b = now - buckets + 1, now do
                left = left - (byBucket[b] or 0)
                if left < limit then
                  return sum, math.max(1000, (b + buckets) * bucketMs - nowMs)
                end
              end
              return sum, buckets * bucketMs
            end
            -- The rolling hour by the minute: the budget's, and each key's tokens.
            local function window(key, limit, unbooked)
              return windowOf(key, limit, unbooked, 60000, 60)
            end
            -- What the calling pod served that Redis has not counted yet: the batch it is booking (numbered) unless
            -- the pod's marker shows it applied, and its pending amount, which the next batch takes whole, unless
            -- that next batch was applied too while this check travelled.
            local function unbooked(podKey, batch, sending, pending)
              local marker = tonumber(redis.call('GET', podKey) or '0')
              local sum = 0
              if marker < batch then
                sum = sum + sending
              end
              if marker <= batch then
                sum = sum + pending
              end
              return sum
            end
            local function addTo(key, value, bucketMs, buckets)
              local now = math.floor(nowMs / bucketMs)
              redis.call('HINCRBY', key, now, value)
              for _, b in ipairs(redis.call('HKEYS', key)) do
                if now - tonumber(b) >= buckets then
                  redis.call('HDEL', key, b)
                end
              end
              redis.call('PEXPIRE', key, (buckets + 1) * bucketMs)
            end
            -- A key's request bucket (a = requests available, t = ms of the last refill), refilled up to now at
            -- perMinute a minute, and kept with what is available after a take.
            local function refilled(bucket, perMinute)
              local state = redis.call('HMGET', bucket, 'a', 't')
              local available = tonumber(state[1]) or perMinute
              local at = tonumber(state[2]) or nowMs
              return math.min(perMinute, available + math.max(0, nowMs - at) * perMinute / 60000)
            end
            local function keepBucket(bucket, available)
              redis.call('HSET', bucket, 'a', available, 't', nowMs)
              redis.call('PEXPIRE', bucket, 61000)
            end
            local function add(key, value)
              addTo(key, value, 60000, 60)
            end
            -- A window's sum (unbooked included) and the ms until a call may reserve against limit: -1 now; while
            -- the sum alone is under the limit, only the reservations of calls in flight (held) stand in the way,
            -- which settle within a call's time: 1 s; else until enough old buckets leave.
            local function overOf(key, limit, unbooked, held, bucketMs, buckets)
              local sum, wait = windowOf(key, limit, unbooked, bucketMs, buckets)
              if limit > 0 and wait < 0 and sum + held >= limit then
                wait = 1000
              end
              return sum, wait
            end
            local function over(key, limit, unbooked, held)
              return overOf(key, limit, unbooked, held, 60000, 60)
            end
            -- The reservations of calls in flight live in one hash: totals ('usd', 'usd:' .. key, 'tok:' .. key),
            -- each open one ('r:' .. id = 'nano-USD,tokens,key') and each settled one ('x:' .. id, so that a
            -- reservation arriving after its own settlement, a request that timed out in the pod but ran here
            -- later, is not made); a sorted set holds every id by the ms it expires at.
            local function held(hash, field)
              return tonumber(redis.call('HGET', hash, field) or '0')
            end
            local function count(hash, nano, tokens, key, sign)
              for field, amount in pairs({['usd'] = nano, ['usd:' .. key] = nano, ['tok:' .. key] = tokens}) do
                if amount ~= 0 and redis.call('HINCRBY', hash, field, string.format('%d', sign * amount)) == 0 then
                  redis.call('HDEL', hash, field)
                end
              end
            end
            local function free(hash, id)
              local open = redis.call('HGET', hash, 'r:' .. id)
              if open then
                local nano, tokens, key = string.match(open, '^(%-?%d+),(%-?%d+),(.*)$')
                redis.call('HDEL', hash, 'r:' .. id)
                count(hash, tonumber(nano), tonumber(tokens), key, -1)
              end
            end
            -- Frees the reservations whose time is up (a pod gone mid-call, a settlement lost), forgets old
            -- settlements.
            local function expire(hash, expiry)
              for _, id in ipairs(redis.call('ZRANGEBYSCORE', expiry, '-inf', nowMs, 'LIMIT', 0, 100)) do
                free(hash, id)
                redis.call('HDEL', hash, 'x:' .. id, 'g:' .. id)
                redis.call('ZREM', expiry, id)
              end
            end
            -- A pod's share (see SHARE) is given back in parts: nano and tokens are what the pod has given back of it
            -- so far, in all ('g:' .. id keeps the last totals, so that a part sent twice is given back once); the
            -- share goes once nothing of it is held.
            local function giveBack(hash, expiry, id, nano, tokens)
              local open = redis.call('HGET', hash, 'r:' .. id)
              if not open then
                return
              end
              local heldNano, heldTokens, key = string.match(open, '^(%-?%d+),(%-?%d+),(.*)$')
              heldNano, heldTokens = tonumber(heldNano), tonumber(heldTokens)
              local before = redis.call('HGET', hash, 'g:' .. id) or '0,0'
              local doneNano, doneTokens = string.match(before, '^(%d+),(%d+)$')
              local lessNano = math.min(heldNano, math.max(0, nano - tonumber(doneNano)))
              local lessTokens = math.min(heldTokens, math.max(0, tokens - tonumber(doneTokens)))
              count(hash, lessNano, lessTokens, key, -1)
              heldNano, heldTokens = heldNano - lessNano, heldTokens - lessTokens
              if heldNano <= 0 and heldTokens <= 0 then
                redis.call('HDEL', hash, 'r:' .. id, 'g:' .. id)
                redis.call('ZREM', expiry, id)
              else
                redis.call('HSET', hash, 'r:' .. id, heldNano .. ',' .. heldTokens .. ',' .. key, 'g:' .. id,
                  math.max(nano, tonumber(doneNano)) .. ',' .. math.max(tokens, tonumber(doneTokens)))
              end
            end
            local function keep(hash, expiry, id, ttl)
              redis.call('ZADD', expiry, nowMs + ttl, id)
              redis.call('PEXPIRE', hash, ttl)
              redis.call('PEXPIRE', expiry, ttl)
            end
            """;

    /**
     * KEYS: the key's request bucket (a = requests available, t = ms of the last refill), its tokens per minute, the
     * spend per minute (nano-USD), the calling pod's booking marker, the reservations. ARGV: requests per minute,
     * tokens per hour (0: no
     * limit), the budget (0: none), then what the pod has served but not booked: the number of the batch it is
     * booking, that batch's tokens of this key, the key's tokens not in a batch yet, the batch's nano-USD, nano-USD
     * not in a batch yet.
     * Returns {key, ms, spend, ms, reserved}: key 0 allowed, 1 over the rate, 2 out of tokens, with the wait; then
     * the spend and the wait until it is under the budget (-1: under), so that a request needs one round trip for
     * both checks, and the nano-USD the calls in flight hold. The rate is checked (and a request taken) first, as in
     * memory.
     */
    static final Script ADMIT = new Script(COMMON + """
            local perMinute, hourlyTokens = tonumber(ARGV[1]), tonumber(ARGV[2])
            local outcome, keyWait = 0, 0
            if perMinute > 0 then
              local available = refilled(KEYS[1], perMinute)
              if available >= 1 then
                available = available - 1
              else
                outcome, keyWait = 1, math.ceil((1 - available) * 60000 / perMinute)
              end
              keepBucket(KEYS[1], available)
            end
            if outcome == 0 and hourlyTokens > 0 then
              local _, wait = window(KEYS[2], hourlyTokens,
                unbooked(KEYS[4], tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6])))
              if wait >= 0 then
                outcome, keyWait = 2, wait
              end
            end
            local spend, spendWait = window(KEYS[3], tonumber(ARGV[3]),
              unbooked(KEYS[4], tonumber(ARGV[4]), tonumber(ARGV[7]), tonumber(ARGV[8])))
            return {outcome, keyWait, spend, spendWait, held(KEYS[5], 'usd')}
            """);

    /**
     * KEYS: the spend per minute (nano-USD), the calling pod's booking marker, the reservations and their expiry.
     * ARGV: the budget (0: none), the number of the batch the pod is booking, its nano-USD, nano-USD not in a batch
     * yet. Frees the reservations whose time is up. Returns {spend, ms until under or -1, reserved}.
     */
    static final Script READ_SPEND = new Script(COMMON + """
            expire(KEYS[3], KEYS[4])
            local sum, wait = window(KEYS[1], tonumber(ARGV[1]),
              unbooked(KEYS[2], tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])))
            return {sum, wait, held(KEYS[3], 'usd')}
            """);

    /**
     * Books a batch of what a pod served and frees the reservations it settled. KEYS: the spend per minute, the pod's
     * booking marker, the reservations and their expiry, then the tokens per minute of each key booked, then the
     * spend windows (hour, day, month) of each key with a budget booked. ARGV: nano-USD, the budget, the batch's
     * number (kept in the marker, so that the pod's checks stop adding the batch once it is here), how long a
     * settlement is remembered (ms), the number of keys with tokens (n) and with a budget (m), the buckets of the
     * three budget windows (ms and count, each), then each key's tokens, each budgeted key's nano-USD, then the ids of
     * the reservations settled, and, as {@code id,nano-USD,tokens}, what the pod has given back of each of its shares
     * in all ({@link #SHARE}). Returns the spend after it as {@link #READ_SPEND} does.
     */
    static final Script BOOK = new Script(COMMON + """
            local hash, expiry, ttl = KEYS[3], KEYS[4], tonumber(ARGV[4])
            local n, m = tonumber(ARGV[5]), tonumber(ARGV[6])
            if tonumber(ARGV[1]) ~= 0 then
              add(KEYS[1], ARGV[1])
            end
            for i = 1, n do
              add(KEYS[4 + i], ARGV[12 + i])
            end
            for i = 1, m do
              for w = 0, 2 do
                addTo(KEYS[4 + n + 3 * (i - 1) + w + 1], ARGV[12 + n + i], tonumber(ARGV[7 + 2 * w]),
                  tonumber(ARGV[8 + 2 * w]))
              end
            end
            for i = 13 + n + m, #ARGV do
              local share, nano, tokens = string.match(ARGV[i], '^(.-),(%d+),(%d+)$')
              if share then
                giveBack(hash, expiry, share, tonumber(nano), tonumber(tokens))
              else
                free(hash, ARGV[i])
                redis.call('HSET', hash, 'x:' .. ARGV[i], 1)
                keep(hash, expiry, ARGV[i], ttl)
              end
            end
            redis.call('SET', KEYS[2], ARGV[3], 'EX', 3600)
            expire(hash, expiry)
            local sum, wait = window(KEYS[1], tonumber(ARGV[2]), 0)
            return {sum, wait, held(hash, 'usd')}
            """);

    /**
     * The spend of keys with a budget, for their gauges. KEYS: each key's spend windows (hour, day, month). ARGV: the
     * buckets of the three windows (ms and count, each). Returns each window's sum, in the order of KEYS.
     */
    static final Script READ_KEY_SPEND = new Script(COMMON + """
            local sums = {}
            for i = 1, #KEYS do
              local w = (i - 1) % 3
              local sum = windowOf(KEYS[i], 0, 0, tonumber(ARGV[1 + 2 * w]), tonumber(ARGV[2 + 2 * w]))
              sums[i] = sum
            end
            return sums
            """);

    /**
     * Reserves what a call may cost before it is made, if the spend plus the open reservations is under the budget,
     * the key's tokens plus its open reservations under its hourly tokens, and the key's spend plus its open
     * reservations under each of its own budgets. KEYS: the spend per minute, the key's tokens per minute, the calling
     * pod's booking marker, the reservations and their expiry, the key's spend windows (hour, day, month). ARGV: the
     * budget (0: none), tokens per hour (0: no limit), the reservation's nano-USD and tokens, then what the pod has
     * served but not booked (as {@link #ADMIT}'s ARGV 4 to 8), then the reservation's id, the key's name, its time to
     * live (ms), the key's budgets (hour, day, month; 0: none), the key's nano-USD the pod has not booked (in the
     * batch, not in one), the buckets of the three windows (ms and count, each). Returns {0, 0} when reserved (or when
     * that id was reserved or settled already: a retry reserves nothing twice), else {3, ms} over the budget, {2, ms}
     * out of tokens or {4, ms} over a budget of the key (the longest wait). The call's settlement ({@link #BOOK})
     * frees it by id.
     */
    static final Script RESERVE = new Script(COMMON + """
            local hash, expiry, id, key = KEYS[4], KEYS[5], ARGV[10], ARGV[11]
            expire(hash, expiry)
            if redis.call('HEXISTS', hash, 'r:' .. id) == 1 or redis.call('HEXISTS', hash, 'x:' .. id) == 1 then
              return {0, 0}
            end
            local _, spendWait = over(KEYS[1], tonumber(ARGV[1]),
              unbooked(KEYS[3], tonumber(ARGV[5]), tonumber(ARGV[8]), tonumber(ARGV[9])), held(hash, 'usd'))
            if spendWait >= 0 then
              return {3, spendWait}
            end
            if tonumber(ARGV[2]) > 0 then
              local _, tokenWait = over(KEYS[2], tonumber(ARGV[2]),
                unbooked(KEYS[3], tonumber(ARGV[5]), tonumber(ARGV[6]), tonumber(ARGV[7])), held(hash, 'tok:' .. key))
              if tokenWait >= 0 then
                return {2, tokenWait}
              end
            end
            local keyWait = -1
            for w = 0, 2 do
              local limit = tonumber(ARGV[13 + w])
              if limit > 0 then
                local _, wait = overOf(KEYS[6 + w], limit,
                  unbooked(KEYS[3], tonumber(ARGV[5]), tonumber(ARGV[16]), tonumber(ARGV[17])), held(hash, 'usd:' .. key),
                  tonumber(ARGV[18 + 2 * w]), tonumber(ARGV[19 + 2 * w]))
                if wait > keyWait then
                  keyWait = wait
                end
              end
            end
            if keyWait >= 0 then
              return {4, keyWait}
            end
            redis.call('HSET', hash, 'r:' .. id, ARGV[3] .. ',' .. ARGV[4] .. ',' .. key)
            count(hash, tonumber(ARGV[3]), tonumber(ARGV[4]), key, 1)
            keep(hash, expiry, id, tonumber(ARGV[12]))
            return {0, 0}
            """);

    /**
     * A pod's share of a busy key's limits, taken in advance so that the pod serves the key's next requests without
     * asking Redis (FailoverStateStore's {@code KeyShares}): some of the key's requests of the minute, and a
     * reservation of nano-USD and tokens against the budget, the key's hourly tokens and the key's own budgets, made
     * as {@link #RESERVE} makes a call's, under id. Each is at most what is left of its limit (spend, reservations and
     * the pod's unbooked use counted) divided by the divisor, and none when that is under the least the pod asked for,
     * so that near a limit the pod goes back to asking for every request. The pod gives the money part back as its
     * calls settle ({@link #BOOK}), and unused requests with its next share. KEYS: as {@link #RESERVE}'s, then the
     * key's request bucket. ARGV: as {@link #RESERVE}'s, with ARGV 3 and 4 the nano-USD and tokens asked (0: none),
     * then requests per minute (0: no limit), the unused requests given back, the requests asked, the divisor, and
     * the least requests, nano-USD and tokens worth taking. Returns {requests, nano-USD, tokens} granted.
     */
    static final Script SHARE = new Script(COMMON + """
            local hash, expiry, id, key = KEYS[4], KEYS[5], ARGV[10], ARGV[11]
            local divisor = tonumber(ARGV[27])
            expire(hash, expiry)
            local requests, perMinute = 0, tonumber(ARGV[24])
            if perMinute > 0 then
              local available = math.min(perMinute, refilled(KEYS[9], perMinute) + tonumber(ARGV[25]))
              requests = math.min(tonumber(ARGV[26]), math.floor(available / divisor))
              if requests < tonumber(ARGV[28]) then
                requests = 0
              end
              keepBucket(KEYS[9], available - requests)
            end
            local nano, tokens = tonumber(ARGV[3]), tonumber(ARGV[4])
            local function room(sum, limit, heldField)
              return math.floor((limit - sum - held(hash, heldField)) / divisor)
            end
            local spendUnbooked = unbooked(KEYS[3], tonumber(ARGV[5]), tonumber(ARGV[8]), tonumber(ARGV[9]))
            if nano > 0 and tonumber(ARGV[1]) > 0 then
              nano = math.min(nano, room(window(KEYS[1], 0, spendUnbooked), tonumber(ARGV[1]), 'usd'))
            end
            for w = 0, 2 do
              local limit = tonumber(ARGV[13 + w])
              if nano > 0 and limit > 0 then
                local sum = windowOf(KEYS[6 + w], 0,
                  unbooked(KEYS[3], tonumber(ARGV[5]), tonumber(ARGV[16]), tonumber(ARGV[17])),
                  tonumber(ARGV[18 + 2 * w]), tonumber(ARGV[19 + 2 * w]))
                nano = math.min(nano, room(sum, limit, 'usd:' .. key))
              end
            end
            if tokens > 0 and tonumber(ARGV[2]) > 0 then
              local sum = window(KEYS[2], 0,
                unbooked(KEYS[3], tonumber(ARGV[5]), tonumber(ARGV[6]), tonumber(ARGV[7])))
              tokens = math.min(tokens, room(sum, tonumber(ARGV[2]), 'tok:' .. key))
            end
            if (tonumber(ARGV[3]) > 0 and nano < tonumber(ARGV[29]))
                or (tonumber(ARGV[4]) > 0 and tokens < tonumber(ARGV[30]))
                or (nano <= 0 and tokens <= 0) then
              nano, tokens = 0, 0
            else
              redis.call('HSET', hash, 'r:' .. id, nano .. ',' .. tokens .. ',' .. key)
              count(hash, nano, tokens, key, 1)
              keep(hash, expiry, id, tonumber(ARGV[12]))
            end
            return {requests, nano, tokens}
            """);

    /**
     * The scripts {@link #BATCH} runs. A script not listed here is always sent alone.
     */
    static final List<Script> BATCHED = List.of(ADMIT, READ_SPEND, BOOK, RESERVE, SHARE);

    /**
     * Several runs of the scripts in {@link #BATCHED} as one script run, one after the other in the order given, on
     * one reading of Redis' clock: what an event loop sends while its previous batch is on its way
     * ({@link ScriptBatches}). Each script's text runs unchanged, as a function whose KEYS and ARGV are its own.
     * KEYS: every run's keys, in order. ARGV: the number of runs, then for each: its script's place in
     * {@link #BATCHED} (from 1), its number of keys and of arguments, and its arguments. Returns each run's answer,
     * in order.
     */
    static final Script BATCH = batchOf(BATCHED);

    private static Script batchOf(List<Script> scripts) {
        StringBuilder text = new StringBuilder(COMMON).append("local scripts = {}\n");
        for (int i = 0; i < scripts.size(); i++) {
            String script = scripts.get(i).text();
            if (!script.startsWith(COMMON)) {
                throw new IllegalStateException("a batched script starts with the common part");
            }
            text.append("scripts[").append(i + 1).append("] = function(KEYS, ARGV)\n")
                    .append(script, COMMON.length(), script.length()).append("end\n");
        }
        text.append("""
                local answers, k, a = {}, 1, 2
                for run = 1, tonumber(ARGV[1]) do
                  local script, keyCount, argCount = tonumber(ARGV[a]), tonumber(ARGV[a + 1]), tonumber(ARGV[a + 2])
                  local keys, args = {}, {}
                  for i = 1, keyCount do
                    keys[i] = KEYS[k + i - 1]
                  end
                  for i = 1, argCount do
                    args[i] = ARGV[a + 2 + i]
                  end
                  k, a = k + keyCount, a + 3 + argCount
                  answers[run] = scripts[script](keys, args)
                end
                return answers
                """);
        return new Script(text.toString());
    }

    private RedisScripts() {
    }

    /** A script's text and its SHA-1, by which Redis runs a script it has cached ({@code EVALSHA}). */
    record Script(String text, String sha) {

        Script(String text) {
            this(text, sha1(text));
        }

        private static String sha1(String text) {
            try {
                byte[] digest = MessageDigest.getInstance("SHA-1").digest(text.getBytes(StandardCharsets.UTF_8));
                return HexFormat.of().formatHex(digest);
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("SHA-1 is part of every Java runtime", e);
            }
        }
    }
}
