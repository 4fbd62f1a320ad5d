package dev.mistralgateway.health;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Startup;

/** Started once the first probe of Mistral has completed, whatever its outcome. */
@Startup
@ApplicationScoped
public class MistralStartupCheck implements HealthCheck {

    private final MistralHealth health;

    MistralStartupCheck(MistralHealth health) {
        this.health = health;
    }

    @Override
    public HealthCheckResponse call() {
        return MistralReadinessCheck.describe(HealthCheckResponse.named("mistral-first-probe")
                .status(health.lastProbe() != null), health.report()).build();
    }
}
