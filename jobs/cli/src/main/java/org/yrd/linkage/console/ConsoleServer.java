package org.yrd.linkage.console;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.sse.SseClient;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.yrd.linkage.demo.DemoMap;
import org.yrd.linkage.ingest.RawMasking;
import org.yrd.linkage.live.Topics;
import org.yrd.linkage.model.AckStatus;
import org.yrd.linkage.region.City;
import org.yrd.linkage.region.Region;
import org.yrd.linkage.rules.RulePack;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.stream.Collectors;

/**
 * The provinces' console ({@code ./linkage console}): a small web server where a province's duty
 * officer sees the alerts addressed to the province as they arrive, with their evidence, revision
 * history and SLA countdown, and answers them (RECEIVED, VERIFYING, CONFIRMED, FALSE_ALARM,
 * RESOLVED, with a note) onto the province's own acknowledgement topic; and where the regional
 * centre sees every province: escalations first, who has not answered what, and the per-rule
 * feedback figures. It is a Kafka client beside the engine, never part of the Flink job.
 *
 * <p>Access is decided on the server, for every request: a browser signs in once with its
 * province's token ({@link Tokens}) and then carries an HttpOnly, SameSite=Strict session cookie;
 * scripts may send the token as {@code Authorization: Bearer}. Without either: 401. A province
 * asking for an alert that was not addressed to it: 403; it acknowledges only as itself, on its own
 * topic, whatever the request says. Writes with a session cookie need the session's CSRF token in
 * {@code X-CSRF-Token} and, when the browser names one, a same-origin {@code Origin}. The page
 * renders every text from an alert as text (never as markup), and the Content-Security-Policy lets
 * no script run but the console's own file.
 */
