package org.yrd.linkage.bench;

import org.yrd.linkage.ident.IdentifierKey;
import org.yrd.linkage.model.AckStatus;
import org.yrd.linkage.model.CallCategory;
import org.yrd.linkage.model.FraudType;
import org.yrd.linkage.model.IdentifierType;
import org.yrd.linkage.model.SensorKind;
import org.yrd.linkage.model.StreamKind;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.SplittableRandom;

/**
 * Writes replay input files of a realistic mix, fast (millions of lines a second): about 90%
 * sensor readings (almost all under threshold), 7% 110 calls, 2.5% fraud reports and 0.5%
 * acknowledgements, over an event-time span of about 7 days per 10 M lines, every file in ts order
 * but for a few seconds of jitter. Every record is valid and placed in the region (points are
 * placed once with the engine's own point-in-polygon). Every {@value #CHAIN_EVERY} background
 * records one chain is planted for the rules to find, in rotation INC-CASCADE, INC-SPREAD,
 * INC-CLUSTER, CYB-LINK, CYB-BURST; 60% of them are acknowledged by their provinces. Random
 * background records also form the odd chain (breaches near related calls, reports that share an
 * identifier), as real traffic would. Deterministic for a seed.
 */
public final class MixedStreamGenerator {

    /** Background records between two planted chains. */
    static final int CHAIN_EVERY = 2000;
    /** Event time per generated record: 10 M records span 7 days. */
    static final double MEAN_GAP_MS = 7 * 86_400_000.0 / 10_000_000;
    static final long START_TS = 1_783_612_800_000L;
    static final int FLEET = 20_000;
    static final double BREACH_RATE = 1.0 / 2000;
    static final long MINUTE = 60_000L;

    private static final CallCategory[] CALL_CATEGORIES = {
        CallCategory.OTHER, CallCategory.TRAFFIC_ACCIDENT, CallCategory.PUBLIC_DISORDER, CallCategory.FRAUD,
        CallCategory.VIOLENCE, CallCategory.POLLUTION, CallCategory.FIRE, CallCategory.FLOOD, CallCategory.GAS_LEAK,
        CallCategory.EXPLOSION, CallCategory.MISSING_PERSON, CallCategory.COLLAPSE};
    private static final int[] CALL_WEIGHTS = {27, 17, 12, 10, 8, 6, 6, 5, 3, 2, 2, 2};
    private static final String[] PHONE_HEADS = {"139", "138", "137", "150", "151", "158", "186", "188", "177", "199", "166"};
    private static final AckStatus[] STATUSES = AckStatus.values();
    private static final FraudType[] FRAUD_TYPES = FraudType.values();
    private static final SensorKind[] KINDS = SensorKind.values();
    private static final SensorKind[] CASCADE_KINDS = {SensorKind.GAS, SensorKind.SMOKE, SensorKind.STRUCTURAL, SensorKind.WATER_LEVEL};
    private static final CallCategory[][] CASCADE_CALLS = {
        {CallCategory.GAS_LEAK, CallCategory.FIRE, CallCategory.EXPLOSION}, {CallCategory.FIRE, CallCategory.EXPLOSION},
        {CallCategory.COLLAPSE, CallCategory.EXPLOSION}, {CallCategory.FLOOD}};
    private static final CallCategory[] CLUSTER_CATEGORIES = {CallCategory.TRAFFIC_ACCIDENT, CallCategory.PUBLIC_DISORDER, CallCategory.VIOLENCE};

    /** What was written. */
    public record Summary(Map<StreamKind, Long> lines, long bytes, long planted, long firstTs, long lastTs, double seconds) {
        public long total() {
            return lines.values().stream().mapToLong(Long::longValue).sum();
        }
    }

    private record Sensor(String id, SensorKind kind, Places.Point at, boolean sendsCityCode, double level) {}

    private record Pending(long ts, long seq, StreamKind stream, byte[] line) {}

