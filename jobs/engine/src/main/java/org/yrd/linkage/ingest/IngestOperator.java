package org.yrd.linkage.ingest;

import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.api.common.state.BroadcastState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.runtime.state.StateSnapshotContext;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.operators.TwoInputStreamOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.watermarkstatus.WatermarkStatus;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.yrd.linkage.runtime.EngineMetrics;
import org.yrd.linkage.runtime.Outputs;
import org.yrd.linkage.runtime.RawRecord;
import org.yrd.linkage.runtime.RecordFailures;
import org.yrd.linkage.runtime.RulePacks;
import org.yrd.linkage.ident.IdentifierKey;
import org.yrd.linkage.model.AlertAck;
import org.yrd.linkage.model.DeadLetter;
import org.yrd.linkage.model.DeadLetter.Reason;
import org.yrd.linkage.model.EmergencyCall;
import org.yrd.linkage.model.Event;
import org.yrd.linkage.model.FraudReport;
import org.yrd.linkage.model.SensorReading;
import org.yrd.linkage.model.StreamKind;
import org.yrd.linkage.region.Region;
import org.yrd.linkage.rules.RulePack;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The first step of every input stream: parse and validate each record,
 * place it in the region, drop what no rule can use (readings under threshold, unused call
 * categories) before any shuffle, and generate the stream's event-time watermark.
 *
 * <p>Its second input is the rule-pack updates (broadcast), so that a changed threshold or call
 * filter applies from the next record on. The pack in force is broadcast state: every subtask
 * holds the same, and Flink gives every subtask a copy on restore, also at a higher parallelism.
 * Where the pack cannot change (replay), it runs with its first input alone, as a one-input
 * operator: Flink then chains it to its source, and records are parsed, placed and filtered in
 * the source's own thread instead of being sent as raw lines to another task.
 *
 * <p>Time is decided here by the stream's {@link StreamClock}: a record stamped ahead of the real
 * time is FUTURE and moves no clock (live mode: more than {@code maxSkew} after the wall clock;
 * replay: a jump that the records after it contradict); a record more than the out-of-orderness
 * bound behind the largest ts taken on time is LATE; the watermark sent downstream trails that ts
 * by the bound. In replay each file is read in order by one subtask, so which records are LATE or
 * FUTURE does not depend on timing or parallelism. Late records are only flagged: the
 * de-duplication step decides, so that a repeated record is counted rather than dead-lettered.
 *
 * <p>Watermarks are sent every {@code interval} of processing time. When the stream has been
 * quiet for {@code quietAfter} and {@code clockAdvance} is set (live mode), the watermark follows
 * the wall clock instead, in steps of {@code quietAfter} ({@link #quietStep}), so that ESC-ACK
 * deadlines fire through quiet periods; records
 * then stamped further back than the bound are LATE. Only records taken on time break the quiet:
 * a stream of FUTURE or LATE records cannot hold the watermark back. Live mode without the wall
 * clock ({@link #idleWhenQuiet}, e.g. a scenario running faster than the wall clock) has no real
 * time to follow: a quiet stream takes the records its clock holds, as at the end of the input,
 * and is marked idle, so that the other streams move the watermark; its next record makes it
 * active again.
 *
 * <p>Identifiers are digested under the deployment's key, which this operator reads from the key
 * file in {@link #open} on the TaskManager: the job graph carries the file's path, never the key.
 */
public final class IngestOperator extends AbstractStreamOperator<Event>
        implements TwoInputStreamOperator<RawRecord, String, Event>, OneInputStreamOperator<RawRecord, Event> {

    private static final int SENSOR_CACHE_SIZE = 100_000;
    /**
     * The pack in force, keyed as in {@link RulePacks#STATE} but named apart from it: earlier
     * versions kept the pack here in a list state of that name, which their savepoints still hold.
     */
    private static final MapStateDescriptor<String, String> PACK_STATE =
            new MapStateDescriptor<>("rule-pack-in-force", Types.STRING, Types.STRING);

    private final StreamKind stream;
    private final RulePacks packs;
    private transient RulePack pack;
    private transient BroadcastState<String, String> packState;
    private transient ListState<RawRecord> heldState;
    private final long boundMillis;
    private final long maxSkewMillis;
    private final long intervalMillis;
    private final long quietAfterMillis;
    private final boolean clockAdvance;
    private final String keyFile;
    private final boolean devKey;

    private transient RecordParser parser;
    private transient Region region;
    private transient Map<String, SensorPlace> sensorCache;
    private transient StreamClock<Placed> clock;
    private transient StreamClock.Verdicts<Placed> verdicts;
    /** Records the clock held when the checkpoint restored from was taken: read again before anything else. */
    private transient List<RawRecord> restored;
    private transient long lastEmittedWatermark;
    private transient long lastRecordAt;
    private boolean idleWhenQuiet;
    /** Marked idle downstream ({@link #idleWhenQuiet}) until the next record. */
    private transient boolean idle;
    private transient Counter in;
    private transient Counter filtered;
    private transient Map<Reason, Counter> deadLetters;
    private transient RecordFailures failures;
    private transient Counter cacheHits;
    private transient Counter cacheMisses;

    private record SensorPlace(double lat, double lon, int city) {}

    /**
     * A record placed in the region, with what it was read from, for the dead letter it may become.
     * The event gets its source (a string made per record) only if it is passed on: most readings are not.
     */
    private record Placed(Event event, RawRecord raw) {}

    /**
     * @param maxSkewMillis how far ahead of the real time a record may be stamped ({@link StreamClock})
     * @param clockAdvance live mode: the wall clock is the real time, and a quiet stream's watermark follows it
     * @param keyFile the identifier key file, read where the operator runs; null with {@code devKey}
     * @param devKey digest identifiers under the published development key instead of a key file
     */
    public IngestOperator(StreamKind stream, RulePack pack, long boundMillis, long maxSkewMillis, long intervalMillis,
                          long quietAfterMillis, boolean clockAdvance, String keyFile, boolean devKey) {
        if ((keyFile != null) == devKey) {
            throw new IllegalArgumentException("exactly one of an identifier key file and the development key, not "
                    + (devKey ? "both" : "neither"));
        }
        this.stream = stream;
        this.packs = new RulePacks(pack);
        this.boundMillis = boundMillis;
        this.maxSkewMillis = maxSkewMillis;
        this.intervalMillis = intervalMillis;
        this.quietAfterMillis = quietAfterMillis;
        this.clockAdvance = clockAdvance;
        this.keyFile = keyFile;
        this.devKey = devKey;
    }

    /**
     * Without the wall clock ({@code clockAdvance} off) in live mode: a stream quiet for
     * {@code quietAfter} takes what its clock holds and is marked idle until its next record.
     * Never in replay, where a stream that is only slow must hold the watermark back.
     */
    public IngestOperator idleWhenQuiet(boolean idleWhenQuiet) {
        this.idleWhenQuiet = idleWhenQuiet;
        return this;
    }

    @Override
    public void initializeState(StateInitializationContext context) throws Exception {
        super.initializeState(context);
        packState = context.getOperatorStateStore().getBroadcastState(PACK_STATE);
        pack = packs.current(packState);
        heldState = context.getOperatorStateStore().getListState(new ListStateDescriptor<>("held-records", TypeInformation.of(RawRecord.class)));
        restored = new ArrayList<>();
        heldState.get().forEach(restored::add);
    }

    @Override
    public void snapshotState(StateSnapshotContext context) throws Exception {
        super.snapshotState(context);
        List<RawRecord> held = new ArrayList<>(restored);
        clock.held().forEach(p -> held.add(p.raw()));
        heldState.update(held);
    }

    /** A new rule pack (validated YAML) from the rules topic: thresholds and call filters follow it. */
    @Override
    public void processElement2(StreamRecord<String> update) throws Exception {
        pack = packs.of(update.getValue());
        packState.put(RulePacks.KEY, update.getValue());
    }

    @Override
    public void open() throws Exception {
        super.open();
        parser = new RecordParser(devKey ? IdentifierKey.development() : IdentifierKey.load(Path.of(keyFile)));
        region = Region.get();
        sensorCache = new LinkedHashMap<>(1024, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, SensorPlace> eldest) {
                return size() > SENSOR_CACHE_SIZE;
            }
        };
        clock = new StreamClock<>(boundMillis, maxSkewMillis, clockAdvance);
        verdicts = new StreamClock.Verdicts<>() {
            @Override
            public void onTime(Placed p) {
                lastRecordAt = getProcessingTimeService().getCurrentProcessingTime();
                if (usable(p.event())) {
                    output.collect(new StreamRecord<>(p.event().withSource(p.raw().source()), p.event().ts()));
                } else {
                    filtered.inc();
                }
            }

            @Override
            public void late(Placed p) {
                if (usable(p.event())) {
                    output.collect(new StreamRecord<>(p.event().withSource(p.raw().source()).asLate(Redaction.raw(p.raw().value())),
                            p.event().ts()));
                } else {
                    deadLetter(Reason.LATE, lateDetail(p.event().ts()), p.raw());
                }
            }

            @Override
            public void future(Placed p, String detail) {
                deadLetter(Reason.FUTURE, detail, p.raw());
            }
        };
        lastEmittedWatermark = Long.MIN_VALUE;
        lastRecordAt = getProcessingTimeService().getCurrentProcessingTime();
        var group = getMetricGroup().addGroup(EngineMetrics.STREAM, stream.name());
        in = group.counter(EngineMetrics.EVENTS_IN);
        filtered = group.counter(EngineMetrics.EVENTS_FILTERED);
        deadLetters = EngineMetrics.deadLetters(getMetricGroup(), stream);
        failures = new RecordFailures("ingest " + stream.baseName(), getMetricGroup()).sharing(stream, deadLetters);
        cacheHits = group.counter(EngineMetrics.CACHE_HITS);
        cacheMisses = group.counter(EngineMetrics.CACHE_MISSES);
        group.gauge(EngineMetrics.CACHE_HIT_RATE, () -> {
            long all = cacheHits.getCount() + cacheMisses.getCount();
            return all == 0 ? 0.0 : (double) cacheHits.getCount() / all;
        });
        group.gauge(EngineMetrics.WATERMARK_LAG, () -> lastEmittedWatermark == Long.MIN_VALUE || lastEmittedWatermark == Long.MAX_VALUE
                ? 0L : getProcessingTimeService().getCurrentProcessingTime() - lastEmittedWatermark);
        scheduleWatermark();
    }

    /** One-input use (no rule updates): as {@link #processElement1}. */
    @Override
    public void processElement(StreamRecord<RawRecord> element) {
        processElement1(element);
    }

    /** Ingests one record; whatever it holds, it never fails the job (see {@link RecordFailures}). */
    @Override
    public void processElement1(StreamRecord<RawRecord> element) {
        readRestored();
        if (idle) {
            idle = false;
            output.emitWatermarkStatus(WatermarkStatus.ACTIVE);
        }
        in.inc();
        RawRecord raw = element.getValue();
        try {
            ingest(raw);
        } catch (RuntimeException | StackOverflowError e) {
            output.collect(Outputs.FAILURES, new StreamRecord<>(failures.deadLetter(e, stream, Redaction.raw(raw.value()), raw.source())));
        }
    }

    private void ingest(RawRecord raw) {
        byte[] bytes = raw.value();
        Object record;
        try {
            record = parser.parse(stream, bytes, bytes.length);
        } catch (Rejected r) {
            deadLetter(r.reason(), r.detail(), raw);
            return;
        }
        Event event;
        try {
            event = place(record);
        } catch (Rejected r) {
            deadLetter(r.reason(), r.detail(), raw);
            return;
        }
        if (event.stream() == StreamKind.ACK && raw.partition() != RawRecord.NO_PARTITION) {
            // Only a province writes its own topic <prefix>alert-acks.<province> (ACLs), so the topic, not the record,
            // says who acknowledges. The detail is not masked: it quotes a province code (schema: NN0000) and a topic name.
            String topicProvince = raw.origin().substring(raw.origin().lastIndexOf('.') + 1);
            if (!event.ack().province().equals(topicProvince)) {
                deadLetter(Reason.FORBIDDEN, "province " + event.ack().province() + " acknowledged on " + raw.origin()
                        + ", which only province " + topicProvince + " writes", raw);
                return;
            }
        }
        clock.offer(event.ts(), new Placed(event, raw), getProcessingTimeService().getCurrentProcessingTime(), verdicts);
    }

    /** Offers the records held at the checkpoint again, as if read anew (the clock restarts with the job). */
    private void readRestored() {
        if (!restored.isEmpty()) {
            List<RawRecord> again = restored;
            restored = new ArrayList<>();
            again.forEach(this::ingest);
        }
    }

    /** The record as an event placed in the region, without its source yet (see {@link Placed}). */
    private Event place(Object record) throws Rejected {
        if (record instanceof SensorReading r) {
            return Event.sensor(r, sensorCity(r), null);
        }
        if (record instanceof EmergencyCall c) {
            return Event.call(c, city(c.cityCode(), c.lat(), c.lon()), null);
        }
        if (record instanceof FraudReport f) {
            int city = region.cityOfCode(f.cityCode());
            if (city == 0) {
                throw new Rejected(Reason.UNKNOWN_CITY, "cityCode " + f.cityCode() + " is in none of the 41 cities");
            }
            return Event.fraud(f, city, null);
        }
        return Event.ack((AlertAck) record, null);
    }

    /**
     * A sensor's city. A cityCode is read as it stands (a few digit checks, cheaper than any cache);
     * a place given by lat/lon alone is resolved once per sensor by point-in-polygon (and again only
     * if the sensor reports another place).
     */
    private int sensorCity(SensorReading r) throws Rejected {
        if (r.cityCode() != null) {
            return city(r.cityCode(), r.lat(), r.lon());
        }
        SensorPlace p = sensorCache.get(r.sensorId());
        if (p != null && p.lat == r.lat() && p.lon == r.lon()) {
            cacheHits.inc();
            if (p.city == 0) {
                throw unplaced(null);
            }
            return p.city;
        }
        cacheMisses.inc();
        int city = region.cityAt(r.lat(), r.lon());
        sensorCache.put(r.sensorId(), new SensorPlace(r.lat(), r.lon(), city));
        if (city == 0) {
            throw unplaced(null);
        }
        return city;
    }

    private int city(String cityCode, double lat, double lon) throws Rejected {
        int city = cityCode != null ? region.cityOfCode(cityCode) : region.cityAt(lat, lon);
        if (city == 0) {
            throw unplaced(cityCode);
        }
        return city;
    }

    private static Rejected unplaced(String cityCode) {
        return cityCode != null
                ? new Rejected(Reason.UNKNOWN_CITY, "cityCode " + cityCode + " is in none of the 41 cities")
                : new Rejected(Reason.OUT_OF_REGION, "lat/lon lie in none of the 41 cities");
    }

    private boolean usable(Event e) {
        switch (e.stream()) {
            case SENSOR:
                return pack.usesReading(e.sensor().kind(), e.sensor().value());
            case CALL:
                return pack.usesCall(e.call().category());
            default:
                return true;
        }
    }

    private String lateDetail(long ts) {
        return "ts " + ts + " is more than " + boundMillis + " ms behind the stream's latest ts " + clock.latest();
    }

    private void deadLetter(Reason reason, String detail, RawRecord raw) {
        deadLetters.get(reason).inc();
        output.collect(Outputs.DEAD_LETTERS, new StreamRecord<>(new DeadLetter(
                stream, reason, detail, Redaction.raw(raw.value()), System.currentTimeMillis(), raw.source())));
    }

    private void scheduleWatermark() {
        long now = getProcessingTimeService().getCurrentProcessingTime();
        getProcessingTimeService().registerTimer(now + intervalMillis, this::onWatermarkTimer);
    }

    /**
     * Where a quiet stream's clock follows the wall clock to: {@code wall} rounded down to a whole
     * {@code step} of epoch time. Every quiet stream in every subtask then moves at the same
     * instants, once a step, so the watermark of an operator that waits for all of them moves once
     * a step too, instead of once for each of them every interval: through a quiet period the
     * watermarks and what each operator does on one (timers, the rules' commits) were a third of
     * what an idle job spent besides the JIT (BENCHMARKS.md, "Idle"). A deadline then fires up to
     * one step later, against the out-of-orderness bound it waits for anyway.
     */
    static long quietStep(long wall, long step) {
        return step <= 0 ? wall : wall - Math.floorMod(wall, step);
    }

    private void onWatermarkTimer(long scheduledAt) {
        long now = getProcessingTimeService().getCurrentProcessingTime();
        boolean quiet = now - lastRecordAt >= quietAfterMillis;
        if (clockAdvance && quiet) {
            clock.follow(quietStep(now - quietAfterMillis, quietAfterMillis));
        }
        boolean goIdle = !clockAdvance && idleWhenQuiet && quiet && !idle && lastEmittedWatermark != Long.MAX_VALUE;
        if (goIdle) {
            clock.end(verdicts);
        }
        if (clock.latest() != StreamClock.NONE) {
            long wm = clock.latest() - boundMillis - 1;
            if (wm > lastEmittedWatermark) {
                lastEmittedWatermark = wm;
                output.emitWatermark(new Watermark(wm));
            }
        }
        if (goIdle) {
            idle = true;
            output.emitWatermarkStatus(WatermarkStatus.IDLE);
        }
        scheduleWatermark();
    }

    @Override
    public void processWatermark(Watermark mark) {
        processWatermark1(mark);
    }

    @Override
    public void processWatermark1(Watermark mark) {
        // The source's only watermark is the final one at the end of bounded input.
        if (mark.getTimestamp() == Long.MAX_VALUE) {
            readRestored();
            clock.end(verdicts);
            lastEmittedWatermark = Long.MAX_VALUE;
            output.emitWatermark(mark);
        }
    }

    @Override
    public void processWatermark2(Watermark mark) {
        // rule updates carry no event time
    }

    @Override
    public void processWatermarkStatus(WatermarkStatus status) {
        // whether this stream is idle is decided here (idleWhenQuiet), not by its source
    }

    @Override
    protected void processWatermarkStatus(WatermarkStatus status, int input) {
        // nor by the rule updates
    }
}
