package org.yrd.linkage.ingest;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Masking of raw text in dead letters, exactly as contracts/README.md states it: the contract's
 * examples, the edges of a run, the extra masking of {@code "value"} and {@code "callerHash"},
 * text cut from a longer input, inputs of a megabyte, and random text checked against the rule
 * written as a regular expression.
 */
class RawMaskingTest {

    /** A run as the contract defines it, written as a regular expression (fine for short test strings). */
    private static final Pattern RUN = Pattern.compile("[0-9０-９](?:[ \\-　－]?[0-9０-９])*");

    // --- the contract's digit-run rule

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
            "+86 139-1234-5678        | +86 1****5678",
            "13912345678              | 139****5678",
            "１３９１２３４５６７８      | １３９****５６７８",
            "139 1234 5678            | 139****5678",
            "call 6222021234567890123 now | call 622****0123 now",
            "123456                   | ****",
            "1234567890               | ****",
            "12345                    | 12345",
            "12-3456                  | ****",
            "12-345                   | 12-345",
            "1 2 3 4 5 6              | ****",
    })
    void longRunsKeepThreeAndFourDigitsMediumRunsBecomeStarsShortRunsStay(String text, String masked) {
        assertThat(RawMasking.mask(text)).isEqualTo(masked);
    }

    @Test
    void runsSeparatedByTwoSpacesOrTwoDashesAreTwoRuns() {
        assertThat(RawMasking.mask("139  12345678")).isEqualTo("139  ****");
        assertThat(RawMasking.mask("13912  345678")).isEqualTo("13912  ****");
        assertThat(RawMasking.mask("12345--12345")).isEqualTo("12345--12345");
        assertThat(RawMasking.mask("12345 -12345")).isEqualTo("12345 -12345");
    }

    @Test
    void separatorAtTheEdgeOfARunIsNotPartOfIt() {
        assertThat(RawMasking.mask("call 13912345678- now")).isEqualTo("call 139****5678- now");
        assertThat(RawMasking.mask("-123456 ")).isEqualTo("-**** ");
        assertThat(RawMasking.mask("tel: 139-1234-5678-")).isEqualTo("tel: 139****5678-");
    }

    @Test
    void fullWidthDigitsAndSeparatorsMixWithAsciiInOneRun() {
        assertThat(RawMasking.mask("139１２３４5678")).isEqualTo("139****5678");
        assertThat(RawMasking.mask("１３９－１２３４－５６７８")).isEqualTo("１３９****５６７８");
        assertThat(RawMasking.mask("电话１３９　１２３４　５６７８。")).isEqualTo("电话１３９****５６７８。");
        assertThat(RawMasking.mask("１２３４５６")).isEqualTo("****");
    }

    @Test
    void otherPunctuationEndsARun() {
        assertThat(RawMasking.mask("139.1234.5678")).isEqualTo("139.1234.5678");
        assertThat(RawMasking.mask("12345\t12345")).isEqualTo("12345\t12345");
    }

    @Test
    void textWithoutLongRunsIsReturnedUnchanged() {
        String text = "{\"id\":\"s-1\",\"kind\":\"GAS\",\"lat\":31.2304,\"lon\":121.4737}";
        assertThat(RawMasking.mask(text)).isSameAs(text);
    }

    @Test
    void numbersOfJsonAreRunsLikeAnyOther() {
        assertThat(RawMasking.mask("{\"ts\":1783641142605,\"cityCode\":\"320102\",\"amountCny\":52000.5}"))
                .isEqualTo("{\"ts\":178****2605,\"cityCode\":\"****\",\"amountCny\":52000.5}");
    }

    // --- "value" and "callerHash" fields

    @Test
    void valueAndCallerHashKeepTheirFirstThreeAndLastFourCharacters() {
        assertThat(RawMasking.mask("{\"type\":\"PAYMENT_ACCOUNT\",\"value\":\"alipay_zhangsan\"}"))
                .isEqualTo("{\"type\":\"PAYMENT_ACCOUNT\",\"value\":\"ali****gsan\"}");
        assertThat(RawMasking.mask("{\"callerHash\":\"9f86d081884c7d659a2feaa0c55ad015\"}"))
                .isEqualTo("{\"callerHash\":\"9f8****d015\"}");
        assertThat(RawMasking.mask("{\"value\":\"+86 139-1234-5678\"}")).isEqualTo("{\"value\":\"+86****5678\"}");
    }

    @Test
    void valueOfSevenCharactersOrFewerBecomesFourStars() {
        assertThat(RawMasking.mask("{\"value\":\"wx_abcd\"}")).isEqualTo("{\"value\":\"****\"}");
        assertThat(RawMasking.mask("{\"value\":\"\"}")).isEqualTo("{\"value\":\"****\"}");
        assertThat(RawMasking.mask("{\"value\":\"😀😀😀😀😀😀😀\"}")).isEqualTo("{\"value\":\"****\"}");
        assertThat(RawMasking.mask("{\"value\":\"😀😀😀😀😀😀😀😀\"}")).isEqualTo("{\"value\":\"😀😀😀****😀😀😀😀\"}");
    }

    @Test
    void valueKeepsNoDigitOfARunThatTheDigitRuleHidesEntirely() {
        assertThat(RawMasking.mask("{\"value\":\"alipay_5345780831\"}")).isEqualTo("{\"value\":\"ali****\"}");
        assertThat(RawMasking.mask("{\"value\":\"12345678\"}")).isEqualTo("{\"value\":\"****\"}");
        assertThat(RawMasking.mask("{\"value\":\"wx12345678abc\"}")).isEqualTo("{\"value\":\"wx****abc\"}");
        assertThat(RawMasking.mask("{\"value\":\"6222021234567890123\"}")).isEqualTo("{\"value\":\"622****0123\"}");
    }

    @Test
    void valueFieldIsFoundWithWhitespaceAndEscapesAndOnlyByItsExactName() {
        assertThat(RawMasking.mask("{ \"value\" :\n \"ab\\\"cdefgh\\\\\" }")).isEqualTo("{ \"value\" :\n \"ab\\****gh\\\\\" }");
        assertThat(RawMasking.mask("{\"Value\":\"alipay_zhangsan\"}")).isEqualTo("{\"Value\":\"alipay_zhangsan\"}");
        assertThat(RawMasking.mask("{\"note\":\"value\",\"x\":\"alipay_zhangsan\"}"))
                .isEqualTo("{\"note\":\"value\",\"x\":\"alipay_zhangsan\"}");
        assertThat(RawMasking.mask("{\"value\":139123456789}")).isEqualTo("{\"value\":139****6789}");
    }

    @Test
    void unclosedValueIsMaskedToTheEnd() {
        assertThat(RawMasking.mask("{\"value\":\"alipay_zhangsan")).isEqualTo("{\"value\":\"ali****gsan");
    }

    // --- text cut from a longer input

    @Test
    void runOrValueReachingTheCutIsMaskedAsIfItWentOn() {
        assertThat(RawMasking.maskPrefix("call 13912")).isEqualTo("call ****");
        assertThat(RawMasking.mask("call 13912")).isEqualTo("call 13912");
        assertThat(RawMasking.maskPrefix("call 139 ")).isEqualTo("call **** ");
        assertThat(RawMasking.maskPrefix("call 139123456789012")).isEqualTo("call 139****");
        assertThat(RawMasking.maskPrefix("call 139 x")).isEqualTo("call 139 x");
        assertThat(RawMasking.maskPrefix("{\"value\":\"alipay_zh")).isEqualTo("{\"value\":\"****");
    }

    // --- size

    @Test
    void megabyteOfDigitsIsMaskedWithoutError() {
        String digits = "1".repeat(1 << 20);
        assertThat(RawMasking.mask(digits)).isEqualTo("111****1111");
        assertThat(RawMasking.mask("x" + "１".repeat(1 << 20) + "x")).isEqualTo("x１１１****１１１１x");
    }

    @Test
    void megabyteOfAlternatingDigitsAndDashesIsOneRun() {
        String alternating = "1-".repeat(1 << 19);
        assertThat(RawMasking.mask(alternating)).isEqualTo("1-1-1****1-1-1-1-");
    }

    @Test
    void megabyteOfValueFieldsIsMaskedWithoutError() {
        String fields = "{\"value\":\"alipay_5345780831\"},".repeat(40_000);
        assertThat(RawMasking.mask(fields)).isEqualTo("{\"value\":\"ali****\"},".repeat(40_000));
    }

    // --- properties

    @Test
    void randomTextNeverKeepsSixDigitsInARunAndMatchesTheRuleWrittenAsARegularExpression() {
        Random random = new Random(14);
        String alphabet = "0123456789０１２３４５６７８９ - 　－ab";
        for (int k = 0; k < 20_000; k++) {
            String text = random(random, alphabet, 1 + random.nextInt(60));
            String masked = RawMasking.mask(text);
            assertThat(longestRun(masked)).as("%s -> %s", text, masked).isLessThan(6);
            assertThat(masked).as(text).isEqualTo(reference(text));
        }
    }

    @Test
    void randomValueFieldsNeverKeepSixDigitsInARunNorMoreThanSevenCharacters() {
        Random random = new Random(41);
        String alphabet = "0123456789０１２３４５６７８９ - 　－ab_";
        for (int k = 0; k < 20_000; k++) {
            String value = random(random, alphabet, random.nextInt(40));
            String masked = RawMasking.mask("{\"value\":\"" + value + "\",\"callerHash\":\"" + value + "\"}");
            assertThat(longestRun(masked)).as("%s -> %s", value, masked).isLessThan(6);
            String kept = masked.substring("{\"value\":\"".length(), masked.indexOf('"', "{\"value\":\"".length()));
            assertThat(kept).as(value).contains("****");
            assertThat(kept.replace("****", "")).as(value).hasSizeLessThanOrEqualTo(7);
        }
    }

    @Test
    void randomPrefixesNeverKeepADigitRunThatReachesTheCut() {
        Random random = new Random(7);
        String alphabet = "0123456789１２ -ab";
        for (int k = 0; k < 20_000; k++) {
            String prefix = random(random, alphabet, 1 + random.nextInt(40));
            String masked = RawMasking.maskPrefix(prefix);
            assertThat(longestRun(masked)).as("%s -> %s", prefix, masked).isLessThan(6);
            boolean endsInRun = RawMasking.isDigit(prefix.charAt(prefix.length() - 1))
                    || prefix.length() > 1 && RawMasking.isSeparator(prefix.charAt(prefix.length() - 1))
                    && RawMasking.isDigit(prefix.charAt(prefix.length() - 2));
            if (endsInRun) {
                assertThat(masked).as(prefix).matches("(?s).*\\*\\*\\*\\*[ \\-]?");
            }
        }
    }

    // --- helpers

    private static String random(Random random, String alphabet, int length) {
        StringBuilder sb = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            sb.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return sb.toString();
    }

    /** The most digits of any run in the text. */
    private static int longestRun(String text) {
        int longest = 0;
        Matcher m = RUN.matcher(text);
        while (m.find()) {
            longest = Math.max(longest, digits(m.group()));
        }
        return longest;
    }

    private static int digits(String run) {
        return (int) run.chars().filter(c -> c >= '0' && c <= '9' || c >= '０' && c <= '９').count();
    }

    /** The contract's rule, the slow and obvious way. */
    private static String reference(String text) {
        Matcher m = RUN.matcher(text);
        StringBuilder out = new StringBuilder();
        int at = 0;
        while (m.find()) {
            out.append(text, at, m.start());
            String run = m.group();
            int n = digits(run);
            if (n >= 11) {
                List<Integer> positions = new ArrayList<>();
                for (int i = 0; i < run.length(); i++) {
                    if (Character.isDigit(run.charAt(i))) {
                        positions.add(i);
                    }
                }
                out.append(run, 0, positions.get(2) + 1).append("****").append(run.substring(positions.get(n - 4)));
            } else {
                out.append(n >= 6 ? "****" : run);
            }
            at = m.end();
        }
        return out.append(text.substring(at)).toString();
    }
}
