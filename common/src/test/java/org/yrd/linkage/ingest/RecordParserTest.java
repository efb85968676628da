package org.yrd.linkage.ingest;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.yrd.linkage.ident.IdentifierKey;
import org.yrd.linkage.model.AckStatus;
import org.yrd.linkage.model.AlertAck;
import org.yrd.linkage.model.CallCategory;
import org.yrd.linkage.model.DeadLetter.Reason;
import org.yrd.linkage.model.EmergencyCall;
import org.yrd.linkage.model.FraudReport;
import org.yrd.linkage.model.FraudType;
import org.yrd.linkage.model.Identifier;
import org.yrd.linkage.model.IdentifierType;
import org.yrd.linkage.model.SensorKind;
import org.yrd.linkage.model.SensorReading;
import org.yrd.linkage.model.StreamKind;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

/**
 * Strict parsing of the four input streams: valid records become their contract types, and every
 * unusable record ends in {@link Rejected} with the contracted reason, never in another exception.
 */
class RecordParserTest {

    static final long TS = 1783641142605L;

    static final String SENSOR = "{\"id\":\"s-1\",\"sensorId\":\"WL-1\",\"kind\":\"WATER_LEVEL\",\"value\":5.2,\"unit\":\"m\","
            + "\"ts\":1783641142605,\"lat\":31.2304,\"lon\":121.4737,\"cityCode\":\"310101\"}";
    static final String CALL = "{\"id\":\"c-1\",\"ts\":1783641142605,\"lat\":32.0415,\"lon\":118.7845,\"cityCode\":\"320102\","
            + "\"category\":\"FIRE\",\"callerHash\":\"9f2c4e\",\"text\":\"新街口商场起火，浓烟很大\"}";
    static final String FRAUD = "{\"id\":\"f-1\",\"ts\":1783641142605,\"cityCode\":\"320102\",\"fraudType\":\"CUSTOMER_SERVICE\","
            + "\"amountCny\":52000.5,\"identifiers\":[{\"type\":\"PHONE\",\"value\":\"+86 139-1234-5678\"},"
            + "{\"type\":\"PAYMENT_ACCOUNT\",\"value\":\" Alipay_5345780831 \"}]}";
    static final String ACK = "{\"alertId\":\"INC-CASCADE:s-1\",\"province\":\"320000\",\"ts\":1783641142605,"
            + "\"status\":\"CONFIRMED\",\"operator\":\"江苏省应急厅 王\"}";

    private final RecordParser parser = new RecordParser(IdentifierKey.development());

    private Object parse(StreamKind stream, String json) throws Rejected {
        byte[] b = json.getBytes(StandardCharsets.UTF_8);
        return parser.parse(stream, b, b.length);
    }

    private Rejected rejection(StreamKind stream, byte[] b) {
        Object accepted;
        try {
            accepted = parser.parse(stream, b, b.length);
        } catch (Rejected r) {
            return r;
        } catch (RuntimeException | Error e) {
            throw new AssertionError("expected Rejected but parse threw " + e, e);
        }
        throw new AssertionError("expected Rejected but the record was accepted as " + accepted);
    }

    private Rejected rejection(StreamKind stream, String json) {
        return rejection(stream, json.getBytes(StandardCharsets.UTF_8));
    }

    @Nested
    class ValidRecords {

        @Test
        void sensorReadingParsesIntoItsFields() throws Rejected {
            assertThat(parse(StreamKind.SENSOR, SENSOR)).isEqualTo(
                    new SensorReading("s-1", "WL-1", SensorKind.WATER_LEVEL, 5.2, "m", TS, 31.2304, 121.4737, "310101"));
        }

        @Test
        void sensorReadingWithoutOptionalFieldsHasNullUnitAndCityCode() throws Rejected {
            SensorReading r = (SensorReading) parse(StreamKind.SENSOR,
                    "{\"id\":\"s-2\",\"sensorId\":\"GAS-7\",\"kind\":\"GAS\",\"value\":-3,\"ts\":0,\"lat\":-90,\"lon\":180}");
            assertThat(r).isEqualTo(new SensorReading("s-2", "GAS-7", SensorKind.GAS, -3.0, null, 0L, -90.0, 180.0, null));
        }

