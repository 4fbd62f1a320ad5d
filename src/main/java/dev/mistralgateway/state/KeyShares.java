package dev.mistralgateway.state;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiPredicate;
import java.util.function.LongSupplier;

import dev.mistralgateway.state.RedisStateStore.Grant;
import io.smallrye.mutiny.Uni;

/**
 * This pod's shares of its busy keys' limits, so that a key's requests are checked and reserved here, at in-memory
 * speed, while the fleet's limits hold on Redis. A key that made at least {@value #LEAST_CALLS} calls on this pod
 * within a share's life asks Redis ({@link RedisScripts#SHARE}) for what it would use in one and a half at that rate:
 * requests of the minute, and nano-USD and tokens reserved against every limit, each at most an eighth
 * ({@value #DIVISOR}) of what is left of it, and none when that is less than {@value #LEAST_CALLS} of its calls take.
 * Its next requests take from the share without a round trip; a request the share cannot hold goes to Redis alone, as
 * without shares, so a key near a limit is checked request by request again, and no limit is ever overrun by a share:
 * what it holds is held on Redis, where every pod's checks count it.
 * <p>
 * A share serves new requests for {@code gateway.state.share-life} and is replaced halfway through while its key
 * stays busy. What it holds goes back as its calls settle (each call's reservation, given back with the batch that
 * books its use), what no call took goes back when it retires, unused requests with the key's next share (or alone,
 * once the key is quiet); everything goes back at SIGTERM ({@link #retireAll}); should the pod die, the share expires
 * with {@code gateway.state.reservation-ttl}, like a call's reservation. What a share costs the rest of the fleet is
 * the unused part of what it holds for at most its life: at most an eighth of what was left of each limit
 * (src/docs/security.md).
 * <p>
 * Every key's state is touched under its own lock; a few hundred nanoseconds, never I/O.
 */
final class KeyShares {

    /** A share takes at most this part of what is left of each limit: near a limit, shares get small, then none. */
    static final long DIVISOR = 8;
    /** Fewer calls than this over a share's life: not worth a share, every request asks Redis. */
    static final int LEAST_CALLS = 8;
    /** A share is asked for what the key used over this many lives: it lasts until the next one arrives. */
    private static final double AHEAD = 1.5;

    /** Asks Redis for a share; the returned grant is what it got (all zero: none). */
    interface Asker {
        Uni<Grant> ask(String id, String key, Grant asked, long returned, Grant least);
    }

    /** Where what a share gave back goes: the next booking batch, as totals ({@link Bookings#givenBack}). */
    interface Giver {
        void givenBack(String share, long nanoUsd, long tokens);
    }

    /** A call's reservation held in a share. */
    record Held(Share share, long nanoUsd, long tokens) {
    }

    private final Limits limits;
    private final long lifeNanos;
    private final Asker asker;
    private final Giver giver;
    private final LongSupplier clock;
    private final String pod = UUID.randomUUID().toString();
    private final AtomicLong numbers = new AtomicLong();
    private final Map<String, KeyState> keys = new ConcurrentHashMap<>();
    private final Map<String, Held> calls = new ConcurrentHashMap<>();
    /** Set when the pod stops: no share is asked for any more. */
    private volatile boolean stopped;
    /** When {@link #tick} last looked for calls that were never settled; touched by the booking timer only. */
    private long sweptAt;

    KeyShares(Limits limits, Duration life, Asker asker, Giver giver, LongSupplier clock) {
        this.limits = limits;
        this.lifeNanos = life.toNanos();
        this.asker = asker;
        this.giver = giver;
        this.clock = clock;
    }

    /** Takes one of {@code key}'s requests from its share: true when it had one, false when Redis must be asked. */
    boolean admit(String key) {
        return fromShare(key, (state, share) -> {
            state.calls++;
            boolean admitted = share != null
                    && (limits.requestsPerMinute() == 0 ? share.holdsMoney() : share.requests > 0);
            if (admitted && limits.requestsPerMinute() > 0) {
                share.requests--;
            }
            return admitted;
        });
    }

