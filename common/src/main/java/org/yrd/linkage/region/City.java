package org.yrd.linkage.region;

/** One of the 41 prefecture-level cities of the region, keyed by its GB/T 2260 code. */
public record City(int code, String name, String nameEn, int province, String provinceName, String provinceNameEn) {}
