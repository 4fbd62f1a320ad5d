package dev.mistralgateway.state;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The Lua scripts that make each check-and-count one atomic step on Redis, whatever the number of pods. Time comes
 * from Redis' own clock ({@code TIME}), so the pods' clocks may disagree. Rolling hours are hashes with one field per
 * minute (the minute's number since the epoch), trimmed as they are written and expiring an hour after the last
 * write; a request bucket is a hash that expires once it would be full again.
 */
final class RedisScripts {

    /** Redis' time, and the rolling-hour helpers every script shares. */
    private static final String COMMON = """
            local t = redis.call('TIME')
            local nowMs = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
            local minute = math.floor(nowMs / 60000)
            -- The sum of a rolling hour, plus unbooked (what the calling pod served but has not booked yet, as if
            -- in this minute), and, when it is at or over limit (> 0), the ms until enough old minutes have left
            -- the window; -1 when under.
            local function window(key, limit, unbooked)
              local fields = redis.call('HGETALL', key)
              local sum, byMinute = unbooked, {[minute] = unbooked}
              for i = 1, #fields, 2 do
                local m, v = tonumber(fields[i]), tonumber(fields[i + 1])
                if minute - m < 60 then
                  sum = sum + v
                  byMinute[m] = (byMinute[m] or 0) + v
                end
              end
              if limit <= 0 or sum < limit then
                return sum, -1
              end
              local left = sum
              for m = minute - 59, minute do
                left = left - (byMinute[m] or 0)
                if left < limit then
                  return sum, math.max(1000, (m + 60) * 60000 - nowMs)
                end
              end
              return sum, 3600000
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
            local function add(key, value)
              redis.call('HINCRBY', key, minute, value)
              for _, m in ipairs(redis.call('HKEYS', key)) do
                if minute - tonumber(m) >= 60 then
                  redis.call('HDEL', key, m)
                end
              end
              redis.call('EXPIRE', key, 3660)
            end
            """;

    /**
     * KEYS: the key's request bucket (a = requests available, t = ms of the last refill), its tokens per minute, the
     * spend per minute (nano-USD), the calling pod's booking marker. ARGV: requests per minute, tokens per hour (0: no
     * limit), the budget (0: none), then what the pod has served but not booked: the number of the batch it is
     * booking, that batch's tokens of this key, the key's tokens not in a batch yet, the batch's nano-USD, nano-USD
     * not in a batch yet.
     * Returns {key, ms, spend, ms}: key 0 allowed, 1 over the rate, 2 out of tokens, with the wait; then the spend
     * and the wait until it is under the budget (-1: under), so that a request needs one round trip for both
     * checks. The rate is checked (and a request taken) first, as in memory.
     */
    static final Script ADMIT = new Script(COMMON + """
            local perMinute, hourlyTokens = tonumber(ARGV[1]), tonumber(ARGV[2])
            local outcome, keyWait = 0, 0
            if perMinute > 0 then
              local bucket = redis.call('HMGET', KEYS[1], 'a', 't')
              local available = tonumber(bucket[1]) or perMinute
              local at = tonumber(bucket[2]) or nowMs
              available = math.min(perMinute, available + math.max(0, nowMs - at) * perMinute / 60000)
              if available >= 1 then
                available = available - 1
              else
                outcome, keyWait = 1, math.ceil((1 - available) * 60000 / perMinute)
              end
              redis.call('HSET', KEYS[1], 'a', available, 't', nowMs)
              redis.call('PEXPIRE', KEYS[1], 61000)
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
            return {outcome, keyWait, spend, spendWait}
            """);

    /**
     * KEYS: the spend per minute (nano-USD), the calling pod's booking marker. ARGV: the budget (0: none), the number
     * of the batch the pod is booking, its nano-USD, nano-USD not in a batch yet. Returns {spend, ms until under or
     * -1}.
     */
    static final Script READ_SPEND = new Script(COMMON + """
            local sum, wait = window(KEYS[1], tonumber(ARGV[1]),
              unbooked(KEYS[2], tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])))
            return {sum, wait}
            """);

    /**
     * Books a batch of what a pod served. KEYS: the spend per minute, the pod's booking marker, then the tokens per
     * minute of each key booked. ARGV: nano-USD, the budget, the batch's number (kept in the marker, so that the pod's
     * checks stop adding the batch once it is here), then each key's tokens. Returns the spend after it as
     * {@link #READ_SPEND} does.
     */
    static final Script BOOK = new Script(COMMON + """
            if tonumber(ARGV[1]) ~= 0 then
              add(KEYS[1], ARGV[1])
            end
            for i = 3, #KEYS do
              add(KEYS[i], ARGV[i + 1])
            end
            redis.call('SET', KEYS[2], ARGV[3], 'EX', 3600)
            local sum, wait = window(KEYS[1], tonumber(ARGV[2]), 0)
            return {sum, wait}
            """);

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
