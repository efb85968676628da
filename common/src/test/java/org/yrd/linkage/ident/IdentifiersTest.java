package org.yrd.linkage.ident;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.yrd.linkage.model.IdentifierType;

import static org.assertj.core.api.Assertions.assertThat;
import static org.yrd.linkage.model.IdentifierType.BANK_ACCOUNT;
import static org.yrd.linkage.model.IdentifierType.DEVICE;
import static org.yrd.linkage.model.IdentifierType.IM_ACCOUNT;
import static org.yrd.linkage.model.IdentifierType.PAYMENT_ACCOUNT;
import static org.yrd.linkage.model.IdentifierType.PHONE;
import static org.yrd.linkage.model.IdentifierType.URL;

/** Normalisation and masking of suspect identifiers as contracts/README.md defines them. */
class IdentifiersTest {

    // --- PHONE: digits only; a leading 86 is dropped from 13-digit results

    @Test
    void phoneWithCountryCodeAndDashesNormalisesToElevenDigits() {
        assertThat(Identifiers.normalise(PHONE, "+86 139-1234-5678")).isEqualTo("13912345678");
    }

    @Test
    void phoneWithBareCountryCodeNormalisesToElevenDigits() {
        assertThat(Identifiers.normalise(PHONE, "8613912345678")).isEqualTo("13912345678");
    }

    @Test
    void phoneWithSpacesNormalisesToElevenDigits() {
        assertThat(Identifiers.normalise(PHONE, "139 1234 5678")).isEqualTo("13912345678");
    }

    @Test
    void phoneWithParenthesesAndDotsKeepsOnlyDigits() {
        assertThat(Identifiers.normalise(PHONE, "(+86) 139.1234.5678")).isEqualTo("13912345678");
    }

    @Test
    void thirteenDigitPhoneNotStartingWith86IsKeptWhole() {
        assertThat(Identifiers.normalise(PHONE, "1391234567890")).isEqualTo("1391234567890");
    }

    @Test
    void phoneOfOtherLengthKeepsLeading86() {
        // only 13-digit results lose their 86: 0086 + 11 digits is 15 digits, 86 + a landline may be 12
        assertThat(Identifiers.normalise(PHONE, "0086 139 1234 5678")).isEqualTo("008613912345678");
        assertThat(Identifiers.normalise(PHONE, "86 21 6321 0000")).isEqualTo("862163210000");
        assertThat(Identifiers.normalise(PHONE, "86")).isEqualTo("86");
    }

    @Test
    void phoneWithNoDigitNormalisesToEmpty() {
        assertThat(Identifiers.normalise(PHONE, "call me maybe")).isEmpty();
        assertThat(Identifiers.normalise(PHONE, "+-() ")).isEmpty();
    }

    // --- BANK_ACCOUNT: digits only

    @Test
    void bankAccountWithSpacesKeepsOnlyDigits() {
        assertThat(Identifiers.normalise(BANK_ACCOUNT, "6222 0212 3456 7890 123")).isEqualTo("6222021234567890123");
    }

    @Test
    void bankAccountWithDashesKeepsOnlyDigits() {
        assertThat(Identifiers.normalise(BANK_ACCOUNT, " 6217-0000-1111-2222 ")).isEqualTo("6217000011112222");
    }

    @Test
    void bankAccountStartingWith86KeepsAllThirteenDigits() {
        // the 86 rule is for phones only
        assertThat(Identifiers.normalise(BANK_ACCOUNT, "8613912345678")).isEqualTo("8613912345678");
    }

    // --- PAYMENT_ACCOUNT, IM_ACCOUNT, DEVICE: trimmed, lower case

    @ParameterizedTest
    @EnumSource(value = IdentifierType.class, names = {"PAYMENT_ACCOUNT", "IM_ACCOUNT", "DEVICE"})
    void textualIdentifierIsTrimmedAndLowerCased(IdentifierType type) {
        assertThat(Identifiers.normalise(type, "  Alipay_5345780831\t")).isEqualTo("alipay_5345780831");
    }

    @ParameterizedTest
    @EnumSource(value = IdentifierType.class, names = {"PAYMENT_ACCOUNT", "IM_ACCOUNT", "DEVICE"})
    void textualIdentifierKeepsInnerSpacesAndPunctuation(IdentifierType type) {
        assertThat(Identifiers.normalise(type, " WeChat ID: Zhang-San.88 ")).isEqualTo("wechat id: zhang-san.88");
    }

