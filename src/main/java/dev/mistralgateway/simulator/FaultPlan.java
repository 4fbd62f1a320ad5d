package dev.mistralgateway.simulator;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/** The queue of injected faults; the first one that applies to a request is taken and its count spent. */
final class FaultPlan {

    private static final class Entry {
        final Fault fault;
        int remaining;

        Entry(Fault fault) {
            this.fault = fault;
            this.remaining = fault.times();
        }
    }

    private final List<Entry> entries = new ArrayList<>();

    synchronized void add(Fault fault) {
        entries.add(new Entry(fault));
    }

    synchronized void clear() {
        entries.clear();
    }

    synchronized int size() {
        return entries.size();
    }

    /** The fault for this request, or null; a fault with times=-1 stays until cleared. */
    synchronized Fault take(String endpoint, boolean stream, String body, String key) {
        for (Iterator<Entry> it = entries.iterator(); it.hasNext();) {
            Entry entry = it.next();
            if (entry.fault.appliesTo(endpoint, stream, body, key)) {
                if (entry.remaining > 0 && --entry.remaining == 0) {
                    it.remove();
                }
                return entry.fault;
            }
        }
        return null;
    }
}
