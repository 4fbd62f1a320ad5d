package dev.mistralgateway.state;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

import io.smallrye.common.vertx.VertxContext;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.UniEmitter;
import io.vertx.core.Context;
import io.vertx.core.Vertx;

/**
 * Group commit for an event loop's Redis calls: a call made while the loop's previous batch is on its way waits for
 * it, and every call that waited goes to Redis together, as one script run ({@link RedisScripts#BATCH}); a call made
 * while nothing is on its way goes at once, alone. With one request at a time nothing changes; with many, redis-server
 * runs one script a batch instead of one a request, and the gateway writes and reads one command instead of many
 * (src/docs/performance.md, scenario 6). Each call stays one atomic check-and-count: the batch's script runs the
 * calls' scripts one after the other, in their order, inside one Redis script run.
 * <p>
 * Only calls made on an event loop are batched (one batch in flight per loop, so no locking: its state is touched
 * on the loop's thread only); others are sent alone.
 */
final class ScriptBatches<I, O> {

    /** Sends some calls, in order, and answers each, in the same order. */
    private final Function<List<I>, Uni<List<O>>> send;
    private final Map<Thread, Loop> loops = new ConcurrentHashMap<>();

    ScriptBatches(Function<List<I>, Uni<List<O>>> send) {
        this.send = send;
    }

    Uni<O> submit(I call) {
        if (!Context.isOnEventLoopThread() || Vertx.currentContext() == null) {
            return send.apply(List.of(call)).map(answers -> answers.get(0));
        }
        Loop loop = loops.computeIfAbsent(Thread.currentThread(),
                thread -> new Loop(VertxContext.getRootContext(Vertx.currentContext())));
        return Uni.createFrom().emitter(emitter -> loop.add(call, emitter));
    }

    /** One event loop's calls: those waiting, and whether a batch is on its way. */
    private final class Loop {

        private final Thread thread = Thread.currentThread();
        private final Context context;
        private List<I> calls = new ArrayList<>();
        private List<UniEmitter<? super O>> callers = new ArrayList<>();
        private boolean sending;

        Loop(Context context) {
            this.context = context;
        }

        void add(I call, UniEmitter<? super O> caller) {
            calls.add(call);
            callers.add(caller);
            if (!sending) {
                flush();
            }
        }

        private void flush() {
            List<I> batch = calls;
            List<UniEmitter<? super O>> answering = callers;
            calls = new ArrayList<>();
            callers = new ArrayList<>();
            sending = true;
            Uni<List<O>> answers;
            try {
                answers = send.apply(batch);
            } catch (RuntimeException e) {
                answers = Uni.createFrom().failure(e);
            }
            answers.subscribe().with(items -> onLoop(() -> {
                for (int i = 0; i < answering.size(); i++) {
                    answering.get(i).complete(items.get(i));
                }
                sent();
            }), failure -> onLoop(() -> {
                answering.forEach(caller -> caller.fail(failure));
                sent();
            }));
        }

        private void sent() {
            sending = false;
            if (!calls.isEmpty()) {
                flush();
            }
        }

        /** Answers come on the loop that sent the batch; should one not, it is moved there. */
        private void onLoop(Runnable task) {
            if (Thread.currentThread() == thread) {
                task.run();
            } else {
                context.runOnContext(ignored -> task.run());
            }
        }
    }
}