    /**
     * Reserves a call's nano-USD and tokens (its most, as {@link StateStore#reserve} takes them) in its key's share
     * under {@code id}: true when the share holds it, false when Redis must be asked.
     */
    boolean reserve(String id, String key, long nanoUsd, long tokens) {
        long nano = limits.reservedNanoUsd(key, nanoUsd);
        long counted = limits.reservedTokens(tokens);
        return fromShare(key, (state, share) -> {
            state.reserved++;
            state.nanoUsd += nano;
            state.tokens += counted;
            boolean held = share != null && share.holdsMoney() && (nano == 0 || share.grantedNano > 0)
                    && (counted == 0 || share.grantedTokens > 0) && nano <= share.nanoLeft
                    && counted <= share.tokensLeft;
            if (held) {
                share.nanoLeft -= nano;
                share.tokensLeft -= counted;
                calls.put(id, new Held(share, nano, counted));
            }
            return held;
        });
    }

    /**
     * Under the key's lock: {@code take} counts the key's use and takes what it needs from its live share (null: none),
     * then the next share is asked for when it is due, outside the lock.
     */
    private boolean fromShare(String key, BiPredicate<KeyState, Share> take) {
        KeyState state = state(key);
        Ask ask;
        boolean taken;
        synchronized (state) {
            long now = clock.getAsLong();
            taken = take.test(state, state.live(now));
            ask = state.askIfDue(now);
        }
        send(ask);
        return taken;
    }

    /** The share that holds call {@code id}'s reservation, if one does; the call is then no longer in it. */
    Held take(String id) {
        return id == null ? null : calls.remove(id);
    }

    /** Gives back to Redis what share held for a call taken out of it ({@link #take}). */
    void giveBack(Held held) {
        Share share = held.share();
        synchronized (share.state) {
            share.givenNano += held.nanoUsd();
            share.givenTokens += held.tokens();
            giver.givenBack(share.id, share.givenNano, share.givenTokens);
        }
    }

    /**
     * Retires the shares past their life (what no call took goes back) and gives back the requests they did not
     * use: called every booking interval, on one thread at a time.
     */
    void tick() {
        long now = clock.getAsLong();
        if (now - sweptAt > lifeNanos * 10) {
            // A call nobody settled (there should be none): its share expired on Redis with the reservation TTL.
            sweptAt = now;
            calls.values().removeIf(held -> now - held.share().at > limits.reservationTtl().toNanos());
        }
        for (KeyState state : keys.values()) {
            Ask ask;
            synchronized (state) {
                state.live(now);
                ask = state.current == null ? state.returnIfDue() : null;
            }
            send(ask);
        }
    }

    /**
     * Retires every share, for a pod that stops, and takes none from now on; returns the runs that give back their
     * unused requests.
     */
    List<Uni<Grant>> retireAll() {
        stopped = true;
        List<Uni<Grant>> returns = new ArrayList<>();
        for (KeyState state : keys.values()) {
            Ask ask;
            synchronized (state) {
                if (state.current != null) {
                    state.retire(state.current);
                }
                ask = state.asking ? null : state.returnIfDue();
            }
            if (ask != null) {
                returns.add(asker.ask(ask.id, ask.state.key, ask.asked, ask.returned, ask.least));
            }
        }
        return returns;
    }

    private KeyState state(String key) {
        return keys.computeIfAbsent(key, KeyState::new);
    }

    private void send(Ask ask) {
        if (ask == null) {
            return;
        }
        KeyState state = ask.state;
        asker.ask(ask.id, state.key, ask.asked, ask.returned, ask.least).subscribe().with(grant -> {
            synchronized (state) {
                state.asking = false;
                if (ask.returnOnly()) {
                    return;
                }
                if (grant.requests() <= 0 && grant.nanoUsd() <= 0 && grant.tokens() <= 0) {
                    // Near a limit: request by request until a share's life has passed.
                    state.coolUntil = clock.getAsLong() + lifeNanos;
                    return;
                }
                if (state.current != null) {
                    state.retire(state.current);
                }
                state.current = new Share(state, ask.id, grant, clock.getAsLong());
            }
        }, failure -> {
            synchronized (state) {
                state.asking = false;
                state.coolUntil = clock.getAsLong() + lifeNanos;
            }
            if (!ask.returnOnly()) {
                // It may have run on Redis although its answer never came: give all of it back.
                giver.givenBack(ask.id, Long.MAX_VALUE / 4, Long.MAX_VALUE / 4);
            }
        });
    }

    /** A run of {@link RedisScripts#SHARE} to make. */
    private record Ask(KeyState state, String id, Grant asked, long returned, Grant least) {

        boolean returnOnly() {
            return asked.requests() == 0 && asked.nanoUsd() == 0 && asked.tokens() == 0;
        }
    }

