package org.yrd.linkage.replay;

import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.connector.file.src.FileSource;
import org.apache.flink.runtime.state.StateBackendLoader;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.state.rocksdb.RocksDBOptions;
import org.yrd.linkage.alert.AlertRevision;
import org.yrd.linkage.alerting.AlertJson;
import org.yrd.linkage.alerting.CapDocument;
import org.yrd.linkage.runtime.EngineOptions;
import org.yrd.linkage.runtime.RocksDbDefaults;
import org.yrd.linkage.engine.LinkageJob;
import org.yrd.linkage.model.DeadLetter;
import org.yrd.linkage.model.StreamKind;
import org.yrd.linkage.rules.RulePack;
import org.yrd.linkage.runtime.RawRecord;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Replay: the live job graph over files, on an embedded MiniCluster (contracts/README.md,
 * "Replay"). Events are applied as the watermark commits them, in ts order, so the alerts are the
 * same at any parallelism, and with either state backend ({@link #withStateBackend}).
 */
public final class Replay {

    public static final String ALERTS_FILE = "alerts.jsonl";
    public static final String DEAD_LETTERS_FILE = "deadletter.jsonl";
    public static final String CAP_DIR = "cap";
    public static final String FEEDBACK_FILE = "rule-feedback.jsonl";

    private Replay() {}

    /** The input files of {@code in} that exist, by stream. */
    public static Map<StreamKind, Path> inputs(Path in) {
        Map<StreamKind, Path> files = new EnumMap<>(StreamKind.class);
        for (StreamKind s : List.of(StreamKind.SENSOR, StreamKind.CALL, StreamKind.FRAUD, StreamKind.ACK)) {
            Path f = in.resolve(s.baseName() + ".jsonl");
            if (Files.isRegularFile(f)) {
                files.put(s, f);
            }
        }
        return files;
    }

    /**
     * The Flink configuration replay runs with; {@code overrides} win. Identifiers are digested under
     * the published development key unless {@code overrides} name a key file. The state backend is
     * left to {@link #withStateBackend} unless {@code overrides} name one.
     *
     * <p>Event-time timers are on the heap even with RocksDB: replay takes no checkpoints, and
     * RocksDB's timer queue cost a fifth of its CPU (BENCHMARKS.md, "Replay": 41 k to 51 k lines
     * per CPU-second at parallelism 2, the same alerts). For the same reason the rules keep the
     * events that wait for the watermark in memory (chain/SequencedRuleFunction). Both are bounded
     * by pacing the files ({@link ReadPacing}, {@link EngineOptions#REPLAY_READ_DRIFT}): events
     * wait only as long as the slowest file is behind, about the drift plus the out-of-orderness
     * bound of event time, rather than until the sensor file, nine lines in ten, catches up.
     */
    public static Configuration configuration(int parallelism, Configuration overrides) {
        Configuration conf = stateSettings();
        conf.set(CoreOptions.DEFAULT_PARALLELISM, parallelism);
        conf.set(PipelineOptions.GENERIC_TYPES, false);
        conf.set(PipelineOptions.OBJECT_REUSE, true);
        conf.set(EngineOptions.SPECULATIVE, false);
        conf.set(EngineOptions.CLOCK_ADVANCE, false);
        conf.set(EngineOptions.IDENTIFIER_DEV_KEY, !overrides.contains(EngineOptions.IDENTIFIER_KEY_FILE));
        conf.setString("rest.bind-address", "127.0.0.1");
        // a file is one split, read in order: the reader pauses as a whole (the option only lets Flink accept a reader that cannot pause single splits)
        conf.set(PipelineOptions.ALLOW_UNALIGNED_SOURCE_SPLITS, true);
        conf.addAll(overrides);
        return conf;
    }

    /**
     * The state settings of {@link #configuration}, for when the state is in RocksDB: the engine's
     * defaults, 256 MiB of managed memory, timers on the heap. They name no backend.
     */
    public static Configuration stateSettings() {
        Configuration conf = new Configuration();
        conf.set(TaskManagerOptions.MANAGED_MEMORY_SIZE, MemorySize.ofMebiBytes(256));
        conf.addAll(RocksDbDefaults.get());
        conf.set(RocksDBOptions.TIMER_SERVICE_FACTORY, EmbeddedRocksDBStateBackend.PriorityQueueStateType.HEAP);
        return conf;
    }

    /** Replay keeps its state on the heap while its input files take at most this share of the heap. */
    static final int HEAP_SHARE = 4;

    /**
     * {@code conf} with the state backend for replaying {@code files}: the one {@code conf} names
     * ({@code state.backend.type}), or else the heap ({@code hashmap}) when the files together
     * take at most a quarter of this JVM's heap, RocksDB when larger.
     *
     * <p>Replay takes no checkpoints, so what RocksDB gives live mode (small, incremental
     * checkpoints; state larger than memory) buys it little, and every state access there
     * serialises a copy: on the heap the 2 M-line case replays half again as fast with the same
     * alerts (BENCHMARKS.md, "Replay"). State stays far below the input's size: most lines are
     * sensor readings below threshold that leave none, and the rules' horizons (at most 8 days,
     * ESC-ACK) drop the rest; the 6 M-line case (902 MiB) ended with 578 MiB of heap in use after
     * a collection. Larger inputs, or a long history with many identifiers (CYB-LINK holds them
     * for 7 days), go to RocksDB, which spills to disk.
     */
    public static Configuration withStateBackend(Configuration conf, Map<StreamKind, Path> files) throws IOException {
        Configuration chosen = new Configuration(conf);
        if (!conf.contains(StateBackendOptions.STATE_BACKEND)) {
            chosen.set(StateBackendOptions.STATE_BACKEND, stateBackendFor(inputBytes(files), Runtime.getRuntime().maxMemory()));
        }
        return chosen;
    }

    /** The size of {@code files} together. */
    public static long inputBytes(Map<StreamKind, Path> files) throws IOException {
        long bytes = 0;
        for (Path f : files.values()) {
            bytes += Files.size(f);
        }
        return bytes;
    }

    /** {@code hashmap} (the heap) for {@code inputBytes} at most {@code maxHeap} / {@value #HEAP_SHARE}, else {@code rocksdb}. */
    static String stateBackendFor(long inputBytes, long maxHeap) {
        return inputBytes <= maxHeap / HEAP_SHARE
                ? StateBackendLoader.HASHMAP_STATE_BACKEND_NAME
                : StateBackendLoader.ROCKSDB_STATE_BACKEND_NAME;
    }

    /** Where {@code conf} keeps state, in words for a command's output: "on the heap", "in RocksDB, timers on the heap". */
    public static String describeState(Configuration conf) {
        String type = conf.get(StateBackendOptions.STATE_BACKEND);
        return switch (type.toLowerCase(Locale.ROOT)) {
            case StateBackendLoader.HASHMAP_STATE_BACKEND_NAME -> "on the heap";
            case StateBackendLoader.ROCKSDB_STATE_BACKEND_NAME -> "in RocksDB, timers on the heap";
            default -> "in state backend " + type;
        };
    }

    /** How replay reads {@code file}: one line a record, one split, so one reader in the file's order. */
    public static FileSource<RawRecord> source(Path file) {
        return FileSource.forRecordStreamFormat(new JsonLinesFormat(file.getFileName().toString()),
                new org.apache.flink.core.fs.Path(file.toUri())).build();
    }

    /** Runs the replay to completion and writes alerts.jsonl and deadletter.jsonl into {@code out}. */
    public static void run(Map<StreamKind, Path> files, Path out, RulePack pack, Configuration conf) throws Exception {
        run(files, out, pack, conf, false);
    }

    /** As {@link #run(Map, Path, RulePack, Configuration)}; with {@code cap}, also {@code cap/<alertId>_<revision>_<recipient>.xml}. */
    public static void run(Map<StreamKind, Path> files, Path out, RulePack pack, Configuration given, boolean cap) throws Exception {
        Configuration conf = withStateBackend(given, files);
        Files.createDirectories(out);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(conf);
        Map<StreamKind, DataStream<RawRecord>> inputs = new EnumMap<>(StreamKind.class);
        for (Map.Entry<StreamKind, Path> f : files.entrySet()) {
            String name = f.getKey().baseName();
            inputs.put(f.getKey(), env.fromSource(source(f.getValue()), pacing(conf), "read " + name).uid("source-" + name));
        }
        Path alertsFile = out.resolve(ALERTS_FILE);
        Path deadLetterFile = out.resolve(DEAD_LETTERS_FILE);
        LinkageJob.build(inputs, new LinkageJob.Sinks() {
            @Override
            public void alerts(DataStream<AlertRevision> alerts) {
                alerts.sinkTo(new JsonLinesFileSink<>(alertsFile, Replay::perRecipient))
                        .setParallelism(1).name("write " + ALERTS_FILE).uid("sink-alerts");
            }

            @Override
            public void deadLetters(DataStream<DeadLetter> deadLetters) {
                deadLetters.sinkTo(new JsonLinesFileSink<>(deadLetterFile, d -> List.of(AlertJson.deadLetter(d))))
                        .setParallelism(1).name("write " + DEAD_LETTERS_FILE).uid("sink-deadletters");
            }

            @Override
            public void ruleFeedback(DataStream<String> records) {
                records.sinkTo(new JsonLinesFileSink<>(out.resolve(FEEDBACK_FILE), r -> List.of(r)))
                        .setParallelism(1).name("write " + FEEDBACK_FILE).uid("sink-feedback");
            }

            @Override
            public boolean wantsCap() {
                return cap;
            }

            @Override
            public void capDocuments(DataStream<CapDocument> documents) {
                documents.sinkTo(new FilePerRecordSink(out.resolve(CAP_DIR))).setParallelism(1).name("write cap/").uid("sink-cap");
            }
        }, pack, conf);
        env.execute("yrd-linkage replay");
    }

    /** Watermarks that pace the reading of the files ({@link ReadPacing}), or none when {@link EngineOptions#REPLAY_READ_DRIFT} is 0. */
    private static WatermarkStrategy<RawRecord> pacing(Configuration conf) {
        Duration drift = conf.get(EngineOptions.REPLAY_READ_DRIFT);
        return drift.isZero() || drift.isNegative()
                ? WatermarkStrategy.noWatermarks()
                : ReadPacing.strategy(drift, conf.get(EngineOptions.MAX_CLOCK_SKEW));
    }

    static List<String> perRecipient(AlertRevision r) {
        List<String> lines = new ArrayList<>(r.recipients().length);
        for (String recipient : r.recipients()) {
            lines.add(AlertJson.alert(r, recipient));
        }
        return lines;
    }
}
