package org.yrd.linkage.bench;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import org.yrd.linkage.ident.IdentifierKey;
import org.yrd.linkage.ingest.Rejected;
import org.yrd.linkage.ingest.RecordParser;
import org.yrd.linkage.model.AlertAck;
import org.yrd.linkage.model.EmergencyCall;
import org.yrd.linkage.model.FraudReport;
import org.yrd.linkage.model.SensorReading;
import org.yrd.linkage.model.StreamKind;

import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The parse-only floor of replay: read every line of the replay files and bind it with Jackson
 * databind into the contract's Java type ({@code ObjectMapper.readValue(line, SensorReading.class)}
 * and so on), nothing else: no validation, no placement, no Flink. A replay can hardly beat this on
 * the same threads, so replay throughput is quoted against it.
 *
 * <p>With {@code n} threads each file is cut into {@code n} byte ranges at line ends and thread
 * {@code k} binds range {@code k} of every file, so the threads share no work and no data.
 *
 * <p>The same reading can bind each line with the engine's own parser instead ({@link Binding#STRICT}):
 * how much of the floor the engine's parsing and the contract's checks take, before placement,
 * time and Flink.
 */
public final class ParseFloor {

    /** How a line is bound. */
    public enum Binding {
        /** Jackson databind into the contract type, unknown fields ignored: the floor. */
        DATABIND,
        /**
         * The engine's {@link RecordParser} (strict parsing, the contract's checks, identifiers
         * normalised and digested), the line first copied out as replay's reader copies each line.
         */
        STRICT
    }

    /** Lines bound, bytes read, and how long the slowest thread took. */
    public record Result(int threads, long lines, long bytes, long failures, double seconds, double cpuSeconds) {
        public double linesPerSecond() {
            return lines / seconds;
        }

        /** Lines bound per second of CPU, all threads together. */
        public double linesPerCpuSecond() {
            return lines / cpuSeconds;
        }
    }

    /** A byte range of one file, starting at a line start and ending after a '\n' (or at the end). */
    record Range(StreamKind stream, Path file, long start, long end) {}

    private ParseFloor() {}

    /** Binds every line of {@code files} on {@code threads} threads with Jackson databind (the floor). */
    public static Result run(Map<StreamKind, Path> files, int threads) throws Exception {
        return run(files, threads, Binding.DATABIND);
    }

