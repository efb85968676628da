package org.yrd.linkage.region;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Set;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * The region model: the 41 cities, code normalisation (district/county to city) and placement of
 * points on the shared city boundaries (rules-v1.md, city(e)); great-circle distance (dist(a, b)).
 */
class RegionTest {

    private final Region region = Region.get();

    // --- the cities

    @Test
    void regionHasFortyOneCities() {
        assertThat(region.cities()).hasSize(41);
    }

    @Test
    void citiesSpreadOverTheFourProvincesAsInTheDivisionTable() {
        assertThat(region.cities().values().stream().collect(Collectors.groupingBy(City::province, Collectors.counting())))
                .containsOnly(
                        org.assertj.core.api.Assertions.entry(310000, 1L),
                        org.assertj.core.api.Assertions.entry(320000, 13L),
                        org.assertj.core.api.Assertions.entry(330000, 11L),
                        org.assertj.core.api.Assertions.entry(340000, 16L));
    }

    @Test
    void everyCityCodeEndsInHundredAndLiesInItsProvince() {
        for (City c : region.cities().values()) {
            assertThat(c.code() % 100).as(c.nameEn()).isZero();
            assertThat(Region.provinceOf(c.code())).as(c.nameEn()).isEqualTo(c.province());
        }
    }

    @Test
    void shanghaiIsTheSingleCity310100() {
        City shanghai = region.city(310100);
        assertThat(shanghai.name()).isEqualTo("上海市");
        assertThat(shanghai.nameEn()).isEqualTo("Shanghai");
        assertThat(shanghai.province()).isEqualTo(310000);
        assertThat(region.city(310000)).isNull();
    }

    @Test
    void citiesSharingAnEnglishNameAreDistinguishedByCode() {
        assertThat(region.city(320500).name()).isEqualTo("苏州市");
        assertThat(region.city(341300).name()).isEqualTo("宿州市");
        assertThat(region.city(320500).nameEn()).isEqualTo(region.city(341300).nameEn());
        assertThat(region.city(321200).name()).isEqualTo("泰州市");
        assertThat(region.city(331000).name()).isEqualTo("台州市");
    }

    @Test
    void citiesMapIsUnmodifiable() {
        assertThat(region.cities()).isUnmodifiable();
    }

    @Test
    void regionIsLoadedOncePerJvm() {
        assertThat(Region.get()).isSameAs(region);
    }

    @Test
    void provinceOfACityIsItsFirstTwoDigitsAndFourZeros() {
        assertThat(Region.provinceOf(310100)).isEqualTo(310000);
        assertThat(Region.provinceOf(320500)).isEqualTo(320000);
        assertThat(Region.provinceOf(331000)).isEqualTo(330000);
        assertThat(Region.provinceOf(341300)).isEqualTo(340000);
    }

