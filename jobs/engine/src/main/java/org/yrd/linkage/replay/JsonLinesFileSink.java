package org.yrd.linkage.replay;

import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.util.function.SerializableFunction;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;

/**
 * Writes records as JSON Lines into one local file. Replay runs this sink at parallelism 1 on the
 * local MiniCluster, so the file is written by one writer and is complete when the job ends.
 */
public final class JsonLinesFileSink<T> implements Sink<T> {

    private final String path;
    private final SerializableFunction<T, List<String>> toLines;

    public JsonLinesFileSink(Path path, SerializableFunction<T, List<String>> toLines) {
        this.path = path.toString();
        this.toLines = toLines;
    }

    @Override
    public SinkWriter<T> createWriter(WriterInitContext context) throws IOException {
        BufferedWriter w = Files.newBufferedWriter(Paths.get(path), StandardCharsets.UTF_8);
        return new SinkWriter<>() {
            @Override
            public void write(T element, Context ctx) throws IOException {
                for (String line : toLines.apply(element)) {
                    w.write(line);
                    w.write('\n');
                }
            }

            @Override
            public void flush(boolean endOfInput) throws IOException {
                w.flush();
            }

            @Override
            public void close() throws IOException {
                w.close();
            }
        };
    }
}