public final class ConsoleServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ConsoleServer.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SESSION_COOKIE = "yrd_console";
    private static final String CSRF_HEADER = "X-CSRF-Token";
    private static final Duration SESSION_LIFETIME = Duration.ofHours(12);
    private static final int MAX_NOTE = 500;
    private static final String CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            + "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

    /**
     * How to run a console.
     *
     * @param kafka      Kafka client properties (bootstrap servers, security)
     * @param host       address to listen on
     * @param port       port to listen on; 0 for any free one
     * @param tokensFile the sign-in tokens (a file or a mounted Secret directory, see {@link Tokens});
     *                   null makes a random one for each province and the centre, shown by {@link #tokensToHandOut()}
     * @param pack       the rule pack whose SLAs the countdowns use until the rules topic brings another
     * @param since      how far back the alert and acknowledgement topics are read at the start
     * @param eventClock the event time now (the wall clock, or the demo's faster scenario clock): acknowledgements are stamped with it
     */
    public record Settings(Properties kafka, Topics topics, String host, int port, Path tokensFile, RulePack pack,
                           Duration since, LongSupplier eventClock) {}

    private record Session(Principal who, String csrf, long expiresAt) {}

    /** A request refused with a status and a one-line reason. */
    private static final class Refused extends RuntimeException {
        final int status;

        Refused(int status, String message) {
            super(message);
            this.status = status;
        }
    }

    private final Settings settings;
    private final Tokens tokens;
    private final AlertBoard board;
    private final ConsoleFeed feed;
    private final KafkaProducer<String, String> producer;
    private final Map<String, Session> sessions = new ConcurrentHashMap<>();
    private final Map<SseClient, Principal> clients = new ConcurrentHashMap<>();
    private final ScheduledExecutorService pusher = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "console-push");
        t.setDaemon(true);
        return t;
    });
    private final SecureRandom random = new SecureRandom();
    private final Javalin app;

    private ConsoleServer(Settings settings, Tokens tokens) {
        this.settings = settings;
        this.tokens = tokens;
        this.board = new AlertBoard(settings.pack());
        this.feed = new ConsoleFeed(settings.kafka(), settings.topics(), board, settings.since());
        Properties p = new Properties();
        p.putAll(settings.kafka());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "0");
        p.putIfAbsent(ProducerConfig.CLIENT_ID_CONFIG, "yrd-console-acks");
        this.producer = new KafkaProducer<>(p, new StringSerializer(), new StringSerializer());
        this.app = Javalin.create(cfg -> {
            cfg.jetty.host = settings.host();
            cfg.jetty.port = settings.port();
            cfg.startup.showJavalinBanner = false;
            cfg.startup.showOldJavalinVersionWarning = false;
            cfg.routes.before(this::securityHeaders);
            cfg.routes.before("/api/*", this::authenticate);
            cfg.routes.exception(Refused.class, (e, ctx) -> json(ctx.status(e.status), error(e.getMessage())));
            cfg.routes.get("/", ctx -> asset(ctx, "index.html", "text/html; charset=utf-8"));
            cfg.routes.get("/assets/console.js", ctx -> asset(ctx, "console.js", "text/javascript; charset=utf-8"));
            cfg.routes.get("/assets/console.css", ctx -> asset(ctx, "console.css", "text/css; charset=utf-8"));
            cfg.routes.get("/assets/map.svg", ctx -> ctx.contentType("image/svg+xml; charset=utf-8").result(MapHolder.SVG));
            cfg.routes.post("/login", this::login);
            cfg.routes.post("/api/logout", this::logout);
            cfg.routes.get("/api/me", this::me);
            cfg.routes.get("/api/view", ctx -> json(ctx, board.view(principal(ctx), now())));
            cfg.routes.get("/api/alert", this::alert);
            cfg.routes.post("/api/ack", this::acknowledge);
            cfg.routes.sse("/api/events", this::subscribe);
        });
    }

    /** The base map, drawn once per JVM when first asked for. */
    private static final class MapHolder {
        static final String SVG = DemoMap.baseMapSvg();
    }

    /**
     * Starts the server and its Kafka reader.
     *
     * @throws IllegalArgumentException when the tokens file is unusable (naming file, line and problem)
     */
    public static ConsoleServer start(Settings settings) throws IOException {
        Tokens tokens = settings.tokensFile() == null ? Tokens.random() : Tokens.load(settings.tokensFile());
        ConsoleServer server = new ConsoleServer(settings, tokens);
        server.app.start();
        server.feed.start();
        server.pusher.scheduleWithFixedDelay(server::push, 250, 250, TimeUnit.MILLISECONDS);
        server.pusher.scheduleWithFixedDelay(server::tick, 1, 1, TimeUnit.SECONDS);
        return server;
    }

    /** Where browsers reach it, e.g. {@code http://127.0.0.1:8080/}. */
    public String url() {
        String host = settings.host().equals("0.0.0.0") ? "127.0.0.1" : settings.host();
        return "http://" + host + ":" + app.port() + "/";
    }

    /** The tokens made at start for each province and the centre when no tokens file was given; empty otherwise. */
    public Map<String, String> tokensToHandOut() {
        return tokens.generated();
    }

    /** What the centre's view holds, in one line: alerts, escalations and the provinces' answers by status (the demo's last words). */
    public String summary() {
        JsonNode v = board.view(new Principal(Principal.CENTRE, ""), now());
        Map<String, Integer> answers = new TreeMap<>();
        for (JsonNode a : v.path("alerts")) {
            for (JsonNode s : a.path("provinceStates")) {
                if (s.hasNonNull("status")) {
                    answers.merge(s.get("status").asText(), 1, Integer::sum);
                }
            }
        }
        return v.path("total").asInt() + " alerts, " + v.path("escalations").size() + " escalations, answers "
                + (answers.isEmpty() ? "none" : answers.toString());
    }

    @Override
    public void close() throws InterruptedException {
        pusher.shutdownNow();
        clients.keySet().forEach(SseClient::close);
        app.stop();
        feed.close();
        producer.close(Duration.ofSeconds(5));
    }

    private long now() {
        return settings.eventClock().getAsLong();
    }

    // ---------------------------------------------------------------------------------------------
    // access

    private void securityHeaders(Context ctx) {
        ctx.header("Content-Security-Policy", CSP);
        ctx.header("X-Content-Type-Options", "nosniff");
        ctx.header("Referrer-Policy", "no-referrer");
        ctx.header("Cache-Control", "no-store");
        if ("POST".equals(ctx.method().name())) {
            String origin = ctx.header("Origin");
            if (origin != null && !sameOrigin(origin, ctx)) {
                throw new Refused(403, "cross-origin request refused (Origin " + origin + ")");
            }
        }
    }

    private static boolean sameOrigin(String origin, Context ctx) {
        try {
            URI o = URI.create(origin);
            String host = ctx.host();
            return host != null && host.equalsIgnoreCase(o.getRawAuthority());
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** Every /api request: a bearer token or a live session, else 401; writes with a session also need its CSRF token. */
    private void authenticate(Context ctx) {
        String auth = ctx.header("Authorization");
        if (auth != null && auth.startsWith("Bearer ")) {
            ctx.attribute("principal", tokens.lookup(auth.substring(7).strip())
                    .orElseThrow(() -> new Refused(401, "the token is not valid")));
            return;
        }
        Session s = session(ctx);
        if (s == null) {
            throw new Refused(401, "sign in with your province's token");
        }
        if ("POST".equals(ctx.method().name()) && !constantTimeEquals(s.csrf(), ctx.header(CSRF_HEADER))) {
            throw new Refused(403, "missing or wrong " + CSRF_HEADER + " header");
        }
        ctx.attribute("principal", s.who());
    }

    private Session session(Context ctx) {
        String id = ctx.cookie(SESSION_COOKIE);
        Session s = id == null ? null : sessions.get(id);
        if (s != null && s.expiresAt() < System.currentTimeMillis()) {
            sessions.remove(id);
            return null;
        }
        return s;
    }

    private static Principal principal(Context ctx) {
        return ctx.attribute("principal");
    }

    private void login(Context ctx) {
        Principal who = tokens.lookup(ctx.formParam("token")).orElseThrow(() -> new Refused(401, "the token is not valid"));
        long now = System.currentTimeMillis();
        sessions.values().removeIf(expired -> expired.expiresAt() < now);
        String id = randomId();
        Session s = new Session(who, randomId(), now + SESSION_LIFETIME.toMillis());
        sessions.put(id, s);
        boolean https = "https".equals(ctx.scheme()) || "https".equalsIgnoreCase(ctx.header("X-Forwarded-Proto"));
        ctx.header("Set-Cookie", SESSION_COOKIE + "=" + id + "; Path=/; HttpOnly; SameSite=Strict; Max-Age="
                + SESSION_LIFETIME.toSeconds() + (https ? "; Secure" : ""));
        json(ctx, me(who, s.csrf()));
    }

    private void logout(Context ctx) {
        String id = ctx.cookie(SESSION_COOKIE);
        if (id != null) {
            sessions.remove(id);
        }
        ctx.header("Set-Cookie", SESSION_COOKIE + "=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0");
        json(ctx, JSON.createObjectNode().put("signedOut", true));
    }

    private void me(Context ctx) {
        Session s = session(ctx);
        json(ctx, me(principal(ctx), s == null ? null : s.csrf()));
    }

    private ObjectNode me(Principal who, String csrf) {
        ObjectNode me = JSON.createObjectNode();
        me.put("who", who.code());
        me.put("name", who.displayName());
        me.put("centre", who.isCentre());
        me.put("operator", who.operator());
        me.put("csrf", csrf);
        me.put("now", now());
        return me;
    }

    // ---------------------------------------------------------------------------------------------
    // alerts and acknowledgements

    private void alert(Context ctx) {
        String id = required(ctx.queryParam("id"), "id");
        Principal who = principal(ctx);
        visibleTo(id, who);
        ObjectNode detail = board.detail(id, who);
        ObjectNode names = detail.putObject("cityNames");
        for (JsonNode c : detail.path("cities")) {
            City city = Region.get().city(Region.get().cityOfCode(c.asText()));
            if (city != null) {
                names.put(c.asText(), city.name());
            }
        }
        JsonNode at = detail.path("location");
        if (at.path("lat").isNumber() && at.path("lon").isNumber()) {
            double[] xy = DemoMap.mapPoint(at.get("lat").asDouble(), at.get("lon").asDouble());
            detail.putObject("mapPoint").put("x", xy[0]).put("y", xy[1]);
        }
        json(ctx, detail);
    }

    private void visibleTo(String alertId, Principal who) {
        if (!board.exists(alertId)) {
            throw new Refused(404, "no alert " + alertId);
        }
        if (!board.visible(alertId, who)) {
            throw new Refused(403, "alert " + alertId + " was not addressed to " + who.code());
        }
    }

    /**
     * Writes the signed-in province's acknowledgement to its own topic (alert-ack.schema.json,
     * plus the note) and answers once the broker has it; the province is the session's, never the request's.
     */
    private void acknowledge(Context ctx) throws Exception {
        Principal who = principal(ctx);
        if (who.isCentre()) {
            throw new Refused(403, "the centre does not acknowledge: each province answers on its own topic");
        }
        JsonNode body;
        try {
            body = JSON.readTree(ctx.body());
        } catch (IOException e) {
            throw new Refused(400, "the body must be JSON: {\"alertId\": ..., \"status\": ..., \"note\": ...}");
        }
        String id = required(body.path("alertId").asText(null), "alertId");
        visibleTo(id, who);
        String escalated = board.escalatedAlert(id);
        if (escalated != null) {
            throw new Refused(400, id + " is an escalation: acknowledge the alert it escalates, " + escalated);
        }
        String status = required(body.path("status").asText(null), "status");
        if (Arrays.stream(AckStatus.values()).noneMatch(s -> s.name().equals(status))) {
            throw new Refused(400, "status '" + status + "' is not one of "
                    + Arrays.stream(AckStatus.values()).map(Enum::name).collect(Collectors.joining(", ")));
        }
        String note = body.path("note").asText("").strip();
        if (note.length() > MAX_NOTE) {
            throw new Refused(400, "the note has " + note.length() + " characters; at most " + MAX_NOTE);
        }
        ObjectNode ack = JSON.createObjectNode();
        ack.put("alertId", id);
        ack.put("province", who.code());
        ack.put("ts", now());
        ack.put("status", status);
        ack.put("operator", who.operator());
        if (!note.isEmpty()) {
            // a duty officer may paste a number into a note: it leaves the console masked like all raw text
            ack.put("note", RawMasking.mask(note));
        }
        String topic = settings.topics().acks(who.code());
        try {
            producer.send(new ProducerRecord<>(topic, id, ack.toString())).get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            LOG.warn("console: cannot write an acknowledgement to {}", topic, e);
            throw new Refused(503, "the acknowledgement could not be written to " + topic + "; try again");
        }
        json(ctx, JSON.createObjectNode().put("topic", topic).set("ack", ack));
    }

    private static String required(String value, String name) {
        if (value == null || value.isBlank()) {
            throw new Refused(400, name + " is missing");
        }
        return value;
    }

    // ---------------------------------------------------------------------------------------------
    // live updates (server-sent events)

    private void subscribe(SseClient client) {
        Principal who = principal(client.ctx());
        client.keepAlive();
        client.onClose(() -> clients.remove(client));
        clients.put(client, who);
        send(client, who);
    }

    /** Four times a second, when records changed the board: every page gets its new view. */
    private void push() {
        try {
            if (board.drain().any()) {
                clients.forEach(this::send);
            }
        } catch (RuntimeException e) {
            LOG.warn("console: pushing updates failed", e);
        }
    }

    /** Once a second: the event time now, for the SLA countdowns. */
    private void tick() {
        String now = JSON.createObjectNode().put("now", now()).toString();
        clients.keySet().forEach(c -> send(c, "clock", now));
    }

    private void send(SseClient client, Principal who) {
        send(client, "view", board.view(who, now()).toString());
    }

    /** One event to one page; the push thread and a page's own request may both write to it. */
    private static void send(SseClient client, String event, String data) {
        synchronized (client) {
            if (!client.terminated()) {
                client.sendEvent(event, data);
            }
        }
    }

    // ---------------------------------------------------------------------------------------------

    private static void json(Context ctx, JsonNode body) {
        ctx.contentType("application/json; charset=utf-8").result(body.toString());
    }

    private static ObjectNode error(String message) {
        return JSON.createObjectNode().put("error", message);
    }

    private static void asset(Context ctx, String name, String type) {
        try (InputStream in = ConsoleServer.class.getResourceAsStream("/console/" + name)) {
            if (in == null) {
                throw new Refused(404, "no " + name);
            }
            ctx.contentType(type).result(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private String randomId() {
        byte[] b = new byte[24];
        random.nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    private static boolean constantTimeEquals(String expected, String given) {
        return given != null && MessageDigest.isEqual(
                expected.getBytes(StandardCharsets.UTF_8), given.getBytes(StandardCharsets.UTF_8));
    }
}
