package org.yrd.linkage.alert;

/** The lifecycle step one alert record carries (alert.schema.json). */
public enum MsgType {
    ALERT, UPDATE, CANCEL
}
