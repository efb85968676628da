package org.yrd.linkage.console;

import org.yrd.linkage.live.Topics;

import java.util.Map;

/**
 * Who a sign-in token stands for: one of the four provinces, which sees and acknowledges only its
 * own alerts, or the regional centre ({@code YRD}), which sees every province and acknowledges
 * nothing (acknowledgement topics are the provinces'). {@code operator} is written into the
 * acknowledgements made with the token (alert-ack.schema.json {@code operator}).
 */
record Principal(String code, String operator) {

    static final String CENTRE = "YRD";

    private static final Map<String, String> NAMES = Map.of(
            "310000", "上海市", "320000", "江苏省", "330000", "浙江省", "340000", "安徽省", CENTRE, "长三角区域联动中心");

    boolean isCentre() {
        return CENTRE.equals(code);
    }

    /** The name shown on the page, e.g. 江苏省. */
    String displayName() {
        return NAMES.get(code);
    }

    /** Whether {@code code} is a province code or YRD. */
    static boolean known(String code) {
        return Topics.RECIPIENTS.contains(code);
    }
}