        @ParameterizedTest
        @EnumSource(SensorKind.class)
        void everySensorKindIsAccepted(SensorKind kind) throws Rejected {
            SensorReading r = (SensorReading) parse(StreamKind.SENSOR, SENSOR.replace("WATER_LEVEL", kind.name()));
            assertThat(r.kind()).isEqualTo(kind);
        }

        @Test
        void emergencyCallParsesIntoItsFields() throws Rejected {
            assertThat(parse(StreamKind.CALL, CALL)).isEqualTo(
                    new EmergencyCall("c-1", TS, 32.0415, 118.7845, "320102", CallCategory.FIRE));
        }

        @Test
        void emergencyCallWithoutCityCodeHasNullCityCode() throws Rejected {
            EmergencyCall c = (EmergencyCall) parse(StreamKind.CALL,
                    "{\"id\":\"c-2\",\"ts\":5,\"lat\":30.259,\"lon\":120.1388,\"category\":\"GAS_LEAK\"}");
            assertThat(c).isEqualTo(new EmergencyCall("c-2", 5L, 30.259, 120.1388, null, CallCategory.GAS_LEAK));
        }

        @Test
        void callTextOfFourThousandChineseCharactersIsAccepted() throws Rejected {
            String text = "火".repeat(4000);
            assertThat(parse(StreamKind.CALL, CALL.replace("新街口商场起火，浓烟很大", text))).isInstanceOf(EmergencyCall.class);
        }

        @Test
        void callTextLimitCountsCharactersNotUtf16Units() throws Rejected {
            // 4000 emoji are 8000 UTF-16 units but 4000 characters: within maxLength 4000
            String text = "🔥".repeat(4000);
            assertThat(parse(StreamKind.CALL, CALL.replace("新街口商场起火，浓烟很大", text))).isInstanceOf(EmergencyCall.class);
            assertThat(rejection(StreamKind.CALL, CALL.replace("新街口商场起火，浓烟很大", text + "火")).reason()).isEqualTo(Reason.SCHEMA);
        }

        @Test
        void fraudReportParsesIntoItsFieldsWithNormalisedIdentifiers() throws Rejected {
            FraudReport f = (FraudReport) parse(StreamKind.FRAUD, FRAUD);
            assertThat(f.id()).isEqualTo("f-1");
            assertThat(f.ts()).isEqualTo(TS);
            assertThat(f.cityCode()).isEqualTo("320102");
            assertThat(f.fraudType()).isEqualTo(FraudType.CUSTOMER_SERVICE);
            assertThat(f.amountCny()).isEqualTo(52000.5);
            assertThat(f.identifiers()).containsExactly(
                    new Identifier(IdentifierType.PHONE, "8aa8046ffd86af97cb09d59af0c1471f", "PHONE:139****5678"),
                    new Identifier(IdentifierType.PAYMENT_ACCOUNT, "192a42f77a247d5ac3e44a4a709e3c14", "PAYMENT_ACCOUNT:ali****0831"));
        }

        @Test
        void alertAckParsesIntoItsFields() throws Rejected {
            assertThat(parse(StreamKind.ACK, ACK)).isEqualTo(
                    new AlertAck("INC-CASCADE:s-1", "320000", TS, AckStatus.CONFIRMED));
        }

        @Test
        void alertAckWithoutOperatorIsAccepted() throws Rejected {
            assertThat(parse(StreamKind.ACK, "{\"alertId\":\"x\",\"province\":\"310000\",\"ts\":1,\"status\":\"FALSE_ALARM\"}"))
                    .isEqualTo(new AlertAck("x", "310000", 1L, AckStatus.FALSE_ALARM));
        }

        @Test
        void fieldOrderDoesNotMatter() throws Rejected {
            String reordered = "{\"lon\":121.4737,\"cityCode\":\"310101\",\"ts\":1783641142605,\"lat\":31.2304,\"unit\":\"m\","
                    + "\"value\":5.2,\"kind\":\"WATER_LEVEL\",\"sensorId\":\"WL-1\",\"id\":\"s-1\"}";
            assertThat(parse(StreamKind.SENSOR, reordered)).isEqualTo(parse(StreamKind.SENSOR, SENSOR));
        }

        @Test
        void whitespaceAroundTheObjectIsAllowed() throws Rejected {
            assertThat(parse(StreamKind.SENSOR, " \t" + SENSOR + " \r\n")).isEqualTo(parse(StreamKind.SENSOR, SENSOR));
        }