    @Test
    void lowerCasingDoesNotDependOnTheDefaultLocale() {
        // a Turkish default locale would turn I into a dotless i
        assertThat(Identifiers.normalise(IM_ACCOUNT, "QQ_IMEI")).isEqualTo("qq_imei");
        assertThat(Identifiers.normalise(DEVICE, "IMEI-35-209900-176148-1")).isEqualTo("imei-35-209900-176148-1");
    }

    @Test
    void chineseTextualIdentifierIsKeptAsIs() {
        assertThat(Identifiers.normalise(IM_ACCOUNT, " 客服小王 ")).isEqualTo("客服小王");
    }

    // --- URL: lower case, scheme and www. removed, trailing / removed

    @Test
    void urlDropsSchemeWwwAndTrailingSlashAndIsLowerCased() {
        assertThat(Identifiers.normalise(URL, "HTTPS://www.Example.com/path/")).isEqualTo("example.com/path");
    }

    @ParameterizedTest
    @CsvSource({
            "http://example.com,            example.com",
            "https://example.com/,          example.com",
            "www.example.com,               example.com",
            "example.com/a/b/,              example.com/a/b",
            "HTTP://WWW.EXAMPLE.COM/Pay?Id=7, example.com/pay?id=7",
            "hxxp://www.example.com/x,      example.com/x",
    })
    void urlSpellingsOfOneSiteNormaliseAlike(String raw, String normalised) {
        assertThat(Identifiers.normalise(URL, raw)).isEqualTo(normalised);
    }

    @Test
    void urlWithWwwOnlyInThePathKeepsIt() {
        assertThat(Identifiers.normalise(URL, "https://pay.example.com/www.login")).isEqualTo("pay.example.com/www.login");
    }

    @Test
    void urlOfOnlySchemeNormalisesToEmpty() {
        assertThat(Identifiers.normalise(URL, "https://")).isEmpty();
        assertThat(Identifiers.normalise(URL, "https://www./")).isEmpty();
    }

    // --- masking: TYPE: + first 3 + **** + last 4; 7 characters or fewer: TYPE:****

    @Test
    void phoneIsMaskedToFirstThreeAndLastFour() {
        assertThat(Identifiers.mask(PHONE, "13912345678")).isEqualTo("PHONE:139****5678");
    }

    @Test
    void maskOfNormalisedPhoneMatchesTheContractExample() {
        assertThat(Identifiers.mask(PHONE, Identifiers.normalise(PHONE, "+86 139-1234-5678"))).isEqualTo("PHONE:139****5678");
    }

    @Test
    void valueOfSevenCharactersIsMaskedCompletely() {
        assertThat(Identifiers.mask(IM_ACCOUNT, "abcdefg")).isEqualTo("IM_ACCOUNT:****");
    }

    @Test
    void veryShortValuesAreMaskedCompletely() {
        assertThat(Identifiers.mask(DEVICE, "a")).isEqualTo("DEVICE:****");
        assertThat(Identifiers.mask(BANK_ACCOUNT, "1234")).isEqualTo("BANK_ACCOUNT:****");
    }

    @Test
    void valueOfExactlyEightCharactersHidesOnlyItsFourthCharacter() {
        assertThat(Identifiers.mask(PAYMENT_ACCOUNT, "abcdefgh")).isEqualTo("PAYMENT_ACCOUNT:abc****efgh");
    }

    @Test
    void urlIsMaskedOnItsNormalisedForm() {
        assertThat(Identifiers.mask(URL, "example.com/path")).isEqualTo("URL:exa****path");
    }

    @Test
    void maskCountsCharactersNotUtf16Units() {
        // seven emoji are seven characters (fourteen UTF-16 units): masked completely
        assertThat(Identifiers.mask(IM_ACCOUNT, "😀😀😀😀😀😀😀")).isEqualTo("IM_ACCOUNT:****");
        // eight characters, none split in half
        assertThat(Identifiers.mask(IM_ACCOUNT, "😀客服😀x小王😀")).isEqualTo("IM_ACCOUNT:😀客服****x小王😀");
    }

    @Test
    void maskNeverContainsTheHiddenMiddle() {
        String masked = Identifiers.mask(BANK_ACCOUNT, "6222021234567890123");
        assertThat(masked).isEqualTo("BANK_ACCOUNT:622****0123").doesNotContain("2123456789");
    }
}
