package org.yrd.linkage.ingest;

import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.streaming.api.operators.TwoInputStreamOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.yrd.linkage.runtime.EngineMetrics;
import org.yrd.linkage.runtime.Outputs;
import org.yrd.linkage.runtime.RawRecord;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The first step of every input stream: parse and validate each record,
 * place it in the region, drop what no rule can use (readings under threshold, unused call
 * categories) before any shuffle, and generate the stream's event-time watermark.
 *
 * <p>Its second input is the rule-pack updates (broadcast), so that a changed threshold or call
 * filter applies from the next record on.
 *
 * <p>Lateness is decided here, against the largest ts this subtask has seen of its stream minus
 * the out-of-orderness bound, and the watermark sent downstream is never ahead of that bound. In
 * replay each file is read in order by one subtask, so which records are LATE does not depend on
 * timing or parallelism. Late records are only flagged: the de-duplication step decides, so that a
 * repeated record is counted rather than dead-lettered.
 *
 * <p>Watermarks are sent every {@code interval} of processing time. When the stream has been
 * quiet for {@code quietAfter} and {@code clockAdvance} is set (live mode), the watermark follows
 * the wall clock instead, so that ESC-ACK deadlines fire on time through quiet periods; records
 * then stamped further back than the bound are LATE.
 *
 * <p>Identifiers are digested under the deployment's key, which this operator reads from the key
 * file in {@link #open} on the TaskManager: the job graph carries the file's path, never the key.
 */
public final class IngestOperator extends AbstractStreamOperator<Event> implements TwoInputStreamOperator<RawRecord, String, Event> {

    private static final int SENSOR_CACHE_SIZE = 100_000;

    private final StreamKind stream;
    private final RulePacks packs;
    private transient RulePack pack;
    private transient ListState<String> packState;
    private final long boundMillis;
    private final long intervalMillis;
    private final long quietAfterMillis;
    private final boolean clockAdvance;
    private final String keyFile;
    private final boolean devKey;

    private transient RecordParser parser;
    private transient Region region;
    private transient Map<String, SensorPlace> sensorCache;
    private transient long maxTs;
    private transient long lastEmittedWatermark;
    private transient long lastRecordAt;
    private transient Counter in;
    private transient Counter filtered;
    private transient Map<Reason, Counter> deadLetters;
    private transient Counter cacheHits;
    private transient Counter cacheMisses;

    private record SensorPlace(double lat, double lon, String cityCode, int city) {}

    /**
     * @param keyFile the identifier key file, read where the operator runs; null with {@code devKey}
     * @param devKey digest identifiers under the published development key instead of a key file
     */
    public IngestOperator(StreamKind stream, RulePack pack, long boundMillis, long intervalMillis,
                          long quietAfterMillis, boolean clockAdvance, String keyFile, boolean devKey) {
        if ((keyFile != null) == devKey) {
            throw new IllegalArgumentException("exactly one of an identifier key file and the development key, not "
                    + (devKey ? "both" : "neither"));
        }
        this.stream = stream;
        this.packs = new RulePacks(pack);
        this.boundMillis = boundMillis;
        this.intervalMillis = intervalMillis;
        this.quietAfterMillis = quietAfterMillis;
        this.clockAdvance = clockAdvance;
        this.keyFile = keyFile;
        this.devKey = devKey;
    }

    @Override
    public void initializeState(StateInitializationContext context) throws Exception {
        super.initializeState(context);
        packState = context.getOperatorStateStore().getListState(new ListStateDescriptor<>("rule-pack", Types.STRING));
        pack = packs.initial();
        for (String yaml : packState.get()) {
            pack = packs.of(yaml);
        }
    }

    /** A new rule pack (validated YAML) from the rules topic: thresholds and call filters follow it. */
    @Override
    public void processElement2(StreamRecord<String> update) throws Exception {
        pack = packs.of(update.getValue());
        packState.update(List.of(update.getValue()));
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
        maxTs = Long.MIN_VALUE;
        lastEmittedWatermark = Long.MIN_VALUE;
        lastRecordAt = getProcessingTimeService().getCurrentProcessingTime();
        var group = getMetricGroup().addGroup(EngineMetrics.STREAM, stream.name());
        in = group.counter(EngineMetrics.EVENTS_IN);
        filtered = group.counter(EngineMetrics.EVENTS_FILTERED);
        deadLetters = EngineMetrics.deadLetters(getMetricGroup(), stream);
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

    @Override
    public void processElement1(StreamRecord<RawRecord> element) {
        RawRecord raw = element.getValue();
        byte[] bytes = raw.value();
        in.inc();
        lastRecordAt = getProcessingTimeService().getCurrentProcessingTime();
        Object record;
        try {
            record = parser.parse(stream, bytes, bytes.length);
        } catch (Rejected r) {
            deadLetter(r.reason(), r.detail(), raw);
            return;
        }
        Event event;
        try {
            event = place(record, raw);
        } catch (Rejected r) {
            deadLetter(r.reason(), r.detail(), raw);
            return;
        }
        boolean late = maxTs != Long.MIN_VALUE && event.ts() < maxTs - boundMillis;
        if (!late) {
            maxTs = Math.max(maxTs, event.ts());
        }
        if (!usable(event)) {
            if (late) {
                deadLetter(Reason.LATE, lateDetail(event.ts()), raw);
            } else {
                filtered.inc();
            }
            return;
        }
        output.collect(new StreamRecord<>(late ? event.asLate(Redaction.raw(bytes)) : event, event.ts()));
    }

    private Event place(Object record, RawRecord raw) throws Rejected {
        String source = raw.source();
        if (record instanceof SensorReading r) {
            return Event.sensor(r, sensorCity(r), source);
        }
        if (record instanceof EmergencyCall c) {
            return Event.call(c, city(c.cityCode(), c.lat(), c.lon()), source);
        }
        if (record instanceof FraudReport f) {
            int city = region.cityOfCode(f.cityCode());
            if (city == 0) {
                throw new Rejected(Reason.UNKNOWN_CITY, "cityCode " + f.cityCode() + " is in none of the 41 cities");
            }
            return Event.fraud(f, city, source);
        }
        return Event.ack((AlertAck) record, source);
    }

    /** A sensor's city, resolved once per sensor (and again only if it reports another place). */
    private int sensorCity(SensorReading r) throws Rejected {
        SensorPlace p = sensorCache.get(r.sensorId());
        if (p != null && p.lat == r.lat() && p.lon == r.lon() && Objects.equals(p.cityCode, r.cityCode())) {
            cacheHits.inc();
            if (p.city == 0) {
                throw unplaced(r.cityCode());
            }
            return p.city;
        }
        cacheMisses.inc();
        int city = r.cityCode() != null ? region.cityOfCode(r.cityCode()) : region.cityAt(r.lat(), r.lon());
        sensorCache.put(r.sensorId(), new SensorPlace(r.lat(), r.lon(), r.cityCode(), city));
        if (city == 0) {
            throw unplaced(r.cityCode());
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
        return "ts " + ts + " is more than " + boundMillis + " ms behind the stream's latest ts " + maxTs;
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

    private void onWatermarkTimer(long scheduledAt) {
        long now = getProcessingTimeService().getCurrentProcessingTime();
        if (clockAdvance && now - lastRecordAt >= quietAfterMillis) {
            maxTs = Math.max(maxTs, now - quietAfterMillis);
        }
        if (maxTs != Long.MIN_VALUE) {
            long wm = maxTs - boundMillis - 1;
            if (wm > lastEmittedWatermark) {
                lastEmittedWatermark = wm;
                output.emitWatermark(new Watermark(wm));
            }
        }
        scheduleWatermark();
    }

    @Override
    public void processWatermark1(Watermark mark) {
        // The source's only watermark is the final one at the end of bounded input.
        if (mark.getTimestamp() == Long.MAX_VALUE) {
            lastEmittedWatermark = Long.MAX_VALUE;
            output.emitWatermark(mark);
        }
    }

    @Override
    public void processWatermark2(Watermark mark) {
        // rule updates carry no event time
    }
}
