package io.deskmesh.bench.load;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;

/**
 * Password logins ({@code POST /api/v1/auth/login}) from many clients spread over every front door:
 * either each user once until all hold a token (a clock-in storm), or random users in a loop in the
 * background. A refused attempt (503 BUSY from the node's bounded hashing pool, 429) is retried after
 * the answer's {@code Retry-After} with jitter, as a well-behaved client would. Counts the Argon2
 * verifications each node did: every answer 200 or 401 cost one. Thread-safe.
 */
final class LoginStorm {
    /** The outcome of logging every user in once. */
    record Result(Tally requests, Tally perUser, Map<String, String> tokens, Map<String, Long> verificationsByNode) {
    }

    private static final int MAX_ERRORS_PER_USER = 5;
    private final GridClient client;
    private final List<String> urls;
    private final String password;

    LoginStorm(GridClient client, List<String> urls, String password) {
        this.client = client;
        this.urls = List.copyOf(urls);
        this.password = password;
    }

    /**
     * Logs every user in once at {@code concurrency}, user i at front door i mod n. {@code requests}
     * times each HTTP attempt; {@code perUser} times first attempt to token, retries included.
     */
    Result logInAll(List<String> users, int concurrency, Duration within) {
        Tally requests = new Tally();
        Tally perUser = new Tally();
        Map<String, String> tokens = new ConcurrentHashMap<>();
        Map<String, LongAdder> verified = new ConcurrentHashMap<>();
        ConcurrentLinkedQueue<Integer> queue = new ConcurrentLinkedQueue<>();
        for (int i = 0; i < users.size(); i++) {
            queue.add(i);
        }
        long deadline = System.nanoTime() + within.toNanos();
        requests.start();
        perUser.start();
        ClosedLoop.run(() -> {
            Integer i = System.nanoTime() < deadline ? queue.poll() : null;
            return i == null ? null : () -> untilToken(users.get(i), urls.get(i % urls.size()), System.nanoTime(), 0,
                    deadline, requests, perUser, tokens, verified);
        }, concurrency, within.plusSeconds(60));
        requests.end();
        perUser.end();
        Map<String, Long> byNode = new TreeMap<>();
        verified.forEach((k, v) -> byNode.put(k, v.sum()));
        return new Result(requests, perUser, tokens, byNode);
    }

    private CompletableFuture<Void> untilToken(String user, String url, long firstAt, int errors, long deadline,
                                               Tally requests, Tally perUser, Map<String, String> tokens,
                                               Map<String, LongAdder> verified) {
        return login(user, url).thenCompose(a -> {
            requests.record(a);
            countVerification(a, verified);
            if (a.ok()) {
                tokens.put(user, a.json().path("token").asText());
                perUser.success(System.nanoTime() - firstAt);
                return CompletableFuture.completedFuture(null);
            }
            boolean throttled = a.status() == 503 || a.status() == 429;
            int errorsNow = throttled ? errors : errors + 1;
            if (a.status() == 401 || errorsNow >= MAX_ERRORS_PER_USER || System.nanoTime() > deadline) {
                perUser.failure(a.reason());
                return CompletableFuture.completedFuture(null);
            }
            return later(retryDelayMillis(a), () -> untilToken(user, url, firstAt, errorsNow, deadline, requests, perUser,
                    tokens, verified));
        });
    }

    /** Background logins of random users at {@code concurrency} until stopped. */
    Background background(List<String> users, int concurrency, long seed) {
        Background bg = new Background();
        SplittableRandom random = new SplittableRandom(seed);
        bg.tally.start();
        bg.done = ClosedLoop.runUntil(bg.stop::get, () -> {
            int i;
            synchronized (random) {
                i = random.nextInt(users.size());
            }
            String url = urls.get(i % urls.size());
            return () -> login(users.get(i), url).thenCompose(a -> {
                bg.tally.record(a);
                countVerification(a, bg.verified);
                return a.ok() ? CompletableFuture.completedFuture(null) : later(retryDelayMillis(a), () -> CompletableFuture.completedFuture(null));
            });
        }, concurrency, Duration.ofMinutes(30));
        return bg;
    }

    /** A running background storm. Thread-safe. */
    static final class Background {
        final Tally tally = new Tally();
        final Map<String, LongAdder> verified = new ConcurrentHashMap<>();
        private final AtomicBoolean stop = new AtomicBoolean();
        private CompletableFuture<Integer> done;

        /** Stops taking new logins, waits for those in flight; returns the tally. */
        Tally stop() {
            stop.set(true);
            done.orTimeout(90, TimeUnit.SECONDS).join();
            tally.end();
            return tally;
        }

        Map<String, Long> verificationsByNode() {
            Map<String, Long> out = new TreeMap<>();
            verified.forEach((k, v) -> out.put(k, v.sum()));
            return out;
        }
    }

    private CompletableFuture<Answer> login(String user, String url) {
        return client.post(url, "/api/v1/auth/login", null, GridClient.toJson(Map.of("username", user, "password", password)));
    }

    private static void countVerification(Answer a, Map<String, LongAdder> verified) {
        if (a.error() == null && (a.status() == 200 || a.status() == 401)) {
            verified.computeIfAbsent(a.node(), k -> new LongAdder()).increment();
        }
    }

    /** Retry-After (1 s when absent) scaled by a random 0.5..1.0, so refused clients do not return in step. */
    private static long retryDelayMillis(Answer a) {
        long base = a.retryAfterSeconds() > 0 ? a.retryAfterSeconds() * 1000 : 1000;
        return (long) (base * (0.5 + 0.5 * java.util.concurrent.ThreadLocalRandom.current().nextDouble()));
    }

    private static <T> CompletableFuture<T> later(long millis, Supplier<CompletableFuture<T>> then) {
        // Runs on the JDK's delay thread, which only starts the next (asynchronous) request.
        return CompletableFuture.supplyAsync(() -> null, CompletableFuture.delayedExecutor(millis, TimeUnit.MILLISECONDS,
                Runnable::run)).thenCompose(x -> then.get());
    }
}
