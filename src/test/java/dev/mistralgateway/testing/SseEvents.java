package dev.mistralgateway.testing;

import java.util.ArrayList;
import java.util.List;

/** Reads the data of each server-sent event in a body, per the SSE spec (multi-line data joined by newlines). */
public final class SseEvents {

    private SseEvents() {
    }

    public static List<String> data(String body) {
        List<String> events = new ArrayList<>();
        StringBuilder current = null;
        for (String line : body.split("\r?\n", -1)) {
            if (line.isEmpty()) {
                if (current != null) {
                    events.add(current.toString());
                    current = null;
                }
            } else if (line.startsWith("data:")) {
                String value = line.substring(5);
                value = value.startsWith(" ") ? value.substring(1) : value;
                current = current == null ? new StringBuilder(value) : current.append('\n').append(value);
            }
        }
        if (current != null) {
            events.add(current.toString());
        }
        return events;
    }
}
