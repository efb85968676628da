package org.yrd.linkage.replay;

import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.file.src.reader.SimpleStreamFormat;
import org.apache.flink.core.fs.FSDataInputStream;
import org.yrd.linkage.ingest.RecordParser;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Reads a JSON Lines file as raw lines (bytes, not text: invalid UTF-8 must reach the parser to be
 * dead-lettered, not be papered over by a decoder). A line longer than the parser accepts is cut
 * after one byte more than that limit and the rest skipped, so a 10 MB line costs no 10 MB buffer.
 * Not splittable: each file is read in order by one reader, which keeps lateness deterministic.
 */
public final class JsonLinesFormat extends SimpleStreamFormat<byte[]> {

    /** Lines read by every reader of this JVM; the replay command shows it as progress. */
    public static final AtomicLong LINES_READ = new AtomicLong();

    private static final int LIMIT = RecordParser.MAX_RECORD_BYTES + 1;

    @Override
    public Reader<byte[]> createReader(Configuration config, FSDataInputStream stream) {
        InputStream in = new BufferedInputStream(stream, 1 << 16);
        return new Reader<>() {
            private byte[] buf = new byte[256];

            @Override
            public byte[] read() throws IOException {
                int n = 0;
                int b;
                boolean any = false;
                while ((b = in.read()) != -1) {
                    any = true;
                    if (b == '\n') {
                        break;
                    }
                    if (n < LIMIT) {
                        if (n == buf.length) {
                            buf = Arrays.copyOf(buf, Math.min(LIMIT, buf.length * 2));
                        }
                        buf[n++] = (byte) b;
                    }
                }
                if (!any) {
                    return null;
                }
                if (n > 0 && buf[n - 1] == '\r') {
                    n--;
                }
                LINES_READ.incrementAndGet();
                return Arrays.copyOf(buf, n);
            }

            @Override
            public void close() throws IOException {
                in.close();
            }
        };
    }

    @Override
    public TypeInformation<byte[]> getProducedType() {
        return PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO;
    }
}
