#!/usr/bin/env python3
"""Summarises an async-profiler CPU profile in collapsed form ("frame;frame;...;leaf COUNT" per line, with the
"ann" option: kernel frames end in _[k]) as Markdown: where the gateway's CPU goes, by component (self time: the
innermost frame), by feature (inclusive: samples with the feature anywhere on the stack) and the top leaf frames.

Usage: profile-summary.py PROFILE.collapsed TITLE [TOP]
"""
import collections
import re
import sys

# Self time: the component of a stack is that of its innermost frame. Java frames are matched by prefix.
COMPONENTS = [
    ("kernel (syscalls, TCP loopback)", lambda f: f.endswith("_[k]")),
    ("Netty", lambda f: f.startswith("io/netty/")),
    ("Vert.x", lambda f: f.startswith("io/vertx/")),
    ("Jackson", lambda f: f.startswith("com/fasterxml/jackson/")),
    ("SmallRye Fault Tolerance", lambda f: f.startswith("io/smallrye/faulttolerance/")),
    ("Mutiny", lambda f: f.startswith("io/smallrye/mutiny/")),
    ("Micrometer", lambda f: f.startswith("io/micrometer/")),
    ("logging (JBoss Log Manager)", lambda f: f.startswith(("org/jboss/logmanager/", "org/jboss/logging/"))),
    ("Quarkus", lambda f: f.startswith("io/quarkus/")),
    ("OpenTelemetry", lambda f: f.startswith("io/opentelemetry/")),
    ("the gateway's code", lambda f: f.startswith("dev/mistralgateway/")),
    ("JDK (java.*, jdk.*, sun.*)", lambda f: f.startswith(("java/", "jdk/", "sun/", "javax/"))),
    ("other Java", lambda f: "/" in f and not f.endswith(("_[k]",))),
]

# Inclusive: a sample counts for a feature when any frame of its stack matches.
FEATURES = [
    ("access log line (AccessLog, logging)", re.compile(r"dev/mistralgateway/api/AccessLog\.finished|org/jboss/logmanager/")),
    ("client authentication (ClientAuthentication)", re.compile(r"dev/mistralgateway/api/ClientAuthentication")),
    ("request JSON parse (readTree)", re.compile(r"ObjectMapper\.readTree")),
    ("request validation (ChatRequestValidator)", re.compile(r"dev/mistralgateway/chat/ChatRequestValidator")),
    ("metrics (Micrometer)", re.compile(r"io/micrometer/")),
    ("spend booking (SpendMeter)", re.compile(r"dev/mistralgateway/cost/SpendMeter")),
    ("Jackson (parse and write)", re.compile(r"com/fasterxml/jackson/")),
    ("SSE relay (SseRelay, SseStream, EventStream)",
     re.compile(r"dev/mistralgateway/chat/SseRelay|dev/mistralgateway/mistral/SseStream|dev/mistralgateway/chat/EventStream")),
    ("log writes (FileOutputStream.write)", re.compile(r"java/io/FileOutputStream\.write")),
    ("socket writes (kernel tcp_sendmsg, the peer's receive included on loopback)", re.compile(r"tcp_sendmsg")),
    ("socket reads (kernel tcp_recvmsg)", re.compile(r"tcp_recvmsg")),
    ("epoll (kernel)", re.compile(r"epoll_wait|epoll_ctl")),
    ("futex (thread wake-ups and waits)", re.compile(r"__x64_sys_futex|futex_wait|futex_wake")),
    ("GC", re.compile(r"^(GC Thread|ParallelGC|G1|VM Thread)|GCTaskThread|PSScavenge|ParallelScavengeHeap")),
    ("JIT compiler threads", re.compile(r"CompileBroker|C2Compiler|C1Compiler")),
]


def strip(frame):
    """A frame without async-profiler's annotation suffix (_[j], _[i], _[0], _[1]), kernel ones kept."""
    return frame if frame.endswith("_[k]") else re.sub(r"_\[[a-z0-9]\]$", "", frame)


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    path, title = sys.argv[1], sys.argv[2]
    top = int(sys.argv[3]) if len(sys.argv) > 3 else 15
    total = 0
    self_by_component = collections.Counter()
    by_feature = collections.Counter()
    leaves = collections.Counter()
    with open(path, encoding="utf-8", errors="replace") as lines:
        for line in lines:
            stack, _, count = line.rstrip("\n").rpartition(" ")
            if not stack or not count.isdigit():
                continue
            n = int(count)
            total += n
            frames = stack.split(";")
            leaf = frames[-1]
            for name, matches in COMPONENTS:
                if matches(leaf):
                    self_by_component[name] += n
                    break
            else:
                self_by_component["JVM (GC, JIT, runtime; native)"] += n
            for name, pattern in FEATURES:
                if pattern.search(stack):
                    by_feature[name] += n
            leaves[strip(leaf)] += n
    if total == 0:
        print(f"{title}: the profile has no samples.")
        return
    pct = lambda n: f"{100.0 * n / total:.1f} %"
    print(f"{title}: {total:,} CPU samples of the gateway process (all threads).")
    print()
    print("| Component (self time: innermost frame) | Share |")
    print("|---|---:|")
    for name, n in self_by_component.most_common():
        print(f"| {name} | {pct(n)} |")
    print()
    print("| Feature (inclusive: samples with its frames on the stack, what it calls included) | Share |")
    print("|---|---:|")
    for name, n in sorted(by_feature.items(), key=lambda item: -item[1]):
        print(f"| {name} | {pct(n)} |")
    print()
    print(f"| Top {top} frames (self time) | Share |")
    print("|---|---:|")
    for frame, n in leaves.most_common(top):
        print(f"| `{frame.replace('|', '/')}` | {pct(n)} |")


if __name__ == "__main__":
    main()