    private final SplittableRandom rng;
    private final List<Places.Point> pool;
    private final List<Places.BorderPair> borders;
    private final Sensor[] fleet;
    private final int[] cities;
    private final Map<StreamKind, OutputStream> out = new EnumMap<>(StreamKind.class);
    private final Map<StreamKind, Long> counts = new EnumMap<>(StreamKind.class);
    private final PriorityQueue<Pending> queue =
            new PriorityQueue<>(Comparator.comparingLong(Pending::ts).thenComparingLong(Pending::seq));
    private final StringBuilder sb = new StringBuilder(512);
    /** Recently named identifiers (type, value), some of which later reports name again. */
    private final String[][] recentIdents = new String[5000][];
    /** Alert ids (and one of their provinces) of recent planted chains, for background acknowledgements. */
    private final String[] recentAlerts = new String[256];
    private final int[] recentAlertProvinces = new int[256];
    private int recentAlertCount;
    private long recentIdentCount;
    private long seq;
    private long bytes;
    private long readings;
    private long calls;
    private long reports;
    private long planted;
    private long plantedSensors;

    private MixedStreamGenerator(long seed) {
        this.rng = new SplittableRandom(seed);
        SplittableRandom places = new SplittableRandom(seed ^ 0x9E3779B97F4A7C15L);
        this.pool = Places.pool(places, 50_000);
        this.borders = Places.borderPairs(places, 400);
        this.fleet = new Sensor[FLEET];
        for (int i = 0; i < FLEET; i++) {
            SensorKind kind = KINDS[places.nextInt(KINDS.length)];
            fleet[i] = new Sensor("BG-" + Lines.ABBR.get(kind) + "-" + String.format("%06d", i), kind,
                    pool.get(places.nextInt(pool.size())), places.nextDouble() < 0.5, 0.2 + 0.6 * places.nextDouble());
        }
        this.cities = org.yrd.linkage.region.Region.get().cities().keySet().stream().mapToInt(Integer::intValue).toArray();
    }

    /** Writes about {@code events} lines into the four replay files of {@code dir}. */
    public static Summary generate(Path dir, long events, long seed) throws IOException {
        long t0 = System.nanoTime();
        Files.createDirectories(dir);
        MixedStreamGenerator g = new MixedStreamGenerator(seed);
        try {
            for (StreamKind s : List.of(StreamKind.SENSOR, StreamKind.CALL, StreamKind.FRAUD, StreamKind.ACK)) {
                g.out.put(s, new BufferedOutputStream(Files.newOutputStream(dir.resolve(s.baseName() + ".jsonl")), 1 << 20));
                g.counts.put(s, 0L);
            }
            g.run(events);
        } finally {
            for (OutputStream o : g.out.values()) {
                o.close();
            }
        }
        return new Summary(g.counts, g.bytes, g.planted, START_TS, g.lastTs, (System.nanoTime() - t0) / 1e9);
    }

    private long clock = START_TS;
    private long lastTs;

    private void run(long events) throws IOException {
        long step = 0;
        while (written() + queue.size() < events) {
            clock += (long) (-Math.log(1 - rng.nextDouble()) * MEAN_GAP_MS);
            flushDue(clock);
            if (++step % CHAIN_EVERY == 0) {
                plant();
                continue;
            }
            long ts = rng.nextDouble() < 0.1 ? clock - rng.nextInt(3000) : clock;
            double u = rng.nextDouble();
            if (u < 0.9) {
                reading(ts);
            } else if (u < 0.97) {
                backgroundCall(ts);
            } else if (u < 0.995) {
                backgroundReport(ts);
            } else {
                backgroundAck(ts);
            }
        }
        flushDue(Long.MAX_VALUE);
    }

    private long written() {
        long n = 0;
        for (long c : counts.values()) {
            n += c;
        }
        return n;
    }

    // ---------------------------------------------------------------------------------------------
    // background

    private void reading(long ts) throws IOException {
        Sensor s = fleet[rng.nextInt(fleet.length)];
        double threshold = Lines.THRESHOLD.get(s.kind());
        double value = rng.nextDouble() < BREACH_RATE
                ? threshold * (1.05 + 0.5 * rng.nextDouble())
                : threshold * s.level() * (0.9 + 0.2 * rng.nextDouble());
        sb.setLength(0);
        Lines.sensor(sb, readingId(), s.id(), s.kind(), value, ts, s.at().lat(), s.at().lon(), s.sendsCityCode() ? s.at().city() : 0);
        write(StreamKind.SENSOR, sb);
    }

