package dev.mistralgateway.ui;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.mistralgateway.metrics.RecentRequests;

/** The template escapes every value: an upstream's error text or any other value is shown, never run. */
class OperatorPageTemplateTest {

    @Test
    void escapesWhatItShows() {
        String hostile = "<script>alert(1)</script>";
        PageModel model = new PageModel("now", new PageModel.Upstream("degraded", 12L, "now", hostile),
                new PageModel.Breaker("mistral", "closed", 0), new PageModel.Budget("0.00", null, 0),
                new PageModel.Limits("no limit", "no limit"), List.of(new PageModel.KeyRow("a&b", 1, 0, 2, "0.01")),
                List.of(new PageModel.ModelRow("m\"x", "completion_chat")), true,
                List.of(new RecentRequests.Failure(Instant.EPOCH, "id", "chat", 502, hostile)), null);

        String html = OperatorPage.template().data("model", model).render();

        assertFalse(html.contains(hostile), html);
        assertTrue(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"), html);
        assertTrue(html.contains("a&amp;b") && html.contains("m&quot;x"), html);
        assertFalse(html.contains("data-test=\"simulator\""), "no simulator panel outside dev mode");
    }
}
