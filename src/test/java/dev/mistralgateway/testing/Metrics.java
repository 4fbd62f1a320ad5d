package dev.mistralgateway.testing;

import java.util.Arrays;

/** Reads the gateway's own series from {@code /q/metrics}, as Prometheus would scrape them. */
public final class Metrics {

    private Metrics() {
    }

    public static String scrape() {
        return Management.given().get("/q/metrics").then().statusCode(200).extract().asString();
    }

    /** The sum of the samples of {@code name} whose labels include every {@code key="value"} pair given. */
    public static double value(String name, String... labels) {
        return valueIn(scrape(), name, labels);
    }

    /** As {@link #value(String, String...)}, in a scrape taken earlier. */
    public static double valueIn(String scrape, String name, String... labels) {
        return scrape.lines()
                .filter(line -> line.startsWith(name + "{") || line.startsWith(name + " "))
                .filter(line -> Arrays.stream(labels).allMatch(line::contains))
                .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
                .sum();
    }
}