    private void backgroundCall(long ts) throws IOException {
        int w = rng.nextInt(100);
        int i = 0;
        while (w >= CALL_WEIGHTS[i]) {
            w -= CALL_WEIGHTS[i++];
        }
        callLine(callId(), ts, pool.get(rng.nextInt(pool.size())), CALL_CATEGORIES[i]);
        write(StreamKind.CALL, sb);
    }

    private void callLine(String id, long ts, Places.Point p, CallCategory category) {
        sb.setLength(0);
        Lines.call(sb, id, ts, p.lat(), p.lon(), rng.nextDouble() < 0.7 ? p.city() : 0, category,
                rng.nextDouble() < 0.6 ? rng.nextLong() | 1 : 0, rng.nextDouble() < 0.5 ? Lines.TEXT.get(category) : null);
    }

    private void backgroundReport(long ts) throws IOException {
        int n = 1 + rng.nextInt(3);
        String[] idents = new String[2 * n];
        for (int i = 0; i < n; i++) {
            String[] ident = i == 0 && recentIdentCount > 0 && rng.nextDouble() < 0.03
                    ? recentIdents[(int) (rng.nextLong(Math.min(recentIdentCount, recentIdents.length)))]
                    : freshIdentifier();
            idents[2 * i] = ident[0];
            idents[2 * i + 1] = ident[1];
        }
        reportLine(reportId(), ts, cities[rng.nextInt(cities.length)], idents);
        write(StreamKind.FRAUD, sb);
    }

    private void reportLine(String id, long ts, int city, String[] idents) {
        sb.setLength(0);
        Lines.fraud(sb, id, ts, city, FRAUD_TYPES[rng.nextInt(FRAUD_TYPES.length)].name(), amount(), idents);
    }

    private void backgroundAck(long ts) throws IOException {
        if (recentAlertCount == 0) {
            return;
        }
        int i = rng.nextInt(Math.min(recentAlertCount, recentAlerts.length));
        sb.setLength(0);
        Lines.ack(sb, recentAlerts[i], recentAlertProvinces[i], ts, STATUSES[rng.nextInt(STATUSES.length)].name(),
                rng.nextDouble() < 0.5 ? "op-" + rng.nextInt(1000) : null);
        write(StreamKind.ACK, sb);
    }

    // ---------------------------------------------------------------------------------------------
    // planted chains: their events are queued with their own timestamps and written when due

