package org.yrd.linkage.console;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.yrd.linkage.live.LiveJob;
import org.yrd.linkage.live.Topics;
import org.yrd.linkage.model.StreamKind;
import org.yrd.linkage.rules.RulePack;
import org.yrd.linkage.runtime.EngineOptions;
import org.yrd.linkage.testing.KafkaBroker;
import org.yrd.linkage.testing.Ticks;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The console in a real browser (Debian's headless Chromium through chromedriver) against the real
 * broker and engine: a duty officer of Jiangsu sees a cross-border chain within seconds, confirms
 * it, and the answer is on Jiangsu's own topic; Zhejiang stays silent and is escalated, Jiangsu is
 * not; Zhejiang cannot open an alert addressed only to Jiangsu (403); an alert summary holding
 * markup is shown as text; the centre sees the escalation and the same rule-feedback figures as
 * the rule-feedback topic.
 *
 * <p>As in the demo, the scenario runs 20 times faster than the wall clock and in the past (an
 * hour boundary falls a minute in, so the hour's feedback is published during the test), with
 * watermarks following the records only: a ticker keeps every input stream moving, so the 5-minute
 * SLA of the default rule pack expires 15 s after the alert.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class ConsoleBrowserTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final double SPEED = 20;
    private static final String JIANGSU = "jiangsu-browser-token-0001";
    private static final String ZHEJIANG = "zhejiang-browser-token-0001";
    private static final String CENTRE = "centre-browser-token-0001";
    private static final String CHAIN = "INC-CASCADE:b-s1";
    private static final String JIANGSU_ONLY = "INC-CLUSTER:planted-9";
    private static final String MARKUP = "<script>window.pwned=1</script><img src=x onerror=\"window.pwned=2\">苏州市";

    private static KafkaBroker kafka;
    private static Topics topics;
    private static JobClient job;
    private static ConsoleServer console;
    private static WebDriver browser;
    private static ScheduledExecutorService ticker;
    private static volatile long wallStart;
    private static volatile long scenarioStart;
    private static long hourBoundary;

    static long scenarioNow() {
        return scenarioStart + (long) ((System.currentTimeMillis() - wallStart) * SPEED);
    }

    @BeforeAll
    static void start(@TempDir Path dir) throws Exception {
        kafka = new KafkaBroker();
        topics = new Topics("b1.");
        Configuration user = new Configuration();
        user.set(EngineOptions.KAFKA_BOOTSTRAP, kafka.bootstrap());
        user.set(EngineOptions.TOPIC_PREFIX, "b1.");
        user.set(EngineOptions.KAFKA_CREATE_TOPICS, true);
        user.set(EngineOptions.KAFKA_START, EngineOptions.StartPosition.EARLIEST);
        user.set(EngineOptions.KAFKA_GROUP, "b1-engine");
        user.set(EngineOptions.IDENTIFIER_DEV_KEY, true);
        user.set(EngineOptions.CLOCK_ADVANCE, false);
        user.set(EngineOptions.OUT_OF_ORDERNESS, Duration.ofSeconds(5));
        user.setString("parallelism.default", "1");
        user.setString("restart-strategy.type", "none");
        user.setString("execution.checkpointing.interval", "5 s");
        user.setString("execution.checkpointing.dir", "file://" + System.getProperty("java.io.tmpdir") + "/checkpoints-" + UUID.randomUUID());
        Configuration conf = LiveJob.withLiveDefaults(user);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(conf);
        LiveJob.prepare(env, conf, RulePack.defaults());
        job = env.executeAsync(LiveJob.JOB_NAME);

        wallStart = System.currentTimeMillis();
        hourBoundary = Math.floorDiv(wallStart, 3_600_000L) * 3_600_000L - 3_600_000L;
        scenarioStart = hourBoundary - 60_000;
        Path tokens = dir.resolve("tokens");
        Files.writeString(tokens, "320000 " + JIANGSU + " 江苏值班员\n330000 " + ZHEJIANG + "\nYRD " + CENTRE + "\n");
        Properties client = new Properties();
        client.put("bootstrap.servers", kafka.bootstrap());
        console = ConsoleServer.start(new ConsoleServer.Settings(client, topics, "127.0.0.1", 0, tokens, RulePack.defaults(),
                Duration.ofDays(1), ConsoleBrowserTest::scenarioNow));

        browser = chromium(dir.resolve("chromium-profile"));
    }

    /** Scenario time starts now, a minute before an hour boundary, and every input stream starts moving with it. */
    static void startScenario() {
        wallStart = System.currentTimeMillis();
        scenarioStart = hourBoundary - 60_000;
        ticker = Executors.newSingleThreadScheduledExecutor();
        AtomicLong n = new AtomicLong();
        // every input stream moves on with the scenario clock
        ticker.scheduleWithFixedDelay(() -> Ticks.moveEveryStreamTo(kafka, topics, scenarioNow(), "tick" + n.incrementAndGet(), "310000"),
                0, 250, TimeUnit.MILLISECONDS);
    }

    static WebDriver chromium(Path profile) {
        File driver = new File("/usr/bin/chromedriver");
        assertThat(driver).as("Debian's chromium-driver (apt-get install -y chromium chromium-driver; .ci/run installs it)").exists();
        ChromeOptions options = new ChromeOptions();
        options.setBinary("/usr/bin/chromium");
        options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--user-data-dir=" + profile, "--window-size=1440,1000", "--lang=zh-CN");
        return new ChromeDriver(new ChromeDriverService.Builder().usingDriverExecutable(driver).usingAnyFreePort().build(), options);
    }

    @AfterAll
    static void stop() throws Exception {
        if (browser != null) {
            browser.quit();
        }
        if (ticker != null) {
            ticker.shutdownNow();
        }
        if (console != null) {
            console.close();
        }
        if (job != null) {
            job.cancel().get();
        }
        kafka.close();
    }

    /** A wait that looks again when the page replaced an element while it was being looked at (a sign-out reloads it). */
    private static WebDriverWait waitUpTo(int seconds) {
        WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(seconds), Duration.ofMillis(100));
        wait.ignoring(StaleElementReferenceException.class);
        return wait;
    }

    private static void signIn(String token) {
        browser.get(console.url());
        waitUpTo(10).until(d -> d.findElement(By.id("token")).isDisplayed());
        browser.findElement(By.id("token")).sendKeys(token);
        browser.findElement(By.id("signin-button")).click();
        waitUpTo(10).until(d -> d.findElement(By.id("app")).isDisplayed() && d.findElement(By.id("live")).getAttribute("class").contains("on"));
    }

    private static void signOut() {
        browser.findElement(By.id("signout")).click();
        waitUpTo(10).until(d -> d.findElement(By.id("token")).isDisplayed());
    }

    private static WebElement row(String alertId) {
        return browser.findElement(By.cssSelector("li.alert-row[data-alert-id='" + alertId + "']"));
    }

    /** What {@code read} gives, read again if the page redrew the element meanwhile (it redraws a row with each update). */
    private static String read(Function<WebDriver, String> read) {
        String[] got = new String[1];
        waitUpTo(10).until(d -> {
            got[0] = read.apply(d);
            return true;
        });
        return got[0];
    }

    private static boolean hasRow(String alertId) {
        return !browser.findElements(By.cssSelector("li.alert-row[data-alert-id='" + alertId + "']")).isEmpty();
    }

    private static String call(String id, long ts, double lat, double lon, String city) {
        return "{\"id\":\"" + id + "\",\"ts\":" + ts + ",\"lat\":" + lat + ",\"lon\":" + lon + ",\"category\":\"FIRE\",\"cityCode\":\"" + city + "\"}";
    }

    @Test
    void aProvinceConfirmsInTheBrowserTheSilentOneIsEscalatedAndTheCentreSeesItAll() throws Exception {
        signIn(JIANGSU);
        assertThat(browser.getPageSource()).doesNotContain(JIANGSU);
        startScenario();

        // a gas breach in Suzhou and fire calls on both sides of the Jiangsu-Zhejiang border
        long t = scenarioNow();
        kafka.produce(topics.input(StreamKind.SENSOR), List.of("{\"id\":\"b-s1\",\"sensorId\":\"GAS-B1\",\"kind\":\"GAS\",\"value\":40,"
                + "\"ts\":" + t + ",\"lat\":30.95,\"lon\":120.60,\"cityCode\":\"320500\"}"));
        kafka.produce(topics.input(StreamKind.CALL), List.of(call("b-c1", t + 1000, 30.94, 120.62, "330500"),
                call("b-c2", t + 2000, 30.96, 120.63, "320500"), call("b-c3", t + 3000, 30.93, 120.65, "330500")));
        long planted = System.currentTimeMillis();
        // an alert addressed to Jiangsu only, whose summary holds markup (the console must show it as text)
        kafka.produce(topics.alerts("320000"), List.of("{\"alertId\":\"" + JIANGSU_ONLY + "\",\"revision\":1,\"msgType\":\"ALERT\","
                + "\"kind\":\"INCIDENT_CHAIN\",\"ruleId\":\"INC-CLUSTER\",\"severity\":\"HIGH\",\"recipient\":\"320000\",\"provinces\":[\"320000\"],"
                + "\"cities\":[\"320500\"],\"evidence\":[{\"stream\":\"CALL\",\"id\":\"x\"}],\"evidenceCount\":1,\"firstEventTs\":" + t
                + ",\"lastEventTs\":" + t + ",\"detectedTs\":" + t + ",\"emittedAt\":" + planted + ",\"references\":[],\"summary\":"
                + JSON.writeValueAsString(MARKUP) + "}"));

        waitUpTo(30).until(d -> hasRow(CHAIN));
        long seenAfter = System.currentTimeMillis() - planted;
        assertThat(seenAfter).as("the alert reaches the open page within seconds (ms)").isLessThan(10_000);
        assertThat(read(d -> row(CHAIN).findElement(By.cssSelector(".sev")).getText())).isEqualTo("CRITICAL");

        waitUpTo(10).until(d -> {
            row(CHAIN).click();
            return true;
        });
        waitUpTo(10).until(d -> CHAIN.equals(d.findElement(By.id("detail")).getAttribute("data-alert-id")));
        assertThat(read(d -> d.findElement(By.id("detail-summary")).getText())).contains("苏州市", "湖州市");
        assertThat(browser.findElements(By.cssSelector("#detail-history tbody tr"))).isNotEmpty();
        assertThat(browser.findElements(By.cssSelector("#map path.city.hit"))).hasSize(2);
        assertThat(browser.findElements(By.cssSelector("#map #marker"))).hasSize(1);
        assertThat(read(d -> d.findElement(By.cssSelector("#detail-sla .chip")).getAttribute("class"))).contains("countdown");

        browser.findElement(By.id("ack-note")).sendKeys("已派员核实");
        browser.findElement(By.cssSelector("button.ack[data-status='CONFIRMED']")).click();
        waitUpTo(10).until(d -> "CONFIRMED".equals(d.findElement(By.id("ack-result")).getAttribute("data-written")));

        List<ConsumerRecord<String, String>> acks = kafka.consumeUntil(List.of(topics.acks("320000")), Duration.ofSeconds(20), r -> !r.isEmpty());
        assertThat(acks).hasSize(1);
        JsonNode ack = JSON.readTree(acks.get(0).value());
        assertThat(ack.path("alertId").asText()).isEqualTo(CHAIN);
        assertThat(ack.path("province").asText()).isEqualTo("320000");
        assertThat(ack.path("status").asText()).isEqualTo("CONFIRMED");
        assertThat(ack.path("operator").asText()).isEqualTo("江苏值班员");
        assertThat(ack.path("note").asText()).isEqualTo("已派员核实");
        assertThat(kafka.readAll(List.of(topics.acks("330000")), Duration.ofSeconds(20))).isEmpty();

        // Zhejiang stays silent: when the SLA has passed in event time, Zhejiang is escalated and Jiangsu is not
        assertThat(kafka.consumeUntil(List.of(topics.alerts("YRD")), Duration.ofSeconds(60),
                r -> r.stream().anyMatch(x -> x.key().equals("ESC-ACK:" + CHAIN + ":330000"))))
                .as("the centre's topic within 60 s").extracting(ConsumerRecord::key).contains("ESC-ACK:" + CHAIN + ":330000");
        Thread.sleep(2_000); // 40 s more of event time: an escalation of Jiangsu at the same deadline would have left too
        List<ConsumerRecord<String, String>> escalated = kafka.readAll(List.of(topics.alerts("YRD")), Duration.ofSeconds(20));
        assertThat(escalated).extracting(ConsumerRecord::key).containsExactly("ESC-ACK:" + CHAIN + ":330000");

        waitUpTo(10).until(d -> "CONFIRMED".equals(row(CHAIN).findElement(By.cssSelector(".chip[data-province='320000']")).getAttribute("data-status")));
        assertThat(read(d -> row(CHAIN).findElement(By.cssSelector(".chip[data-province='320000']")).getAttribute("data-escalated")))
                .isEqualTo("false");
        assertThat(browser.findElements(By.cssSelector("li.alert-row[data-alert-id^='ESC-ACK:']"))).isEmpty();

        // markup in a summary is text
        assertThat(read(d -> row(JIANGSU_ONLY).findElement(By.cssSelector(".summary")).getText())).isEqualTo(MARKUP);
        assertThat(browser.findElements(By.cssSelector("#alerts script, #alerts img"))).isEmpty();
        assertThat(((JavascriptExecutor) browser).executeScript("return window.pwned === undefined")).isEqualTo(true);
        signOut();

        // Zhejiang: its escalation is there, the Jiangsu-only alert is not and cannot be opened
        signIn(ZHEJIANG);
        waitUpTo(10).until(d -> hasRow("ESC-ACK:" + CHAIN + ":330000") && hasRow(CHAIN));
        assertThat(read(d -> row(CHAIN).findElement(By.cssSelector(".chip[data-province='330000']")).getAttribute("data-escalated")))
                .isEqualTo("true");
        assertThat(hasRow(JIANGSU_ONLY)).isFalse();
        browser.get(console.url() + "#alert=" + JIANGSU_ONLY);
        waitUpTo(10).until(d -> "403".equals(d.findElement(By.id("detail-error")).getAttribute("data-status")));
        assertThat(((JavascriptExecutor) browser).executeAsyncScript(
                "const done = arguments[arguments.length - 1]; fetch('/api/alert?id=' + encodeURIComponent(arguments[0])).then(r => done(r.status));",
                JIANGSU_ONLY)).isEqualTo(403L);
        signOut();

        // the centre: escalations first, and the rule-feedback figures exactly as on the topic
        signIn(CENTRE);
        waitUpTo(10).until(d -> !d.findElements(By.cssSelector("#escalations tr[data-alert-id='ESC-ACK:" + CHAIN + ":330000']")).isEmpty());
        assertThat(read(d -> d.findElement(By.cssSelector("#provinces .province[data-province='330000'] .big.bad")).getText())).isEqualTo("1");
        Map<String, List<String>> onTopic = new HashMap<>();
        waitUpTo(60).until(d -> {
            onTopic.clear();
            for (ConsumerRecord<String, String> r : kafka.readAll(List.of(topics.ruleFeedback()), Duration.ofSeconds(20))) {
                onTopic.put(r.key(), figures(r.value()));
            }
            return !onTopic.isEmpty() && onTopic.equals(figuresOnPage());
        });
        assertThat(onTopic).containsKey("INC-CASCADE|" + (hourBoundary - 3_600_000L));
        assertThat(onTopic.get("INC-CASCADE|" + (hourBoundary - 3_600_000L))).startsWith("2", "1", "1", "0", "0");
    }

    /** alerts, acknowledged, confirmed, false alarms, resolved and median time to acknowledge, as the page writes them. */
    private static List<String> figures(String record) {
        JsonNode f;
        try {
            f = JSON.readTree(record);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        JsonNode median = f.path("medianTimeToAckMs");
        long s = median.asLong() / 1000;
        String m = median.isNull() ? "—" : s >= 3600
                ? String.format("%d:%02d:%02d", s / 3600, s % 3600 / 60, s % 60) : String.format("%d:%02d", s / 60, s % 60);
        return List.of(f.path("alerts").asText(), f.path("acknowledged").asText(), f.path("confirmed").asText(),
                f.path("falseAlarms").asText(), f.path("resolved").asText(), m);
    }

    /** The feedback table as the page shows it, read in one script (the page redraws it with every update). */
    @SuppressWarnings("unchecked")
    private static Map<String, List<String>> figuresOnPage() {
        List<List<String>> rows = (List<List<String>>) ((JavascriptExecutor) browser).executeScript(
                "return Array.from(document.querySelectorAll('#feedback tbody tr[data-rule]')).map(tr =>"
                        + " [tr.dataset.rule + '|' + tr.dataset.hour].concat(Array.from(tr.cells).slice(2, 8).map(td => td.textContent)));");
        Map<String, List<String>> page = new HashMap<>();
        for (List<String> r : rows) {
            page.put(r.get(0), r.subList(1, r.size()));
        }
        return page;
    }
}
