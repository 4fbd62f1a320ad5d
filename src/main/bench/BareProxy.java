import io.vertx.core.AbstractVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;

/**
 * The benchmark's reference point: the least a proxy in front of Mistral can do on the gateway's own stack (Vert.x, the
 * same Netty), with none of the gateway's features. Each request's body is read whole and sent to the upstream with the
 * upstream's key, and the answer (plain or SSE) is streamed back; no authentication, validation, guard, metrics, access
 * line or accounting. Same event loops as the gateway, each with its own upstream pool, as the gateway's.
 * <p>
 * Run by src/main/bench/run as a single-file program on the packaged gateway's class path:
 * {@code java -cp "target/quarkus-app/lib/main/*" BareProxy.java PORT UPSTREAM_PORT EVENT_LOOPS} with the upstream's
 * key in {@code BENCH_UPSTREAM_KEY}.
 */
public class BareProxy extends AbstractVerticle {

    private final int port;
    private final int upstreamPort;
    private final String authorization;

    BareProxy(int port, int upstreamPort, String authorization) {
        this.port = port;
        this.upstreamPort = upstreamPort;
        this.authorization = authorization;
    }

    public static void main(String[] args) {
        int port = Integer.parseInt(args[0]);
        int upstreamPort = Integer.parseInt(args[1]);
        int eventLoops = Integer.parseInt(args[2]);
        String authorization = "Bearer " + System.getenv("BENCH_UPSTREAM_KEY");
        Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(eventLoops));
        vertx.deployVerticle(() -> new BareProxy(port, upstreamPort, authorization),
                new DeploymentOptions().setInstances(eventLoops))
                .onSuccess(id -> System.out.println("Bare proxy listening on 127.0.0.1:" + port))
                .onFailure(failure -> {
                    failure.printStackTrace();
                    System.exit(1);
                });
    }

    @Override
    public void start() {
        HttpClient upstream = vertx.createHttpClient(new HttpClientOptions().setDefaultHost("127.0.0.1")
                .setDefaultPort(upstreamPort).setKeepAlive(true), new PoolOptions().setHttp1MaxSize(1024));
        vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(port)).requestHandler(request -> {
            request.body().onSuccess(body -> {
                RequestOptions options = new RequestOptions().setMethod(request.method()).setURI(request.uri())
                        .putHeader(HttpHeaders.AUTHORIZATION, authorization)
                        .putHeader(HttpHeaders.CONTENT_TYPE, "application/json");
                upstream.request(options).onFailure(failure -> request.response().setStatusCode(502).end())
                        .onSuccess(call -> call.send(body).onComplete(answered -> {
                    if (answered.failed()) {
                        request.response().setStatusCode(502).end();
                        return;
                    }
                    var answer = answered.result();
                    var response = request.response().setStatusCode(answer.statusCode());
                    String type = answer.getHeader(HttpHeaders.CONTENT_TYPE);
                    if (type != null) {
                        response.putHeader(HttpHeaders.CONTENT_TYPE, type);
                    }
                    String length = answer.getHeader(HttpHeaders.CONTENT_LENGTH);
                    if (length != null) {
                        response.putHeader(HttpHeaders.CONTENT_LENGTH, length);
                    } else {
                        response.setChunked(true);
                    }
                    answer.pipeTo(response);
                }));
            });
        }).listen();
    }
}
