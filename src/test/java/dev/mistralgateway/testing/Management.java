package dev.mistralgateway.testing;

import org.eclipse.microprofile.config.ConfigProvider;

import io.restassured.RestAssured;
import io.restassured.specification.RequestSpecification;

/** Requests to the management interface (metrics, /q/health probes), which listens apart from the API port. */
public final class Management {

    private Management() {
    }

    public static int port() {
        return ConfigProvider.getConfig().getValue("quarkus.management.test-port", Integer.class);
    }

    /** Where Prometheus scrapes the gateway under test. */
    public static String metricsUrl() {
        return "http://localhost:" + port() + "/q/metrics";
    }

    public static RequestSpecification given() {
        return RestAssured.given().port(port());
    }
}