    private void plant() {
        planted++;
        long t = clock;
        String alertId;
        int[] provinces;
        long done;
        switch ((int) (planted % 5)) {
            case 0: { // INC-CASCADE: a breach, then 3 related calls within 3 km
                int k = rng.nextInt(CASCADE_KINDS.length);
                Places.Point site = pool.get(rng.nextInt(pool.size()));
                String breach = breach(CASCADE_KINDS[k], site, t);
                long[] at = offsets(3, MINUTE, 12 * MINUTE);
                int[] prov = {site.province()};
                for (long o : at) {
                    Places.Point p = Places.near(rng, site, 0.3, 3);
                    CallCategory[] cats = CASCADE_CALLS[k];
                    callLine(callId(), t + o, p, cats[rng.nextInt(cats.length)]);
                    enqueue(t + o, StreamKind.CALL);
                    prov = addProvince(prov, p.province());
                }
                alertId = "INC-CASCADE:" + breach;
                provinces = prov;
                done = t + at[2];
                break;
            }
            case 1: { // INC-SPREAD: the same kind breaching on both sides of a provincial border
                Places.BorderPair pair = borders.get(rng.nextInt(borders.size()));
                SensorKind kind = KINDS[rng.nextInt(KINDS.length)];
                String first = breach(kind, pair.a(), t);
                long later = t + 5 * MINUTE + rng.nextLong(35 * MINUTE);
                breach(kind, pair.b(), later);
                alertId = "INC-SPREAD:" + first;
                provinces = new int[] {pair.a().province(), pair.b().province()};
                done = later;
                break;
            }
            case 2: { // INC-CLUSTER: 5 calls of one category, 3 on one side of a border and 2 on the other
                Places.BorderPair pair = borders.get(rng.nextInt(borders.size()));
                CallCategory cat = CLUSTER_CATEGORIES[rng.nextInt(CLUSTER_CATEGORIES.length)];
                long[] at = offsets(5, 0, 15 * MINUTE);
                String first = null;
                for (int i = 0; i < 5; i++) {
                    Places.Point p = Places.near(rng, i < 3 ? pair.a() : pair.b(), 0.1, 1.5);
                    String id = callId();
                    first = first == null ? id : first;
                    callLine(id, t + at[i], p, cat);
                    enqueue(t + at[i], StreamKind.CALL);
                }
                alertId = "INC-CLUSTER:" + first;
                provinces = new int[] {pair.a().province(), pair.b().province()};
                done = t + at[4];
                break;
            }
            case 3: { // CYB-LINK: two reports in different provinces naming one phone, spelled differently
                String phone = PHONE_HEADS[rng.nextInt(PHONE_HEADS.length)] + digits(8);
                int a = cities[rng.nextInt(cities.length)];
                int b = otherProvinceCity(a);
                String first = reportId();
                String[] fa = freshIdentifier();
                reportLine(first, t, a, new String[] {"PHONE", phone, fa[0], fa[1]});
                enqueue(t, StreamKind.FRAUD);
                long later = t + 10 * MINUTE + rng.nextLong(110 * MINUTE);
                reportLine(reportId(), later, b, new String[] {"PHONE", "+86 " + phone.substring(0, 3) + "-" + phone.substring(3, 7) + "-" + phone.substring(7)});
                enqueue(later, StreamKind.FRAUD);
                alertId = "CYB-LINK:" + first;
                provinces = new int[] {a / 10000 * 10000, b / 10000 * 10000};
                done = later;
                break;
            }
            default: { // CYB-BURST: 5 reports naming one bank account within 40 minutes
                String account = "6222" + digits(12);
                long[] at = offsets(5, 0, 40 * MINUTE);
                String first = null;
                int[] prov = new int[0];
                for (int i = 0; i < 5; i++) {
                    int city = cities[rng.nextInt(cities.length)];
                    String id = reportId();
                    first = first == null ? id : first;
                    reportLine(id, t + at[i], city, new String[] {"BANK_ACCOUNT", i % 2 == 0 ? account : account.substring(0, 4) + " " + account.substring(4)});
                    enqueue(t + at[i], StreamKind.FRAUD);
                    prov = addProvince(prov, city / 10000 * 10000);
                }
                alertId = "CYB-BURST:" + first + ":BANK_ACCOUNT-" + IdentifierKey.development().digest(IdentifierType.BANK_ACCOUNT, account).substring(0, 12);
                provinces = prov;
                done = t + at[4];
                break;
            }
        }
        recentAlerts[recentAlertCount % recentAlerts.length] = alertId;
        recentAlertProvinces[recentAlertCount % recentAlerts.length] = provinces[0];
        recentAlertCount++;
        if (rng.nextDouble() < 0.6) {
            for (int p : provinces) {
                long ts = done + MINUTE + rng.nextLong(3 * MINUTE);
                sb.setLength(0);
                Lines.ack(sb, alertId, p, ts, "RECEIVED", "op-" + rng.nextInt(1000));
                enqueue(ts, StreamKind.ACK);
            }
        }
    }

    private String breach(SensorKind kind, Places.Point at, long ts) {
        String sensorId = "PL-" + Lines.ABBR.get(kind) + "-" + (++plantedSensors);
        String id = readingId();
        sb.setLength(0);
        Lines.sensor(sb, id, sensorId, kind, Lines.THRESHOLD.get(kind) * (1.1 + 0.5 * rng.nextDouble()), ts, at.lat(), at.lon(), at.city());
        enqueue(ts, StreamKind.SENSOR);
        return id;
    }

    private int otherProvinceCity(int city) {
        while (true) {
            int c = cities[rng.nextInt(cities.length)];
            if (c / 10000 != city / 10000) {
                return c;
            }
        }
    }

    private static int[] addProvince(int[] provinces, int p) {
        for (int q : provinces) {
            if (q == p) {
                return provinces;
            }
        }
        int[] more = Arrays.copyOf(provinces, provinces.length + 1);
        more[provinces.length] = p;
        return more;
    }