    /** Binds every line of {@code files} on {@code threads} threads as {@code binding} says. */
    public static Result run(Map<StreamKind, Path> files, int threads, Binding binding) throws Exception {
        List<List<Range>> work = new ArrayList<>();
        for (int k = 0; k < threads; k++) {
            work.add(new ArrayList<>());
        }
        for (Map.Entry<StreamKind, Path> f : files.entrySet()) {
            List<Range> parts = split(f.getKey(), f.getValue(), threads);
            for (int k = 0; k < parts.size(); k++) {
                work.get(k).add(parts.get(k));
            }
        }
        ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "parse-floor");
            t.setDaemon(true);
            return t;
        });
        try {
            long start = System.nanoTime();
            List<Future<long[]>> results = new ArrayList<>();
            for (List<Range> ranges : work) {
                results.add(pool.submit(() -> bindAll(ranges, Long.MAX_VALUE, binding)));
            }
            long lines = 0;
            long bytes = 0;
            long failures = 0;
            long cpu = 0;
            for (Future<long[]> r : results) {
                long[] n = r.get();
                lines += n[0];
                bytes += n[1];
                failures += n[2];
                cpu += n[3];
            }
            return new Result(threads, lines, bytes, failures, (System.nanoTime() - start) / 1e9, cpu / 1e9);
        } finally {
            pool.shutdownNow();
        }
    }

    /** Binds up to {@code maxLines} lines of the files on this thread, to warm up the JIT; returns lines bound. */
    public static long warmUp(Map<StreamKind, Path> files, long maxLines, Binding binding) throws IOException {
        List<Range> ranges = new ArrayList<>();
        for (Map.Entry<StreamKind, Path> f : files.entrySet()) {
            ranges.add(split(f.getKey(), f.getValue(), 1).get(0));
        }
        return bindAll(ranges, Math.max(1, maxLines / Math.max(1, ranges.size())), binding)[0];
    }

    /** Cuts a file into {@code n} ranges at line ends (fewer when the file has fewer lines). */
    static List<Range> split(StreamKind stream, Path file, int n) throws IOException {
        List<Range> ranges = new ArrayList<>();
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            long start = 0;
            for (int k = 1; k <= n; k++) {
                long end = k == n ? size : lineEndAfter(ch, size * k / n, size);
                if (end < start) {
                    end = start;
                }
                ranges.add(new Range(stream, file, start, end));
                start = end;
            }
        }
        return ranges;
    }

    /** The position just after the first '\n' at or after {@code pos}, or {@code size}. */
    private static long lineEndAfter(FileChannel ch, long pos, long size) throws IOException {
        if (pos <= 0) {
            return 0;
        }
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(4096);
        long p = pos - 1;
        while (p < size) {
            b.clear();
            int n = ch.read(b, p);
            if (n <= 0) {
                break;
            }
            for (int i = 0; i < n; i++) {
                if (b.get(i) == '\n') {
                    return p + i + 1;
                }
            }
            p += n;
        }
        return size;
    }

    /** Returns {lines, bytes, failures, CPU nanoseconds of this thread}. */
    static long[] bindAll(List<Range> ranges, long maxLinesPerRange, Binding binding) throws IOException {
        long cpuStart = java.lang.management.ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
        long[] total = new long[4];
        // one parser per thread: it is not thread-safe
        RecordParser parser = binding == Binding.STRICT ? new RecordParser(IdentifierKey.development()) : null;
        for (Range r : ranges) {
            LineBinder binder = parser != null ? strict(parser, r.stream()) : databind(reader(r.stream()));
            try (FileChannel ch = FileChannel.open(r.file(), StandardOpenOption.READ)) {
                ch.position(r.start());
                InputStream in = Channels.newInputStream(ch);
                long remaining = r.end() - r.start();
                byte[] buf = new byte[1 << 16];
                int len = 0;
                long lines = 0;
                while (remaining > 0 || len > 0) {
                    int n = remaining > 0 ? in.read(buf, len, (int) Math.min(buf.length - len, remaining)) : -1;
                    if (n > 0) {
                        remaining -= n;
                        len += n;
                        total[1] += n;
                    }
                    int pos = 0;
                    for (int i = 0; i < len; i++) {
                        if (buf[i] == '\n') {
                            if (i > pos) {
                                bind(binder, buf, pos, i - pos, total);
                                lines++;
                            }
                            pos = i + 1;
                        }
                    }
                    if (n <= 0 && pos < len) { // last line without '\n'
                        bind(binder, buf, pos, len - pos, total);
                        lines++;
                        pos = len;
                    }
                    System.arraycopy(buf, pos, buf, 0, len - pos);
                    len -= pos;
                    if (len == buf.length) {
                        buf = java.util.Arrays.copyOf(buf, buf.length * 2);
                    }
                    if (lines >= maxLinesPerRange || (n <= 0 && len == 0)) {
                        break;
                    }
                }
                total[0] += lines;
            }
        }
        total[3] = java.lang.management.ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime() - cpuStart;
        return total;
    }

    /** Binds one line; false when it cannot be bound. */
    private interface LineBinder {
        boolean bind(byte[] buf, int off, int len);
    }

    private static void bind(LineBinder binder, byte[] buf, int off, int len, long[] total) {
        if (!binder.bind(buf, off, len)) {
            total[2]++;
        }
    }

    private static LineBinder databind(ObjectReader reader) {
        return (buf, off, len) -> {
            try {
                return reader.readValue(buf, off, len) != null;
            } catch (IOException e) {
                return false;
            }
        };
    }

    private static LineBinder strict(RecordParser parser, StreamKind stream) {
        return (buf, off, len) -> {
            byte[] line = java.util.Arrays.copyOfRange(buf, off, off + len);
            try {
                return parser.parse(stream, line, line.length) != null;
            } catch (Rejected e) {
                return false;
            }
        };
    }

    /** How the floor binds a line of {@code stream}: into its contract type, unknown fields ignored. */
    static ObjectReader reader(StreamKind stream) {
        return new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false).readerFor(type(stream));
    }

    private static Class<?> type(StreamKind stream) {
        switch (stream) {
            case SENSOR: return SensorReading.class;
            case CALL: return EmergencyCall.class;
            case FRAUD: return FraudReport.class;
            case ACK: return AlertAck.class;
            default: throw new IllegalArgumentException("not an input stream: " + stream);
        }
    }
}
