package org.yrd.linkage.console;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.flink.configuration.Configuration;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.yrd.linkage.live.KafkaIO;
import org.yrd.linkage.live.Topics;
import org.yrd.linkage.rules.RulePack;
import org.yrd.linkage.runtime.EngineOptions;
import org.yrd.linkage.testing.KafkaBroker;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import static org.yrd.linkage.console.AlertBoardTest.state;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The console's access rules over HTTP, against a real Kafka broker: no valid token, 401; another
 * province's alert, 403; an answer goes to the signed-in province's own topic whatever the request
 * says; session writes need the CSRF token and a same-origin request; the centre reads all and
 * answers nothing. Alert records are planted on the topics as the engine would write them.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class ConsoleServerTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String JIANGSU = "jiangsu-token-0123456789";
    private static final String ZHEJIANG = "zhejiang-token-0123456789";
    private static final String CENTRE = "centre-token-0123456789";
    private static final long NOW = 1_785_542_400_000L;

    private static KafkaBroker kafka;
    private static Topics topics;
    private static ConsoleServer console;
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @BeforeAll
    static void start(@TempDir Path dir) throws Exception {
        kafka = new KafkaBroker();
        topics = new Topics("c1.");
        Configuration conf = new Configuration();
        conf.set(EngineOptions.TOPIC_PREFIX, "c1.");
        Properties client = new Properties();
        client.put("bootstrap.servers", kafka.bootstrap());
        KafkaIO.createTopics(conf, client);
        Path tokens = dir.resolve("tokens.txt");
        Files.writeString(tokens, "# who token operator\n320000 " + JIANGSU + " 值班员 王\n330000 " + ZHEJIANG + "\nYRD " + CENTRE + "\n");
        console = ConsoleServer.start(new ConsoleServer.Settings(client, topics, "127.0.0.1", 0, tokens, RulePack.defaults(),
                Duration.ofDays(7), () -> NOW));
        kafka.produce(topics.alerts("320000"), List.of(
                alert("INC-CASCADE:s-1", 1, "320000", "CRITICAL", "[\"320000\",\"330000\"]"),
                alert("INC-CLUSTER:c-9", 1, "320000", "HIGH", "[\"320000\"]")));
        kafka.produce(topics.alerts("330000"), List.of(alert("INC-CASCADE:s-1", 1, "330000", "CRITICAL", "[\"320000\",\"330000\"]")));
        await(JIANGSU, v -> v.path("alerts").size() == 2);
        await(ZHEJIANG, v -> v.path("alerts").size() == 1);
    }

    @AfterAll
    static void stop() throws Exception {
        console.close();
        kafka.close();
    }

    static String alert(String id, int revision, String recipient, String severity, String provinces) {
        return "{\"alertId\":\"" + id + "\",\"revision\":" + revision + ",\"msgType\":\"ALERT\",\"kind\":\"INCIDENT_CHAIN\",\"ruleId\":\""
                + id.substring(0, id.indexOf(':')) + "\",\"ruleVersion\":\"1\",\"severity\":\"" + severity + "\",\"recipient\":\"" + recipient
                + "\",\"provinces\":" + provinces + ",\"cities\":[\"320500\"],\"evidence\":[{\"stream\":\"SENSOR\",\"id\":\"s-1\"}],"
                + "\"evidenceCount\":1,\"firstEventTs\":" + (NOW - 60_000) + ",\"lastEventTs\":" + (NOW - 10_000) + ",\"detectedTs\":"
                + (NOW - 10_000) + ",\"emittedAt\":" + NOW + ",\"references\":[],\"summary\":\"燃气传感器超限\"}";
    }

    private static HttpResponse<String> get(String path, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(console.url() + path.substring(1))).GET();
        if (headers.length > 0) {
            b.headers(headers);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> post(String path, String body, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(console.url() + path.substring(1)))
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (headers.length > 0) {
            b.headers(headers);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String bearer(String token) {
        return "Bearer " + token;
    }

    private static JsonNode view(String token) throws Exception {
        return JSON.readTree(get("/api/view", "Authorization", bearer(token)).body());
    }

    private static JsonNode await(String token, Predicate<JsonNode> done) throws Exception {
        long end = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        JsonNode v = view(token);
        while (!done.test(v) && System.nanoTime() < end) {
            Thread.sleep(100);
            v = view(token);
        }
        assertThat(done.test(v)).as("view of %s: %s", token, v).isTrue();
        return v;
    }

    @Test
    void requestsWithoutAValidTokenGet401() throws Exception {
        assertThat(get("/api/view").statusCode()).isEqualTo(401);
        assertThat(get("/api/view", "Authorization", bearer("not-a-token-at-all-xx")).statusCode()).isEqualTo(401);
        assertThat(get("/api/alert?id=INC-CASCADE:s-1").statusCode()).isEqualTo(401);
        assertThat(get("/api/events").statusCode()).isEqualTo(401);
        assertThat(get("/api/view", "Cookie", "yrd_console=made-up-session").statusCode()).isEqualTo(401);
        assertThat(post("/login", "token=wrong", "Content-Type", "application/x-www-form-urlencoded").statusCode()).isEqualTo(401);
    }

    @Test
    void aProvinceSeesOnlyTheAlertsAddressedToItAndGets403ForAnotherProvincesAlert() throws Exception {
        assertThat(view(ZHEJIANG).path("alerts")).extracting(a -> a.path("alertId").asText()).containsExactly("INC-CASCADE:s-1");
        assertThat(get("/api/alert?id=INC-CLUSTER:c-9", "Authorization", bearer(ZHEJIANG)).statusCode()).isEqualTo(403);
        assertThat(get("/api/alert?id=INC-CLUSTER:c-9", "Authorization", bearer(JIANGSU)).statusCode()).isEqualTo(200);
        assertThat(get("/api/alert?id=INC-CLUSTER:c-9", "Authorization", bearer(CENTRE)).statusCode()).isEqualTo(200);
        assertThat(get("/api/alert?id=INC-NONE:x", "Authorization", bearer(CENTRE)).statusCode()).isEqualTo(404);
        JsonNode detail = JSON.readTree(get("/api/alert?id=INC-CASCADE:s-1", "Authorization", bearer(ZHEJIANG)).body());
        assertThat(detail.path("provinceStates")).extracting(s -> s.path("province").asText()).containsExactly("330000");
        assertThat(detail.path("provinceStates").path(0).path("deadline").asLong()).as("CRITICAL: 5 min after detection")
                .isEqualTo(NOW - 10_000 + 300_000);
        assertThat(detail.path("mapPoint").isMissingNode()).isTrue();
    }

    @Test
    void anAnswerIsWrittenToTheSignedInProvincesOwnTopicWhateverTheRequestSays() throws Exception {
        HttpResponse<String> r = post("/api/ack", "{\"alertId\":\"INC-CASCADE:s-1\",\"status\":\"CONFIRMED\",\"province\":\"330000\","
                + "\"note\":\"现场核实 13912345678\"}", "Authorization", bearer(JIANGSU), "Content-Type", "application/json");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        List<ConsumerRecord<String, String>> written = kafka.consumeUntil(List.of(topics.acks("320000")), Duration.ofSeconds(20), l -> !l.isEmpty());
        assertThat(written).hasSize(1);
        assertThat(written.get(0).key()).isEqualTo("INC-CASCADE:s-1");
        JsonNode ack = JSON.readTree(written.get(0).value());
        assertThat(ack.path("province").asText()).isEqualTo("320000");
        assertThat(ack.path("status").asText()).isEqualTo("CONFIRMED");
        assertThat(ack.path("ts").asLong()).isEqualTo(NOW);
        assertThat(ack.path("operator").asText()).isEqualTo("值班员 王");
        assertThat(ack.path("note").asText()).isEqualTo("现场核实 139****5678");
        assertThat(kafka.readAll(List.of(topics.acks("330000")), Duration.ofSeconds(20)))
                .allSatisfy(other -> assertThat(JSON.readTree(other.value()).path("province").asText()).isEqualTo("330000"));
        // the console reads its answer back from the topic like any other
        JsonNode v = await(JIANGSU, x -> "CONFIRMED".equals(state(x, "INC-CASCADE:s-1", "320000").path("status").asText()));
        assertThat(state(v, "INC-CASCADE:s-1", "320000").path("firstAckTs").asLong()).isEqualTo(NOW);
        await(CENTRE, x -> "CONFIRMED".equals(state(x, "INC-CASCADE:s-1", "320000").path("status").asText()));
    }

    @Test
    void answersAreRefusedForTheCentreForAnotherProvincesAlertAndForAnUnknownStatus() throws Exception {
        String body = "{\"alertId\":\"INC-CLUSTER:c-9\",\"status\":\"CONFIRMED\"}";
        assertThat(post("/api/ack", body, "Authorization", bearer(CENTRE)).statusCode()).isEqualTo(403);
        assertThat(post("/api/ack", body, "Authorization", bearer(ZHEJIANG)).statusCode()).isEqualTo(403);
        HttpResponse<String> bad = post("/api/ack", "{\"alertId\":\"INC-CLUSTER:c-9\",\"status\":\"DONE\"}", "Authorization", bearer(JIANGSU));
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(bad.body()).path("error").asText())
                .isEqualTo("status 'DONE' is not one of RECEIVED, VERIFYING, CONFIRMED, FALSE_ALARM, RESOLVED");
    }

    @Test
    void aSessionSignsInWithTheTokenOnceAndItsWritesNeedTheCsrfTokenFromTheSameOrigin() throws Exception {
        HttpResponse<String> login = post("/login", "token=" + ZHEJIANG, "Content-Type", "application/x-www-form-urlencoded");
        assertThat(login.statusCode()).isEqualTo(200);
        String setCookie = login.headers().firstValue("Set-Cookie").orElseThrow();
        assertThat(setCookie).contains("HttpOnly", "SameSite=Strict").doesNotContain(ZHEJIANG);
        String cookie = setCookie.substring(0, setCookie.indexOf(';'));
        String csrf = JSON.readTree(login.body()).path("csrf").asText();
        assertThat(JSON.readTree(get("/api/me", "Cookie", cookie).body()).path("who").asText()).isEqualTo("330000");

        String body = "{\"alertId\":\"INC-CASCADE:s-1\",\"status\":\"VERIFYING\"}";
        assertThat(post("/api/ack", body, "Cookie", cookie).statusCode()).as("no CSRF token").isEqualTo(403);
        assertThat(post("/api/ack", body, "Cookie", cookie, "X-CSRF-Token", "guess").statusCode()).as("wrong CSRF token").isEqualTo(403);
        assertThat(post("/api/ack", body, "Cookie", cookie, "X-CSRF-Token", csrf, "Origin", "http://evil.example").statusCode())
                .as("another origin").isEqualTo(403);
        String origin = console.url().substring(0, console.url().length() - 1);
        assertThat(post("/api/ack", body, "Cookie", cookie, "X-CSRF-Token", csrf, "Origin", origin).statusCode()).isEqualTo(200);

        assertThat(post("/api/logout", "", "Cookie", cookie, "X-CSRF-Token", csrf).statusCode()).isEqualTo(200);
        assertThat(get("/api/me", "Cookie", cookie).statusCode()).isEqualTo(401);
    }

    @Test
    void thePageHoldsNoTokenAndAllowsOnlyItsOwnScript() throws Exception {
        HttpResponse<String> page = get("/");
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body()).doesNotContain(JIANGSU, ZHEJIANG, CENTRE).contains("/assets/console.js");
        assertThat(page.headers().firstValue("Content-Security-Policy").orElseThrow()).contains("script-src 'self'").doesNotContain("unsafe");
        HttpResponse<String> script = get("/assets/console.js");
        assertThat(script.body()).doesNotContain("innerHTML", "insertAdjacentHTML", "document.write", "eval(");
        assertThat(get("/assets/map.svg").body()).contains("data-city=\"320500\"");
    }
}
