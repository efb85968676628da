package org.yrd.linkage.alerting;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import org.yrd.linkage.alert.AlertKind;
import org.yrd.linkage.alert.AlertRevision;
import org.yrd.linkage.alert.Evidence;
import org.yrd.linkage.model.DeadLetter;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;

/**
 * The wire forms of the engine's outputs: one alert record per recipient (alert.schema.json), an
 * alert's current state (alerts-state) and the dead-letter record (contracts/README.md). Field
 * order is fixed, so re-delivery of the same revision is byte-identical apart from {@code emittedAt}.
 */
public final class AlertJson {

    /**
     * The most bytes an alert record (JSON or CAP) may have: under the 1 MiB that Kafka topics and
     * producers accept by default. Records stay far below it (the evidence and identifiers they
     * list are capped); a record above it is dead-lettered, never sent.
     */
    public static final int MAX_RECORD_BYTES = 1_000_000;

    private static final JsonFactory FACTORY = new JsonFactory();

    private AlertJson() {}

    /** The record of {@code r} addressed to {@code recipient}, one JSON object on one line. */
    public static String alert(AlertRevision r, String recipient) {
        return write(r, recipient, null);
    }

    /**
     * The alert's current state as of {@code r}, for the compacted alerts-state topic: the same
     * fields as an alert record, with every recipient of this revision ({@code recipients}) in
     * place of one {@code recipient}.
     */
    public static String state(AlertRevision r) {
        return write(r, null, r.recipients());
    }

    private static String write(AlertRevision r, String recipient, String[] recipients) {
        StringWriter w = new StringWriter(512);
        try (JsonGenerator g = FACTORY.createGenerator(w)) {
            g.writeStartObject();
            g.writeStringField("alertId", r.alertId());
            g.writeNumberField("revision", r.revision());
            g.writeStringField("msgType", r.msgType().name());
            g.writeStringField("kind", r.kind().name());
            g.writeStringField("ruleId", r.ruleId());
            g.writeStringField("ruleVersion", r.ruleVersion());
            g.writeStringField("severity", r.severity().name());
            if (recipients != null) {
                array(g, "recipients", recipients);
            } else {
                g.writeStringField("recipient", recipient);
            }
            array(g, "provinces", r.provinces());
            array(g, "cities", r.cities());
            g.writeArrayFieldStart("evidence");
            for (Evidence e : r.evidence()) {
                g.writeStartObject();
                g.writeStringField("stream", e.stream().name());
                g.writeStringField("id", e.id());
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeNumberField("evidenceCount", r.evidenceCount());
            g.writeNumberField("firstEventTs", r.firstEventTs());
            g.writeNumberField("lastEventTs", r.lastEventTs());
            g.writeNumberField("detectedTs", r.detectedTs());
            g.writeNumberField("emittedAt", r.emittedAt());
            array(g, "references", r.references());
            if (isCyber(r)) {
                array(g, "identifiers", r.identifiers());
                g.writeNumberField("lossCny", Math.round(r.lossCny() * 100) / 100.0);
            }
            if (r.hasLocation()) {
                g.writeObjectFieldStart("location");
                g.writeNumberField("lat", r.lat());
                g.writeNumberField("lon", r.lon());
                g.writeEndObject();
            }
            g.writeStringField("summary", r.summary());
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return w.toString();
    }

    static boolean isCyber(AlertRevision r) {
        return r.kind() == AlertKind.CYBER_CHAIN || r.kind() == AlertKind.CYBER_BURST
                || (r.kind() == AlertKind.ESCALATION && r.identifiers().length > 0);
    }

    public static String deadLetter(DeadLetter d) {
        StringWriter w = new StringWriter(256);
        try (JsonGenerator g = FACTORY.createGenerator(w)) {
            g.writeStartObject();
            g.writeStringField("stream", d.stream().name());
            g.writeStringField("reason", d.reason().name());
            g.writeStringField("detail", d.detail());
            g.writeStringField("raw", d.raw());
            g.writeNumberField("at", d.at());
            if (d.source() != null) {
                g.writeStringField("source", d.source());
            }
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return w.toString();
    }

    private static void array(JsonGenerator g, String name, String[] values) throws IOException {
        g.writeArrayFieldStart(name);
        for (String v : values) {
            g.writeString(v);
        }
        g.writeEndArray();
    }
}