    // --- cityOfCode

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
            "310115, 310100",   // Pudong New Area
            "310101, 310100",   // Huangpu
            "310151, 310100",   // Chongming
            "310100, 310100",
            "320581, 320500",   // Changshu, a county-level city of Suzhou (Jiangsu)
            "320102, 320100",   // Xuanwu, Nanjing
            "321283, 321200",   // Taixing, Taizhou (Jiangsu)
            "331082, 331000",   // Linhai, Taizhou (Zhejiang)
            "341272, 341200",   // Fuyang economic development zone: a statistical-only code
            "341302, 341300",   // Yongqiao, Suzhou (Anhui)
            "330106, 330100",   // Xihu, Hangzhou
            "340104, 340100",   // Shushan, Hefei
            "330100, 330100",
    })
    void districtOrCountyCodeMapsToItsCity(String code, int city) {
        assertThat(region.cityOfCode(code)).isEqualTo(city);
    }

    @ParameterizedTest
    @ValueSource(strings = {"310000", "320000", "330000", "340000"})
    void provinceCodeNamesNoCity(String code) {
        assertThat(region.cityOfCode(code)).isZero();
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "110101",   // Dongcheng, Beijing
            "420102",   // Wuhan
            "310230",   // the former Chongming county code: Shanghai is 3101xx only
            "310200",
            "321400",   // no 14th city in Jiangsu
            "341400",   // Chaohu, dissolved in 2011
            "000000",
            "999999",
    })
    void codeOutsideTheFortyOneCitiesMapsToZero(String code) {
        assertThat(region.cityOfCode(code)).isZero();
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {"31011", "3101150", "31011x", "abcdef", " 31011", "31011 ", "+31011", "-31011", "3101.5", "0x3101"})
    void malformedCodeMapsToZero(String code) {
        assertThat(region.cityOfCode(code)).isZero();
    }

    @Test
    void codeInNonAsciiDigitsMapsToZero() {
        // full-width and Arabic-Indic digits are not GB/T 2260 codes
        assertThat(region.cityOfCode("３１０１１５")).isZero();
        assertThat(region.cityOfCode("٣١٠١١٥")).isZero();
    }

    // --- cityAt: well-known places

    @ParameterizedTest(name = "{0}")
    @CsvSource({
            "People's Square Shanghai, 31.2304, 121.4737, 310100",
            "Nanjing Xinjiekou,        32.0415, 118.7845, 320100",
            "Hangzhou West Lake,       30.2590, 120.1388, 330100",
            "Hefei,                    31.8206, 117.2272, 340100",
            "Suzhou Jiangsu,           31.2989, 120.5853, 320500",
            "Suzhou Anhui,             33.6461, 116.9641, 341300",
            "Ningbo,                   29.8683, 121.5440, 330200",
            "Wuxi,                     31.4912, 120.3119, 320200",
            "Wuhu,                     31.3526, 118.4331, 340200",
    })
    void wellKnownPlaceLiesInItsCity(String place, double lat, double lon, int city) {
        assertThat(region.cityAt(lat, lon)).isEqualTo(city);
    }

    // --- cityAt: about 2 km inside each side of a shared border (points chosen from yrd-cities.geojson:
    // the midpoint of a shared boundary edge, moved 2 km along its normal; each is 2 km from any boundary)

    @ParameterizedTest(name = "{0}")
    @CsvSource({
            "Shanghai side of Shanghai/Jiaxing,   30.9577, 121.0121, 310100",
            "Jiaxing side of Shanghai/Jiaxing,    30.9503, 120.9710, 330400",
            "Shanghai side of Shanghai/Jiaxing 2, 30.7981, 121.1768, 310100",
            "Jiaxing side of Shanghai/Jiaxing 2,  30.7656, 121.1947, 330400",
            "Shanghai side of Shanghai/Suzhou,    31.2195, 121.0817, 310100",
            "Suzhou side of Shanghai/Suzhou,      31.2136, 121.0402, 320500",
            "Shanghai side of Shanghai/Suzhou 2,  31.1212, 120.9481, 310100",
            "Suzhou side of Shanghai/Suzhou 2,    31.1564, 120.9567, 320500",
            "Suzhou side of Suzhou/Jiaxing,       30.8076, 120.5120, 320500",
            "Jiaxing side of Suzhou/Jiaxing,      30.7890, 120.5479, 330400",
            "Suzhou side of Suzhou/Jiaxing 2,     31.0237, 120.7887, 320500",
            "Jiaxing side of Suzhou/Jiaxing 2,    30.9880, 120.7938, 330400",
            "Suzhou side of Suzhou/Huzhou,        30.9518, 120.1859, 320500",
            "Huzhou side of Suzhou/Huzhou,        30.9163, 120.1791, 330500",
            "Suzhou side of Suzhou/Huzhou 2,      30.9488, 120.2736, 320500",
            "Huzhou side of Suzhou/Huzhou 2,      30.9130, 120.2784, 330500",
            "Nanjing side of Nanjing/Ma'anshan,   31.8120, 118.5084, 320100",
            "Ma'anshan side of Nanjing/Ma'anshan, 31.8242, 118.4686, 340500",
            "Nanjing side of Nanjing/Ma'anshan 2, 31.5047, 118.8991, 320100",
            "Ma'anshan side of Nanjing/Ma'anshan 2, 31.5100, 118.8573, 340500",
            "Nanjing side of Nanjing/Chuzhou,     32.4517, 118.7049, 320100",
            "Chuzhou side of Nanjing/Chuzhou,     32.4547, 118.6625, 341100",
            "Nanjing side of Nanjing/Chuzhou 2,   32.5273, 118.9337, 320100",
            "Chuzhou side of Nanjing/Chuzhou 2,   32.5537, 118.9627, 341100",
    })
    void pointTwoKilometresInsideABorderLiesInItsCity(String where, double lat, double lon, int city) {
        assertThat(region.cityAt(lat, lon)).isEqualTo(city);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
            "vertex shared by Shanghai and Jiaxing,   30.840647, 121.056768, 310100",
            "vertex shared by Suzhou and Huzhou,      30.925142, 120.359906, 320500",
            "vertex shared by Nanjing and Ma'anshan,  31.644524, 118.662392, 320100",
    })
    void pointExactlyOnASharedBorderGoesToTheSmallerCityCode(String where, double lat, double lon, int city) {
        assertThat(region.cityAt(lat, lon)).isEqualTo(city);
    }

    // --- cityAt: outside the region

    @ParameterizedTest(name = "{0}")
    @CsvSource({
            "Beijing,         39.9,  116.4",
            "East China Sea,  30.5,  123.5",
            "Wuhan,           30.59, 114.30",
            "Null Island,     0.0,   0.0",
            "North Pole,      90.0,  0.0",
            "antimeridian,    31.0, -180.0",
            "lon and lat swapped for Shanghai, 121.4737, 31.2304",
    })
    void pointOutsideTheRegionLiesInNoCity(String where, double lat, double lon) {
        assertThat(region.cityAt(lat, lon)).isZero();
    }

    @Test
    void everyCityCodeReturnedByCityAtIsOneOfTheFortyOne() {
        Set<Integer> codes = region.cities().keySet();
        for (double lat = 27.0; lat <= 35.2; lat += 0.25) {
            for (double lon = 114.8; lon <= 123.0; lon += 0.25) {
                int city = region.cityAt(lat, lon);
                assertThat(city == 0 || codes.contains(city)).as("%f,%f -> %d", lat, lon, city).isTrue();
            }
        }
    }

    // --- Geo.distanceKm: haversine with R = 6371.0088 km

    private static final double KM_PER_DEGREE = 6371.0088 * Math.PI / 180;

    @Test
    void earthRadiusIsTheContractedMeanRadius() {
        assertThat(Geo.EARTH_RADIUS_KM).isEqualTo(6371.0088);
    }

    @Test
    void oneDegreeOfLatitudeIsRTimesPiOver180() {
        assertThat(Geo.distanceKm(31.0, 121.0, 32.0, 121.0)).isCloseTo(111.1950802335329, within(1e-9));
        assertThat(Geo.distanceKm(31.0, 121.0, 32.0, 121.0)).isCloseTo(KM_PER_DEGREE, within(1e-9));
    }

    @Test
    void oneDegreeOfLongitudeAtTheEquatorEqualsOneOfLatitude() {
        assertThat(Geo.distanceKm(0, 0, 0, 1)).isCloseTo(KM_PER_DEGREE, within(1e-9));
    }

    @Test
    void peoplesSquareToXinjiekouMatchesAHandComputedHaversine() {
        // sin^2(dLat/2) + cos(lat1) cos(lat2) sin^2(dLon/2), computed separately: 268.0306 km
        assertThat(Geo.distanceKm(31.2304, 121.4737, 32.0415, 118.7845)).isCloseTo(HAND_SHANGHAI_NANJING, within(1e-6));
    }

    private static final double HAND_SHANGHAI_NANJING = handHaversine(31.2304, 121.4737, 32.0415, 118.7845);

    private static double handHaversine(double lat1, double lon1, double lat2, double lon2) {
        double p1 = lat1 * Math.PI / 180, p2 = lat2 * Math.PI / 180;
        double h = Math.pow(Math.sin((p2 - p1) / 2), 2)
                + Math.cos(p1) * Math.cos(p2) * Math.pow(Math.sin((lon2 - lon1) * Math.PI / 180 / 2), 2);
        return 2 * 6371.0088 * Math.atan2(Math.sqrt(h), Math.sqrt(1 - h));
    }

    @Test
    void distanceIsSymmetricAndZeroForTheSamePoint() {
        assertThat(Geo.distanceKm(30.259, 120.1388, 31.8206, 117.2272))
                .isEqualTo(Geo.distanceKm(31.8206, 117.2272, 30.259, 120.1388));
        assertThat(Geo.distanceKm(30.259, 120.1388, 30.259, 120.1388)).isZero();
    }

    @Test
    void antipodalPointsAreHalfTheCircumferenceApart() {
        assertThat(Geo.distanceKm(0, 0, 0, 180)).isCloseTo(Math.PI * 6371.0088, within(1e-6));
        assertThat(Geo.distanceKm(31.2304, 121.4737, -31.2304, -58.5263)).isCloseTo(Math.PI * 6371.0088, within(1e-6));
    }

    @Test
    void pointsFourteenPointNineKmApartAlongAMeridianAreWithinFifteenKm() {
        double lat2 = 31.2304 + 14.9 / KM_PER_DEGREE;
        double d = Geo.distanceKm(31.2304, 121.4737, lat2, 121.4737);
        assertThat(d).isCloseTo(14.9, within(1e-9)).isLessThanOrEqualTo(15.0);
    }

    @Test
    void pointsFifteenPointOneKmApartAlongAMeridianAreBeyondFifteenKm() {
        double lat2 = 31.2304 - 15.1 / KM_PER_DEGREE;
        double d = Geo.distanceKm(31.2304, 121.4737, lat2, 121.4737);
        assertThat(d).isCloseTo(15.1, within(1e-9)).isGreaterThan(15.0);
    }

    @Test
    void distanceAlongAParallelShrinksWithTheCosineOfLatitude() {
        // 0.1 degree of longitude at 60 N: very nearly half of 0.1 degree at the equator
        assertThat(Geo.distanceKm(60, 121.0, 60, 121.1)).isCloseTo(0.1 * KM_PER_DEGREE * 0.5, within(1e-4));
    }
}
