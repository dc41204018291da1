from smartexpo.venue.floorplan import fit_label


def test_short_labels_are_kept_whole():
    assert fit_label("Huawei", width_m=6, font_m=0.8) == "Huawei"


def test_long_latin_labels_are_cut_with_an_ellipsis():
    label = fit_label("Chongqing Yunzhi Intelligent Technology Co., Ltd.", width_m=6, font_m=0.8)
    assert label.endswith("…")
    assert len(label) < 15


def test_chinese_glyphs_count_a_full_em():
    assert fit_label("华为技术有限公司", width_m=6, font_m=1.0) == "华为技术有…"


def test_nothing_fits_gives_an_empty_label():
    assert fit_label("Huawei", width_m=0.5, font_m=1.0) == ""