    private long[] offsets(int n, long min, long max) {
        long[] o = new long[n];
        for (int i = 0; i < n; i++) {
            o[i] = min + rng.nextLong(max - min);
        }
        Arrays.sort(o);
        for (int i = 1; i < n; i++) {
            o[i] = Math.max(o[i], o[i - 1] + 1000);
        }
        return o;
    }

    // ---------------------------------------------------------------------------------------------
    // output

    private void enqueue(long ts, StreamKind stream) {
        queue.add(new Pending(ts, seq++, stream, sb.append('\n').toString().getBytes(StandardCharsets.UTF_8)));
    }

    private void flushDue(long until) throws IOException {
        while (!queue.isEmpty() && queue.peek().ts() <= until) {
            Pending p = queue.poll();
            writeBytes(p.stream(), p.line(), p.ts());
        }
    }

    private void write(StreamKind stream, StringBuilder line) throws IOException {
        line.append('\n');
        writeBytes(stream, line.toString().getBytes(StandardCharsets.UTF_8), clock);
    }

    private void writeBytes(StreamKind stream, byte[] line, long ts) throws IOException {
        out.get(stream).write(line);
        counts.merge(stream, 1L, Long::sum);
        bytes += line.length;
        lastTs = Math.max(lastTs, ts);
    }

    // ---------------------------------------------------------------------------------------------
    // ids and values

    private String readingId() {
        sb2.setLength(0);
        sb2.append("s-");
        Lines.padded(sb2, ++readings, 9);
        return sb2.toString();
    }

    private String callId() {
        sb2.setLength(0);
        sb2.append("c-");
        Lines.padded(sb2, ++calls, 8);
        return sb2.toString();
    }

    private String reportId() {
        sb2.setLength(0);
        sb2.append("f-");
        Lines.padded(sb2, ++reports, 8);
        return sb2.toString();
    }

    private final StringBuilder sb2 = new StringBuilder(32);

    private String[] freshIdentifier() {
        String[] ident;
        switch (rng.nextInt(8)) {
            case 0: case 1: ident = new String[] {IdentifierType.PHONE.name(), PHONE_HEADS[rng.nextInt(PHONE_HEADS.length)] + digits(8)}; break;
            case 2: case 3: ident = new String[] {IdentifierType.BANK_ACCOUNT.name(), "6228" + digits(12 + rng.nextInt(4))}; break;
            case 4: ident = new String[] {IdentifierType.PAYMENT_ACCOUNT.name(), "alipay_" + digits(10)}; break;
            case 5: ident = new String[] {IdentifierType.URL.name(), "https://invest-" + letters(8) + ".top/"}; break;
            case 6: ident = new String[] {IdentifierType.IM_ACCOUNT.name(), "wxid_" + letters(12)}; break;
            default: ident = new String[] {IdentifierType.DEVICE.name(), "IMEI" + digits(15)}; break;
        }
        recentIdents[(int) (recentIdentCount++ % recentIdents.length)] = ident;
        return ident;
    }

    private String digits(int n) {
        char[] c = new char[n];
        for (int i = 0; i < n; i++) {
            c[i] = (char) ('0' + rng.nextInt(10));
        }
        return new String(c);
    }

    private String letters(int n) {
        String alphabet = "abcdefghjkmnpqrstuvwxyz23456789";
        char[] c = new char[n];
        for (int i = 0; i < n; i++) {
            c[i] = alphabet.charAt(rng.nextInt(alphabet.length()));
        }
        return new String(c);
    }

    private double amount() {
        double u = rng.nextDouble();
        return u < 0.5 ? 200 + rng.nextDouble() * 4800 : u < 0.9 ? 5000 + rng.nextDouble() * 75000 : 80000 + rng.nextDouble() * 220000;
    }

    /** For tests: the lines of a small generated set, by stream. */
    static Map<StreamKind, List<String>> read(Path dir) throws IOException {
        Map<StreamKind, List<String>> lines = new EnumMap<>(StreamKind.class);
        for (StreamKind s : List.of(StreamKind.SENSOR, StreamKind.CALL, StreamKind.FRAUD, StreamKind.ACK)) {
            Path f = dir.resolve(s.baseName() + ".jsonl");
            lines.put(s, Files.exists(f) ? Files.readAllLines(f, StandardCharsets.UTF_8) : new ArrayList<>());
        }
        return lines;
    }
}