        @Test
        void integralTsWrittenWithPointZeroIsAnInteger() throws Rejected {
            SensorReading r = (SensorReading) parse(StreamKind.SENSOR, SENSOR.replace("1783641142605", "1783641142605.0"));
            assertThat(r.ts()).isEqualTo(TS);
        }

        @Test
        void integralTsInExponentNotationIsAnInteger() throws Rejected {
            assertThat(((SensorReading) parse(StreamKind.SENSOR, SENSOR.replace("1783641142605", "1.783641142605E12"))).ts()).isEqualTo(TS);
            assertThat(((SensorReading) parse(StreamKind.SENSOR, SENSOR.replace("1783641142605", "1783641142605000e-3"))).ts()).isEqualTo(TS);
        }

        @Test
        void tsOfLongMaxValueIsAccepted() throws Rejected {
            // the schemas bound ts only below: a ts ahead of the real time is the stream clock's to judge (FUTURE)
            assertThat(((SensorReading) parse(StreamKind.SENSOR, SENSOR.replace("1783641142605", "9223372036854775807"))).ts())
                    .isEqualTo(Long.MAX_VALUE);
        }

        @Test
        void tsOfZeroIsAccepted() throws Rejected {
            assertThat(((AlertAck) parse(StreamKind.ACK, ACK.replace("1783641142605", "0"))).ts()).isZero();
        }

        @Test
        void latitudeAndLongitudeLimitsAreInclusive() throws Rejected {
            SensorReading r = (SensorReading) parse(StreamKind.SENSOR, SENSOR.replace("31.2304", "90").replace("121.4737", "-180.0"));
            assertThat(r.lat()).isEqualTo(90.0);
            assertThat(r.lon()).isEqualTo(-180.0);
        }

        @Test
        void escapedCharactersInStringsAreDecoded() throws Rejected {
            SensorReading r = (SensorReading) parse(StreamKind.SENSOR, SENSOR.replace("\"WL-1\"", "\"WL\\u002D\\\"1\\\"\\n\""));
            assertThat(r.sensorId()).isEqualTo("WL-\"1\"\n");
        }

        @Test
        void unknownFieldsAreIgnored() throws Rejected {
            String extra = SENSOR.substring(0, SENSOR.length() - 1)
                    + ",\"battery\":0.93,\"firmware\":{\"v\":[1,2,{\"x\":null}],\"ok\":true},\"tags\":[\"a\",\"b\"],\"note\":null,"
                    + "\"Ts\":\"not the ts field\",\"ID\":12}";
            assertThat(parse(StreamKind.SENSOR, extra)).isEqualTo(parse(StreamKind.SENSOR, SENSOR));
        }

        @Test
        void unknownFieldsInsideAnIdentifierAreIgnored() throws Rejected {
            FraudReport f = (FraudReport) parse(StreamKind.FRAUD, FRAUD.replace(
                    "{\"type\":\"PHONE\",", "{\"source\":{\"app\":\"sms\"},\"confidence\":0.9,\"type\":\"PHONE\","));
            assertThat(f.identifiers()).containsExactly(((FraudReport) parse(StreamKind.FRAUD, FRAUD)).identifiers());
        }

        @Test
        void unknownFieldNamedTwiceIsIgnored() throws Rejected {
            String extra = SENSOR.substring(0, SENSOR.length() - 1) + ",\"battery\":1,\"battery\":2}";
            assertThat(parse(StreamKind.SENSOR, extra)).isEqualTo(parse(StreamKind.SENSOR, SENSOR));
        }

        @Test
        void bytesBeyondTheGivenLengthAreIgnored() throws Rejected {
            byte[] record = SENSOR.getBytes(StandardCharsets.UTF_8);
            byte[] buffer = Arrays.copyOf(record, record.length + 16);
            Arrays.fill(buffer, record.length, buffer.length, (byte) 0xFF);
            assertThat(parser.parse(StreamKind.SENSOR, buffer, record.length)).isEqualTo(parse(StreamKind.SENSOR, SENSOR));
        }

        @Test
        void oneParserParsesManyRecordsInTurn() throws Rejected {
            for (int i = 0; i < 3; i++) {
                assertThat(parse(StreamKind.SENSOR, SENSOR)).isInstanceOf(SensorReading.class);
                assertThat(rejection(StreamKind.SENSOR, "{").reason()).isEqualTo(Reason.MALFORMED_JSON);
                assertThat(parse(StreamKind.ACK, ACK)).isInstanceOf(AlertAck.class);
            }
        }

