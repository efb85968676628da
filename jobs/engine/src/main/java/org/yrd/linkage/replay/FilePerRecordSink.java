package org.yrd.linkage.replay;

import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.yrd.linkage.alerting.CapDocument;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

/** Writes each CAP document into its own file of a local directory (replay {@code --cap}). */
final class FilePerRecordSink implements Sink<CapDocument> {

    private final String dir;

    FilePerRecordSink(Path dir) {
        this.dir = dir.toString();
    }

    @Override
    public SinkWriter<CapDocument> createWriter(WriterInitContext context) throws IOException {
        Path d = Files.createDirectories(Paths.get(dir));
        return new SinkWriter<>() {
            @Override
            public void write(CapDocument doc, Context ctx) throws IOException {
                Files.writeString(d.resolve(doc.fileName()), doc.xml(), StandardCharsets.UTF_8);
            }

            @Override
            public void flush(boolean endOfInput) {}

            @Override
            public void close() {}
        };
    }
}
