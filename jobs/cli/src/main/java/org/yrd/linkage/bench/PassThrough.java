package org.yrd.linkage.bench;

import com.fasterxml.jackson.databind.ObjectReader;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.accumulators.LongCounter;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichFlatMapFunction;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.flink.util.Collector;
import org.yrd.linkage.model.StreamKind;
import org.yrd.linkage.replay.Replay;
import org.yrd.linkage.runtime.RawRecord;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/**
 * The most a Flink job can make of the replay files when it reads them as replay does: replay's own
 * file sources, one reader per file (replay follows each file's order, so that LATE and FUTURE are
 * the same at any parallelism), each line bound with Jackson into its contract type as
 * {@link ParseFloor} binds it, and nothing else. Between the floor and this lie Flink's reading and
 * the one reader per file; between this and replay, the engine.
 */
final class PassThrough {

    /** Accumulated per stream: lines that did not bind. */
    private static final String NOT_BOUND = "not bound ";

    private PassThrough() {}

    /** The job's timing, and how many lines did not bind (none, on files that {@code bench gen} wrote). */
    record Result(ReplayBench.Timed timed, long notBound) {}

    /** Runs the job at {@code parallelism} to the end of the files. */
    static Result run(Map<StreamKind, Path> files, int parallelism) throws Exception {
        Configuration conf = new Configuration();
        conf.setString("parallelism.default", Integer.toString(parallelism));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(conf);
        for (Map.Entry<StreamKind, Path> f : files.entrySet()) {
            String name = f.getKey().baseName();
            env.fromSource(Replay.source(f.getValue()), WatermarkStrategy.noWatermarks(), "read " + name)
                    .flatMap(new Bind(f.getKey())).name("bind " + name)
                    .sinkTo(new DiscardingSink<>()).name("discard " + name);
        }
        JobExecutionResult[] result = new JobExecutionResult[1];
        ReplayBench.Timed timed = ReplayBench.timed(() -> result[0] = env.execute("pass-through"));
        long notBound = 0;
        for (StreamKind stream : files.keySet()) {
            Long n = result[0].getAccumulatorResult(NOT_BOUND + stream.baseName());
            notBound += n == null ? 0 : n;
        }
        return new Result(timed, notBound);
    }

    /** Binds each line into its stream's contract type and emits nothing. */
    static final class Bind extends RichFlatMapFunction<RawRecord, Boolean> {

        private final StreamKind stream;
        private final LongCounter notBound = new LongCounter();
        private transient ObjectReader reader;

        Bind(StreamKind stream) {
            this.stream = stream;
        }

        @Override
        public void open(OpenContext context) {
            getRuntimeContext().addAccumulator(NOT_BOUND + stream.baseName(), notBound);
            reader = ParseFloor.reader(stream);
        }

        @Override
        public void flatMap(RawRecord line, Collector<Boolean> out) {
            try {
                if (reader.readValue(line.value()) == null) {
                    notBound.add(1);
                }
            } catch (IOException e) {
                notBound.add(1);
            }
        }
    }
}
