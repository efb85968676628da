package org.yrd.linkage.replay;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.file.src.reader.SimpleStreamFormat;
import org.apache.flink.core.fs.FSDataInputStream;
import org.yrd.linkage.ingest.RecordParser;
import org.yrd.linkage.runtime.RawRecord;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Reads a JSON Lines file as raw lines (bytes, not text: invalid UTF-8 must reach the parser to be
 * dead-lettered, not be papered over by a decoder), each with its file name and 1-based line
 * number, so that a dead letter names {@code file:line}. A line longer than the parser accepts is cut
 * after one byte more than that limit and the rest skipped, so a 10 MB line costs no 10 MB buffer.
 * Not splittable: each file is read in order by one reader, which keeps lateness deterministic.
 */
public final class JsonLinesFormat extends SimpleStreamFormat<RawRecord> {

    /** Lines read by every reader of this JVM; the replay command shows it as progress. */
    public static final AtomicLong LINES_READ = new AtomicLong();

    private static final int LIMIT = RecordParser.MAX_RECORD_BYTES + 1;

    private final String fileName;

    /** @param fileName the name dead letters give the file, e.g. {@code sensor-readings.jsonl} */
    public JsonLinesFormat(String fileName) {
        this.fileName = fileName;
    }

    @Override
    public Reader<RawRecord> createReader(Configuration config, FSDataInputStream stream) {
        return new LineReader(stream, fileName);
    }

    /** Splits the stream at '\n' over a 64 KiB read buffer. */
    private static final class LineReader implements Reader<RawRecord> {
        private final InputStream in;
        private final String fileName;
        private final byte[] buf = new byte[1 << 16];
        private int pos;
        private int end;
        private boolean eof;
        private long lineNumber;

        LineReader(InputStream in, String fileName) {
            this.in = in;
            this.fileName = fileName;
        }

        @Override
        public RawRecord read() throws IOException {
            byte[] line = null;
            int length = 0;
            boolean any = false;
            while (true) {
                if (pos == end) {
                    if (eof || !fill()) {
                        break;
                    }
                }
                any = true;
                int nl = indexOfNewline();
                int stop = nl >= 0 ? nl : end;
                int take = Math.min(stop - pos, LIMIT - length);
                if (take > 0) {
                    if (line == null) {
                        line = new byte[Math.max(take, 128)];
                    } else if (length + take > line.length) {
                        line = Arrays.copyOf(line, Math.min(LIMIT, Math.max(length + take, line.length * 2)));
                    }
                    System.arraycopy(buf, pos, line, length, take);
                    length += take;
                }
                pos = stop;
                if (nl >= 0) {
                    pos++;
                    break;
                }
            }
            if (!any) {
                return null;
            }
            if (length > 0 && line[length - 1] == '\r') {
                length--;
            }
            LINES_READ.incrementAndGet();
            byte[] value = line == null ? new byte[0] : (line.length == length ? line : Arrays.copyOf(line, length));
            return RawRecord.line(value, fileName, ++lineNumber);
        }

        private int indexOfNewline() {
            for (int i = pos; i < end; i++) {
                if (buf[i] == '\n') {
                    return i;
                }
            }
            return -1;
        }

        private boolean fill() throws IOException {
            int n = in.read(buf, 0, buf.length);
            if (n <= 0) {
                eof = true;
                return false;
            }
            pos = 0;
            end = n;
            return true;
        }

        @Override
        public void close() throws IOException {
            in.close();
        }
    }

    @Override
    public TypeInformation<RawRecord> getProducedType() {
        return TypeInformation.of(RawRecord.class);
    }
}