    /** What a share holds and has left, touched under its key's lock. */
    static final class Share {
        private final KeyState state;
        private final String id;
        private final long at;
        private final long grantedRequests;
        private final long grantedNano;
        private final long grantedTokens;
        private long requests;
        private long nanoLeft;
        private long tokensLeft;
        private long givenNano;
        private long givenTokens;
        private boolean retired;

        private Share(KeyState state, String id, Grant grant, long at) {
            this.state = state;
            this.id = id;
            this.at = at;
            this.grantedRequests = grant.requests();
            this.grantedNano = grant.nanoUsd();
            this.grantedTokens = grant.tokens();
            this.requests = grant.requests();
            this.nanoLeft = grant.nanoUsd();
            this.tokensLeft = grant.tokens();
        }

        private boolean holdsMoney() {
            return grantedNano > 0 || grantedTokens > 0;
        }

        /** Half used: time to ask for the next one. */
        private boolean low() {
            return requests * 2 < grantedRequests || nanoLeft * 2 < grantedNano || tokensLeft * 2 < grantedTokens;
        }
    }

    /** A key's share and its use on this pod since it last asked for one. */
    private final class KeyState {
        private final String key;
        private Share current;
        private boolean asking;
        private long coolUntil;
        private long since = clock.getAsLong();
        private long calls;
        private long reserved;
        private long nanoUsd;
        private long tokens;
        private long unusedRequests;

        KeyState(String key) {
            this.key = key;
        }

        /** The share that serves new requests now, retiring it when its life is over. */
        Share live(long now) {
            if (current != null && now - current.at >= lifeNanos) {
                retire(current);
            }
            return current;
        }

        void retire(Share share) {
            if (share.retired) {
                return;
            }
            share.retired = true;
            unusedRequests += share.requests;
            share.requests = 0;
            if (share.holdsMoney()) {
                share.givenNano += share.nanoLeft;
                share.givenTokens += share.tokensLeft;
                share.nanoLeft = 0;
                share.tokensLeft = 0;
                giver.givenBack(share.id, share.givenNano, share.givenTokens);
            }
            if (current == share) {
                current = null;
            }
        }

        /** A new share to ask for, when the key is busy and its share is half gone (in time or in use), or none. */
        Ask askIfDue(long now) {
            if (stopped || asking || now - coolUntil < 0) {
                return null;
            }
            if (current != null && now - current.at < lifeNanos / 2 && !current.low()) {
                return null;
            }
            long elapsed = now - since;
            if (Math.max(calls, reserved) < LEAST_CALLS || elapsed < lifeNanos / 20) {
                if (elapsed > lifeNanos) {
                    restart(now);
                }
                return null;
            }
            double scale = AHEAD * lifeNanos / elapsed;
            Grant asked = new Grant(limits.requestsPerMinute() > 0 ? (long) Math.ceil(calls * scale) : 0,
                    (long) Math.ceil(nanoUsd * scale), (long) Math.ceil(tokens * scale));
            long reservedBefore = reserved;
            long nanoBefore = nanoUsd;
            long tokensBefore = tokens;
            restart(now);
            if (asked.requests() == 0 && asked.nanoUsd() == 0 && asked.tokens() == 0) {
                return null;
            }
            // The least worth a run: as many as LEAST_CALLS of its calls take, on average.
            Grant least = new Grant(Math.min(asked.requests(), LEAST_CALLS),
                    reservedBefore == 0 ? 0 : Math.min(asked.nanoUsd(), nanoBefore * LEAST_CALLS / reservedBefore),
                    reservedBefore == 0 ? 0 : Math.min(asked.tokens(), tokensBefore * LEAST_CALLS / reservedBefore));
            asking = true;
            long returned = unusedRequests;
            unusedRequests = 0;
            return new Ask(this, pod + ":" + numbers.incrementAndGet(), asked, returned, least);
        }

        /** A run that only gives back unused requests, when there are some and nothing else is asked. */
        Ask returnIfDue() {
            if (asking || unusedRequests == 0) {
                return null;
            }
            asking = true;
            long returned = unusedRequests;
            unusedRequests = 0;
            Grant none = new Grant(0, 0, 0);
            return new Ask(this, pod + ":" + numbers.incrementAndGet(), none, returned, none);
        }

        private void restart(long now) {
            since = now;
            calls = 0;
            reserved = 0;
            nanoUsd = 0;
            tokens = 0;
        }
    }
}