        @Test
        void nonEventStreamIsAProgrammingError() {
            assertThatThrownBy(() -> parse(StreamKind.RULE, SENSOR)).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Nested
    class IdentifierLists {

        private Identifier[] identifiers(String... items) throws Rejected {
            String json = "{\"id\":\"f-1\",\"ts\":1,\"cityCode\":\"320102\",\"fraudType\":\"OTHER\",\"amountCny\":0,"
                    + "\"identifiers\":[" + String.join(",", items) + "]}";
            return ((FraudReport) parse(StreamKind.FRAUD, json)).identifiers();
        }

        private String item(String type, String value) {
            return "{\"type\":\"" + type + "\",\"value\":\"" + value + "\"}";
        }

        @Test
        void samePhoneNamedTwiceInDifferentSpellingsIsKeptOnce() throws Rejected {
            Identifier[] ids = identifiers(item("PHONE", "+86 139-1234-5678"), item("PHONE", "139 1234 5678"));
            assertThat(ids).containsExactly(
                    new Identifier(IdentifierType.PHONE, IdentifierKey.development().digest(IdentifierType.PHONE, "13912345678"), "PHONE:139****5678"));
        }

        @Test
        void sameUrlInDifferentSpellingsIsKeptOnce() throws Rejected {
            Identifier[] ids = identifiers(item("URL", "HTTPS://www.Example.com/path/"), item("URL", "example.com/path"),
                    item("URL", "http://EXAMPLE.com/path"));
            assertThat(ids).hasSize(1);
            assertThat(ids[0].masked()).isEqualTo("URL:exa****path");
        }

        @Test
        void sameDigitsUnderDifferentTypesAreTwoIdentifiers() throws Rejected {
            Identifier[] ids = identifiers(item("PHONE", "13912345678"), item("BANK_ACCOUNT", "13912345678"));
            assertThat(ids).extracting(Identifier::type).containsExactly(IdentifierType.PHONE, IdentifierType.BANK_ACCOUNT);
            assertThat(ids[0].digest()).isNotEqualTo(ids[1].digest());
            assertThat(ids[0].key()).isNotEqualTo(ids[1].key());
        }

        @Test
        void distinctIdentifiersKeepTheOrderFirstNamed() throws Rejected {
            Identifier[] ids = identifiers(item("DEVICE", "IMEI-1"), item("PHONE", "13800000001"), item("DEVICE", "imei-1 "),
                    item("IM_ACCOUNT", "QQ12345678"));
            assertThat(ids).extracting(Identifier::masked)
                    .containsExactly("DEVICE:****", "PHONE:138****0001", "IM_ACCOUNT:qq1****5678");
        }

        @Test
        void identifiersKeepNoRawValue() throws Rejected {
            Identifier[] ids = identifiers(item("BANK_ACCOUNT", "6222 0212 3456 7890 123"));
            assertThat(ids[0].toString()).doesNotContain("6222021234567890123").doesNotContain("6222 0212");
        }

        @Test
        void sixtyFourIdentifiersAreAccepted() throws Rejected {
            String[] items = new String[64];
            for (int i = 0; i < items.length; i++) {
                items[i] = item("PHONE", String.valueOf(13800000000L + i));
            }
            assertThat(identifiers(items)).hasSize(64);
        }

        @Test
        void identifierValueOf512CharactersIsAccepted() throws Rejected {
            assertThat(identifiers(item("URL", "a".repeat(512)))).hasSize(1);
            assertThat(identifiers(item("IM_ACCOUNT", "客".repeat(512)))).hasSize(1);
            assertThat(identifiers(item("IM_ACCOUNT", "😀".repeat(512)))).hasSize(1);
        }
    }

    @Nested
    class HostileCorpus {

        static Stream<Arguments> corpus() {
            List<Arguments> all = new ArrayList<>();
            for (StreamKind stream : List.of(StreamKind.SENSOR, StreamKind.CALL, StreamKind.FRAUD, StreamKind.ACK)) {
                String name = stream.name().toLowerCase();
                List<byte[]> lines = lines(resource("/hostile/" + name + "-hostile.jsonl"));
                List<String> expected = new ArrayList<>();
                for (byte[] e : lines(resource("/hostile/" + name + "-hostile.expected"))) {
                    String s = new String(e, StandardCharsets.UTF_8);
                    if (!s.startsWith("#")) {
                        expected.add(s);
                    }
                }
                assertThat(lines).as(name + "-hostile: one expectation per line").hasSameSizeAs(expected);
                for (int i = 0; i < lines.size(); i++) {
                    String[] reasonAndWhat = expected.get(i).split(" ", 2);
                    all.add(Arguments.of(stream, name + "-hostile.jsonl:" + (i + 1) + " " + reasonAndWhat[1],
                            Reason.valueOf(reasonAndWhat[0]), lines.get(i)));
                }
            }
            return all.stream();
        }

        @ParameterizedTest(name = "{1} -> {2}")
        @MethodSource("corpus")
        void everyHostileLineIsRejectedWithItsReason(StreamKind stream, String what, Reason reason, byte[] line) {
            assertThat(rejection(stream, line).reason()).as(what).isEqualTo(reason);
        }

        @ParameterizedTest(name = "{1}")
        @MethodSource("corpus")
        void noHostileLineThrowsAnythingButRejectedOnAnyStream(StreamKind ignored, String what, Reason reason, byte[] line) {
            for (StreamKind stream : List.of(StreamKind.SENSOR, StreamKind.CALL, StreamKind.FRAUD, StreamKind.ACK)) {
                assertOnlyRejectedOrParsed(stream, line, what);
            }
        }

        @ParameterizedTest(name = "{1}")
        @MethodSource("corpus")
        void noRejectionDetailKeepsSixDigitsInARun(StreamKind stream, String what, Reason reason, byte[] line) {
            assertThat(rejection(stream, line).detail()).as(what).doesNotContainPattern("[0-9０-９]([ \\-　－]?[0-9０-９]){5}");
        }

        @Test
        void detailThatQuotesTheInputIsMaskedLikeRawText() {
            assertThat(rejection(StreamKind.CALL, "{\"id\":\"c\",\"ts\":tel13912345678}").detail())
                    .contains("'tel139****5678'").doesNotContain("13912345678");
            assertThat(rejection(StreamKind.CALL, CALL.replace("\"lat\":32.0415", "\"lat\":13912345678")).detail())
                    .isEqualTo("lat: 1.****E10 outside -90.0..90.0");
            assertThat(rejection(StreamKind.FRAUD, FRAUD.replace("52000.5", "-52000.5")).detail())
                    .isEqualTo("amountCny: -52000.5 below 0.0");
        }

        @Test
        void corpusCoversEveryStreamAndBothReasons() {
            assertThat(corpus().map(a -> a.get()[0]).distinct()).hasSize(4);
            assertThat(corpus().map(a -> a.get()[2]).distinct()).containsExactlyInAnyOrder(Reason.MALFORMED_JSON, Reason.SCHEMA);
        }
    }

    @Nested
    class GeneratedHostileInput {

        private byte[] sensorWithRawBytesInId(int... raw) {
            byte[] head = "{\"id\":\"s-".getBytes(StandardCharsets.UTF_8);
            byte[] tail = SENSOR.substring(SENSOR.indexOf("\",\"sensorId\"")).getBytes(StandardCharsets.UTF_8);
            byte[] b = new byte[head.length + raw.length + tail.length];
            System.arraycopy(head, 0, b, 0, head.length);
            for (int i = 0; i < raw.length; i++) {
                b[head.length + i] = (byte) raw[i];
            }
            System.arraycopy(tail, 0, b, head.length + raw.length, tail.length);
            return b;
        }

        @Test
        void wellFormedMultiByteIdIsAccepted() throws Rejected {
            byte[] b = sensorWithRawBytesInId(0xE6, 0xB0, 0xB4, 0xF0, 0x9F, 0x8C, 0x8A);
            assertThat(((SensorReading) parser.parse(StreamKind.SENSOR, b, b.length)).id()).isEqualTo("s-水🌊");
        }

        @Test
        void invalidUtf8IsMalformedJson() {
            int[][] bad = {
                    {0xFF}, {0xFE, 0xFF}, {0xC0, 0xAF}, {0xE0, 0x80, 0xAF}, {0xED, 0xA0, 0x80}, {0xED, 0xBF, 0xBF},
                    {0x80}, {0xBF, 0x41}, {0xE6, 0xB0}, {0xF0, 0x9F, 0x8C}, {0xF4, 0x90, 0x80, 0x80}, {0xF5, 0x80, 0x80, 0x80},
                    {0xF8, 0x88, 0x80, 0x80, 0x80}, {0xC1, 0x81},
            };
            for (int[] raw : bad) {
                Rejected r = rejection(StreamKind.SENSOR, sensorWithRawBytesInId(raw));
                assertThat(r.reason()).as(Arrays.toString(raw)).isEqualTo(Reason.MALFORMED_JSON);
                assertThat(r.detail()).as(Arrays.toString(raw)).contains("UTF-8").contains("byte 9");
            }
        }

        @Test
        void invalidUtf8InAnIgnoredFieldIsStillMalformedJson() {
            byte[] valid = SENSOR.replace("{\"id\"", "{\"note\":\"??\",\"id\"").getBytes(StandardCharsets.UTF_8);
            int at = new String(valid, StandardCharsets.UTF_8).indexOf("??");
            valid[at] = (byte) 0xC0;
            valid[at + 1] = (byte) 0xAF;
            assertThat(rejection(StreamKind.SENSOR, valid).reason()).isEqualTo(Reason.MALFORMED_JSON);
        }

        @Test
        void invalidUtf8AtTheVeryEndIsMalformedJson() {
            byte[] b = Arrays.copyOf(SENSOR.getBytes(StandardCharsets.UTF_8), SENSOR.length() + 1);
            b[b.length - 1] = (byte) 0xE6;
            assertThat(rejection(StreamKind.SENSOR, b).reason()).isEqualTo(Reason.MALFORMED_JSON);
        }

        @Test
        void recordEncodedAsUtf16IsMalformedJson() {
            // the wire format is UTF-8; a UTF-16 record is not valid UTF-8 JSON (NUL between the characters)
            assertThat(rejection(StreamKind.SENSOR, SENSOR.getBytes(StandardCharsets.UTF_16LE)).reason()).isEqualTo(Reason.MALFORMED_JSON);
            assertThat(rejection(StreamKind.SENSOR, SENSOR.getBytes(StandardCharsets.UTF_16BE)).reason()).isEqualTo(Reason.MALFORMED_JSON);
        }

        @Test
        void recordEncodedAsUtf32IsMalformedJson() {
            byte[] b = SENSOR.getBytes(java.nio.charset.Charset.forName("UTF-32BE"));
            assertThat(rejection(StreamKind.SENSOR, b).reason()).isEqualTo(Reason.MALFORMED_JSON);
        }

        @Test
        void nulByteBetweenFieldsIsMalformedJson() {
            assertThat(rejection(StreamKind.SENSOR, SENSOR.replace(",\"sensorId\"", ",\u0000\"sensorId\"")).reason())
                    .isEqualTo(Reason.MALFORMED_JSON);
        }

        @Test
        void tenMegabyteLineIsRejectedAsSchema() {
            byte[] b = new byte[10 * 1024 * 1024];
            Arrays.fill(b, (byte) 'a');
            byte[] head = "{\"id\":\"s-1\",\"text\":\"".getBytes(StandardCharsets.UTF_8);
            System.arraycopy(head, 0, b, 0, head.length);
            b[b.length - 2] = '"';
            b[b.length - 1] = '}';
            long start = System.nanoTime();
            Rejected r = rejection(StreamKind.CALL, b);
            assertThat(r.reason()).isEqualTo(Reason.SCHEMA);
            assertThat(System.nanoTime() - start).as("rejected before parsing").isLessThan(1_000_000_000L);
        }

        @Test
        void recordJustOverTheSizeLimitIsRejectedAsSchema() {
            String padding = "x".repeat(RecordParser.MAX_RECORD_BYTES);
            assertThat(rejection(StreamKind.SENSOR, SENSOR.replace("\"unit\":\"m\"", "\"unit\":\"m\",\"pad\":\"" + padding + "\"")).reason())
                    .isEqualTo(Reason.SCHEMA);
        }

        @Test
        void tenThousandNestedArraysAreRejected() {
            String deep = "[".repeat(10_000) + "]".repeat(10_000);
            assertThat(rejection(StreamKind.SENSOR, deep).reason()).isEqualTo(Reason.MALFORMED_JSON);
            assertThat(rejection(StreamKind.SENSOR, "[".repeat(10_000)).reason()).isEqualTo(Reason.MALFORMED_JSON);
        }

        @Test
        void tenThousandNestedArraysInAnIgnoredFieldAreMalformedJson() {
            String deep = "[".repeat(10_000) + "]".repeat(10_000);
            assertThat(rejection(StreamKind.SENSOR, SENSOR.replace("{\"id\"", "{\"x\":" + deep + ",\"id\"")).reason())
                    .isEqualTo(Reason.MALFORMED_JSON);
        }

        @Test
        void tenThousandNestedObjectsInAnIgnoredFieldAreMalformedJson() {
            String deep = "{\"a\":".repeat(10_000) + "1" + "}".repeat(10_000);
            assertThat(rejection(StreamKind.SENSOR, SENSOR.replace("{\"id\"", "{\"x\":" + deep + ",\"id\"")).reason())
                    .isEqualTo(Reason.MALFORMED_JSON);
        }

        @Test
        void tenThousandNestedArraysInAKnownFieldAreRejected() {
            String deep = "[".repeat(10_000) + "]".repeat(10_000);
            Rejected r = rejection(StreamKind.SENSOR, SENSOR.replace("31.2304", deep));
            assertThat(r.reason()).isIn(Reason.SCHEMA, Reason.MALFORMED_JSON);
            Rejected unclosed = rejection(StreamKind.SENSOR, "{\"lat\":" + "[".repeat(10_000));
            assertThat(unclosed.reason()).isIn(Reason.SCHEMA, Reason.MALFORMED_JSON);
        }

        @Test
        void emptyIdentifierListIsSchema() {
            assertThat(rejection(StreamKind.FRAUD, FRAUD.replaceAll("\\[.*]", "[]")).reason()).isEqualTo(Reason.SCHEMA);
        }

        @Test
        void sixtyFiveIdentifiersAreSchema() {
            List<String> items = new ArrayList<>();
            for (int i = 0; i < 65; i++) {
                items.add("{\"type\":\"PHONE\",\"value\":\"" + (13800000000L + i) + "\"}");
            }
            assertThat(rejection(StreamKind.FRAUD, FRAUD.replaceAll("\\[.*]", "[" + String.join(",", items) + "]")).reason())
                    .isEqualTo(Reason.SCHEMA);
        }

        @Test
        void sixtyFiveCopiesOfOneIdentifierAreSchemaBecauseMaxItemsCountsTheRawList() {
            String items = String.join(",", java.util.Collections.nCopies(65, "{\"type\":\"PHONE\",\"value\":\"13912345678\"}"));
            assertThat(rejection(StreamKind.FRAUD, FRAUD.replaceAll("\\[.*]", "[" + items + "]")).reason()).isEqualTo(Reason.SCHEMA);
        }

        @Test
        void identifierValueOf513CharactersIsSchema() {
            String item = "{\"type\":\"URL\",\"value\":\"" + "a".repeat(513) + "\"}";
            assertThat(rejection(StreamKind.FRAUD, FRAUD.replaceAll("\\[.*]", "[" + item + "]")).reason()).isEqualTo(Reason.SCHEMA);
            String astral = "{\"type\":\"IM_ACCOUNT\",\"value\":\"" + "😀".repeat(513) + "\"}";
            assertThat(rejection(StreamKind.FRAUD, FRAUD.replaceAll("\\[.*]", "[" + astral + "]")).reason()).isEqualTo(Reason.SCHEMA);
        }

        @ParameterizedTest
        @ValueSource(strings = {"1e2147483648", "1e9999999999", "-1e9999999999", "1e-2147483649", "1.0e2147483647"})
        void tsWithAnExponentBeyondIntRangeIsSchema(String ts) {
            assertThat(rejection(StreamKind.SENSOR, SENSOR.replace("1783641142605", ts)).reason()).isEqualTo(Reason.SCHEMA);
        }

        @ParameterizedTest
        @ValueSource(strings = {"0e2147483648", "0.0e-9999999999"})
        void zeroTsWithAnExponentBeyondIntRangeNeverThrows(String ts) {
            // mathematically 0, an integer: accepting it as 0 and rejecting it are both fine
            assertOnlyRejectedOrParsed(StreamKind.SENSOR, SENSOR.replace("1783641142605", ts).getBytes(StandardCharsets.UTF_8), ts);
        }

        @ParameterizedTest
        @ValueSource(strings = {"1e2147483648", "1e-2147483649", "1e9999999999", "-1e9999999999"})
        void valueWithAnExtremeExponentNeverThrows(String value) {
            assertOnlyRejectedOrParsed(StreamKind.SENSOR, SENSOR.replace("5.2", value).getBytes(StandardCharsets.UTF_8), value);
            assertOnlyRejectedOrParsed(StreamKind.FRAUD, FRAUD.replace("52000.5", value).getBytes(StandardCharsets.UTF_8), value);
        }

        @Test
        void numberOfMoreThanFourHundredDigitsIsRejected() {
            String digits = "1" + "0".repeat(500);
            assertThat(rejection(StreamKind.SENSOR, SENSOR.replace("5.2", digits)).reason()).isIn(Reason.SCHEMA, Reason.MALFORMED_JSON);
            assertThat(rejection(StreamKind.SENSOR, SENSOR.replace("1783641142605", digits)).reason()).isIn(Reason.SCHEMA, Reason.MALFORMED_JSON);
        }

        @Test
        void randomByteMutationsOfValidRecordsNeverThrowAnythingButRejected() {
            Random random = new Random(7L);
            List<String> seeds = List.of(SENSOR, CALL, FRAUD, ACK);
            List<StreamKind> streams = List.of(StreamKind.SENSOR, StreamKind.CALL, StreamKind.FRAUD, StreamKind.ACK);
            java.util.Map<String, String> escaped = new java.util.TreeMap<>();
            byte[] alphabet = "{}[]\",:0123456789.eE+-tfnul \\ ".getBytes(StandardCharsets.US_ASCII);
            for (int i = 0; i < 40_000; i++) {
                int k = i % 4;
                byte[] b = seeds.get(k).getBytes(StandardCharsets.UTF_8);
                int edits = 1 + random.nextInt(4);
                for (int e = 0; e < edits; e++) {
                    int at = random.nextInt(b.length);
                    switch (random.nextInt(4)) {
                        case 0 -> b[at] = (byte) random.nextInt(256);
                        case 1 -> b[at] = alphabet[random.nextInt(alphabet.length)];
                        case 2 -> b = Arrays.copyOf(b, at);
                        default -> {
                            byte[] c = new byte[b.length + 1];
                            System.arraycopy(b, 0, c, 0, at);
                            c[at] = alphabet[random.nextInt(alphabet.length)];
                            System.arraycopy(b, at, c, at + 1, b.length - at);
                            b = c;
                        }
                    }
                    if (b.length == 0) {
                        break;
                    }
                }
                try {
                    parser.parse(streams.get(k), b, b.length);
                } catch (Rejected r) {
                    // the only allowed failure
                } catch (RuntimeException | Error e) {
                    String kind = e.getClass().getName() + ": " + String.valueOf(e.getMessage()).replaceAll("\"[^\"]*\"", "\"…\"");
                    escaped.putIfAbsent(kind, streams.get(k) + " " + new String(b, StandardCharsets.UTF_8));
                }
            }
            assertThat(escaped).as("exceptions other than Rejected, with one input each").isEmpty();
        }
    }

    private void assertOnlyRejectedOrParsed(StreamKind stream, byte[] line, String what) {
        try {
            assertThat(parser.parse(stream, line, line.length)).as(what).isNotNull();
        } catch (Rejected r) {
            assertThat(r.reason()).as(what).isIn(Reason.MALFORMED_JSON, Reason.SCHEMA);
            assertThat(r.detail()).as(what).isNotNull();
        } catch (Throwable t) {
            fail(what + " on " + stream + ": threw " + t + " for input: "
                    + new String(line, 0, Math.min(line.length, 300), StandardCharsets.UTF_8), t);
        }
    }

    static byte[] resource(String name) {
        try (InputStream in = RecordParserTest.class.getResourceAsStream(name)) {
            assertThat(in).as(name).isNotNull();
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Splits on LF only, byte-wise, keeping empty and whitespace-only lines; a final LF ends the last line. */
    static List<byte[]> lines(byte[] file) {
        List<byte[]> lines = new ArrayList<>();
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (byte b : file) {
            if (b == '\n') {
                lines.add(line.toByteArray());
                line.reset();
            } else {
                line.write(b);
            }
        }
        if (line.size() > 0) {
            lines.add(line.toByteArray());
        }
        return lines;
    }
}
